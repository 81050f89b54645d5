/*
 * test_bodyimport.c — kioskdb/bodyimport: HTML and plain-text bodies to struct kk_body.
 *
 * Every body produced here also goes through check_body(), which asserts the invariants the
 * text engine relies on (valid UTF-8, emphasis inside the text on character boundaries, table
 * cells inside the grid and not overlapping), so each case doubles as a consistency check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/body.h"
#include "base/err.h"
#include "base/utf8.h"
#include "kioskdb/bodyimport.h"
#include "kt.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static char notes[16384];
static int n_notes;

static void collect_note(void *ctx, const char *msg)
{
	size_t have = strlen(notes);
	(void)ctx;
	n_notes++;
	snprintf(notes + have, sizeof notes - have, "%s\n", msg);
}

static void notes_reset(void)
{
	notes[0] = '\0';
	n_notes = 0;
}

static int has_note(const char *s)
{
	return strstr(notes, s) != NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The invariants of a body; returns 1 when they hold (failures are reported). */
static int check_body(const struct kk_body *b)
{
	int ok = 1;

	for (size_t i = 0; i < b->n; i++) {
		const struct kk_block *k = &b->blocks[i];
		size_t len = k->text ? strlen(k->text) : 0;

		if (k->text && !kk_utf8_valid(k->text, len, NULL)) {
			KT_FAIL_("block %zu: text is not UTF-8", i);
			ok = 0;
		}
		if (k->marker && !kk_utf8_valid(k->marker, strlen(k->marker), NULL)) {
			KT_FAIL_("block %zu: marker is not UTF-8", i);
			ok = 0;
		}
		if ((k->kind == KK_BLOCK_PARA || k->kind == KK_BLOCK_HEADING ||
		     k->kind == KK_BLOCK_ITEM) &&
		    !len) {
			KT_FAIL_("block %zu: empty text block", i);
			ok = 0;
		}
		for (size_t e = 0; e < k->n_emph; e++) {
			const struct kk_span *s = &k->emph[e];
			if (s->start >= s->end || s->end > len ||
			    (e && s->start <= k->emph[e - 1].end) ||
			    ((unsigned char)k->text[s->start] & 0xC0) == 0x80 ||
			    (s->end < len && ((unsigned char)k->text[s->end] & 0xC0) == 0x80)) {
				KT_FAIL_("block %zu: bad emphasis [%u, %u)", i, s->start, s->end);
				ok = 0;
			}
		}
		if (k->kind == KK_BLOCK_TABLE) {
			unsigned char *grid = calloc((size_t)k->rows * k->cols + 1, 1);
			if (!grid)
				return 0;
			for (size_t c = 0; c < k->n_cells; c++) {
				const struct kk_cell *cl = &k->cells[c];
				if (!cl->text || !cl->rowspan || !cl->colspan ||
				    cl->row + cl->rowspan > k->rows ||
				    cl->col + cl->colspan > k->cols ||
				    !kk_utf8_valid(cl->text, strlen(cl->text), NULL)) {
					KT_FAIL_("block %zu: bad cell %zu", i, c);
					ok = 0;
					continue;
				}
				for (unsigned r = cl->row; r < cl->row + cl->rowspan; r++)
					for (unsigned q = cl->col; q < cl->col + cl->colspan; q++)
						if (grid[(size_t)r * k->cols + q]++) {
							KT_FAIL_(
							    "block %zu: cells overlap at (%u,%u)",
							    i, r, q);
							ok = 0;
						}
			}
			free(grid);
		}
	}
	return ok;
}

/* Import HTML that must succeed; notes are collected. NULL on failure (reported). */
static struct kk_body *html(const char *s)
{
	struct kk_body *b = NULL;
	int rc;

	notes_reset();
	rc = kk_import_html(s, strlen(s), collect_note, NULL, &b);
	if (rc) {
		KT_FAIL_("kk_import_html: %s", kk_err_name(rc));
		return NULL;
	}
	check_body(b);
	return b;
}

static struct kk_body *text(const char *s)
{
	struct kk_body *b = NULL;
	int rc = kk_import_text(s, strlen(s), &b);

	if (rc) {
		KT_FAIL_("kk_import_text: %s", kk_err_name(rc));
		return NULL;
	}
	check_body(b);
	return b;
}

static int html_rc(const char *s, size_t len)
{
	struct kk_body *b = (struct kk_body *)1;
	int rc;

	notes_reset();
	rc = kk_import_html(s, len, collect_note, NULL, &b);
	if (!rc)
		check_body(b);
	else if (b)
		KT_FAIL_("*out is not NULL after %s", kk_err_name(rc));
	kk_body_free(b);
	return rc;
}

/* The cell of a table block whose top-left corner is (row, col), or NULL. */
static const struct kk_cell *cell_at(const struct kk_block *k, unsigned row, unsigned col)
{
	for (size_t i = 0; i < k->n_cells; i++)
		if (k->cells[i].row == row && k->cells[i].col == col)
			return &k->cells[i];
	return NULL;
}

/* Does block k of b have this kind, level, marker (NULL: none) and text (NULL: none)? */
#define CHECK_BLOCK(b, i, kind_, level_, marker_, text_)                                           \
	do {                                                                                       \
		const struct kk_block *cb_ = (b) && (i) < (b)->n ? &(b)->blocks[i] : NULL;         \
		KT_CHECK(cb_ != NULL);                                                             \
		if (cb_) {                                                                         \
			const char *m_ = (marker_), *t_ = (text_);                                 \
			KT_CHECK_INT(cb_->kind, kind_);                                            \
			KT_CHECK_INT(cb_->level, level_);                                          \
			if (m_)                                                                    \
				KT_CHECK_STR(cb_->marker, m_);                                     \
			else                                                                       \
				KT_CHECK(cb_->marker == NULL);                                     \
			if (t_)                                                                    \
				KT_CHECK_STR(cb_->text, t_);                                       \
			else                                                                       \
				KT_CHECK(cb_->text == NULL);                                       \
		}                                                                                  \
	} while (0)

/* Does cell (row, col) exist with these spans, head flag and text? */
#define CHECK_CELL(k, row_, col_, rs_, cs_, head_, text_)                                          \
	do {                                                                                       \
		const struct kk_cell *cc_ = cell_at((k), (row_), (col_));                          \
		KT_CHECK(cc_ != NULL);                                                             \
		if (cc_) {                                                                         \
			KT_CHECK_INT(cc_->rowspan, rs_);                                           \
			KT_CHECK_INT(cc_->colspan, cs_);                                           \
			KT_CHECK_INT(cc_->head, head_);                                            \
			KT_CHECK_STR(cc_->text, text_);                                            \
		}                                                                                  \
	} while (0)

/* Does emphasis range e of block k cover exactly [start, end) and those bytes? */
#define CHECK_EMPH(k, e, start_, end_, bytes_)                                                     \
	do {                                                                                       \
		KT_CHECK((e) < (k)->n_emph);                                                       \
		if ((e) < (k)->n_emph) {                                                           \
			KT_CHECK_INT((k)->emph[e].start, start_);                                  \
			KT_CHECK_INT((k)->emph[e].end, end_);                                      \
			KT_CHECK_INT(strlen(bytes_), (end_) - (start_));                           \
			KT_CHECK(!memcmp((k)->text + (k)->emph[e].start, bytes_, strlen(bytes_))); \
		}                                                                                  \
	} while (0)

/* A string of n copies of s (caller frees). */
static char *repeat(const char *pre, const char *s, size_t n, const char *post)
{
	size_t lp = strlen(pre), ls = strlen(s), lq = strlen(post);
	char *p = malloc(lp + ls * n + lq + 1), *w = p;

	if (!p)
		return NULL;
	memcpy(w, pre, lp);
	w += lp;
	for (size_t i = 0; i < n; i++, w += ls)
		memcpy(w, s, ls);
	memcpy(w, post, lq);
	w[lq] = '\0';
	return p;
}

/* ---- kk_text_fold_space ------------------------------------------------------------------ */

