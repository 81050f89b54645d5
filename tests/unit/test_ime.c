/*
 * test_ime.c — the input engines of firmware/ime/ with the real Debian data: pinyin
 * (libgooglepinyin's dictionary), handwriting (zinnia with the tegaki Simplified Chinese
 * model), first letters and the digit/symbol pad.
 *
 * Handwriting strokes are generated here as polylines in a 300 x 300 box, the way a finger
 * draws them (top to bottom, left to right, in stroke order). Characters whose synthetic
 * strokes zinnia puts first by a wide margin (一 十 二 三) are checked at rank 1; the others
 * (人 口 中 大, where 入 囗 由 廾 are close rivals for straight-line strokes) within the first 5.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/utf8.h"
#include "ime/ime.h"
#include "kt.h"

/* ---- pinyin ------------------------------------------------------------------------------ */

static struct kk_pinyin *open_pinyin(void)
{
	struct kk_pinyin *p = NULL;
	int rc = kk_pinyin_open(&p, NULL, NULL);
	if (rc)
		printf("#   kk_pinyin_open: %s\n", kk_err_name(rc));
	return p;
}

static int type_letters(struct kk_pinyin *p, const char *s)
{
	int rc = 0;
	for (; *s && !rc; s++)
		rc = kk_pinyin_input(p, *s);
	return rc;
}

/* Index of want among the first `within` candidates, or -1. */
static long find_cand(struct kk_pinyin *p, const char *want, size_t within)
{
	struct kk_ime_cand c;
	for (size_t k = 0; k < kk_pinyin_count(p) && k < within; k++)
		if (kk_pinyin_candidate(p, k, &c) == 0 && strcmp(c.text, want) == 0)
			return (long)k;
	return -1;
}

/*
 * A damaged dictionary is refused, and leaves the library unusable (a reload crashes in it),
 * so pinyin stays off. This runs first, before this process loads the real dictionary, and in
 * a child process, so the other tests still have an engine.
 */
static void test_pinyin_damaged_dictionary(void)
{
	struct kk_pinyin *q = NULL;
	char dir[] = "/tmp/kt-ime-XXXXXX", path[64];
	FILE *f;
	pid_t child;
	int status = 0;

	KT_REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/dict.dat", dir);
	f = fopen(path, "wb");
	KT_REQUIRE(f != NULL);
	{
		/* the real dictionary cut short (random bytes would make the library ask for
		 * exabytes: std::bad_alloc, which the shim catches, but ASan aborts first) */
		FILE *src = fopen(kk_pinyin_default_dict(), "rb");
		char buf[4096];
		size_t got;
		KT_REQUIRE(src != NULL);
		got = fread(buf, 1, sizeof buf, src);
		fclose(src);
		KT_REQUIRE(got == sizeof buf);
		KT_REQUIRE(fwrite(buf, 1, got, f) == got);
	}
	fclose(f);
	fflush(stdout);
	child = fork();
	KT_REQUIRE(child >= 0);
	if (child == 0) {
		int ok = kk_pinyin_open(&q, path, NULL) == KK_ECORRUPT && !q &&
			 kk_pinyin_open(&q, NULL, NULL) == KK_ECORRUPT && !q;
		_exit(ok ? 0 : 1);
	}
	KT_CHECK(waitpid(child, &status, 0) == child);
	KT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	kt_rmtree(dir);
}

