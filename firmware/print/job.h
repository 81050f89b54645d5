/*
 * job.h — the print worker: one thread that prepares and prints jobs while the UI stays
 * responsive, a journal so that no job is lost or printed twice, and the page limits.
 *
 * A job goes through:
 *   PREPARING  the worker opens the printer (device ID / IPP attributes), lays the document
 *              out for that printer and counts pages;
 *   READY      the preview: pages, printer, time estimate; the resident picks pages and
 *              copies and confirms (kk_print_confirm) or goes back (kk_print_cancel);
 *   PRINTING   page k of n; cancel stops between writes;
 *   DONE | FAILED | CANCELED | REFUSED (a limit, printing off, a printer we cannot drive).
 * The UI posts requests (never blocking) and reads a status snapshot when woken: the worker
 * calls opts.wake after every change (the UI pushes one SDL user event from it).
 *
 * Limits: pages per visitor session (kk_print_session_reset when the idle timer sends the
 * kiosk home) and per day (persisted in the spool directory, so a restart does not reset it).
 *
 * The journal (SPOOL/journal, append-only lines, fsync'd) records "start" before the first
 * byte goes out and "done"/"failed"/"canceled" after. At start-up a job that started but never
 * finished is reported as failed in the log and the journal ("interrupted"): it is never
 * printed again, because nobody can tell how much of it came out of the printer.
 */
#ifndef KK_PRINT_JOB_H
#define KK_PRINT_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "print/printer.h"

enum kk_print_state {
	KK_PJ_IDLE = 0,
	KK_PJ_PREPARING,
	KK_PJ_READY,
	KK_PJ_PRINTING,
	KK_PJ_DONE,
	KK_PJ_FAILED,
	KK_PJ_CANCELED,
	KK_PJ_REFUSED
};

/* What to print, as the UI knows it. */
struct kk_print_req {
	int kind;        /* KK_PRINT_DOC or KK_PRINT_GUIDE */
	int64_t id;      /* catalogue id of the document or guide */
	int summary;     /* guides: 1 = one-page checklist, 0 = in full */
	char title[256]; /* for the job name, the journal and the log */
};
enum { KK_PRINT_DOC = 1, KK_PRINT_GUIDE = 2 };

/*
 * Lays a request out for a printer: fills *pages (n, render, ctx). Called on the worker
 * thread; `release` frees what it made. Supplied by the application (it owns the catalogue
 * and the fonts), so this module needs neither.
 */
struct kk_print_layouter {
	int (*layout)(void *ctx, const struct kk_print_req *req, const struct kk_printer_caps *caps,
		      struct kk_print_pages *pages, char *why, size_t why_size);
	void (*release)(void *ctx, struct kk_print_pages *pages);
	void *ctx;
};

struct kk_print_service_opts {
	const char *printer_uri;   /* config `printer` (auto, none, usb://…, ipp://…, file:…) */
	const char *spool_dir;     /* journal and day counter; created if missing */
	unsigned max_copies;       /* 1..KK_PRINT_MAX_COPIES */
	unsigned pages_per_session;/* 0 = no limit */
	unsigned pages_per_day;    /* 0 = no limit */
	unsigned seconds_per_page; /* for the estimate; 0 = 4 */
	int probe_timeout_ms;      /* 0 = 8000 */
	struct kk_print_layouter layouter;
	void (*wake)(void *ctx);   /* called from the worker after every status change; may be NULL */
	void *wake_ctx;
};

struct kk_print_status {
	int state;               /* enum kk_print_state */
	uint64_t job;            /* journal id of the current or last job */
	uint64_t prepare_seq;    /* counts kk_print_prepare calls: a new preview has a new one */
	struct kk_print_req req;
	unsigned pages;          /* pages of the document laid out for this printer */
	unsigned first, last;    /* 0-based range being printed */
	unsigned copies;
	unsigned done, total;    /* pages handed over / to hand over */
	unsigned est_seconds;    /* estimate for what is asked */
	unsigned problems;       /* enum kk_print_problem flags */
	unsigned session_left;   /* pages this visitor may still print (UINT32_MAX: no limit) */
	unsigned day_left;
	int err;                 /* kk_err of a FAILED/REFUSED job */
	double prepare_s;        /* prepare: open the printer and lay out (s) */
	double first_byte_s;     /* confirm to the first byte the printer accepted (s) */
	double first_page_s;     /* confirm to the whole first page accepted (s) */
	double print_s;          /* confirm to the end of the job (s) */
	uint64_t bytes;          /* bytes the printer accepted for the job */
	char printer[128];       /* model of the printer */
	char message[256];       /* Chinese, for the resident: why it failed or was refused */
	char detail[256];        /* English, for the log and staff */
};

struct kk_print_service;

/*
 * Start the worker: replays the journal (interrupted jobs are logged and closed as failed),
 * loads today's page count. Returns 0, KK_EINVAL (bad options), KK_EIO (spool unusable) or
 * KK_ENOMEM. The caller stops it with kk_print_service_stop. UI thread.
 */
int kk_print_service_start(const struct kk_print_service_opts *o, struct kk_print_service **out);

/* Cancel what runs, join the worker, free everything. NULL is a no-op. */
void kk_print_service_stop(struct kk_print_service *s);

/* Ask for a preview of req: state goes PREPARING, then READY / REFUSED / FAILED. Returns
 * KK_EBUSY while a job is printing. Non-blocking; any thread. */
int kk_print_prepare(struct kk_print_service *s, const struct kk_print_req *req);

/* Print pages [first, last] (0-based, of the READY preview) copies times. Refused (state
 * REFUSED with a message) over the copies cap or the session/day limits. Non-blocking. */
int kk_print_confirm(struct kk_print_service *s, unsigned first, unsigned last, unsigned copies);

/* Cancel a preview (back to IDLE) or a job being printed (CANCELED once the worker stops).
 * Non-blocking. */
void kk_print_cancel(struct kk_print_service *s);

/* Back to IDLE after a finished job has been shown (DONE/FAILED/CANCELED/REFUSED). */
void kk_print_dismiss(struct kk_print_service *s);

/* A new visitor: the per-session page count starts again. */
void kk_print_session_reset(struct kk_print_service *s);

/* Copy the current status. Any thread; never blocks for long. */
void kk_print_status_get(struct kk_print_service *s, struct kk_print_status *out);

/* Block until the state is not PREPARING/PRINTING (the command line uses this), or until
 * timeout_ms passes (returns KK_ETIMEDOUT). */
int kk_print_wait(struct kk_print_service *s, int timeout_ms);

/* Estimate in seconds for `pages` pages: warm-up plus per page. */
unsigned kk_print_estimate(unsigned pages, unsigned seconds_per_page);

/* Page ranges as typed by people and the command line: "3", "2-5", "" or "all" (all pages).
 * 1-based inclusive in the text, 0-based in first and last; refused past n. */
int kk_print_range_parse(const char *s, unsigned n, unsigned *first, unsigned *last);

#endif
