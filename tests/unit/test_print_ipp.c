/*
 * test_print_ipp.c — the IPP client's parts without a printer: the IPP encoder and strict
 * decoder (every value type, 1setOf, nested collections, each refusal and cap), the reading of
 * printer attributes from a real ippeveprinter answer (tests/fuzz/corpus/ipp/, captured with
 * tests/print/ipptest.c), the HTTP/1.1 response parser (lengths, chunks, 1xx, close, caps,
 * truncation), the request framing kk_http_post writes (through a byte-pipe transport that
 * takes a few bytes at a time), the TCP transport's refusals and timeouts on loopback, and
 * the ipp:// URI parser. The end-to-end flows against ippeveprinter are in
 * tests/integration/print-ipp.sh.
 */
#define _GNU_SOURCE /* memmem */
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "kt.h"
#include "print/http.h"
#include "print/ipp.h"
#include "print/ipp_client.h"
#include "print/status.h"
#include "print/tcp.h"

/* ---- IPP ------------------------------------------------------------------------------ */

/* A response with every value type the kiosk reads, a 1setOf collection and a nested one. */
static void build_sample(struct kk_buf *b)
{
	static const uint8_t date[11] = { 0x07, 0xea, 11, 23, 15, 47, 55, 0, '+', 0, 0 };
	kk_buf_reset(b);
	KT_CHECK_INT(kk_ipp_begin(b, 0x0000, 42, "zh-cn"), 0);
	kk_ipp_add_group(b, KK_IPP_GROUP_PRINTER);
	kk_ipp_add_int(b, KK_IPP_ENUM, "printer-state", 5);
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "printer-state-reasons", "media-empty-error");
	kk_ipp_add_str(b, KK_IPP_KEYWORD, NULL, "door-open-warning");
	kk_ipp_add_str(b, KK_IPP_TEXT, "printer-make-and-model", "HP LaserJet 激光");
	kk_ipp_add_bool(b, "printer-is-accepting-jobs", 1);
	kk_ipp_add_range(b, "copies-supported", 1, 99);
	kk_ipp_add_resolution(b, "pwg-raster-document-resolution-supported", 300, 300, 3);
	kk_ipp_add_resolution(b, NULL, 600, 600, 3);
	kk_ipp_add_resolution(b, NULL, 600, 1200, 3); /* not square: ignored */
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "pwg-raster-document-type-supported", "sgray_8");
	kk_ipp_add_str(b, KK_IPP_KEYWORD, NULL, "black_1");
	kk_ipp_add_str(b, KK_IPP_MIMETYPE, "document-format-supported", "application/pdf");
	kk_ipp_add_str(b, KK_IPP_MIMETYPE, NULL, "image/pwg-raster");
	kk_ipp_add_int(b, KK_IPP_INTEGER, "media-top-margin-supported", 420);
	kk_ipp_add_int(b, KK_IPP_INTEGER, NULL, 300);
	kk_ipp_add_int(b, KK_IPP_INTEGER, "media-left-margin-supported", 500);
	kk_ipp_add_raw(b, KK_IPP_DATETIME, "printer-current-time", date, sizeof date);
	/* media-col-ready: two collections, each with a nested media-size */
	for (int k = 0; k < 2; k++) {
		kk_ipp_add_col_begin(b, k ? NULL : "media-col-ready");
		kk_ipp_add_col_member(b, "media-size");
		kk_ipp_add_col_begin(b, NULL);
		kk_ipp_add_col_member(b, "x-dimension");
		kk_ipp_add_int(b, KK_IPP_INTEGER, NULL, k ? 21590 : 21000);
		kk_ipp_add_col_member(b, "y-dimension");
		kk_ipp_add_int(b, KK_IPP_INTEGER, NULL, 29700);
		kk_ipp_add_col_end(b);
		kk_ipp_add_col_member(b, "media-source");
		kk_ipp_add_str(b, KK_IPP_KEYWORD, NULL, k ? "manual" : "main");
		kk_ipp_add_col_end(b);
	}
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "media-default", "iso_a4_210x297mm");
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "media-ready", "iso_a4_210x297mm");
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "media-supported", "iso_a4_210x297mm");
	kk_ipp_add_str(b, KK_IPP_KEYWORD, NULL, "na_letter_8.5x11in");
	/* textWithLanguage by hand: lang "en", text "Out of paper" */
	kk_ipp_add_raw(b, KK_IPP_TEXTLANG, "printer-state-message",
		       "\x00\x02" "en" "\x00\x0c" "Out of paper", 18);
	KT_CHECK_INT(kk_ipp_add_group(b, KK_IPP_GROUP_END), 0);
}