static void fold_case(const char *in, const char *want)
{
	char buf[256];
	size_t n = strlen(in);

	memcpy(buf, in, n + 1);
	n = kk_text_fold_space(buf, n);
	buf[n] = '\0';
	KT_CHECK_STR(buf, want);
}

static void test_fold_space(void)
{
	fold_case("  a  b  ", "a b");
	fold_case("a\r\n\tb", "a b");
	fold_case("中 文", "中文");
	fold_case("中\xe3\x80\x80\xe3\x80\x80文", "中文");         /* U+3000 */
	fold_case("\xe3\x80\x80\xe3\x80\x80正文开始", "正文开始"); /* indent */
	fold_case("a\xe3\x80\x80"
	          "b",
	          "a b");
	fold_case("\xc2\xa0x\xc2\xa0\xc2\xa0y\xc2\xa0", "x y"); /* NBSP */
	fold_case("a\xe2\x80\x83\xe2\x80\xafz", "a z");         /* em space, NNBSP */
	fold_case("中\xe2\x80\x8b文", "中文");                  /* ZWSP */
	fold_case("a\xe2\x80\x8b"
	          "b",
	          "ab");                       /* zero width: nothing */
	fold_case("\xef\xbb\xbf标题", "标题"); /* BOM */
	fold_case("中 a 文", "中 a 文");
	fold_case("，  但是", "，但是");
	fold_case("2023年 1月", "2023年 1月");
	fold_case("工作日 上午9:00", "工作日上午9:00");
	fold_case("", "");
	fold_case(" \t\r\n ", "");
	fold_case("\xe3\x80\x80", "");
	fold_case("abc", "abc");

	/* invalid bytes are copied through; the return value is the length */
	{
		char buf[] = "a  \xff  b";
		size_t n = kk_text_fold_space(buf, strlen(buf));
		KT_CHECK_INT(n, 5);
		KT_CHECK(!memcmp(buf, "a \xff b", 5));
	}
	/* not NUL-terminated input: only len bytes are read */
	{
		char buf[4] = {' ', 'x', ' ', ' '};
		KT_CHECK_INT(kk_text_fold_space(buf, 4), 1);
		KT_CHECK_INT(buf[0], 'x');
	}
	KT_CHECK_INT(kk_text_fold_space(NULL, 0), 0);
}

/* ---- plain text -------------------------------------------------------------------------- */

static void test_text_numbering(void)
{
	struct kk_body *b = text("一、总体情况\n"
	                         "（一）组织领导\n"
	                         "(二)半角括号\n"
	                         "1.第一项\n"
	                         "2．全角点\n"
	                         "3、顿号\n"
	                         "（1）子项\n"
	                         "(2) 半角子项\n"
	                         "①圈码\n"
	                         "十一、第十一\n"
	                         "3.5亿元投资\n"
	                         "2023年工作\n"
	                         "一、\n"
	                         "1. 5个乡镇\n"
	                         "（十二）第十二\n"
	                         "１２．全角数字\n");
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 16);
	CHECK_BLOCK(b, 0, KK_BLOCK_HEADING, 1, "一、", "总体情况");
	CHECK_BLOCK(b, 1, KK_BLOCK_HEADING, 2, "（一）", "组织领导");
	CHECK_BLOCK(b, 2, KK_BLOCK_HEADING, 2, "（二）", "半角括号");
	CHECK_BLOCK(b, 3, KK_BLOCK_ITEM, 1, "1.", "第一项");
	CHECK_BLOCK(b, 4, KK_BLOCK_ITEM, 1, "2.", "全角点");
	CHECK_BLOCK(b, 5, KK_BLOCK_ITEM, 1, "3.", "顿号");
	CHECK_BLOCK(b, 6, KK_BLOCK_ITEM, 2, "（1）", "子项");
	CHECK_BLOCK(b, 7, KK_BLOCK_ITEM, 2, "（2）", "半角子项");
	CHECK_BLOCK(b, 8, KK_BLOCK_ITEM, 2, "①", "圈码");
	CHECK_BLOCK(b, 9, KK_BLOCK_HEADING, 1, "十一、", "第十一");
	CHECK_BLOCK(b, 10, KK_BLOCK_PARA, 0, NULL, "3.5亿元投资");
	CHECK_BLOCK(b, 11, KK_BLOCK_PARA, 0, NULL, "2023年工作");
	CHECK_BLOCK(b, 12, KK_BLOCK_PARA, 0, NULL, "一、");
	CHECK_BLOCK(b, 13, KK_BLOCK_ITEM, 1, "1.", "5个乡镇");
	CHECK_BLOCK(b, 14, KK_BLOCK_HEADING, 2, "（十二）", "第十二");
	CHECK_BLOCK(b, 15, KK_BLOCK_ITEM, 1, "12.", "全角数字");
	kk_body_free(b);
}

static void test_text_long_heading(void)
{
	/* 一、 + 58 characters = 60: a heading; one more: a paragraph with the marker kept */
	char *h60 = repeat("一、", "字", 58, "\n");
	char *h61 = repeat("（一）", "字", 58, "\n");
	char *both = NULL;
	struct kk_body *b;

	KT_REQUIRE(h60 && h61);
	both = malloc(strlen(h60) + strlen(h61) + 1);
	KT_REQUIRE(both);
	strcpy(both, h60);
	strcat(both, h61);
	b = text(both);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 2);
	KT_CHECK_INT(b->blocks[0].kind, KK_BLOCK_HEADING);
	KT_CHECK_STR(b->blocks[0].marker, "一、");
	KT_CHECK_INT(kk_utf8_count(b->blocks[0].text, strlen(b->blocks[0].text)), 58);
	KT_CHECK_INT(b->blocks[1].kind, KK_BLOCK_PARA);
	KT_CHECK(b->blocks[1].marker == NULL);
	KT_CHECK(!strncmp(b->blocks[1].text, "（一）字", strlen("（一）字")));
	kk_body_free(b);
	free(h60);
	free(h61);
	free(both);
}

static void test_text_lines(void)
{
	struct kk_body *b = text("第一段\r\n\r\n\xe3\x80\x80\xe3\x80\x80第二段\r第三段 \t\n"
	                         "  \t\xe3\x80\x80\xc2\xa0\n"
	                         "第四\xe2\x80\xa8第五\n");
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 5);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "第一段");
	CHECK_BLOCK(b, 1, KK_BLOCK_PARA, 0, NULL, "第二段");
	CHECK_BLOCK(b, 2, KK_BLOCK_PARA, 0, NULL, "第三段");
	CHECK_BLOCK(b, 3, KK_BLOCK_PARA, 0, NULL, "第四");
	CHECK_BLOCK(b, 4, KK_BLOCK_PARA, 0, NULL, "第五");
	kk_body_free(b);

	/* NUL and other controls inside a line are dropped */
	{
		static const char s[] = "a\0b\x01"
		                        "c\n";
		struct kk_body *c = NULL;
		KT_CHECK_INT(kk_import_text(s, sizeof s - 1, &c), 0);
		KT_REQUIRE(c);
		KT_CHECK_INT(c->n, 1);
		CHECK_BLOCK(c, 0, KK_BLOCK_PARA, 0, NULL, "abc");
		kk_body_free(c);
	}
}