static void test_pinyin_phrase(void)
{
	struct kk_pinyin *p = open_pinyin();
	char compose[KK_PINYIN_COMPOSE_BYTES], out[KK_IME_CAND_BYTES];
	long k;

	KT_REQUIRE(p != NULL);
	KT_CHECK_INT(type_letters(p, "shenfenzheng"), 0);
	KT_CHECK(kk_pinyin_composing_active(p));
	KT_CHECK_STR(kk_pinyin_letters(p), "shenfenzheng");
	kk_pinyin_composing(p, compose, sizeof compose);
	KT_CHECK_STR(compose, "shen'fen'zheng");
	KT_CHECK(kk_pinyin_count(p) > 10);
	k = find_cand(p, "身份证", 3);
	KT_REQUIRE(k >= 0);
	KT_CHECK_INT(kk_pinyin_choose(p, (size_t)k, out, sizeof out), 0);
	KT_CHECK_STR(out, "身份证");
	KT_CHECK(!kk_pinyin_composing_active(p));
	kk_pinyin_composing(p, compose, sizeof compose);
	KT_CHECK_STR(compose, "");
	/* after a commit: predictions of what follows 身份证 (号, 明 …), each choosable */
	KT_REQUIRE(kk_pinyin_count(p) > 0);
	{
		struct kk_ime_cand c;
		KT_CHECK_INT(kk_pinyin_candidate(p, 0, &c), 0);
		KT_CHECK(c.text[0] != '\0');
		KT_CHECK_INT(kk_pinyin_choose(p, 0, out, sizeof out), 0);
		KT_CHECK_STR(out, c.text);
		KT_CHECK(!kk_pinyin_composing_active(p));
	}
	/* a letter ends the predictions and starts a new composition */
	KT_CHECK_INT(kk_pinyin_input(p, 'b'), 0);
	KT_CHECK_STR(kk_pinyin_letters(p), "b");
	kk_pinyin_close(p);
}

static void test_pinyin_partial_choice(void)
{
	struct kk_pinyin *p = open_pinyin();
	char compose[KK_PINYIN_COMPOSE_BYTES], out[KK_IME_CAND_BYTES] = "x";
	long k;

	KT_REQUIRE(p != NULL);
	KT_REQUIRE(type_letters(p, "shenfenzheng") == 0);
	k = find_cand(p, "身份", 10);
	KT_REQUIRE(k > 0);
	KT_CHECK_INT(kk_pinyin_choose(p, (size_t)k, out, sizeof out), 0);
	KT_CHECK_STR(out, ""); /* nothing committed yet */
	KT_CHECK(kk_pinyin_composing_active(p));
	kk_pinyin_composing(p, compose, sizeof compose);
	KT_CHECK_STR(compose, "身份zheng");
	/* candidates are now for zheng alone */
	k = find_cand(p, "证", 10);
	KT_REQUIRE(k >= 0);
	KT_CHECK(find_cand(p, "身份", 50) < 0);
	KT_CHECK_INT(kk_pinyin_choose(p, (size_t)k, out, sizeof out), 0);
	KT_CHECK_STR(out, "身份证");
	KT_CHECK(!kk_pinyin_composing_active(p));
	kk_pinyin_close(p);
}

static void test_pinyin_backspace(void)
{
	struct kk_pinyin *p = open_pinyin();
	char compose[KK_PINYIN_COMPOSE_BYTES], out[KK_IME_CAND_BYTES];
	long k;

	KT_REQUIRE(p != NULL);
	KT_REQUIRE(type_letters(p, "shenfenzhenh") == 0);
	KT_CHECK_INT(kk_pinyin_backspace(p), 0);
	KT_CHECK_STR(kk_pinyin_letters(p), "shenfenzhen");
	KT_CHECK_INT(kk_pinyin_input(p, 'g'), 0);
	KT_CHECK(find_cand(p, "身份证", 3) >= 0);

	/* after a partial choice, backspace edits the letters still to choose */
	k = find_cand(p, "身份", 10);
	KT_REQUIRE(k > 0);
	KT_REQUIRE(kk_pinyin_choose(p, (size_t)k, out, sizeof out) == 0);
	KT_CHECK_INT(kk_pinyin_backspace(p), 0);
	kk_pinyin_composing(p, compose, sizeof compose);
	KT_CHECK_STR(compose, "身份zhen");
	/* deleting every letter after the choice undoes it: candidates for shen'fen again */
	for (int i = 0; i < 4; i++)
		KT_CHECK_INT(kk_pinyin_backspace(p), 0);
	kk_pinyin_composing(p, compose, sizeof compose);
	KT_CHECK_STR(compose, "shen'fen");
	KT_CHECK(find_cand(p, "身份", 3) >= 0);
	/* down to nothing: then backspace is the caller's (KK_ENOENT) */
	for (int i = 0; i < 7; i++)
		KT_CHECK_INT(kk_pinyin_backspace(p), 0);
	KT_CHECK(!kk_pinyin_composing_active(p));
	KT_CHECK_INT(kk_pinyin_count(p), 0);
	KT_CHECK_INT(kk_pinyin_backspace(p), KK_ENOENT);
	kk_pinyin_close(p);
}

