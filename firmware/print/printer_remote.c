/*
 * printer_remote.c — the printers that are not files: USB printers through libusb (usb.h) and
 * IPP Everywhere printers on the network or behind an IPP-over-USB interface (ipp_client.h).
 *
 * Opening a printer decides the page: an IPP printer says which resolutions, raster types and
 * margins it takes (Get-Printer-Attributes); a USB printer without IPP says only its device ID,
 * so a PCL laser gets A4 at 600 dpi with 5 mm margins (every LaserJet-class printer takes it)
 * and an ESC/POS printer a 72 mm band at 203 dpi (48 mm when its model names 58 mm paper).
 * The USB port status is read when the printer is opened and whenever a write takes nothing:
 * it only informs (many printers report it badly), it never stops a job.
 */
#include "print/printer_remote.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/sys.h"
#include "print/devid.h"
#include "print/ipp_client.h"
#include "print/lang.h"
#include "print/status.h"
#include "print/tcp.h"
#include "print/usb.h"

#define MOD "print"

/* hundredths of a millimetre to dots */
static uint32_t hmm_dots(int hmm, unsigned dpi)
{
	return hmm <= 0 ? 0 : (uint32_t)((double)hmm * dpi / 2540.0 + 0.5);
}

/* Page geometry from what an IPP printer said. */
static int caps_from_ipp(const struct kk_ipp_printer *ip, struct kk_printer_caps *c, char *why,
			 size_t why_size)
{
	unsigned dpi = 0;
	if (!ip->pwg_raster || !ip->raster_bits) {
		snprintf(why, why_size,
			 "打印机“%s”不支持 IPP Everywhere（PWG 光栅），无法直接打印。请改用支持 "
			 "AirPrint/Mopria/IPP Everywhere 的打印机，或在打印机上启用此功能。",
			 ip->make_and_model[0] ? ip->make_and_model : "未知型号");
		return KK_EPERM;
	}
	for (unsigned i = 0; i < ip->n_res; i++) /* 600 if offered, else the best up to 600 */
		if (ip->res[i] <= 600 && ip->res[i] > dpi)
			dpi = ip->res[i];
	if (!dpi)
		dpi = ip->n_res ? ip->res[0] : 300;
	kk_printer_caps_a4(c, dpi);
	if (ip->margin_left >= 0)
		c->margin[0] = hmm_dots(ip->margin_left, dpi);
	if (ip->margin_top >= 0)
		c->margin[1] = hmm_dots(ip->margin_top, dpi);
	if (ip->margin_right >= 0)
		c->margin[2] = hmm_dots(ip->margin_right, dpi);
	if (ip->margin_bottom >= 0)
		c->margin[3] = hmm_dots(ip->margin_bottom, dpi);
	c->lang = KK_LANG_IPP;
	c->problems = ip->problems;
	c->grey = ip->raster_bits == KK_RASTER_GREY;
	snprintf(c->model, sizeof c->model, "%s", ip->make_and_model[0] ? ip->make_and_model : "IPP");
	return 0;
}

static int port_status(void *ctx, unsigned *problems)
{
	unsigned char st;
	int rc = kk_usb_port_status(ctx, &st);
	if (!rc)
		*problems = kk_print_problem_from_port(st);
	return rc;
}

static int open_usb(const struct kk_printer_uri *u, int timeout_ms, struct kk_printer_remote *r,
		    struct kk_printer_caps *c, char *why, size_t why_size)
{
	struct kk_usb_printer info;
	struct kk_usb_dev *d = NULL;
	int rc;

