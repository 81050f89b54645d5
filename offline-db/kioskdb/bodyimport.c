/*
 * bodyimport.c — body_html and body_text to struct kk_body (see bodyimport.h, FORMAT.md "Bodies").
 *
 * DESIGN
 *
 * HTML goes through four steps, each bounded:
 *   1. Checks on the raw bytes: at most KK_IMPORT_MAX_INPUT bytes (else E2BIG), valid UTF-8 (else
 *      EUTF8); NUL, other C0 controls and DEL are removed (noted once), VT and FF become spaces.
 *   2. attr_guard(): libxml2 2.9 checks the attributes of a start tag for duplicates pairwise,
 *      so one tag with 250,000 distinct attributes costs five minutes. The guard runs libxml2's
 *      start-tag grammar from every "<" + name character at once (a small automaton whose states
 *      are merged, keeping the largest count) and inserts a '>' where a tag might pass
 *      KK_IMPORT_MAX_ATTRS attributes (noted). It over-counts, never under-counts, whatever
 *      libxml2 is doing around the tag (script, comment, quoted value); refusing instead would
 *      refuse scripts full of "a<b" that are dropped anyway.
 *   3. libxml2's HTML parser builds the tree (recover, no network, UTF-8 forced, meta charset
 *      ignored). libxml2 stops at 256 levels of nesting and would lose the rest silently; that
 *      is E2BIG with a note. A parser context is used (htmlCtxtReadMemory, the same parser as
 *      htmlReadMemory) only to see that.
 *   4. The tree is walked without recursion: an explicit stack of MAX_DEPTH frames,
 *      each frame saving the context it changes (innermost list, heading or item, table, cell,
 *      caption) so that leaving an element restores it.
 *
 * HTML rules (the walk)
 *   - Text is folded as browsers do (fold_run: whitespace runs -> one space, nothing between two
 *     CJK characters, zero-width characters and control characters dropped) while it is
 *     appended, so emphasis offsets are offsets in the final text.
 *   - Blocks: h1-h6 -> HEADING 1-6. p, div, section, article, blockquote, center, pre, address,
 *     dl/dt/dd, figure, header/footer/nav/aside/main ... end the current paragraph; text between
 *     them (also bare text) forms PARA blocks. A PARA whose text starts with Chinese numbering is
 *     recognised as in body_text (recognise(), shared with kk_import_text). Empty ones vanish.
 *   - br: ends the paragraph (two paragraphs); inside a heading it is a space; inside a cell or
 *     caption a line break.
 *   - ol/ul (menu, dir as ul): li -> ITEM with level = list nesting (capped at
 *     KK_IMPORT_MAX_LIST_LEVEL), marker "1." "2." ... (ol, honouring start) or "•" (ul). A
 *     second paragraph in the same li (or the text after a <br> in it) is an ITEM of the same
 *     level with the marker "" (a continuation, drawn with the item's indent and no marker).
 *     li outside a list is level 1 "•".
 *   - strong, b, em, i: emphasis ranges on the paragraph's text, trimmed of spaces, touching or
 *     overlapping ranges merged, at most KK_IMPORT_MAX_EMPH per block (then noted). Cells have
 *     no ranges (struct kk_cell has none), so emphasis in a cell is plain text. Other inline
 *     elements (span, font, a, u, sub, sup, unknown ones) keep their text.
 *   - table: one TABLE block. Cells are placed as browsers do: a cell goes in the first column
 *     of its row not covered by an earlier rowspan; a colspan is shortened where it would
 *     overlap a covered column; spans are clamped to 1..KK_TABLE_MAX_SPAN (0, negative and
 *     garbage are 1) and a rowspan ends at the end of its row group (thead/tbody/tfoot or the
 *     table). Then rows and columns in which no cell starts are removed (a colspan="1000" in a
 *     3-column table gives 3 columns; browsers draw such lines with no width), so (row, col)
 *     are positions in that compacted grid. th -> head. Cell text: paragraphs joined with "\n".
 *     caption -> the block's text. A table inside a cell is flattened into the cell's text
 *     (rows on lines, cells separated by a space). A table with exactly one cell and no caption
 *     is a layout box: its content is read as ordinary blocks. A table whose cells are all empty
 *     is dropped (its caption kept as a PARA). Content inside a table but outside its cells,
 *     and images in cells, become blocks placed before the table (browsers hoist the former).
 *     Over KK_TABLE_MAX_CELLS cells, KK_IMPORT_MAX_TABLE_COLS columns: E2BIG.
 *   - img -> IMAGE (src, alt) only for a local relative path; the path is cut at "?"/"#",
 *     percent-decoded and normalised ("./" and empty segments removed). Dropped with a note:
 *     any scheme (http:, https:, ftp:, data:, javascript:, file:, c:), "//", an absolute path,
 *     a ".." segment, a backslash, control characters, over 1024 bytes, no src.
 *   - hr -> RULE (in a cell: a line break).
 *   - Dropped with their content, each kind noted once: script, style, noscript, iframe, frame,
 *     frameset, object, embed, applet, form, input, button, select, textarea, datalist, svg,
 *     math, canvas, video, audio, template, noembed, noframes, title, meta, link, base, head
 *     (libxml2 makes one up for a stray <title> or <style>, so head is noted by what it holds),
 *     comments, processing instructions. Void elements without text
 *     (col, colgroup, area, param, source, track, wbr) vanish silently. Only the attributes src,
 *     alt, rowspan, colspan, start are ever read, so on*, style, class, href vanish.
 *
 * body_text rules: lines split at LF, CRLF, CR, U+2028, U+2029; each line folded; empty lines
 * skipped. recognise() gives 一、 -> HEADING 1 "一、"; （一）/(一) -> HEADING 2 "（一）";
 * 1. 1． 1、 -> ITEM 1 "1." (not when a digit follows: "3.5亿" is text); （1）/(1) -> ITEM 2
 * "（1）"; ①..⑳ ㉑..㊿ ⑴..⒇ -> ITEM 2 with that marker, ⒈..⒛ -> ITEM 1. A heading line over
 * KK_IMPORT_HEADING_MAX_CHARS characters stays a PARA with its marker. A line that starts and
 * ends with | (or ｜) is a table row; consecutive rows form one table; a row of --- cells is
 * skipped and, when it is the second line, makes the first row head cells.
 */
#include "kioskdb/bodyimport.h"

#include <assert.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"

#define MAX_DEPTH 512                      /* frames of the walk; libxml2 stops at 256 */
#define MAX_SRC 1024                       /* bytes of an image path */
#define MAX_TEXT (2 * KK_IMPORT_MAX_INPUT) /* one block's text (cell markers add a little) */
#define MAX_NUMBER 1000000                 /* ol start */
#define NOTE_URL 120                       /* bytes of a URL quoted in a note */

/* ---- characters ------------------------------------------------------------------------ */

/* Whitespace folded to one space (CR, LF, TAB, VT, FF, NEL, NBSP, the Zs spaces, U+2028/9). */
static int cp_space(int32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	       c == 0x205F || c == 0x3000;
}

