/*
 * test_text_layout.c — the paragraph layout engine (firmware/text/layout.c): line breaking
 * with the Chinese prohibition rules, compression, the Han–Latin gap, indents, justification,
 * widows, emphasis, whitespace, errors, and a fixed-seed fuzz loop that checks invariants
 * against an independent model of the rules.
 *
 * Metrics are a fake: size 20, every code point below U+2000 is 10 px (ASCII, Latin-1),
 * everything else 20 px, so expected positions are exact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"
#include "kt.h"
#include "text/layout.h"

#define SIZE 20
#define EM SIZE
#define HALF (SIZE / 2)

struct fake {
	unsigned long calls;
};

static int fake_advance(void *ctx, uint32_t cp)
{
	struct fake *f = ctx;
	if (f)
		f->calls++;
	return cp < 0x2000 ? HALF : EM;
}

static int adv(uint32_t cp)
{
	return fake_advance(NULL, cp);
}

static const struct kk_font_metrics metrics = { NULL, fake_advance, SIZE };

static int lay(struct kk_para_layout *l, const char *text, int width, int first_indent, int indent,
	       int justify)
{
	struct kk_para_style st = { width, first_indent, indent, justify };
	return kk_text_layout_para(text, strlen(text), NULL, 0, &metrics, &st, l);
}

/* Line index of the glyph with byte offset `byte`, or -1. */
static long line_of_byte(const struct kk_para_layout *l, size_t byte)
{
	for (size_t k = 0; k < l->n_lines; k++)
		for (size_t i = l->lines[k].first; i < l->lines[k].first + l->lines[k].count; i++)
			if (l->glyphs[i].byte == byte)
				return (long)k;
	return -1;
}

/* Whether every glyph of the first occurrence of `needle` in text sits on one line. */
static int same_line(const struct kk_para_layout *l, const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	long k0;
	if (!p)
		return 0;
	k0 = line_of_byte(l, (size_t)(p - text));
	if (k0 < 0)
		return 0;
	for (size_t i = 0; i < l->n_glyphs; i++) {
		size_t b = l->glyphs[i].byte;
		if (b >= (size_t)(p - text) && b < (size_t)(p - text) + strlen(needle) &&
		    line_of_byte(l, b) != k0)
			return 0;
	}
	return 1;
}

/* The code point of the first/last visible glyph of line k (0 if none). */
static uint32_t line_first_cp(const struct kk_para_layout *l, size_t k)
{
	const struct kk_line *ln = &l->lines[k];
	for (size_t i = ln->first; i < ln->first + ln->count; i++)
		if (!(l->glyphs[i].flags & KK_GLYPH_HIDDEN))
			return l->glyphs[i].cp;
	return 0;
}

static uint32_t line_last_cp(const struct kk_para_layout *l, size_t k)
{
	const struct kk_line *ln = &l->lines[k];
	for (size_t i = ln->first + ln->count; i > ln->first; i--)
		if (!(l->glyphs[i - 1].flags & KK_GLYPH_HIDDEN))
			return l->glyphs[i - 1].cp;
	return 0;
}

/* Slot of a glyph: where its share of the line starts (drawing contract in layout.h). */
static int32_t slot_of(const struct kk_glyph *g)
{
	return g->x + ((g->flags & KK_GLYPH_CUT_LEFT) ? adv(g->cp) / 2 : 0);
}

/* Line text as UTF-8 for failure messages. */
static const char *line_str(const struct kk_para_layout *l, size_t k)
{
	static char buf[4096];
	size_t o = 0;
	const struct kk_line *ln = &l->lines[k];
	for (size_t i = ln->first; i < ln->first + ln->count && o + 8 < sizeof buf; i++)
		o += kk_utf8_encode(l->glyphs[i].cp, buf + o);
	buf[o] = 0;
	return buf;
}

static int is_cp_in(uint32_t cp, const char *set)
{
	size_t i = 0, n = strlen(set);
	while (i < n)
		if ((uint32_t)kk_utf8_next(set, n, &i) == cp)
			return 1;
	return 0;
}

static const char *NOSTART = "，。、；：！？）》」』〕”’·—…％,.;:!?)]}%\xe3\x80\x80";
static const char *NOEND = "（《「『〔“‘([{";

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

/* ---- basic wrapping ------------------------------------------------------------------------ */

static void test_wrap_han(void)
{
	struct kk_para_layout l;
	const char *t = "中华人民共和国政府信息公开条例";
	KT_REQUIRE(lay(&l, t, 5 * EM, 0, 0, 1) == 0);
	KT_CHECK_INT(l.n_glyphs, 15);
	KT_REQUIRE(l.n_lines == 3);
	for (size_t k = 0; k < 3; k++) {
		KT_CHECK_INT(l.lines[k].first, 5 * k);
		KT_CHECK_INT(l.lines[k].count, 5);
		KT_CHECK_INT(l.lines[k].width, 5 * EM);
		for (size_t i = 0; i < 5; i++) {
			KT_CHECK_INT(l.glyphs[5 * k + i].x, (int)i * EM);
			KT_CHECK_INT(l.glyphs[5 * k + i].w, EM);
			KT_CHECK_INT(l.glyphs[5 * k + i].byte, 3 * (5 * k + i));
		}
	}
	KT_CHECK_INT(l.glyphs[0].cp, 0x4E2D);
	kk_para_layout_fini(&l);
	kk_para_layout_fini(&l); /* no-op on the zeroed struct */
	KT_CHECK(l.glyphs == NULL && l.lines == NULL && l.n_lines == 0);
	kk_para_layout_fini(NULL);
}

/* A closing mark whose natural place is a line start pulls the last character down. */
static void test_no_closing_at_line_start(void)
{
	static const char *marks[] = { "。", "，", "、", "；", "：", "！", "？", "）", "》", "」", "”" };
	for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
		struct kk_para_layout l;
		char t[128];
		snprintf(t, sizeof t, "一二三四五%s六七八", marks[m]);
		KT_REQUIRE(lay(&l, t, 5 * EM, 0, 0, 1) == 0);
		KT_REQUIRE(l.n_lines == 2);
		KT_CHECK(line_first_cp(&l, 1) == 0x4E94); /* 五 pushed down with its mark */
		KT_CHECK_INT(l.lines[0].count, 4);
		KT_CHECK_INT(l.lines[0].width, 5 * EM); /* the pushed line is justified */
		KT_CHECK_INT(l.glyphs[3].x + l.glyphs[3].w, 5 * EM);
		kk_para_layout_fini(&l);
	}
}

/* An opening mark whose natural place is a line end goes down to the next line. */
static void test_no_opening_at_line_end(void)
{
	static const char *marks[] = { "“", "《", "（", "「", "『", "〔", "‘" };
	for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
		struct kk_para_layout l;
		char t[128];
		snprintf(t, sizeof t, "一二三四%s五六七八", marks[m]);
		KT_REQUIRE(lay(&l, t, 5 * EM, 0, 0, 1) == 0);
		KT_REQUIRE(l.n_lines == 2);
		KT_CHECK_INT(l.lines[0].count, 4);
		KT_CHECK(line_last_cp(&l, 0) == 0x56DB); /* 四 */
		KT_CHECK_INT(l.lines[0].width, 5 * EM);
		KT_CHECK(is_cp_in(line_first_cp(&l, 1), NOEND));
		kk_para_layout_fini(&l);
	}
}

