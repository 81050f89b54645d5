/*
 * usbtest.c — firmware/print/usb.c through real libusb against fake printers under umockdev.
 *
 *   umockdev-wrapper usbtest DIR     (DIR holds bus.umockdev and hotplug.umockdev written by
 *                                     tests/usb/make_testbed.py)
 *
 * The testbed (libumockdev, in this process) holds the sysfs of a root hub and two printers.
 * Every usbfs ioctl libusb makes on a printer's /dev node comes to handle_ioctl below, which
 * plays the printer's firmware: it answers GET_DEVICE_ID from the interface's recorded
 * `ieee1284_id`, string descriptors from the device's sysfs attributes, GET_PORT_STATUS from
 * the scenario's status byte; it keeps every bulk OUT byte per endpoint so the test compares
 * what arrived with what was sent, byte for byte; and on the scenario's order it stalls an
 * endpoint (-EPIPE) or goes away (-ENODEV) after a given number of bytes, or holds a transfer
 * until libusb's timeout discards it. usblp is "bound" at start: libusb's auto-detach and
 * re-attach are counted. Prints "ok - SUITE: …" / "not ok - …" lines (tests/run.sh totals
 * them); exits 1 when a check failed.
 *
 * Threads: the umockdev handler runs on libumockdev's own thread; the test thread waits on
 * it inside each ioctl. Shared state is under one mutex.
 */
#include <errno.h>
#include <glib.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <umockdev.h>

#include "base/buf.h"
#include "base/err.h"
#include "print/job.h"
#include "print/lang.h"
#include "print/raster.h"
#include "print/status.h"
#include "print/usb.h"

#define SYSDEV "/devices/pci0000:00/0000:00:14.0/usb1/"

enum mode { MODE_OK, MODE_STALL, MODE_UNPLUG, MODE_HOLD };

struct urb_rec {
	UMockdevIoctlData *urb; /* the client's struct usbdevfs_urb (resolved copy) */
	unsigned char ep;
	int status, actual;
	int ctrl;               /* control: data starts after the 8-byte setup */
	unsigned char resp[1100];
	int resp_len;
};

struct fake {
	const char *sysname, *devnode;
	char sysdir[512];
	GByteArray *sink[16]; /* bulk OUT bytes per endpoint number */
	GByteArray *reply;    /* bulk IN bytes waiting (IPP answers) */
	unsigned char reply_ep;
	GQueue done, held;    /* struct urb_rec: ready to reap / waiting for data or a discard */
	int port_status;
	enum mode mode;
	size_t mode_at;       /* total bytes on the endpoint after which mode applies */
	int gone, usblp_bound;
	int no_driver_ioctls; /* GETDRIVER / IOCTL / DISCONNECT_CLAIM fail with ENOTTY */
	int refuse_detach;    /* usblp will not let go (USBDEVFS_DISCONNECT fails with EPERM) */
	int id_le;            /* GET_DEVICE_ID length little-endian, as some printers send it */
	int claims, releases, detaches, reattaches, clear_halts, soft_resets, set_configs, set_alts;
};

static struct fake fakes[] = {
	{.sysname = "1-1", .devnode = "/dev/bus/usb/001/002"}, /* HP LaserJet 1300 (PCL) */
	{.sysname = "1-2", .devnode = "/dev/bus/usb/001/003"}, /* HP M404 (PCL + IPP-USB) */
	{.sysname = "1-3", .devnode = "/dev/bus/usb/001/004"}, /* Pantum (plugged in later) */
	{.sysname = "1-4", .devnode = "/dev/bus/usb/001/005", .id_le = 1}, /* Xerox WC3220 (later) */
};
#define N_FAKES (sizeof fakes / sizeof fakes[0])

static GMutex lock;
static int failures;
static const char *suite = "print-usb";

static void report(int ok, const char *what)
{
	printf("%s - %s: %s\n", ok ? "ok" : "not ok", suite, what);
	fflush(stdout);
	if (!ok)
		failures++;
}