static void test_ipp_roundtrip(void)
{
	struct kk_buf b;
	struct kk_ipp_msg m;
	const struct kk_ipp_attr *a;
	const struct kk_ipp_value *v;

	kk_buf_init(&b, 1 << 16);
	build_sample(&b);
	KT_REQUIRE(kk_ipp_parse(b.data, b.len, &m) == 0);
	KT_CHECK_INT(m.major, 1);
	KT_CHECK_INT(m.minor, 1);
	KT_CHECK_INT(m.code, 0);
	KT_CHECK_INT(m.request_id, 42);
	KT_CHECK_INT(m.data_offset, b.len);
	KT_CHECK_STR(kk_ipp_get_str(&m, KK_IPP_GROUP_OPERATION, "attributes-natural-language"), "zh-cn");
	KT_CHECK_INT(kk_ipp_get_int(&m, KK_IPP_GROUP_PRINTER, "printer-state", 0), 5);
	KT_CHECK_INT(kk_ipp_get_int(&m, KK_IPP_GROUP_JOB, "printer-state", -7), -7); /* group */
	KT_CHECK_INT(kk_ipp_get_int(&m, 0, "printer-is-accepting-jobs", -1), 1);
	KT_CHECK_STR(kk_ipp_get_str(&m, 0, "printer-make-and-model"), "HP LaserJet 激光");
	a = kk_ipp_find(&m, 0, "printer-state-reasons");
	KT_REQUIRE(a && a->count == 2);
	KT_CHECK_STR(kk_ipp_value(&m, a, 1)->s, "door-open-warning");
	KT_CHECK(kk_ipp_value(&m, a, 2) == NULL);
	v = kk_ipp_value(&m, kk_ipp_find(&m, 0, "copies-supported"), 0);
	KT_REQUIRE(v && v->tag == KK_IPP_RANGE);
	KT_CHECK_INT(v->i, 1);
	KT_CHECK_INT(v->i2, 99);
	a = kk_ipp_find(&m, 0, "pwg-raster-document-resolution-supported");
	KT_REQUIRE(a && a->count == 3);
	KT_CHECK_INT(kk_ipp_value(&m, a, 2)->i2, 1200);
	KT_CHECK_INT(kk_ipp_value(&m, a, 2)->units, 3);
	v = kk_ipp_value(&m, kk_ipp_find(&m, 0, "printer-current-time"), 0);
	KT_REQUIRE(v && v->tag == KK_IPP_DATETIME && v->len == 11);
	KT_CHECK_INT((uint8_t)v->s[0], 0x07);
	v = kk_ipp_value(&m, kk_ipp_find(&m, 0, "printer-state-message"), 0);
	KT_REQUIRE(v && v->tag == KK_IPP_TEXTLANG);
	KT_CHECK_STR(v->lang, "en");
	KT_CHECK_STR(v->s, "Out of paper");

	/* the two collections are two values of one attribute, members reachable by name */
	a = kk_ipp_find(&m, 0, "media-col-ready");
	KT_REQUIRE(a && a->count == 2);
	for (unsigned k = 0; k < 2; k++) {
		const struct kk_ipp_value *col = kk_ipp_value(&m, a, k);
		KT_REQUIRE(col->tag == KK_IPP_BEGCOL);
		const struct kk_ipp_value *size = kk_ipp_value(&m, kk_ipp_member(&m, col, "media-size"), 0);
		KT_REQUIRE(size && size->tag == KK_IPP_BEGCOL);
		const struct kk_ipp_value *x = kk_ipp_value(&m, kk_ipp_member(&m, size, "x-dimension"), 0);
		KT_REQUIRE(x);
		KT_CHECK_INT(x->i, k ? 21590 : 21000);
		KT_CHECK_STR(kk_ipp_value(&m, kk_ipp_member(&m, col, "media-source"), 0)->s,
			     k ? "manual" : "main");
		/* members of the nested collection are not members of the outer one */
		KT_CHECK(kk_ipp_member(&m, col, "x-dimension") == NULL);
	}
	/* members are not found at top level; the attribute after the collections is */
	KT_CHECK(kk_ipp_find(&m, 0, "media-source") == NULL);
	KT_CHECK_STR(kk_ipp_get_str(&m, 0, "media-default"), "iso_a4_210x297mm");
	kk_ipp_msg_fini(&m);
	kk_ipp_msg_fini(&m); /* twice is safe */
	kk_buf_fini(&b);
}

/* The sample read as a printer: problems, type choice, resolutions, margins, media. */
static void test_ipp_printer_parse(void)
{
	struct kk_buf b;
	struct kk_ipp_msg m;
	struct kk_ipp_printer p;

	kk_buf_init(&b, 1 << 16);
	build_sample(&b);
	KT_REQUIRE(kk_ipp_parse(b.data, b.len, &m) == 0);
	kk_ipp_printer_parse(&m, &p);
	KT_CHECK_INT(p.state, KK_IPP_PRINTER_STOPPED);
	KT_CHECK_INT(p.problems, KK_PP_MEDIA_EMPTY | KK_PP_COVER_OPEN);
	KT_CHECK_STR(p.reasons, "media-empty-error,door-open-warning");
	KT_CHECK_STR(kk_print_problem_text(p.problems), "打印机盖板打开了，请联系工作人员。");
	KT_CHECK_STR(kk_print_problem_text(p.problems & KK_PP_MEDIA_EMPTY), "打印机缺纸，请联系工作人员。");
	KT_CHECK_STR(p.make_and_model, "HP LaserJet 激光");
	KT_CHECK_STR(p.state_message, "Out of paper");
	KT_CHECK_INT(p.accepting, 1);
	KT_CHECK_INT(p.pwg_raster, 1);
	KT_CHECK_INT(p.raster_bits, KK_RASTER_MONO); /* black_1 preferred when offered */
	KT_REQUIRE(p.n_res == 2);
	KT_CHECK_INT(p.res[0], 300);
	KT_CHECK_INT(p.res[1], 600);
	KT_CHECK_INT(p.margin_top, 300);
	KT_CHECK_INT(p.margin_left, 500);
	KT_CHECK_INT(p.margin_bottom, -1);
	KT_CHECK_STR(p.media_default, "iso_a4_210x297mm");
	KT_CHECK_INT(p.n_media_ready, 1);
	KT_CHECK_INT(p.n_media_supported, 2);
	KT_CHECK_INT(p.copies_max, 99);
	kk_ipp_msg_fini(&m);

	/* bad UTF-8 and control bytes in a text value come out as '?' */
	kk_buf_reset(&b);
	kk_ipp_begin(&b, 0, 1, NULL);
	kk_ipp_add_group(&b, KK_IPP_GROUP_PRINTER);
	kk_ipp_add_str(&b, KK_IPP_TEXT, "printer-make-and-model", "A\xff\xfe\x01Z\xe6\xbf");
	kk_ipp_add_str(&b, KK_IPP_KEYWORD, "pwg-raster-document-type-supported", "sgray_8");
	kk_ipp_add_group(&b, KK_IPP_GROUP_END);
	KT_REQUIRE(kk_ipp_parse(b.data, b.len, &m) == 0);
	kk_ipp_printer_parse(&m, &p);
	KT_CHECK_STR(p.make_and_model, "A???Z??");
	KT_CHECK_INT(p.raster_bits, KK_RASTER_GREY);
	KT_CHECK_INT(p.pwg_raster, 0);
	KT_CHECK_INT(p.accepting, -1);
	KT_CHECK_INT(p.copies_max, 1);
	kk_ipp_msg_fini(&m);
	kk_buf_fini(&b);
}

