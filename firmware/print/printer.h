/*
 * printer.h — one printer, named by a URI, opened for a job: which language it speaks, what
 * paper it has, and how pages get to it.
 *
 * URIs (the `printer` config key and `kiosk --printer`):
 *   usb://                   the first USB printer in a language we speak
 *   usb://VID:PID[/SERIAL]   that USB printer (hex ids, e.g. usb://03f0:2b17/VNB3K12345)
 *   ipp://HOST[:PORT]/PATH   a network printer speaking IPP Everywhere (PWG Raster)
 *   file:PATH?format=pwg|pcl|escpos
 *                            the bytes a printer would get, written to PATH (staff checks,
 *                            tests, the benchmark); PATH is created or truncated
 *   auto                     = usb://;   none: printing is off
 *
 * A page source (struct kk_print_pages) renders page k into a raster the printer's size; the
 * printer encodes and sends it. Page by page, so a 12-page job at 600 dpi never sits whole in
 * memory, and the first byte reaches the printer as soon as the first page is rendered.
 *
 * Threads: everything here blocks (USB, sockets, files) and runs on the print worker thread
 * (print/job.h); no call waits forever: every transport has finite timeouts, and a cancel flag
 * is polled between writes.
 */
#ifndef KK_PRINT_PRINTER_H
#define KK_PRINT_PRINTER_H

#include <stddef.h>
#include <stdint.h>

#include <stdatomic.h>

#include "print/raster.h"
#include "print/tcp.h"

enum kk_printer_scheme { KK_PRN_NONE = 0, KK_PRN_USB, KK_PRN_IPP, KK_PRN_FILE };

struct kk_printer_uri {
	int scheme;          /* enum kk_printer_scheme */
	char usb_match[96];  /* "" (first usable) or "VID:PID[/SERIAL]" */
	struct kk_ipp_uri ipp; /* ipp: host, port (631), resource ("/ipp/print" when none) */
	char path[512];      /* file: the output file */
	int lang;            /* file: KK_LANG_IPP (pwg), KK_LANG_PCL or KK_LANG_ESCPOS */
};

/*
 * Parse a printer URI (see above). Returns 0, or KK_EINVAL with a sentence in err (English,
 * for the technician's terminal and the log) naming what is wrong. Pure; any thread.
 */
int kk_printer_uri_parse(const char *uri, struct kk_printer_uri *out, char *err, size_t err_size);

/* What a page must look like for this printer: the layout reads it. */
struct kk_printer_caps {
	int lang;                 /* KK_LANG_IPP, KK_LANG_PCL, KK_LANG_ESCPOS */
	unsigned dpi;             /* 600 or 300 (lasers), 203 (receipt printers) */
	uint32_t width, height;   /* page in dots (A4; receipt: width x one band) */
	uint32_t margin[4];       /* unprintable edges in dots: left, top, right, bottom */
	int narrow;               /* 1: a receipt printer (continuous, narrow paper) */
	int grey;                 /* IPP printer that takes sgray_8 only: pages are widened */
	unsigned problems;        /* enum kk_print_problem flags seen when opened */
	char model[128];          /* "HP LaserJet Pro M404" or the URI */
};

struct kk_print_pages {
	unsigned n; /* pages in the document */
	/* Render page `page` (0-based) into r, a white MONO raster of caps->width x height at
	 * caps->dpi set up by the caller. Returns 0 or a negative kk_err. Worker thread. */
	int (*render)(void *ctx, unsigned page, struct kk_raster *r);
	/* Rows that page `page` really uses (a receipt's last band is shorter); NULL or 0 means
	 * the full caps->height. */
	uint32_t (*rows)(void *ctx, unsigned page);
	void *ctx;
};

struct kk_print_send {
	unsigned first, last; /* 0-based inclusive page range of the source to print */
	unsigned copies;      /* 1.. */
	const char *title;    /* job name (IPP), UTF-8 */
	const atomic_int *cancel; /* non-zero (any thread) stops the job between writes; may be NULL */
	/* Called after each page is handed to the printer (done of total), and when the printer
	 * reports a problem while we wait (problems != 0). May be NULL. Worker thread. */
	void (*progress)(void *ctx, unsigned done, unsigned total, unsigned problems);
	void *ctx;
};

struct kk_print_outcome {
	uint64_t bytes;       /* bytes the printer accepted */
	unsigned pages_sent;  /* pages fully handed over (copies included) */
	unsigned problems;    /* problem flags the printer reported */
	double first_byte_s; /* seconds from the start of send to the first byte accepted */
	double first_page_s; /* ... to the end of the first page (its last byte accepted) */
	char detail[256];     /* English, for the log */
};

struct kk_printer;

/*
 * Open the printer named by u: find it, read its device ID or attributes, choose the language
 * and the page geometry into *caps. timeout_ms bounds the whole probe. Returns 0;
 * KK_ENODEV (no such printer / nothing plugged in), KK_EPERM (a printer we cannot drive:
 * host-based or no known language; why holds the Chinese sentence for staff), KK_ETIMEDOUT,
 * KK_EIO … with an English detail in why otherwise. Caller closes with kk_printer_close.
 */
int kk_printer_open(const struct kk_printer_uri *u, int timeout_ms, struct kk_printer **out,
		    struct kk_printer_caps *caps, char *why, size_t why_size);

/*
 * Render, encode and send pages [s->first, s->last] of src, s->copies times, then wait until
 * the printer has taken the job (IPP: until the job is completed, aborted or canceled).
 * Returns 0 when the printer took everything; KK_ECANCELED, KK_ENODEV (unplugged: the job is
 * failed, never resent), KK_ETIMEDOUT (stalled), KK_EPROTO, KK_EIO …; *res says how far it got.
 */
int kk_printer_send(struct kk_printer *p, const struct kk_print_pages *src,
		    const struct kk_print_send *s, struct kk_print_outcome *res);

/* Close and free (honours USB quirks such as a delayed close). NULL is a no-op. */
void kk_printer_close(struct kk_printer *p);

/* A4 at dpi, in dots, and the default margins (5 mm, what most lasers cannot print). */
void kk_printer_caps_a4(struct kk_printer_caps *c, unsigned dpi);

#endif
