/*
 * ipp_client.c — IPP Everywhere operations for the print worker (see ipp_client.h).
 *
 * DESIGN: one session per call: a kk_http on the caller's transport, a request buffer and a
 * response buffer, both capped. Every answer is checked (HTTP 200, an IPP message that
 * decodes, the request-id we sent) before a value is read from it. A job is cancelled at a
 * page boundary by ending the chunked body there (never by dropping the connection mid-chunk:
 * on an IPP-over-USB pipe that would leave half a request in the printer), then Cancel-Job.
 * Polling sleeps in short slices so the cancel flag is seen within 50 ms.
 */
#include "print/ipp_client.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/log.h"
#include "base/utf8.h"
#include "print/http.h"
#include "print/ipp.h"
#include "print/lang.h"
#include "print/status.h"

#define IPP_REQ_MAX (64u << 10)
#define IPP_POLL_SLICE_MS 50

struct ipp_session {
	struct kk_print_io *io;
	struct kk_http http;
	const char *host, *resource;
	char uri[1400];
	uint32_t next_id;
	struct kk_buf req, resp;
	int (*reopen)(void *ctx, struct kk_print_io *io);
	void *reopen_ctx;
	int timeout_ms;
	int http_status, ipp_status;
};

/* Milliseconds on the monotonic clock. */
static int64_t ipp_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Set up s on io. KK_EINVAL for a missing or over-long host/resource. */
static int ipp_session_init(struct ipp_session *s, struct kk_print_io *io, const char *host,
			    const char *resource, int timeout_ms)
{
	memset(s, 0, sizeof *s);
	kk_buf_init(&s->req, IPP_REQ_MAX);
	kk_buf_init(&s->resp, KK_IPP_MAX_MSG);
	s->ipp_status = -1;
	if (!io || !io->ops || !host || !host[0] || !resource || resource[0] != '/')
		return KK_EINVAL;
	if (snprintf(s->uri, sizeof s->uri, "ipp://%s%s", host, resource) >= (int)sizeof s->uri)
		return KK_EINVAL;
	s->io = io;
	s->host = host;
	s->resource = resource;
	s->next_id = 1;
	s->timeout_ms = timeout_ms > 0 ? timeout_ms : KK_HTTP_TIMEOUT_DEFAULT;
	kk_http_init(&s->http, io);
	s->http.timeout_ms = s->timeout_ms;
	return 0;
}

/* Free the session's buffers (the transport is the caller's). */
static void ipp_session_fini(struct ipp_session *s)
{
	kk_buf_fini(&s->req);
	kk_buf_fini(&s->resp);
}

/* Start a request in s->req: header, printer-uri, requesting-user-name. */
static int ipp_request(struct ipp_session *s, uint16_t op, const char *user)
{
	int rc;
	kk_buf_reset(&s->req);
	if ((rc = kk_ipp_begin(&s->req, op, s->next_id, "en")) ||
	    (rc = kk_ipp_add_str(&s->req, KK_IPP_URI, "printer-uri", s->uri)))
		return rc;
	return kk_ipp_add_str(&s->req, KK_IPP_NAME, "requesting-user-name", user ? user : "kiosk");
}

/*
 * Send s->req (plus a streamed body from more) and decode the answer into *m. Reopens the
 * transport first when the last exchange left it unusable and the caller gave a way to.
 */
static int ipp_call(struct ipp_session *s, kk_http_body_fn more, void *more_ctx,
		    struct kk_ipp_msg *m)
{
	struct kk_http_request rq = { .host = s->host, .path = s->resource,
				      .content_type = "application/ipp", .head = s->req.data,
				      .head_len = s->req.len, .more = more, .more_ctx = more_ctx,
				      .chunk_max = KK_IPP_PAGE_MAX };
	struct kk_http_response resp = { .body = &s->resp };
	uint32_t id = s->next_id++;
	int rc;

