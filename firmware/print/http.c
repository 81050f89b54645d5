/*
 * http.c — HTTP/1.1 POST over a kk_print_io, for IPP (see http.h for the contract).
 *
 * The response reader works on a small read-ahead window (h->in) and never trusts a length
 * it was told: Content-Length and chunk sizes are parsed digit by digit with an overflow
 * check, lines are capped, and every wait is bounded by the per-call timeout and the
 * response deadline.
 */
#include "print/http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/err.h"

/* Milliseconds on the monotonic clock. */
static int64_t http_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connection on io (not owned) with the default timeouts (http.h). */
void kk_http_init(struct kk_http *h, struct kk_print_io *io)
{
	memset(h, 0, sizeof *h);
	h->io = io;
	h->timeout_ms = KK_HTTP_TIMEOUT_DEFAULT;
	h->response_ms = KK_HTTP_RESPONSE_DEFAULT;
}

/* 1 while the byte stream is known to be between responses. */
int kk_http_usable(const struct kk_http *h)
{
	return h && h->io && !h->dead;
}

/* ---- sending ---------------------------------------------------------------------------- */

/* Write all n bytes; a transport that takes nothing for timeout_ms is KK_ETIMEDOUT. Bytes the
 * transport accepted are never sent again. */
static int http_write_all(struct kk_http *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	int64_t last = http_now_ms();

	while (n > 0) {
		ssize_t w = h->io->ops->write(h->io->ctx, b, n, h->timeout_ms);
		if (w < 0)
			return (int)w;
		if ((size_t)w > n)
			return KK_EIO; /* a transport that claims more than it was given */
		if (w == 0) {
			if (http_now_ms() - last >= h->timeout_ms)
				return KK_ETIMEDOUT;
			continue;
		}
		b += w;
		n -= (size_t)w;
		last = http_now_ms();
	}
	return 0;
}

/* One chunk: size in hex, CRLF, data, CRLF. n must be > 0 (0 ends the body). */
static int http_write_chunk(struct kk_http *h, const void *p, size_t n)
{
	char head[24];
	int rc, k = snprintf(head, sizeof head, "%zx\r\n", n);

	if ((rc = http_write_all(h, head, (size_t)k)) || (rc = http_write_all(h, p, n)))
		return rc;
	return http_write_all(h, "\r\n", 2);
}

/* 1 if s is a non-empty header value without control characters. */
static int http_token_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return 0;
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
			return 0;
	return 1;
}

/* Headers and body of the request. Returns the transport's error (or KK_EINVAL before
 * anything was sent); *more_rc gets the body producer's error, after which the request was
 * still ended properly. */
static int http_send(struct kk_http *h, const struct kk_http_request *rq, int *more_rc)
{
	char head[2048]; /* fits the longest host, path and type the checks below let through */
	struct kk_buf piece;
	int rc, k;

	if (!http_token_ok(rq->host, 256) || !http_token_ok(rq->path, 1024) || rq->path[0] != '/' ||
	    !http_token_ok(rq->content_type, 100) || strchr(rq->path, ' '))
		return KK_EINVAL;
	k = snprintf(head, sizeof head,
		     "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nUser-Agent: kk-kiosk\r\n",
		     rq->path, rq->host, rq->content_type);
	if (rq->more)
		k += snprintf(head + k, sizeof head - (size_t)k, "Transfer-Encoding: chunked\r\n\r\n");
	else
		k += snprintf(head + k, sizeof head - (size_t)k, "Content-Length: %zu\r\n\r\n",
			      rq->head_len);
	if (k <= 0 || (size_t)k >= sizeof head)
		return KK_EINVAL;
	if ((rc = http_write_all(h, head, (size_t)k)))
		return rc;
	if (!rq->more)
		return http_write_all(h, rq->head, rq->head_len);

	if (rq->head_len && (rc = http_write_chunk(h, rq->head, rq->head_len)))
		return rc;
	kk_buf_init(&piece, rq->chunk_max ? rq->chunk_max : (1u << 20));
	for (;;) {
		kk_buf_reset(&piece);
		*more_rc = rq->more(rq->more_ctx, &piece);
		if (*more_rc || piece.len == 0)
			break;
		if ((rc = http_write_chunk(h, piece.data, piece.len)))
			goto out;
	}
	/* the last chunk, also after the producer failed: the server then answers and the
	 * stream stays in step */
	rc = http_write_all(h, "0\r\n\r\n", 5);
out:
	kk_buf_fini(&piece);
	return rc;
}

/* ---- receiving -------------------------------------------------------------------------- */

/* More bytes into the window (which must be empty). Returns > 0, 0 at end of stream, or a
 * negative kk_err; KK_ETIMEDOUT when the deadline passes. */
