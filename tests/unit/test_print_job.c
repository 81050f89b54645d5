/*
 * test_print_job.c — the print worker (firmware/print/job.c) and printer URIs
 * (firmware/print/printer.c): preview then print on a real worker thread into `file:`
 * printers, the journal (start/done lines; a job interrupted by a restart is closed and never
 * printed again), page limits per visitor and per day (the day count survives a restart),
 * copies cap, cancel in the middle of a job, printing off, a printer that cannot be opened.
 *
 * The page source draws a black bar whose length depends on the page number, so the bytes of
 * each page differ and the PCL stream carries real raster rows.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "kt.h"
#include "print/devid.h"
#include "print/job.h"
#include "print/printer.h"

static void test_uri(void)
{
	struct kk_printer_uri u;
	char err[256];

	KT_CHECK_INT(kk_printer_uri_parse("usb://", &u, err, sizeof err), 0);
	KT_CHECK_INT(u.scheme, KK_PRN_USB);
	KT_CHECK_STR(u.usb_match, "");
	KT_CHECK_INT(kk_printer_uri_parse("auto", &u, err, sizeof err), 0);
	KT_CHECK_INT(u.scheme, KK_PRN_USB);
	KT_CHECK_INT(kk_printer_uri_parse("usb://03f0:2B17/VNB3K12345", &u, err, sizeof err), 0);
	KT_CHECK_STR(u.usb_match, "03f0:2B17/VNB3K12345");
	KT_CHECK_INT(kk_printer_uri_parse("usb://03f0:2b17", &u, err, sizeof err), 0);
	KT_CHECK_INT(kk_printer_uri_parse("none", &u, err, sizeof err), 0);
	KT_CHECK_INT(u.scheme, KK_PRN_NONE);
	KT_CHECK_INT(kk_printer_uri_parse("ipp://127.0.0.1:8631/ipp/print", &u, err, sizeof err), 0);
	KT_CHECK_INT(u.scheme, KK_PRN_IPP);
	KT_CHECK_STR(u.ipp.host, "127.0.0.1");
	KT_CHECK_INT(u.ipp.port, 8631);
	KT_CHECK_STR(u.ipp.resource, "/ipp/print");
	KT_CHECK_INT(kk_printer_uri_parse("ipp://printer.local", &u, err, sizeof err), 0);
	KT_CHECK_INT(u.ipp.port, 631);
	KT_CHECK_STR(u.ipp.resource, "/ipp/print");
	KT_CHECK_INT(kk_printer_uri_parse("ipp://[::1]:631/ipp/print", &u, err, sizeof err), 0);
	KT_CHECK_STR(u.ipp.host, "::1");
	KT_CHECK_INT(kk_printer_uri_parse("file:/tmp/x.pcl?format=pcl", &u, err, sizeof err), 0);
	KT_CHECK_INT(u.scheme, KK_PRN_FILE);
	KT_CHECK_INT(u.lang, KK_LANG_PCL);
	KT_CHECK_STR(u.path, "/tmp/x.pcl");

	static const char *bad[] = { "", "usb:/", "usb://3f0:2b17", "usb://03f0-2b17",
				     "usb://03f0:2b17/", "usb://03f0:2b17/a b", "usb://zzzz:2b17",
				     "ipp://", "ipp://:631/x", "ipp://h:0/x", "ipp://h:99999/x",
				     "ipp://h:12x/x", "ipp://user@h/x", "ipp://h/a b",
				     "ipp://[::1/x", "file:/tmp/x", "file:?format=pcl",
				     "file:/tmp/x?format=pdf", "lpd://h/q", "http://h/" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (kk_printer_uri_parse(bad[i], &u, err, sizeof err) != KK_EINVAL || !err[0])
			KT_CHECK(!"bad URI accepted or refused without a reason" || !bad[i]);
	}
}

static void test_range(void)
{
	unsigned a, b;
	KT_CHECK_INT(kk_print_range_parse("", 5, &a, &b), 0);
	KT_CHECK(a == 0 && b == 4);
	KT_CHECK_INT(kk_print_range_parse("all", 5, &a, &b), 0);
	KT_CHECK_INT(kk_print_range_parse("3", 5, &a, &b), 0);
	KT_CHECK(a == 2 && b == 2);
	KT_CHECK_INT(kk_print_range_parse("2-5", 5, &a, &b), 0);
	KT_CHECK(a == 1 && b == 4);
	static const char *bad[] = { "0", "6", "3-2", "2-6", "-3", "2-", "a", "2-3x", " 2",
				     "99999999999999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		KT_CHECK_INT(kk_print_range_parse(bad[i], 5, &a, &b), KK_EINVAL);
	KT_CHECK_INT(kk_print_range_parse("", 0, &a, &b), KK_EINVAL);
	KT_CHECK(kk_print_estimate(10, 4) > kk_print_estimate(1, 4));
}

/* ---- a page source: page k has a black bar (k+1) * 100 dots long ---- */