/* —— and …… never split, and —— does not start a line. */
static void test_dash_ellipsis(void)
{
	struct kk_para_layout l;
	const char *t1 = "一二三四——五六";
	const char *t2 = "一二三四……五六";
	const char *t3 = "一二三四五——六七";
	KT_REQUIRE(lay(&l, t1, 5 * EM, 0, 0, 1) == 0);
	KT_CHECK(same_line(&l, t1, "四——"));
	KT_CHECK(line_first_cp(&l, 1) == 0x56DB);
	kk_para_layout_fini(&l);
	KT_REQUIRE(lay(&l, t2, 5 * EM, 0, 0, 1) == 0);
	KT_CHECK(same_line(&l, t2, "四……"));
	kk_para_layout_fini(&l);
	/* the line is full before the dash: 五 goes down with it */
	KT_REQUIRE(lay(&l, t3, 5 * EM, 0, 0, 1) == 0);
	KT_CHECK(same_line(&l, t3, "五——"));
	KT_CHECK(line_first_cp(&l, 1) == 0x4E94);
	kk_para_layout_fini(&l);
	/* two pairs in a row may be separated between the pairs, never inside one */
	{
		const char *t4 = "一二三四————五六七八九十";
		for (int w = 2 * EM; w <= 6 * EM; w += 7) {
			KT_REQUIRE(lay(&l, t4, w, 0, 0, 1) == 0);
			/* dashes at bytes 12 15 | 18 21 */
			KT_CHECK(line_of_byte(&l, 12) == line_of_byte(&l, 15));
			KT_CHECK(line_of_byte(&l, 18) == line_of_byte(&l, 21));
			if (w >= 3 * EM) /* else 四—— is wider than the line: unavoidable */
				KT_CHECK(line_of_byte(&l, 9) == line_of_byte(&l, 12));
			kk_para_layout_fini(&l);
		}
		KT_REQUIRE(lay(&l, t4, 4 * EM, 0, 0, 1) == 0);
		KT_CHECK(same_line(&l, t4, "四——"));
		KT_CHECK(line_of_byte(&l, 18) == line_of_byte(&l, 12) + 1);
		kk_para_layout_fini(&l);
	}
}

/* Latin words, numbers, document numbers and URLs stay together. */
static void test_words_and_numbers(void)
{
	static const char *units[] = { "2023年", "3.14", "50%", "〔2023〕37号", "Hello" };
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		/* put the unit at every offset across the first line end */
		for (int pre = 1; pre <= 5; pre++) {
			struct kk_para_layout l;
			char t[256];
			size_t o = 0;
			for (int i = 0; i < pre; i++)
				o += (size_t)snprintf(t + o, sizeof t - o, "政");
			snprintf(t + o, sizeof t - o, "%s规定如下", units[u]);
			KT_REQUIRE(lay(&l, t, 7 * EM, 0, 0, 1) == 0);
			if (!same_line(&l, t, units[u]))
				printf("#   split: %s\n", t);
			KT_CHECK(same_line(&l, t, units[u]));
			kk_para_layout_fini(&l);
		}
	}
	{
		struct kk_para_layout l;
		const char *t = "详见网站https://example.gov.cn/a/b的通知";
		KT_REQUIRE(lay(&l, t, 15 * EM, 0, 0, 1) == 0);
		KT_CHECK(same_line(&l, t, "https://example.gov.cn/a/b"));
		KT_CHECK_INT(line_of_byte(&l, 12), 1); /* the URL moved down whole */
		KT_CHECK_INT(l.lines[0].count, 4);
		KT_CHECK_INT(l.lines[0].width, 15 * EM);
		kk_para_layout_fini(&l);
	}
	{
		/* words separated by spaces break at the spaces only */
		struct kk_para_layout l;
		const char *t = "请填写 application form 并提交";
		KT_REQUIRE(lay(&l, t, 8 * EM, 0, 0, 1) == 0);
		KT_CHECK(same_line(&l, t, "application"));
		KT_CHECK(same_line(&l, t, "form"));
		kk_para_layout_fini(&l);
	}
}

/* A word or URL longer than the line is broken by characters, starting on the current line. */
static void test_long_url(void)
{
	struct kk_para_layout l;
	const char *t = "访问 https://example.gov.cn/a/b/c/d/e/f 查看";
	size_t total = 0;
	KT_REQUIRE(lay(&l, t, 5 * EM, 0, 0, 1) == 0);
	KT_REQUIRE(l.n_lines >= 4);
	/* the URL starts on the first line rather than leaving it with two characters */
	KT_CHECK(l.lines[0].count > 3);
	KT_CHECK_INT(l.glyphs[3].cp, 'h');
	for (size_t k = 0; k < l.n_lines; k++) {
		KT_CHECK(l.lines[k].width <= 5 * EM);
		total += l.lines[k].count;
	}
	KT_CHECK_INT(total, l.n_glyphs);
	kk_para_layout_fini(&l);
}

/* Inside a URL too long for the line, breaks come after / . - … when they fill half a line;
 * a long word does not start on a line that has less than a quarter left. */
static void test_url_breaks(void)
{
	struct kk_para_layout l;
	const char *t = "详见 https://example.gov.cn/a/b/c/d/e/f/g/h/i/j 查看";
	const char *t2 = "一二三四五六七八 https://example.gov.cn/abcdefghij";
	KT_REQUIRE(lay(&l, t, 12 * EM, 0, 0, 1) == 0);
	KT_REQUIRE(l.n_lines >= 3);
	KT_CHECK_INT(line_last_cp(&l, 0), '.');
	KT_CHECK_INT(line_last_cp(&l, 1), '/');
	KT_CHECK_INT(l.lines[0].count, 3 + 16);
	kk_para_layout_fini(&l);
	KT_REQUIRE(lay(&l, t2, 10 * EM, 0, 0, 1) == 0);
	KT_CHECK_INT(line_of_byte(&l, strlen("一二三四五六七八 ")), 1);
	KT_CHECK_INT(l.lines[0].count, 9);
	KT_CHECK_INT(l.lines[0].width, 10 * EM);
	kk_para_layout_fini(&l);
}

/* A combining mark or variation selector stays with its base character. */
static void test_combining(void)
{
	struct kk_para_layout l;
	const char *t = "一二三四五\xef\xb8\x80六七"; /* 五 + VS1 */
	KT_REQUIRE(lay(&l, t, 5 * EM, 0, 0, 1) == 0);
	KT_CHECK_INT(l.n_glyphs, 8);
	KT_CHECK(line_of_byte(&l, 12) == line_of_byte(&l, 15));
	KT_CHECK_INT(l.lines[0].count, 4);
	kk_para_layout_fini(&l);
	/* a decomposed accent does not open a break inside a word */
	t = "abc re\xcc\x81sume\xcc\x81 def";
	KT_REQUIRE(lay(&l, t, 10 * HALF, 0, 0, 1) == 0);
	KT_CHECK(same_line(&l, t, "re\xcc\x81sume\xcc\x81"));
	kk_para_layout_fini(&l);
}

