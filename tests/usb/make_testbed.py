#!/usr/bin/env python3
"""make_testbed.py — the fake USB bus of tests/integration/print-usb.sh, as umockdev device
descriptions (the text format umockdev-record writes), built from readable tables here rather
than from hand-edited binary files.

  make_testbed.py OUTDIR   writes OUTDIR/bus.umockdev (root hub + two printers present at start)
                           and OUTDIR/hotplug.umockdev (two printers plugged in later);
                           OUTDIR/replay.* for umockdev-run's pcap replay (see capture())

Each printer is a device (sysfs attribute `descriptors` = device descriptor + configuration,
as the kernel exposes it) with one child per interface. An interface that usblp would drive
carries the `ieee1284_id` attribute usblp shows in sysfs: the device IDs below are the ones
those printers report (kept as recorded, including the vendor's spacing). The ioctl handler
of tests/usb/usbtest.c plays the printer firmware and answers GET_DEVICE_ID from it.
"""
import os
import struct
import sys

BUS = 1

# HP LaserJet 1300: one bidirectional 7/1/2 interface, PCL 5e; VID:PID is on the delay-close
# quirk row (the last page is lost without a delayed close).
HP_PCL = dict(
    sysname="1-1", devnum=2, vid=0x03F0, pid=0x1017, serial="CNBJ123456",
    manufacturer="Hewlett-Packard", product="hp LaserJet 1300",
    interfaces=[
        dict(cls=7, sub=1, proto=2, eps=[0x01, 0x81],
             id="MFG:Hewlett-Packard;MDL:hp LaserJet 1300;CMD:PJL,MLC,PCL,PCLXL,POSTSCRIPT;"
                "CLS:PRINTER;DES:Hewlett-Packard LaserJet 1300;"),
    ])

# A driverless HP laser: 7/1/2 for PCL plus two 7/1/4 IPP-over-USB interfaces.
HP_IPP = dict(
    sysname="1-2", devnum=3, vid=0x03F0, pid=0xC42A, serial="PHBQK01234",
    manufacturer="HP", product="HP LaserJet Pro M404-M405",
    interfaces=[
        dict(cls=7, sub=1, proto=2, eps=[0x02, 0x82],
             id="MFG:HP;MDL:HP LaserJet Pro M404-M405;CMD:PJL,PCL,PCLXL,URF,PWGRaster;"
                "CLS:PRINTER;DES:HP LaserJet Pro M404dn;SN:PHBQK01234;"),
        dict(cls=7, sub=1, proto=4, eps=[0x03, 0x83], id=None),
        dict(cls=7, sub=1, proto=4, eps=[0x04, 0x84], id=None),
    ])

# A host-based Pantum (GDI): found when plugged in, refused with its model named.
PANTUM = dict(
    sysname="1-3", devnum=4, vid=0x232B, pid=0x0911, serial="CA1B000777",
    unconfigured=True,  # arrives in configuration 0: bConfigurationValue is an empty file
    manufacturer="Pantum", product="P2500W series",
    interfaces=[
        # unidirectional in alternate setting 0, bidirectional in setting 1
        dict(cls=7, sub=1, proto=1, eps=[0x01], alts=[dict(proto=2, eps=[0x01, 0x82])],
             id="MFG:Pantum;CMD:GDI;MDL:P2500W series;CLS:PRINTER;DES:Pantum P2500W series;"
                # a long vendor status field: the ID is longer than the 1024 bytes the kiosk
                # reads (it must still parse the fields before the cut)
                "VSTATUS:" + ",".join("ST%04d" % i for i in range(200)) + ";"),
    ])


# Xerox WorkCentre 3220 (PCL 5e): VID 0924 is on the no-reattach quirk row (usblp must not
# get the interface back after a job). Plugged in later, with the Pantum.
XEROX = dict(
    sysname="1-4", devnum=5, vid=0x0924, pid=0x4294, serial="3220X0042",
    manufacturer="Xerox", product="WorkCentre 3220",
    interfaces=[
        dict(cls=7, sub=1, proto=2, eps=[0x01, 0x82],
             id="MFG:Xerox;CMD:PCL5E,PCL6,POSTSCRIPT,PJL;MDL:WorkCentre 3220;CLS:PRINTER;"
                "DES:Xerox WorkCentre 3220;"),
    ])