struct src {
	unsigned n;
	int laid_out, released;
	volatile int block;     /* render waits while this is set (cancel test) */
	volatile int rendering; /* set once render has been entered */
};

static int render(void *ctx, unsigned page, struct kk_raster *r)
{
	struct src *s = ctx;
	s->rendering = 1;
	while (s->block)
		usleep(1000);
	for (uint32_t y = 200; y < 260 && y < r->height; y++)
		for (uint32_t x = 100; x < 100 + (page + 1) * 100 && x < r->width; x++)
			kk_raster_mono_set(r, x, y, 1);
	return 0;
}

static int layout(void *ctx, const struct kk_print_req *req, const struct kk_printer_caps *caps,
		  struct kk_print_pages *pages, char *why, size_t why_size)
{
	struct src *s = ctx;
	(void)caps;
	if (req->id == 404) {
		snprintf(why, why_size, "no document 404");
		return KK_ENOENT;
	}
	s->laid_out++;
	pages->n = s->n;
	pages->render = render;
	pages->ctx = s;
	return 0;
}

static void release(void *ctx, struct kk_print_pages *pages)
{
	struct src *s = ctx;
	s->released++;
	(void)pages;
}

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/kk-printjob-XXXXXX");
	if (!mkdtemp(dir))
		dir[0] = '\0';
}

static struct kk_print_service *start(struct src *s, const char *uri, unsigned per_session,
				      unsigned per_day)
{
	struct kk_print_service_opts o = { 0 };
	struct kk_print_service *svc = NULL;
	char spool[128];
	snprintf(spool, sizeof spool, "%s/spool", dir);
	o.printer_uri = uri;
	o.spool_dir = spool;
	o.max_copies = 3;
	o.pages_per_session = per_session;
	o.pages_per_day = per_day;
	o.layouter.layout = layout;
	o.layouter.release = release;
	o.layouter.ctx = s;
	if (kk_print_service_start(&o, &svc))
		return NULL;
	return svc;
}

static int state_after(struct kk_print_service *svc, struct kk_print_status *st)
{
	if (kk_print_wait(svc, 20000))
		return -1;
	kk_print_status_get(svc, st);
	return st->state;
}

static size_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (size_t)sb.st_size : 0;
}

static int file_has(const char *path, const char *needle)
{
	char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static void test_print_pcl_file(void)
{
	struct src s = { .n = 4 };
	struct kk_print_req req = { .kind = KK_PRINT_DOC, .id = 7, .title = "关于印发\n测试的通知" };
	struct kk_print_status st;
	char uri[160], out[128], journal[128];
	struct kk_print_service *svc;
	FILE *f;
	char head[16] = { 0 };

	setup();
	KT_REQUIRE(dir[0]);
	snprintf(out, sizeof out, "%s/job.pcl", dir);
	snprintf(uri, sizeof uri, "file:%s?format=pcl", out);
	snprintf(journal, sizeof journal, "%s/spool/journal", dir);
	svc = start(&s, uri, 0, 0);
	KT_REQUIRE(svc);
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_READY);
	KT_CHECK_INT(st.pages, 4);
	KT_CHECK(st.est_seconds > 0);
	KT_CHECK(strstr(st.printer, "job.pcl") != NULL);
	KT_CHECK_INT(kk_print_confirm(svc, 1, 2, 2), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_DONE);
	KT_CHECK_INT(st.done, 4); /* sheets: 2 pages x 2 copies */
	KT_CHECK_INT(st.total, 4);
	KT_CHECK(strstr(st.message, "出纸口") != NULL);
	f = fopen(out, "rb");
	KT_REQUIRE(f);
	KT_CHECK(fread(head, 1, 9, f) == 9);
	fclose(f);
	KT_CHECK(memcmp(head, "\033%-12345X", 9) == 0); /* PJL universal exit, then PCL */
	KT_CHECK(file_size(out) > 100);
	KT_CHECK(file_has(journal, "1 start "));
	KT_CHECK(file_has(journal, " 2-3 x2 关于印发 测试的通知")); /* newline cleaned */
	KT_CHECK(file_has(journal, "1 done 4 "));
	KT_CHECK_INT(s.laid_out, 1);
	KT_CHECK_INT(s.released, 1);
	/* the same service takes the next job */
	kk_print_dismiss(svc);
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_READY);
	KT_CHECK_INT(kk_print_confirm(svc, 0, 0, 1), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_DONE);
	KT_CHECK_INT(st.job, 2);
	kk_print_service_stop(svc);
	kt_rmtree(dir);
}