static void test_text_tables(void)
{
	struct kk_body *b = text("| 项目 | 数量 |\n"
	                         "|---|:---:|\n"
	                         "| 甲 | 1 |\n"
	                         "|乙|  |\n"
	                         "正文\n"
	                         "｜全角｜竖线｜\n"
	                         "|c|d|e|\n"
	                         "\n"
	                         "|单独|\n"
	                         "|---|---|\n"
	                         "|x|y|\n"
	                         "a | b\n");
	const struct kk_block *k;

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 5);
	k = &b->blocks[0];
	KT_CHECK_INT(k->kind, KK_BLOCK_TABLE);
	KT_CHECK(k->text == NULL);
	KT_CHECK_INT(k->rows, 3);
	KT_CHECK_INT(k->cols, 2);
	KT_CHECK_INT(k->n_cells, 6);
	CHECK_CELL(k, 0, 0, 1, 1, 1, "项目");
	CHECK_CELL(k, 0, 1, 1, 1, 1, "数量");
	CHECK_CELL(k, 1, 0, 1, 1, 0, "甲");
	CHECK_CELL(k, 1, 1, 1, 1, 0, "1");
	CHECK_CELL(k, 2, 0, 1, 1, 0, "乙");
	CHECK_CELL(k, 2, 1, 1, 1, 0, "");
	CHECK_BLOCK(b, 1, KK_BLOCK_PARA, 0, NULL, "正文");
	k = &b->blocks[2];
	KT_CHECK_INT(k->kind, KK_BLOCK_TABLE);
	KT_CHECK_INT(k->rows, 2);
	KT_CHECK_INT(k->cols, 3);
	CHECK_CELL(k, 0, 0, 1, 1, 0, "全角");
	CHECK_CELL(k, 0, 1, 1, 1, 0, "竖线");
	CHECK_CELL(k, 1, 2, 1, 1, 0, "e");
	/* the blank line ended that table; a separator under a one-cell first row makes it head */
	k = &b->blocks[3];
	KT_CHECK_INT(k->kind, KK_BLOCK_TABLE);
	KT_CHECK_INT(k->rows, 2);
	CHECK_CELL(k, 0, 0, 1, 1, 1, "单独");
	CHECK_CELL(k, 1, 0, 1, 1, 0, "x");
	CHECK_CELL(k, 1, 1, 1, 1, 0, "y");
	CHECK_BLOCK(b, 4, KK_BLOCK_PARA, 0, NULL, "a | b");
	kk_body_free(b);

	/* a separator that is not the second line makes no head; a table of separators is none */
	b = text("|a|b|\n|c|d|\n|---|---|\n|e|f|\n\n|---|\n|---|\n");
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 1);
	k = &b->blocks[0];
	KT_CHECK_INT(k->rows, 3);
	for (size_t i = 0; i < k->n_cells; i++)
		KT_CHECK_INT(k->cells[i].head, 0);
	kk_body_free(b);

	/* a single pipe is text */
	b = text("|\n｜\n");
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 2);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "|");
	kk_body_free(b);
}

static void test_text_errors(void)
{
	struct kk_body *b = (struct kk_body *)1;
	char *big;

	KT_CHECK_INT(kk_import_text("a\xc3(", 3, &b), KK_EUTF8);
	KT_CHECK(b == NULL);
	KT_CHECK_INT(kk_import_text("\xed\xa0\x80", 3, &b), KK_EUTF8); /* a surrogate */
	KT_CHECK_INT(kk_import_text(NULL, 3, &b), KK_EINVAL);
	KT_CHECK_INT(kk_import_text("x", 1, NULL), KK_EINVAL);

	KT_CHECK_INT(kk_import_text(NULL, 0, &b), 0);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 0);
	kk_body_free(b);
	KT_CHECK_INT(kk_import_text("\n\r\n  \n", 6, &b), 0);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 0);
	kk_body_free(b);

	big = malloc(KK_IMPORT_MAX_INPUT + 1);
	KT_REQUIRE(big);
	memset(big, 'a', KK_IMPORT_MAX_INPUT + 1);
	KT_CHECK_INT(kk_import_text(big, KK_IMPORT_MAX_INPUT + 1, &b), KK_E2BIG);
	KT_CHECK(b == NULL);
	/* exactly the cap: one 2 MiB paragraph */
	KT_CHECK_INT(kk_import_text(big, KK_IMPORT_MAX_INPUT, &b), 0);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 1);
	kk_body_free(b);
	/* over the block cap */
	for (size_t i = 0; i + 1 < KK_IMPORT_MAX_INPUT; i += 2)
		big[i + 1] = '\n';
	KT_CHECK_INT(kk_import_text(big, KK_IMPORT_MAX_INPUT, &b), KK_E2BIG);
	free(big);
}

/* ---- HTML: blocks ------------------------------------------------------------------------ */

static void test_html_blocks(void)
{
	struct kk_body *b = html("<h1>一级</h1><h2>二级</h2><h3>三级</h3><h4>四级</h4>"
	                         "<h5>五级</h5><h6>六级</h6>"
	                         "<p>段落</p><div>区块</div>裸文本<section>节</section>"
	                         "<blockquote>引用</blockquote><center>居中</center>"
	                         "<ol start=\"3\"><li>三</li><li>四<ul><li>子</li></ul></li></ol>"
	                         "<ul><li>点</li></ul>"
	                         "<img src=\"attachments/chart.png\" alt=\" 统计 图 \">"
	                         "<hr>"
	                         "<table><tr><td>格</td></tr><tr><td>子</td></tr></table>"
	                         "<dl><dt>术语</dt><dd>解释</dd></dl>");
	const struct kk_block *k;

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 21);
	for (int i = 0; i < 6; i++) {
		KT_CHECK_INT(b->blocks[i].kind, KK_BLOCK_HEADING);
		KT_CHECK_INT(b->blocks[i].level, i + 1);
		KT_CHECK(b->blocks[i].marker == NULL);
	}
	CHECK_BLOCK(b, 0, KK_BLOCK_HEADING, 1, NULL, "一级");
	CHECK_BLOCK(b, 5, KK_BLOCK_HEADING, 6, NULL, "六级");
	CHECK_BLOCK(b, 6, KK_BLOCK_PARA, 0, NULL, "段落");
	CHECK_BLOCK(b, 7, KK_BLOCK_PARA, 0, NULL, "区块");
	CHECK_BLOCK(b, 8, KK_BLOCK_PARA, 0, NULL, "裸文本");
	CHECK_BLOCK(b, 9, KK_BLOCK_PARA, 0, NULL, "节");
	CHECK_BLOCK(b, 10, KK_BLOCK_PARA, 0, NULL, "引用");
	CHECK_BLOCK(b, 11, KK_BLOCK_PARA, 0, NULL, "居中");
	CHECK_BLOCK(b, 12, KK_BLOCK_ITEM, 1, "3.", "三");
	CHECK_BLOCK(b, 13, KK_BLOCK_ITEM, 1, "4.", "四");
	CHECK_BLOCK(b, 14, KK_BLOCK_ITEM, 2, "•", "子");
	CHECK_BLOCK(b, 15, KK_BLOCK_ITEM, 1, "•", "点");
	CHECK_BLOCK(b, 16, KK_BLOCK_IMAGE, 0, NULL, "统计图");
	KT_CHECK_STR(b->blocks[16].src, "attachments/chart.png");
	CHECK_BLOCK(b, 17, KK_BLOCK_RULE, 0, NULL, NULL);
	k = &b->blocks[18];
	KT_CHECK_INT(k->kind, KK_BLOCK_TABLE);
	KT_CHECK_INT(k->rows, 2);
	KT_CHECK_INT(k->cols, 1);
	CHECK_CELL(k, 0, 0, 1, 1, 0, "格");
	CHECK_CELL(k, 1, 0, 1, 1, 0, "子");
	CHECK_BLOCK(b, 19, KK_BLOCK_PARA, 0, NULL, "术语");
	CHECK_BLOCK(b, 20, KK_BLOCK_PARA, 0, NULL, "解释");
	KT_CHECK_INT(n_notes, 0);
	kk_body_free(b);
}

static void test_html_lists(void)
{
	struct kk_body *b = html("<ol><li>a<ol start=\"-1\"><li>b</li><li>c</li></ol></li>"
	                         "<li><p>第一段</p><p>续段</p></li><li>一行<br>二行</li></ol>"
	                         "<ul><li><ul><li><ul><li><ul><li><ul><li><ul><li><ul><li><ul><li>"
	                         "<ul><li>深</li></ul></li></ul></li></ul></li></ul></li></ul></li>"
	                         "</ul></li></ul></li></ul></li></ul>"
	                         "<li>孤立</li><ol start=\"x\"><li>垃圾</li></ol>");

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 10);
	CHECK_BLOCK(b, 0, KK_BLOCK_ITEM, 1, "1.", "a");
	CHECK_BLOCK(b, 1, KK_BLOCK_ITEM, 2, "-1.", "b");
	CHECK_BLOCK(b, 2, KK_BLOCK_ITEM, 2, "0.", "c");
	CHECK_BLOCK(b, 3, KK_BLOCK_ITEM, 1, "2.", "第一段");
	CHECK_BLOCK(b, 4, KK_BLOCK_ITEM, 1, "", "续段"); /* continuation: marker "" */
	CHECK_BLOCK(b, 5, KK_BLOCK_ITEM, 1, "3.", "一行");
	CHECK_BLOCK(b, 6, KK_BLOCK_ITEM, 1, "", "二行");
	CHECK_BLOCK(b, 7, KK_BLOCK_ITEM, KK_IMPORT_MAX_LIST_LEVEL, "•", "深");
	CHECK_BLOCK(b, 8, KK_BLOCK_ITEM, 1, "•", "孤立");
	CHECK_BLOCK(b, 9, KK_BLOCK_ITEM, 1, "1.", "垃圾");
	kk_body_free(b);
}

