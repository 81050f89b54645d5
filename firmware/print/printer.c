/*
 * printer.c — printer URIs, opening a printer, and sending a job page by page.
 *
 * DESIGN
 * Two ways to a printer:
 *   - a byte stream (PCL 5, ESC/POS, or PWG Raster into a file): the encoder writes one page
 *     into a capped buffer, the buffer goes through the transport's write hook, and the number
 *     of bytes the printer ACCEPTED is added up. A write that takes nothing within its timeout
 *     is retried until the stall limit; accepted bytes are never sent again (a resend prints
 *     garbage or a second copy). Cancel is polled between writes, so a resident's 取消 stops
 *     the job within one write timeout;
 *   - IPP (PWG Raster in a Print-Job): the IPP client pulls pages through the same callbacks.
 * Pages are rendered one at a time into one raster that is reused, so memory stays at one
 * page (4.4 MB at 600 dpi) whatever the length of the document.
 */
#include "print/printer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/sys.h"
#include "print/devid.h"
#include "print/io.h"
#include "print/lang.h"
#include "print/printer_remote.h"

#define MOD "print"
#define PAGE_BUF_MAX (64u << 20) /* one encoded page; a 600 dpi A4 page is at most ~4.5 MB */
#define WRITE_TIMEOUT_MS 2000
#define STALL_LIMIT_MS 120000    /* a printer that takes nothing for 2 min has failed the job */

struct kk_printer {
	struct kk_printer_uri uri;
	struct kk_printer_caps caps;
	struct kk_printer_remote rem; /* the transport: a file, USB or TCP; IPP or a byte stream */
	const struct kk_print_lang *enc;
};

static void set_msg(char *m, size_t n, const char *fmt, const char *arg)
{
	if (m && n)
		snprintf(m, n, fmt, arg);
}

/* "03f0:2b17" or "03f0:2b17/SERIAL": 4 hex digits, a colon, 4 hex digits, an optional serial
 * of printable ASCII without '/'. */
static int usb_match_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0)
		return 1;
	if (n < 9 || s[4] != ':')
		return 0;
	for (int i = 0; i < 9; i++)
		if (i != 4 && !strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	if (n == 9)
		return 1;
	if (s[9] != '/' || n == 10)
		return 0;
	for (size_t i = 10; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '/')
			return 0;
	return 1;
}

int kk_printer_uri_parse(const char *uri, struct kk_printer_uri *out, char *err, size_t err_size)
{
	const char *p;
	size_t n;

	memset(out, 0, sizeof *out);
	if (err && err_size)
		err[0] = '\0';
	if (!uri || !*uri || strlen(uri) > 700) {
		set_msg(err, err_size, "%s", "empty or over-long printer URI");
		return KK_EINVAL;
	}
	if (!strcmp(uri, "none"))
		return 0;
	if (!strcmp(uri, "auto"))
		uri = "usb://";
	if (!strncmp(uri, "usb://", 6)) {
		p = uri + 6;
		if (strlen(p) >= sizeof out->usb_match || !usb_match_ok(p)) {
			set_msg(err, err_size,
				"\"%s\": expected usb://, usb://VID:PID or usb://VID:PID/SERIAL (hex ids)",
				uri);
			return KK_EINVAL;
		}
		out->scheme = KK_PRN_USB;
		snprintf(out->usb_match, sizeof out->usb_match, "%s", p);
		return 0;
	}
	if (!strncmp(uri, "ipp://", 6)) {
		if (kk_ipp_uri_parse(uri, &out->ipp)) {
			memset(out, 0, sizeof *out);
			set_msg(err, err_size, "\"%s\": expected ipp://HOST[:PORT]/PATH", uri);
			return KK_EINVAL;
		}
		if (!strcmp(out->ipp.resource, "/")) /* IPP Everywhere's usual queue */
			snprintf(out->ipp.resource, sizeof out->ipp.resource, "/ipp/print");
		out->scheme = KK_PRN_IPP;
		return 0;
	}
	if (!strncmp(uri, "file:", 5)) {
		const char *q = strchr(uri + 5, '?');
		const char *fmt;
		if (!q || strncmp(q, "?format=", 8)) {
			set_msg(err, err_size, "\"%s\": expected file:PATH?format=pwg|pcl|escpos", uri);
			return KK_EINVAL;
		}
		fmt = q + 8;
		n = (size_t)(q - (uri + 5));
		if (n == 0 || n >= sizeof out->path) {
			set_msg(err, err_size, "\"%s\": the file path is empty or too long", uri);
			return KK_EINVAL;
		}
		if (!strcmp(fmt, "pwg"))
			out->lang = KK_LANG_IPP;
		else if (!strcmp(fmt, "pcl"))
			out->lang = KK_LANG_PCL;
		else if (!strcmp(fmt, "escpos"))
			out->lang = KK_LANG_ESCPOS;
		else {
			set_msg(err, err_size, "\"%s\": format must be pwg, pcl or escpos", uri);
			return KK_EINVAL;
		}
		memcpy(out->path, uri + 5, n);
		out->path[n] = '\0';
		out->scheme = KK_PRN_FILE;
		return 0;
	}
	set_msg(err, err_size, "\"%s\": a printer URI starts with usb://, ipp:// or file:", uri);
	return KK_EINVAL;
}