static void test_limits(void)
{
	struct src s = { .n = 5 };
	struct kk_print_req req = { .kind = KK_PRINT_DOC, .id = 9, .title = "t" };
	struct kk_print_status st;
	char uri[160];
	struct kk_print_service *svc;

	setup();
	KT_REQUIRE(dir[0]);
	snprintf(uri, sizeof uri, "file:%s/out.pwg?format=pwg", dir);
	svc = start(&s, uri, 3, 5);
	KT_REQUIRE(svc);
	kk_print_status_get(svc, &st);
	KT_CHECK_INT(st.session_left, 3);
	KT_CHECK_INT(st.day_left, 5);
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_READY);
	/* 4 pages over a session limit of 3: refused, the preview stays for a smaller choice */
	KT_CHECK_INT(kk_print_confirm(svc, 0, 3, 1), KK_EPERM);
	kk_print_status_get(svc, &st);
	KT_CHECK_INT(st.state, KK_PJ_READY);
	KT_CHECK(strstr(st.message, "每位读者每次最多打印 3 页") != NULL);
	/* copies over the cap of 3 */
	KT_CHECK_INT(kk_print_confirm(svc, 0, 0, 4), KK_EPERM);
	kk_print_status_get(svc, &st);
	KT_CHECK(strstr(st.message, "最多打印 3 份") != NULL);
	KT_CHECK_INT(kk_print_confirm(svc, 0, 2, 1), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_DONE);
	KT_CHECK_INT(st.session_left, 0);
	KT_CHECK_INT(st.day_left, 2);
	kk_print_dismiss(svc);
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_READY);
	KT_CHECK_INT(kk_print_confirm(svc, 0, 0, 1), KK_EPERM);
	kk_print_status_get(svc, &st);
	KT_CHECK(strstr(st.message, "已经用完") != NULL);
	/* the next visitor */
	kk_print_session_reset(svc);
	KT_CHECK_INT(kk_print_confirm(svc, 0, 0, 1), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_DONE);
	KT_CHECK_INT(st.day_left, 1);
	kk_print_service_stop(svc);

	/* a restart keeps today's count: one page left of five */
	svc = start(&s, uri, 3, 5);
	KT_REQUIRE(svc);
	kk_print_status_get(svc, &st);
	KT_CHECK_INT(st.day_left, 1);
	KT_CHECK_INT(st.session_left, 3);
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_READY);
	KT_CHECK_INT(kk_print_confirm(svc, 0, 1, 1), KK_EPERM);
	kk_print_status_get(svc, &st);
	KT_CHECK(strstr(st.message, "今天还可以打印 1 页") != NULL);
	kk_print_cancel(svc);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_IDLE);
	kk_print_service_stop(svc);
	KT_CHECK_INT(s.laid_out, s.released);
	kt_rmtree(dir);
}