static void test_html_br_and_whitespace(void)
{
	struct kk_body *b = html("<p>第一段<br><br>第二段<br/>第三段</p>"
	                         "<h2>关于印发<br>示例办法的通知</h2>"
	                         "<p>  多个   空格\n换行\t制表 </p>"
	                         "<p>中&nbsp;&nbsp;文&#x3000;字 and&nbsp;English</p>"
	                         "<p><span>示例</span> <font color=red>县</font></p>"
	                         "<p>&amp; &lt;b&gt; &#20013;</p>"
	                         "<p> &nbsp; </p><p></p><div>\n</div>");

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 8);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "第一段");
	CHECK_BLOCK(b, 1, KK_BLOCK_PARA, 0, NULL, "第二段");
	CHECK_BLOCK(b, 2, KK_BLOCK_PARA, 0, NULL, "第三段");
	CHECK_BLOCK(b, 3, KK_BLOCK_HEADING, 2, NULL, "关于印发示例办法的通知");
	CHECK_BLOCK(b, 4, KK_BLOCK_PARA, 0, NULL, "多个空格换行制表");
	CHECK_BLOCK(b, 5, KK_BLOCK_PARA, 0, NULL, "中文字 and English");
	CHECK_BLOCK(b, 6, KK_BLOCK_PARA, 0, NULL, "示例县");
	CHECK_BLOCK(b, 7, KK_BLOCK_PARA, 0, NULL, "& <b> 中");
	kk_body_free(b);
}

static void test_html_numbered_paragraphs(void)
{
	struct kk_body *b = html("<p><strong>一、总体情况</strong></p>"
	                         "<p>（一）<b>加强</b>领导</p>"
	                         "<p>1. 第一项<br>(1)子项</p>"
	                         "<p>①圈码</p>"
	                         "<p>3.5亿元</p>"
	                         "<h3>二、不拆标题</h3>"
	                         "<ol><li>1. 不再识别</li></ol>");
	const struct kk_block *k;

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 8);
	CHECK_BLOCK(b, 0, KK_BLOCK_HEADING, 1, "一、", "总体情况");
	k = &b->blocks[0];
	KT_CHECK_INT(k->n_emph, 1);
	CHECK_EMPH(k, 0, 0, 12, "总体情况");
	CHECK_BLOCK(b, 1, KK_BLOCK_HEADING, 2, "（一）", "加强领导");
	k = &b->blocks[1];
	KT_CHECK_INT(k->n_emph, 1);
	CHECK_EMPH(k, 0, 0, 6, "加强");
	CHECK_BLOCK(b, 2, KK_BLOCK_ITEM, 1, "1.", "第一项");
	CHECK_BLOCK(b, 3, KK_BLOCK_ITEM, 2, "（1）", "子项");
	CHECK_BLOCK(b, 4, KK_BLOCK_ITEM, 2, "①", "圈码");
	CHECK_BLOCK(b, 5, KK_BLOCK_PARA, 0, NULL, "3.5亿元");
	CHECK_BLOCK(b, 6, KK_BLOCK_HEADING, 3, NULL, "二、不拆标题");
	CHECK_BLOCK(b, 7, KK_BLOCK_ITEM, 1, "1.", "1. 不再识别");
	kk_body_free(b);
}

static void test_html_emphasis(void)
{
	struct kk_body *b = html("<p>普通<b>加粗</b>文字<em>强调</em></p>"
	                         "<p>plain <b>bold</b> and <i> it </i>.</p>"
	                         "<p><b>ab</b><strong>cd</strong><i>ef</i> <b>gh</b></p>"
	                         "<p><b>a<i>b</i>c</b>d</p>"
	                         "<p><b>一<br>二</b>三</p>"
	                         "<p><b>  </b>x<u>下划线</u><sub>2</sub></p>"
	                         "<h2>标题<strong>重点</strong></h2>"
	                         "<ul><li>项<em>强调</em></li></ul>");
	const struct kk_block *k;

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 9);

	k = &b->blocks[0];
	KT_CHECK_STR(k->text, "普通加粗文字强调");
	KT_CHECK_INT(k->n_emph, 2);
	CHECK_EMPH(k, 0, 6, 12, "加粗");
	CHECK_EMPH(k, 1, 18, 24, "强调");

	k = &b->blocks[1];
	KT_CHECK_STR(k->text, "plain bold and it .");
	KT_CHECK_INT(k->n_emph, 2);
	CHECK_EMPH(k, 0, 6, 10, "bold");
	CHECK_EMPH(k, 1, 15, 17, "it");

	k = &b->blocks[2]; /* touching ranges merge; a space keeps them apart */
	KT_CHECK_STR(k->text, "abcdef gh");
	KT_CHECK_INT(k->n_emph, 2);
	CHECK_EMPH(k, 0, 0, 6, "abcdef");
	CHECK_EMPH(k, 1, 7, 9, "gh");

	k = &b->blocks[3]; /* nested emphasis is one range */
	KT_CHECK_STR(k->text, "abcd");
	KT_CHECK_INT(k->n_emph, 1);
	CHECK_EMPH(k, 0, 0, 3, "abc");

	k = &b->blocks[4]; /* a <br> inside <b> splits the paragraph and the range */
	KT_CHECK_STR(k->text, "一");
	KT_CHECK_INT(k->n_emph, 1);
	CHECK_EMPH(k, 0, 0, 3, "一");
	k = &b->blocks[5];
	KT_CHECK_STR(k->text, "二三");
	KT_CHECK_INT(k->n_emph, 1);
	CHECK_EMPH(k, 0, 0, 3, "二");

	k = &b->blocks[6]; /* emphasis of only spaces vanishes; u and sub are plain */
	KT_CHECK_STR(k->text, "x下划线2");
	KT_CHECK_INT(k->n_emph, 0);

	k = &b->blocks[7];
	KT_CHECK_INT(k->kind, KK_BLOCK_HEADING);
	KT_CHECK_INT(k->n_emph, 1);
	CHECK_EMPH(k, 0, 6, 12, "重点");

	k = &b->blocks[8];
	KT_CHECK_INT(k->kind, KK_BLOCK_ITEM);
	KT_CHECK_INT(k->n_emph, 1);
	CHECK_EMPH(k, 0, 3, 9, "强调");
	kk_body_free(b);
}

static void test_html_emphasis_cap(void)
{
	char *s = repeat("<p>", "<b>x</b> ", KK_IMPORT_MAX_EMPH + 10, "</p>");
	struct kk_body *b;

	KT_REQUIRE(s);
	b = html(s);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 1);
	KT_CHECK_INT(b->blocks[0].n_emph, KK_IMPORT_MAX_EMPH);
	KT_CHECK(has_note("dropped emphasis"));
	kk_body_free(b);
	free(s);
}

/* ---- HTML: tables ------------------------------------------------------------------------ */

