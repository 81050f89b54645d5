/*
 * http.h — the smallest HTTP/1.1 client IPP needs, over any kk_print_io byte pipe (a TCP
 * socket for ipp://, the bulk endpoints of an IPP-over-USB interface).
 *
 * One request at a time on one keep-alive connection: POST with a body either known in full
 * (Content-Length) or streamed from a callback as chunks (Transfer-Encoding: chunked), so a
 * long print job never sits whole in memory. No Expect: 100-continue (IPP-over-USB printers
 * and ipp-usb handle it badly); a stray 1xx answer is skipped. The response is always read to
 * its end — by Content-Length, by chunks, or to the close — even when the caller's buffer is
 * full (drained up to KK_HTTP_MAX_DRAIN, then KK_E2BIG): a response left half-read desyncs an
 * IPP-over-USB pipe for every later request.
 *
 * Every byte of the response is hostile: the status line and each header line are capped at
 * KK_HTTP_MAX_LINE, the header count at KK_HTTP_MAX_HEADERS, chunk sizes are checked for
 * overflow. Timeouts: each read and write waits at most timeout_ms for progress, and a whole
 * response must arrive within response_ms.
 *
 * After an error the connection's byte stream is in an unknown place: kk_http_usable() turns
 * 0 and the caller must open a new transport. The same happens after "Connection: close" or a
 * body delimited by the close.
 *
 * Blocking; for the print worker thread. A struct kk_http is not thread-safe.
 */
#ifndef KK_PRINT_HTTP_H
#define KK_PRINT_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "print/io.h"

#define KK_HTTP_MAX_LINE 2048u          /* status line, one header line, one chunk-size line */
#define KK_HTTP_MAX_HEADERS 64u
#define KK_HTTP_MAX_DRAIN (16u << 20)   /* body bytes read past the caller's cap, then dropped */
#define KK_HTTP_TIMEOUT_DEFAULT 30000   /* ms without progress */
#define KK_HTTP_RESPONSE_DEFAULT 120000 /* ms for a whole response */

struct kk_http {
	struct kk_print_io *io; /* not owned */
	int timeout_ms;         /* no progress on a read or write for this long: KK_ETIMEDOUT */
	int response_ms;        /* a whole response (status to last byte) within this */
	int dead;               /* stream unusable: error, or the server closes it */
	size_t pos, len;        /* read-ahead window in in[] */
	uint8_t in[4096];
};

/*
 * Streamed body: append the next piece to out (which the caller empties between calls) and
 * return 0; return 0 with nothing appended when the body is complete; a negative kk_err to
 * stop (the request is then ended with the final chunk so the stream stays in sync, the
 * response drained, and that error returned).
 */
typedef int (*kk_http_body_fn)(void *ctx, struct kk_buf *out);

struct kk_http_request {
	const char *host;         /* Host header ("127.0.0.1:631", "localhost"); no CR/LF */
	const char *path;         /* "/ipp/print"; starts with '/' */
	const char *content_type; /* "application/ipp" */
	const void *head;         /* the first bytes of the body (the IPP request) */
	size_t head_len;
	kk_http_body_fn more;     /* NULL: the body is head alone, sent with Content-Length */
	void *more_ctx;
	size_t chunk_max;         /* cap of the buffer handed to more (0: 1 MiB) */
};

struct kk_http_response {
	int status;               /* 200 ... */
	struct kk_buf *body;      /* caller's buffer; its cap bounds what is kept */
};

/* Set up h on io (not owned) with the default timeouts. */
void kk_http_init(struct kk_http *h, struct kk_print_io *io);

/*
 * Send one POST and read its whole response into resp->body (appended). Returns 0 when a
 * complete response arrived (any status: check resp->status), KK_EINVAL (bad host/path),
 * KK_ETIMEDOUT, KK_EPROTO (broken or truncated response), KK_EIO/KK_ENODEV from the
 * transport, KK_E2BIG (body over the buffer's cap; drained), or the error of rq->more.
 * Blocks up to the timeouts above.
 */
int kk_http_post(struct kk_http *h, const struct kk_http_request *rq,
		 struct kk_http_response *resp);

/* 1 while another request may go on this connection. */
int kk_http_usable(const struct kk_http *h);

/*
 * Read one response from bytes already in hand (for the fuzz target and unit tests): the
 * same parser kk_http_post uses, fed from data instead of a transport. Returns as
 * kk_http_post; *used gets the bytes consumed.
 */
int kk_http_parse_response(const void *data, size_t n, struct kk_http_response *resp,
			   size_t *used);

#endif