void kk_printer_caps_a4(struct kk_printer_caps *c, unsigned dpi)
{
	/* A4 is 210 x 297 mm; dots rounded down so the raster never exceeds the sheet */
	c->dpi = dpi;
	c->width = (uint32_t)(210.0 * dpi / 25.4);
	c->height = (uint32_t)(297.0 * dpi / 25.4);
	for (int i = 0; i < 4; i++)
		c->margin[i] = (uint32_t)(5.0 * dpi / 25.4 + 0.5);
	c->narrow = 0;
}

/* 80 mm receipt paper at 203 dpi: 576 dots printable, a band of 2000 dots per "page". */
static void caps_receipt(struct kk_printer_caps *c)
{
	c->dpi = 203;
	c->width = KK_ESCPOS_MAX_DOTS;
	c->height = 2000;
	memset(c->margin, 0, sizeof c->margin);
	c->margin[1] = c->margin[3] = 16;
	c->narrow = 1;
}

/* ---- the file transport: what a printer would get, into a file ---- */

static ssize_t file_write(void *ctx, const void *buf, size_t len, int timeout_ms)
{
	int fd = (int)(intptr_t)ctx;
	ssize_t n;
	(void)timeout_ms;
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ENOSPC ? KK_ENOSPC : KK_EIO;
	return n;
}

static ssize_t file_read(void *ctx, void *buf, size_t len, int timeout_ms)
{
	(void)ctx, (void)buf, (void)len, (void)timeout_ms;
	return 0; /* a file never answers */
}

static void file_close(void *ctx)
{
	close((int)(intptr_t)ctx);
}

static const struct kk_print_io_ops file_ops = { "file", file_write, file_read, file_close };

static const struct kk_print_lang *encoder_for(int lang)
{
	switch (lang) {
	case KK_LANG_PCL: return &kk_print_lang_pcl;
	case KK_LANG_ESCPOS: return &kk_print_lang_escpos;
	case KK_LANG_IPP: return &kk_print_lang_pwg;
	}
	return NULL;
}

static int open_file(struct kk_printer *p, char *why, size_t why_size)
{
	/* not truncated here: opening is the preview; the job starts the file afresh */
	int fd = open(p->uri.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (why && why_size)
			snprintf(why, why_size, "cannot open %s: %s", p->uri.path, strerror(errno));
		return KK_EIO;
	}
	p->rem.io.ops = &file_ops;
	p->rem.io.ctx = (void *)(intptr_t)fd;
	if (p->uri.lang == KK_LANG_ESCPOS)
		caps_receipt(&p->caps);
	else
		kk_printer_caps_a4(&p->caps, 600);
	p->caps.lang = p->uri.lang;
	snprintf(p->caps.model, sizeof p->caps.model, "file:%.100s", p->uri.path);
	return 0;
}

int kk_printer_open(const struct kk_printer_uri *u, int timeout_ms, struct kk_printer **out,
		    struct kk_printer_caps *caps, char *why, size_t why_size)
{
	struct kk_printer *p;
	int rc;

	*out = NULL;
	if (why && why_size)
		why[0] = '\0';
	if (u->scheme == KK_PRN_NONE) {
		set_msg(why, why_size, "%s", "printing is off (printer = none)");
		return KK_ENODEV;
	}
	p = calloc(1, sizeof *p);
	if (!p)
		return KK_ENOMEM;
	p->uri = *u;
	switch (u->scheme) {
	case KK_PRN_FILE:
		rc = open_file(p, why, why_size);
		break;
	default:
		rc = kk_printer_open_remote(&p->uri, timeout_ms, &p->rem, &p->caps, why, why_size);
		break;
	}
	if (rc)
		goto fail;
	p->enc = encoder_for(p->caps.lang);
	if (caps)
		*caps = p->caps;
	*out = p;
	return 0;
fail:
	free(p);
	return rc;
}