static void test_pinyin_caps_and_bad_keys(void)
{
	struct kk_pinyin *p = open_pinyin();
	char compose[KK_PINYIN_COMPOSE_BYTES], tiny[6];
	struct kk_ime_cand c;
	int accepted = 0, refused = 0;

	KT_REQUIRE(p != NULL);
	for (int i = 0; i < 1000; i++) {
		int rc = kk_pinyin_input(p, "shenfenzheng"[i % 12]);
		if (rc == 0)
			accepted++;
		else if (rc == KK_E2BIG)
			refused++;
	}
	KT_CHECK(accepted > 12 && accepted <= KK_PINYIN_MAX_LETTERS);
	KT_CHECK_INT(accepted + refused, 1000);
	KT_CHECK_INT(strlen(kk_pinyin_letters(p)), (size_t)accepted);
	kk_pinyin_composing(p, compose, sizeof compose);
	KT_CHECK(strlen(compose) < sizeof compose);
	KT_CHECK(strncmp(compose, "shen'fen'zheng'shen", 19) == 0);
	KT_CHECK(kk_pinyin_count(p) > 0 && kk_pinyin_count(p) <= KK_PINYIN_MAX_CANDS);
	KT_CHECK_INT(kk_pinyin_candidate(p, kk_pinyin_count(p), &c), KK_EINVAL);
	/* a small buffer is cut, never overrun */
	kk_pinyin_composing(p, tiny, sizeof tiny);
	KT_CHECK_STR(tiny, "shen'");
	kk_pinyin_composing(p, tiny, 0);

	kk_pinyin_reset(p);
	KT_CHECK(!kk_pinyin_composing_active(p));
	KT_CHECK_INT(kk_pinyin_input(p, '1'), KK_EINVAL);
	KT_CHECK_INT(kk_pinyin_input(p, ' '), KK_EINVAL);
	KT_CHECK_INT(kk_pinyin_input(p, '\''), KK_EINVAL);
	KT_CHECK_INT(kk_pinyin_input(p, 0x4E00), KK_EINVAL);
	KT_CHECK_INT(kk_pinyin_input(p, -1), KK_EINVAL);
	KT_CHECK_INT(kk_pinyin_input(p, 0), KK_EINVAL);
	KT_CHECK(!kk_pinyin_composing_active(p));
	/* upper case is a letter too; initials alone give phrases */
	KT_CHECK_INT(type_letters(p, "SFZ"), 0);
	KT_CHECK_STR(kk_pinyin_letters(p), "sfz");
	KT_CHECK(find_cand(p, "身份证", 5) >= 0);
	{
		char out[8];
		KT_CHECK_INT(kk_pinyin_choose(p, 0, out, sizeof out), KK_E2BIG);
	}
	kk_pinyin_close(p);
}

/* A kiosk is shared: choosing a rare candidate must not reorder the next visitor's list. */
static void test_pinyin_does_not_learn(void)
{
	struct kk_pinyin *p = open_pinyin();
	struct kk_ime_cand first, again;
	char out[KK_IME_CAND_BYTES];
	long k;

	KT_REQUIRE(p != NULL);
	KT_REQUIRE(type_letters(p, "shiyan") == 0);
	KT_REQUIRE(kk_pinyin_candidate(p, 0, &first) == 0);
	for (int round = 0; round < 3; round++) {
		kk_pinyin_reset(p);
		KT_REQUIRE(type_letters(p, "shiyan") == 0);
		k = find_cand(p, "示眼", 100000);
		if (k < 0)
			k = (long)kk_pinyin_count(p) - 1;
		KT_REQUIRE(kk_pinyin_choose(p, (size_t)k, out, sizeof out) == 0);
		while (kk_pinyin_composing_active(p))
			KT_REQUIRE(kk_pinyin_choose(p, 0, out, sizeof out) == 0);
	}
	kk_pinyin_reset(p);
	KT_REQUIRE(type_letters(p, "shiyan") == 0);
	KT_REQUIRE(kk_pinyin_candidate(p, 0, &again) == 0);
	KT_CHECK_STR(again.text, first.text);
	kk_pinyin_close(p);
}