	memset(m, 0, sizeof *m);
	if (!kk_http_usable(&s->http)) {
		if (!s->reopen)
			return KK_EIO;
		if ((rc = s->reopen(s->reopen_ctx, s->io)))
			return rc;
		kk_http_init(&s->http, s->io);
		s->http.timeout_ms = s->timeout_ms;
	}
	kk_buf_reset(&s->resp);
	rc = kk_http_post(&s->http, &rq, &resp);
	s->http_status = resp.status;
	if (rc)
		return rc;
	if (resp.status != 200)
		return KK_EPROTO;
	if ((rc = kk_ipp_parse(s->resp.data, s->resp.len, m)))
		return rc == KK_ENOMEM ? rc : KK_EPROTO;
	s->ipp_status = m->code;
	if (m->request_id != id) {
		kk_ipp_msg_fini(m);
		return KK_EPROTO;
	}
	return 0;
}

/* Copy len bytes of text into dst (size > 0) as valid UTF-8, bad bytes as '?', cut at a
 * character boundary. */
static void ipp_copy_text(char *dst, size_t size, const char *src, size_t len)
{
	size_t o = 0, i = 0;

	while (i < len) {
		size_t start = i;
		int32_t cp = kk_utf8_next(src, len, &i);
		size_t n = cp < 0 || cp == 0 ? 1 : i - start;
		if (o + n >= size)
			break;
		if (cp <= 0 || cp < 0x20) {
			dst[o++] = '?';
			i = start + 1;
		} else {
			memcpy(dst + o, src + start, n);
			o += n;
		}
	}
	dst[o] = '\0';
}

/* Join the string values of attribute a into dst, comma-separated; over-long values cut. */
static void ipp_join(const struct kk_ipp_msg *m, const struct kk_ipp_attr *a, char *dst,
		     size_t size)
{
	size_t o = 0;
	dst[0] = '\0';
	for (unsigned k = 0; a && k < a->count; k++) {
		const struct kk_ipp_value *v = kk_ipp_value(m, a, k);
		char one[128];
		ipp_copy_text(one, sizeof one, v->s, v->len);
		int n = snprintf(dst + o, size - o, "%s%s", o ? "," : "", one);
		if (n < 0 || (size_t)n >= size - o) {
			dst[o] = '\0';
			return;
		}
		o += (size_t)n;
	}
}

/* Problem flags from printer-state-reasons (or job-state-reasons) values. */
static unsigned ipp_problems(const struct kk_ipp_msg *m, const struct kk_ipp_attr *a)
{
	unsigned f = 0;
	for (unsigned k = 0; a && k < a->count; k++) {
		const struct kk_ipp_value *v = kk_ipp_value(m, a, k);
		if (v->tag == KK_IPP_KEYWORD)
			f |= kk_print_problem_from_ipp(v->s);
	}
	return f;
}

/* The smallest integer value of a 1setOf integer attribute, or -1. */
static int ipp_min_int(const struct kk_ipp_msg *m, const char *name)
{
	const struct kk_ipp_attr *a = kk_ipp_find(m, KK_IPP_GROUP_PRINTER, name);
	int best = -1;
	for (unsigned k = 0; a && k < a->count; k++) {
		const struct kk_ipp_value *v = kk_ipp_value(m, a, k);
		if (v->tag == KK_IPP_INTEGER && v->i >= 0 && (best < 0 || v->i < best))
			best = v->i;
	}
	return best;
}

/* 1 if attribute name has a string value equal to want. */
static int ipp_has_value(const struct kk_ipp_msg *m, const char *name, const char *want)
{
	const struct kk_ipp_attr *a = kk_ipp_find(m, KK_IPP_GROUP_PRINTER, name);
	for (unsigned k = 0; a && k < a->count; k++)
		if (strcmp(kk_ipp_value(m, a, k)->s, want) == 0)
			return 1;
	return 0;
}