/* ---- spacing ------------------------------------------------------------------------------- */

static void test_han_latin_gap(void)
{
	struct kk_para_layout l;
	/* 中文abc中文: gap after 文 and after c */
	KT_REQUIRE(lay(&l, "中文abc中文", 40 * EM, 0, 0, 0) == 0);
	KT_REQUIRE(l.n_glyphs == 7);
	KT_CHECK_INT(l.glyphs[1].w, EM + EM / 4);
	KT_CHECK_INT(l.glyphs[2].x, 2 * EM + EM / 4);
	KT_CHECK_INT(l.glyphs[3].w, HALF);
	KT_CHECK_INT(l.glyphs[4].w, HALF + EM / 4);
	KT_CHECK_INT(l.glyphs[5].x, 2 * EM + 3 * HALF + 2 * (EM / 4));
	KT_CHECK_INT(l.lines[0].width, 4 * EM + 3 * HALF + 2 * (EM / 4));
	kk_para_layout_fini(&l);
	/* a space is already there: no gap, the space keeps its advance */
	KT_REQUIRE(lay(&l, "中文 abc 中文", 40 * EM, 0, 0, 0) == 0);
	KT_REQUIRE(l.n_glyphs == 9);
	KT_CHECK_INT(l.glyphs[1].w, EM);
	KT_CHECK_INT(l.glyphs[2].cp, ' ');
	KT_CHECK_INT(l.glyphs[2].w, HALF);
	KT_CHECK_INT(l.glyphs[5].w, HALF);
	KT_CHECK_INT(l.lines[0].width, 4 * EM + 5 * HALF);
	kk_para_layout_fini(&l);
	/* punctuation between them: no gap */
	KT_REQUIRE(lay(&l, "中文，abc。", 40 * EM, 0, 0, 0) == 0);
	KT_CHECK_INT(l.glyphs[1].w, EM);
	KT_CHECK_INT(l.glyphs[2].w, EM);
	KT_CHECK_INT(l.glyphs[5].w, HALF);
	kk_para_layout_fini(&l);
	/* digits too: 共3个 */
	KT_REQUIRE(lay(&l, "共3个", 40 * EM, 0, 0, 0) == 0);
	KT_CHECK_INT(l.glyphs[0].w, EM + EM / 4);
	KT_CHECK_INT(l.glyphs[1].w, HALF + EM / 4);
	kk_para_layout_fini(&l);
}

static void test_whitespace_folding(void)
{
	struct kk_para_layout l;
	const char *t = "  abc \t  def\t\tghi  ";
	KT_REQUIRE(lay(&l, t, 40 * EM, 0, 0, 0) == 0);
	KT_REQUIRE(l.n_glyphs == 11);
	KT_CHECK_INT(l.glyphs[0].byte, 2);
	KT_CHECK_INT(l.glyphs[3].cp, ' ');
	KT_CHECK_INT(l.glyphs[3].byte, 5);
	KT_CHECK_INT(l.glyphs[7].cp, ' ');
	KT_CHECK_INT(l.glyphs[7].byte, 12);
	KT_CHECK_INT(l.lines[0].width, 11 * HALF);
	kk_para_layout_fini(&l);
	/* U+3000 at the start is kept as an indent */
	KT_REQUIRE(lay(&l, "\xe3\x80\x80\xe3\x80\x80第一条", 40 * EM, 0, 0, 0) == 0);
	KT_REQUIRE(l.n_glyphs == 5);
	KT_CHECK_INT(l.glyphs[0].cp, 0x3000);
	KT_CHECK(!(l.glyphs[0].flags & KK_GLYPH_HIDDEN));
	KT_CHECK_INT(l.glyphs[2].x, 2 * EM);
	KT_CHECK_INT(l.lines[0].width, 5 * EM);
	kk_para_layout_fini(&l);
	/* invisible format characters produce no glyph; ZWSP gives a break opportunity */
	KT_REQUIRE(lay(&l, "ab\xe2\x80\x8b" "cd\xef\xbb\xbf" "ef", 4 * HALF, 0, 0, 0) == 0);
	KT_CHECK_INT(l.n_glyphs, 6);
	KT_CHECK_INT(l.lines[0].count, 2);
	kk_para_layout_fini(&l);
}

static void test_line_end_space_hidden(void)
{
	struct kk_para_layout l;
	const char *t = "abc def ghi jkl";
	KT_REQUIRE(lay(&l, t, 15 * HALF / 2, 0, 0, 1) == 0); /* 75 px */
	KT_REQUIRE(l.n_lines == 2);
	KT_CHECK_INT(l.lines[0].count, 8);
	KT_CHECK_INT(l.glyphs[7].cp, ' ');
	KT_CHECK(l.glyphs[7].flags & KK_GLYPH_HIDDEN);
	KT_CHECK_INT(l.glyphs[7].w, 0);
	KT_CHECK_INT(l.lines[0].width, 75); /* justified: the inner space took the slack */
	KT_CHECK_INT(l.glyphs[3].w, HALF + 5);
	KT_CHECK_INT(l.glyphs[6].x + l.glyphs[6].w, 75);
	KT_CHECK_INT(l.glyphs[7].x, 75);
	KT_CHECK(!(l.glyphs[3].flags & KK_GLYPH_HIDDEN));
	kk_para_layout_fini(&l);
	/* without justification the hidden space does not count in the width */
	KT_REQUIRE(lay(&l, t, 75, 0, 0, 0) == 0);
	KT_CHECK_INT(l.lines[0].width, 7 * HALF);
	kk_para_layout_fini(&l);
}

static void test_newline(void)
{
	struct kk_para_layout l;
	KT_REQUIRE(lay(&l, "一二  \n  三四", 10 * EM, 0, 0, 1) == 0);
	KT_REQUIRE(l.n_lines == 2);
	KT_CHECK_INT(l.n_glyphs, 4);
	KT_CHECK_INT(l.lines[0].width, 2 * EM); /* not justified before a forced break */
	KT_CHECK_INT(l.glyphs[2].x, 0);
	kk_para_layout_fini(&l);
	KT_REQUIRE(lay(&l, "一\r\n二\r三", 10 * EM, 0, 0, 1) == 0);
	KT_CHECK_INT(l.n_lines, 3);
	kk_para_layout_fini(&l);
	KT_REQUIRE(lay(&l, "\n\n一\n\n二\n", 10 * EM, 2 * EM, 0, 1) == 0);
	KT_REQUIRE(l.n_lines == 3);
	KT_CHECK_INT(l.lines[1].count, 0);
	KT_CHECK_INT(l.lines[1].first, 1);
	KT_CHECK_INT(l.lines[1].width, 0);
	KT_CHECK_INT(l.glyphs[0].x, 2 * EM);
	KT_CHECK_INT(l.glyphs[1].x, 0);
	kk_para_layout_fini(&l);
	/* a newline inside a wrapped paragraph: the line before it is not justified either */
	KT_REQUIRE(lay(&l, "一二三四五六七\n八", 5 * EM, 0, 0, 1) == 0);
	KT_REQUIRE(l.n_lines == 3);
	KT_CHECK_INT(l.lines[0].width, 5 * EM);
	KT_CHECK_INT(l.lines[1].width, 2 * EM);
	kk_para_layout_fini(&l);
}

