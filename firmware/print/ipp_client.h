/*
 * ipp_client.h — print on an IPP Everywhere printer: ask what it is and how it is
 * (Get-Printer-Attributes), send a job as PWG Raster (Print-Job), follow it to the end
 * (Get-Job-Attributes) or stop it (Cancel-Job).
 *
 * The transport is any kk_print_io: a TCP socket for ipp:// (tcp.h) or the bulk pipe of an
 * IPP-over-USB interface; HTTP/1.1 runs on top of it (http.h). host is the Host header and,
 * with resource, makes the printer-uri "ipp://HOST/RESOURCE" (for IPP-over-USB: "localhost"
 * and "/ipp/print").
 *
 * Pages are rasterised on demand: the job's page callback fills one kk_raster at a time, the
 * client encodes it as PWG Raster (kk_print_lang_pwg) and streams it as one HTTP chunk, so a
 * 12-page job holds one page in memory, not twelve.
 *
 * Printer trouble (media-empty, media-jam, door-open, offline …) comes back as
 * kk_print_problem flags (status.h) from printer-state-reasons, both in the result and, while
 * the job runs, through the progress callback, so the UI can say "打印机缺纸，请联系工作人员。"
 * as soon as the printer says so.
 *
 * All calls block (bounded by the timeouts below) and belong to the print worker thread; the
 * cancel flag is the one thing another thread (the UI) touches.
 */
#ifndef KK_PRINT_IPP_CLIENT_H
#define KK_PRINT_IPP_CLIENT_H

#include <stdatomic.h>

#include "base/buf.h"
#include "print/io.h"
#include "print/raster.h"

#define KK_IPP_MAX_RES 8u
#define KK_IPP_MAX_MEDIA 8u
#define KK_IPP_MAX_MEDIA_SUP 32u
/* Encoded pages go out as single chunks; an A4 600 dpi black_1 page is 4.4 MB raw, at most
 * twice that encoded. */
#define KK_IPP_PAGE_MAX (12u << 20)

struct kk_ipp_printer {
	int state;                 /* printer-state: 3 idle, 4 processing, 5 stopped; 0 unknown */
	unsigned problems;         /* kk_print_problem flags from printer-state-reasons */
	char reasons[512];         /* printer-state-reasons as sent, comma-separated (logs) */
	char state_message[256];   /* printer-state-message (UTF-8, bad bytes as '?') */
	char make_and_model[128];  /* printer-make-and-model (UTF-8, bad bytes as '?') */
	int accepting;             /* printer-is-accepting-jobs: 1, 0, or -1 not said */
	int pwg_raster;            /* 1 if document-format-supported lists image/pwg-raster */
	unsigned raster_bits;      /* KK_RASTER_MONO if black_1 is offered, else KK_RASTER_GREY
				      if sgray_8 is, else 0 */
	unsigned res[KK_IPP_MAX_RES]; /* square pwg-raster-document-resolution-supported, dpi */
	unsigned n_res;
	int margin_top, margin_bottom, margin_left, margin_right; /* smallest supported margin,
				      hundredths of mm; -1 when not said */
	char media_default[64];    /* media-default keyword ("iso_a4_210x297mm") or "" */
	char media_ready[KK_IPP_MAX_MEDIA][64]; /* media-ready keywords */
	unsigned n_media_ready;
	char media_supported[KK_IPP_MAX_MEDIA_SUP][64]; /* media-supported keywords (first ones) */
	unsigned n_media_supported;
	int copies_max;            /* upper bound of copies-supported; 1 when not said */
};