def device_descriptor(d, dev_class=0, maxp0=64, bcd_usb=0x0200):
    return struct.pack("<BBHBBBBHHHBBBB", 18, 1, bcd_usb, dev_class, 0, 0, maxp0,
                       d["vid"], d["pid"], 0x0100, 1, 2, 3, 1)


def config_descriptor(interfaces):
    body = b""
    for n, itf in enumerate(interfaces):
        # alternate setting 0, then any others ("alts": protocol and endpoints of each)
        for alt, a in enumerate([itf] + itf.get("alts", [])):
            body += struct.pack("<BBBBBBBBB", 9, 4, n, alt, len(a["eps"]),
                                itf["cls"], itf["sub"], a["proto"], 0)
            for ep in a["eps"]:
                body += struct.pack("<BBBBHB", 7, 5, ep, 2, 512, 0)  # bulk, 512-byte packets
    total = 9 + len(body)
    return struct.pack("<BBHBBBBB", 9, 2, total, len(interfaces), 1, 0, 0xC0, 1) + body


def attr(name, value):
    return "A: %s=%s\\n\n" % (name, value.replace("\\", "\\\\"))


def usb_device(path, sysname, devnum, descriptors, extra="", config="1"):
    return ("P: %s\nN: bus/usb/%03d/%03d\n"
            "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
            "E: BUSNUM=%03d\nE: DEVNUM=%03d\nE: DEVNAME=/dev/bus/usb/%03d/%03d\n"
            % (path, BUS, devnum, BUS, devnum, BUS, devnum) +
            attr("busnum", str(BUS)) + attr("devnum", str(devnum)) +
            (attr("bConfigurationValue", config) if config else "A: bConfigurationValue=\n") +
            attr("speed", "480") + extra +
            "H: descriptors=%s\n\n" % descriptors.hex())


def root_hub():
    hub = dict(vid=0x1D6B, pid=0x0002)
    dd = device_descriptor(hub, dev_class=9)
    cfg = struct.pack("<BBHBBBBB", 9, 2, 25, 1, 1, 0, 0xE0, 0) + \
        struct.pack("<BBBBBBBBB", 9, 4, 0, 0, 1, 9, 0, 0, 0) + \
        struct.pack("<BBBBHB", 7, 5, 0x81, 3, 4, 12)
    return usb_device("/devices/pci0000:00/0000:00:14.0/usb1", "usb1", 1, dd + cfg,
                      attr("idVendor", "1d6b") + attr("idProduct", "0002"))


def printer(d):
    path = "/devices/pci0000:00/0000:00:14.0/usb1/" + d["sysname"]
    desc = device_descriptor(d) + config_descriptor(d["interfaces"])
    extra = (attr("idVendor", "%04x" % d["vid"]) + attr("idProduct", "%04x" % d["pid"]) +
             attr("serial", d["serial"]) + attr("manufacturer", d["manufacturer"]) +
             attr("product", d["product"]))
    out = usb_device(path, d["sysname"], d["devnum"], desc, extra,
                     "" if d.get("unconfigured") else "1")
    for n, itf in enumerate(d["interfaces"]):
        out += ("P: %s/%s:1.%d\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\n" % (path, d["sysname"], n) +
                attr("bInterfaceNumber", "%02x" % n) +
                attr("bInterfaceClass", "%02x" % itf["cls"]) +
                attr("bInterfaceSubClass", "%02x" % itf["sub"]) +
                attr("bInterfaceProtocol", "%02x" % itf["proto"]))
        if itf["id"]:
            out += attr("ieee1284_id", itf["id"])
        out += "\n"
    return out