static void test_pinyin_predict(void)
{
	struct kk_pinyin *p = open_pinyin();
	struct kk_ime_cand c;

	KT_REQUIRE(p != NULL);
	KT_CHECK(kk_pinyin_predict(p, "身份证") > 0);
	KT_CHECK(find_cand(p, "号", KK_PINYIN_MAX_CANDS) >= 0);
	/* a long history: only its end matters; junk gives nothing, never a crash */
	KT_CHECK(kk_pinyin_predict(p, "我们今天去办理身份证") > 0);
	KT_CHECK_INT(kk_pinyin_predict(p, ""), 0);
	KT_CHECK_INT(kk_pinyin_predict(p, "\xff\xfe"), 0);
	KT_CHECK_INT(kk_pinyin_predict(p, "😀"), 0);
	KT_CHECK_INT(kk_pinyin_candidate(p, 0, &c), KK_EINVAL);
	/* no predictions while letters are composing */
	KT_REQUIRE(kk_pinyin_input(p, 'a') == 0);
	KT_CHECK_INT(kk_pinyin_predict(p, "身份证"), 0);
	/* a backspace with nothing composing ends an offer of predictions */
	kk_pinyin_reset(p);
	KT_REQUIRE(kk_pinyin_predict(p, "身份证") > 0);
	KT_CHECK_INT(kk_pinyin_backspace(p), KK_ENOENT);
	KT_CHECK_INT(kk_pinyin_count(p), 0);
	kk_pinyin_close(p);
}

static void test_pinyin_open_errors(void)
{
	struct kk_pinyin *p = (struct kk_pinyin *)1, *q = NULL;

	KT_CHECK_INT(kk_pinyin_open(&p, "/nonexistent/dict_pinyin.dat", NULL), KK_ENOENT);
	KT_CHECK(p == NULL);
	/* one engine per process: the library's decoder is global */
	p = open_pinyin();
	KT_REQUIRE(p != NULL);
	KT_CHECK_INT(kk_pinyin_open(&q, NULL, NULL), KK_EINVAL);
	KT_CHECK(q == NULL);
	kk_pinyin_close(p);
	kk_pinyin_close(NULL);
	/* here, another dictionary than the one loaded needs a restart */
	KT_CHECK_INT(kk_pinyin_open(&q, "/etc/hostname", NULL), KK_EINVAL);
	/* and the loaded one opens again */
	p = open_pinyin();
	KT_REQUIRE(p != NULL);
	KT_CHECK_INT(kk_pinyin_input(p, 'a'), 0);
	kk_pinyin_close(p);
}

/* ---- handwriting ------------------------------------------------------------------------- */

#define BOX 300

/* A stroke as a polyline: up to 4 corners (x, y) in a 0..100 grid; -1 ends it. */
struct synth_char {
	const char *want;
	int top1;           /* expected at rank 1, else within the first 5 */
	int strokes[5][9];
};