/* Hand len bytes to the printer, counting what it accepts; never resend accepted bytes. */
static int push(struct kk_printer *p, const struct kk_print_send *s, const char *buf, size_t len,
		struct kk_print_outcome *res, double t0)
{
	size_t off = 0;
	int stalled_ms = 0;
	while (off < len) {
		ssize_t n;
		if (s->cancel && *s->cancel)
			return KK_ECANCELED;
		n = p->rem.io.ops->write(p->rem.io.ctx, buf + off, len - off, WRITE_TIMEOUT_MS);
		if (n < 0) {
			snprintf(res->detail, sizeof res->detail, "%s write failed after %llu bytes: %s",
				 p->rem.io.ops->name, (unsigned long long)res->bytes, kk_err_name((int)n));
			return (int)n;
		}
		if (n == 0) {
			unsigned problems = 0;
			stalled_ms += WRITE_TIMEOUT_MS;
			/* the printer takes nothing: ask it why (paper out?) and tell the resident */
			if (p->rem.status && p->rem.status(p->rem.status_ctx, &problems) == 0 &&
			    problems) {
				res->problems |= problems;
				if (s->progress)
					s->progress(s->ctx, res->pages_sent,
						    (s->last - s->first + 1) * s->copies, problems);
			}
			if (stalled_ms >= STALL_LIMIT_MS) {
				snprintf(res->detail, sizeof res->detail,
					 "printer accepted nothing for %d s after %llu bytes",
					 stalled_ms / 1000, (unsigned long long)res->bytes);
				return KK_ETIMEDOUT;
			}
			continue;
		}
		if (res->bytes == 0)
			res->first_byte_s = kk_mono_s() - t0;
		stalled_ms = 0;
		off += (size_t)n;
		res->bytes += (uint64_t)n;
	}
	return 0;
}

/* The stream path: PCL 5, ESC/POS, or PWG Raster written to a file. */
static int send_stream(struct kk_printer *p, const struct kk_print_pages *src,
		       const struct kk_print_send *s, struct kk_print_outcome *res)
{
	struct kk_buf out;
	struct kk_raster r = { 0 };
	struct kk_print_opts o = { 0 };
	unsigned rounds = 1, pages = s->last - s->first + 1, done = 0;
	double t0 = kk_mono_s();
	int rc;

	kk_buf_init(&out, PAGE_BUF_MAX);
	o.copies = s->copies;
	o.total_pages = pages * s->copies;
	if (p->caps.lang == KK_LANG_ESCPOS) { /* no copies in ESC/POS: print the range again */
		rounds = s->copies;
		o.copies = 1;
	}
	rc = kk_raster_init(&r, p->caps.width, p->caps.height, KK_RASTER_MONO, p->caps.dpi);
	if (rc)
		goto out;
	rc = p->enc->job_begin(&out, &o);
	if (!rc)
		rc = push(p, s, out.data, out.len, res, t0);
	for (unsigned round = 0; !rc && round < rounds; round++) {
		for (unsigned pg = s->first; !rc && pg <= s->last; pg++) {
			uint32_t rows = src->rows ? src->rows(src->ctx, pg) : 0;
			/* a short last band of a receipt: print only its rows, not blank paper */
			r.height = rows && rows < p->caps.height ? rows : p->caps.height;
			memset(r.data, 0, (size_t)r.stride * r.height);
			rc = src->render(src->ctx, pg, &r);
			if (rc) {
				snprintf(res->detail, sizeof res->detail, "page %u: layout failed: %s",
					 pg + 1, kk_err_name(rc));
				break;
			}
			kk_buf_reset(&out);
			rc = p->enc->page(&out, &r, &o);
			if (!rc)
				rc = push(p, s, out.data, out.len, res, t0);
			if (rc)
				break;
			if (done == 0)
				res->first_page_s = kk_mono_s() - t0;
			/* sheets: PCL and PWG carry the copies in the page, ESC/POS repeats the range */
			done += rounds > 1 ? 1 : s->copies;
			res->pages_sent = done;
			if (s->progress)
				s->progress(s->ctx, done, pages * s->copies, 0);
		}
	}
	if (!rc) {
		kk_buf_reset(&out);
		rc = p->enc->job_end(&out, &o);
		if (!rc)
			rc = push(p, s, out.data, out.len, res, t0);
	}
out:
	r.height = p->caps.height;
	kk_raster_fini(&r);
	kk_buf_fini(&out);
	return rc;
}

int kk_printer_send(struct kk_printer *p, const struct kk_print_pages *src,
		    const struct kk_print_send *s, struct kk_print_outcome *res)
{
	memset(res, 0, sizeof *res);
	if (!src || !src->render || src->n == 0 || s->first > s->last || s->last >= src->n ||
	    s->copies < 1 || s->copies > KK_PRINT_MAX_COPIES)
		return KK_EINVAL;
	if (p->rem.ipp)
		return kk_printer_send_ipp(&p->rem, &p->caps, src, s, res);
	if (!p->enc)
		return KK_EINVAL;
	if (p->uri.scheme == KK_PRN_FILE) { /* a file holds one job: the last one */
		int fd = (int)(intptr_t)p->rem.io.ctx;
		if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
			snprintf(res->detail, sizeof res->detail, "cannot rewrite %.120s: %s", p->uri.path,
				 strerror(errno));
			return KK_EIO;
		}
	}
	return send_stream(p, src, s, res);
}

void kk_printer_close(struct kk_printer *p)
{
	if (!p)
		return;
	kk_printer_close_remote(&p->rem);
	free(p);
}