/* Keyword (or name) values of attribute name into out[max], as text; returns the count. */
static unsigned ipp_keywords(const struct kk_ipp_msg *m, const char *name, char (*out)[64],
			     unsigned max)
{
	const struct kk_ipp_attr *a = kk_ipp_find(m, KK_IPP_GROUP_PRINTER, name);
	unsigned n = 0;
	for (unsigned k = 0; a && k < a->count && n < max; k++) {
		const struct kk_ipp_value *v = kk_ipp_value(m, a, k);
		if (v->tag == KK_IPP_KEYWORD || v->tag == KK_IPP_NAME)
			ipp_copy_text(out[n++], sizeof out[0], v->s, v->len);
	}
	return n;
}

/* Fill *p from a decoded Get-Printer-Attributes answer (see ipp_client.h). */
void kk_ipp_printer_parse(const struct kk_ipp_msg *m, struct kk_ipp_printer *p)
{
	const struct kk_ipp_attr *a;
	const char *s;

	memset(p, 0, sizeof *p);
	p->state = kk_ipp_get_int(m, KK_IPP_GROUP_PRINTER, "printer-state", 0);
	a = kk_ipp_find(m, KK_IPP_GROUP_PRINTER, "printer-state-reasons");
	p->problems = ipp_problems(m, a);
	ipp_join(m, a, p->reasons, sizeof p->reasons);
	if ((a = kk_ipp_find(m, KK_IPP_GROUP_PRINTER, "printer-state-message")))
		ipp_copy_text(p->state_message, sizeof p->state_message, m->values[a->first].s,
			      m->values[a->first].len);
	if ((a = kk_ipp_find(m, KK_IPP_GROUP_PRINTER, "printer-make-and-model")))
		ipp_copy_text(p->make_and_model, sizeof p->make_and_model, m->values[a->first].s,
			      m->values[a->first].len);
	p->accepting = kk_ipp_get_int(m, KK_IPP_GROUP_PRINTER, "printer-is-accepting-jobs", -1);
	p->pwg_raster = ipp_has_value(m, "document-format-supported", "image/pwg-raster");
	if (ipp_has_value(m, "pwg-raster-document-type-supported", "black_1"))
		p->raster_bits = KK_RASTER_MONO;
	else if (ipp_has_value(m, "pwg-raster-document-type-supported", "sgray_8"))
		p->raster_bits = KK_RASTER_GREY;
	a = kk_ipp_find(m, KK_IPP_GROUP_PRINTER, "pwg-raster-document-resolution-supported");
	for (unsigned k = 0; a && k < a->count && p->n_res < KK_IPP_MAX_RES; k++) {
		const struct kk_ipp_value *v = kk_ipp_value(m, a, k);
		if (v->tag == KK_IPP_RESOLUTION && v->i == v->i2 && v->units == 3 &&
		    v->i >= (int32_t)KK_RASTER_MIN_DPI && v->i <= (int32_t)KK_RASTER_MAX_DPI)
			p->res[p->n_res++] = (unsigned)v->i;
	}
	p->margin_top = ipp_min_int(m, "media-top-margin-supported");
	p->margin_bottom = ipp_min_int(m, "media-bottom-margin-supported");
	p->margin_left = ipp_min_int(m, "media-left-margin-supported");
	p->margin_right = ipp_min_int(m, "media-right-margin-supported");
	if ((s = kk_ipp_get_str(m, KK_IPP_GROUP_PRINTER, "media-default")))
		ipp_copy_text(p->media_default, sizeof p->media_default, s, strlen(s));
	p->n_media_ready = ipp_keywords(m, "media-ready", p->media_ready, KK_IPP_MAX_MEDIA);
	p->n_media_supported = ipp_keywords(m, "media-supported", p->media_supported,
					    KK_IPP_MAX_MEDIA_SUP);
	p->copies_max = 1;
	a = kk_ipp_find(m, KK_IPP_GROUP_PRINTER, "copies-supported");
	if (a && m->values[a->first].tag == KK_IPP_RANGE && m->values[a->first].i2 > 1)
		p->copies_max = m->values[a->first].i2;
}