#define CHECK(cond, what)                                                                    \
	do {                                                                                 \
		int c_ = (cond);                                                             \
		if (!c_)                                                                     \
			printf("#   %s:%d: %s\n", __FILE__, __LINE__, #cond);                    \
		report(c_, what);                                                            \
	} while (0)

static struct fake *fake_by_devnode(const char *devnode)
{
	for (size_t i = 0; i < N_FAKES; i++)
		if (strcmp(fakes[i].devnode, devnode) == 0)
			return &fakes[i];
	return NULL;
}

/* A sysfs attribute of the fake (sub = "" or an interface child), newline stripped. */
static char *fake_attr(struct fake *f, const char *sub, const char *name)
{
	char *path = *sub ? g_strdup_printf("%s/%s/%s", f->sysdir, sub, name)
			  : g_strdup_printf("%s/%s", f->sysdir, name);
	char *s = NULL;
	if (g_file_get_contents(path, &s, NULL, NULL))
		g_strchomp(s);
	g_free(path);
	return s;
}

static GByteArray *sink_of(struct fake *f, unsigned char ep)
{
	if (!f->sink[ep & 15])
		f->sink[ep & 15] = g_byte_array_new();
	return f->sink[ep & 15];
}

/* Answer a control request: fills r->resp/resp_len/status. The firmware of a printer. */
static void fake_control(struct fake *f, const unsigned char *setup, struct urb_rec *r)
{
	int type = setup[0], req = setup[1];
	int value = setup[2] | setup[3] << 8, index = setup[4] | setup[5] << 8;
	int want = setup[6] | setup[7] << 8;
	r->status = 0;
	r->resp_len = 0;
	if (type == 0x80 && req == 6 && value >> 8 == 3) { /* string descriptor */
		static const char *names[] = {NULL, "manufacturer", "product", "serial"};
		int idx = value & 0xff;
		if (idx == 0) {
			memcpy(r->resp, "\x04\x03\x09\x04", 4);
			r->resp_len = 4;
		} else if (idx <= 3) {
			char *s = fake_attr(f, "", names[idx]);
			size_t n = s ? strlen(s) : 0;
			if (n > 126)
				n = 126;
			r->resp[0] = (unsigned char)(2 + 2 * n);
			r->resp[1] = 3;
			for (size_t i = 0; i < n; i++)
				r->resp[2 + 2 * i] = (unsigned char)s[i], r->resp[3 + 2 * i] = 0;
			r->resp_len = (int)(2 + 2 * n);
			g_free(s);
		} else {
			r->status = -EPIPE;
		}
	} else if (type == 0xa1 && req == 0) { /* GET_DEVICE_ID, wIndex = iface << 8 | alt */
		char *sub = g_strdup_printf("%s:1.%d", f->sysname, index >> 8);
		char *id = fake_attr(f, sub, "ieee1284_id");
		if (id) {
			size_t n = strlen(id) + 2;
			if (n > sizeof r->resp)
				n = sizeof r->resp;
			size_t full = strlen(id) + 2; /* the length says it all, the bytes are cut */
			r->resp[f->id_le] = (unsigned char)(full >> 8);
			r->resp[!f->id_le] = (unsigned char)full;
			memcpy(r->resp + 2, id, n - 2);
			r->resp_len = (int)n;
		} else {
			r->status = -EPIPE; /* interfaces without an ID stall the request */
		}
		g_free(id);
		g_free(sub);
	} else if (type == 0xa1 && req == 1) { /* GET_PORT_STATUS */
		r->resp[0] = (unsigned char)f->port_status;
		r->resp_len = 1;
	} else if ((type == 0x21 || type == 0x23) && req == 2) { /* SOFT_RESET */
		f->soft_resets++;
	} else {
		r->status = -EPIPE;
	}
	if (r->resp_len > want)
		r->resp_len = want;
	r->actual = r->resp_len;
}

/* Give waiting bulk IN transfers the reply bytes. */
static void fake_feed_in(struct fake *f)
{
	for (GList *l = f->held.head; l && f->reply->len;) {
		struct urb_rec *r = l->data;
		GList *next = l->next;
		struct usbdevfs_urb *u = (struct usbdevfs_urb *)r->urb->data;
		if (r->ep == f->reply_ep) {
			int n = (int)f->reply->len < u->buffer_length ? (int)f->reply->len : u->buffer_length;
			if (n > (int)sizeof r->resp)
				n = sizeof r->resp;
			memcpy(r->resp, f->reply->data, (size_t)n);
			g_byte_array_remove_range(f->reply, 0, (guint)n);
			r->resp_len = r->actual = n;
			r->status = 0;
			g_queue_delete_link(&f->held, l);
			g_queue_push_tail(&f->done, r);
		}
		l = next;
	}
}

/* A bulk OUT transfer: keep the bytes the scenario lets through. */
static void fake_bulk_out(struct fake *f, struct urb_rec *r, const unsigned char *data, int len)
{
	GByteArray *s = sink_of(f, r->ep);
	size_t room = f->mode_at > s->len ? f->mode_at - s->len : 0;
	int take = len;
	r->status = 0;
	if (f->mode != MODE_OK && (size_t)len >= room) {
		take = (int)room;
		if (f->mode == MODE_STALL)
			r->status = -EPIPE, f->mode = MODE_OK; /* one stall */
		else if (f->mode == MODE_UNPLUG)
			r->status = -ENODEV, f->gone = 1;
	}
	g_byte_array_append(s, data, (guint)take);
	r->actual = take;
	if (f->reply_ep && (r->ep | 0x80) == f->reply_ep) { /* IPP: an HTTP answer per request */
		static const char ans[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
		g_byte_array_append(f->reply, (const guint8 *)ans, sizeof ans - 1);
	}
}

static gboolean handle_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *client, gpointer user)
{
	struct fake *f = fake_by_devnode(umockdev_ioctl_client_get_devnode(client));
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	gulong req = umockdev_ioctl_client_get_request(client);
	gboolean handled = TRUE;

	if (!f)
		return FALSE;
	g_mutex_lock(&lock);
	if (f->gone && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_REAPURB &&
	    req != USBDEVFS_DISCARDURB && req != USBDEVFS_RELEASEINTERFACE) {
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		goto out;
	}
	if (f->no_driver_ioctls && (req == USBDEVFS_GETDRIVER || req == USBDEVFS_IOCTL ||
				    req == USBDEVFS_DISCONNECT_CLAIM)) {
		umockdev_ioctl_client_complete(client, -1, ENOTTY);
		goto out;
	}
	switch (req) {
	case USBDEVFS_GET_CAPABILITIES: {
		g_autoptr(UMockdevIoctlData) d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);
		*(guint32 *)d->data = USBDEVFS_CAP_BULK_SCATTER_GATHER | USBDEVFS_CAP_BULK_CONTINUATION |
				      USBDEVFS_CAP_NO_PACKET_SIZE_LIM | USBDEVFS_CAP_REAP_AFTER_DISCONNECT |
				      USBDEVFS_CAP_ZERO_PACKET;
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_CLAIMINTERFACE: /* as usbfs: not while usblp holds the interface */
		if (f->usblp_bound) {
			umockdev_ioctl_client_complete(client, -1, EBUSY);
			break;
		}
		f->claims++;
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_RELEASEINTERFACE:
		f->releases++;
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_DISCONNECT_CLAIM: /* libusb's auto-detach: usblp lets go, we claim */
		if (f->usblp_bound && f->refuse_detach) {
			umockdev_ioctl_client_complete(client, -1, EPERM);
			break;
		}
		if (f->usblp_bound)
			f->detaches++;
		f->usblp_bound = 0;
		f->claims++;
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_GETDRIVER: {
		g_autoptr(UMockdevIoctlData) d =
			umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_getdriver), NULL);
		if (f->usblp_bound) {
			strcpy(((struct usbdevfs_getdriver *)d->data)->driver, "usblp");
			umockdev_ioctl_client_complete(client, 0, 0);
		} else {
			umockdev_ioctl_client_complete(client, -1, ENODATA);
		}
		break;
	}
	case USBDEVFS_IOCTL: { /* driver connect / disconnect */
		g_autoptr(UMockdevIoctlData) d =
			umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ioctl), NULL);
		int code = ((struct usbdevfs_ioctl *)d->data)->ioctl_code;
		if (code == USBDEVFS_DISCONNECT && f->usblp_bound && f->refuse_detach) {
			umockdev_ioctl_client_complete(client, -1, EPERM);
			break;
		}
		if (code == USBDEVFS_CONNECT)
			f->reattaches++, f->usblp_bound = 1;
		else if (code == USBDEVFS_DISCONNECT && f->usblp_bound)
			f->detaches++, f->usblp_bound = 0;
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_CLEAR_HALT:
		f->clear_halts++;
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_SETCONFIGURATION: /* refused, as umockdev's stock handlers do */
		f->set_configs++;
		umockdev_ioctl_client_complete(client, -1, ENOTTY);
		break;
	case USBDEVFS_SETINTERFACE: /* the same */
		f->set_alts++;
		umockdev_ioctl_client_complete(client, -1, ENOTTY);
		break;
	case USBDEVFS_RESET:
	case USBDEVFS_RESETEP:
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	case USBDEVFS_SUBMITURB: {
		UMockdevIoctlData *ud = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
		struct usbdevfs_urb *u = (struct usbdevfs_urb *)ud->data;
		g_autoptr(UMockdevIoctlData) buf = umockdev_ioctl_data_resolve(
			ud, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer), (gsize)u->buffer_length, NULL);
		struct urb_rec *r = g_new0(struct urb_rec, 1);
		r->urb = ud;
		r->ep = u->endpoint;
		if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
			/* usbfs refuses class requests to an interface usblp holds, except
			 * GET_DEVICE_ID (the kernel lets that one through) */
			const unsigned char *s = buf->data;
			r->ctrl = 1;
			if (f->usblp_bound && (s[0] & 0x1f) == 1 && !(s[0] == 0xa1 && s[1] == 0)) {
				umockdev_ioctl_data_unref(ud);
				g_free(r);
				umockdev_ioctl_client_complete(client, -1, EBUSY);
				break;
			}
			fake_control(f, s, r);
			g_queue_push_tail(&f->done, r);
		} else if (u->type == USBDEVFS_URB_TYPE_BULK && !(u->endpoint & 0x80)) {
			if (f->mode == MODE_HOLD) { /* the printer takes mode_at bytes and then waits */
				GByteArray *s = sink_of(f, r->ep);
				int take = f->mode_at > s->len ? (int)(f->mode_at - s->len) : 0;
				if (take > u->buffer_length)
					take = u->buffer_length;
				g_byte_array_append(s, buf->data, (guint)take);
				r->actual = take;
				g_queue_push_tail(&f->held, r);
			} else {
				fake_bulk_out(f, r, buf->data, u->buffer_length);
				g_queue_push_tail(&f->done, r);
			}
			fake_feed_in(f);
		} else if (u->type == USBDEVFS_URB_TYPE_BULK) {
			g_queue_push_tail(&f->held, r);
			fake_feed_in(f);
		} else {
			umockdev_ioctl_data_unref(ud);
			g_free(r);
			umockdev_ioctl_client_complete(client, -1, EINVAL);
			break;
		}
		umockdev_ioctl_client_complete(client, 0, 0);
		break;
	}
	case USBDEVFS_DISCARDURB: {
		gulong addr = (gulong) * (void **)arg->data;
		GList *l;
		for (l = f->held.head; l; l = l->next)
			if (((struct urb_rec *)l->data)->urb->client_addr == addr)
				break;
		if (l) {
			struct urb_rec *r = l->data;
			r->status = -ENOENT; /* keeps r->actual: what was taken before the timeout */
			g_queue_delete_link(&f->held, l);
			g_queue_push_tail(&f->done, r);
			umockdev_ioctl_client_complete(client, 0, 0);
		} else {
			umockdev_ioctl_client_complete(client, -1, EINVAL);
		}
		break;
	}
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY: {
		struct urb_rec *r = g_queue_pop_head(&f->done);
		if (!r) {
			umockdev_ioctl_client_complete(client, -1, f->gone ? ENODEV : EAGAIN);
			break;
		}
		{
			struct usbdevfs_urb *u = (struct usbdevfs_urb *)r->urb->data;
			g_autoptr(UMockdevIoctlData) p = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
			if (r->resp_len) /* same address space: write the answer into the client's buffer */
				memcpy((unsigned char *)u->buffer + (r->ctrl ? 8 : 0), r->resp, (size_t)r->resp_len);
			u->actual_length = r->actual;
			u->status = r->status;
			umockdev_ioctl_data_set_ptr(p, 0, r->urb);
			umockdev_ioctl_client_complete(client, 0, 0);
			umockdev_ioctl_data_unref(r->urb);
			g_free(r);
		}
		break;
	}
	default:
		fprintf(stderr, "usbtest: unhandled ioctl 0x%lx on %s\n", req, f->devnode);
		handled = FALSE;
	}