/* ---- compression --------------------------------------------------------------------------- */

static void test_compression(void)
{
	struct kk_para_layout l;
	/* 好。”我: 。 is set half-width, ” follows at 1.5 em */
	KT_REQUIRE(lay(&l, "好。”我", 40 * EM, 0, 0, 0) == 0);
	KT_REQUIRE(l.n_glyphs == 4);
	KT_CHECK_INT(l.glyphs[1].x, EM);
	KT_CHECK_INT(l.glyphs[1].w, HALF);
	KT_CHECK(l.glyphs[1].flags & KK_GLYPH_CUT_RIGHT);
	KT_CHECK_INT(l.glyphs[2].x, EM + HALF);
	KT_CHECK_INT(l.glyphs[2].w, EM);
	KT_CHECK_INT(l.glyphs[3].x, 2 * EM + HALF);
	kk_para_layout_fini(&l);
	/* （一）（二）: the ） before （ is half-width */
	KT_REQUIRE(lay(&l, "（一）（二）", 40 * EM, 0, 0, 0) == 0);
	KT_REQUIRE(l.n_glyphs == 6);
	KT_CHECK_INT(l.glyphs[2].w, HALF);
	KT_CHECK(l.glyphs[2].flags & KK_GLYPH_CUT_RIGHT);
	KT_CHECK_INT(l.glyphs[3].x, 2 * EM + HALF);
	KT_CHECK(!(l.glyphs[3].flags & (KK_GLYPH_CUT_LEFT | KK_GLYPH_CUT_RIGHT)));
	KT_CHECK_INT(l.glyphs[5].w, EM); /* a closing mark at the paragraph end stays full */
	KT_CHECK_INT(l.lines[0].width, 5 * EM + HALF);
	kk_para_layout_fini(&l);
	/* “《书》”: the second opening mark loses its blank left half and is drawn half an em
	 * left of its slot; 》 before ” loses its right half */
	KT_REQUIRE(lay(&l, "“《书》”", 40 * EM, 0, 0, 0) == 0);
	KT_REQUIRE(l.n_glyphs == 5);
	KT_CHECK_INT(l.glyphs[0].x, 0);
	KT_CHECK(l.glyphs[1].flags & KK_GLYPH_CUT_LEFT);
	KT_CHECK_INT(l.glyphs[1].x, EM - HALF);
	KT_CHECK_INT(slot_of(&l.glyphs[1]), EM);
	KT_CHECK_INT(l.glyphs[1].w, HALF);
	KT_CHECK_INT(l.glyphs[2].x, EM + HALF);
	KT_CHECK_INT(l.glyphs[3].w, HALF);
	KT_CHECK_INT(l.glyphs[4].x, 3 * EM);
	KT_CHECK_INT(l.lines[0].width, 4 * EM);
	kk_para_layout_fini(&l);
	/* push-in: a closing mark that fits only at half width stays on the line */
	KT_REQUIRE(lay(&l, "一二三四五。六七", 5 * EM + HALF, 0, 0, 1) == 0);
	KT_REQUIRE(l.n_lines == 2);
	KT_CHECK_INT(l.lines[0].count, 6);
	KT_CHECK_INT(l.glyphs[5].w, HALF);
	KT_CHECK(l.glyphs[5].flags & KK_GLYPH_CUT_RIGHT);
	KT_CHECK_INT(l.lines[0].width, 5 * EM + HALF);
	kk_para_layout_fini(&l);
	/* a closing mark at a line end is full-width when it fits */
	KT_REQUIRE(lay(&l, "一二三四。五六七", 5 * EM, 0, 0, 1) == 0);
	KT_CHECK_INT(l.lines[0].count, 5);
	KT_CHECK_INT(l.glyphs[4].w, EM);
	KT_CHECK_INT(l.lines[0].width, 5 * EM);
	kk_para_layout_fini(&l);
}

/* ---- indents, justification, widows, emphasis ---------------------------------------------- */

static void test_indents(void)
{
	struct kk_para_layout l;
	const char *t = "一二三四五六七八九十一二三四五六";
	KT_REQUIRE(lay(&l, t, 5 * EM, 2 * EM, 0, 1) == 0);
	KT_REQUIRE(l.n_lines >= 3);
	KT_CHECK_INT(l.lines[0].count, 3);
	KT_CHECK_INT(l.glyphs[0].x, 2 * EM);
	KT_CHECK_INT(l.lines[0].width, 5 * EM);
	KT_CHECK_INT(l.glyphs[l.lines[1].first].x, 0);
	KT_CHECK_INT(l.lines[1].count, 5);
	kk_para_layout_fini(&l);
	/* hanging indent (list item): first line flush, the others indented */
	KT_REQUIRE(lay(&l, t, 5 * EM, 0, 2 * EM, 1) == 0);
	KT_REQUIRE(l.n_lines >= 3);
	KT_CHECK_INT(l.lines[0].count, 5);
	KT_CHECK_INT(l.glyphs[0].x, 0);
	KT_CHECK_INT(l.glyphs[l.lines[1].first].x, 2 * EM);
	KT_CHECK_INT(l.lines[1].count, 3);
	KT_CHECK_INT(l.lines[1].width, 5 * EM);
	kk_para_layout_fini(&l);
}