/* A real Get-Printer-Attributes "all" answer of CUPS' ippeveprinter (fuzz corpus seed). */
static void test_ipp_real_answer(void)
{
	struct kk_buf b;
	struct kk_ipp_msg m;
	struct kk_ipp_printer p;
	const struct kk_ipp_attr *a;

	kk_buf_init(&b, 1 << 20);
	KT_REQUIRE(kk_buf_read_file(&b, "tests/fuzz/corpus/ipp/ipp-all-with-collections") == 0);
	KT_REQUIRE(b.len > 1 && kk_ipp_parse(b.data + 1, b.len - 1, &m) == 0);
	kk_ipp_printer_parse(&m, &p);
	KT_CHECK_INT(p.state, KK_IPP_PRINTER_IDLE);
	KT_CHECK_INT(p.problems, 0);
	KT_CHECK_STR(p.reasons, "none");
	KT_CHECK_STR(p.make_and_model, "Example Printer");
	KT_CHECK_INT(p.pwg_raster, 1);
	KT_CHECK_INT(p.raster_bits, KK_RASTER_MONO);
	KT_CHECK_INT(p.n_res, 2);
	KT_CHECK_INT(p.margin_left, 340);
	KT_CHECK_INT(p.margin_top, 0);
	KT_CHECK_STR(p.media_default, "na_letter_8.5x11in");
	KT_CHECK_INT(p.n_media_supported, 5);
	/* media-col-database: five collections; the A4 one has its left margin */
	a = kk_ipp_find(&m, KK_IPP_GROUP_PRINTER, "media-col-database");
	KT_REQUIRE(a && a->count == 5);
	int found = 0;
	for (unsigned k = 0; k < a->count; k++) {
		const struct kk_ipp_value *col = kk_ipp_value(&m, a, k);
		const struct kk_ipp_value *key = kk_ipp_value(&m, kk_ipp_member(&m, col, "media-key"), 0);
		if (key && strcmp(key->s, "iso_a4_210x297mm") == 0) {
			found = 1;
			KT_CHECK_INT(kk_ipp_value(&m, kk_ipp_member(&m, col, "media-left-margin"), 0)->i, 340);
		}
	}
	KT_CHECK(found);
	/* every prefix of it is refused cleanly */
	for (size_t n = 0; n + 1 < b.len - 1; n += 7) {
		struct kk_ipp_msg cut;
		KT_CHECK_INT(kk_ipp_parse(b.data + 1, n, &cut), KK_EPROTO);
	}
	kk_ipp_msg_fini(&m);
	kk_buf_fini(&b);
}

/* Parse hand-made bytes: 8-byte header, then body. */
static int parse_body(const void *body, size_t n)
{
	uint8_t buf[512] = { 1, 1, 0, 0, 0, 0, 0, 1 };
	struct kk_ipp_msg m;
	int rc;
	memcpy(buf + 8, body, n);
	rc = kk_ipp_parse(buf, 8 + n, &m);
	kk_ipp_msg_fini(&m);
	return rc;
}

#define BODY(s) parse_body(s, sizeof(s) - 1)

static void test_ipp_refusals(void)
{
	KT_CHECK_INT(BODY("\x01\x03"), 0);                                       /* empty group */
	KT_CHECK_INT(BODY("\x01\x21\x00\x01" "a\x00\x04\x00\x00\x00\x05\x03"), 0); /* integer */
	KT_CHECK_INT(BODY("\x01\x21\x00\x01" "a\x00\x03\x00\x00\x05\x03"), KK_EPROTO); /* int len 3 */
	KT_CHECK_INT(BODY("\x01\x22\x00\x01" "a\x00\x01\x02\x03"), KK_EPROTO); /* boolean 2 */
	KT_CHECK_INT(BODY("\x01\x33\x00\x01" "a\x00\x08\x00\x00\x00\x05\x00\x00\x00\x04\x03"),
		     KK_EPROTO); /* range 5..4 */
	KT_CHECK_INT(BODY("\x01\x32\x00\x01" "a\x00\x09\x00\x00\x01\x2c\x00\x00\x01\x2c\x05\x03"),
		     KK_EPROTO); /* resolution units 5 */
	KT_CHECK_INT(BODY("\x01\x31\x00\x01" "a\x00\x0a" "0123456789\x03"), KK_EPROTO); /* date 10 */
	KT_CHECK_INT(BODY("\x21\x00\x01" "a\x00\x04\x00\x00\x00\x05\x03"), KK_EPROTO); /* no group */
	KT_CHECK_INT(BODY("\x01\x44\x00\x00\x00\x01" "x\x03"), KK_EPROTO); /* extra value, no attr */
	KT_CHECK_INT(BODY("\x01\x44\x00\x01" "a\x00\x03" "a\x00" "b\x03"), KK_EPROTO); /* NUL */
	KT_CHECK_INT(BODY("\x01\x44\x00\x03" "a b\x00\x01" "x\x03"), KK_EPROTO); /* name w/ space */
	KT_CHECK_INT(BODY("\x01\x4a\x00\x00\x00\x01" "m\x03"), KK_EPROTO); /* member at top */
	KT_CHECK_INT(BODY("\x01\x37\x00\x00\x00\x00\x03"), KK_EPROTO);     /* end at top */
	KT_CHECK_INT(BODY("\x01\x34\x00\x01" "c\x00\x00\x03"), KK_EPROTO); /* open collection */
	KT_CHECK_INT(BODY("\x01\x34\x00\x01" "c\x00\x00\x4a\x00\x00\x00\x01" "m\x37\x00\x00\x00\x00\x03"),
		     KK_EPROTO); /* member without a value */
	KT_CHECK_INT(BODY("\x01\x34\x00\x01" "c\x00\x00\x21\x00\x01" "x\x00\x04\x00\x00\x00\x01"
			  "\x37\x00\x00\x00\x00\x03"),
		     KK_EPROTO); /* named attribute inside a collection */
	KT_CHECK_INT(BODY("\x01\x34\x00\x01" "c\x00\x00\x37\x00\x00\x00\x00\x03"), 0); /* empty */
	KT_CHECK_INT(BODY("\x01\x7f\x00\x01" "a\x00\x04\x00\x00\x00\x01\x03"), KK_EPROTO); /* ext */
	KT_CHECK_INT(BODY("\x01\x13\x00\x01" "a\x00\x01" "x\x03"), KK_EPROTO); /* oob with a value */
	KT_CHECK_INT(BODY("\x01\x13\x00\x01" "a\x00\x00\x03"), 0);
	KT_CHECK_INT(BODY("\x01\x35\x00\x01" "a\x00\x05\x00\x01" "e\x00\x05\x03"), KK_EPROTO); /* lang */
	KT_CHECK_INT(BODY("\x01\x44\x00\x01" "a\x00\x09" "x\x03"), KK_EPROTO); /* past the end */
	KT_CHECK_INT(BODY("\x01"), KK_EPROTO);                                    /* no end tag */
	KT_CHECK_INT(BODY("\x00\x03"), KK_EPROTO);                               /* tag 0 */

	uint8_t v3[9] = { 3, 0, 0, 0, 0, 0, 0, 1, 3 };
	struct kk_ipp_msg m;
	KT_CHECK_INT(kk_ipp_parse(v3, sizeof v3, &m), KK_EPROTO); /* version 3 */
	KT_CHECK_INT(kk_ipp_parse(v3, 8, &m), KK_EPROTO);
	KT_CHECK_INT(kk_ipp_parse(NULL, 0, &m), KK_EPROTO);
}