/* Get-Printer-Attributes on an open session. */
static int ipp_session_query(struct ipp_session *s, struct kk_ipp_printer *out)
{
	static const char *const want[] = {
		"printer-state", "printer-state-reasons", "printer-state-message",
		"printer-make-and-model", "printer-is-accepting-jobs", "document-format-supported",
		"pwg-raster-document-resolution-supported", "pwg-raster-document-type-supported",
		"media-bottom-margin-supported", "media-left-margin-supported",
		"media-right-margin-supported", "media-top-margin-supported", "media-ready",
		"media-default", "media-supported", "copies-supported"
	};
	struct kk_ipp_msg m;
	int rc;

	if ((rc = ipp_request(s, KK_IPP_OP_GET_PRINTER_ATTRIBUTES, NULL)))
		return rc;
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
		if ((rc = kk_ipp_add_str(&s->req, KK_IPP_KEYWORD, k ? NULL : "requested-attributes",
					 want[k])))
			return rc;
	if ((rc = kk_ipp_add_group(&s->req, KK_IPP_GROUP_END)) || (rc = ipp_call(s, NULL, NULL, &m)))
		return rc;
	rc = m.code >= 0x0400 ? KK_EPROTO : 0;
	if (!rc)
		kk_ipp_printer_parse(&m, out);
	kk_ipp_msg_fini(&m);
	return rc;
}

/* Get-Printer-Attributes on its own session (ipp_client.h). */
/* KK_PP_GONE for errors that mean the printer is not answering at all. */
static unsigned ipp_gone(int rc)
{
	return rc == KK_ETIMEDOUT || rc == KK_EIO || rc == KK_ENODEV ? KK_PP_GONE : 0;
}

int kk_ipp_query(struct kk_print_io *io, const char *host, const char *resource, int timeout_ms,
		 struct kk_ipp_printer *out)
{
	struct ipp_session s;
	int rc;

	if (!out)
		return KK_EINVAL;
	memset(out, 0, sizeof *out);
	if (!(rc = ipp_session_init(&s, io, host, resource, timeout_ms)))
		rc = ipp_session_query(&s, out);
	ipp_session_fini(&s);
	if (rc)
		out->problems = ipp_gone(rc);
	return rc;
}

/* Cancel-Job on an open session. */
static int ipp_session_cancel(struct ipp_session *s, int job_id, const char *user)
{
	struct kk_ipp_msg m;
	int rc;

	if ((rc = ipp_request(s, KK_IPP_OP_CANCEL_JOB, user)) ||
	    (rc = kk_ipp_add_int(&s->req, KK_IPP_INTEGER, "job-id", job_id)) ||
	    (rc = kk_ipp_add_group(&s->req, KK_IPP_GROUP_END)) || (rc = ipp_call(s, NULL, NULL, &m)))
		return rc;
	rc = m.code >= 0x0400 ? KK_EPROTO : 0;
	kk_ipp_msg_fini(&m);
	return rc;
}

/* Cancel-Job on its own session (ipp_client.h). */
int kk_ipp_cancel(struct kk_print_io *io, const char *host, const char *resource, int timeout_ms,
		  int job_id)
{
	struct ipp_session s;
	int rc = ipp_session_init(&s, io, host, resource, timeout_ms);

	if (!rc)
		rc = job_id > 0 ? ipp_session_cancel(&s, job_id, NULL) : KK_EINVAL;
	ipp_session_fini(&s);
	return rc;
}

/* ---- Print-Job -------------------------------------------------------------------------- */

struct ipp_stream {
	const struct kk_ipp_job *job;
	struct kk_ipp_result *res;
	unsigned total;        /* pages to send: pages * copies sent over */
	unsigned next;         /* next page to produce */
	unsigned header_copies;
	int canceled;          /* the flag was seen: the body was ended early */
	int err;               /* a page could not be made: the body was ended early */
};

/* 1 if the (optional) cancel flag is set. */
static int ipp_flag(const atomic_int *f)
{
	return f && atomic_load(f) != 0;
}