/* 政府信息公开工作年度报告, table 三: header groups with colspan, row labels with rowspan. */
static const char annual_report[] =
    "<p style=\"text-align:center\"><strong>三、收到和处理政府信息公开申请情况</strong></p>\n"
    "<table border=\"1\" cellspacing=\"0\" cellpadding=\"0\" width=\"600\">\n"
    "<thead>\n"
    "<tr>\n"
    "  <th colspan=\"3\" rowspan=\"3\"><p>（本列数据的勾稽关系为：第一项加第二项之和，"
    "等于第三项加第四项之和）</p></th>\n"
    "  <th colspan=\"7\"><p>申请人情况</p></th>\n"
    "</tr>\n"
    "<tr>\n"
    "  <th rowspan=\"2\"><p>自然人</p></th>\n"
    "  <th colspan=\"5\"><p>法人或其他组织</p></th>\n"
    "  <th rowspan=\"2\"><p>总计</p></th>\n"
    "</tr>\n"
    "<tr><th>商业<br>企业</th><th>科研机构</th><th>社会公益组织</th><th>法律服务机构</th>"
    "<th>其他</th></tr>\n"
    "</thead>\n"
    "<tbody>\n"
    "<tr><td colspan=\"3\">一、本年新收政府信息公开申请数量</td><td>12</td><td>3</td>"
    "<td>0</td><td>0</td><td>1</td><td>0</td><td>16</td></tr>\n"
    "<tr><td colspan=\"3\">二、上年结转政府信息公开申请数量</td><td>1</td><td>0</td>"
    "<td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>\n"
    "<tr><td rowspan=\"5\">三、本年度办理结果</td><td colspan=\"2\">（一）予以公开</td>"
    "<td>8</td><td>2</td><td>0</td><td>0</td><td>1</td><td>0</td><td>11</td></tr>\n"
    "<tr><td colspan=\"2\">（二）部分公开（区分处理的，只计这一情形，不计其他情形）</td>"
    "<td>2</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>2</td></tr>\n"
    "<tr><td rowspan=\"3\">（三）不予公开</td><td>1.属于国家秘密</td>"
    "<td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>\n"
    "<tr><td>2.其他法律行政法规禁止公开</td>"
    "<td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>\n"
    "<tr><td>3.危及“三安全一稳定”</td>"
    "<td>0</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>\n"
    "</tbody>\n"
    "</table>\n";

static void test_html_annual_report_table(void)
{
	struct kk_body *b = html(annual_report);
	const struct kk_block *k;
	static const char *const row5[] = {"8", "2", "0", "0", "1", "0", "11"};

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 2);
	CHECK_BLOCK(b, 0, KK_BLOCK_HEADING, 1, "三、", "收到和处理政府信息公开申请情况");
	k = &b->blocks[1];
	KT_REQUIRE(k->kind == KK_BLOCK_TABLE);
	KT_CHECK(k->text == NULL);
	KT_CHECK_INT(k->rows, 10);
	KT_CHECK_INT(k->cols, 10);
	KT_CHECK_INT(k->n_cells, 10 + 8 + 8 + 9 + 8 + 9 + 8 + 8);

	/* header: colspan groups */
	CHECK_CELL(k, 0, 0, 3, 3, 1,
	           "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）");
	CHECK_CELL(k, 0, 3, 1, 7, 1, "申请人情况");
	CHECK_CELL(k, 1, 3, 2, 1, 1, "自然人");
	CHECK_CELL(k, 1, 4, 1, 5, 1, "法人或其他组织");
	CHECK_CELL(k, 1, 9, 2, 1, 1, "总计");
	CHECK_CELL(k, 2, 4, 1, 1, 1, "商业\n企业");
	CHECK_CELL(k, 2, 5, 1, 1, 1, "科研机构");
	CHECK_CELL(k, 2, 6, 1, 1, 1, "社会公益组织");
	CHECK_CELL(k, 2, 7, 1, 1, 1, "法律服务机构");
	CHECK_CELL(k, 2, 8, 1, 1, 1, "其他");
	/* body: row labels with colspan and rowspan */
	CHECK_CELL(k, 3, 0, 1, 3, 0, "一、本年新收政府信息公开申请数量");
	CHECK_CELL(k, 3, 3, 1, 1, 0, "12");
	CHECK_CELL(k, 3, 9, 1, 1, 0, "16");
	CHECK_CELL(k, 4, 0, 1, 3, 0, "二、上年结转政府信息公开申请数量");
	CHECK_CELL(k, 5, 0, 5, 1, 0, "三、本年度办理结果");
	CHECK_CELL(k, 5, 1, 1, 2, 0, "（一）予以公开");
	for (unsigned c = 0; c < 7; c++)
		CHECK_CELL(k, 5, 3 + c, 1, 1, 0, row5[c]);
	CHECK_CELL(k, 6, 1, 1, 2, 0, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）");
	CHECK_CELL(k, 6, 3, 1, 1, 0, "2");
	CHECK_CELL(k, 7, 1, 3, 1, 0, "（三）不予公开");
	CHECK_CELL(k, 7, 2, 1, 1, 0, "1.属于国家秘密");
	CHECK_CELL(k, 8, 2, 1, 1, 0, "2.其他法律行政法规禁止公开");
	CHECK_CELL(k, 8, 3, 1, 1, 0, "1");
	CHECK_CELL(k, 9, 2, 1, 1, 0, "3.危及“三安全一稳定”");
	CHECK_CELL(k, 9, 4, 1, 1, 0, "1");
	CHECK_CELL(k, 9, 9, 1, 1, 0, "1");
	/* nothing starts inside a span */
	KT_CHECK(cell_at(k, 1, 0) == NULL);
	KT_CHECK(cell_at(k, 2, 3) == NULL);
	KT_CHECK(cell_at(k, 6, 0) == NULL);
	KT_CHECK(cell_at(k, 8, 1) == NULL);
	kk_body_free(b);
}

static void test_html_table_spans(void)
{
	struct kk_body *b = html(
	    /* 0: rowspan 65535 clamped to the rows there are; colspan -5, 0, garbage -> 1;
	     * colspan 1000 in a 3-column table leaves 3 columns */
	    "<table><tr><td rowspan=\"65535\">a</td><td colspan=\"-5\">b</td>"
	    "<td rowspan=\"0\" colspan=\"x\">c</td></tr>"
	    "<tr><td>d</td><td colspan=\"1000\">e</td></tr>"
	    "<tr><td colspan=\"3\">f</td></tr></table>"
	    /* 1: a rowspan stops at the end of its row group; th is head */
	    "<table><thead><tr><th rowspan=\"5\">h</th><th>i</th></tr></thead>"
	    "<tbody><tr><td>j</td><td>k</td></tr></tbody></table>"
	    /* 2: a colspan that runs into a rowspan from above is shortened */
	    "<table><tr><td>A</td><td rowspan=\"2\">B</td><td>C</td></tr>"
	    "<tr><td colspan=\"3\">D</td><td>E</td></tr></table>"
	    /* 3: cells without tr, a caption */
	    "<table><caption> 表 1 </caption><td>x<td>y</table>");
	const struct kk_block *k;

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 4);
	k = &b->blocks[0];
	KT_CHECK_INT(k->rows, 3);
	KT_CHECK_INT(k->cols, 3);
	CHECK_CELL(k, 0, 0, 3, 1, 0, "a");
	CHECK_CELL(k, 0, 1, 1, 1, 0, "b");
	CHECK_CELL(k, 0, 2, 1, 1, 0, "c");
	CHECK_CELL(k, 1, 1, 1, 1, 0, "d");
	CHECK_CELL(k, 1, 2, 1, 1, 0, "e");
	CHECK_CELL(k, 2, 1, 1, 2, 0, "f");

	k = &b->blocks[1];
	KT_CHECK_INT(k->rows, 2);
	KT_CHECK_INT(k->cols, 2);
	CHECK_CELL(k, 0, 0, 1, 1, 1, "h");
	CHECK_CELL(k, 0, 1, 1, 1, 1, "i");
	CHECK_CELL(k, 1, 0, 1, 1, 0, "j");
	CHECK_CELL(k, 1, 1, 1, 1, 0, "k");

	k = &b->blocks[2]; /* D stops before B; E takes the next free column */
	KT_CHECK_INT(k->rows, 2);
	KT_CHECK_INT(k->cols, 3);
	CHECK_CELL(k, 0, 0, 1, 1, 0, "A");
	CHECK_CELL(k, 0, 1, 2, 1, 0, "B");
	CHECK_CELL(k, 0, 2, 1, 1, 0, "C");
	CHECK_CELL(k, 1, 0, 1, 1, 0, "D");
	CHECK_CELL(k, 1, 2, 1, 1, 0, "E");

	k = &b->blocks[3];
	KT_CHECK_STR(k->text, "表 1");
	KT_CHECK_INT(k->rows, 1);
	CHECK_CELL(k, 0, 0, 1, 1, 0, "x");
	CHECK_CELL(k, 0, 1, 1, 1, 0, "y");
	kk_body_free(b);
}