static void test_justify(void)
{
	struct kk_para_layout l;
	const char *t = "根据《中华人民共和国政府信息公开条例》（国务院令第711号）的规定，"
			"行政机关应当主动公开本行政机关的机构设置、职能、办事程序等信息。"
			"申请人可以通过 https://example.gov.cn 提交申请，也可以到现场办理。";
	for (int width = 7 * EM + 3; width <= 23 * EM; width += 37) {
		KT_REQUIRE(lay(&l, t, width, 2 * EM, 0, 1) == 0);
		for (size_t k = 0; k + 1 < l.n_lines; k++) {
			const struct kk_line *ln = &l.lines[k];
			size_t i = ln->first + ln->count, han = 0;
			while (l.glyphs[i - 1].flags & KK_GLYPH_HIDDEN)
				i--;
			for (size_t j = ln->first; j < i; j++)
				han += l.glyphs[j].cp >= 0x4E00 || l.glyphs[j].cp == ' ';
			if (han < 2)
				continue; /* a piece of the URL alone: no gap to justify */
			if (ln->width < width - 1 || ln->width > width + 1)
				printf("#   width %d line %zu: %d '%s'\n", width, k, ln->width, line_str(&l, k));
			KT_CHECK(ln->width >= width - 1 && ln->width <= width + 1);
			KT_CHECK_INT(slot_of(&l.glyphs[i - 1]) + l.glyphs[i - 1].w, ln->width);
		}
		/* no justification space after an opening mark or before a closing one */
		for (size_t k = 0; k < l.n_lines; k++) {
			const struct kk_line *ln = &l.lines[k];
			for (size_t i = ln->first; i + 1 < ln->first + ln->count; i++) {
				const struct kk_glyph *g = &l.glyphs[i];
				if (is_cp_in(g->cp, NOEND) || is_cp_in(l.glyphs[i + 1].cp, NOSTART))
					KT_CHECK(g->w <= adv(g->cp));
			}
		}
		/* the last line is not justified: Han characters keep their natural advance */
		{
			const struct kk_line *ln = &l.lines[l.n_lines - 1];
			for (size_t i = ln->first; i < ln->first + ln->count; i++)
				KT_CHECK(l.glyphs[i].w <= adv(l.glyphs[i].cp) + EM / 4);
			KT_CHECK(ln->width < width);
		}
		kk_para_layout_fini(&l);
	}
	/* justify = 0: no glyph is widened */
	KT_REQUIRE(lay(&l, t, 9 * EM + 7, 0, 0, 0) == 0);
	for (size_t i = 0; i < l.n_glyphs; i++)
		KT_CHECK(l.glyphs[i].w <= adv(l.glyphs[i].cp) + EM / 4);
	kk_para_layout_fini(&l);
	/* the slack is spread evenly over the gaps, the remainder 1 px each from the left */
	KT_REQUIRE(lay(&l, "一二三四五六七八九十", 4 * EM + 7, 0, 0, 1) == 0);
	KT_CHECK_INT(l.lines[0].count, 4);
	KT_CHECK_INT(l.glyphs[0].w, EM + 3);
	KT_CHECK_INT(l.glyphs[1].w, EM + 2);
	KT_CHECK_INT(l.glyphs[2].w, EM + 2);
	KT_CHECK_INT(l.glyphs[3].w, EM);
	KT_CHECK_INT(l.glyphs[3].x, 3 * EM + 7);
	kk_para_layout_fini(&l);
}

static void test_widow(void)
{
	struct kk_para_layout l;
	/* 11 characters at 5 per line would leave 一 alone */
	KT_REQUIRE(lay(&l, "一二三四五六七八九十一", 5 * EM, 0, 0, 1) == 0);
	KT_REQUIRE(l.n_lines == 3);
	KT_CHECK_INT(l.lines[0].count, 5);
	KT_CHECK_INT(l.lines[1].count, 4);
	KT_CHECK_INT(l.lines[2].count, 2);
	KT_CHECK_INT(l.lines[1].width, 5 * EM); /* justified */
	kk_para_layout_fini(&l);
	/* a lone character with its punctuation */
	KT_REQUIRE(lay(&l, "一二三四五六七八九十一。", 5 * EM, 0, 0, 1) == 0);
	KT_REQUIRE(l.n_lines == 3);
	KT_CHECK_INT(l.lines[2].count, 3);
	kk_para_layout_fini(&l);
	/* two characters on the last line are fine */
	KT_REQUIRE(lay(&l, "一二三四五六七八九十一二", 5 * EM, 0, 0, 1) == 0);
	KT_CHECK_INT(l.lines[1].count, 5);
	KT_CHECK_INT(l.lines[2].count, 2);
	kk_para_layout_fini(&l);
	/* not when the previous line would be left with a single glyph */
	KT_REQUIRE(lay(&l, "一二三", 2 * EM, 0, 0, 1) == 0);
	KT_CHECK_INT(l.lines[0].count, 2);
	KT_CHECK_INT(l.lines[1].count, 1);
	kk_para_layout_fini(&l);
}

static void test_emphasis(void)
{
	struct kk_para_layout l;
	struct kk_para_style st = { 40 * EM, 0, 0, 1 };
	const char *t = "依法公开政府信息 is required";
	struct kk_span sp[] = { { 6, 12 }, { 25, 1000 }, { 9, 3 }, { 0, 0 } };
	KT_REQUIRE(kk_text_layout_para(t, strlen(t), sp, 4, &metrics, &st, &l) == 0);
	for (size_t i = 0; i < l.n_glyphs; i++) {
		uint32_t b = l.glyphs[i].byte;
		int want = (b >= 6 && b < 12) || b >= 25;
		KT_CHECK_INT(!!(l.glyphs[i].flags & KK_GLYPH_EMPH), want);
	}
	KT_CHECK(l.glyphs[2].flags & KK_GLYPH_EMPH); /* 公 */
	KT_CHECK(!(l.glyphs[4].flags & KK_GLYPH_EMPH)); /* 政 */
	kk_para_layout_fini(&l);
}

/* ---- errors and limits --------------------------------------------------------------------- */

static void test_invalid_utf8(void)
{
	static const char *bad[] = { "\xff", "中\xe4\xb8", "\xc0\xaf", "\xed\xa0\x80", "a\200b",
				     "\xf4\x90\x80\x80" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct kk_para_layout l;
		memset(&l, 0x55, sizeof l);
		KT_CHECK_INT(lay(&l, bad[i], 10 * EM, 0, 0, 1), KK_EINVAL);
		KT_CHECK(l.glyphs == NULL && l.lines == NULL && l.n_glyphs == 0 && l.n_lines == 0);
		kk_para_layout_fini(&l);
	}
}

static void test_empty(void)
{
	struct kk_para_layout l;
	KT_CHECK_INT(lay(&l, "", 10 * EM, 0, 0, 1), 0);
	KT_CHECK_INT(l.n_lines, 0);
	KT_CHECK_INT(l.n_glyphs, 0);
	kk_para_layout_fini(&l);
	KT_CHECK_INT(lay(&l, "  \n\t \r\n ", 10 * EM, 0, 0, 1), 0);
	KT_CHECK_INT(l.n_lines, 0);
	KT_CHECK_INT(l.n_glyphs, 0);
	kk_para_layout_fini(&l);
	{
		struct kk_para_style st = { 10 * EM, 0, 0, 1 };
		KT_CHECK_INT(kk_text_layout_para(NULL, 0, NULL, 0, &metrics, &st, &l), 0);
		KT_CHECK_INT(l.n_lines, 0);
	}
}

