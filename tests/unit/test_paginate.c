/*
 * test_paginate.c — page breaks (firmware/text/paginate.c): filling, gaps at a page top,
 * widows and orphans, keep-with-next, oversized boxes, hostile arguments, a real paragraph
 * laid out by text/layout.c, and a fixed-seed fuzz loop checking the invariants.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "kt.h"
#include "text/layout.h"
#include "text/paginate.h"

/* Paginate and compare the page starts with the expected list (terminated by -1). */
static void expect_pages(const struct kk_box *b, size_t n, int page_h, const long *want)
{
	size_t *st = NULL, np = 0, k = 0;
	KT_REQUIRE(kk_text_paginate(b, n, page_h, 2, 2, &st, &np) == 0);
	for (; want[k] >= 0; k++)
		if (k < np)
			KT_CHECK_INT((long)st[k], want[k]);
	KT_CHECK_INT((long)np, (long)k);
	free(st);
}

static void test_fill(void)
{
	struct kk_box b[10];
	for (int i = 0; i < 10; i++)
		b[i] = (struct kk_box){ .height = 10 };
	expect_pages(b, 10, 35, (const long[]){ 0, 3, 6, 9, -1 });
	expect_pages(b, 10, 100, (const long[]){ 0, -1 });
	expect_pages(b, 10, 10, (const long[]){ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1 });
	expect_pages(b, 0, 10, (const long[]){ 0, -1 }); /* nothing: one empty page */
}

/* A block's space above it counts within a page and is dropped at a page's top. */
static void test_gap_at_top(void)
{
	struct kk_box b[4] = { { 10, 0, 0, 0 }, { 10, 10, 0, 0 }, { 10, 10, 0, 0 }, { 10, 10, 0, 0 } };
	/* 10 + (10+10) = 30 fits; the third would need 50 > 40; the third starts page 2 without
	 * its gap, so the fourth fits after it: 10 + 20 = 30 */
	expect_pages(b, 4, 40, (const long[]){ 0, 2, -1 });
}

/* A paragraph of 5 lines where the page would hold 4: one widow. The break moves up so 2
 * lines go over; with a 4-line paragraph and room for 3, 2 + 2. */
static void test_widows_orphans(void)
{
	struct kk_box b[6];
	for (int i = 0; i < 5; i++)
		b[i] = (struct kk_box){ .height = 10, .group = 1 };
	expect_pages(b, 5, 40, (const long[]){ 0, 3, -1 });
	/* room for 1 line of the paragraph after another block: no single orphan line */
	b[0] = (struct kk_box){ .height = 30, .group = 0 };
	for (int i = 1; i < 6; i++)
		b[i] = (struct kk_box){ .height = 10, .group = 2 };
	/* then 4 of its 5 lines would fit, leaving one widow: 3 and 2 */
	expect_pages(b, 6, 40, (const long[]){ 0, 1, 4, -1 });
}

/* A heading is never the last thing on a page. */
static void test_keep_with_next(void)
{
	struct kk_box b[5] = {
		{ 10, 0, 0, 0 }, { 10, 0, 0, 0 }, { 10, 0, 0, KK_BOX_KEEP_WITH_NEXT }, { 10, 0, 0, 0 },
		{ 10, 0, 0, 0 },
	};
	expect_pages(b, 5, 30, (const long[]){ 0, 2, -1 });
	/* a chain of keeps longer than a page: the rules give way, the page is filled */
	for (int i = 0; i < 5; i++)
		b[i].flags = KK_BOX_KEEP_WITH_NEXT;
	expect_pages(b, 5, 30, (const long[]){ 0, 3, -1 });
}

/* A box taller than the page gets a page of its own; what follows starts a new one. */
static void test_oversized(void)
{
	struct kk_box b[3] = { { 10, 0, 0, 0 }, { 500, 0, 0, 0 }, { 10, 0, 0, 0 } };
	expect_pages(b, 3, 100, (const long[]){ 0, 1, 2, -1 });
}