static int http_fill(struct kk_http *h, int64_t deadline)
{
	int64_t left = deadline - http_now_ms();
	int wait;
	ssize_t r;

	if (left <= 0)
		return KK_ETIMEDOUT;
	wait = left < h->timeout_ms ? (int)left : h->timeout_ms;
	if (wait < 1)
		wait = 1;
	r = h->io->ops->read(h->io->ctx, h->in, sizeof h->in, wait);
	if (r < 0)
		return (int)r;
	if ((size_t)r > sizeof h->in)
		return KK_EIO;
	h->pos = 0;
	h->len = (size_t)r;
	return (int)r;
}

/* One line without its CRLF (or LF) into line (cap KK_HTTP_MAX_LINE + 1). At end of stream:
 * KK_EPROTO, or KK_EIO when nothing at all of the response came (the peer closed an idle
 * connection). */
static int http_line(struct kk_http *h, char *line, int64_t deadline, int first)
{
	size_t n = 0;

	for (;;) {
		if (h->pos == h->len) {
			int r = http_fill(h, deadline);
			if (r < 0)
				return r;
			if (r == 0)
				return first && n == 0 ? KK_EIO : KK_EPROTO;
		}
		uint8_t c = h->in[h->pos++];
		if (c == '\n')
			break;
		if (n >= KK_HTTP_MAX_LINE)
			return KK_EPROTO;
		line[n++] = (char)c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	if (memchr(line, '\0', n))
		return KK_EPROTO;
	return 0;
}

/* Body bytes: take up to want bytes into body (or drop them past its cap, counting against
 * the drain cap). want == SIZE_MAX reads to the end of stream. */
static int http_body_bytes(struct kk_http *h, struct kk_buf *body, size_t want, int64_t deadline,
			   size_t *dropped)
{
	while (want > 0) {
		if (h->pos == h->len) {
			int r = http_fill(h, deadline);
			if (r < 0)
				return r;
			if (r == 0)
				return want == SIZE_MAX ? 0 : KK_EPROTO;
		}
		size_t n = h->len - h->pos;
		if (n > want)
			n = want;
		size_t keep = body->max > body->len ? body->max - body->len : 0;
		if (keep > n)
			keep = n;
		if (keep && kk_buf_add(body, h->in + h->pos, keep))
			return KK_ENOMEM;
		*dropped += n - keep;
		if (*dropped > KK_HTTP_MAX_DRAIN)
			return KK_E2BIG;
		h->pos += n;
		if (want != SIZE_MAX)
			want -= n;
	}
	return 0;
}

/* Parse a decimal (Content-Length) or hex (chunk size) number; the whole of s up to end
 * must be digits (a chunk size may be followed by ';' extensions or blanks). */
static int http_number(const char *s, int base, size_t *out)
{
	size_t v = 0;
	int any = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v > (SIZE_MAX - (size_t)d) / (size_t)base)
			return KK_EPROTO;
		v = v * (size_t)base + (size_t)d;
		any = 1;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (!any || (*s && !(base == 16 && *s == ';')))
		return KK_EPROTO;
	*out = v;
	return 0;
}

/* Chunked body: size lines, data, CRLF after each; the 0 chunk, then trailers to an empty
 * line. */
static int http_chunked(struct kk_http *h, struct kk_buf *body, char *line, int64_t deadline,
			size_t *dropped)
{
	int rc;
	unsigned trailers = 0;

	for (;;) {
		size_t n;
		if ((rc = http_line(h, line, deadline, 0)) || (rc = http_number(line, 16, &n)))
			return rc;
		if (n == 0)
			break;
		if (n > KK_HTTP_MAX_DRAIN)
			return KK_EPROTO;
		if ((rc = http_body_bytes(h, body, n, deadline, dropped)))
			return rc;
		if ((rc = http_line(h, line, deadline, 0)))
			return rc;
		if (line[0])
			return KK_EPROTO; /* chunk data longer than its size */
	}
	for (;;) {
		if ((rc = http_line(h, line, deadline, 0)))
			return rc;
		if (!line[0])
			return 0;
		if (++trailers > KK_HTTP_MAX_HEADERS)
			return KK_EPROTO;
	}
}

/* 1 if the comma-separated header value v lists token (any case). */
static int http_has_token(const char *v, const char *token)
{
	size_t tl = strlen(token);

	while (*v) {
		size_t n;
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		n = strcspn(v, ", \t");
		if (n == tl && strncasecmp(v, token, tl) == 0)
			return 1;
		v += n;
	}
	return 0;
}

/* Status line and headers; fills what framing the body has. */
struct http_head {
	int status;
	int chunked, has_length, close;
	size_t length;
};