static void test_bad_args(void)
{
	struct kk_para_layout l;
	struct kk_para_style st = { 10 * EM, 0, 0, 1 };
	struct kk_font_metrics nom = { NULL, NULL, SIZE }, nosize = { NULL, fake_advance, 0 };
	struct kk_span sp = { 0, 1 };
	KT_CHECK_INT(kk_text_layout_para("a", 1, NULL, 0, &metrics, &st, NULL), KK_EINVAL);
	KT_CHECK_INT(kk_text_layout_para(NULL, 1, NULL, 0, &metrics, &st, &l), KK_EINVAL);
	KT_CHECK_INT(kk_text_layout_para("a", 1, NULL, 0, NULL, &st, &l), KK_EINVAL);
	KT_CHECK_INT(kk_text_layout_para("a", 1, NULL, 0, &nom, &st, &l), KK_EINVAL);
	KT_CHECK_INT(kk_text_layout_para("a", 1, NULL, 0, &nosize, &st, &l), KK_EINVAL);
	KT_CHECK_INT(kk_text_layout_para("a", 1, NULL, 0, &metrics, NULL, &l), KK_EINVAL);
	KT_CHECK_INT(kk_text_layout_para("a", 1, NULL, 1, &metrics, &st, &l), KK_EINVAL);
	KT_CHECK_INT(kk_text_layout_para("a", 1, &sp, KK_TEXT_MAX_SPANS + 1, &metrics, &st, &l),
		     KK_E2BIG);
	st.width = 0;
	KT_CHECK_INT(kk_text_layout_para("a", 1, NULL, 0, &metrics, &st, &l), KK_EINVAL);
	st.width = KK_TEXT_MAX_WIDTH + 1;
	KT_CHECK_INT(kk_text_layout_para("a", 1, NULL, 0, &metrics, &st, &l), KK_EINVAL);
	st.width = 100;
	st.indent = -1;
	KT_CHECK_INT(kk_text_layout_para("a", 1, NULL, 0, &metrics, &st, &l), KK_EINVAL);
	st.indent = 0;
	st.first_indent = -1;
	KT_CHECK_INT(kk_text_layout_para("a", 1, NULL, 0, &metrics, &st, &l), KK_EINVAL);
	KT_CHECK(l.glyphs == NULL && l.n_lines == 0);
}

static void test_too_big(void)
{
	struct kk_para_layout l;
	struct kk_para_style st = { 30 * EM, 2 * EM, 0, 1 };
	size_t n = KK_TEXT_MAX_BYTES;
	char *t = malloc(n + 1);
	struct fake f = { 0 };
	struct kk_font_metrics m = { &f, fake_advance, SIZE };
	KT_REQUIRE(t != NULL);
	/* exactly the cap is accepted: a mix of Han and ASCII words */
	for (size_t i = 0; i < n;) {
		if (n - i >= 3 && (i / 3) % 7 != 6) {
			memcpy(t + i, "政", 3);
			i += 3;
		} else {
			t[i] = (i % 5) ? 'a' : ' ';
			i++;
		}
	}
	KT_CHECK_INT(kk_text_layout_para(t, n, NULL, 0, &m, &st, &l), 0);
	KT_CHECK(l.n_lines > 1000);
	KT_CHECK(f.calls == l.n_glyphs); /* one advance() per glyph: linear work */
	kk_para_layout_fini(&l);
	t[n] = 'a';
	KT_CHECK_INT(kk_text_layout_para(t, n + 1, NULL, 0, &m, &st, &l), KK_E2BIG);
	KT_CHECK(l.glyphs == NULL);
	free(t);
}

/* Width of one em and less: every character is placed, one (or one cluster) per line. */
static void test_narrow(void)
{
	static const int widths[] = { EM, EM - 1, 7, 1 };
	const char *t = "一二，三“四”abc——五。";
	for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
		struct kk_para_layout l;
		size_t total = 0;
		KT_REQUIRE(lay(&l, t, widths[w], 0, 0, 1) == 0);
		KT_CHECK_INT(l.n_glyphs, 14);
		KT_CHECK(l.n_lines >= 6);
		for (size_t k = 0; k < l.n_lines; k++) {
			KT_CHECK(l.lines[k].count >= 1);
			KT_CHECK_INT(l.lines[k].first, total);
			total += l.lines[k].count;
		}
		KT_CHECK_INT(total, 14);
		/* ，after 二 hangs rather than starting a line */
		KT_CHECK(line_first_cp(&l, 1) != 0xFF0C);
		KT_CHECK(same_line(&l, t, "——"));
		kk_para_layout_fini(&l);
	}
	{
		struct kk_para_layout l;
		KT_REQUIRE(lay(&l, "abcdef", 7, 0, 0, 1) == 0);
		KT_CHECK_INT(l.n_lines, 6);
		kk_para_layout_fini(&l);
		KT_REQUIRE(lay(&l, "一二三", EM, 0, 0, 1) == 0);
		KT_CHECK_INT(l.n_lines, 3);
		kk_para_layout_fini(&l);
		/* a table cell too narrow for "1997年" (65 px): it parts before 年, never inside
		 * the number */
		KT_REQUIRE(lay(&l, "1997年", 50, 0, 0, 1) == 0);
		KT_CHECK_INT(l.n_lines, 2);
		KT_CHECK_INT(l.lines[0].count, 4);
		kk_para_layout_fini(&l);
		/* with room, it stays together */
		KT_REQUIRE(lay(&l, "建成1997年", 65, 0, 0, 1) == 0);
		KT_CHECK_INT(l.n_lines, 2);
		KT_CHECK_INT(l.lines[0].count, 2);
		kk_para_layout_fini(&l);
	}
}

/* Metrics that break their contract (0, negative, huge advances) and extreme styles still
 * give a well-formed layout. */
static int zero_advance(void *ctx, uint32_t cp)
{
	return cp % 3 == 0 ? 0 : cp % 3 == 1 ? -5 : 20;
}

static int huge_advance(void *ctx, uint32_t cp)
{
	return 0x7FFFFFFF;
}

static void test_hostile_metrics(void)
{
	static const struct kk_font_metrics ms[] = { { NULL, zero_advance, SIZE },
						     { NULL, huge_advance, SIZE },
						     { NULL, fake_advance, KK_TEXT_MAX_SIZE } };
	static const struct kk_para_style sts[] = { { 100, 0, 0, 1 },
						    { 1, KK_TEXT_MAX_WIDTH, KK_TEXT_MAX_WIDTH, 1 },
						    { KK_TEXT_MAX_WIDTH, 0, 50, 1 } };
	const char *t = "一二，三“四”abc——五。 x\n\n六 https://a.b/c 七八九十";
	for (size_t a = 0; a < 3; a++) {
		for (size_t b = 0; b < 3; b++) {
			struct kk_para_layout l;
			size_t total = 0;
			KT_REQUIRE(kk_text_layout_para(t, strlen(t), NULL, 0, &ms[a], &sts[b], &l) == 0);
			for (size_t k = 0; k < l.n_lines; k++) {
				KT_CHECK_INT(l.lines[k].first, total);
				total += l.lines[k].count;
			}
			KT_CHECK_INT(total, l.n_glyphs);
			for (size_t i = 0; i < l.n_glyphs; i++)
				KT_CHECK(l.glyphs[i].w >= 0);
			kk_para_layout_fini(&l);
		}
	}
}

/* Random bytes: EINVAL exactly when the text is not valid UTF-8, never a crash. */
static void test_random_bytes(void)
{
	static const char *frag[] = { "\xe4\xb8\xad", "\xe3\x80\x82", "a", " ", "\n", "\xff", "\x80",
				      "\xed\xa0\x80", "\xf0\x9f\x98\x80", "\xe2\x80\x94", "\xcc\x81",
				      "\xc0", "\xe4\xb8", "\xef\xbb\xbf", "\t", "\xc2\xa0" };
	char t[512];
	rng_state = 42;
	for (int iter = 0; iter < 3000; iter++) {
		struct kk_para_layout l;
		struct kk_para_style st = { 1 + (int)(rng() % 300), (int)(rng() % 50), 0, 1 };
		size_t len = 0, n = rng() % 40;
		int rc;
		for (size_t k = 0; k < n; k++) {
			const char *f = frag[rng() % (sizeof frag / sizeof frag[0])];
			memcpy(t + len, f, strlen(f));
			len += strlen(f);
		}
		rc = kk_text_layout_para(t, len, NULL, 0, &metrics, &st, &l);
		KT_CHECK_INT(rc, kk_utf8_valid(t, len, NULL) ? 0 : KK_EINVAL);
		kk_para_layout_fini(&l);
		if (kt_failed_now)
			return;
	}
}