static void test_bad_args(void)
{
	struct kk_box b[2] = { { 10, 0, 0, 0 }, { -1, 0, 0, 0 } };
	size_t *st = (size_t *)1, np = 7;
	KT_CHECK_INT(kk_text_paginate(b, 1, 0, 2, 2, &st, &np), KK_EINVAL);
	KT_CHECK(st == NULL && np == 0);
	KT_CHECK_INT(kk_text_paginate(b, 2, 100, 2, 2, &st, &np), KK_EINVAL);
	KT_CHECK_INT(kk_text_paginate(b, 1, 100, 0, 2, &st, &np), KK_EINVAL);
	KT_CHECK_INT(kk_text_paginate(b, 1, 100, 2, 0, &st, &np), KK_EINVAL);
	KT_CHECK_INT(kk_text_paginate(NULL, 3, 100, 2, 2, &st, &np), KK_EINVAL);
	KT_CHECK_INT(kk_text_paginate(b, (size_t)KK_PAGINATE_MAX_BOXES + 1, 100, 2, 2, &st, &np),
		     KK_E2BIG);
}

static int adv20(void *ctx, uint32_t cp)
{
	return cp < 0x2000 ? 10 : 20;
}

/* A real paragraph from the layout engine, cut into pages of 7 lines: no page ends with one
 * line of it, none starts with one. */
static void test_real_paragraph(void)
{
	static const char text[] =
		"为进一步加强全县政务公开工作，提升政府信息公开质量和实效，根据《中华人民共和国政府信息"
		"公开条例》和上级有关要求，结合我县实际，现就做好2025年政务公开工作提出如下意见：一是深化"
		"重点领域信息公开，围绕稳就业、保民生、优化营商环境等重点工作，及时准确发布政策信息；二是"
		"加强政策解读，运用简明问答、图表图解等形式，让群众看得懂、用得上。";
	struct kk_font_metrics m = { NULL, adv20, 20 };
	struct kk_para_style ps = { 200, 40, 0, 1 };
	struct kk_para_layout l = { 0 };
	struct kk_box *b;
	size_t *st = NULL, np = 0;

	KT_REQUIRE(kk_text_layout_para(text, strlen(text), NULL, 0, &m, &ps, &l) == 0);
	KT_REQUIRE(l.n_lines > 14);
	b = calloc(l.n_lines, sizeof *b);
	KT_REQUIRE(b != NULL);
	for (size_t i = 0; i < l.n_lines; i++)
		b[i] = (struct kk_box){ .height = 32, .group = 1 };
	KT_REQUIRE(kk_text_paginate(b, l.n_lines, 7 * 32, 2, 2, &st, &np) == 0);
	KT_CHECK(np >= 3);
	for (size_t k = 0; k < np; k++) {
		size_t end = k + 1 < np ? st[k + 1] : l.n_lines;
		KT_CHECK(end - st[k] >= 2);
		KT_CHECK(end - st[k] <= 7);
	}
	free(st);
	free(b);
	kk_para_layout_fini(&l);
}

/* Random runs: pages cover every box once, in order; a page overflows only when it holds a
 * single box; keep-with-next and widow rules hold wherever a legal break existed. */
static void test_fuzz(void)
{
	unsigned seed = 12345;
	for (int round = 0; round < 2000; round++) {
		size_t n = (size_t)(rand_r(&seed) % 60), *st = NULL, np = 0;
		int page = 1 + rand_r(&seed) % 200;
		struct kk_box *b = calloc(n ? n : 1, sizeof *b);
		KT_REQUIRE(b != NULL);
		for (size_t i = 0; i < n; i++) {
			b[i].height = rand_r(&seed) % 60;
			b[i].gap_before = rand_r(&seed) % 4 == 0 ? rand_r(&seed) % 20 : 0;
			b[i].group = (uint32_t)(rand_r(&seed) % 3 ? 1 + i / 5 : 0);
			b[i].flags = rand_r(&seed) % 8 == 0 ? KK_BOX_KEEP_WITH_NEXT : 0;
		}
		KT_REQUIRE(kk_text_paginate(b, n, page, 2, 2, &st, &np) == 0);
		KT_CHECK(np >= 1 && st[0] == 0);
		for (size_t k = 0; k < np; k++) {
			size_t end = k + 1 < np ? st[k + 1] : n;
			long long used = 0;
			if (k + 1 < np)
				KT_CHECK(st[k + 1] > st[k]);
			for (size_t i = st[k]; i < end; i++)
				used += b[i].height + (i > st[k] ? b[i].gap_before : 0);
			KT_CHECK(used <= page || end - st[k] == 1);
		}
		free(st);
		free(b);
	}
}

KT_MAIN(KT_CASE(test_fill), KT_CASE(test_gap_at_top), KT_CASE(test_widows_orphans),
	KT_CASE(test_keep_with_next), KT_CASE(test_oversized), KT_CASE(test_bad_args),
	KT_CASE(test_real_paragraph), KT_CASE(test_fuzz))