/* Invisible characters that vanish without leaving a space. */
static int cp_zero_width(int32_t c)
{
	return (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF || c == 0x180E;
}

/* Controls and non-characters the importers drop (those that are whitespace excepted). */
static int cp_junk(int32_t c)
{
	return (c < 0x20 && !cp_space(c)) || (c >= 0x7F && c <= 0x9F && c != 0x85) ||
	       (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

/* Characters written without spaces between them: Han, kana, CJK punctuation, full-width forms. */
static int cp_cjk(int32_t c)
{
	return (c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x2FF0 && c <= 0x2FFF) ||
	       (c >= 0x3001 && c <= 0x303F) || (c >= 0x3040 && c <= 0x30FF) ||
	       (c >= 0x3100 && c <= 0x312F) || (c >= 0x3190 && c <= 0x31FF) ||
	       (c >= 0x3200 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE10 && c <= 0xFE1F) ||
	       (c >= 0xFE30 && c <= 0xFE6F) || (c >= 0xFF01 && c <= 0xFF60) ||
	       (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFF);
}

/* ---- whitespace folding ------------------------------------------------------------------ */

struct fold {
	int pending;  /* whitespace seen since the last character written */
	int any;      /* a character has been written */
	int32_t prev; /* the last character written */
	int importer; /* drop controls and invalid bytes instead of copying them */
};

/*
 * Fold in[0..len) into out and return the bytes written. A pending space is written only before
 * a following character, so stopping trims the end. out may overlap in: the writer never passes
 * the reader except by the one space pending from an earlier call, so out == in is safe for a
 * fresh f and out == in - 1 always (acc_text).
 */
static size_t fold_run(struct fold *f, const char *in, size_t len, char *out)
{
	size_t i = 0, w = 0;

	while (i < len) {
		size_t at = i;
		int32_t c = kk_utf8_next(in, len, &i);

		if (c < 0) {
			if (f->importer)
				continue;
			c = 0xFFFD; /* the bad byte is copied; it is neither space nor CJK */
		} else if (cp_zero_width(c) || (f->importer && cp_junk(c))) {
			continue;
		} else if (cp_space(c)) {
			f->pending = 1;
			continue;
		}
		if (f->pending && f->any && f->prev != '\n' && f->prev != ' ' &&
		    !(cp_cjk(f->prev) && cp_cjk(c)))
			out[w++] = ' ';
		f->pending = 0;
		memmove(out + w, in + at, i - at);
		w += i - at;
		f->any = 1;
		f->prev = c;
	}
	return w;
}

size_t kk_text_fold_space(char *s, size_t len)
{
	struct fold f = {0, 0, 0, 0};

	if (!s)
		return 0;
	return fold_run(&f, s, len, s);
}

/* ---- numbering (shared by both importers) ------------------------------------------------ */

struct mark {
	enum kk_block_kind kind; /* 0: not recognised */
	int level;
	char marker[32]; /* "" for none */
	size_t cut;      /* bytes of the line before its text */
};

static int cn_numeral(int32_t c)
{
	static const int32_t digits[] = {0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03,
	                                 0x516B, 0x4E5D, 0x5341, 0x767E, 0x96F6, 0x3007};
	for (size_t i = 0; i < sizeof digits / sizeof digits[0]; i++)
		if (c == digits[i])
			return 1;
	return 0;
}

/* ASCII or full-width decimal digit value, else -1. */
static int digit_value(int32_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 0xFF10 && c <= 0xFF19)
		return c - 0xFF10;
	return -1;
}

/* Whether s[0..len) contains the 3-byte sequence p (a CJK punctuation mark). */
static int has_bytes(const char *s, size_t len, const char *p)
{
	for (size_t i = 0; i + 3 <= len; i++)
		if (s[i] == p[0] && s[i + 1] == p[1] && s[i + 2] == p[2])
			return 1;
	return 0;
}

static int32_t peek(const char *s, size_t len, size_t i, size_t *next)
{
	*next = i;
	return i < len ? kk_utf8_next(s, len, next) : -1;
}

/*
 * Recognise Chinese numbering at the start of a folded line s[0..len): fills m and returns 1,
 * or returns 0 (a plain paragraph). The line must have text after its marker; a heading line
 * longer than KK_IMPORT_HEADING_MAX_CHARS characters is not a heading.
 */
static int recognise(const char *s, size_t len, struct mark *m)
{
	size_t i, j, n = 0;
	int32_t c;
	char num[16];

	memset(m, 0, sizeof *m);
	c = peek(s, len, 0, &i);
	if ((c >= 0x2460 && c <= 0x2487) || (c >= 0x3251 && c <= 0x325F) ||
	    (c >= 0x32B1 && c <= 0x32BF) || (c >= 0x2488 && c <= 0x249B)) {
		/* ①..⑳ ⑴..⒇ ㉑..㊿: sub-items; ⒈..⒛: items */
		m->kind = KK_BLOCK_ITEM;
		m->level = c >= 0x2488 && c <= 0x249B ? 1 : 2;
		memcpy(m->marker, s, i);
		m->marker[i] = '\0';
	} else if (c == '(' || c == 0xFF08) {
		int cn = 0;
		for (c = peek(s, len, i, &j); n < 4; c = peek(s, len, i, &j)) {
			if (cn_numeral(c) && (cn || !n)) {
				cn = 1;
				memcpy(num + n * 3, s + i, j - i); /* 3 bytes each */
			} else if (digit_value(c) >= 0 && !cn && n < 3) {
				num[n] = (char)('0' + digit_value(c));
			} else {
				break;
			}
			n++;
			i = j;
		}
		if (!n || (c != ')' && c != 0xFF09))
			return 0;
		i = j;
		m->kind = cn ? KK_BLOCK_HEADING : KK_BLOCK_ITEM;
		m->level = 2;
		snprintf(m->marker, sizeof m->marker, "（%.*s）", (int)(cn ? n * 3 : n), num);
	} else if (cn_numeral(c)) {
		for (n = 1; n < 4 && cn_numeral(peek(s, len, i, &j)); n++)
			i = j;
		if (peek(s, len, i, &j) != 0x3001) /* 、 */
			return 0;
		i = j;
		m->kind = KK_BLOCK_HEADING;
		m->level = 1;
		memcpy(m->marker, s, i);
		m->marker[i] = '\0';
	} else if (digit_value(c) >= 0) {
		num[n++] = (char)('0' + digit_value(c));
		for (c = peek(s, len, i, &j); n < 4 && digit_value(c) >= 0;
		     c = peek(s, len, i, &j)) {
			num[n++] = (char)('0' + digit_value(c));
			i = j;
		}
		if (n > 3 || (c != '.' && c != 0xFF0E && c != 0x3001))
			return 0;
		i = j;
		if (digit_value(peek(s, len, i, &j)) >= 0) /* 3.5 is a number, not an item */
			return 0;
		m->kind = KK_BLOCK_ITEM;
		m->level = 1;
		snprintf(m->marker, sizeof m->marker, "%.*s.", (int)n, num);
	} else {
		return 0;
	}
	while (i < len && s[i] == ' ')
		i++;
	/* A heading names a part ("一、总体要求"); a numbered sentence ("一、同意实施…项目。") is
	 * a paragraph that keeps its number: long lines and lines with a full stop or semicolon. */
	if (i >= len ||
	    (m->kind == KK_BLOCK_HEADING &&
	     (kk_utf8_count(s, len) > KK_IMPORT_HEADING_MAX_CHARS ||
	      has_bytes(s + i, len - i, "\xE3\x80\x82") || has_bytes(s + i, len - i, "\xEF\xBC\x9B")))) {
		memset(m, 0, sizeof *m); /* a marker without text, or a sentence: a paragraph */
		return 0;
	}
	m->cut = i;
	return 1;
}

/* ---- text accumulators ------------------------------------------------------------------- */

/* Text of one block (or cell, or caption) being collected, already folded. */
struct acc {
	struct kk_buf text;
	struct fold f;
	int breaks_as_space; /* a caption is one line */
	int emph_open;       /* an emphasis range is open at emph_start */
	uint32_t emph_start;
	struct kk_span *spans; /* room for KK_IMPORT_MAX_EMPH; NULL for cells and captions */
	size_t n_spans;
	int spans_dropped;
};

static void acc_reset(struct acc *a)
{
	kk_buf_reset(&a->text);
	memset(&a->f, 0, sizeof a->f);
	a->f.importer = 1;
	a->emph_open = 0;
	a->n_spans = 0;
}

static int acc_init(struct acc *a, int with_spans, int breaks_as_space)
{
	memset(a, 0, sizeof *a);
	kk_buf_init(&a->text, MAX_TEXT);
	acc_reset(a);
	a->breaks_as_space = breaks_as_space;
	if (with_spans && !(a->spans = malloc(KK_IMPORT_MAX_EMPH * sizeof *a->spans)))
		return KK_ENOMEM;
	return 0;
}

static void acc_fini(struct acc *a)
{
	kk_buf_fini(&a->text);
	free(a->spans);
	a->spans = NULL;
}

/* Append text, folding whitespace against what is already there. Returns 0, E2BIG, ENOMEM. */
static int acc_text(struct acc *a, const char *s, size_t len)
{
	size_t old = a->text.len, w;
	int rc;

	if (!len)
		return 0;
	/* Copy one byte further on, then fold back: the pending space may need that byte. */
	if ((rc = kk_buf_add(&a->text, " ", 1)) || (rc = kk_buf_add(&a->text, s, len)))
		return rc;
	w = fold_run(&a->f, a->text.data + old + 1, len, a->text.data + old);
	a->text.len = old + w;
	a->text.data[a->text.len] = '\0';
	return 0;
}

/* Drop trailing spaces and line breaks. */
static void acc_trim(struct acc *a)
{
	while (a->text.len &&
	       (a->text.data[a->text.len - 1] == ' ' || a->text.data[a->text.len - 1] == '\n'))
		a->text.len--;
	if (a->text.data)
		a->text.data[a->text.len] = '\0';
}

/* Append a literal (a marker in a cell, a separator), not folded. */
static int acc_raw(struct acc *a, const char *s)
{
	size_t n = strlen(s);
	int rc = kk_buf_add(&a->text, s, n);
	if (!rc && n) {
		a->f.pending = 0;
		a->f.any = 1;
		a->f.prev = (unsigned char)s[n - 1];
	}
	return rc;
}

/* A line break in a cell ("\n", never two, never first); a space in a caption. */
static int acc_break(struct acc *a)
{
	if (a->breaks_as_space) {
		a->f.pending = 1;
		return 0;
	}
	a->f.pending = 0;
	while (a->text.len && a->text.data[a->text.len - 1] == ' ')
		a->text.len--;
	if (!a->text.len || a->text.data[a->text.len - 1] == '\n')
		return 0;
	return acc_raw(a, "\n");
}

/* A visible separator between the cells of a flattened table. */
static int acc_sep(struct acc *a)
{
	a->f.pending = 0;
	if (!a->text.len || a->text.data[a->text.len - 1] == ' ' ||
	    a->text.data[a->text.len - 1] == '\n')
		return 0;
	return acc_raw(a, " ");
}

static void acc_emph_begin(struct acc *a)
{
	a->emph_open = 1;
	a->emph_start = (uint32_t)a->text.len;
}

/* Close the open range: trim it, merge it with a range it touches, or keep it if room. */
static void acc_emph_end(struct acc *a)
{
	uint32_t s = a->emph_start, e = (uint32_t)a->text.len;
	struct kk_span *last;

	a->emph_open = 0;
	if (!a->spans || s >= e)
		return;
	while (s < e && (a->text.data[s] == ' ' || a->text.data[s] == '\n'))
		s++;
	while (e > s && (a->text.data[e - 1] == ' ' || a->text.data[e - 1] == '\n'))
		e--;
	if (s >= e)
		return;
	last = a->n_spans ? &a->spans[a->n_spans - 1] : NULL;
	if (last && last->end >= s) {
		if (e > last->end)
			last->end = e;
		return;
	}
	if (a->n_spans == KK_IMPORT_MAX_EMPH) {
		a->spans_dropped = 1;
		return;
	}
	a->spans[a->n_spans].start = s;
	a->spans[a->n_spans].end = e;
	a->n_spans++;
}

/* ---- blocks ------------------------------------------------------------------------------ */

/* Append a block, telling the block cap (E2BIG) from out of memory. */
static int body_block(struct kk_body *b, enum kk_block_kind kind, struct kk_block **out)
{
	if (b->n >= KK_BODY_MAX_BLOCKS)
		return KK_E2BIG;
	*out = kk_body_add(b, kind);
	return *out ? 0 : KK_ENOMEM;
}

/*
 * Emit a text block as m describes (kind, level, marker, the marker's bytes to cut), with the
 * emphasis ranges of text moved by the cut. text[0..len) is copied.
 */
static int emit_text(struct kk_body *b, const struct mark *m, const char *text, size_t len,
                     const struct kk_span *spans, size_t n_spans)
{
	struct kk_block *blk;
	uint32_t cut = (uint32_t)m->cut;
	int rc;

	if ((rc = body_block(b, m->kind, &blk)))
		return rc;
	blk->level = m->level;
	/* an ITEM always has a marker; "" marks the continuation of a list item */
	if ((m->marker[0] || m->kind == KK_BLOCK_ITEM) && (rc = kk_block_set_marker(blk, m->marker)))
		return rc;
	if ((rc = kk_block_set_text(blk, text + cut, len - cut)))
		return rc;
	for (size_t i = 0; i < n_spans; i++) {
		uint32_t s = spans[i].start > cut ? spans[i].start : cut;
		if (spans[i].end <= s)
			continue;
		if ((rc = kk_block_add_emph(blk, s - cut, spans[i].end - cut)))
			return rc;
	}
	return 0;
}

/* ---- tables ------------------------------------------------------------------------------ */

struct tcell {
	uint32_t row, col, rowspan, colspan;
	int head;
	char *text;
};

/*
 * A table being built. Occupancy is kept per column: occ[c] is the first row that the cells
 * placed so far in column c no longer cover, valid while gen[c] is the current row group's.
 */
struct table {
	struct tcell *cells;
	size_t n, cap;
	uint32_t occ[KK_IMPORT_MAX_TABLE_COLS];
	uint32_t gen[KK_IMPORT_MAX_TABLE_COLS];
	uint32_t group;    /* current row group (generation) */
	uint32_t rows;     /* rows started */
	uint32_t next_col; /* where the search for the next cell of the row starts */
	int row_open;
	size_t clamp_from; /* first cell whose rowspan may pass the current group's end */
	struct tcell pend; /* the cell being filled */
	struct acc cell, caption;
};

static void tbl_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i].text);
	free(t->cells);
	acc_fini(&t->cell);
	acc_fini(&t->caption);
	free(t);
}