/* Caps: value length, collection depth, attribute count, message size. */
static void test_ipp_caps(void)
{
	struct kk_buf b;
	struct kk_ipp_msg m;
	char big[KK_IPP_MAX_VALUE_LEN + 2];

	kk_buf_init(&b, 4u << 20);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	kk_ipp_begin(&b, 0, 1, NULL);
	kk_ipp_add_str(&b, KK_IPP_TEXT, "t", big);
	kk_ipp_add_group(&b, KK_IPP_GROUP_END);
	KT_CHECK_INT(kk_ipp_parse(b.data, b.len, &m), KK_E2BIG);
	big[KK_IPP_MAX_VALUE_LEN] = '\0'; /* exactly the cap: fine */
	kk_buf_reset(&b);
	kk_ipp_begin(&b, 0, 1, NULL);
	kk_ipp_add_str(&b, KK_IPP_TEXT, "t", big);
	kk_ipp_add_group(&b, KK_IPP_GROUP_END);
	KT_CHECK_INT(kk_ipp_parse(b.data, b.len, &m), 0);
	kk_ipp_msg_fini(&m);

	for (unsigned depth = KK_IPP_MAX_DEPTH; depth <= KK_IPP_MAX_DEPTH + 1; depth++) {
		kk_buf_reset(&b);
		kk_ipp_begin(&b, 0, 1, NULL);
		kk_ipp_add_col_begin(&b, "c");
		for (unsigned k = 1; k < depth; k++) {
			kk_ipp_add_col_member(&b, "m");
			kk_ipp_add_col_begin(&b, NULL);
		}
		for (unsigned k = 0; k < depth; k++)
			kk_ipp_add_col_end(&b);
		kk_ipp_add_group(&b, KK_IPP_GROUP_END);
		KT_CHECK_INT(kk_ipp_parse(b.data, b.len, &m), depth > KK_IPP_MAX_DEPTH ? KK_E2BIG : 0);
		kk_ipp_msg_fini(&m);
	}

	kk_buf_reset(&b);
	kk_ipp_begin(&b, 0, 1, NULL);
	for (unsigned k = 0; k < KK_IPP_MAX_ATTRS; k++)
		kk_ipp_add_int(&b, KK_IPP_INTEGER, "a", (int32_t)k);
	kk_ipp_add_group(&b, KK_IPP_GROUP_END);
	KT_CHECK_INT(kk_ipp_parse(b.data, b.len, &m), KK_E2BIG); /* +2 charset/language */

	kk_buf_reset(&b);
	kk_ipp_begin(&b, 0, 1, NULL);
	for (unsigned k = 0; k < KK_IPP_MAX_VALUES; k++)
		kk_ipp_add_int(&b, KK_IPP_INTEGER, k ? NULL : "a", (int32_t)k);
	kk_ipp_add_group(&b, KK_IPP_GROUP_END);
	KT_CHECK_INT(kk_ipp_parse(b.data, b.len, &m), KK_E2BIG);

	kk_buf_reset(&b);
	KT_REQUIRE(kk_buf_add(&b, "\x01\x01\0\0\0\0\0\x01\x03", 9) == 0);
	while (b.len <= KK_IPP_MAX_MSG)
		kk_buf_add(&b, "\0\0\0\0\0\0\0\0", 8); /* document data after the attributes */
	KT_CHECK_INT(kk_ipp_parse(b.data, b.len, &m), KK_E2BIG);
	KT_CHECK_INT(kk_ipp_parse(b.data, KK_IPP_MAX_MSG, &m), 0);
	KT_CHECK_INT(m.data_offset, 9);
	kk_ipp_msg_fini(&m);

	kk_buf_reset(&b);
	KT_CHECK_INT(kk_ipp_add_raw(&b, KK_IPP_TEXT, "a", big, 40000), KK_EINVAL);
	kk_buf_fini(&b);
	KT_CHECK_STR(kk_ipp_status_name(0x0406), "client-error-not-found");
	KT_CHECK_STR(kk_ipp_status_name(0x0999), "unknown-status");
	KT_CHECK_STR(kk_ipp_job_state_name(KK_IPP_JOB_ABORTED), "aborted");
	KT_CHECK_STR(kk_ipp_job_state_name(2), "unknown");
}

/* ---- HTTP responses --------------------------------------------------------------------- */

static int parse_http(const char *s, size_t n, struct kk_buf *body, size_t *used, int *status)
{
	struct kk_http_response r = { .body = body };
	int rc;
	kk_buf_reset(body);
	rc = kk_http_parse_response(s, n, &r, used);
	*status = r.status;
	return rc;
}

#define HTTP(s) parse_http(s, sizeof(s) - 1, &body, &used, &status)

