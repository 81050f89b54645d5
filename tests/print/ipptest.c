/*
 * ipptest.c — drives the IPP client (firmware/print/ipp_client.c) for
 * tests/integration/print-ipp.sh against a real printer simulator, and checks the pages that
 * come back out of an independent decoder chain.
 *
 *   ipptest query URI                 Get-Printer-Attributes; prints key=value lines
 *   ipptest print URI [options]       renders test pages, Print-Job, follows the job
 *       --pages N --copies N --title T --poll MS --timeout MS
 *       --refill FILE    create FILE when the printer reports media-empty (staff adds paper)
 *       --cancel-after N set the cancel flag once N pages went out
 *       --fail-page N    the page callback fails on page N (1-based)
 *   ipptest stall                     a loopback server that accepts and never answers:
 *                                     kk_ipp_query must give ETIMEDOUT within its timeout
 *   ipptest close-mid                 a loopback server that closes halfway through its
 *                                     answer: EPROTO (or EIO)
 *   ipptest pgm-doc FILE.pgm          a printed kiosk document page (A4): dark pixels in the
 *                                     outer 5 mm (must be none), in the header band (10-25 mm
 *                                     from the top), in the footer band (10-45 mm from the
 *                                     bottom), and the share of body rows carrying ink
 *   ipptest pgm FILE.pgm              ink in the regions the test pages draw:
 *                                     body= footer= margin= marks=
 *
 * Test page (fractions of an A4 page, so any resolution reads the same): page number k
 * (1-based) as k squares in a row at the top; "text lines" of word-sized bars in the body;
 * a solid footer band; nothing anywhere else.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "print/ipp.h"
#include "print/ipp_client.h"
#include "print/status.h"
#include "print/tcp.h"

/* Regions, in fractions of width (x) and height (y). */
#define MARK_Y0 0.03
#define MARK_Y1 0.06
#define MARK_X0 0.10
#define MARK_STEP 0.06
#define MARK_W 0.04
#define BODY_X0 0.15
#define BODY_X1 0.85
#define BODY_Y0 0.10
#define BODY_Y1 0.70
#define FOOT_X0 0.30
#define FOOT_X1 0.70
#define FOOT_Y0 0.90
#define FOOT_Y1 0.94

struct test_ctx {
	struct kk_ipp_uri uri;
	unsigned dpi, bits;
	const char *refill;
	unsigned cancel_after;
	unsigned fail_page;  /* 1-based page whose rendering fails, 0 none */
	atomic_int cancel;
	unsigned seen_problems;
};

static void fill(struct kk_raster *r, double x0, double y0, double x1, double y1)
{
	uint32_t ax = (uint32_t)(x0 * r->width), bx = (uint32_t)(x1 * r->width);
	uint32_t ay = (uint32_t)(y0 * r->height), by = (uint32_t)(y1 * r->height);
	for (uint32_t y = ay; y < by && y < r->height; y++)
		for (uint32_t x = ax; x < bx && x < r->width; x++) {
			if (r->bits == KK_RASTER_MONO)
				kk_raster_mono_set(r, x, y, 1);
			else
				kk_raster_row(r, y)[x] = 0;
		}
}

static int render(void *ctx, unsigned index, struct kk_raster *r)
{
	struct test_ctx *t = ctx;
	uint32_t w = (uint32_t)(210.0 / 25.4 * t->dpi + 0.5), h = (uint32_t)(297.0 / 25.4 * t->dpi + 0.5);
	int rc;
	if (t->fail_page && index + 1 == t->fail_page)
		return KK_ENOSPC; /* as if the page could not be laid out */
	rc = kk_raster_init(r, w, h, t->bits, t->dpi);
	if (rc)
		return rc;
	for (unsigned k = 0; k <= index && k < 12; k++)
		fill(r, MARK_X0 + k * MARK_STEP, MARK_Y0, MARK_X0 + k * MARK_STEP + MARK_W, MARK_Y1);
	/* 20 "lines" of words: bars of varying length with gaps */
	for (unsigned line = 0; line < 20; line++) {
		double y = BODY_Y0 + line * (BODY_Y1 - BODY_Y0) / 20.0;
		double x = BODY_X0;
		for (unsigned word = 0; x < BODY_X1; word++) {
			double len = 0.03 + 0.01 * ((line * 7 + word * 3 + index) % 5);
			double end = x + len > BODY_X1 ? BODY_X1 : x + len;
			fill(r, x, y, end, y + 0.6 * (BODY_Y1 - BODY_Y0) / 20.0);
			x = end + 0.015;
		}
	}
	fill(r, FOOT_X0, FOOT_Y0, FOOT_X1, FOOT_Y1);
	return 0;
}