out:
	g_mutex_unlock(&lock);
	return handled;
}

/* --- scenario helpers (test thread) --------------------------------------------------------- */

static void fake_set(struct fake *f, enum mode m, size_t after_more, unsigned char ep)
{
	g_mutex_lock(&lock);
	f->mode = m;
	f->mode_at = sink_of(f, ep)->len + after_more;
	g_mutex_unlock(&lock);
}

static size_t sink_len(struct fake *f, unsigned char ep)
{
	size_t n;
	g_mutex_lock(&lock);
	n = sink_of(f, ep)->len;
	g_mutex_unlock(&lock);
	return n;
}

static int sink_equals(struct fake *f, unsigned char ep, size_t from, const void *p, size_t n)
{
	int eq;
	g_mutex_lock(&lock);
	GByteArray *s = sink_of(f, ep);
	eq = s->len == from + n && memcmp(s->data + from, p, n) == 0;
	if (!eq)
		printf("#   endpoint 0x%02x holds %u bytes, want %zu\n", ep, s->len, from + n);
	g_mutex_unlock(&lock);
	return eq;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const struct kk_usb_printer *find(const struct kk_usb_printer *p, size_t n, uint16_t vid,
					 uint16_t pid, int proto)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].vid == vid && p[i].pid == pid && p[i].protocol == proto)
			return &p[i];
	return NULL;
}