static struct table *tbl_new(void)
{
	struct table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->group = 1;
	if (acc_init(&t->cell, 0, 0) || acc_init(&t->caption, 0, 1)) {
		tbl_free(t);
		return NULL;
	}
	return t;
}

static int tbl_row_start(struct table *t)
{
	if (t->rows >= UINT32_MAX / 2)
		return KK_E2BIG;
	t->rows++;
	t->row_open = 1;
	t->next_col = 0;
	return 0;
}

/* End a row group: rowspans stop at its last row. */
static void tbl_group_end(struct table *t)
{
	for (size_t i = t->clamp_from; i < t->n; i++) {
		struct tcell *c = &t->cells[i];
		if (c->row + c->rowspan > t->rows)
			c->rowspan = t->rows - c->row;
	}
	t->clamp_from = t->n;
	t->group++;
	t->row_open = 0;
}

static uint32_t clamp_span(long v)
{
	if (v < 1)
		return 1;
	return v > KK_TABLE_MAX_SPAN ? KK_TABLE_MAX_SPAN : (uint32_t)v;
}

/* Place a new cell in the current row (starting one if needed); its text is collected next. */
static int tbl_cell_start(struct table *t, long rowspan, long colspan, int head)
{
	uint32_t r, c, cs = clamp_span(colspan), rs = clamp_span(rowspan), k;
	int rc;

	if (t->n >= KK_TABLE_MAX_CELLS)
		return KK_E2BIG;
	if (!t->row_open && (rc = tbl_row_start(t)))
		return rc;
	r = t->rows - 1;
	for (c = t->next_col; c < KK_IMPORT_MAX_TABLE_COLS; c++)
		if (t->gen[c] != t->group || t->occ[c] <= r)
			break;
	if (c >= KK_IMPORT_MAX_TABLE_COLS)
		return KK_E2BIG;
	for (k = 0; k < cs && c + k < KK_IMPORT_MAX_TABLE_COLS; k++) {
		if (t->gen[c + k] == t->group && t->occ[c + k] > r)
			break; /* covered by a rowspan from above: shorten the colspan */
		t->gen[c + k] = t->group;
		t->occ[c + k] = r + rs;
	}
	t->next_col = c + k;
	t->pend.row = r;
	t->pend.col = c;
	t->pend.rowspan = rs;
	t->pend.colspan = k;
	t->pend.head = head;
	t->pend.text = NULL;
	acc_reset(&t->cell);
	return 0;
}

/* Store the cell being filled with the text collected in t->cell. */
static int tbl_cell_end(struct table *t)
{
	struct tcell *c;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct tcell *p = realloc(t->cells, cap * sizeof *p);
		if (!p)
			return KK_ENOMEM;
		t->cells = p;
		t->cap = cap;
	}
	acc_trim(&t->cell);
	c = &t->cells[t->n];
	*c = t->pend;
	c->text = kk_strndup(t->cell.text.data ? t->cell.text.data : "", t->cell.text.len);
	if (!c->text)
		return KK_ENOMEM;
	t->n++;
	acc_reset(&t->cell);
	return 0;
}

/* Renumber an axis keeping only the lines in which some cell starts. */
static int tbl_compact(struct table *t, int cols)
{
	uint32_t size = 0, *map;

	for (size_t i = 0; i < t->n; i++) {
		uint32_t end = cols ? t->cells[i].col + t->cells[i].colspan
		                    : t->cells[i].row + t->cells[i].rowspan;
		if (end > size)
			size = end;
	}
	map = calloc((size_t)size + 1, sizeof *map);
	if (!map)
		return KK_ENOMEM;
	for (size_t i = 0; i < t->n; i++)
		map[cols ? t->cells[i].col : t->cells[i].row] = 1;
	/* map[x] = number of kept lines before x */
	for (uint32_t x = 0, kept = 0; x <= size; x++) {
		uint32_t here = map[x];
		map[x] = kept;
		kept += here;
	}
	for (size_t i = 0; i < t->n; i++) {
		struct tcell *c = &t->cells[i];
		uint32_t *pos = cols ? &c->col : &c->row, *span = cols ? &c->colspan : &c->rowspan;
		uint32_t a = map[*pos], b = map[*pos + *span];
		*pos = a;
		*span = b - a;
	}
	free(map);
	return 0;
}

/*
 * Finish a table into body b: a TABLE block with caption (may be NULL) as its text, or nothing
 * when no cell has text (the caption then becomes a PARA).
 */