static void progress(void *ctx, unsigned pages_sent, int job_state, unsigned problems)
{
	struct test_ctx *t = ctx;
	if (problems && problems != t->seen_problems) {
		char names[128];
		kk_print_problem_names(problems, names, sizeof names);
		printf("progress problems=%s text=%s\n", names, kk_print_problem_text(problems));
		fflush(stdout);
	}
	t->seen_problems |= problems;
	if ((problems & KK_PP_MEDIA_EMPTY) && t->refill) {
		FILE *f = fopen(t->refill, "w");
		if (f)
			fclose(f);
	}
	if (t->cancel_after && pages_sent >= t->cancel_after)
		atomic_store(&t->cancel, 1);
}

static int reopen(void *ctx, struct kk_print_io *io)
{
	struct test_ctx *t = ctx;
	if (io->ops)
		io->ops->close(io->ctx);
	io->ops = NULL;
	return kk_print_tcp_open(t->uri.host, t->uri.port, 5000, io);
}

static int open_uri_plain(const char *uri, struct test_ctx *t, struct kk_print_io *io)
{
	int rc = kk_ipp_uri_parse(uri, &t->uri);
	if (rc) {
		printf("uri rc=%s\n", kk_err_name(rc));
		return rc;
	}
	rc = kk_print_tcp_open(t->uri.host, t->uri.port, 5000, io);
	if (rc)
		printf("connect rc=%s\n", kk_err_name(rc));
	return rc;
}

/* KK_IPPTEST_CAPTURE=FILE: every byte the printer sends is also appended to FILE (how the
 * fuzz corpus tests/fuzz/corpus/ipp/ was made from real answers). */
static struct kk_print_io capture_inner;
static FILE *capture_file;

static ssize_t capture_read(void *ctx, void *buf, size_t len, int timeout_ms)
{
	ssize_t n = capture_inner.ops->read(capture_inner.ctx, buf, len, timeout_ms);
	if (n > 0 && fwrite(buf, 1, (size_t)n, capture_file) != (size_t)n)
		perror("capture");
	return n;
}

static ssize_t capture_write(void *ctx, const void *buf, size_t len, int timeout_ms)
{
	return capture_inner.ops->write(capture_inner.ctx, buf, len, timeout_ms);
}

static void capture_close(void *ctx)
{
	capture_inner.ops->close(capture_inner.ctx);
	fclose(capture_file);
}

static const struct kk_print_io_ops capture_ops = {
	.name = "capture", .write = capture_write, .read = capture_read, .close = capture_close
};

static int open_uri(const char *uri, struct test_ctx *t, struct kk_print_io *io)
{
	const char *cap = getenv("KK_IPPTEST_CAPTURE");
	if (cap && cap[0]) {
		int rc = open_uri_plain(uri, t, &capture_inner);
		if (rc)
			return rc;
		if (!(capture_file = fopen(cap, "ab")))
			return KK_EIO;
		io->ops = &capture_ops;
		io->ctx = NULL;
		return 0;
	}
	return open_uri_plain(uri, t, io);
}

