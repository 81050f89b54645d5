/*
 * usb.c — USB printers through libusb (see usb.h for the contract and the DESIGN note).
 *
 * The only code that includes libusb. Every request has a finite timeout. Calls that some
 * environments cannot do (SET_CONFIGURATION, SET_INTERFACE, kernel driver queries and
 * detaching: a board without usblp, a container, umockdev in the tests) are logged and
 * skipped: a printer that can be claimed and written to is a printer that works.
 *
 * Threads: the print worker only, except kk_usb_generation (an atomic read). The libusb
 * context is the one process-wide object; kk_usb_init/kk_usb_exit guard it with a mutex.
 */
#include <errno.h>
#include <libusb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/log.h"
#include "print/usb.h"

#define MOD "usb"
#define KK_USB_CHUNK 16384 /* bytes per bulk transfer: one URB on any usbfs */
#define REQ_GET_DEVICE_ID 0
#define REQ_GET_PORT_STATUS 1
#define REQ_SOFT_RESET 2

struct kk_usb_dev {
	libusb_device_handle *h;
	struct kk_usb_printer info;
	struct kk_usb_quirks q;
	int claimed;     /* the interface is ours */
	int gone;        /* the device went away: every call answers KK_ENODEV */
	int pending;     /* an error to report on the next call (after a partial transfer) */
	uint64_t accepted;
};

/* The process's libusb context and hotplug registration (guarded by kk_usb_lock). */
static pthread_mutex_t kk_usb_lock = PTHREAD_MUTEX_INITIALIZER;
static libusb_context *kk_usb_ctx;
static libusb_hotplug_callback_handle kk_usb_hotplug;
static int kk_usb_hotplug_on;
static atomic_uint kk_usb_gen;

/* A libusb error as a kk_err. */
static int usb_err(int r)
{
	switch (r) {
	case LIBUSB_ERROR_NO_DEVICE:
	case LIBUSB_ERROR_NOT_FOUND:
		return KK_ENODEV;
	case LIBUSB_ERROR_PIPE:
	case LIBUSB_ERROR_OVERFLOW:
		return KK_EPROTO;
	case LIBUSB_ERROR_TIMEOUT:
		return KK_ETIMEDOUT;
	case LIBUSB_ERROR_BUSY:
		return KK_EBUSY;
	case LIBUSB_ERROR_ACCESS:
		return KK_EPERM;
	case LIBUSB_ERROR_NO_MEM:
		return KK_ENOMEM;
	case LIBUSB_ERROR_INVALID_PARAM:
		return KK_EINVAL;
	default:
		return KK_EIO;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* Runs inside libusb_handle_events on the worker thread: only bumps the counter. */
static int LIBUSB_CALL usb_hotplug_cb(libusb_context *ctx, libusb_device *dev,
				      libusb_hotplug_event ev, void *user)
{
	atomic_fetch_add(&kk_usb_gen, 1u);
	return 0; /* stay registered */
}

/* Create the context once; see usb.h. */
int kk_usb_init(void)
{
	int r, err = 0;
	pthread_mutex_lock(&kk_usb_lock);
	if (kk_usb_ctx)
		goto out;
	r = libusb_init(&kk_usb_ctx);
	if (r < 0) {
		kk_error(MOD, "libusb_init: %s", libusb_error_name(r));
		kk_usb_ctx = NULL;
		err = KK_ENODEV;
		goto out;
	}
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		r = libusb_hotplug_register_callback(
			kk_usb_ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
			0, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
			usb_hotplug_cb, NULL, &kk_usb_hotplug);
		kk_usb_hotplug_on = r == 0;
		if (r != 0)
			kk_warn(MOD, "no hotplug callback (%s): listing on demand only",
				libusb_error_name(r));
	}
out:
	pthread_mutex_unlock(&kk_usb_lock);
	return err;
}

/* Destroy the context; see usb.h. */
void kk_usb_exit(void)
{
	pthread_mutex_lock(&kk_usb_lock);
	if (kk_usb_ctx) {
		if (kk_usb_hotplug_on)
			libusb_hotplug_deregister_callback(kk_usb_ctx, kk_usb_hotplug);
		kk_usb_hotplug_on = 0;
		libusb_exit(kk_usb_ctx);
		kk_usb_ctx = NULL;
	}
	pthread_mutex_unlock(&kk_usb_lock);
}

unsigned kk_usb_generation(void)
{
	return atomic_load(&kk_usb_gen);
}

/* Handle pending libusb events (hotplug callbacks) for at most timeout_ms. */
void kk_usb_poll(int timeout_ms)
{
	struct timeval tv;
	if (timeout_ms < 0)
		timeout_ms = 0;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	if (kk_usb_init() == 0)
		libusb_handle_events_timeout_completed(kk_usb_ctx, &tv, NULL);
}

/* The printer protocol of an interface setting: 1, 2, 4, or 0 when it is no printer. */
static int usb_printer_protocol(const struct libusb_interface_descriptor *a)
{
	if (a->bInterfaceClass == LIBUSB_CLASS_PRINTER && a->bInterfaceSubClass == 1 &&
	    (a->bInterfaceProtocol == 1 || a->bInterfaceProtocol == 2 || a->bInterfaceProtocol == 4))
		return a->bInterfaceProtocol;
	/* HP puts IPP-over-USB on a vendor-specific interface on some models */
	if (a->bInterfaceClass == LIBUSB_CLASS_VENDOR_SPEC && a->bInterfaceSubClass == 9 &&
	    a->bInterfaceProtocol == 1)
		return 4;
	return 0;
}

/* Fill p's interface fields from setting a when it is a usable printer interface. */
static int usb_take_setting(const struct libusb_interface_descriptor *a, int proto,
			    struct kk_usb_printer *p)
{
	uint8_t out = 0, in = 0;
	for (int e = 0; e < a->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &a->endpoint[e];
		if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
			continue;
		if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN) {
			if (!in)
				in = ep->bEndpointAddress;
		} else if (!out) {
			out = ep->bEndpointAddress;
		}
	}
	if (!out || (proto == 4 && !in))
		return 0; /* nothing to print to; IPP needs both directions */
	p->iface = a->bInterfaceNumber;
	p->alt = a->bAlternateSetting;
	p->protocol = proto;
	p->ep_out = out;
	p->ep_in = proto == 1 ? 0 : in;
	return 1;
}