struct kk_ipp_job {
	const char *title;         /* job-name, UTF-8 (the document title); cut to 255 bytes */
	const char *user;          /* requesting-user-name; NULL: "kiosk" */
	const char *media;         /* media keyword to ask for ("iso_a4_210x297mm"); sent only
				      when media-supported lists it, else the printer's default */
	unsigned pages;            /* pages of one copy, >= 1 */
	unsigned copies;           /* 1..KK_PRINT_MAX_COPIES (0 means 1); sent as "copies" when
				      the printer supports that many, else the pages are sent
				      copies times over */
	/* Fill *r with page index (0-based, < pages): kk_raster_init it and draw. The client
	 * encodes and frees it. Called in page order, once per page per copy sent. */
	int (*page)(void *ctx, unsigned index, struct kk_raster *r);
	/* Optional: called after each page went out (pages_sent counts copies sent over), and at
	 * each poll with the job-state (0 before the job exists) and the printer's problems. */
	void (*progress)(void *ctx, unsigned pages_sent, int job_state, unsigned problems);
	void *ctx;                 /* for page and progress */
	const atomic_int *cancel;  /* optional; non-zero stops the job (Cancel-Job if it exists) */
	/* Optional: the server closed the connection (or it broke): close *io and open a new one
	 * into it; 0 on success. Without it such a job fails with the transport's error. */
	int (*reopen)(void *reopen_ctx, struct kk_print_io *io);
	void *reopen_ctx;
	int io_timeout_ms;         /* each read/write without progress; 0: 30 s */
	int job_timeout_ms;        /* from the last page sent to a final job-state; 0: 10 min */
	int poll_ms;               /* between Get-Job-Attributes; 0: 1 s */
};

struct kk_ipp_result {
	int job_id;                /* 0 when no job was created */
	int job_state;             /* last job-state seen (enum kk_ipp_job_state), 0 if none */
	unsigned pages_sent;       /* pages streamed to the printer (copies sent over count) */
	unsigned problems;         /* every printer problem seen while the job ran (KK_PP_GONE
				      when the transport timed out or failed) */
	unsigned problems_now;     /* the printer's problems at the last look */
	int http_status;           /* last HTTP status, 0 if none */
	int ipp_status;            /* last IPP status-code, -1 if none */
	char reasons[256];         /* last job-state-reasons, comma-separated */
	char message[256];         /* one line for the log: what happened, in English */
};

/*
 * Get-Printer-Attributes: fill *out. Returns 0, or KK_ETIMEDOUT, KK_EIO/KK_ENODEV (transport;
 * out->problems is then KK_PP_GONE), KK_EPROTO (not an IPP answer: HTTP error, broken message,
 * IPP error status). io is not owned; timeout_ms bounds each read/write (0: 30 s).
 */
int kk_ipp_query(struct kk_print_io *io, const char *host, const char *resource, int timeout_ms,
		 struct kk_ipp_printer *out);

/* Fill *out from a decoded Get-Printer-Attributes answer (what kk_ipp_query does after the
 * exchange). Every string in *out is NUL-terminated valid UTF-8. Pure; any thread. */
struct kk_ipp_msg;
void kk_ipp_printer_parse(const struct kk_ipp_msg *m, struct kk_ipp_printer *out);

/*
 * Print job and follow it: Get-Printer-Attributes (the printer must take image/pwg-raster),
 * Print-Job with the pages streamed, then Get-Job-Attributes (and the printer's state) every
 * poll_ms until the job is completed, aborted or canceled, job_timeout_ms passes, or the
 * cancel flag is set (then the document is ended at a page boundary and Cancel-Job sent).
 * Returns 0 when the job completed; KK_ECANCELED (our flag, or canceled at the printer),
 * KK_ETIMEDOUT (no final state in time; the job is left to the printer), KK_EIO (aborted by
 * the printer), KK_EINVAL (bad job, or the printer does not take PWG Raster), KK_EBUSY (not
 * accepting jobs), KK_EPROTO, or a transport or page-callback error. *res is always filled.
 */
int kk_ipp_print(struct kk_print_io *io, const char *host, const char *resource,
		 const struct kk_ipp_job *job, struct kk_ipp_result *res);

/* Cancel-Job for job_id. Returns 0, KK_EPROTO (the printer refused: e.g. already finished) or
 * a transport error. */
int kk_ipp_cancel(struct kk_print_io *io, const char *host, const char *resource, int timeout_ms,
		  int job_id);

#endif