static int tbl_emit(struct kk_body *b, struct table *t, struct acc *caption)
{
	struct kk_block *blk;
	struct mark m;
	int rc, any = 0;

	tbl_group_end(t);
	if (caption)
		acc_trim(caption);
	for (size_t i = 0; i < t->n && !any; i++)
		any = t->cells[i].text[0] != '\0';
	if (!any) {
		if (!caption || !caption->text.len)
			return 0;
		memset(&m, 0, sizeof m);
		m.kind = KK_BLOCK_PARA;
		return emit_text(b, &m, caption->text.data, caption->text.len, NULL, 0);
	}
	if ((rc = tbl_compact(t, 1)) || (rc = tbl_compact(t, 0)))
		return rc;
	if ((rc = body_block(b, KK_BLOCK_TABLE, &blk)))
		return rc;
	if (caption && caption->text.len &&
	    (rc = kk_block_set_text(blk, caption->text.data, caption->text.len)))
		return rc;
	for (size_t i = 0; i < t->n; i++) {
		const struct tcell *c = &t->cells[i];
		/* after compaction every value is below the cell count (KK_TABLE_MAX_CELLS) */
		if ((rc = kk_block_add_cell(blk, (uint16_t)c->row, (uint16_t)c->col,
		                            (uint16_t)c->rowspan, (uint16_t)c->colspan, c->head,
		                            c->text)))
			return rc;
	}
	return 0;
}

/* ---- the attribute guard ----------------------------------------------------------------- */

static int ch_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int ch_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c == '.';
}

static int ch_name(unsigned char c)
{
	return ch_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* States of libxml2 2.9's htmlParseStartTag / htmlParseAttribute / htmlParseAttValue. */
enum gstate { G_ENAME, G_NAME, G_LOOP, G_AFTER_NAME, G_AFTER_EQ, G_DQ, G_SQ, G_UNQ, G_BOGUS, G_N };

struct ghyp {
	int alive;
	uint32_t count; /* attribute names so far */
	uint32_t len;   /* characters of the current name (libxml2 cuts names at 100) */
};

/* The attribute loop, at a character that does not continue the previous state. */
static int g_loop(unsigned char c, unsigned char next, struct ghyp *h)
{
	if (c == '>' || (c == '/' && next == '>'))
		return -1;
	if (ch_blank(c))
		return G_LOOP;
	if (ch_name_start(c)) {
		h->count++;
		h->len = 1;
		return G_NAME;
	}
	return G_BOGUS; /* libxml2 skips a bogus attribute up to a blank or the end of the tag */
}

/* One step of one hypothesis; returns its next state or -1 when its tag has ended. */
static int g_step(int st, unsigned char c, unsigned char next, struct ghyp *h)
{
	switch (st) {
	case G_ENAME:
	case G_NAME:
		if (ch_name(c)) {
			if (h->len < 100) {
				h->len++;
				return st;
			}
			/* the name stops at 100 characters; what follows starts another one */
			if (!ch_name_start(c))
				return G_BOGUS;
			h->count++;
			h->len = 1;
			return G_NAME;
		}
		if (st == G_NAME && ch_blank(c))
			return G_AFTER_NAME;
		if (st == G_NAME && c == '=')
			return G_AFTER_EQ;
		return g_loop(c, next, h);
	case G_LOOP:
		return g_loop(c, next, h);
	case G_AFTER_NAME:
		if (ch_blank(c))
			return G_AFTER_NAME;
		if (c == '=')
			return G_AFTER_EQ;
		return g_loop(c, next, h);
	case G_AFTER_EQ:
		if (ch_blank(c))
			return G_AFTER_EQ;
		if (c == '"')
			return G_DQ;
		if (c == '\'')
			return G_SQ;
		return c == '>' ? -1 : G_UNQ;
	case G_DQ:
		return c == '"' ? G_LOOP : G_DQ;
	case G_SQ:
		return c == '\'' ? G_LOOP : G_SQ;
	case G_UNQ:
		if (ch_blank(c))
			return G_LOOP;
		return c == '>' ? -1 : G_UNQ;
	case G_BOGUS:
		if (ch_blank(c))
			return G_LOOP;
		if (c == '>' || (c == '/' && next == '>'))
			return -1;
		return G_BOGUS;
	}
	return -1;
}

/* Advance every hypothesis over c (next is the byte after it); *max gets the largest count. */
static void g_advance(struct ghyp h[G_N], unsigned char c, unsigned char next, uint32_t *max)
{
	struct ghyp nh[G_N];

	memset(nh, 0, sizeof nh);
	*max = 0;
	for (int st = 0; st < G_N; st++) {
		struct ghyp t = h[st];
		int to;
		if (!t.alive)
			continue;
		to = g_step(st, c, next, &t);
		if (to < 0)
			continue;
		if (!nh[to].alive || t.count > nh[to].count)
			nh[to].count = t.count;
		if (!nh[to].alive || t.len > nh[to].len)
			nh[to].len = t.len;
		nh[to].alive = 1;
		if (t.count > *max)
			*max = t.count;
	}
	if (c == '<' && ch_name_start(next) && !nh[G_ENAME].alive) {
		nh[G_ENAME].alive = 1; /* the element name is not an attribute */
		nh[G_ENAME].count = 0;
		nh[G_ENAME].len = 0;
	}
	memcpy(h, nh, sizeof nh);
}

/*
 * Copy s[0..len) to out (room for 2 * len bytes) so that no start tag can have more than
 * KK_IMPORT_MAX_ATTRS attributes, and return the bytes written. Every "<" + name character may
 * start a tag (we cannot tell whether libxml2 is in a comment, a script or a quoted value), so
 * all hypotheses run at once; those in the same state are merged keeping the larger count, so
 * the work is G_N steps a byte and the count of the tag libxml2 really parses is never above
 * the merged one. Where a name would pass the cap, a '>' is inserted: it ends every hypothesis
 * outside a quoted value, the real tag among them. The rest of a real attribute bomb becomes
 * text; where the hypothesis was wrong the '>' lands in a script, style or comment (dropped)
 * or in a quoted value. *cut is set when that happened.
 */
static size_t attr_guard(const char *s, size_t len, char *out, int *cut)
{
	struct ghyp h[G_N], t[G_N];
	uint32_t max;
	size_t w = 0;

	memset(h, 0, sizeof h);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned char next = i + 1 < len ? (unsigned char)s[i + 1] : 0;

		memcpy(t, h, sizeof h);
		g_advance(t, c, next, &max);
		if (max > KK_IMPORT_MAX_ATTRS) {
			g_advance(h, '>', c, &max);
			out[w++] = '>';
			*cut = 1;
			memcpy(t, h, sizeof h);
			g_advance(t, c, next, &max);
		}
		memcpy(h, t, sizeof h);
		out[w++] = (char)c;
	}
	return w;
}

/* ---- elements ---------------------------------------------------------------------------- */

enum el_class {
	EL_INLINE = 0, /* text kept (span, font, a, u, sub, sup, unknown elements) */
	EL_DROP,       /* dropped with its content, noted */
	EL_VOID,       /* dropped silently: never has text */
	EL_HEAD,
	EL_BLOCK,
	EL_HEADING, /* arg: level */
	EL_LIST,    /* arg: ordered */
	EL_LI,
	EL_BR,
	EL_HR,
	EL_IMG,
	EL_EMPH,
	EL_TABLE,
	EL_CAPTION,
	EL_TSECT,
	EL_TR,
	EL_CELL /* arg: head */
};

struct el_def {
	const char *name;
	unsigned char cls, arg;
};