static void test_http_responses(void)
{
	struct kk_buf body;
	size_t used;
	int status;

	kk_buf_init(&body, 64);
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloNEXT"), 0);
	KT_CHECK_INT(status, 200);
	KT_CHECK_STR(body.data, "hello");
	KT_CHECK_INT(used, 43); /* keep-alive: the next response starts at NEXT */
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\ncontent-length:2\n\nhi"), 0); /* bare LF, any case */
	KT_CHECK_STR(body.data, "hi");
	KT_CHECK_INT(HTTP("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n"
			  "Transfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n"
			  "0\r\nTrailer: t\r\n\r\n"),
		     0);
	KT_CHECK_INT(status, 404);
	KT_CHECK_STR(body.data, "abc0123456789");
	KT_CHECK_INT(HTTP("HTTP/1.0 200 OK\r\n\r\nto the close"), 0);
	KT_CHECK_STR(body.data, "to the close");
	KT_CHECK_INT(HTTP("HTTP/1.1 204 No Content\r\n\r\n"), 0);
	KT_CHECK_INT(body.len, 0);

	/* truncated anywhere: EPROTO; nothing at all: EIO (peer closed an idle connection) */
	KT_CHECK_INT(HTTP(""), KK_EIO);
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"), KK_EPROTO);
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nContent-Le"), KK_EPROTO);
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"), KK_EPROTO);
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n"),
		     KK_EPROTO); /* chunk longer than its size */
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			  "ffffffffffffffffff\r\n"),
		     KK_EPROTO); /* overflow */
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), KK_EPROTO);
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello"), KK_EPROTO);
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"),
		     KK_EPROTO);
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n"), KK_EPROTO);
	KT_CHECK_INT(HTTP("ICY 200 OK\r\n\r\n"), KK_EPROTO);
	KT_CHECK_INT(HTTP("HTTP/1.1 2000 OK\r\n\r\n"), KK_EPROTO);
	KT_CHECK_INT(HTTP("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n"), KK_EPROTO);

	/* over the caller's cap: drained to the end, then E2BIG; the stream stays in step */
	char big[300];
	int n = snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
	memset(big + n, 'z', 100);
	memcpy(big + n + 100, "NEXT", 4);
	KT_CHECK_INT(parse_http(big, (size_t)n + 104, &body, &used, &status), KK_E2BIG);
	KT_CHECK_INT(body.len, 64);
	KT_CHECK_INT(used, (size_t)n + 100);

	/* a line over KK_HTTP_MAX_LINE, and too many headers */
	struct kk_buf h;
	kk_buf_init(&h, 1 << 20);
	kk_buf_adds(&h, "HTTP/1.1 200 OK\r\nX: ");
	for (unsigned k = 0; k < KK_HTTP_MAX_LINE; k++)
		kk_buf_add(&h, "a", 1);
	kk_buf_adds(&h, "\r\n\r\n");
	KT_CHECK_INT(parse_http(h.data, h.len, &body, &used, &status), KK_EPROTO);
	kk_buf_reset(&h);
	kk_buf_adds(&h, "HTTP/1.1 200 OK\r\n");
	for (unsigned k = 0; k <= KK_HTTP_MAX_HEADERS; k++)
		kk_buf_adds(&h, "X: y\r\n");
	kk_buf_adds(&h, "Content-Length: 0\r\n\r\n");
	KT_CHECK_INT(parse_http(h.data, h.len, &body, &used, &status), KK_EPROTO);
	kk_buf_reset(&h);
	for (unsigned k = 0; k < 9; k++)
		kk_buf_adds(&h, "HTTP/1.1 100 Continue\r\n\r\n");
	KT_CHECK_INT(parse_http(h.data, h.len, &body, &used, &status), KK_EPROTO);
	kk_buf_fini(&h);
	kk_buf_fini(&body);
}

/* ---- kk_http_post through a byte pipe that takes 3 bytes at a time ------------------------ */

struct pipe_io {
	struct kk_buf sent;
	const char *answer;
	size_t answer_len, answer_pos;
	unsigned writes;
	int stuck; /* write takes nothing, ever */
};

static ssize_t pipe_write(void *ctx, const void *buf, size_t len, int timeout_ms)
{
	struct pipe_io *p = ctx;
	if (p->stuck)
		return 0;
	if (p->writes++ % 4 == 3)
		return 0; /* now and then nothing taken: the caller tries again */
	if (len > 3)
		len = 3;
	return kk_buf_add(&p->sent, buf, len) ? KK_EIO : (ssize_t)len;
}

static ssize_t pipe_read(void *ctx, void *buf, size_t len, int timeout_ms)
{
	struct pipe_io *p = ctx;
	size_t n = p->answer_len - p->answer_pos;
	if (n > len)
		n = len;
	if (n > 5)
		n = 5;
	memcpy(buf, p->answer + p->answer_pos, n);
	p->answer_pos += n;
	return (ssize_t)n;
}

static void pipe_close(void *ctx)
{
}

static const struct kk_print_io_ops pipe_ops = { "pipe", pipe_write, pipe_read, pipe_close };

struct pieces {
	unsigned left;
	int fail;
};

static int more_pieces(void *ctx, struct kk_buf *out)
{
	struct pieces *p = ctx;
	if (p->left == 0)
		return 0;
	if (p->fail && p->left == 1)
		return KK_ECANCELED;
	p->left--;
	return kk_buf_adds(out, p->left % 2 ? "page-odd" : "pg");
}