/* A real PCL 5 job from the kiosk's encoder: one A4 page at 300 dpi with a few bars. */
static int make_pcl_job(struct kk_buf *job)
{
	struct kk_raster r;
	struct kk_print_opts o = {0};
	int err = kk_raster_init(&r, 2480, 3508, KK_RASTER_MONO, 300);
	if (err)
		return err;
	for (uint32_t y = 200; y < 3300; y += 3)
		for (uint32_t x = 200 + (y % 97); x < 2280; x += 5)
			kk_raster_mono_set(&r, x, y, 1);
	err = kk_print_lang_pcl.job_begin(job, &o);
	if (!err)
		err = kk_print_lang_pcl.page(job, &r, &o);
	if (!err)
		err = kk_print_lang_pcl.job_end(job, &o);
	kk_raster_fini(&r);
	return err;
}

/* Write all of buf through io as a job does: resend only what was not accepted. */
static ssize_t write_all(struct kk_print_io io, const void *buf, size_t len, int timeout_ms)
{
	size_t off = 0;
	while (off < len) {
		ssize_t r = io.ops->write(io.ctx, (const char *)buf + off, len - off, timeout_ms);
		if (r <= 0)
			return r < 0 ? r : KK_ETIMEDOUT;
		off += (size_t)r;
	}
	return (ssize_t)off;
}

/* --- the checks -------------------------------------------------------------------------------- */

static void test_list(void)
{
	struct kk_usb_printer p[8];
	size_t n = 0;
	const struct kk_usb_printer *hp, *leg, *ipp;
	CHECK(kk_usb_list(p, 8, &n) == 0 && n == 3, "listing finds three printer interfaces on two printers");
	hp = find(p, n, 0x03f0, 0x1017, 2);
	CHECK(hp && hp->has_id && strcmp(hp->id.mdl, "hp LaserJet 1300") == 0 &&
		      hp->lang == KK_LANG_PCL && strcmp(hp->serial, "CNBJ123456") == 0,
	      "HP LaserJet 1300: device ID read over GET_DEVICE_ID, serial, language PCL");
	CHECK(hp && hp->ep_out == 0x01 && hp->ep_in == 0x81 && hp->iface == 0 &&
		      (hp->quirks & KK_USBQ_DELAY_CLOSE),
	      "HP LaserJet 1300: endpoints, interface and the delay-close quirk");
	CHECK(hp && hp->port_status == -1, "port status not read while usblp holds the interface");
	leg = find(p, n, 0x03f0, 0xc42a, 2);
	ipp = find(p, n, 0x03f0, 0xc42a, 4);
	CHECK(leg && leg->lang == KK_LANG_PCL && leg->iface == 0,
	      "IPP-USB printer: its 7/1/2 interface is PCL");
	CHECK(ipp && ipp->lang == KK_LANG_IPP && ipp->iface == 1 && ipp->ep_out == 0x03 &&
		      ipp->ep_in == 0x83 && ipp->has_id && strcmp(ipp->id.sn, "PHBQK01234") == 0,
	      "IPP-USB printer: first 7/1/4 interface, protocol 4, language IPP, device ID");
}

static void test_open_refusals(void)
{
	struct kk_usb_dev *d = (struct kk_usb_dev *)1;
	CHECK(kk_usb_open("03f0:1017/NOSUCH", 0, &d, NULL) == KK_ENODEV && d == NULL,
	      "open with a serial no printer has: KK_ENODEV");
	CHECK(kk_usb_open("03f0:zz", 0, &d, NULL) == KK_EINVAL, "open with a bad selector: KK_EINVAL");
}