/* Read the IEEE-1284 device ID of p's interface (capped at KK_DEVID_MAX_BYTES). Returns 0
 * (also when the printer gives none: p->has_id stays 0) or KK_ENODEV when it went away. */
static int usb_read_devid(libusb_device_handle *h, int cfg_index, struct kk_usb_printer *p)
{
	uint8_t buf[KK_DEVID_MAX_BYTES];
	int r = libusb_control_transfer(
		h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
		REQ_GET_DEVICE_ID, (uint16_t)cfg_index, (uint16_t)((p->iface << 8) | p->alt), buf,
		sizeof buf, KK_USB_CTRL_TIMEOUT_MS);
	if (r > 0 && kk_devid_parse(buf, (size_t)r, KK_DEVID_LEN_AUTO, &p->id) == 0)
		p->has_id = 1;
	else
		kk_info(MOD, "%04x:%04x interface %d: no device ID (%s)", p->vid, p->pid, p->iface,
			r < 0 ? libusb_error_name(r) : "empty");
	return r == LIBUSB_ERROR_NO_DEVICE ? KK_ENODEV : 0;
}

/* GET_PORT_STATUS on an interface: the byte, or a negative kk_err. */
static int usb_get_port_status(libusb_device_handle *h, int iface)
{
	unsigned char b = 0;
	int r = libusb_control_transfer(
		h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
		REQ_GET_PORT_STATUS, 0, (uint16_t)iface, &b, 1, KK_USB_CTRL_TIMEOUT_MS);
	if (r < 0)
		return usb_err(r);
	return r == 1 ? b : KK_EPROTO;
}

/* Ask the printer about itself: serial, device ID, port status; then choose the language.
 * Returns 0, or KK_ENODEV when the device went away meanwhile (it is then not listed). */