/* Same input, same output, and advance() is called once per glyph. */
static void test_deterministic(void)
{
	struct kk_para_layout a, b;
	struct kk_para_style st = { 9 * EM + 3, 2 * EM, 0, 1 };
	struct fake f = { 0 };
	struct kk_font_metrics m = { &f, fake_advance, SIZE };
	const char *t = "第一条　为了保障公民、法人和其他组织依法获取政府信息，提高政府工作的透明度"
			"（见附件1），制定本条例。";
	KT_REQUIRE(kk_text_layout_para(t, strlen(t), NULL, 0, &m, &st, &a) == 0);
	KT_CHECK_INT(f.calls, a.n_glyphs);
	KT_REQUIRE(kk_text_layout_para(t, strlen(t), NULL, 0, &m, &st, &b) == 0);
	KT_REQUIRE(a.n_glyphs == b.n_glyphs && a.n_lines == b.n_lines);
	KT_CHECK(memcmp(a.glyphs, b.glyphs, a.n_glyphs * sizeof *a.glyphs) == 0);
	for (size_t k = 0; k < a.n_lines; k++) {
		KT_CHECK_INT(a.lines[k].first, b.lines[k].first);
		KT_CHECK_INT(a.lines[k].count, b.lines[k].count);
		KT_CHECK_INT(a.lines[k].width, b.lines[k].width);
	}
	kk_para_layout_fini(&a);
	kk_para_layout_fini(&b);
}

/* ---- fuzz ---------------------------------------------------------------------------------- */

static const char *const palette[] = {
	"中", "国", "人", "民", "政", "府", "信", "息", "公", "开", "中", "国", "政", "府",
	"，", "。", "、", "；", "：", "！", "？", "）", "》", "」", "』", "”", "’",
	"（", "《", "「", "『", "“", "‘",
	"——", "……", "·", "\xe3\x80\x80",
	"abc", "Hello", "x", "2023", "3.14", "50%", "https://example.gov.cn/a/b",
	"〔2023〕37号", "2023年",
	" ", " ", "  ", "\t", "\n", "\r\n",
};

static int m_han(uint32_t cp)
{
	return cp >= 0x4E00 && cp <= 0x9FFF;
}

static int m_word(uint32_t cp)
{
	return cp > ' ' && cp < 0x7F;
}

static int m_alnum(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
	       cp == '%';
}

static int m_digit(uint32_t cp)
{
	return cp >= '0' && cp <= '9';
}

static int m_space(uint32_t cp)
{
	return cp == ' ';
}

/* The test's own model of the break level after glyph j (see layout.c step 2). */
static int m_level(const struct kk_para_layout *l, const int *pairstart, size_t j)
{
	const struct kk_glyph *g = l->glyphs;
	uint32_t a = g[j].cp, b = g[j + 1].cp;
	if (m_space(b))
		return 3;
	if (m_space(a)) {
		uint32_t p = j > 0 ? g[j - 1].cp : 0;
		return (is_cp_in(p, NOEND) || is_cp_in(b, NOSTART)) ? 2 : 0;
	}
	if ((a == 0x2014 || a == 0x2026) && b == a && pairstart[j])
		return 3;
	if (is_cp_in(a, NOEND) || is_cp_in(b, NOSTART))
		return 2;
	if (m_digit(a) && m_han(b))
		return 1;
	if (is_cp_in(a, "）》」』〕") && m_digit(b))
		return 2;
	if (m_word(a) && m_word(b))
		return 1;
	return 0;
}

/* Whether line k has a legal (level-0) break between two of its glyphs. */
static int m_line_breakable(const struct kk_para_layout *l, const int *pairstart, size_t k)
{
	const struct kk_line *ln = &l->lines[k];
	for (size_t j = ln->first; j + 1 < ln->first + ln->count; j++)
		if (m_level(l, pairstart, j) == 0)
			return 1;
	return 0;
}

/* Width of the unbreakable unit around position j (upper bound: no compression). */
static int64_t m_unit_width(const struct kk_para_layout *l, const int *pairstart, size_t j)
{
	size_t s = j, e = j + 1;
	int64_t w = 0;
	while (s > 0 && m_level(l, pairstart, s - 1) != 0)
		s--;
	while (e + 1 < l->n_glyphs && m_level(l, pairstart, e) != 0)
		e++;
	for (size_t i = s; i <= e; i++) {
		w += adv(l->glyphs[i].cp);
		if (i < e && ((m_han(l->glyphs[i].cp) && m_alnum(l->glyphs[i + 1].cp)) ||
			      (m_alnum(l->glyphs[i].cp) && m_han(l->glyphs[i + 1].cp))))
			w += EM / 4;
	}
	return w;
}

