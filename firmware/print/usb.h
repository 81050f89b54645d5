/*
 * usb.h — USB printers through libusb: find them, read what they say about themselves, and a
 * kk_print_io byte pipe over their bulk endpoints.
 *
 * A USB printer is an interface of class 7 subclass 1 (protocol 1 unidirectional, 2
 * bidirectional, 4 IPP-over-USB; some HP devices put IPP-over-USB on a vendor interface
 * 255/9/1, reported here as protocol 4). One device often has a 7/1/2 interface for PCL and
 * one or two 7/1/4 interfaces for IPP: kk_usb_list reports each device at most twice, once
 * for its best legacy interface and once for its first IPP-over-USB interface.
 *
 * Every libusb call has a finite timeout: a printer that stops answering costs the caller a
 * timeout, never a hang. Writes count the bytes the printer accepted, even when a transfer
 * timed out or stalled, so a job never sends the same bytes twice (see io.h).
 *
 * DESIGN: this file pair is the only code that includes libusb (make check enforces it). The
 * one piece of process-wide state is the libusb context, created by kk_usb_init under a mutex
 * and shared by every call; everything else lives in the caller's structs. All calls except
 * kk_usb_generation are made from the print worker thread (one thread; libusb is given no
 * event thread of its own, so hotplug callbacks run inside the worker's kk_usb_poll or a
 * transfer). kk_usb_generation only reads an atomic counter and may be called from the UI.
 * Unplugging mid-job shows up as KK_ENODEV from the next transfer; the device handle stays
 * valid until kk_usb_close, so nothing is freed under anyone.
 */
#ifndef KK_PRINT_USB_H
#define KK_PRINT_USB_H

#include <stddef.h>
#include <stdint.h>

#include "print/devid.h"
#include "print/io.h"

#define KK_USB_MAX_PRINTERS 16      /* kk_usb_open looks at this many interfaces at most */
#define KK_USB_CTRL_TIMEOUT_MS 2000 /* each control request (device ID, port status, reset) */

/* One printer interface found on the bus. */
struct kk_usb_printer {
	uint16_t vid, pid;
	uint8_t bus, addr;
	char serial[64];      /* iSerialNumber as ASCII, "" when none or unreadable */
	int iface, alt;       /* bInterfaceNumber, bAlternateSetting */
	int protocol;         /* 1 uni, 2 bi, 4 IPP-over-USB */
	uint8_t ep_out;       /* bulk OUT endpoint address */
	uint8_t ep_in;        /* bulk IN endpoint address, 0 when none (or quirk unidir) */
	int has_id;           /* id below was read and parsed */
	struct kk_devid id;   /* IEEE-1284 device ID */
	int port_status;      /* GET_PORT_STATUS byte, or -1 when the printer would not say */
	int lang;             /* enum kk_print_driver from kk_print_choose() */
	unsigned quirks;      /* KK_USBQ_* flags for vid:pid */
	char why[256];        /* kk_print_choose() message when lang is NONE or HOSTBASED */
};

/* --- quirks (usb_quirks.c; pure, no libusb) ----------------------------------------------- */

enum kk_usb_quirk {
	KK_USBQ_UNIDIR = 1 << 0,        /* ignore the bulk IN endpoint */
	KK_USBQ_NO_REATTACH = 1 << 1,   /* do not give the interface back to usblp on close */
	KK_USBQ_DELAY_CLOSE = 1 << 2,   /* wait delay_close_ms before releasing the interface */
	KK_USBQ_SOFT_RESET = 1 << 3,    /* send SOFT_RESET after a job, before close */
	KK_USBQ_NO_SET_CONFIG = 1 << 4, /* never send SET_CONFIGURATION */
	KK_USBQ_BLACKLIST = 1 << 5      /* not a printer we can drive over this interface */
};

struct kk_usb_quirks {
	unsigned flags;      /* KK_USBQ_* */
	int delay_close_ms;  /* with KK_USBQ_DELAY_CLOSE */
};

/* The quirks of vid:pid (rows for a whole vendor apply to every product; a product row adds
 * its flags). Never fails; flags 0 when nothing is known. Pure; any thread. */
struct kk_usb_quirks kk_usb_quirks_lookup(uint16_t vid, uint16_t pid);

/* A printer selector: "" any usable printer, "VID:PID" or "VID:PID/SERIAL" (VID and PID are
 * 1 to 4 hex digits; SERIAL is 1 to 63 printable ASCII bytes without spaces). */
struct kk_usb_match {
	int any;           /* 1 for "" */
	uint16_t vid, pid;
	char serial[64];   /* "" when not given */
};