	rc = kk_usb_init();
	if (rc) {
		snprintf(why, why_size, "USB is not available on this board (%s)", kk_err_name(rc));
		return KK_ENODEV;
	}
	rc = kk_usb_open(u->usb_match, 4, &d, &info);
	if (rc) {
		snprintf(why, why_size, "%s: %s", u->usb_match[0] ? u->usb_match : "usb://",
			 rc == KK_ENODEV ? "no USB printer in a language we speak is plugged in"
			 : rc == KK_EBUSY ? "the printer is held by another program"
					  : kk_err_name(rc));
		return rc;
	}
	if (info.lang == KK_LANG_NONE || info.lang == KK_LANG_HOSTBASED) {
		snprintf(why, why_size, "%s", info.why);
		kk_usb_close(d);
		return KK_EPERM;
	}
	r->io = kk_usb_io(d);
	snprintf(c->model, sizeof c->model, "%.40s %.80s", info.id.mfg, info.id.mdl);
	if (info.lang == KK_LANG_IPP) {
		struct kk_ipp_printer ip;
		snprintf(r->host, sizeof r->host, "localhost");
		snprintf(r->resource, sizeof r->resource, "/ipp/print");
		rc = kk_ipp_query(&r->io, r->host, r->resource, timeout_ms, &ip);
		if (!rc)
			rc = caps_from_ipp(&ip, c, why, why_size);
		else
			snprintf(why, why_size, "IPP-over-USB printer did not answer: %s",
				 kk_err_name(rc));
		if (rc) {
			r->io.ops->close(r->io.ctx);
			memset(&r->io, 0, sizeof r->io);
			return rc;
		}
		r->ipp = 1;
	} else if (info.lang == KK_LANG_PCL) {
		kk_printer_caps_a4(c, 600);
		c->lang = KK_LANG_PCL;
	} else {
		/* ESC/POS: 80 mm paper prints 72 mm (576 dots); 58 mm paper 48 mm (384 dots) */
		kk_printer_caps_a4(c, 203);
		c->lang = KK_LANG_ESCPOS;
		c->narrow = 1;
		c->width = strstr(info.id.mdl, "58") ? 384 : KK_ESCPOS_MAX_DOTS;
		c->height = 2000;
		memset(c->margin, 0, sizeof c->margin);
		c->margin[1] = c->margin[3] = 16;
	}
	if (info.port_status >= 0)
		c->problems |= kk_print_problem_from_port((unsigned char)info.port_status);
	r->status = port_status;
	r->status_ctx = d;
	return 0;
}

static int open_ipp(const struct kk_printer_uri *u, int timeout_ms, struct kk_printer_remote *r,
		    struct kk_printer_caps *c, char *why, size_t why_size)
{
	struct kk_ipp_printer ip;
	int rc = kk_print_tcp_open(u->ipp.host, u->ipp.port, timeout_ms, &r->io);
	if (rc) {
		snprintf(why, why_size, "ipp://%s: cannot connect (%s)", u->ipp.host_header,
			 kk_err_name(rc));
		return rc;
	}
	snprintf(r->host, sizeof r->host, "%s", u->ipp.host_header);
	snprintf(r->resource, sizeof r->resource, "%s", u->ipp.resource);
	rc = kk_ipp_query(&r->io, r->host, r->resource, timeout_ms, &ip);
	if (rc)
		snprintf(why, why_size, "ipp://%s%s: no IPP answer (%s)", u->ipp.host_header,
			 u->ipp.resource, kk_err_name(rc));
	else
		rc = caps_from_ipp(&ip, c, why, why_size);
	if (rc) {
		r->io.ops->close(r->io.ctx);
		memset(&r->io, 0, sizeof r->io);
		return rc;
	}
	r->ipp = 1;
	r->reconnect = 1;
	r->uri = *u;
	r->timeout_ms = timeout_ms;
	return 0;
}

int kk_printer_open_remote(const struct kk_printer_uri *u, int timeout_ms,
			   struct kk_printer_remote *r, struct kk_printer_caps *caps, char *why,
			   size_t why_size)
{
	memset(r, 0, sizeof *r);
	if (u->scheme == KK_PRN_USB)
		return open_usb(u, timeout_ms, r, caps, why, why_size);
	if (u->scheme == KK_PRN_IPP)
		return open_ipp(u, timeout_ms, r, caps, why, why_size);
	return KK_EINVAL;
}

/* ---- a job over IPP ---- */