static void test_html_table_content(void)
{
	struct kk_body *b = html(
	    "<p>前文</p>"
	    /* nested table flattened; an image in a cell goes before the table; text outside
	     * the cells too; a list in a cell keeps its markers */
	    "<table><tr><td><p>外层</p><table><tr><td>n1</td><td>n2</td></tr>"
	    "<tr><td>n3</td></tr></table>之后</td>"
	    "<td><img src=\"p.png\" alt=\"照片\">z<hr>w</td>"
	    "<td><ol><li>甲</li><li>乙</li></ol></td></tr>游离</table>"
	    /* a one-cell layout table is read as blocks */
	    "<table width=\"100%\"><tr><td><h2>标题</h2><p>段一</p><p>段二</p></td></tr></table>"
	    /* empty tables are dropped; a caption survives as a paragraph */
	    "<table><tr><td> </td><td>&nbsp;</td></tr></table>"
	    "<table><caption>空表</caption><tr><td></td><td></td></tr></table>"
	    "<table></table>");
	const struct kk_block *k;

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 8);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "前文");
	CHECK_BLOCK(b, 1, KK_BLOCK_IMAGE, 0, NULL, "照片");
	KT_CHECK_STR(b->blocks[1].src, "p.png");
	CHECK_BLOCK(b, 2, KK_BLOCK_PARA, 0, NULL, "游离");
	k = &b->blocks[3];
	KT_REQUIRE(k->kind == KK_BLOCK_TABLE);
	KT_CHECK_INT(k->rows, 1);
	KT_CHECK_INT(k->cols, 3);
	CHECK_CELL(k, 0, 0, 1, 1, 0, "外层\nn1 n2\nn3\n之后");
	CHECK_CELL(k, 0, 1, 1, 1, 0, "z\nw");
	CHECK_CELL(k, 0, 2, 1, 1, 0, "1. 甲\n2. 乙");
	CHECK_BLOCK(b, 4, KK_BLOCK_HEADING, 2, NULL, "标题");
	CHECK_BLOCK(b, 5, KK_BLOCK_PARA, 0, NULL, "段一");
	CHECK_BLOCK(b, 6, KK_BLOCK_PARA, 0, NULL, "段二");
	CHECK_BLOCK(b, 7, KK_BLOCK_PARA, 0, NULL, "空表");
	kk_body_free(b);
}

static void test_html_table_caps(void)
{
	/* 2000 x 10 = KK_TABLE_MAX_CELLS cells fit; 10,000 x 10 do not: the body is refused */
	char *ok = repeat("<table>",
	                  "<tr><td>1</td><td>2</td><td>3</td><td>4</td><td>5</td>"
	                  "<td>6</td><td>7</td><td>8</td><td>9</td><td>10</td></tr>",
	                  KK_TABLE_MAX_CELLS / 10, "</table>");
	char *big = repeat("<table>",
	                   "<tr><td>1</td><td>2</td><td>3</td><td>4</td><td>5</td>"
	                   "<td>6</td><td>7</td><td>8</td><td>9</td><td>10</td></tr>",
	                   10000, "</table>");
	char *wide =
	    repeat("<table><tr>", "<td>x</td>", KK_IMPORT_MAX_TABLE_COLS + 1, "</tr></table>");
	char *spans = repeat("<table><tr>", "<td colspan=\"1000\">x</td>", 3,
	                     "</tr><tr><td>a</td><td>b</td><td>c</td></tr></table>");
	char *too_many_spans =
	    repeat("<table><tr>", "<td colspan=\"1000\">x</td>", 6, "</tr></table>");
	struct kk_body *b;
	double t0 = now();

	KT_REQUIRE(ok && big && wide && spans && too_many_spans);
	b = html(ok);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 1);
	KT_CHECK_INT(b->blocks[0].n_cells, KK_TABLE_MAX_CELLS);
	KT_CHECK_INT(b->blocks[0].rows, KK_TABLE_MAX_CELLS / 10);
	KT_CHECK_INT(b->blocks[0].cols, 10);
	kk_body_free(b);
	KT_CHECK_INT(html_rc(big, strlen(big)), KK_E2BIG);
	KT_CHECK_INT(html_rc(wide, strlen(wide)), KK_E2BIG);
	KT_CHECK(has_note("a table with more than"));
	/* three colspan=1000 cells fit and shrink to the columns in use; six do not */
	b = html(spans);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 1);
	KT_CHECK_INT(b->blocks[0].cols, 5);
	CHECK_CELL(&b->blocks[0], 0, 0, 1, 3, 0, "x");
	CHECK_CELL(&b->blocks[0], 0, 3, 1, 1, 0, "x");
	CHECK_CELL(&b->blocks[0], 0, 4, 1, 1, 0, "x");
	CHECK_CELL(&b->blocks[0], 1, 2, 1, 1, 0, "c");
	kk_body_free(b);
	KT_CHECK_INT(html_rc(too_many_spans, strlen(too_many_spans)), KK_E2BIG);
	KT_CHECK(now() - t0 < 30);
	free(ok);
	free(big);
	free(wide);
	free(spans);
	free(too_many_spans);
}

/* ---- HTML: hostile input ----------------------------------------------------------------- */

/* No block or cell may contain needle. */
static int body_contains(const struct kk_body *b, const char *needle)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct kk_block *k = &b->blocks[i];
		if ((k->text && strstr(k->text, needle)) || (k->src && strstr(k->src, needle)) ||
		    (k->marker && strstr(k->marker, needle)))
			return 1;
		for (size_t c = 0; c < k->n_cells; c++)
			if (strstr(k->cells[c].text, needle))
				return 1;
	}
	return 0;
}

static void test_html_dropped_elements(void)
{
	static const char *const kinds[] = {
	    "script", "style",    "noscript", "iframe",   "object",  "applet",   "form",
	    "button", "select",   "textarea", "svg",      "math",    "canvas",   "video",
	    "audio",  "template", "title",    "datalist", "noembed", "noframes", "frameset"};
	static const char *const voids[] = {"input", "embed", "frame", "meta", "link", "base"};
	char buf[256], want[64];

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct kk_body *b;
		snprintf(buf, sizeof buf,
		         "<p>前</p><%s onload=\"bad()\">秘密 alert(1)</%s><p>后</p>", kinds[i],
		         kinds[i]);
		snprintf(want, sizeof want, "dropped <%s>", kinds[i]);
		b = html(buf);
		KT_REQUIRE(b);
		if (!has_note(want))
			KT_FAIL_("no note \"%s\"", want);
		KT_CHECK_INT(n_notes, 1);
		KT_CHECK_INT(b->n, 2);
		KT_CHECK(!body_contains(b, "秘密"));
		KT_CHECK(!body_contains(b, "alert"));
		kk_body_free(b);
	}
	for (size_t i = 0; i < sizeof voids / sizeof voids[0]; i++) {
		struct kk_body *b;
		snprintf(buf, sizeof buf, "<p>前</p><%s src=\"x\" value=\"秘密\"><p>后</p>",
		         voids[i]);
		snprintf(want, sizeof want, "dropped <%s>", voids[i]);
		b = html(buf);
		KT_REQUIRE(b);
		if (!has_note(want))
			KT_FAIL_("no note \"%s\"", want);
		KT_CHECK(!body_contains(b, "秘密"));
		kk_body_free(b);
	}

	/* each kind once; comments and processing instructions too */
	{
		struct kk_body *b = html("<!--StartFragment--><p>a<!-- x --></p><?php echo 1 ?>"
		                         "<script>1</script><script>2</script><style>p{}</style>"
		                         "<p>b</p>");
		KT_REQUIRE(b);
		KT_CHECK_INT(n_notes, 4);
		KT_CHECK(has_note("dropped comment"));
		KT_CHECK(has_note("dropped processing instruction"));
		KT_CHECK(has_note("dropped <script>"));
		KT_CHECK(has_note("dropped <style>"));
		KT_CHECK_INT(b->n, 2);
		kk_body_free(b);
	}
}