static void test_pcl_job(void)
{
	struct fake *f = &fakes[0];
	struct kk_usb_dev *d = NULL;
	struct kk_usb_printer info;
	struct kk_buf job;
	struct kk_print_io io;
	unsigned char st = 0;
	double t0;
	kk_buf_init(&job, 4u << 20);
	CHECK(make_pcl_job(&job) == 0 && job.len > 3 * 16384, "a PCL 5 job from the kiosk's encoder");
	CHECK(kk_usb_open("03f0:1017/CNBJ123456", 0, &d, &info) == 0 && d && info.protocol == 2,
	      "open the HP LaserJet 1300 by VID:PID/SERIAL");
	if (!d)
		goto out;
	CHECK(f->detaches == 1 && f->claims >= 1, "usblp detached and the interface claimed");
	io = kk_usb_io(d);
	CHECK(write_all(io, job.data, job.len, 5000) == (ssize_t)job.len &&
		      sink_equals(f, 0x01, 0, job.data, job.len) && kk_usb_bytes_accepted(d) == job.len,
	      "the PCL job arrives on bulk OUT byte for byte");
	g_mutex_lock(&lock);
	f->port_status = 0x38; /* paper empty, selected, no error */
	g_mutex_unlock(&lock);
	CHECK(kk_usb_port_status(d, &st) == 0 && st == 0x38 &&
		      kk_print_problem_from_port(st) == KK_PP_MEDIA_EMPTY,
	      "port status 0x38 decodes as paper empty");
	g_mutex_lock(&lock);
	f->port_status = 0x18;
	g_mutex_unlock(&lock);
	CHECK(kk_usb_port_status(d, &st) == 0 && kk_print_problem_from_port(st) == 0,
	      "port status 0x18 is a ready printer");
	CHECK(kk_usb_soft_reset(d) == 0 && f->soft_resets == 1, "SOFT_RESET reaches the printer");
	t0 = now_s();
	io.ops->close(io.ctx);
	CHECK(now_s() - t0 >= 0.9, "close waits for the delay-close quirk (HP LaserJet 1300)");
	CHECK(f->releases >= 1 && f->reattaches == 1 && f->usblp_bound,
	      "close releases the interface and gives it back to usblp");
out:
	kk_buf_fini(&job);
}

static void test_stall_and_timeout(void)
{
	struct fake *f = &fakes[0];
	struct kk_usb_dev *d = NULL;
	struct kk_print_io io;
	unsigned char data[5000];
	size_t base;
	ssize_t r;
	double t0;
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 7 + 3);
	if (kk_usb_open("03f0:1017", 2, &d, NULL) != 0) {
		report(0, "reopen the HP LaserJet 1300");
		return;
	}
	io = kk_usb_io(d);
	base = sink_len(f, 0x01);
	fake_set(f, MODE_STALL, 1000, 0x01);
	r = io.ops->write(io.ctx, data, sizeof data, 2000);
	CHECK(r == 1000, "a stall after 1000 bytes: write returns the 1000 accepted");
	CHECK(io.ops->write(io.ctx, data + 1000, sizeof data - 1000, 2000) == KK_EPROTO,
	      "the next write reports the stall as KK_EPROTO");
	CHECK(f->clear_halts == 1 && kk_usb_bytes_accepted(d) == 1000,
	      "the halt is cleared once; the accepted count is 1000");
	CHECK(write_all(io, data + 1000, sizeof data - 1000, 2000) == (ssize_t)sizeof data - 1000 &&
		      sink_equals(f, 0x01, base, data, sizeof data),
	      "going on after the stall sends no byte twice");
	fake_set(f, MODE_STALL, 0, 0x01);
	CHECK(io.ops->write(io.ctx, data, 10, 2000) == KK_EPROTO,
	      "a stall before any byte is KK_EPROTO at once");

	base = sink_len(f, 0x01);
	fake_set(f, MODE_HOLD, 300, 0x01);
	t0 = now_s();
	r = io.ops->write(io.ctx, data, 2000, 300);
	CHECK(r == 300, "a printer that stops taking data: the bytes taken before the timeout count");
	r = io.ops->write(io.ctx, data + 300, 1700, 300);
	CHECK(r == KK_ETIMEDOUT && now_s() - t0 < 10, "nothing taken in time: KK_ETIMEDOUT, no hang");
	fake_set(f, MODE_OK, 0, 0x01);
	CHECK(write_all(io, data + 300, 1700, 2000) == 1700 && sink_equals(f, 0x01, base, data, 2000),
	      "after the timeout the rest follows without a resent byte");
	kk_usb_close(d);
}

static void test_ipp_interface(void)
{
	struct fake *f = &fakes[1];
	struct kk_usb_dev *d = NULL;
	struct kk_usb_printer info;
	struct kk_print_io io;
	static const char req[] = "POST /ipp/print HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n";
	char buf[512];
	ssize_t n;
	g_mutex_lock(&lock);
	f->reply_ep = 0x83;
	g_mutex_unlock(&lock);
	CHECK(kk_usb_open("03f0:c42a", 4, &d, &info) == 0 && info.protocol == 4 && info.iface == 1,
	      "open prefers the IPP-over-USB interface when asked");
	if (!d)
		return;
	io = kk_usb_io(d);
	CHECK(write_all(io, req, sizeof req - 1, 2000) == (ssize_t)sizeof req - 1 &&
		      sink_equals(f, 0x03, 0, req, sizeof req - 1),
	      "an HTTP request goes out on the IPP interface's bulk OUT");
	n = io.ops->read(io.ctx, buf, sizeof buf, 2000);
	CHECK(n > 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0, "the answer comes back on bulk IN");
	CHECK(io.ops->read(io.ctx, buf, sizeof buf, 200) == KK_ETIMEDOUT,
	      "a read with nothing to come: KK_ETIMEDOUT");
	kk_usb_close(d);
}