/* kk_http_body_fn: the sync word and page 0, then one page per call. A page that cannot be
 * made (callback or encoder error) is dropped whole and ends the document there, like a
 * cancel, so the request stays well-formed and the job can be cancelled by its id. */
static int ipp_stream_more(void *ctx, struct kk_buf *out)
{
	struct ipp_stream *st = ctx;
	const struct kk_ipp_job *job = st->job;
	struct kk_print_opts o = { .copies = st->header_copies, .total_pages = st->total };
	struct kk_raster r = { 0 };
	int rc;

	if (st->next > 0) { /* the previous page went out whole */
		st->res->pages_sent = st->next;
		if (job->progress)
			job->progress(job->ctx, st->next, 0, st->res->problems_now);
	}
	if (st->next >= st->total)
		return 0;
	if (ipp_flag(job->cancel)) {
		st->canceled = 1;
		return 0; /* end the document at this page boundary */
	}
	rc = st->next == 0 ? kk_print_lang_pwg.job_begin(out, &o) : 0;
	if (!rc)
		rc = job->page(job->ctx, st->next % job->pages, &r);
	if (!rc)
		rc = kk_print_lang_pwg.page(out, &r, &o);
	kk_raster_fini(&r);
	if (rc) {
		st->err = rc;
		kk_buf_reset(out);
		return 0;
	}
	st->next++;
	return 0;
}

/* Print-Job: operation attributes, job attributes, then the streamed document. */
static int ipp_send_job(struct ipp_session *s, const struct kk_ipp_job *job, unsigned copies_attr,
			const char *media, struct ipp_stream *st, struct kk_ipp_result *res)
{
	char title[256];
	struct kk_ipp_msg m;
	int rc;

	ipp_copy_text(title, sizeof title, job->title ? job->title : "", job->title ? strlen(job->title) : 0);
	if ((rc = ipp_request(s, KK_IPP_OP_PRINT_JOB, job->user)) ||
	    (rc = kk_ipp_add_str(&s->req, KK_IPP_NAME, "job-name", title[0] ? title : "document")) ||
	    (rc = kk_ipp_add_str(&s->req, KK_IPP_MIMETYPE, "document-format", "image/pwg-raster")) ||
	    (rc = kk_ipp_add_group(&s->req, KK_IPP_GROUP_JOB)))
		return rc;
	if (copies_attr > 1 && (rc = kk_ipp_add_int(&s->req, KK_IPP_INTEGER, "copies", (int32_t)copies_attr)))
		return rc;
	if (media && (rc = kk_ipp_add_str(&s->req, KK_IPP_KEYWORD, "media", media)))
		return rc;
	if ((rc = kk_ipp_add_group(&s->req, KK_IPP_GROUP_END)))
		return rc;
	rc = ipp_call(s, ipp_stream_more, st, &m);
	if (rc)
		return rc;
	res->job_id = kk_ipp_get_int(&m, KK_IPP_GROUP_JOB, "job-id", 0);
	res->job_state = kk_ipp_get_int(&m, KK_IPP_GROUP_JOB, "job-state", 0);
	if (m.code >= 0x0400) {
		const struct kk_ipp_attr *bad = NULL;
		for (unsigned k = 0; k < m.n_attrs && !bad; k++)
			if (m.attrs[k].group == KK_IPP_GROUP_UNSUPPORTED && m.attrs[k].depth == 0)
				bad = &m.attrs[k];
		snprintf(res->message, sizeof res->message, "Print-Job refused: %s%s%.64s",
			 kk_ipp_status_name(m.code), bad ? " unsupported=" : "", bad ? bad->name : "");
		rc = m.code == 0x040a || m.code == 0x040b ? KK_EINVAL
		     : m.code == 0x0506 || m.code == 0x0507 ? KK_EBUSY : KK_EPROTO;
	} else if (res->job_id <= 0) {
		snprintf(res->message, sizeof res->message, "Print-Job answer without a job-id");
		rc = KK_EPROTO;
	}
	kk_ipp_msg_fini(&m);
	return rc;
}