/* Parse a selector into *out. Returns 0 or KK_EINVAL (NULL, bad hex, missing parts, trailing
 * bytes, serial too long or with spaces/control bytes). Pure; any thread. */
int kk_usb_match_parse(const char *s, struct kk_usb_match *out);

/* Does printer p satisfy m? ("" needs a language we speak: IPP, PCL or ESC/POS). Pure. */
int kk_usb_match_printer(const struct kk_usb_match *m, const struct kk_usb_printer *p);

/* --- the bus (usb.c; print worker thread only) -------------------------------------------- */

struct kk_usb_dev; /* an opened, claimed printer interface */

/* Create the process's libusb context (idempotent, guarded by a mutex; any thread, but init
 * and exit are meant for the print worker's start and end). Registers a hotplug callback when
 * libusb can, which bumps kk_usb_generation(). Returns 0, or KK_ENODEV when libusb cannot
 * start (no usbfs: a board without USB host). */
int kk_usb_init(void);

/* Destroy the context. Every kk_usb_dev must be closed first. Safe without kk_usb_init. */
void kk_usb_exit(void);

/* A counter that changes when a USB device arrives or leaves (0 when libusb has no hotplug;
 * then the worker re-lists on its own schedule). Any thread: the UI may poll it. */
unsigned kk_usb_generation(void);

/* Let libusb handle pending events (hotplug) for at most timeout_ms (>= 0). Worker thread. */
void kk_usb_poll(int timeout_ms);

/*
 * Enumerate now: every printer interface on the bus, with its device ID, port status and the
 * language kk_print_choose picks, up to max entries in out[]; *n gets the number written.
 * Opens each printer briefly (control requests only, KK_USB_CTRL_TIMEOUT_MS each; no
 * interface is claimed by hand, so while usblp holds one the kernel refuses GET_PORT_STATUS
 * and port_status is -1; GET_DEVICE_ID it always lets through). A printer unplugged during
 * the listing is left out. Blocks for at most a few control timeouts per printer.
 * Returns 0 (also with *n == 0), or a negative kk_err when the bus cannot be read.
 */
int kk_usb_list(struct kk_usb_printer *out, size_t max, size_t *n);

/*
 * Open the printer that match selects (see kk_usb_match_parse). prefer_protocol 4 takes the
 * IPP-over-USB interface of the chosen device when it has one, 1 or 2 the legacy one, 0 the
 * first found. Claims the interface (detaching usblp, non-fatally), honours the quirks.
 * On success *out is a new device (free with kk_usb_close) and *info (if not NULL) describes
 * it. Returns 0, KK_EINVAL (bad selector), KK_ENODEV (no such printer), KK_EBUSY (the
 * interface is held elsewhere), KK_EIO. Worker thread; blocks for a listing plus the claim.
 */
int kk_usb_open(const char *match, int prefer_protocol, struct kk_usb_dev **out,
		struct kk_usb_printer *info);

/*
 * The io.h transport over d's bulk endpoints. write/read follow io.h: finite, bytes accepted
 * even on timeout, KK_ENODEV unplugged, KK_EPROTO stall (the endpoint's halt is cleared once;
 * the caller decides whether to go on), KK_ETIMEDOUT nothing in time. When a transfer fails
 * after some bytes went through, write returns that count and the next call returns the
 * error. read on a printer without bulk IN returns KK_EINVAL. The io's close is
 * kk_usb_close(d): use one or the other, once. d stays owned by the caller otherwise.
 */
struct kk_print_io kk_usb_io(struct kk_usb_dev *d);

/* Total bytes the printer accepted through d since open. */
uint64_t kk_usb_bytes_accepted(const struct kk_usb_dev *d);

/* GET_PORT_STATUS into *status (decode with kk_print_problem_from_port). Returns 0,
 * KK_ENODEV, KK_EPROTO (the printer stalled the request), KK_ETIMEDOUT, KK_EIO. */
int kk_usb_port_status(struct kk_usb_dev *d, unsigned char *status);

/* SOFT_RESET (class request 2) to d's interface: the printer drops what it buffered.
 * Returns 0 or a negative kk_err as kk_usb_port_status. */
int kk_usb_soft_reset(struct kk_usb_dev *d);

/* Release the interface (after the quirk's delay), give it back to usblp unless the quirk says
 * no, close and free d. NULL is a no-op. Blocks at most delay_close_ms plus one control
 * timeout. Worker thread. */
void kk_usb_close(struct kk_usb_dev *d);

#endif