static void test_interrupted_job(void)
{
	struct src s = { .n = 1 };
	struct kk_print_req req = { .kind = KK_PRINT_GUIDE, .id = 3, .title = "g" };
	struct kk_print_status st;
	char uri[160], spool[128], journal[160];
	struct kk_print_service *svc;
	FILE *f;

	setup();
	KT_REQUIRE(dir[0]);
	snprintf(spool, sizeof spool, "%s/spool", dir);
	snprintf(journal, sizeof journal, "%s/journal", spool);
	KT_REQUIRE(mkdir(spool, 0755) == 0);
	f = fopen(journal, "w");
	KT_REQUIRE(f);
	/* job 6 finished, job 7 started and the kiosk lost power; a torn last line */
	fputs("6 start 1700000000 doc 1 1-1 x1 a\n6 done 1 100\n"
	      "7 start 1700000100 doc 2 1-3 x1 b\n7 do", f);
	fclose(f);
	snprintf(uri, sizeof uri, "file:%s/o.esc?format=escpos", dir);
	svc = start(&s, uri, 0, 0);
	KT_REQUIRE(svc);
	KT_CHECK(file_has(journal, "7 interrupted"));
	KT_CHECK(!file_has(journal, "6 interrupted"));
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_READY);
	KT_CHECK_INT(kk_print_confirm(svc, 0, 0, 2), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_DONE);
	KT_CHECK_INT(st.job, 8);
	KT_CHECK_INT(st.done, 2); /* ESC/POS: the range printed twice */
	kk_print_service_stop(svc);
	kt_rmtree(dir);
}

static void test_cancel_and_errors(void)
{
	struct src s = { .n = 3 };
	struct kk_print_req req = { .kind = KK_PRINT_DOC, .id = 1, .title = "t" };
	struct kk_print_status st;
	char uri[160], journal[160];
	struct kk_print_service *svc;

	setup();
	KT_REQUIRE(dir[0]);
	snprintf(uri, sizeof uri, "file:%s/c.pcl?format=pcl", dir);
	snprintf(journal, sizeof journal, "%s/spool/journal", dir);
	svc = start(&s, uri, 0, 0);
	KT_REQUIRE(svc);
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_READY);
	s.block = 1;
	KT_CHECK_INT(kk_print_confirm(svc, 0, 2, 1), 0);
	for (int i = 0; i < 5000 && !s.rendering; i++)
		usleep(1000);
	KT_CHECK(s.rendering);
	KT_CHECK_INT(kk_print_prepare(svc, &req), KK_EBUSY); /* one job at a time */
	kk_print_cancel(svc);
	s.block = 0;
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_CANCELED);
	KT_CHECK(strstr(st.message, "已取消") != NULL);
	KT_CHECK(file_has(journal, "1 canceled ECANCELED"));
	kk_print_dismiss(svc);

	/* a layout failure */
	req.id = 404;
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_FAILED);
	KT_CHECK(strstr(st.detail, "404") != NULL);
	kk_print_service_stop(svc);

	/* a printer that cannot be opened: FAILED with a message for the resident */
	snprintf(uri, sizeof uri, "file:%s/no/such/dir/x.pcl?format=pcl", dir);
	svc = start(&s, uri, 0, 0);
	KT_REQUIRE(svc);
	req.id = 1;
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_FAILED);
	KT_CHECK(strstr(st.message, "请联系工作人员") != NULL);
	KT_CHECK(strstr(st.detail, "cannot open") != NULL);
	kk_print_service_stop(svc);

	/* printing switched off, and a broken URI in the configuration */
	svc = start(&s, "none", 0, 0);
	KT_REQUIRE(svc);
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_REFUSED);
	KT_CHECK(strstr(st.message, "没有配置打印机") != NULL);
	kk_print_service_stop(svc);
	svc = start(&s, "lpd://x/y", 0, 0);
	KT_REQUIRE(svc);
	KT_CHECK_INT(kk_print_prepare(svc, &req), 0);
	KT_CHECK_INT(state_after(svc, &st), KK_PJ_REFUSED);
	kk_print_service_stop(svc);
	KT_CHECK_INT(s.laid_out, s.released);
	kt_rmtree(dir);
}

KT_MAIN(KT_CASE(test_uri), KT_CASE(test_range), KT_CASE(test_print_pcl_file), KT_CASE(test_limits),
	KT_CASE(test_interrupted_job), KT_CASE(test_cancel_and_errors))