# --- a usbmon capture for umockdev-run's own replay (-p SYSFS=capture.pcap) -----------------
# What usbmon records (pcap link type 220, DLT_USB_LINUX_MMAPPED: a 64-byte header per event,
# then the data) while the kiosk sends a job to the LaserJet 1300 on bus 1 address 2: bulk OUT
# submits with their bytes ('S') and completions ('C') with the status and the count accepted.
# umockdev compares every submitted OUT buffer with the recorded one byte for byte. The kiosk
# submits at most 16384 bytes per URB (KK_USB_CHUNK in firmware/print/usb.c).
CHUNK = 16384
DLT_USB_LINUX_MMAPPED = 220


def replay_job():
    """A small PCL job: reset, A4, 300 dpi, 120 rows of a 600-byte raster, form feed."""
    job = b"\x1b%-12345X@PJL ENTER LANGUAGE=PCL\r\n\x1bE\x1b&l26A\x1b*t300R\x1b*r1A\x1b*b0M"
    for y in range(120):
        row = bytes(((x * 7 + y * 13) & 0xFF) for x in range(600))
        job += b"\x1b*b600W" + row
    return job + b"\x1b*rB\x0c\x1bE\x1b%-12345X"


class Usbmon:
    def __init__(self, bus, dev):
        self.bus, self.dev, self.id, self.t = bus, dev, 0xFFFF880000000000, 0
        self.out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144,
                                         DLT_USB_LINUX_MMAPPED))

    def event(self, kind, ep, urb_len, data=b"", status=0):
        self.t += 1000
        hdr = struct.pack("<QBBBBHbbqiiIIQiiII", self.id, ord(kind), 3, ep, self.dev, self.bus,
                          ord("-"), 0 if data else ord("<" if ep & 0x80 else ">"),
                          self.t // 1000000, self.t % 1000000, status, urb_len, len(data),
                          0, 0, 0, 0, 0)
        assert len(hdr) == 64
        rec = hdr + data
        self.out += struct.pack("<IIII", self.t // 1000000, self.t % 1000000, len(rec), len(rec))
        self.out += rec

    def bulk_out(self, ep, data, accepted=None, status=0):
        """One URB: submitted with data, completed having taken `accepted` bytes."""
        self.id += 0x100
        self.event("S", ep, len(data), data, -115)  # -EINPROGRESS while in flight
        self.event("C", ep, len(data) if accepted is None else accepted, b"", status)

    def write(self, ep, data):
        for i in range(0, len(data), CHUNK):
            self.bulk_out(ep, data[i:i + CHUNK])


def capture(out):
    """The job written whole; then 5000 more bytes of which the printer takes 1000 and stalls
    (-32 EPIPE), the other 4000 sent again after the stall; then 3000 bytes of which 512 go
    in before the printer is unplugged (-19 ENODEV)."""
    job = replay_job()
    mon = Usbmon(BUS, HP_PCL["devnum"])
    mon.write(0x01, job)
    tail = bytes((i * 31) & 0xFF for i in range(5000))
    mon.bulk_out(0x01, tail, accepted=1000, status=-32)
    mon.bulk_out(0x01, tail[1000:])
    last = bytes(range(256)) * 12
    last = last[:3000]
    mon.bulk_out(0x01, last, accepted=512, status=-19)
    with open(os.path.join(out, "replay.pcap"), "wb") as f:
        f.write(bytes(mon.out))
    with open(os.path.join(out, "replay-job.bin"), "wb") as f:
        f.write(job)
    with open(os.path.join(out, "replay-tail.bin"), "wb") as f:
        f.write(tail)
    with open(os.path.join(out, "replay-last.bin"), "wb") as f:
        f.write(last)
    with open(os.path.join(out, "replay.umockdev"), "w") as f:
        f.write(root_hub() + printer(HP_PCL))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_testbed.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "bus.umockdev"), "w") as f:
        f.write(root_hub() + printer(HP_PCL) + printer(HP_IPP))
    with open(os.path.join(out, "hotplug.umockdev"), "w") as f:
        f.write(printer(PANTUM) + printer(XEROX))
    capture(out)


if __name__ == "__main__":
    main()