static const struct synth_char synth[] = {
	{ "一", 1, { { 10, 50, 90, 50, -1 } } },
	{ "十", 1, { { 10, 45, 90, 45, -1 }, { 50, 10, 50, 90, -1 } } },
	{ "二", 1, { { 25, 30, 75, 30, -1 }, { 10, 70, 90, 70, -1 } } },
	{ "三", 1, { { 25, 20, 75, 20, -1 }, { 30, 50, 70, 50, -1 }, { 10, 80, 90, 80, -1 } } },
	{ "人", 0, { { 50, 12, 43, 45, 15, 88, -1 }, { 47, 43, 65, 70, 88, 88, -1 } } },
	{ "口", 0, { { 22, 25, 25, 80, -1 }, { 22, 25, 78, 25, 75, 80, -1 }, { 25, 76, 75, 76, -1 } } },
	{ "中", 0, { { 20, 30, 22, 70, -1 }, { 20, 30, 80, 30, 78, 70, -1 }, { 22, 68, 78, 68, -1 },
		     { 50, 10, 50, 90, -1 } } },
	{ "大", 0, { { 15, 38, 85, 38, -1 }, { 50, 12, 45, 50, 15, 88, -1 }, { 48, 45, 88, 88, -1 } } },
};

/* Points along one polyline of the grid, 12 per segment, scaled to the box. */
static size_t synth_stroke(const int *poly, struct kk_hand_point *pts, size_t cap)
{
	size_t n = 0;
	for (int j = 0; poly[j + 2] >= 0 && j < 6; j += 2)
		for (int t = 0; t < 12 && n < cap; t++) {
			pts[n].x = (poly[j] + (poly[j + 2] - poly[j]) * t / 12) * BOX / 100;
			pts[n].y = (poly[j + 1] + (poly[j + 3] - poly[j + 1]) * t / 12) * BOX / 100;
			n++;
		}
	for (int j = 0; j < 8 && n < cap; j += 2)
		if (poly[j + 2] < 0) {
			pts[n].x = poly[j] * BOX / 100;
			pts[n].y = poly[j + 1] * BOX / 100;
			n++;
			break;
		}
	return n;
}

static int rank_of(const struct kk_ime_cand *c, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].text, want) == 0)
			return (int)i + 1;
	return 0;
}

static void test_hand_simple_characters(void)
{
	struct kk_hand *h = NULL;
	struct kk_ime_cand c[KK_HAND_MAX_CANDS];
	struct kk_hand_point pts[64];
	size_t n;

	KT_REQUIRE(kk_hand_open(&h, NULL) == 0);
	for (size_t i = 0; i < sizeof synth / sizeof synth[0]; i++) {
		int rank;
		KT_REQUIRE(kk_hand_begin(h, BOX, BOX) == 0);
		for (int s = 0; s < 5 && synth[i].strokes[s][0] > 0; s++) {
			size_t np = synth_stroke(synth[i].strokes[s], pts, 64);
			KT_CHECK_INT(kk_hand_add_stroke(h, pts, np), 0);
		}
		KT_CHECK(kk_hand_recognize(h, c, 10, &n) == 0);
		KT_CHECK(n == 10);
		rank = rank_of(c, n, synth[i].want);
		if (!(synth[i].top1 ? rank == 1 : rank >= 1 && rank <= 5))
			printf("#   %s: rank %d (first: %s)\n", synth[i].want, rank, n ? c[0].text : "");
		KT_CHECK(synth[i].top1 ? rank == 1 : rank >= 1 && rank <= 5);
		for (size_t k = 1; k < n; k++)
			KT_CHECK(c[k - 1].score >= c[k].score);
	}
	/* after an undo, 十 is 一 again */
	KT_REQUIRE(kk_hand_begin(h, BOX, BOX) == 0);
	KT_REQUIRE(kk_hand_add_stroke(h, pts, synth_stroke(synth[1].strokes[0], pts, 64)) == 0);
	KT_REQUIRE(kk_hand_add_stroke(h, pts, synth_stroke(synth[1].strokes[1], pts, 64)) == 0);
	KT_CHECK_INT(kk_hand_strokes(h), 2);
	KT_CHECK_INT(kk_hand_undo(h), 0);
	KT_CHECK(kk_hand_recognize(h, c, 3, &n) == 0 && n == 3);
	KT_CHECK_STR(c[0].text, "一");
	KT_CHECK_INT(kk_hand_undo(h), 0);
	KT_CHECK_INT(kk_hand_undo(h), KK_ENOENT);
	kk_hand_close(h);
}