static int usb_describe(libusb_device *dev, const struct libusb_device_descriptor *dd,
			 int cfg_index, struct kk_usb_printer *p, size_t np)
{
	libusb_device_handle *h = NULL;
	char serial[64] = "";
	int r = libusb_open(dev, &h);
	if (r == LIBUSB_ERROR_NO_DEVICE)
		return KK_ENODEV; /* unplugged since the list was made */
	if (r < 0) {
		kk_warn(MOD, "%04x:%04x: open: %s", dd->idVendor, dd->idProduct, libusb_error_name(r));
		h = NULL;
	}
	if (h && dd->iSerialNumber &&
	    libusb_get_string_descriptor_ascii(h, dd->iSerialNumber, (unsigned char *)serial,
					       sizeof serial) < 0)
		serial[0] = '\0';
	for (char *c = serial; *c; c++) /* device bytes: printable ASCII for logs and selectors */
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	for (size_t i = 0; i < np; i++) {
		struct kk_usb_quirks q = kk_usb_quirks_lookup(dd->idVendor, dd->idProduct);
		snprintf(p[i].serial, sizeof p[i].serial, "%s", serial);
		p[i].quirks = q.flags;
		if ((q.flags & KK_USBQ_UNIDIR) && p[i].protocol != 4)
			p[i].ep_in = 0; /* IPP-over-USB always needs its IN pipe */
		if (h && usb_read_devid(h, cfg_index, &p[i]) == KK_ENODEV) {
			libusb_close(h);
			return KK_ENODEV;
		}
		if (!p[i].has_id && i > 0 && p[0].has_id) {
			p[i].has_id = 1; /* an IPP interface that will not say: the device's ID */
			p[i].id = p[0].id;
		}
		/* port status only on legacy interfaces: on IPP-over-USB it means nothing */
		if (h && p[i].protocol != 4) {
			int st = usb_get_port_status(h, p[i].iface);
			p[i].port_status = st < 0 ? -1 : st;
		}
		p[i].lang = kk_print_choose(&p[i].id, p[i].protocol, p[i].why, sizeof p[i].why);
		if (q.flags & KK_USBQ_BLACKLIST) {
			p[i].lang = KK_LANG_NONE;
			snprintf(p[i].why, sizeof p[i].why,
				 "此打印机（USB %04x:%04x）不能由本机驱动，请换用支持 PCL 或 IPP 的打印机。",
				 p[i].vid, p[i].pid);
		}
	}
	if (h)
		libusb_close(h);
	return 0;
}

/*
 * Add dev's printer interfaces to out[*n..max): its best legacy interface (bidirectional over
 * unidirectional) and its first IPP-over-USB interface, in the active configuration.
 */
static void usb_probe(libusb_device *dev, struct kk_usb_printer *out, size_t max, size_t *n)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg = NULL;
	struct kk_usb_printer found[2]; /* [0] legacy, [1] IPP */
	int have[2] = {0, 0}, cfg_index = 0;
	size_t k = 0;

	if (libusb_get_device_descriptor(dev, &dd) != 0)
		return;
	if (dd.bDeviceClass == LIBUSB_CLASS_HUB)
		return; /* printers sit behind hubs, never in them */
	if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
	    libusb_get_config_descriptor(dev, 0, &cfg) != 0)
		return;
	for (int c = 1; c < dd.bNumConfigurations; c++) {
		struct libusb_config_descriptor *o = NULL;
		if (libusb_get_config_descriptor(dev, (uint8_t)c, &o) == 0) {
			if (o->bConfigurationValue == cfg->bConfigurationValue)
				cfg_index = c;
			libusb_free_config_descriptor(o);
		}
	}
	memset(found, 0, sizeof found);
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];
		for (int a = 0; a < itf->num_altsetting; a++) {
			int proto = usb_printer_protocol(&itf->altsetting[a]);
			struct kk_usb_printer cand;
			int slot = proto == 4;
			if (!proto || (have[slot] && (slot || found[0].protocol >= proto)))
				continue;
			memset(&cand, 0, sizeof cand);
			if (!usb_take_setting(&itf->altsetting[a], proto, &cand))
				continue;
			found[slot] = cand;
			have[slot] = 1;
		}
	}
	libusb_free_config_descriptor(cfg);
	for (int s = 0; s < 2; s++) {
		if (!have[s])
			continue;
		found[s].vid = dd.idVendor;
		found[s].pid = dd.idProduct;
		found[s].bus = libusb_get_bus_number(dev);
		found[s].addr = libusb_get_device_address(dev);
		found[s].port_status = -1;
		found[k++] = found[s];
	}
	if (k == 0)
		return;
	if (usb_describe(dev, &dd, cfg_index, found, k) != 0)
		return;
	for (size_t i = 0; i < k && *n < max; i++)
		out[(*n)++] = found[i];
}

/* Enumerate into out; on success *devs_out (if not NULL) keeps the libusb list for the
 * caller to free with libusb_free_device_list(…, 1). */