static void test_http_post(void)
{
	static const char ok_answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nIPP!"
					"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	struct pipe_io p = { .answer = ok_answer, .answer_len = sizeof ok_answer - 1 };
	struct kk_print_io io = { &pipe_ops, &p };
	struct kk_http h;
	struct kk_buf body;
	struct kk_http_response resp = { .body = &body };
	struct pieces pc = { .left = 3 };
	struct kk_http_request rq = { .host = "127.0.0.1:631", .path = "/ipp/print",
				      .content_type = "application/ipp", .head = "HEAD",
				      .head_len = 4, .more = more_pieces, .more_ctx = &pc };

	kk_buf_init(&p.sent, 1 << 16);
	kk_buf_init(&body, 1024);
	kk_http_init(&h, &io);
	KT_CHECK_INT(kk_http_post(&h, &rq, &resp), 0);
	KT_CHECK_INT(resp.status, 200);
	KT_CHECK_STR(body.data, "IPP!");
	KT_CHECK_STR(p.sent.data, "POST /ipp/print HTTP/1.1\r\nHost: 127.0.0.1:631\r\n"
				  "Content-Type: application/ipp\r\nUser-Agent: kk-kiosk\r\n"
				  "Transfer-Encoding: chunked\r\n\r\n"
				  "4\r\nHEAD\r\n2\r\npg\r\n8\r\npage-odd\r\n2\r\npg\r\n0\r\n\r\n");
	KT_CHECK(kk_http_usable(&h));

	/* a small request with Content-Length; the server closes after it */
	kk_buf_reset(&p.sent);
	kk_buf_reset(&body);
	rq.more = NULL;
	KT_CHECK_INT(kk_http_post(&h, &rq, &resp), 0);
	KT_CHECK_STR(body.data, "ok");
	KT_CHECK_STR(p.sent.data, "POST /ipp/print HTTP/1.1\r\nHost: 127.0.0.1:631\r\n"
				  "Content-Type: application/ipp\r\nUser-Agent: kk-kiosk\r\n"
				  "Content-Length: 4\r\n\r\nHEAD");
	KT_CHECK(!kk_http_usable(&h));
	KT_CHECK_INT(kk_http_post(&h, &rq, &resp), KK_EIO);

	/* the producer stops: the body is still ended, the answer read, its error returned */
	static const char answer2[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	p.answer = answer2;
	p.answer_len = sizeof answer2 - 1;
	p.answer_pos = 0;
	kk_buf_reset(&p.sent);
	kk_http_init(&h, &io);
	pc = (struct pieces){ .left = 3, .fail = 1 };
	rq.more = more_pieces;
	KT_CHECK_INT(kk_http_post(&h, &rq, &resp), KK_ECANCELED);
	KT_CHECK_INT(resp.status, 400);
	KT_CHECK(strstr(p.sent.data, "8\r\npage-odd\r\n0\r\n\r\n") != NULL);
	KT_CHECK(kk_http_usable(&h));

	/* refused before anything goes out */
	kk_buf_reset(&p.sent);
	rq.host = "evil\r\nX: y";
	KT_CHECK_INT(kk_http_post(&h, &rq, &resp), KK_EINVAL);
	rq.host = "h";
	rq.path = "no-slash";
	KT_CHECK_INT(kk_http_post(&h, &rq, &resp), KK_EINVAL);
	KT_CHECK_INT(p.sent.len, 0);
	/* the longest host and path still fit the request head; one more byte is refused */
	static char long_path[1026], long_host[257];
	memset(long_path, 'p', 1025);
	long_path[0] = '/';
	memset(long_host, 'h', 256);
	rq.host = long_host;
	rq.path = long_path;
	KT_CHECK_INT(kk_http_post(&h, &rq, &resp), KK_EINVAL);
	long_path[1024] = '\0';
	p.answer_pos = 0;
	KT_CHECK_INT(kk_http_post(&h, &rq, &resp), KK_ECANCELED); /* the producer's error again */
	KT_CHECK(p.sent.len > 1024 + 256);
	rq.host = "h";

	/* a pipe that takes nothing: ETIMEDOUT after timeout_ms, connection unusable */
	rq.path = "/";
	p.stuck = 1;
	h.timeout_ms = 50;
	KT_CHECK_INT(kk_http_post(&h, &rq, &resp), KK_ETIMEDOUT);
	KT_CHECK(!kk_http_usable(&h));
	kk_buf_fini(&p.sent);
	kk_buf_fini(&body);
}

/* ---- TCP and URIs ---------------------------------------------------------------------- */

static void test_uri(void)
{
	struct kk_ipp_uri u;
	KT_REQUIRE(kk_ipp_uri_parse("ipp://127.0.0.1/ipp/print", &u) == 0);
	KT_CHECK_STR(u.host, "127.0.0.1");
	KT_CHECK_INT(u.port, 631);
	KT_CHECK_STR(u.resource, "/ipp/print");
	KT_CHECK_STR(u.host_header, "127.0.0.1:631");
	KT_REQUIRE(kk_ipp_uri_parse("ipp://[fe80::1%eth0]:8631", &u) == 0);
	KT_CHECK_STR(u.host, "fe80::1%eth0");
	KT_CHECK_INT(u.port, 8631);
	KT_CHECK_STR(u.resource, "/");
	KT_CHECK_STR(u.host_header, "[fe80::1%eth0]:8631");
	KT_REQUIRE(kk_ipp_uri_parse("ipp://printer.local:65535/printers/hp", &u) == 0);
	KT_CHECK_STR(u.host, "printer.local");
	static const char *const bad[] = {
		"http://127.0.0.1/ipp/print", "ipps://h/x", "ipp://", "ipp:///x", "ipp://h:0/x",
		"ipp://h:65536/x", "ipp://h:/x", "ipp://h:631x/x", "ipp://user@h/x", "ipp://h/x?y",
		"ipp://h/a b", "ipp://[::1/x", "ipp://[abc]/x", "ipp://h/\x01", "IPP://h/x",
		"ipp://h\r\n/x", "ipp://h/x#f", "ipp://h:00000631/x"
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		if (kk_ipp_uri_parse(bad[k], &u) != KK_EINVAL)
			KT_FAIL_("accepted %s", bad[k]);
	KT_CHECK_INT(kk_ipp_uri_parse(NULL, &u), KK_EINVAL);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A listening loopback socket; returns its fd and port. */
static int listen_any(unsigned *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 2) ||
	    getsockname(fd, (struct sockaddr *)&a, &al))
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static void test_tcp(void)
{
	struct kk_print_io io;
	unsigned port;
	int lfd = listen_any(&port), cfd;
	char buf[16];
	int64_t t0;

	KT_REQUIRE(lfd >= 0);
	KT_REQUIRE(kk_print_tcp_open("127.0.0.1", port, 2000, &io) == 0);
	KT_CHECK_STR(io.ops->name, "tcp");
	cfd = accept(lfd, NULL, NULL);
	KT_REQUIRE(cfd >= 0);
	t0 = mono_ms();
	KT_CHECK_INT(io.ops->read(io.ctx, buf, sizeof buf, 100), KK_ETIMEDOUT);
	KT_CHECK(mono_ms() - t0 >= 90);
	KT_CHECK_INT(io.ops->write(io.ctx, "ping", 4, 1000), 4);
	KT_CHECK_INT(read(cfd, buf, sizeof buf), 4);
	KT_CHECK_INT(write(cfd, "pong", 4), 4);
	KT_CHECK_INT(io.ops->read(io.ctx, buf, sizeof buf, 1000), 4);
	close(cfd);
	KT_CHECK_INT(io.ops->read(io.ctx, buf, sizeof buf, 1000), 0); /* end of stream */
	io.ops->close(io.ctx);
	close(lfd); /* nothing listens there now */
	KT_CHECK_INT(kk_print_tcp_open("127.0.0.1", port, 1000, &io), KK_EIO);
	KT_CHECK_INT(kk_print_tcp_open("127.0.0.1", 0, 1000, &io), KK_EINVAL);
	KT_CHECK_INT(kk_print_tcp_open("", 631, 1000, &io), KK_EINVAL);
}

/* kk_ipp_print refuses a bad job before any I/O, with a message. */
static void test_print_refusals(void)
{
	struct pipe_io p = { .stuck = 1 };
	struct kk_print_io io = { &pipe_ops, &p };
	struct kk_ipp_job job = { .pages = 0 };
	struct kk_ipp_result res;
	struct kk_ipp_printer pr;

	kk_buf_init(&p.sent, 1024);
	KT_CHECK_INT(kk_ipp_print(&io, "h", "/ipp/print", &job, &res), KK_EINVAL);
	KT_CHECK_STR(res.message, "bad job");
	KT_CHECK_INT(res.job_id, 0);
	KT_CHECK_INT(res.ipp_status, -1);
	KT_CHECK_INT(kk_ipp_print(&io, "h", "/ipp/print", NULL, &res), KK_EINVAL);
	KT_CHECK_INT(kk_ipp_query(&io, "h", "no-slash", 100, &pr), KK_EINVAL);
	KT_CHECK_INT(kk_ipp_query(&io, "", "/", 100, &pr), KK_EINVAL);
	KT_CHECK_INT(kk_ipp_cancel(&io, "h", "/", 100, 0), KK_EINVAL);
	KT_CHECK_INT(p.sent.len, 0);
	/* the stuck pipe: a query gives up after its timeout */
	KT_CHECK_INT(kk_ipp_query(&io, "h", "/ipp/print", 50, &pr), KK_ETIMEDOUT);
	KT_CHECK_INT(pr.problems, KK_PP_GONE);
	KT_CHECK_STR(kk_print_problem_text(pr.problems), "打印机没有连接，请联系工作人员。");
	kk_buf_fini(&p.sent);
}

/* ---- kk_ipp_print over the pipe: the server closes after Print-Job, the client reopens ---- */

/* One HTTP response carrying an IPP answer with request-id id. */
static void add_answer(struct kk_buf *stream, uint32_t id, int close, void (*attrs)(struct kk_buf *))
{
	struct kk_buf ipp;
	kk_buf_init(&ipp, 4096);
	kk_ipp_begin(&ipp, 0, id, NULL);
	attrs(&ipp);
	kk_ipp_add_group(&ipp, KK_IPP_GROUP_END);
	kk_buf_addf(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\n%s"
			    "Content-Length: %zu\r\n\r\n",
		    close ? "Connection: close\r\n" : "", ipp.len);
	kk_buf_add(stream, ipp.data, ipp.len);
	kk_buf_fini(&ipp);
}

static void printer_ok(struct kk_buf *b)
{
	kk_ipp_add_group(b, KK_IPP_GROUP_PRINTER);
	kk_ipp_add_int(b, KK_IPP_ENUM, "printer-state", 3);
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "printer-state-reasons", "none");
	kk_ipp_add_str(b, KK_IPP_MIMETYPE, "document-format-supported", "image/pwg-raster");
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "pwg-raster-document-type-supported", "black_1");
	kk_ipp_add_bool(b, "printer-is-accepting-jobs", 1);
}