/* Sorted by name (strcmp) for bsearch; el_sorted() checks it. */
/* clang-format off */
static const struct el_def el_defs[] = {
	{ "address", EL_BLOCK, 0 },   { "applet", EL_DROP, 0 },      { "area", EL_VOID, 0 },
	{ "article", EL_BLOCK, 0 },   { "aside", EL_BLOCK, 0 },      { "audio", EL_DROP, 0 },
	{ "b", EL_EMPH, 0 },          { "base", EL_DROP, 0 },        { "blockquote", EL_BLOCK, 0 },
	{ "br", EL_BR, 0 },           { "button", EL_DROP, 0 },      { "canvas", EL_DROP, 0 },
	{ "caption", EL_CAPTION, 0 }, { "center", EL_BLOCK, 0 },     { "col", EL_VOID, 0 },
	{ "colgroup", EL_VOID, 0 },   { "datalist", EL_DROP, 0 },    { "dd", EL_BLOCK, 0 },
	{ "details", EL_BLOCK, 0 },   { "dialog", EL_BLOCK, 0 },     { "dir", EL_LIST, 0 },
	{ "div", EL_BLOCK, 0 },       { "dl", EL_BLOCK, 0 },         { "dt", EL_BLOCK, 0 },
	{ "em", EL_EMPH, 0 },         { "embed", EL_DROP, 0 },       { "fieldset", EL_BLOCK, 0 },
	{ "figcaption", EL_BLOCK, 0 },{ "figure", EL_BLOCK, 0 },     { "footer", EL_BLOCK, 0 },
	{ "form", EL_DROP, 0 },       { "frame", EL_DROP, 0 },       { "frameset", EL_DROP, 0 },
	{ "h1", EL_HEADING, 1 },      { "h2", EL_HEADING, 2 },       { "h3", EL_HEADING, 3 },
	{ "h4", EL_HEADING, 4 },      { "h5", EL_HEADING, 5 },       { "h6", EL_HEADING, 6 },
	{ "head", EL_HEAD, 0 },       { "header", EL_BLOCK, 0 },     { "hgroup", EL_BLOCK, 0 },
	{ "hr", EL_HR, 0 },           { "i", EL_EMPH, 0 },           { "iframe", EL_DROP, 0 },
	{ "img", EL_IMG, 0 },         { "input", EL_DROP, 0 },       { "legend", EL_BLOCK, 0 },
	{ "li", EL_LI, 0 },           { "link", EL_DROP, 0 },        { "main", EL_BLOCK, 0 },
	{ "math", EL_DROP, 0 },       { "menu", EL_LIST, 0 },        { "meta", EL_DROP, 0 },
	{ "nav", EL_BLOCK, 0 },       { "noembed", EL_DROP, 0 },     { "noframes", EL_DROP, 0 },
	{ "noscript", EL_DROP, 0 },   { "object", EL_DROP, 0 },      { "ol", EL_LIST, 1 },
	{ "p", EL_BLOCK, 0 },         { "param", EL_VOID, 0 },       { "pre", EL_BLOCK, 0 },
	{ "script", EL_DROP, 0 },     { "section", EL_BLOCK, 0 },    { "select", EL_DROP, 0 },
	{ "source", EL_VOID, 0 },     { "strong", EL_EMPH, 0 },      { "style", EL_DROP, 0 },
	{ "summary", EL_BLOCK, 0 },   { "svg", EL_DROP, 0 },         { "table", EL_TABLE, 0 },
	{ "tbody", EL_TSECT, 0 },     { "td", EL_CELL, 0 },          { "template", EL_DROP, 0 },
	{ "textarea", EL_DROP, 0 },   { "tfoot", EL_TSECT, 0 },      { "th", EL_CELL, 1 },
	{ "thead", EL_TSECT, 0 },     { "title", EL_DROP, 0 },       { "tr", EL_TR, 0 },
	{ "track", EL_VOID, 0 },      { "ul", EL_LIST, 0 },          { "video", EL_DROP, 0 },
	{ "wbr", EL_VOID, 0 },
};
/* clang-format on */
#define N_EL (sizeof el_defs / sizeof el_defs[0])

static int el_cmp(const void *key, const void *def)
{
	return strcmp(key, ((const struct el_def *)def)->name);
}

/* Index of name in el_defs, or -1 (an inline element). */
static int el_find(const char *name)
{
	const struct el_def *d = bsearch(name, el_defs, N_EL, sizeof el_defs[0], el_cmp);
	return d ? (int)(d - el_defs) : -1;
}

static int __attribute__((unused)) el_sorted(void)
{
	for (size_t i = 1; i < N_EL; i++)
		if (strcmp(el_defs[i - 1].name, el_defs[i].name) >= 0)
			return 0;
	return 1;
}

/* ---- the HTML walk ----------------------------------------------------------------------- */

/* Note keys: el_defs indexes for dropped elements, then these. */
enum { NOTE_COMMENT = N_EL, NOTE_PI, NOTE_CONTROL, NOTE_EMPH, NOTE_KEYS };

enum tmode { T_NONE = 0, T_REAL, T_NESTED, T_LAYOUT };
enum act { ACT_NONE = 0, ACT_BOUNDARY, ACT_ROW, ACT_CELL, ACT_CAPTION, ACT_GROUP };

/* The context an element may change, saved in its frame and restored when it ends. */
struct ctxidx {
	int list, ctx, table, cell, caption;
};

struct frame {
	xmlNode *node;
	struct ctxidx saved;
	unsigned char cls, arg;
	unsigned char tmode;       /* table: how it is read */
	unsigned char act;         /* table part: what was done at its start */
	unsigned char marker_used; /* li: the marker went to a block */
	int level;                 /* list, li: nesting level; heading: 1..6 */
	long counter;              /* ordered list: the next number */
	char marker[24];           /* li */
};

struct imp {
	struct kk_body *body;
	kk_import_note_fn note_fn;
	void *note_ctx;
	unsigned n_notes;
	unsigned char seen[NOTE_KEYS];
	struct frame *fr;
	int depth;
	struct ctxidx cur; /* frame indexes, -1 for none */
	int emph;          /* open emphasis elements */
	struct acc para;   /* the paragraph in the normal flow */
	struct table *tbl; /* the outermost table being built */
};