static int usb_list(struct kk_usb_printer *out, size_t max, size_t *n, libusb_device ***devs_out)
{
	libusb_device **devs = NULL;
	ssize_t cnt;
	int err = kk_usb_init();
	*n = 0;
	if (err)
		return err;
	cnt = libusb_get_device_list(kk_usb_ctx, &devs);
	if (cnt < 0) {
		kk_error(MOD, "get_device_list: %s", libusb_error_name((int)cnt));
		return usb_err((int)cnt);
	}
	for (ssize_t i = 0; i < cnt && *n < max; i++)
		usb_probe(devs[i], out, max, n);
	if (devs_out)
		*devs_out = devs;
	else
		libusb_free_device_list(devs, 1);
	return 0;
}

/* Enumerate now; see usb.h. */
int kk_usb_list(struct kk_usb_printer *out, size_t max, size_t *n)
{
	if (!out || !n)
		return KK_EINVAL;
	return usb_list(out, max, n, NULL);
}

/* Pick the entry for m and prefer_protocol among c[0..n); -1 when none. */
static int usb_pick(const struct kk_usb_match *m, int prefer, const struct kk_usb_printer *c,
		    size_t n)
{
	int first = -1;
	for (size_t i = 0; i < n && first < 0; i++)
		if (kk_usb_match_printer(m, &c[i]))
			first = (int)i;
	if (first < 0 || !prefer)
		return first;
	for (size_t i = 0; i < n; i++) {
		int want = prefer == 4 ? c[i].protocol == 4 : c[i].protocol != 4;
		if (want && c[i].bus == c[first].bus && c[i].addr == c[first].addr &&
		    kk_usb_match_printer(m, &c[i]))
			return (int)i;
	}
	return first;
}

/* Bring the device into a configured state and claim p's interface (see usb.h). */
static int usb_claim(struct kk_usb_dev *d, libusb_device *ldev)
{
	int r, cur = -1, iface = d->info.iface, autodetach = 0;

	/* A configured printer is never re-configured: Samsung lasers drop the next job after a
	 * SET_CONFIGURATION. Only an unconfigured device (configuration 0) gets one. */
	r = libusb_get_configuration(d->h, &cur);
	if (r == 0 && cur == 0 && !(d->q.flags & KK_USBQ_NO_SET_CONFIG)) {
		struct libusb_config_descriptor *c = NULL;
		if (libusb_get_config_descriptor(ldev, 0, &c) == 0) {
			r = libusb_set_configuration(d->h, c->bConfigurationValue);
			if (r < 0)
				kk_warn(MOD, "set_configuration: %s (going on)", libusb_error_name(r));
			libusb_free_config_descriptor(c);
		}
	}
	if (d->q.flags & KK_USBQ_NO_REATTACH) {
		/* detach by hand: usblp must not get the interface back on release */
		r = libusb_kernel_driver_active(d->h, iface);
		if (r == 1)
			r = libusb_detach_kernel_driver(d->h, iface);
		if (r < 0)
			kk_info(MOD, "kernel driver check/detach: %s (going on)", libusb_error_name(r));
	} else {
		r = libusb_set_auto_detach_kernel_driver(d->h, 1);
		autodetach = r == 0;
		if (r < 0)
			kk_info(MOD, "auto-detach: %s (going on)", libusb_error_name(r));
	}
	r = libusb_claim_interface(d->h, iface);
	if (r < 0 && autodetach && r != LIBUSB_ERROR_NO_DEVICE) {
		kk_info(MOD, "claim with auto-detach: %s; trying without", libusb_error_name(r));
		libusb_set_auto_detach_kernel_driver(d->h, 0);
		r = libusb_claim_interface(d->h, iface);
	}
	if (r < 0) {
		kk_error(MOD, "%04x:%04x: claim interface %d: %s", d->info.vid, d->info.pid, iface,
			 libusb_error_name(r));
		return usb_err(r);
	}
	d->claimed = 1;
	if (d->info.alt != 0) {
		r = libusb_set_interface_alt_setting(d->h, iface, d->info.alt);
		if (r < 0)
			kk_warn(MOD, "set_interface_alt_setting %d: %s (going on)", d->info.alt,
				libusb_error_name(r));
	}
	return 0;
}

/* Open the selected printer; see usb.h. */
int kk_usb_open(const char *match, int prefer_protocol, struct kk_usb_dev **out,
		struct kk_usb_printer *info)
{
	struct kk_usb_match m;
	struct kk_usb_printer *cand = NULL;
	struct kk_usb_dev *d = NULL;
	libusb_device **devs = NULL, *ldev = NULL;
	size_t n = 0;
	int err, pick, r;