static void test_hand_hostile(void)
{
	struct kk_hand *h = (struct kk_hand *)1;
	struct kk_ime_cand c[KK_HAND_MAX_CANDS];
	struct kk_hand_point *many = calloc(10000, sizeof *many), far[4] = {
		{ INT_MIN, INT_MIN }, { INT_MAX, INT_MAX }, { -5, 150 }, { 100000, 150 } };
	size_t n = 99;

	KT_REQUIRE(many != NULL);
	KT_CHECK_INT(kk_hand_open(&h, "/nonexistent/handwriting.model"), KK_ENOENT);
	KT_CHECK(h == NULL);
	{
		/* a model file that is not one */
		char dir[] = "/tmp/kt-hand-XXXXXX", path[64];
		FILE *f;
		KT_REQUIRE(mkdtemp(dir) != NULL);
		snprintf(path, sizeof path, "%s/bad.model", dir);
		f = fopen(path, "wb");
		KT_REQUIRE(f != NULL);
		for (int i = 0; i < 4096; i++)
			fputc((i * 31) & 0xff, f);
		fclose(f);
		KT_CHECK_INT(kk_hand_open(&h, path), KK_ECORRUPT);
		KT_CHECK(h == NULL);
		kt_rmtree(dir);
	}
	kk_hand_close(NULL);
	KT_REQUIRE(kk_hand_open(&h, NULL) == 0);
	/* strokes before a box, empty strokes, bad boxes */
	KT_CHECK_INT(kk_hand_add_stroke(h, far, 4), KK_EINVAL);
	KT_CHECK_INT(kk_hand_begin(h, 0, 100), KK_EINVAL);
	KT_CHECK_INT(kk_hand_begin(h, 100, -1), KK_EINVAL);
	KT_CHECK_INT(kk_hand_begin(h, 70000, 100), KK_EINVAL);
	KT_REQUIRE(kk_hand_begin(h, BOX, BOX) == 0);
	KT_CHECK_INT(kk_hand_add_stroke(h, far, 0), KK_EINVAL);
	KT_CHECK_INT(kk_hand_add_stroke(h, NULL, 3), KK_EINVAL);
	KT_CHECK(kk_hand_recognize(h, c, 10, &n) == 0);
	KT_CHECK_INT(n, 0);
	/* 10,000 points along one horizontal line: resampled, still 一 */
	for (int i = 0; i < 10000; i++) {
		many[i].x = BOX / 10 + i * (BOX * 8 / 10) / 10000;
		many[i].y = BOX / 2;
	}
	KT_CHECK_INT(kk_hand_add_stroke(h, many, 10000), 0);
	KT_CHECK(kk_hand_recognize(h, c, 5, &n) == 0 && n == 5);
	KT_CHECK_STR(c[0].text, "一");
	/* points far outside the box are clamped to its edge; a one-point stroke is a dot */
	KT_CHECK_INT(kk_hand_add_stroke(h, far, 4), 0);
	KT_CHECK_INT(kk_hand_add_stroke(h, far + 2, 1), 0);
	KT_CHECK(kk_hand_recognize(h, c, 100, &n) == 0);
	KT_CHECK(n > 0 && n <= KK_HAND_MAX_CANDS);
	for (size_t i = 0; i < n; i++)
		KT_CHECK(kk_utf8_valid(c[i].text, strlen(c[i].text), NULL) && c[i].text[0]);
	/* a restless finger: a zigzag of 10,000 points over the whole box, many times over (zinnia
	 * alone would need memory exponential in the corners of one stroke) */
	for (int i = 0; i < 10000; i++) {
		many[i].x = (i * 37) % BOX;
		many[i].y = (i % 2) ? BOX - 1 - (i * 13) % BOX : (i * 13) % BOX;
	}
	KT_REQUIRE(kk_hand_begin(h, BOX, BOX) == 0);
	for (int s = 0; s < KK_HAND_MAX_STROKES; s++)
		KT_CHECK_INT(kk_hand_add_stroke(h, many + s * 7, 10000 - (size_t)s * 7), 0);
	KT_CHECK(kk_hand_recognize(h, c, KK_HAND_MAX_CANDS, &n) == 0);
	KT_CHECK(n > 0);
	/* the stroke cap */
	KT_REQUIRE(kk_hand_begin(h, BOX, BOX) == 0);
	for (int s = 0; s < KK_HAND_MAX_STROKES; s++)
		KT_CHECK_INT(kk_hand_add_stroke(h, many + s * 100, 100), 0);
	KT_CHECK_INT(kk_hand_add_stroke(h, many, 2), KK_E2BIG);
	KT_CHECK_INT(kk_hand_strokes(h), KK_HAND_MAX_STROKES);
	KT_CHECK(kk_hand_recognize(h, c, KK_HAND_MAX_CANDS, &n) == 0);
	KT_CHECK_INT(kk_hand_recognize(h, c, 0, &n), 0);
	KT_CHECK_INT(n, 0);
	/* begin forgets the strokes */
	KT_REQUIRE(kk_hand_begin(h, 64, 64) == 0);
	KT_CHECK_INT(kk_hand_strokes(h), 0);
	kk_hand_close(h);
	free(many);
}