/* Lay out one random text and check the invariants; failures are reported via KT_*. */
static void fuzz_one(const char *t, size_t len, int width, int fi, int ind, int justify,
		     const struct kk_span *sp, size_t nsp)
{
	struct kk_para_layout l;
	struct kk_para_style st = { width, fi, ind, justify };
	size_t i = 0, gi = 0, total = 0;
	int *pairstart = NULL;
	int ws = 0, nl = 0, seen = 0, ok = 1;
	uint32_t ws_byte = 0;

	KT_REQUIRE(kk_text_layout_para(t, len, sp, nsp, &metrics, &st, &l) == 0);
	/* 1. every non-whitespace code point is one glyph, in order; an inner run of spaces
	 *    without a newline is one ' ' glyph at its first byte */
	while (i < len && ok) {
		size_t at = i;
		uint32_t cp = (uint32_t)kk_utf8_next(t, len, &i);
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
			if (!ws)
				ws_byte = (uint32_t)at;
			ws = 1;
			nl |= cp == '\n' || cp == '\r';
			continue;
		}
		if (seen && ws && !nl) {
			ok = gi < l.n_glyphs && l.glyphs[gi].cp == ' ' && l.glyphs[gi].byte == ws_byte;
			gi++;
		}
		ws = nl = 0;
		seen = 1;
		ok = ok && gi < l.n_glyphs && l.glyphs[gi].cp == cp && l.glyphs[gi].byte == at;
		gi++;
	}
	ok = ok && gi == l.n_glyphs;
	KT_CHECK(ok);
	if (!ok) {
		printf("#   glyph mapping broken for '%.*s'\n", (int)len, t);
		goto out;
	}
	for (i = 1; i < l.n_glyphs; i++)
		KT_CHECK(l.glyphs[i].byte > l.glyphs[i - 1].byte);
	/* pair parity of dash/ellipsis runs */
	pairstart = calloc(l.n_glyphs + 1, sizeof *pairstart);
	KT_REQUIRE(pairstart != NULL);
	for (i = 0; i < l.n_glyphs; i++) {
		uint32_t cp = l.glyphs[i].cp;
		if (cp != 0x2014 && cp != 0x2026)
			continue;
		pairstart[i] = !(i > 0 && l.glyphs[i - 1].cp == cp &&
				 l.glyphs[i - 1].byte + 3 == l.glyphs[i].byte && pairstart[i - 1]);
	}
	/* 2. lines partition the glyphs */
	for (size_t k = 0; k < l.n_lines; k++) {
		KT_CHECK_INT(l.lines[k].first, total);
		total += l.lines[k].count;
	}
	KT_CHECK_INT(total, l.n_glyphs);
	if (total != l.n_glyphs)
		goto out;
	for (size_t k = 0; k < l.n_lines; k++) {
		const struct kk_line *ln = &l.lines[k];
		int64_t x0 = k == 0 ? fi : ind, slot = x0, end = 0;
		int breakable = m_line_breakable(&l, pairstart, k);
		size_t nvis = ln->count;
		int soft = 0, last = k + 1 == l.n_lines;
		if (ln->count == 0) {
			KT_CHECK_INT(ln->width, 0);
			continue;
		}
		while (nvis > 0 && (l.glyphs[ln->first + nvis - 1].flags & KK_GLYPH_HIDDEN))
			nvis--;
		/* 3. visible glyphs tile the line from its indent; hidden ones are trailing spaces */
		for (i = ln->first; i < ln->first + ln->count; i++) {
			const struct kk_glyph *g = &l.glyphs[i];
			if (i < ln->first + nvis) {
				KT_CHECK(!(g->flags & KK_GLYPH_HIDDEN));
				KT_CHECK_INT(slot_of(g), slot);
				KT_CHECK(g->w >= 0);
				slot += g->w;
				end = slot;
				/* 4. nothing sticks out, unless the line cannot be broken */
				if (breakable && slot > width) {
					printf("#   overflow %d > %d: '%s'\n", (int)slot, width, line_str(&l, k));
					KT_CHECK(slot <= width);
				}
				if (!breakable && slot > width + HALF && slot > x0 + 2 * EM)
					KT_CHECK(ln->count <= 8);
			} else {
				KT_CHECK(g->flags & KK_GLYPH_HIDDEN);
				KT_CHECK(g->cp == ' ' || g->cp == 0x3000);
				KT_CHECK_INT(g->w, 0);
			}
		}
		KT_CHECK_INT(ln->width, nvis ? end : 0);
		if (!last) {
			size_t a = ln->first + ln->count - 1, b = a + 1;
			soft = 1;
			for (size_t q = l.glyphs[a].byte; q < l.glyphs[b].byte; q++)
				if (t[q] == '\n' || t[q] == '\r')
					soft = 0;
		}
		if (soft) {
			size_t a = ln->first + ln->count - 1;
			int lvl = m_level(&l, pairstart, a);
			/* 5. breaks obey the rules unless nothing else was possible */
			if (lvl == 3)
				printf("#   broke before a space / inside a pair: '%s'\n", line_str(&l, k));
			KT_CHECK(lvl != 3);
			if (lvl == 2 && breakable)
				printf("#   avoidable prohibited break after '%s' (w %d)\n", line_str(&l, k), width);
			KT_CHECK(lvl != 2 || !breakable);
			if (lvl == 1 && breakable && m_unit_width(&l, pairstart, a) <= width - ind)
				printf("#   avoidable word break after '%s' (w %d)\n", line_str(&l, k), width);
			KT_CHECK(lvl != 1 || !breakable || m_unit_width(&l, pairstart, a) > width - ind);
			/* 6. justified soft lines reach the width exactly */
			if (justify && breakable) {
				if (ln->width != width)
					printf("#   not justified: %d != %d '%s'\n", ln->width, width, line_str(&l, k));
				KT_CHECK_INT(ln->width, width);
			}
		} else {
			/* 7. last lines and lines before a newline are not justified */
			for (i = ln->first; i < ln->first + nvis; i++)
				KT_CHECK(l.glyphs[i].w <= adv(l.glyphs[i].cp) + EM / 4);
		}
	}
	/* 8. emphasis flags */
	for (i = 0; i < l.n_glyphs; i++) {
		int want = 0;
		for (size_t s = 0; s < nsp; s++)
			if (l.glyphs[i].byte >= sp[s].start && l.glyphs[i].byte < sp[s].end)
				want = 1;
		KT_CHECK_INT(!!(l.glyphs[i].flags & KK_GLYPH_EMPH), want);
	}
out:
	free(pairstart);
	kk_para_layout_fini(&l);
}

static void test_fuzz(void)
{
	char t[2048];
	rng_state = 0x5EED2024u;
	for (int iter = 0; iter < 4000; iter++) {
		size_t len = 0, ntok = 1 + rng() % 60, nsp = rng() % 3;
		struct kk_span sp[2];
		int width = 10 + (int)(rng() % 400);
		int fi = (rng() % 3 == 0) ? 2 * EM : 0;
		int ind = (rng() % 5 == 0) ? (int)(rng() % 60) : 0;
		int justify = rng() % 4 != 0;
		for (size_t k = 0; k < ntok; k++) {
			const char *p = palette[rng() % (sizeof palette / sizeof palette[0])];
			size_t n = strlen(p);
			if (len + n >= sizeof t)
				break;
			memcpy(t + len, p, n);
			len += n;
		}
		for (size_t s = 0; s < nsp; s++) {
			sp[s].start = rng() % (uint32_t)(len + 1);
			sp[s].end = sp[s].start + rng() % 30;
		}
		fuzz_one(t, len, width, fi, ind, justify, sp, nsp);
		if (kt_failed_now) {
			printf("#   fuzz iteration %d: width %d fi %d ind %d justify %d text '%.*s'\n",
			       iter, width, fi, ind, justify, (int)len, t);
			return;
		}
	}
}

KT_MAIN(KT_CASE(test_wrap_han), KT_CASE(test_no_closing_at_line_start),
	KT_CASE(test_no_opening_at_line_end), KT_CASE(test_dash_ellipsis),
	KT_CASE(test_words_and_numbers), KT_CASE(test_long_url), KT_CASE(test_url_breaks),
	KT_CASE(test_combining), KT_CASE(test_han_latin_gap),
	KT_CASE(test_whitespace_folding), KT_CASE(test_line_end_space_hidden), KT_CASE(test_newline),
	KT_CASE(test_compression), KT_CASE(test_indents), KT_CASE(test_justify), KT_CASE(test_widow),
	KT_CASE(test_emphasis), KT_CASE(test_invalid_utf8), KT_CASE(test_empty),
	KT_CASE(test_bad_args), KT_CASE(test_too_big), KT_CASE(test_narrow),
	KT_CASE(test_hostile_metrics), KT_CASE(test_random_bytes), KT_CASE(test_deterministic),
	KT_CASE(test_fuzz))