static void print_printer(const struct kk_ipp_printer *p)
{
	char names[128];
	kk_print_problem_names(p->problems, names, sizeof names);
	printf("state=%d\nreasons=%s\nproblems=%s\nproblem_text=%s\nmodel=%s\naccepting=%d\n"
	       "pwg_raster=%d\nraster_bits=%u\n",
	       p->state, p->reasons, names, kk_print_problem_text(p->problems), p->make_and_model,
	       p->accepting, p->pwg_raster, p->raster_bits);
	printf("res=");
	for (unsigned k = 0; k < p->n_res; k++)
		printf("%s%u", k ? "," : "", p->res[k]);
	printf("\nmargins=%d,%d,%d,%d\nmedia_default=%s\nmedia_ready=", p->margin_top,
	       p->margin_bottom, p->margin_left, p->margin_right, p->media_default);
	for (unsigned k = 0; k < p->n_media_ready; k++)
		printf("%s%s", k ? "," : "", p->media_ready[k]);
	printf("\ncopies_max=%d\n", p->copies_max);
}

static int cmd_query(const char *uri)
{
	struct test_ctx t = { 0 };
	struct kk_print_io io = { 0 };
	struct kk_ipp_printer p;
	int rc = open_uri(uri, &t, &io);
	if (rc)
		return 1;
	rc = kk_ipp_query(&io, t.uri.host_header, t.uri.resource, 5000, &p);
	io.ops->close(io.ctx);
	printf("rc=%s\n", kk_err_name(rc));
	if (!rc)
		print_printer(&p);
	return rc ? 1 : 0;
}

static int cmd_print(int argc, char **argv)
{
	struct test_ctx t = { .dpi = 300 };
	struct kk_print_io io = { 0 };
	struct kk_ipp_printer p;
	struct kk_ipp_job job = { .title = "测试文档 test", .pages = 3, .copies = 1,
				  .media = "iso_a4_210x297mm", .page = render, .progress = progress, .ctx = &t,
				  .cancel = &t.cancel, .reopen = reopen, .reopen_ctx = &t,
				  .poll_ms = 200, .job_timeout_ms = 60000, .io_timeout_ms = 10000 };
	struct kk_ipp_result res;
	int rc;

	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--pages"))
			job.pages = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--copies"))
			job.copies = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--title"))
			job.title = argv[i + 1];
		else if (!strcmp(argv[i], "--poll"))
			job.poll_ms = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--timeout"))
			job.job_timeout_ms = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--refill"))
			t.refill = argv[i + 1];
		else if (!strcmp(argv[i], "--fail-page"))
			t.fail_page = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--cancel-after"))
			t.cancel_after = (unsigned)atoi(argv[i + 1]);
		else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (open_uri(argv[2], &t, &io))
		return 1;
	/* what the job worker does: ask first, render for what the printer takes */
	rc = kk_ipp_query(&io, t.uri.host_header, t.uri.resource, 5000, &p);
	if (rc || !p.raster_bits || !p.n_res) {
		printf("query rc=%s bits=%u n_res=%u\n", kk_err_name(rc), p.raster_bits, p.n_res);
		io.ops->close(io.ctx);
		return 1;
	}
	t.bits = p.raster_bits;
	t.dpi = p.res[0];
	for (unsigned k = 0; k < p.n_res; k++)
		if (p.res[k] == 300)
			t.dpi = 300;
	rc = kk_ipp_print(&io, t.uri.host_header, t.uri.resource, &job, &res);
	if (io.ops)
		io.ops->close(io.ctx);
	char names[128];
	kk_print_problem_names(res.problems, names, sizeof names);
	printf("rc=%s\njob_id=%d\njob_state=%s\npages_sent=%u\nproblems=%s\nproblem_text=%s\n"
	       "bits=%u\ndpi=%u\nmessage=%s\n",
	       kk_err_name(rc), res.job_id, kk_ipp_job_state_name(res.job_state), res.pages_sent,
	       names, kk_print_problem_text(res.problems), t.bits, t.dpi, res.message);
	return rc ? 1 : 0;
}

/* ---- misbehaving loopback servers ------------------------------------------------------- */