/* Get-Job-Attributes: job-state and job-state-reasons into res. */
static int ipp_job_poll(struct ipp_session *s, const struct kk_ipp_job *job, struct kk_ipp_result *res)
{
	struct kk_ipp_msg m;
	int rc;

	if ((rc = ipp_request(s, KK_IPP_OP_GET_JOB_ATTRIBUTES, job->user)) ||
	    (rc = kk_ipp_add_int(&s->req, KK_IPP_INTEGER, "job-id", res->job_id)) ||
	    (rc = kk_ipp_add_str(&s->req, KK_IPP_KEYWORD, "requested-attributes", "job-state")) ||
	    (rc = kk_ipp_add_str(&s->req, KK_IPP_KEYWORD, NULL, "job-state-reasons")) ||
	    (rc = kk_ipp_add_group(&s->req, KK_IPP_GROUP_END)) || (rc = ipp_call(s, NULL, NULL, &m)))
		return rc;
	if (m.code >= 0x0400) {
		rc = KK_EPROTO;
	} else {
		res->job_state = kk_ipp_get_int(&m, KK_IPP_GROUP_JOB, "job-state", res->job_state);
		ipp_join(&m, kk_ipp_find(&m, KK_IPP_GROUP_JOB, "job-state-reasons"), res->reasons,
			 sizeof res->reasons);
	}
	kk_ipp_msg_fini(&m);
	return rc;
}

/* Sleep ms in slices; 1 when the cancel flag came up meanwhile. */
static int ipp_sleep(int ms, const atomic_int *cancel)
{
	int64_t end = ipp_now_ms() + ms;
	while (!ipp_flag(cancel)) {
		int64_t left = end - ipp_now_ms();
		if (left <= 0)
			return 0;
		if (left > IPP_POLL_SLICE_MS)
			left = IPP_POLL_SLICE_MS;
		struct timespec ts = { 0, (long)left * 1000000L };
		nanosleep(&ts, NULL);
	}
	return 1;
}

/* Note the printer's problems in res and tell the caller. */
static void ipp_note(const struct kk_ipp_job *job, struct kk_ipp_result *res, unsigned problems)
{
	res->problems_now = problems;
	res->problems |= problems;
	if (job->progress)
		job->progress(job->ctx, res->pages_sent, res->job_state, problems);
}

/* Follow the job to a final state. */
static int ipp_follow(struct ipp_session *s, const struct kk_ipp_job *job, struct kk_ipp_result *res)
{
	int64_t deadline = ipp_now_ms() + (job->job_timeout_ms > 0 ? job->job_timeout_ms : 600000);
	int poll = job->poll_ms > 0 ? job->poll_ms : 1000;
	int rc;

	for (;;) {
		struct kk_ipp_printer p;
		if (ipp_flag(job->cancel))
			return KK_ECANCELED;
		if ((rc = ipp_job_poll(s, job, res)))
			return rc;
		if ((rc = ipp_session_query(s, &p)))
			return rc;
		ipp_note(job, res, p.problems);
		if (res->job_state == KK_IPP_JOB_COMPLETED)
			return 0;
		if (res->job_state == KK_IPP_JOB_CANCELED)
			return KK_ECANCELED;
		if (res->job_state == KK_IPP_JOB_ABORTED)
			return KK_EIO;
		if (ipp_now_ms() >= deadline)
			return KK_ETIMEDOUT;
		if (ipp_sleep(poll, job->cancel))
			return KK_ECANCELED;
	}
}