/* ---- first letters and the pad ----------------------------------------------------------- */

static void test_letters_and_pad(void)
{
	char out[16];
	int seen_bracket = 0, seen_hao = 0, seen_nian = 0, digits = 0;

	KT_CHECK_INT(kk_ime_letter('q'), 'q');
	KT_CHECK_INT(kk_ime_letter('Q'), 'q');
	KT_CHECK_INT(kk_ime_letter('1'), 0);
	KT_CHECK_INT(kk_ime_letter(0xFF33), 0);
	KT_CHECK_INT(kk_ime_letters_normalize("ＳＦＺ  bb", out, sizeof out), 6);
	KT_CHECK_STR(out, "sfz bb");
	KT_CHECK_INT(kk_ime_letters_normalize(" 身份证 s1f-z！", out, sizeof out), 3);
	KT_CHECK_STR(out, "sfz");
	KT_CHECK_INT(kk_ime_letters_normalize("\xff\xfe", out, sizeof out), 0);
	KT_CHECK_STR(out, "");
	KT_CHECK_INT(kk_ime_letters_normalize("abcdefgh ijklmnopqrstu", out, 10), 8);
	KT_CHECK_STR(out, "abcdefgh");
	KT_CHECK_INT(kk_ime_letters_normalize("ab cd", out, 4), 2);
	KT_CHECK_STR(out, "ab");
	KT_CHECK_INT(kk_ime_letters_normalize("ab", out, 0), 0);

	for (int r = 0; r < KK_IME_PAD_ROWS; r++)
		for (int c = 0; c < KK_IME_PAD_COLS && kk_ime_pad[r][c]; c++) {
			const char *k = kk_ime_pad[r][c];
			KT_CHECK(k[0] && kk_utf8_valid(k, strlen(k), NULL) && kk_utf8_count(k, strlen(k)) == 1);
			digits += k[0] >= '0' && k[0] <= '9' && !k[1];
			seen_bracket += !strcmp(k, "〔") || !strcmp(k, "〕");
			seen_hao += !strcmp(k, "号") || !strcmp(k, "字") || !strcmp(k, "第") || !strcmp(k, "-");
			seen_nian += !strcmp(k, "年");
		}
	KT_CHECK_INT(digits, 10);
	KT_CHECK_INT(seen_bracket, 2);
	KT_CHECK_INT(seen_hao, 4);
	KT_CHECK_INT(seen_nian, 1);
}

KT_MAIN(KT_CASE(test_pinyin_damaged_dictionary), KT_CASE(test_pinyin_phrase), KT_CASE(test_pinyin_partial_choice),
	KT_CASE(test_pinyin_backspace), KT_CASE(test_pinyin_caps_and_bad_keys),
	KT_CASE(test_pinyin_does_not_learn), KT_CASE(test_pinyin_predict),
	KT_CASE(test_pinyin_open_errors), KT_CASE(test_hand_simple_characters),
	KT_CASE(test_hand_hostile), KT_CASE(test_letters_and_pad))