	if (!out)
		return KK_EINVAL;
	*out = NULL;
	err = kk_usb_match_parse(match, &m);
	if (err)
		return err;
	cand = calloc(KK_USB_MAX_PRINTERS, sizeof *cand);
	d = calloc(1, sizeof *d);
	if (!cand || !d) {
		err = KK_ENOMEM;
		goto out;
	}
	err = usb_list(cand, KK_USB_MAX_PRINTERS, &n, &devs);
	if (err)
		goto out;
	pick = usb_pick(&m, prefer_protocol, cand, n);
	if (pick < 0) {
		kk_info(MOD, "no printer matches \"%s\" (%zu found)", match, n);
		err = KK_ENODEV;
		goto out;
	}
	for (size_t i = 0; devs[i] && !ldev; i++)
		if (libusb_get_bus_number(devs[i]) == cand[pick].bus &&
		    libusb_get_device_address(devs[i]) == cand[pick].addr)
			ldev = devs[i];
	if (!ldev) {
		err = KK_ENODEV;
		goto out;
	}
	d->info = cand[pick];
	d->q = kk_usb_quirks_lookup(d->info.vid, d->info.pid);
	r = libusb_open(ldev, &d->h);
	if (r < 0) {
		kk_error(MOD, "%04x:%04x: open: %s", d->info.vid, d->info.pid, libusb_error_name(r));
		d->h = NULL;
		err = usb_err(r);
		goto out;
	}
	err = usb_claim(d, ldev);
	if (err)
		goto out;
	kk_info(MOD, "opened %04x:%04x bus %u addr %u interface %d protocol %d (%s)", d->info.vid,
		d->info.pid, d->info.bus, d->info.addr, d->info.iface, d->info.protocol,
		kk_print_lang_name(d->info.lang));
	if (info)
		*info = d->info;
	*out = d;
	d = NULL;
out:
	if (devs)
		libusb_free_device_list(devs, 1);
	free(cand);
	kk_usb_close(d);
	return err;
}

/* The error to report first, if any (after a partial transfer, or once unplugged). */
static int usb_take_pending(struct kk_usb_dev *d)
{
	int e = d->pending;
	if (d->gone)
		return KK_ENODEV;
	d->pending = 0;
	return e;
}

/* A failed bulk transfer on ep as a kk_err; a stall clears the endpoint's halt once. */
static int usb_bulk_err(struct kk_usb_dev *d, uint8_t ep, int r)
{
	if (r == LIBUSB_ERROR_NO_DEVICE) {
		d->gone = 1;
		return KK_ENODEV;
	}
	if (r == LIBUSB_ERROR_PIPE) {
		int c = libusb_clear_halt(d->h, ep);
		kk_warn(MOD, "%04x:%04x: endpoint 0x%02x stalled; clear_halt: %s", d->info.vid,
			d->info.pid, ep, c == 0 ? "ok" : libusb_error_name(c));
		if (c == LIBUSB_ERROR_NO_DEVICE)
			d->gone = 1;
	}
	return usb_err(r);
}

/* io.h write over the bulk OUT endpoint: bytes accepted, even when a transfer fails. */
static ssize_t usb_io_write(void *ctx, const void *buf, size_t len, int timeout_ms)
{
	struct kk_usb_dev *d = ctx;
	const unsigned char *p = buf;
	size_t done = 0;
	int64_t deadline;
	int err = usb_take_pending(d);

	if (err)
		return err;
	if ((!buf && len) || timeout_ms <= 0)
		return KK_EINVAL; /* libusb reads a 0 timeout as "forever" */
	deadline = now_ms() + timeout_ms;
	while (done < len) {
		int64_t left = deadline - now_ms();
		int xfer = 0, r, chunk = (int)(len - done < KK_USB_CHUNK ? len - done : KK_USB_CHUNK);
		if (left <= 0) {
			err = KK_ETIMEDOUT;
			break;
		}
		r = libusb_bulk_transfer(d->h, d->info.ep_out, (unsigned char *)p + done, chunk,
					 &xfer, (unsigned)left);
		if (xfer > 0) {
			done += (size_t)xfer;
			d->accepted += (uint64_t)xfer;
		}
		if (r != 0) {
			err = usb_bulk_err(d, d->info.ep_out, r);
			break;
		}
	}
	if (done > 0) {
		if (err && err != KK_ETIMEDOUT)
			d->pending = err;
		return (ssize_t)done;
	}
	return err;
}