static void printer_jam(struct kk_buf *b)
{
	kk_ipp_add_group(b, KK_IPP_GROUP_PRINTER);
	kk_ipp_add_int(b, KK_IPP_ENUM, "printer-state", 5);
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "printer-state-reasons", "media-jam-error");
}

static void job_created(struct kk_buf *b)
{
	kk_ipp_add_group(b, KK_IPP_GROUP_JOB);
	kk_ipp_add_int(b, KK_IPP_INTEGER, "job-id", 7);
	kk_ipp_add_int(b, KK_IPP_ENUM, "job-state", KK_IPP_JOB_PENDING);
}

static void job_processing(struct kk_buf *b)
{
	kk_ipp_add_group(b, KK_IPP_GROUP_JOB);
	kk_ipp_add_int(b, KK_IPP_ENUM, "job-state", KK_IPP_JOB_PROCESSING);
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "job-state-reasons", "job-printing");
}

static void job_completed(struct kk_buf *b)
{
	kk_ipp_add_group(b, KK_IPP_GROUP_JOB);
	kk_ipp_add_int(b, KK_IPP_ENUM, "job-state", KK_IPP_JOB_COMPLETED);
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "job-state-reasons", "job-completed-successfully");
}

static void printer_pdf_only(struct kk_buf *b)
{
	kk_ipp_add_group(b, KK_IPP_GROUP_PRINTER);
	kk_ipp_add_str(b, KK_IPP_MIMETYPE, "document-format-supported", "application/pdf");
}

static void printer_not_accepting(struct kk_buf *b)
{
	kk_ipp_add_group(b, KK_IPP_GROUP_PRINTER);
	kk_ipp_add_int(b, KK_IPP_ENUM, "printer-state", 5);
	kk_ipp_add_str(b, KK_IPP_KEYWORD, "printer-state-reasons", "paused");
	kk_ipp_add_str(b, KK_IPP_MIMETYPE, "document-format-supported", "image/pwg-raster");
	kk_ipp_add_bool(b, "printer-is-accepting-jobs", 0);
}