/* Read the status line and the headers; line is scratch of KK_HTTP_MAX_LINE + 1 bytes. */
static int http_head(struct kk_http *h, char *line, int64_t deadline, struct http_head *hd, int first)
{
	unsigned count = 0;
	int rc;

	memset(hd, 0, sizeof *hd);
	if ((rc = http_line(h, line, deadline, first)))
		return rc;
	/* "HTTP/1.x SSS reason" */
	if (strncmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
	    line[8] != ' ' || line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' ||
	    line[11] < '0' || line[11] > '9' || (line[12] != ' ' && line[12] != '\0'))
		return KK_EPROTO;
	hd->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	if (line[7] == '0')
		hd->close = 1; /* HTTP/1.0 without keep-alive */
	for (;;) {
		char *colon, *v;
		if ((rc = http_line(h, line, deadline, 0)))
			return rc;
		if (!line[0])
			return 0;
		if (++count > KK_HTTP_MAX_HEADERS || !(colon = strchr(line, ':')) || colon == line)
			return KK_EPROTO;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (strcasecmp(line, "Content-Length") == 0) {
			size_t n;
			if (http_number(v, 10, &n) || (hd->has_length && n != hd->length))
				return KK_EPROTO;
			hd->has_length = 1;
			hd->length = n;
		} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
			size_t vl = strlen(v);
			while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				v[--vl] = '\0';
			/* chunked must be the last coding; any other coding we cannot undo */
			if (strcasecmp(v, "chunked") != 0 && strcasecmp(v, "identity") != 0)
				return KK_EPROTO;
			hd->chunked = strcasecmp(v, "chunked") == 0;
		} else if (strcasecmp(line, "Connection") == 0) {
			if (http_has_token(v, "close"))
				hd->close = 1;
			else if (http_has_token(v, "keep-alive"))
				hd->close = 0;
		}
	}
}

/* Read a whole response (skipping 1xx) into resp. */
static int http_read_response(struct kk_http *h, struct kk_http_response *resp)
{
	char line[KK_HTTP_MAX_LINE + 1];
	int64_t deadline = http_now_ms() + h->response_ms;
	struct http_head hd;
	size_t dropped = 0;
	int rc;

	for (unsigned k = 0;; k++) {
		if ((rc = http_head(h, line, deadline, &hd, k == 0))) {
			h->dead = 1;
			return rc;
		}
		if (hd.status >= 200)
			break;
		if (k >= 8) {
			h->dead = 1;
			return KK_EPROTO; /* a stream of 1xx */
		}
	}
	resp->status = hd.status;
	if (hd.status == 204 || hd.status == 304)
		rc = 0;
	else if (hd.chunked)
		rc = http_chunked(h, resp->body, line, deadline, &dropped);
	else if (hd.has_length)
		rc = http_body_bytes(h, resp->body, hd.length, deadline, &dropped);
	else {
		/* delimited by the close: read to the end, then the stream is gone */
		rc = http_body_bytes(h, resp->body, SIZE_MAX, deadline, &dropped);
		hd.close = 1;
	}
	if (hd.close || rc)
		h->dead = 1; /* closed, or stopped somewhere inside the body */
	if (!rc && dropped)
		rc = KK_E2BIG; /* drained to the end: the stream is still in step */
	return rc;
}

/* One request and its whole response (http.h). Blocks up to the connection's timeouts. */
int kk_http_post(struct kk_http *h, const struct kk_http_request *rq,
		 struct kk_http_response *resp)
{
	int rc, more_rc = 0;

	if (!h || !h->io || !rq || !resp || !resp->body)
		return KK_EINVAL;
	if (h->dead)
		return KK_EIO;
	resp->status = 0;
	/* bytes already read past the last response (if any) stay: they start this one */
	rc = http_send(h, rq, &more_rc);
	if (rc == KK_EINVAL)
		return rc; /* refused before a byte went out */
	if (rc) {
		h->dead = 1; /* the transport failed mid-request */
		return rc;
	}
	rc = http_read_response(h, resp);
	return more_rc ? more_rc : rc;
}

/* ---- the parser on bytes in hand ------------------------------------------------------- */

struct http_mem {
	const uint8_t *p;
	size_t n, i;
};

/* A read-only transport over bytes in memory, for kk_http_parse_response. */
static ssize_t http_mem_read(void *ctx, void *buf, size_t len, int timeout_ms)
{
	struct http_mem *m = ctx;
	size_t k = m->n - m->i;
	if (k > len)
		k = len;
	/* hand out odd-sized pieces so the window's edges fall everywhere */
	if (k > 7 && (m->i & 1))
		k = 7;
	memcpy(buf, m->p + m->i, k);
	m->i += k;
	return (ssize_t)k;
}

/* Nothing can be written to bytes in hand. */
static ssize_t http_mem_write(void *ctx, const void *buf, size_t len, int timeout_ms)
{
	return KK_EIO;
}

/* Nothing to release. */
static void http_mem_close(void *ctx)
{
}

static const struct kk_print_io_ops http_mem_ops = {
	.name = "mem",
	.write = http_mem_write,
	.read = http_mem_read,
	.close = http_mem_close,
};

/* The response parser of kk_http_post fed from memory (tests, fuzzing). */
int kk_http_parse_response(const void *data, size_t n, struct kk_http_response *resp,
			   size_t *used)
{
	struct http_mem m = { .p = data, .n = n };
	struct kk_print_io io = { &http_mem_ops, &m };
	struct kk_http h;
	int rc;

	kk_http_init(&h, &io);
	resp->status = 0;
	rc = http_read_response(&h, resp);
	if (used)
		*used = m.i - (h.len - h.pos);
	return rc;
}