static void test_unplug(UMockdevTestbed *tb)
{
	struct fake *f = &fakes[1];
	struct kk_usb_dev *d = NULL;
	struct kk_usb_printer info, p[8];
	struct kk_print_io io;
	static unsigned char data[20000];
	unsigned gen;
	size_t n = 0;
	unsigned char st;
	double t0;
	memset(data, 0x5a, sizeof data);
	CHECK(kk_usb_open("03f0:c42a", 2, &d, &info) == 0 && info.protocol == 2 && info.ep_out == 0x02,
	      "open the same printer's PCL interface when asked");
	if (!d)
		return;
	io = kk_usb_io(d);
	fake_set(f, MODE_UNPLUG, 4096, 0x02);
	gen = kk_usb_generation();
	umockdev_testbed_uevent(tb, "/sys" SYSDEV "1-2", "remove");
	umockdev_testbed_remove_device(tb, "/sys" SYSDEV "1-2");
	t0 = now_s();
	CHECK(io.ops->write(io.ctx, data, sizeof data, 5000) == 4096,
	      "unplugged mid-job: the 4096 bytes taken are reported");
	CHECK(io.ops->write(io.ctx, data + 4096, sizeof data - 4096, 5000) == KK_ENODEV &&
		      io.ops->write(io.ctx, data, 10, 5000) == KK_ENODEV &&
		      kk_usb_port_status(d, &st) == KK_ENODEV && now_s() - t0 < 10,
	      "then every call says KK_ENODEV at once");
	io.ops->close(io.ctx);
	for (int i = 0; i < 100 && kk_usb_generation() == gen; i++)
		kk_usb_poll(100);
	CHECK(kk_usb_generation() != gen, "the hotplug counter moves when the printer leaves");
	CHECK(kk_usb_list(p, 8, &n) == 0 && n == 1 && p[0].pid == 0x1017,
	      "the unplugged printer is gone from the listing");
}

static void test_hotplug(UMockdevTestbed *tb, const char *dir)
{
	struct kk_usb_printer p[8];
	const struct kk_usb_printer *pan;
	char *path = g_build_filename(dir, "hotplug.umockdev", NULL);
	GError *err = NULL;
	unsigned gen = kk_usb_generation();
	size_t n = 0;
	CHECK(umockdev_testbed_add_from_file(tb, path, &err), "plug in a printer after start");
	if (err)
		printf("#   %s\n", err->message), g_clear_error(&err);
	for (int i = 0; i < 100 && kk_usb_generation() == gen; i++)
		kk_usb_poll(100);
	CHECK(kk_usb_generation() != gen, "the hotplug counter moves when a printer arrives");
	CHECK(kk_usb_list(p, 8, &n) == 0 && n == 3, "the new printers are listed");
	pan = find(p, n, 0x232b, 0x0911, 2);
	CHECK(pan && pan->lang == KK_LANG_HOSTBASED && strstr(pan->why, "P2500W") != NULL,
	      "a host-based Pantum is refused, its model named (ID over 1024 bytes, read capped)");
	CHECK(pan && pan->iface == 0 && pan->alt == 1 && pan->ep_in == 0x82,
	      "of the Pantum's two settings the bidirectional one (alternate setting 1) is chosen");
	pan = find(p, n, 0x0924, 0x4294, 2);
	CHECK(pan && pan->lang == KK_LANG_PCL && (pan->quirks & KK_USBQ_NO_REATTACH) &&
		      strcmp(pan->id.mdl, "WorkCentre 3220") == 0,
	      "a Xerox WorkCentre 3220 (little-endian ID length): PCL, with the no-reattach quirk");
	g_free(path);
}

/* The kernel-driver paths: usblp that will not let go, a quirk that keeps it away, and a
 * usbfs where the driver ioctls do not exist (as under plain umockdev). */
static void test_kernel_driver(void)
{
	struct fake *pan = &fakes[2], *xer = &fakes[3];
	struct kk_usb_dev *d = NULL;
	struct kk_print_io io;
	static const char job[] = "\033E\033&l26A\033*t300R\033*r1A\033*b0W\033*rB\f\033E";
	double t0 = now_s();

	g_mutex_lock(&lock);
	xer->refuse_detach = 1;
	g_mutex_unlock(&lock);
	CHECK(kk_usb_open("0924:4294", 0, &d, NULL) == KK_EBUSY && d == NULL && now_s() - t0 < 5,
	      "usblp will not let go: open says KK_EBUSY at once");
	g_mutex_lock(&lock);
	xer->refuse_detach = 0;
	g_mutex_unlock(&lock);
	CHECK(kk_usb_open("0924:4294", 0, &d, NULL) == 0 && d, "open the Xerox by VID:PID");
	if (d) {
		io = kk_usb_io(d);
		CHECK(write_all(io, job, sizeof job - 1, 2000) == (ssize_t)sizeof job - 1 &&
			      sink_equals(xer, 0x01, 0, job, sizeof job - 1),
		      "a job reaches the Xerox");
		io.ops->close(io.ctx);
		CHECK(xer->detaches == 1 && xer->reattaches == 0 && !xer->usblp_bound &&
			      xer->releases >= 1,
		      "no-reattach quirk: usblp detached on open and not given the interface back");
	}
	d = NULL;
	g_mutex_lock(&lock);
	pan->no_driver_ioctls = 1;
	pan->usblp_bound = 0;
	g_mutex_unlock(&lock);
	CHECK(kk_usb_open("232b:0911", 0, &d, NULL) == 0 && d && pan->set_configs == 1 &&
		      pan->set_alts == 1,
	      "no driver ioctls, SET_CONFIGURATION and SET_INTERFACE refused: open goes on");
	if (d) {
		io = kk_usb_io(d);
		CHECK(io.ops->write(io.ctx, "\033E", 2, 2000) == 2, "and writes");
		kk_usb_close(d);
	}
	kk_usb_close(NULL);
}

/* --- umockdev-run's own replay of a usbmon capture ------------------------------------------ */

static GBytes *load(const char *dir, const char *name)
{
	char *path = g_build_filename(dir, name, NULL), *data = NULL;
	gsize n = 0;
	GBytes *b = g_file_get_contents(path, &data, &n, NULL) ? g_bytes_new_take(data, n) : NULL;
	g_free(path);
	return b;
}

/* --- the whole print path on a USB laser ---------------------------------------------------- */

/* Page k carries (k + 1) bars: the bytes of each page differ. */
static int svc_render(void *ctx, unsigned page, struct kk_raster *r)
{
	(void)ctx;
	for (unsigned b = 0; b <= page; b++)
		for (uint32_t y = 600 + b * 400; y < 700 + b * 400 && y < r->height; y++)
			for (uint32_t x = 600; x < 4000 && x < r->width; x++)
				kk_raster_mono_set(r, x, y, 1);
	return 0;
}