static void note(struct imp *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report a note (control characters replaced), at most KK_IMPORT_MAX_NOTES a call. */
static void note(struct imp *im, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!im->note_fn || im->n_notes > KK_IMPORT_MAX_NOTES)
		return;
	if (im->n_notes++ == KK_IMPORT_MAX_NOTES) {
		im->note_fn(im->note_ctx, "further notes suppressed");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			*p = '?';
	im->note_fn(im->note_ctx, msg);
}

static int noted(struct imp *im, int key)
{
	if (im->seen[key])
		return 1;
	im->seen[key] = 1;
	return 0;
}

/* Bytes of s (valid UTF-8) to quote in a note: at most NOTE_URL, cut at a character. */
static int clip(const char *s)
{
	size_t n = strlen(s);
	if (n <= NOTE_URL)
		return (int)n;
	n = NOTE_URL;
	while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

static struct acc *cur_acc(struct imp *im)
{
	if (im->cur.cell >= 0)
		return &im->tbl->cell;
	if (im->cur.caption >= 0)
		return &im->tbl->caption;
	return &im->para;
}

/*
 * End the paragraph of the normal flow: emit it as a HEADING (inside h1-h6), an ITEM (inside
 * li; the first one gets the marker) or a PARA (with numbering recognised), unless empty.
 */
static int flush_para(struct imp *im)
{
	struct acc *a = &im->para;
	struct frame *ctx = im->cur.ctx >= 0 ? &im->fr[im->cur.ctx] : NULL;
	struct mark m;
	int rc = 0;

	if (a->emph_open)
		acc_emph_end(a);
	acc_trim(a);
	if (!a->text.len)
		goto reset;
	memset(&m, 0, sizeof m);
	if (ctx && ctx->cls == EL_HEADING) {
		m.kind = KK_BLOCK_HEADING;
		m.level = ctx->level;
	} else if (ctx && ctx->cls == EL_LI) {
		m.kind = KK_BLOCK_ITEM;
		m.level = ctx->level;
		if (!ctx->marker_used)
			memcpy(m.marker, ctx->marker, sizeof ctx->marker);
		ctx->marker_used = 1;
	} else if (!recognise(a->text.data, a->text.len, &m)) {
		m.kind = KK_BLOCK_PARA;
	}
	rc = emit_text(im->body, &m, a->text.data, a->text.len, a->spans, a->n_spans);
	if (a->spans_dropped && !noted(im, NOTE_EMPH))
		note(im, "dropped emphasis beyond %d ranges in a paragraph", KK_IMPORT_MAX_EMPH);
reset:
	acc_reset(a);
	a->spans_dropped = 0;
	if (im->emph > 0)
		acc_emph_begin(a);
	return rc;
}

/* A block element starts or ends: a new paragraph, or a new line in a cell. */
static int boundary(struct imp *im)
{
	struct acc *a = cur_acc(im);
	return a == &im->para ? flush_para(im) : acc_break(a);
}

static long parse_long(const char *s, long dflt, int allow_negative)
{
	long v = 0;
	int neg = 0, digits = 0;

	if (!s)
		return dflt;
	while (ch_blank((unsigned char)*s) || *s == '\f')
		s++;
	if (*s == '-' || *s == '+') {
		neg = *s == '-';
		s++;
	}
	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if (v < MAX_NUMBER)
			v = v * 10 + (*s - '0');
	if (!digits || (neg && !allow_negative))
		return dflt;
	if (v > MAX_NUMBER)
		v = MAX_NUMBER;
	return neg ? -v : v;
}

/* An integer attribute (HTML rules: leading spaces, sign, digits, rest ignored) or dflt. */
static long attr_long(xmlNode *n, const char *name, long dflt, int allow_negative)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	long r = parse_long((const char *)v, dflt, allow_negative);
	xmlFree(v);
	return r;
}

enum src_verdict {
	SRC_OK,
	SRC_EMPTY,
	SRC_REMOTE,
	SRC_DATA,
	SRC_SCRIPT,
	SRC_SCHEME,
	SRC_ABSOLUTE,
	SRC_UNSAFE,
	SRC_LONG
};

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decide whether an img src is a safe local relative path and normalise it into out
 * (MAX_SRC + 1 bytes): tabs and line breaks removed as URL parsers do, "?query" and "#fragment"
 * cut, %XX decoded, "." and empty segments removed.
 */
static enum src_verdict src_local(const char *raw, char out[MAX_SRC + 1])
{
	char u[MAX_SRC + 1], d[MAX_SRC + 1];
	size_t b = 0, e = strlen(raw), n = 0, k, w = 0;
	int too_long = 0;

	while (b < e && (unsigned char)raw[b] <= 0x20)
		b++;
	while (e > b && (unsigned char)raw[e - 1] <= 0x20)
		e--;
	for (size_t i = b; i < e; i++) {
		if (raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r')
			continue;
		if (raw[i] == '?' || raw[i] == '#')
			break; /* a scheme's ':' always comes before them */
		if (n == MAX_SRC) {
			too_long = 1;
			break;
		}
		u[n++] = raw[i];
	}
	u[n] = '\0';
	if (!n)
		return SRC_EMPTY;
	if ((u[0] == '/' || u[0] == '\\') && (u[1] == '/' || u[1] == '\\'))
		return SRC_REMOTE;
	if ((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')) {
		for (k = 1; k < n; k++) {
			unsigned char c = (unsigned char)u[k];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
				break;
		}
		if (k < n && u[k] == ':') {
			char scheme[16];
			size_t i;
			for (i = 0; i < k && i < sizeof scheme - 1; i++)
				scheme[i] = (char)(u[i] | 0x20);
			scheme[i] = '\0';
			if (!strcmp(scheme, "http") || !strcmp(scheme, "https") ||
			    !strcmp(scheme, "ftp") || !strcmp(scheme, "ftps"))
				return SRC_REMOTE;
			if (!strcmp(scheme, "data"))
				return SRC_DATA;
			if (!strcmp(scheme, "javascript") || !strcmp(scheme, "vbscript"))
				return SRC_SCRIPT;
			return SRC_SCHEME;
		}
	}
	if (too_long)
		return SRC_LONG;
	for (size_t i = 0; i < n; i++) {
		int hi = -1, lo = -1;
		if (u[i] == '%' && i + 2 < n) {
			hi = hexval((unsigned char)u[i + 1]);
			lo = hexval((unsigned char)u[i + 2]);
		}
		if (hi >= 0 && lo >= 0) {
			d[w++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			d[w++] = u[i];
		}
	}
	d[w] = '\0';
	for (size_t i = 0; i < w; i++)
		if ((unsigned char)d[i] < 0x20 || d[i] == 0x7F || d[i] == '\\')
			return SRC_UNSAFE;
	if (!kk_utf8_valid(d, w, NULL))
		return SRC_UNSAFE;
	if (d[0] == '/')
		return SRC_ABSOLUTE;
	/* rebuild from the segments, without "." and empty ones; ".." anywhere is refused */
	n = 0;
	for (size_t i = 0; i < w;) {
		size_t j = i;
		while (j < w && d[j] != '/')
			j++;
		if (j - i == 2 && d[i] == '.' && d[i + 1] == '.')
			return SRC_UNSAFE;
		if (j > i && !(j - i == 1 && d[i] == '.')) {
			if (n)
				out[n++] = '/';
			memcpy(out + n, d + i, j - i);
			n += j - i;
		}
		i = j + 1;
	}
	out[n] = '\0';
	return n ? SRC_OK : SRC_EMPTY;
}

/* img: an IMAGE block for a local path (before the table when in a cell), else a note. */
static int do_img(struct imp *im, xmlNode *node)
{
	xmlChar *src = xmlGetProp(node, (const xmlChar *)"src");
	xmlChar *alt = NULL;
	const char *s = src ? (const char *)src : "";
	char path[MAX_SRC + 1];
	struct kk_block *blk;
	int rc = 0;

	switch (src_local(s, path)) {
	case SRC_OK:
		break;
	case SRC_EMPTY:
		note(im, "dropped image without src");
		goto out;
	case SRC_REMOTE:
		note(im, "dropped remote image %.*s", clip(s), s);
		goto out;
	case SRC_DATA:
		note(im, "dropped data: image");
		goto out;
	case SRC_SCRIPT:
		note(im, "dropped image with a script URL");
		goto out;
	case SRC_SCHEME:
		note(im, "dropped image with unsupported URL %.*s", clip(s), s);
		goto out;
	case SRC_ABSOLUTE:
		note(im, "dropped image with absolute path %.*s", clip(s), s);
		goto out;
	case SRC_UNSAFE:
		note(im, "dropped image with unsafe path %.*s", clip(s), s);
		goto out;
	case SRC_LONG:
		note(im, "dropped image with a path over %d bytes", MAX_SRC);
		goto out;
	}
	if ((rc = flush_para(im))) /* the paragraph so far, or text hoisted out of a table */
		goto out;
	if ((rc = body_block(im->body, KK_BLOCK_IMAGE, &blk)) || (rc = kk_block_set_src(blk, path)))
		goto out;
	alt = xmlGetProp(node, (const xmlChar *)"alt");
	if (alt) {
		size_t n = strlen((const char *)alt);
		struct fold f = {0, 0, 0, 1};
		n = fold_run(&f, (const char *)alt, n, (char *)alt);
		if (n && (rc = kk_block_set_text(blk, (const char *)alt, n)))
			goto out;
	}
out:
	xmlFree(src);
	xmlFree(alt);
	return rc;
}

/* Is this table a layout box (exactly one cell, no caption)? Does not look into cells. */
static int table_is_layout(xmlNode *table)
{
	xmlNode *n = table->children;
	int cells = 0;

	while (n) {
		int descend = 0;
		if (n->type == XML_ELEMENT_NODE) {
			const char *name = (const char *)n->name;
			if (!strcmp(name, "td") || !strcmp(name, "th")) {
				if (++cells > 1)
					return 0;
			} else if (!strcmp(name, "caption")) {
				return 0;
			} else if (strcmp(name, "table") != 0) {
				descend = 1;
			}
		}
		if (descend && n->children) {
			n = n->children;
			continue;
		}
		while (!n->next) {
			n = n->parent;
			if (!n || n == table)
				return cells == 1;
		}
		n = n->next;
	}
	return cells == 1;
}

static int table_open(struct imp *im, struct frame *f, int idx)
{
	int rc;

	if (im->tbl) {
		f->tmode = T_NESTED; /* flattened into the cell (or caption, or the flow) */
		rc = boundary(im);
	} else if (table_is_layout(f->node)) {
		f->tmode = T_LAYOUT;
		rc = boundary(im);
	} else {
		f->tmode = T_REAL;
		if ((rc = flush_para(im)))
			return rc;
		if (!(im->tbl = tbl_new()))
			return KK_ENOMEM;
	}
	im->cur.table = idx;
	return rc;
}

static int table_close(struct imp *im, struct frame *f)
{
	int rc;

	if (f->tmode != T_REAL)
		return boundary(im);
	if ((rc = flush_para(im)) == 0)
		rc = tbl_emit(im->body, im->tbl, &im->tbl->caption);
	tbl_free(im->tbl);
	im->tbl = NULL;
	return rc;
}

/* tr, td, th, caption, thead, tbody, tfoot start: what to do depends on their table. */
static int part_open(struct imp *im, struct frame *f, int idx)
{
	int mode = im->cur.table >= 0 ? im->fr[im->cur.table].tmode : T_NONE;
	int outside = im->cur.cell < 0 && im->cur.caption < 0; /* not in a cell of this table */
	struct table *t = im->tbl;
	int rc;

	f->act = ACT_BOUNDARY;
	if (mode == T_NESTED) {
		f->act = ACT_NONE;
		if (f->cls == EL_CELL)
			return acc_sep(cur_acc(im));
		return f->cls == EL_TSECT ? 0 : boundary(im);
	}
	if (mode != T_REAL || !outside)
		return boundary(im);
	switch (f->cls) {
	case EL_TR:
		f->act = ACT_ROW;
		return tbl_row_start(t);
	case EL_TSECT:
		f->act = ACT_GROUP;
		tbl_group_end(t); /* rows before it were a group of their own */
		return 0;
	case EL_CELL:
		rc = tbl_cell_start(t, attr_long(f->node, "rowspan", 1, 0),
		                    attr_long(f->node, "colspan", 1, 0), f->arg);
		if (rc == KK_E2BIG)
			note(im, "a table with more than %d cells or %d columns",
			     KK_TABLE_MAX_CELLS, KK_IMPORT_MAX_TABLE_COLS);
		if (rc)
			return rc;
		f->act = ACT_CELL;
		im->cur.cell = idx;
		return 0;
	case EL_CAPTION:
		f->act = ACT_CAPTION;
		im->cur.caption = idx;
		return acc_break(&t->caption);
	}
	return 0;
}

static int part_close(struct imp *im, struct frame *f)
{
	switch (f->act) {
	case ACT_BOUNDARY:
		return boundary(im);
	case ACT_ROW:
		im->tbl->row_open = 0;
		return 0;
	case ACT_GROUP:
		tbl_group_end(im->tbl);
		return 0;
	case ACT_CELL:
		return tbl_cell_end(im->tbl);
	}
	return 0;
}

/* li: its level and marker; in a cell the marker is written into the cell's text. */
static int li_open(struct imp *im, struct frame *f, int idx)
{
	struct frame *list = im->cur.list >= 0 ? &im->fr[im->cur.list] : NULL;
	struct acc *a;
	int rc;

	if ((rc = boundary(im)))
		return rc;
	f->level = list ? list->level : 1;
	if (list && list->arg)
		snprintf(f->marker, sizeof f->marker, "%ld.",
		         list->counter < MAX_NUMBER * 2 ? list->counter++ : list->counter);
	else
		snprintf(f->marker, sizeof f->marker, "•");
	a = cur_acc(im);
	if (a != &im->para) {
		if ((rc = acc_raw(a, f->marker)))
			return rc;
		return acc_raw(a, " ");
	}
	im->cur.ctx = idx;
	return 0;
}

/* An element with content starts: push its frame and act. */
static int element_open(struct imp *im, xmlNode *n, int cls, int arg)
{
	struct frame *f, *list;
	int idx, rc = 0;

	if (im->depth >= MAX_DEPTH)
		return KK_E2BIG; /* libxml2 stops at 256, so this is a safety net */
	idx = im->depth++;
	f = &im->fr[idx];
	memset(f, 0, sizeof *f);
	f->node = n;
	f->saved = im->cur;
	f->cls = (unsigned char)cls;
	f->arg = (unsigned char)arg;
	switch (cls) {
	case EL_EMPH:
		if (im->emph++ == 0)
			acc_emph_begin(&im->para);
		break;
	case EL_BLOCK:
		rc = boundary(im);
		break;
	case EL_HEADING:
		rc = boundary(im);
		f->level = arg;
		im->cur.ctx = idx;
		break;
	case EL_LIST:
		rc = boundary(im);
		list = im->cur.list >= 0 ? &im->fr[im->cur.list] : NULL;
		f->level = list ? list->level + 1 : 1;
		if (f->level > KK_IMPORT_MAX_LIST_LEVEL)
			f->level = KK_IMPORT_MAX_LIST_LEVEL;
		if (arg)
			f->counter = attr_long(n, "start", 1, 1);
		im->cur.list = idx;
		break;
	case EL_LI:
		rc = li_open(im, f, idx);
		break;
	case EL_TABLE:
		rc = table_open(im, f, idx);
		break;
	case EL_CAPTION:
	case EL_TSECT:
	case EL_TR:
	case EL_CELL:
		rc = part_open(im, f, idx);
		break;
	}
	return rc;
}

/* The element on top of the stack ends: act, restore the context, pop. */
static int element_close(struct imp *im)
{
	struct frame *f = &im->fr[im->depth - 1];
	int rc = 0;

	switch (f->cls) {
	case EL_EMPH:
		if (im->emph > 0 && --im->emph == 0 && im->para.emph_open)
			acc_emph_end(&im->para);
		break;
	case EL_BLOCK:
	case EL_HEADING:
	case EL_LIST:
	case EL_LI:
		rc = boundary(im);
		break;
	case EL_TABLE:
		rc = table_close(im, f);
		break;
	case EL_CAPTION:
	case EL_TSECT:
	case EL_TR:
	case EL_CELL:
		rc = part_close(im, f);
		break;
	}
	im->cur = f->saved;
	im->depth--;
	return rc;
}

/* Note what libxml2 put into head (title, meta, style, script ...); none of it is kept. */
static void head_notes(struct imp *im, xmlNode *head)
{
	for (xmlNode *c = head->children; c; c = c->next) {
		int i;
		if (c->type == XML_COMMENT_NODE && !noted(im, NOTE_COMMENT))
			note(im, "dropped comment");
		if (c->type != XML_ELEMENT_NODE)
			continue;
		i = el_find((const char *)c->name);
		if (i >= 0 && el_defs[i].cls == EL_DROP && !noted(im, i))
			note(im, "dropped <%s>", el_defs[i].name);
	}
}

/* Visit a node; *pushed says a frame was pushed (children to walk, element_close to call). */
static int visit(struct imp *im, xmlNode *n, int *pushed)
{
	struct kk_block *blk;
	int i, cls, rc;

	*pushed = 0;
	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		return n->content ? acc_text(cur_acc(im), (const char *)n->content,
		                             strlen((const char *)n->content))
		                  : 0;
	case XML_COMMENT_NODE:
		if (!noted(im, NOTE_COMMENT))
			note(im, "dropped comment");
		return 0;
	case XML_PI_NODE:
		if (!noted(im, NOTE_PI))
			note(im, "dropped processing instruction");
		return 0;
	case XML_ELEMENT_NODE:
		break;
	default:
		return 0;
	}
	i = el_find((const char *)n->name);
	cls = i >= 0 ? el_defs[i].cls : EL_INLINE;
	switch (cls) {
	case EL_DROP:
		if (!noted(im, i))
			note(im, "dropped <%s>", el_defs[i].name);
		return 0;
	case EL_VOID:
		return 0;
	case EL_HEAD:
		head_notes(im, n);
		return 0;
	case EL_IMG:
		return do_img(im, n);
	case EL_BR:
		if (cur_acc(im) != &im->para)
			return acc_break(cur_acc(im));
		if (im->cur.ctx >= 0 && im->fr[im->cur.ctx].cls == EL_HEADING) {
			im->para.f.pending = 1;
			return 0;
		}
		return flush_para(im);
	case EL_HR:
		if (cur_acc(im) != &im->para)
			return acc_break(cur_acc(im));
		if ((rc = flush_para(im)))
			return rc;
		return body_block(im->body, KK_BLOCK_RULE, &blk);
	}
	if ((rc = element_open(im, n, cls, i >= 0 ? el_defs[i].arg : 0)))
		return rc;
	*pushed = 1;
	return 0;
}

/* Walk the siblings from n and everything below them, without recursion. */
static int walk(struct imp *im, xmlNode *n)
{
	int rc, pushed;

	while (n) {
		if ((rc = visit(im, n, &pushed)))
			return rc;
		if (pushed && n->children) {
			n = n->children;
			continue;
		}
		if (pushed && (rc = element_close(im)))
			return rc;
		while (!n->next) {
			if (im->depth == 0)
				return 0;
			n = im->fr[im->depth - 1].node;
			if ((rc = element_close(im)))
				return rc;
		}
		n = n->next;
	}
	return 0;
}

/*
 * Copy the input without NUL, C0 controls (but TAB, LF, CR) and DEL; VT and FF become spaces.
 * Returns the copy (caller frees) or NULL; *dropped tells whether something was removed.
 */
static char *clean_input(const char *in, size_t len, size_t *out_len, int *dropped)
{
	char *p = malloc(len + 1);
	size_t w = 0;

	if (!p)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == 0x0B || c == 0x0C)
			p[w++] = ' ';
		else if ((c < 0x20 && !ch_blank(c)) || c == 0x7F)
			*dropped = 1;
		else
			p[w++] = (char)c;
	}
	p[w] = '\0';
	*out_len = w;
	return p;
}

int kk_import_html(const char *html, size_t len, kk_import_note_fn note_fn, void *ctx,
                   struct kk_body **out)
{
	struct imp im;
	htmlParserCtxtPtr pc = NULL;
	htmlDocPtr doc = NULL;
	char *clean = NULL, *guarded = NULL;
	size_t clen = 0, glen;
	int rc, dropped = 0, cut = 0;

	if (!out)
		return KK_EINVAL;
	*out = NULL;
	if (!html && len)
		return KK_EINVAL;
	if (len > KK_IMPORT_MAX_INPUT)
		return KK_E2BIG;
	if (len && !kk_utf8_valid(html, len, NULL))
		return KK_EUTF8;
	assert(el_sorted());

	memset(&im, 0, sizeof im);
	im.note_fn = note_fn;
	im.note_ctx = ctx;
	im.cur.list = im.cur.ctx = im.cur.table = im.cur.cell = im.cur.caption = -1;
	rc = KK_ENOMEM;
	if (!(im.body = kk_body_new()) || !(im.fr = malloc(MAX_DEPTH * sizeof *im.fr)) ||
	    acc_init(&im.para, 1, 0))
		goto out;
	rc = 0;
	if (!len)
		goto done;
	if (!(clean = clean_input(html, len, &clen, &dropped))) {
		rc = KK_ENOMEM;
		goto out;
	}
	if (dropped && !noted(&im, NOTE_CONTROL))
		note(&im, "dropped control characters");
	if (!clen)
		goto done;
	if (!(guarded = malloc(2 * clen))) {
		rc = KK_ENOMEM;
		goto out;
	}
	glen = attr_guard(clean, clen, guarded, &cut);
	if (cut)
		note(&im, "cut a tag with more than %d attributes", KK_IMPORT_MAX_ATTRS);

	xmlInitParser();
	if (!(pc = htmlNewParserCtxt())) {
		rc = KK_ENOMEM;
		goto out;
	}
	doc = htmlCtxtReadMemory(pc, guarded, (int)glen, NULL, "UTF-8",
	                         HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	                             HTML_PARSE_NOWARNING | HTML_PARSE_NOBLANKS |
	                             HTML_PARSE_IGNORE_ENC);
	if (pc->errNo == XML_ERR_NO_MEMORY) {
		rc = KK_ENOMEM;
		goto out;
	}
	if (!doc) {
		rc = KK_EINVAL;
		goto out;
	}
	if (pc->instate == XML_PARSER_EOF) {
		/* libxml2 halted: the rest of the input was not read */
		if (pc->errNo == XML_ERR_INTERNAL_ERROR) {
			note(&im, "elements nested deeper than 256 levels (unclosed tags?)");
			rc = KK_E2BIG;
		} else {
			note(&im, "the HTML parser stopped early");
			rc = KK_EINVAL;
		}
		goto out;
	}
	if ((rc = walk(&im, doc->children)) || (rc = flush_para(&im))) {
		if (rc == KK_E2BIG && im.body->n >= KK_BODY_MAX_BLOCKS)
			note(&im, "more than %d blocks", KK_BODY_MAX_BLOCKS);
		goto out;
	}
done:
	*out = im.body;
	im.body = NULL;
out:
	kk_body_free(im.body);
	tbl_free(im.tbl);
	acc_fini(&im.para);
	free(im.fr);
	if (doc)
		xmlFreeDoc(doc);
	if (pc)
		htmlFreeParserCtxt(pc);
	free(clean);
	free(guarded);
	return rc;
}

/* ---- plain text -------------------------------------------------------------------------- */

struct timp {
	struct kk_body *body;
	struct table *tbl;  /* the | table being collected, or NULL */
	unsigned tbl_lines; /* its lines so far, separator lines included */
	char *line;         /* scratch for one folded line */
};

/* Bytes of a | or ｜ at s[i], else 0. */
static size_t pipe_at(const char *s, size_t len, size_t i)
{
	if (i < len && s[i] == '|')
		return 1;
	if (i + 3 <= len && !memcmp(s + i, "\xEF\xBD\x9C", 3))
		return 3;
	return 0;
}

/* Is the folded line a table row: starts and ends with a pipe (two different ones)? */
static int table_line(const char *s, size_t len, size_t *first, size_t *last)
{
	*first = pipe_at(s, len, 0);
	if (!*first)
		return 0;
	if (len >= 1 && s[len - 1] == '|')
		*last = 1;
	else if (len >= 3 && !memcmp(s + len - 3, "\xEF\xBD\x9C", 3))
		*last = 3;
	else
		return 0;
	return len >= *first + *last;
}

/* A cell of --- (with optional alignment colons; ASCII or full-width hyphens). */
static int sep_cell(const char *s, size_t len)
{
	size_t i = 0, dashes = 0;

	if (i < len && s[i] == ':')
		i++;
	for (;;) {
		if (i < len && s[i] == '-') {
			i++;
		} else if (i + 3 <= len && !memcmp(s + i, "\xEF\xBC\x8D", 3)) {
			i += 3;
		} else {
			break;
		}
		dashes++;
	}
	if (i < len && s[i] == ':')
		i++;
	return dashes >= 3 && i == len;
}

static void trim_spaces(const char **s, size_t *len)
{
	while (*len && **s == ' ') {
		(*s)++;
		(*len)--;
	}
	while (*len && (*s)[*len - 1] == ' ')
		(*len)--;
}

static int text_table_end(struct timp *st)
{
	int rc;

	if (!st->tbl)
		return 0;
	rc = tbl_emit(st->body, st->tbl, NULL);
	tbl_free(st->tbl);
	st->tbl = NULL;
	st->tbl_lines = 0;
	return rc;
}

/* Next cell of a row's inner text s[0..n) from *pos, trimmed; 0 after the last one. */
static int row_cell(const char *s, size_t n, size_t *pos, const char **cell, size_t *cell_len)
{
	size_t i = *pos, j = i;

	if (i > n)
		return 0;
	while (j < n && !pipe_at(s, n, j))
		j++;
	*cell = s + i;
	*cell_len = j - i;
	trim_spaces(cell, cell_len);
	*pos = j < n ? j + pipe_at(s, n, j) : n + 1;
	return 1;
}

/* Add a | row to the table being collected (or skip a separator row). */
static int text_table_row(struct timp *st, const char *s, size_t len, size_t first, size_t last)
{
	const char *inner = s + first, *c;
	size_t n = len - first - last, pos = 0, cl;
	int sep = 1, rc;

	if (!st->tbl && !(st->tbl = tbl_new()))
		return KK_ENOMEM;
	st->tbl_lines++;
	while (row_cell(inner, n, &pos, &c, &cl))
		sep = sep && sep_cell(c, cl);
	if (sep) {
		if (st->tbl_lines == 2) /* under the first row: that row is the head */
			for (size_t k = 0; k < st->tbl->n; k++)
				st->tbl->cells[k].head = 1;
		return 0;
	}
	if ((rc = tbl_row_start(st->tbl)))
		return rc;
	pos = 0;
	while (row_cell(inner, n, &pos, &c, &cl)) {
		if ((rc = tbl_cell_start(st->tbl, 1, 1, 0)) ||
		    (rc = kk_buf_add(&st->tbl->cell.text, c, cl)) || (rc = tbl_cell_end(st->tbl)))
			return rc;
	}
	st->tbl->row_open = 0;
	return 0;
}

/* One line of body_text. */
static int text_line(struct timp *st, const char *s, size_t len)
{
	struct fold f = {0, 0, 0, 1};
	struct mark m;
	size_t n, first, last;
	int rc;

	memcpy(st->line, s, len);
	n = fold_run(&f, st->line, len, st->line);
	st->line[n] = '\0';
	if (!n)
		return text_table_end(st);
	if (table_line(st->line, n, &first, &last))
		return text_table_row(st, st->line, n, first, last);
	if ((rc = text_table_end(st)))
		return rc;
	if (!recognise(st->line, n, &m))
		m.kind = KK_BLOCK_PARA;
	return emit_text(st->body, &m, st->line, n, NULL, 0);
}

int kk_import_text(const char *text, size_t len, struct kk_body **out)
{
	struct timp st;
	size_t i = 0;
	int rc = 0;

	if (!out)
		return KK_EINVAL;
	*out = NULL;
	if (!text && len)
		return KK_EINVAL;
	if (len > KK_IMPORT_MAX_INPUT)
		return KK_E2BIG;
	if (len && !kk_utf8_valid(text, len, NULL))
		return KK_EUTF8;
	memset(&st, 0, sizeof st);
	if (!(st.body = kk_body_new()) || !(st.line = malloc(len + 1))) {
		rc = KK_ENOMEM;
		goto out;
	}
	while (i < len) {
		size_t j = i, next = len;
		while (j < len) {
			unsigned char c = (unsigned char)text[j];
			if (c == '\n') {
				next = j + 1;
				break;
			}
			if (c == '\r') {
				next = j + 1 < len && text[j + 1] == '\n' ? j + 2 : j + 1;
				break;
			}
			if (c == 0xE2 && j + 2 < len && (unsigned char)text[j + 1] == 0x80 &&
			    ((unsigned char)text[j + 2] == 0xA8 ||
			     (unsigned char)text[j + 2] == 0xA9)) {
				next = j + 3; /* U+2028, U+2029 */
				break;
			}
			j++;
		}
		if ((rc = text_line(&st, text + i, j - i)))
			goto out;
		i = next;
	}
	if ((rc = text_table_end(&st)))
		goto out;
	*out = st.body;
	st.body = NULL;
out:
	kk_body_free(st.body);
	tbl_free(st.tbl);
	free(st.line);
	return rc;
}