static void test_html_attributes(void)
{
	struct kk_body *b =
	    html("<p onclick=\"alert(1)\" style=\"color:red\" class=\"x\" "
	         "onmouseover='steal()'>正文</p>"
	         "<a href=\"javascript:alert(document.cookie)\" onclick=\"x()\">链接</a>"
	         "<a href=\"http://example.com/\">外链</a>"
	         "<img src=\"ok.png\" onerror=\"alert(2)\" style=\"x\">");

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 3);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "正文");
	CHECK_BLOCK(b, 1, KK_BLOCK_PARA, 0, NULL, "链接外链");
	CHECK_BLOCK(b, 2, KK_BLOCK_IMAGE, 0, NULL, NULL);
	KT_CHECK_STR(b->blocks[2].src, "ok.png");
	KT_CHECK(!body_contains(b, "alert"));
	KT_CHECK(!body_contains(b, "javascript"));
	KT_CHECK(!body_contains(b, "color"));
	KT_CHECK(!body_contains(b, "http"));
	KT_CHECK_INT(n_notes, 0);
	kk_body_free(b);
}

static void test_html_images(void)
{
	static const struct {
		const char *src, *path; /* path NULL: dropped */
		const char *note;
	} cases[] = {
	    {"attachments/a.png", "attachments/a.png", NULL},
	    {"  ./attachments//b.png ", "attachments/b.png", NULL},
	    {"attachments/%E5%9B%BE.png?v=1#top", "attachments/图.png", NULL},
	    {"attachments/图表.jpg", "attachments/图表.jpg", NULL},
	    {"http://evil.example/a.png", NULL, "dropped remote image http://evil.example/a.png"},
	    {"HTTPS://evil.example/a.png", NULL, "dropped remote image HTTPS://"},
	    {"//cdn.example/a.png", NULL, "dropped remote image //cdn.example/a.png"},
	    {"ftp://x/a.png", NULL, "dropped remote image ftp://x/a.png"},
	    {"data:image/png;base64,iVBORw0KGgo=", NULL, "dropped data: image"},
	    {"javascript:alert(1)", NULL, "dropped image with a script URL"},
	    {"java&#9;script:alert(1)", NULL, "dropped image with a script URL"},
	    {"file:///etc/passwd", NULL, "dropped image with unsupported URL file:///etc/passwd"},
	    {"C:\\img\\a.png", NULL, "dropped image with unsupported URL"},
	    {"/var/www/a.png", NULL, "dropped image with absolute path /var/www/a.png"},
	    {"../a.png", NULL, "dropped image with unsafe path ../a.png"},
	    {"attachments/../../a.png", NULL, "dropped image with unsafe path"},
	    {"a/%2e%2e/%2E%2E/b.png", NULL, "dropped image with unsafe path"},
	    {"attachments\\a.png", NULL, "dropped image with unsafe path"},
	    {"a%00.png", NULL, "dropped image with unsafe path"},
	    {"a%ff.png", NULL, "dropped image with unsafe path"},
	    {"", NULL, "dropped image without src"},
	    {"./", NULL, "dropped image without src"},
	};
	char buf[512];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kk_body *b;
		snprintf(buf, sizeof buf, "<p>前</p><img src=\"%s\" alt=\"图\"><p>后</p>",
		         cases[i].src);
		b = html(buf);
		KT_REQUIRE(b);
		if (cases[i].path) {
			KT_CHECK_INT(b->n, 3);
			CHECK_BLOCK(b, 1, KK_BLOCK_IMAGE, 0, NULL, "图");
			KT_CHECK_STR(b->blocks[1].src, cases[i].path);
			KT_CHECK_INT(n_notes, 0);
		} else {
			KT_CHECK_INT(b->n, 2);
			KT_CHECK_INT(n_notes, 1);
			if (!has_note(cases[i].note))
				KT_FAIL_("case %zu: no note \"%s\" in \"%s\"", i, cases[i].note,
				         notes);
		}
		kk_body_free(b);
	}

	/* no src at all; an over-long path */
	{
		char *longp = repeat("<img src=\"", "a/", 600, "x.png\">");
		struct kk_body *b = html("<img alt=\"x\">");
		KT_REQUIRE(b && longp);
		KT_CHECK_INT(b->n, 0);
		KT_CHECK(has_note("dropped image without src"));
		kk_body_free(b);
		b = html(longp);
		KT_REQUIRE(b);
		KT_CHECK_INT(b->n, 0);
		KT_CHECK(has_note("over 1024 bytes"));
		kk_body_free(b);
		free(longp);
	}

	/* an image splits its paragraph */
	{
		struct kk_body *b = html("<p>上文<img src=\"a.png\">下文</p>");
		KT_REQUIRE(b);
		KT_CHECK_INT(b->n, 3);
		CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "上文");
		CHECK_BLOCK(b, 1, KK_BLOCK_IMAGE, 0, NULL, NULL);
		CHECK_BLOCK(b, 2, KK_BLOCK_PARA, 0, NULL, "下文");
		kk_body_free(b);
	}
}

static void test_html_notes_cap(void)
{
	char *s = repeat("", "<img src=\"http://x/a.png\">", 200, "<p>x</p>");
	struct kk_body *b;

	KT_REQUIRE(s);
	b = html(s);
	KT_REQUIRE(b);
	KT_CHECK_INT(n_notes, KK_IMPORT_MAX_NOTES + 1);
	KT_CHECK(has_note("further notes suppressed"));
	KT_CHECK_INT(b->n, 1);
	kk_body_free(b);
	free(s);

	/* note may be NULL */
	{
		struct kk_body *c = NULL;
		KT_CHECK_INT(kk_import_html("<script>x</script><p>y</p>", 26, NULL, NULL, &c), 0);
		KT_REQUIRE(c);
		KT_CHECK_INT(c->n, 1);
		kk_body_free(c);
	}
}

static void test_html_unclosed(void)
{
	struct kk_body *b = html("<p>一<b>二<i>三<p>四<ul><li>五<li>六<table><tr><td>七<td>八"
	                         "<tr><td>九");
	const struct kk_block *k;

	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 5);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "一二三");
	KT_CHECK_INT(b->blocks[0].n_emph, 1);
	CHECK_EMPH(&b->blocks[0], 0, 3, 9, "二三");
	CHECK_BLOCK(b, 1, KK_BLOCK_PARA, 0, NULL, "四");
	CHECK_BLOCK(b, 2, KK_BLOCK_ITEM, 1, "•", "五");
	CHECK_BLOCK(b, 3, KK_BLOCK_ITEM, 1, "•", "六");
	k = &b->blocks[4];
	KT_CHECK_INT(k->kind, KK_BLOCK_TABLE);
	CHECK_CELL(k, 0, 0, 1, 1, 0, "七");
	CHECK_CELL(k, 0, 1, 1, 1, 0, "八");
	CHECK_CELL(k, 1, 0, 1, 1, 0, "九");
	kk_body_free(b);

	/* stray end tags, a lone '<', attributes without quotes or values */
	b = html("</p></div></table></li>a < b <p class=x id>c</p><img src=a.png alt=x y>"
	         "<p title='unterminated>d</p>");
	KT_REQUIRE(b);
	KT_CHECK(b->n >= 2);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "a < b");
	CHECK_BLOCK(b, 1, KK_BLOCK_PARA, 0, NULL, "c");
	kk_body_free(b);
}