static int svc_layout(void *ctx, const struct kk_print_req *req, const struct kk_printer_caps *caps,
		      struct kk_print_pages *pages, char *why, size_t why_size)
{
	struct kk_printer_caps *seen = ctx;
	(void)req, (void)why, (void)why_size;
	*seen = *caps;
	pages->n = 2;
	pages->render = svc_render;
	pages->ctx = NULL;
	return 0;
}

/* The kiosk's encoder on the same two pages: what the printer must receive. */
static int svc_expected(const struct kk_printer_caps *caps, struct kk_buf *job)
{
	struct kk_raster r;
	struct kk_print_opts o = { .copies = 1, .total_pages = 2 };
	int err = kk_raster_init(&r, caps->width, caps->height, KK_RASTER_MONO, caps->dpi);
	if (err)
		return err;
	err = kk_print_lang_pcl.job_begin(job, &o);
	for (unsigned p = 0; !err && p < 2; p++) {
		memset(r.data, 0, (size_t)r.stride * r.height);
		svc_render(NULL, p, &r);
		err = kk_print_lang_pcl.page(job, &r, &o);
	}
	if (!err)
		err = kk_print_lang_pcl.job_end(job, &o);
	kk_raster_fini(&r);
	return err;
}

/*
 * The print worker (print/job.c) prints on usb://03f0:1017 through print/printer.c: the job
 * arrives on bulk OUT byte for byte as the encoder made it. Then the printer is pulled out in
 * the middle of the next job: the job ends FAILED with the resident's sentence, the journal
 * says so, and nothing hangs.
 */
static void test_print_service(UMockdevTestbed *tb)
{
	struct fake *f = &fakes[0];
	struct kk_print_service_opts o = { 0 };
	struct kk_print_service *svc = NULL;
	struct kk_print_req req = { .kind = KK_PRINT_DOC, .id = 1, .title = "测试文件" };
	struct kk_print_status st;
	struct kk_printer_caps caps = { 0 };
	struct kk_buf job;
	char dir[] = "/tmp/kk-usbsvc-XXXXXX", spool[64], *journal = NULL;
	size_t before;
	double t0;

	kk_buf_init(&job, 64u << 20);
	if (!mkdtemp(dir)) {
		report(0, "scratch folder for the print spool");
		return;
	}
	snprintf(spool, sizeof spool, "%s/spool", dir);
	o.printer_uri = "usb://03f0:1017";
	o.spool_dir = spool;
	o.max_copies = 3;
	o.layouter.layout = svc_layout;
	o.layouter.ctx = &caps;
	CHECK(kk_print_service_start(&o, &svc) == 0, "the print worker starts on usb://03f0:1017");
	if (!svc)
		goto out;
	before = sink_len(f, 0x01);
	kk_print_prepare(svc, &req);
	kk_print_wait(svc, 20000);
	kk_print_status_get(svc, &st);
	CHECK(st.state == KK_PJ_READY && st.pages == 2 && strstr(st.printer, "LaserJet 1300"),
	      "preview: the LaserJet 1300 is found and named, two pages");
	CHECK(caps.lang == KK_LANG_PCL && caps.dpi == 600 && caps.width == 4960,
	      "a PCL laser gets A4 at 600 dpi");
	CHECK(kk_print_confirm(svc, 0, 1, 1) == 0 && kk_print_wait(svc, 30000) == 0, "print it");
	kk_print_status_get(svc, &st);
	CHECK(st.state == KK_PJ_DONE && st.done == 2, "the job is done: 2 sheets");
	CHECK(svc_expected(&caps, &job) == 0 && sink_equals(f, 0x01, before, job.data, job.len),
	      "what the printer received is the PCL job of those pages, byte for byte");
	kk_print_dismiss(svc);

	/* pulled out after 300 bytes of the next job (the whole job is about 1 KB) */
	kk_print_prepare(svc, &req);
	kk_print_wait(svc, 20000);
	fake_set(f, MODE_UNPLUG, 300, 0x01);
	t0 = now_s();
	CHECK(kk_print_confirm(svc, 0, 1, 1) == 0 && kk_print_wait(svc, 30000) == 0,
	      "a job while the printer is pulled out ends");
	kk_print_status_get(svc, &st);
	if (st.state != KK_PJ_FAILED)
		printf("#   state %d err %d bytes %llu: %s\n", st.state, st.err,
		       (unsigned long long)st.bytes, st.detail);
	CHECK(st.state == KK_PJ_FAILED && st.err == KK_ENODEV && now_s() - t0 < 15,
	      "  ... FAILED (KK_ENODEV), within seconds");
	CHECK(strstr(st.message, "打印机连接已断开") != NULL, "  ... telling the resident in Chinese");
	journal = g_build_filename(spool, "journal", NULL);
	{
		char *text = NULL;
		CHECK(g_file_get_contents(journal, &text, NULL, NULL) && strstr(text, "2 failed ENODEV"),
		      "  ... and the journal records the job as failed, never to be resent");
		g_free(text);
	}
	umockdev_testbed_uevent(tb, "/sys" SYSDEV "1-1", "remove");
	umockdev_testbed_remove_device(tb, "/sys" SYSDEV "1-1");
	kk_print_dismiss(svc);
	kk_print_prepare(svc, &req);
	kk_print_wait(svc, 20000);
	kk_print_status_get(svc, &st);
	CHECK(st.state == KK_PJ_FAILED && strstr(st.message, "没有找到打印机"),
	      "with no printer left, 打印 says no printer was found");
	kk_print_service_stop(svc);
out:
	g_free(journal);
	kk_buf_fini(&job);
	{
		char *cmd = g_strdup_printf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("#   could not remove %s\n", dir);
		g_free(cmd);
	}
}