/* io.h read over the bulk IN endpoint: the first non-empty transfer, or an error. */
static ssize_t usb_io_read(void *ctx, void *buf, size_t len, int timeout_ms)
{
	struct kk_usb_dev *d = ctx;
	int64_t deadline;
	int err = usb_take_pending(d);

	if (err)
		return err;
	if (!d->info.ep_in || !buf || len == 0 || timeout_ms <= 0)
		return KK_EINVAL;
	if (len > KK_USB_CHUNK)
		len = KK_USB_CHUNK;
	deadline = now_ms() + timeout_ms;
	for (;;) {
		int64_t left = deadline - now_ms();
		int got = 0, r;
		if (left <= 0)
			return KK_ETIMEDOUT;
		r = libusb_bulk_transfer(d->h, d->info.ep_in, buf, (int)len, &got, (unsigned)left);
		if (got > 0) {
			if (r != 0 && r != LIBUSB_ERROR_TIMEOUT)
				d->pending = usb_bulk_err(d, d->info.ep_in, r);
			return got;
		}
		if (r != 0)
			return usb_bulk_err(d, d->info.ep_in, r);
		/* a zero-length packet is no end of stream: wait on until the deadline */
	}
}

static void usb_io_close(void *ctx)
{
	kk_usb_close(ctx);
}

static const struct kk_print_io_ops kk_usb_io_ops = {
	.name = "usb", .write = usb_io_write, .read = usb_io_read, .close = usb_io_close};

struct kk_print_io kk_usb_io(struct kk_usb_dev *d)
{
	struct kk_print_io io = {&kk_usb_io_ops, d};
	return io;
}

uint64_t kk_usb_bytes_accepted(const struct kk_usb_dev *d)
{
	return d ? d->accepted : 0;
}

/* GET_PORT_STATUS; see usb.h. */
int kk_usb_port_status(struct kk_usb_dev *d, unsigned char *status)
{
	int r;
	if (!d || !status)
		return KK_EINVAL;
	if (d->gone)
		return KK_ENODEV;
	r = usb_get_port_status(d->h, d->info.iface);
	if (r == KK_ENODEV)
		d->gone = 1;
	if (r < 0)
		return r;
	*status = (unsigned char)r;
	return 0;
}

/* SOFT_RESET: class request 2 to the interface (USB printer class 1.1). Printers built to the
 * 1.0 text expect it addressed to "other" (0x23, as Linux usblp sends it) and stall 0x21:
 * they get a second try that way. */
int kk_usb_soft_reset(struct kk_usb_dev *d)
{
	int r;
	if (!d)
		return KK_EINVAL;
	if (d->gone)
		return KK_ENODEV;
	r = libusb_control_transfer(
		d->h, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
		REQ_SOFT_RESET, 0, (uint16_t)d->info.iface, NULL, 0, KK_USB_CTRL_TIMEOUT_MS);
	if (r == LIBUSB_ERROR_PIPE)
		r = libusb_control_transfer(
			d->h, LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_OTHER,
			REQ_SOFT_RESET, 0, (uint16_t)d->info.iface, NULL, 0, KK_USB_CTRL_TIMEOUT_MS);
	if (r == LIBUSB_ERROR_NO_DEVICE)
		d->gone = 1;
	return r < 0 ? usb_err(r) : 0;
}

/* Release and close; see usb.h. */
void kk_usb_close(struct kk_usb_dev *d)
{
	if (!d)
		return;
	if (d->h && d->claimed && !d->gone) {
		if (d->q.flags & KK_USBQ_SOFT_RESET) {
			int e = kk_usb_soft_reset(d);
			if (e)
				kk_warn(MOD, "soft reset on close: %s", kk_err_name(e));
		}
		/* HP LaserJet 1010-1320: the last page is lost if the interface goes at once */
		if (d->q.flags & KK_USBQ_DELAY_CLOSE)
			sleep_ms(d->q.delay_close_ms);
		/* with auto-detach on, libusb gives the interface back to usblp here */
		int r = libusb_release_interface(d->h, d->info.iface);
		if (r < 0)
			kk_info(MOD, "release interface: %s", libusb_error_name(r));
	}
	if (d->h)
		libusb_close(d->h);
	free(d);
}