/* The whole job (ipp_client.h): query, Print-Job with streamed pages, follow, cancel. */
int kk_ipp_print(struct kk_print_io *io, const char *host, const char *resource,
		 const struct kk_ipp_job *job, struct kk_ipp_result *res)
{
	struct ipp_session s;
	struct kk_ipp_printer p;
	struct ipp_stream st = { 0 };
	unsigned copies, copies_attr;
	char names[128];
	int rc;

	if (!res)
		return KK_EINVAL;
	memset(res, 0, sizeof *res);
	res->ipp_status = -1;
	if ((rc = ipp_session_init(&s, io, host, resource, job ? job->io_timeout_ms : 0)))
		goto out;
	copies = job ? (job->copies ? job->copies : 1) : 0;
	rc = KK_EINVAL;
	if (!job || !job->page || job->pages == 0 || copies > KK_PRINT_MAX_COPIES ||
	    (uint64_t)job->pages * copies > 100000u) {
		snprintf(res->message, sizeof res->message, "bad job");
		goto out;
	}
	s.reopen = job->reopen;
	s.reopen_ctx = job->reopen_ctx;

	if ((rc = ipp_session_query(&s, &p))) {
		snprintf(res->message, sizeof res->message, "Get-Printer-Attributes failed: %s",
			 kk_err_name(rc));
		goto out;
	}
	ipp_note(job, res, p.problems);
	if (!p.pwg_raster) {
		rc = KK_EINVAL;
		snprintf(res->message, sizeof res->message, "printer does not take image/pwg-raster");
		goto out;
	}
	if (p.accepting == 0) {
		rc = KK_EBUSY;
		snprintf(res->message, sizeof res->message, "printer is not accepting jobs (%.200s)",
			 p.reasons);
		goto out;
	}
	/* copies: by the printer when it says it can make that many, else sent over */
	copies_attr = (int)copies <= p.copies_max ? copies : 1;
	st = (struct ipp_stream){ .job = job, .res = res, .header_copies = 1,
				  .total = job->pages * (copies_attr > 1 ? 1 : copies) };
	const char *media = NULL;
	for (unsigned k = 0; job->media && k < p.n_media_supported; k++)
		if (strcmp(p.media_supported[k], job->media) == 0)
			media = job->media;
	if (job->media && !media)
		kk_info("ipp", "media %s not offered: the printer's default is used", job->media);
	rc = ipp_send_job(&s, job, copies_attr, media, &st, res);
	if (rc && st.err) { /* e.g. an empty document refused: the page is the cause */
		snprintf(res->message, sizeof res->message, "page %u could not be made: %s",
			 st.next + 1, kk_err_name(st.err));
		rc = st.err;
		goto out;
	}
	if (rc) {
		if (!res->message[0])
			snprintf(res->message, sizeof res->message, "Print-Job failed: %s (HTTP %d)",
				 kk_err_name(rc), s.http_status);
		goto out;
	}
	if (st.err) {
		rc = st.err;
		kk_warn("ipp", "page %u of job %d: %s", st.next + 1, res->job_id, kk_err_name(rc));
	} else if (st.canceled) {
		rc = KK_ECANCELED;
	} else {
		res->pages_sent = st.total;
		rc = ipp_follow(&s, job, res);
	}
	if ((rc == KK_ECANCELED || st.err) && res->job_state != KK_IPP_JOB_CANCELED) {
		int crc = ipp_session_cancel(&s, res->job_id, job->user);
		if (crc)
			kk_warn("ipp", "Cancel-Job %d: %s", res->job_id, kk_err_name(crc));
		else if (ipp_job_poll(&s, job, res) == 0 && res->job_state == KK_IPP_JOB_COMPLETED &&
			 !st.err)
			rc = 0; /* it was done before the cancel arrived */
	}
	kk_print_problem_names(res->problems, names, sizeof names);
	snprintf(res->message, sizeof res->message, "job %d %s after %u pages: %s%s%.100s%s%.80s",
		 res->job_id, kk_ipp_job_state_name(res->job_state), res->pages_sent,
		 rc ? kk_err_name(rc) : "ok", res->reasons[0] ? " reasons=" : "", res->reasons,
		 names[0] ? " problems=" : "", names);
out:
	if (ipp_gone(rc)) { /* the UI says the printer is not answering */
		res->problems |= KK_PP_GONE;
		res->problems_now = KK_PP_GONE;
	}
	res->http_status = s.http_status;
	res->ipp_status = s.ipp_status;
	ipp_session_fini(&s);
	return rc;
}