/*
 * Run under `umockdev-run -d replay.umockdev -p SYSFS=replay.pcap`: umockdev's pcap handler
 * plays the LaserJet 1300 from the capture make_testbed.py wrote. It compares each bulk OUT
 * URB with the recorded one and only completes it when every byte matches (otherwise the
 * write times out), and completes with the recorded status and count. Control requests are
 * not in the capture (see the report in print-usb.sh): the listing times out on them, so the
 * printer is opened by its VID:PID.
 */
static int run_replay(const char *dir)
{
	GBytes *job = load(dir, "replay-job.bin"), *tail = load(dir, "replay-tail.bin"),
	       *last = load(dir, "replay-last.bin");
	struct kk_usb_dev *d = NULL;
	struct kk_print_io io;
	gsize jn = 0, tn = 0, ln = 0;
	const char *jp, *tp, *lp;
	unsigned char st;

	if (!job || !tail || !last) {
		report(0, "replay: the capture's data files");
		return 1;
	}
	jp = g_bytes_get_data(job, &jn);
	tp = g_bytes_get_data(tail, &tn);
	lp = g_bytes_get_data(last, &ln);
	CHECK(kk_usb_open("03f0:1017", 0, &d, NULL) == 0 && d,
	      "replay: open the LaserJet 1300 (stock umockdev: no driver ioctls, claim goes on)");
	if (!d)
		goto out;
	io = kk_usb_io(d);
	CHECK(write_all(io, jp, jn, 5000) == (ssize_t)jn,
	      "replay: the job's bulk OUT URBs match the capture byte for byte");
	CHECK(io.ops->write(io.ctx, tp, tn, 5000) == 1000 &&
		      io.ops->write(io.ctx, tp + 1000, tn - 1000, 5000) == KK_EPROTO,
	      "replay: recorded stall (-32) after 1000 bytes: 1000 accepted, then KK_EPROTO");
	CHECK(write_all(io, tp + 1000, tn - 1000, 5000) == (ssize_t)tn - 1000,
	      "replay: the rest after the stall matches the capture (nothing resent)");
	CHECK(io.ops->write(io.ctx, lp, ln, 5000) == 512 &&
		      io.ops->write(io.ctx, lp + 512, ln - 512, 5000) == KK_ENODEV &&
		      kk_usb_port_status(d, &st) == KK_ENODEV,
	      "replay: recorded unplug (-19) after 512 bytes: 512 accepted, then KK_ENODEV");
	kk_usb_close(d);
out:
	kk_usb_exit();
	g_bytes_unref(job);
	g_bytes_unref(tail);
	g_bytes_unref(last);
	report(1, "replay: every scenario ran to its end");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	GError *err = NULL;
	char *path, *sys;

	if (getenv("SUITE_NAME"))
		suite = getenv("SUITE_NAME");
	if (argc == 3 && strcmp(argv[1], "--replay") == 0)
		return run_replay(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: umockdev-wrapper usbtest DIR\n"
				"       umockdev-run -d DIR/replay.umockdev -p SYSFS=DIR/replay.pcap -- "
				"usbtest --replay DIR\n");
		return 2;
	}
	if (!getenv("LD_PRELOAD") || !strstr(getenv("LD_PRELOAD"), "umockdev")) {
		report(0, "runs under umockdev-wrapper (LD_PRELOAD libumockdev-preload)");
		return 1;
	}
	tb = umockdev_testbed_new();
	sys = umockdev_testbed_get_sys_dir(tb);
	handler = umockdev_ioctl_base_new();
	g_signal_connect_after(handler, "handle-ioctl", G_CALLBACK(handle_ioctl), NULL);
	for (size_t i = 0; i < N_FAKES; i++) {
		struct fake *f = &fakes[i];
		snprintf(f->sysdir, sizeof f->sysdir, "%s%s%s", sys, SYSDEV, f->sysname);
		f->reply = g_byte_array_new();
		f->usblp_bound = 1;
		f->port_status = 0x18;
		g_queue_init(&f->done);
		g_queue_init(&f->held);
		if (!umockdev_testbed_attach_ioctl(tb, f->devnode, handler, &err)) {
			report(0, "attach the ioctl handler");
			return 1;
		}
	}
	path = g_build_filename(argv[1], "bus.umockdev", NULL);
	report(umockdev_testbed_add_from_file(tb, path, &err), "testbed from bus.umockdev");
	if (err) {
		printf("#   %s\n", err->message);
		return 1;
	}
	g_free(path);

	report(kk_usb_init() == 0 && kk_usb_init() == 0, "libusb context (init twice is one init)");
	test_list();
	test_open_refusals();
	test_pcl_job();
	test_stall_and_timeout();
	test_ipp_interface();
	test_unplug(tb);
	test_hotplug(tb, argv[1]);
	test_kernel_driver();
	test_print_service(tb);
	kk_usb_exit();
	kk_usb_exit();
	report(1, "every scenario ran to its end"); /* a crash half-way never prints this */

	for (size_t i = 0; i < N_FAKES; i++) {
		struct fake *f = &fakes[i];
		for (size_t e = 0; e < 16; e++)
			if (f->sink[e])
				g_byte_array_unref(f->sink[e]);
		g_byte_array_unref(f->reply);
		while (!g_queue_is_empty(&f->done) || !g_queue_is_empty(&f->held)) {
			struct urb_rec *r = g_queue_is_empty(&f->done) ? g_queue_pop_head(&f->held)
								       : g_queue_pop_head(&f->done);
			umockdev_ioctl_data_unref(r->urb);
			g_free(r);
		}
	}
	g_object_unref(handler);
	g_object_unref(tb);
	g_free(sys);
	return failures ? 1 : 0;
}