struct bad_server {
	int lfd, port, mode; /* mode 0: never answer; 1: close halfway through the answer */
	int quit[2];
	pthread_t th;
};

static void *bad_server_run(void *arg)
{
	struct bad_server *b = arg;
	int fd = accept(b->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (b->mode == 1) {
		char buf[4096];
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		/* wait for the request, then half an answer, then close */
		if (poll(&pf, 1, 5000) == 1 && recv(fd, buf, sizeof buf, 0) > 0) {
			static const char half[] = "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\n"
						   "Content-Length: 400\r\n\r\n\x01\x01\x00\x00\x00\x00\x00\x01\x01";
			if (send(fd, half, sizeof half - 1, MSG_NOSIGNAL) < 0)
				perror("send");
		}
		close(fd);
		return NULL;
	}
	/* accept, read nothing, answer nothing, until told to go */
	struct pollfd pf = { .fd = b->quit[0], .events = POLLIN };
	poll(&pf, 1, 60000);
	close(fd);
	return NULL;
}

static int bad_server_start(struct bad_server *b, int mode)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	b->mode = mode;
	b->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (b->lfd < 0 || bind(b->lfd, (struct sockaddr *)&a, sizeof a) || listen(b->lfd, 4) ||
	    getsockname(b->lfd, (struct sockaddr *)&a, &al) || pipe(b->quit))
		return -1;
	b->port = ntohs(a.sin_port);
	return pthread_create(&b->th, NULL, bad_server_run, b);
}

static void bad_server_stop(struct bad_server *b)
{
	if (write(b->quit[1], "q", 1) != 1)
		perror("write");
	pthread_join(b->th, NULL);
	close(b->lfd);
	close(b->quit[0]);
	close(b->quit[1]);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmd_bad(int mode)
{
	struct bad_server b;
	struct kk_print_io io;
	struct kk_ipp_printer p;
	char host[64];
	int64_t t0;
	int rc;

	if (bad_server_start(&b, mode)) {
		perror("server");
		return 2;
	}
	snprintf(host, sizeof host, "127.0.0.1:%d", b.port);
	rc = kk_print_tcp_open("127.0.0.1", (unsigned)b.port, 5000, &io);
	if (rc) {
		printf("connect rc=%s\n", kk_err_name(rc));
		bad_server_stop(&b);
		return 1;
	}
	t0 = now_ms();
	rc = kk_ipp_query(&io, host, "/ipp/print", 1000, &p);
	char names[64];
	kk_print_problem_names(p.problems, names, sizeof names);
	printf("rc=%s\nelapsed_ms=%lld\nproblems=%s\n", kk_err_name(rc), (long long)(now_ms() - t0),
	       names);
	io.ops->close(io.ctx);
	bad_server_stop(&b);
	return 0;
}

/* ---- the check of decoded pages --------------------------------------------------------- */

static int pgm_read(const char *path, int *w, int *h, unsigned char **px);

static int cmd_pgm(const char *path)
{
	int w, h;
	unsigned char *px;
	if (pgm_read(path, &w, &h, &px))
		return 2;
#define DARK(x, y) (px[(size_t)(y) * w + (x)] < 128)
	/* ink fraction in a region, in fractions of the page */
	double region[3][4] = { { BODY_X0, BODY_Y0, BODY_X1, BODY_Y1 },
				{ FOOT_X0 + 0.01, FOOT_Y0 + 0.005, FOOT_X1 - 0.01, FOOT_Y1 - 0.005 } };
	double frac[2];
	for (int k = 0; k < 2; k++) {
		long dark = 0, all = 0;
		for (int y = (int)(region[k][1] * h); y < (int)(region[k][3] * h); y++)
			for (int x = (int)(region[k][0] * w); x < (int)(region[k][2] * w); x++, all++)
				dark += DARK(x, y);
		frac[k] = all ? (double)dark / all : 0;
	}
	/* margins: every pixel outside the drawn regions (with a 1% slack) must be white */
	long margin = 0;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			double fx = (double)x / w, fy = (double)y / h;
			int in_marks = fy > MARK_Y0 - 0.01 && fy < MARK_Y1 + 0.01 && fx > MARK_X0 - 0.01 &&
				       fx < MARK_X0 + 12 * MARK_STEP + 0.01;
			int in_body = fx > BODY_X0 - 0.01 && fx < BODY_X1 + 0.01 && fy > BODY_Y0 - 0.01 &&
				      fy < BODY_Y1 + 0.01;
			int in_foot = fx > FOOT_X0 - 0.01 && fx < FOOT_X1 + 0.01 && fy > FOOT_Y0 - 0.01 &&
				      fy < FOOT_Y1 + 0.01;
			if (!in_marks && !in_body && !in_foot)
				margin += DARK(x, y);
		}
	/* page number: the squares along the middle of the mark row */
	int marks = 0, prev = 0, ym = (int)((MARK_Y0 + MARK_Y1) / 2 * h);
	for (int x = 0; x < w; x++) {
		int d = DARK(x, ym);
		if (d && !prev)
			marks++;
		prev = d;
	}
	printf("size=%dx%d body=%.3f footer=%.3f margin=%ld marks=%d\n", w, h, frac[0], frac[1],
	       margin, marks);
	free(px);
	return 0;
}