struct ipp_pages {
	const struct kk_print_pages *src;
	const struct kk_print_send *s;
	const struct kk_printer_caps *caps;
	unsigned sent;
	double t0;              /* when the job started (kk_mono_s) */
	double first_page_s;    /* seconds to the first page streamed */
};

/* The IPP client asks for page index of the range; render MONO, and widen to sgray_8 for a
 * printer that takes only grey. */
static int ipp_page(void *ctx, unsigned index, struct kk_raster *r)
{
	struct ipp_pages *p = ctx;
	struct kk_raster mono = { 0 };
	int rc = kk_raster_init(&mono, p->caps->width, p->caps->height, KK_RASTER_MONO,
				p->caps->dpi);
	if (rc)
		return rc;
	rc = p->src->render(p->src->ctx, p->s->first + index, &mono);
	if (rc || !p->caps->grey) {
		if (rc)
			kk_raster_fini(&mono);
		else
			*r = mono;
		return rc;
	}
	rc = kk_raster_init(r, mono.width, mono.height, KK_RASTER_GREY, mono.dpi);
	if (!rc)
		for (uint32_t y = 0; y < mono.height; y++) {
			const uint8_t *in = kk_raster_row(&mono, y);
			uint8_t *out = kk_raster_row(r, y);
			for (uint32_t x = 0; x < mono.width; x++)
				out[x] = (in[x >> 3] >> (7 - (x & 7)) & 1) ? 0 : 255;
		}
	kk_raster_fini(&mono);
	return rc;
}

static void ipp_progress(void *ctx, unsigned pages_sent, int job_state, unsigned problems)
{
	struct ipp_pages *p = ctx;
	(void)job_state;
	p->sent = pages_sent;
	if (pages_sent && p->first_page_s == 0)
		p->first_page_s = kk_mono_s() - p->t0;
	if (p->s->progress)
		p->s->progress(p->s->ctx, pages_sent, (p->s->last - p->s->first + 1) * p->s->copies,
			       problems);
}

static int ipp_reopen(void *ctx, struct kk_print_io *io)
{
	struct kk_printer_remote *r = ctx;
	if (io->ops && io->ops->close)
		io->ops->close(io->ctx);
	memset(io, 0, sizeof *io);
	return kk_print_tcp_open(r->uri.ipp.host, r->uri.ipp.port, r->timeout_ms, io);
}

int kk_printer_send_ipp(struct kk_printer_remote *r, const struct kk_printer_caps *caps,
			const struct kk_print_pages *src, const struct kk_print_send *s,
			struct kk_print_outcome *res)
{
	struct ipp_pages p = { .src = src, .s = s, .caps = caps };
	struct kk_ipp_job job = { 0 };
	struct kk_ipp_result ir = { 0 };
	int rc;

	job.title = s->title;
	job.media = "iso_a4_210x297mm";
	job.pages = s->last - s->first + 1;
	job.copies = s->copies;
	job.page = ipp_page;
	job.progress = ipp_progress;
	job.ctx = &p;
	job.cancel = s->cancel;
	if (r->reconnect) {
		job.reopen = ipp_reopen;
		job.reopen_ctx = r;
	}
	p.t0 = kk_mono_s();
	rc = kk_ipp_print(&r->io, r->host, r->resource, &job, &ir);
	res->pages_sent = ir.pages_sent;
	/* the client streams whole pages: the first byte goes out with the first page */
	res->first_page_s = res->first_byte_s = p.first_page_s;
	res->problems = ir.problems | ir.problems_now;
	snprintf(res->detail, sizeof res->detail, "IPP job %d: %.200s", ir.job_id, ir.message);
	kk_info(MOD, "IPP job %d ended in state %d (%s), %u page(s) sent", ir.job_id, ir.job_state,
		ir.reasons, ir.pages_sent);
	return rc;
}

void kk_printer_close_remote(struct kk_printer_remote *r)
{
	if (r->io.ops && r->io.ops->close)
		r->io.ops->close(r->io.ctx); /* for USB this is kk_usb_close: delay-close quirks */
	memset(r, 0, sizeof *r);
}