static void test_html_deep_nesting(void)
{
	char *divs = repeat("", "<div>", 100000, "深");
	char *bs = repeat("", "<b>", 100000, "深");
	char *ok = repeat("", "<div>", 200, "<b>浅</b>");
	char *tables = repeat("", "<table><tr><td>", 80, "x");
	struct kk_body *b;
	double t0 = now();

	KT_REQUIRE(divs && bs && ok && tables);
	KT_CHECK_INT(html_rc(divs, strlen(divs)), KK_E2BIG);
	KT_CHECK(has_note("nested deeper than 256"));
	KT_CHECK_INT(html_rc(bs, strlen(bs)), KK_E2BIG);
	KT_CHECK(has_note("nested deeper than 256"));
	b = html(ok);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 1);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "浅");
	KT_CHECK_INT(b->blocks[0].n_emph, 1);
	kk_body_free(b);
	/* 80 nested one-cell tables: layout boxes all the way down */
	b = html(tables);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 1);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "x");
	kk_body_free(b);
	KT_CHECK(now() - t0 < 30);
	free(divs);
	free(bs);
	free(ok);
	free(tables);
}

static void test_html_attribute_bomb(void)
{
	/* 250,000 distinct attributes in one tag take libxml2 minutes; the tag is cut at the cap */
	size_t n = 250000;
	char *s = malloc(n * 8 + 64), *w = s;
	struct kk_body *b;
	double t0 = now();

	KT_REQUIRE(s);
	w += sprintf(w, "<div");
	for (size_t i = 0; i < n; i++)
		w += sprintf(w, " a%zu", i);
	sprintf(w, ">x</div>");
	b = html(s);
	KT_REQUIRE(b);
	KT_CHECK(has_note("cut a tag with more than 512 attributes"));
	KT_CHECK(b->n >= 1);
	KT_CHECK(now() - t0 < 30);
	kk_body_free(b);
	free(s);

	/* a script full of a<b is no tag: cut where it does not matter, the body is kept */
	s = repeat("<p>前</p><script>", "if (a<b) x = 1; ", 5000, "</script><p>后</p>");
	KT_REQUIRE(s);
	b = html(s);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 2);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "前");
	CHECK_BLOCK(b, 1, KK_BLOCK_PARA, 0, NULL, "后");
	kk_body_free(b);
	free(s);

	/* a tag at the cap is untouched */
	s = malloc(512 * 8 + 64);
	KT_REQUIRE(s);
	w = s + sprintf(s, "<p");
	for (int i = 0; i < KK_IMPORT_MAX_ATTRS - 1; i++)
		w += sprintf(w, " a%d", i);
	sprintf(w, " alt=x>正文</p>");
	b = html(s);
	KT_REQUIRE(b);
	KT_CHECK_INT(n_notes, 0);
	KT_CHECK_INT(b->n, 1);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "正文");
	kk_body_free(b);
	free(s);
}

static void test_html_input_checks(void)
{
	static const char nul[] = "<p>a\0b</p><p>c\x01\x7f"
	                          "d\x0b"
	                          "e</p>";
	struct kk_body *b = (struct kk_body *)1;
	char *big;

	/* invalid UTF-8: refused before parsing, no notes */
	KT_CHECK_INT(html_rc("<p>\xff</p>", 8), KK_EUTF8);
	KT_CHECK_INT(n_notes, 0);
	KT_CHECK_INT(html_rc("<p>\xe4\xb8</p>", 9), KK_EUTF8);
	KT_CHECK_INT(html_rc("<p>\xc0\xaf</p>", 9), KK_EUTF8); /* overlong "/" */
	KT_CHECK_INT(kk_import_html(NULL, 1, NULL, NULL, &b), KK_EINVAL);
	KT_CHECK_INT(kk_import_html("x", 1, NULL, NULL, NULL), KK_EINVAL);

	/* NUL and control characters inside are removed (and noted) */
	notes_reset();
	KT_CHECK_INT(kk_import_html(nul, sizeof nul - 1, collect_note, NULL, &b), 0);
	KT_REQUIRE(b);
	check_body(b);
	KT_CHECK_INT(b->n, 2);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "ab");
	CHECK_BLOCK(b, 1, KK_BLOCK_PARA, 0, NULL, "cd e");
	KT_CHECK(has_note("dropped control characters"));
	kk_body_free(b);

	/* empty and blank input: no blocks */
	b = html("");
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 0);
	kk_body_free(b);
	KT_CHECK_INT(kk_import_html(NULL, 0, NULL, NULL, &b), 0);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 0);
	kk_body_free(b);
	b = html(" \n\t <!-- --> <p> </p>");
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 0);
	kk_body_free(b);

	/* 2 MiB + 1: refused; exactly 2 MiB: read */
	big = malloc(KK_IMPORT_MAX_INPUT + 1);
	KT_REQUIRE(big);
	memset(big, 'a', KK_IMPORT_MAX_INPUT + 1);
	memcpy(big, "<p>", 3);
	KT_CHECK_INT(html_rc(big, KK_IMPORT_MAX_INPUT + 1), KK_E2BIG);
	KT_CHECK_INT(html_rc(big, KK_IMPORT_MAX_INPUT), 0);
	free(big);
	/* meta charset does not switch away from UTF-8 */
	b = html("<meta charset=\"gbk\"><p>中文</p>");
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, 1);
	CHECK_BLOCK(b, 0, KK_BLOCK_PARA, 0, NULL, "中文");
	kk_body_free(b);
}

static void test_html_block_cap(void)
{
	char *ok = repeat("", "<p>x</p>", KK_BODY_MAX_BLOCKS, "");
	char *over = repeat("", "<p>x</p>", KK_BODY_MAX_BLOCKS + 1, "");
	char *rules = repeat("", "<hr>", KK_BODY_MAX_BLOCKS + 1, "");
	struct kk_body *b;

	KT_REQUIRE(ok && over && rules);
	b = html(ok);
	KT_REQUIRE(b);
	KT_CHECK_INT(b->n, KK_BODY_MAX_BLOCKS);
	kk_body_free(b);
	KT_CHECK_INT(html_rc(over, strlen(over)), KK_E2BIG);
	KT_CHECK(has_note("more than 20000 blocks"));
	KT_CHECK_INT(html_rc(rules, strlen(rules)), KK_E2BIG);
	free(ok);
	free(over);
	free(rules);
}

/* "一、总体要求" names a part; "一、同意实施…项目。…" is a numbered sentence (a 批复's items). */
static void test_text_sentence_is_not_heading(void)
{
	const char *t = "一、总体要求\n二、同意实施白沙镇高标准农田建设项目。项目区涉及4个行政村。\n"
			"（一）加强组织领导；明确责任分工\n（二）工作措施";
	struct kk_body *b = NULL;
	KT_REQUIRE(kk_import_text(t, strlen(t), &b) == 0);
	KT_REQUIRE(b->n == 4);
	KT_CHECK_INT(b->blocks[0].kind, KK_BLOCK_HEADING);
	KT_CHECK_INT(b->blocks[1].kind, KK_BLOCK_PARA);
	KT_CHECK(!strncmp(b->blocks[1].text, "二、同意", strlen("二、同意"))); /* number kept */
	KT_CHECK_INT(b->blocks[2].kind, KK_BLOCK_PARA);
	KT_CHECK_INT(b->blocks[3].kind, KK_BLOCK_HEADING);
	kk_body_free(b);
}

KT_MAIN(KT_CASE(test_fold_space), KT_CASE(test_text_sentence_is_not_heading), KT_CASE(test_text_numbering), KT_CASE(test_text_long_heading),
        KT_CASE(test_text_lines), KT_CASE(test_text_tables), KT_CASE(test_text_errors),
        KT_CASE(test_html_blocks), KT_CASE(test_html_lists), KT_CASE(test_html_br_and_whitespace),
        KT_CASE(test_html_numbered_paragraphs), KT_CASE(test_html_emphasis),
        KT_CASE(test_html_emphasis_cap), KT_CASE(test_html_annual_report_table),
        KT_CASE(test_html_table_spans), KT_CASE(test_html_table_content),
        KT_CASE(test_html_table_caps), KT_CASE(test_html_dropped_elements),
        KT_CASE(test_html_attributes), KT_CASE(test_html_images), KT_CASE(test_html_notes_cap),
        KT_CASE(test_html_unclosed), KT_CASE(test_html_deep_nesting),
        KT_CASE(test_html_attribute_bomb), KT_CASE(test_html_input_checks),
        KT_CASE(test_html_block_cap))