/* Serve stream from its start on the pipe; with attrs, stream is first made one answer
 * (request-id 1) carrying them. */
static void pipe_answer(struct pipe_io *p, struct kk_buf *stream, void (*attrs)(struct kk_buf *))
{
	if (attrs) {
		kk_buf_reset(stream);
		add_answer(stream, 1, 0, attrs);
	}
	p->answer = stream->data;
	p->answer_len = stream->len;
	p->answer_pos = 0;
}

struct fake_job {
	struct pipe_io *pipe;
	struct kk_buf *second; /* what the reopened connection answers */
	unsigned reopened, progress_calls, last_sent, jam_seen;
};

static int fake_reopen(void *ctx, struct kk_print_io *io)
{
	struct fake_job *f = ctx;
	f->reopened++;
	pipe_answer(f->pipe, f->second, NULL);
	return 0;
}

static int fake_page(void *ctx, unsigned index, struct kk_raster *r)
{
	int rc = kk_raster_init(r, 64, 40, KK_RASTER_MONO, 72);
	if (!rc)
		kk_raster_mono_set(r, index, index, 1);
	return rc;
}

static void fake_progress(void *ctx, unsigned pages_sent, int job_state, unsigned problems)
{
	struct fake_job *f = ctx;
	f->progress_calls++;
	f->last_sent = pages_sent;
	f->jam_seen |= !!(problems & KK_PP_MEDIA_JAM);
}

static void test_print_reopen(void)
{
	struct kk_buf first, second;
	struct pipe_io p = { 0 };
	struct kk_print_io io = { &pipe_ops, &p };
	struct fake_job f = { .pipe = &p, .second = &second };
	atomic_int cancel = 0;
	struct kk_ipp_job job = { .title = "公开目录", .pages = 2, .copies = 2, .page = fake_page,
				  .progress = fake_progress, .ctx = &f, .cancel = &cancel,
				  .reopen = fake_reopen, .reopen_ctx = &f, .poll_ms = 10,
				  .io_timeout_ms = 1000, .job_timeout_ms = 10000 };
	struct kk_ipp_result res;

	kk_buf_init(&first, 1 << 16);
	kk_buf_init(&second, 1 << 16);
	kk_buf_init(&p.sent, 1 << 20);
	add_answer(&first, 1, 0, printer_ok);
	add_answer(&first, 2, 1, job_created); /* then the server closes */
	add_answer(&second, 3, 0, job_processing);
	add_answer(&second, 4, 0, printer_jam);
	add_answer(&second, 5, 0, job_completed);
	add_answer(&second, 6, 0, printer_ok);
	pipe_answer(&p, &first, NULL);

	KT_CHECK_INT(kk_ipp_print(&io, "localhost", "/ipp/print", &job, &res), 0);
	KT_CHECK_INT(res.job_id, 7);
	KT_CHECK_INT(res.job_state, KK_IPP_JOB_COMPLETED);
	KT_CHECK_INT(res.pages_sent, 4); /* no copies-supported: the pages twice over */
	KT_CHECK_INT(res.problems, KK_PP_MEDIA_JAM);
	KT_CHECK_INT(res.problems_now, 0);
	KT_CHECK_INT(res.http_status, 200);
	KT_CHECK_INT(res.ipp_status, 0);
	KT_CHECK_STR(res.reasons, "job-completed-successfully");
	KT_CHECK(strstr(res.message, "job 7 completed after 4 pages: ok") == res.message);
	KT_CHECK(strstr(res.message, "problems=media-jam") != NULL);
	KT_CHECK_INT(f.reopened, 1);
	KT_CHECK(f.jam_seen);
	KT_CHECK_INT(f.last_sent, 4);
	KT_CHECK(f.progress_calls >= 6);
	/* what went out: chunked Print-Job with the job name and the PWG stream */
	KT_CHECK(memmem(p.sent.data, p.sent.len, "Transfer-Encoding: chunked", 26) != NULL);
	KT_CHECK(memmem(p.sent.data, p.sent.len, "image/pwg-raster", 16) != NULL);
	KT_CHECK(memmem(p.sent.data, p.sent.len, "公开目录", strlen("公开目录")) != NULL);
	KT_CHECK(memmem(p.sent.data, p.sent.len, "RaS2", 4) != NULL);
	KT_CHECK(memmem(p.sent.data, p.sent.len, "ipp://localhost/ipp/print", 25) != NULL);

	/* without a way to reopen, the job fails with the transport's error after Print-Job */
	pipe_answer(&p, &first, NULL);
	job.reopen = NULL;
	KT_CHECK_INT(kk_ipp_print(&io, "localhost", "/ipp/print", &job, &res), KK_EIO);
	KT_CHECK_INT(res.job_id, 7);
	KT_CHECK(res.problems_now == KK_PP_GONE);

	/* a printer without PWG Raster is refused before Print-Job */
	pipe_answer(&p, &first, printer_pdf_only);
	KT_CHECK_INT(kk_ipp_print(&io, "localhost", "/ipp/print", &job, &res), KK_EINVAL);
	KT_CHECK_STR(res.message, "printer does not take image/pwg-raster");
	KT_CHECK_INT(res.job_id, 0);
	KT_CHECK_INT(p.answer_pos, p.answer_len); /* the answer was read to its end */
	pipe_answer(&p, &first, printer_not_accepting);
	KT_CHECK_INT(kk_ipp_print(&io, "localhost", "/ipp/print", &job, &res), KK_EBUSY);
	KT_CHECK_STR(res.message, "printer is not accepting jobs (paused)");
	KT_CHECK_INT(res.problems, KK_PP_OFFLINE);
	kk_buf_fini(&first);
	kk_buf_fini(&second);
	kk_buf_fini(&p.sent);
}

KT_MAIN(KT_CASE(test_ipp_roundtrip), KT_CASE(test_ipp_printer_parse), KT_CASE(test_ipp_real_answer),
	KT_CASE(test_ipp_refusals), KT_CASE(test_ipp_caps), KT_CASE(test_http_responses),
	KT_CASE(test_http_post), KT_CASE(test_uri), KT_CASE(test_tcp), KT_CASE(test_print_refusals),
	KT_CASE(test_print_reopen))