/* Read a binary PGM (P5, maxval 255) into *px; returns 0 or -1. */
static int pgm_read(const char *path, int *w, int *h, unsigned char **px)
{
	FILE *f = fopen(path, "rb");
	int maxv, ok;
	*px = NULL;
	if (!f)
		return -1;
	ok = fscanf(f, "P5 %d %d %d", w, h, &maxv) == 3 && *w > 0 && *h > 0 && *w <= 20000 &&
	     *h <= 20000 && maxv == 255 && fgetc(f) != EOF;
	if (ok) {
		*px = malloc((size_t)*w * *h);
		ok = *px && fread(*px, 1, (size_t)*w * *h, f) == (size_t)*w * *h;
	}
	fclose(f);
	if (!ok) {
		free(*px);
		*px = NULL;
		fprintf(stderr, "%s: not a binary PGM\n", path);
	}
	return ok ? 0 : -1;
}

static int cmd_pgm_doc(const char *path)
{
	int w, h;
	unsigned char *px;
	long margin = 0, header = 0, footer = 0, rows = 0, inked = 0;
	if (pgm_read(path, &w, &h, &px))
		return 2;
	double mm = h / 297.0; /* pixels per millimetre on an A4 page */
	for (int y = 0; y < h; y++) {
		int row_ink = 0;
		for (int x = 0; x < w; x++) {
			int dark = px[(size_t)y * w + x] < 128;
			if (!dark)
				continue;
			if (x < 5 * mm || x >= w - 5 * mm || y < 5 * mm || y >= h - 5 * mm)
				margin++;
			else if (y >= 10 * mm && y < 25 * mm)
				header++;
			else if (y >= h - 45 * mm && y < h - 10 * mm)
				footer++;
			row_ink = 1;
		}
		if (y >= 30 * mm && y < h - 50 * mm) {
			rows++;
			inked += row_ink;
		}
	}
	printf("size=%dx%d margin=%ld header=%ld footer=%ld body_rows=%.3f\n", w, h, margin, header,
	       footer, rows ? (double)inked / rows : 0);
	free(px);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "pgm-doc"))
		return cmd_pgm_doc(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "query"))
		return cmd_query(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "print"))
		return cmd_print(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "stall"))
		return cmd_bad(0);
	if (argc >= 2 && !strcmp(argv[1], "close-mid"))
		return cmd_bad(1);
	if (argc >= 3 && !strcmp(argv[1], "pgm"))
		return cmd_pgm(argv[2]);
	fprintf(stderr, "usage: ipptest query|print URI [...] | stall | close-mid | pgm FILE\n");
	return 2;
}
