/*
 * compose.c — printed pages of documents and guides (see compose.h for what a page carries).
 *
 * DESIGN. Composing is three steps, each pure computation on memory the layout owns:
 *   1. The content becomes a run of boxes (text/paginate.h): one per line of a paragraph or
 *      heading, per group of table rows that no cell spans out of, per image box and rule.
 *      Each box owns a range of drawing ops with coordinates relative to the box: glyphs
 *      (code point, face, size, pen x, top of the em box), filled rectangles (rules, cell
 *      borders, tick boxes, QR modules) and text lines (for the text dump).
 *   2. Paper: pages are cut by kk_text_paginate (orphans/widows 2, keep-with-next headings),
 *      one page at a time, because a page that starts inside a table has its header row
 *      repeated on top and so less room. Narrow: the boxes stack into one strip.
 *   3. Every page gets its header, its boxes placed and its footer as one range of absolute
 *      ops; render only walks that range, blitting cached 1-bit glyphs with shifts.
 * The kk_doc / kk_guide is only read in step 1; every string the pages need is copied.
 * Nothing is drawn outside the printable rectangle: render clips every op to it.
 */
#include "print/compose.h"

#include <unistd.h>

#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/utf8.h"
#include "print/glyphs.h"
#include "text/layout.h"
#include "text/paginate.h"

enum op_kind { OP_GLYPH = 1, OP_RECT, OP_TEXT };

/* One drawing op. GLYPH: v = code point, (x, y) = pen origin and top of the em box.
 * RECT: filled x, y, w, h. TEXT: v = offset of the line's text in the layout's arena. */
struct op {
	uint8_t kind, face;
	uint16_t size;
	int32_t x, y, w, h;
	uint32_t v;
};

struct ops {
	struct op *v;
	size_t n, cap;
};

struct page {
	size_t first, count;  /* range of kk_print_layout.ops */
	int32_t shift;        /* narrow: the band starts at strip row `shift` */
	uint32_t rows;
	struct kk_print_text_line *lines;
	size_t n_lines;
};

struct kk_print_layout {
	struct kk_page_setup ps;
	struct kk_glyphs *gl;
	struct ops ops; /* every page's ops, absolute (narrow: strip coordinates) */
	struct page *pages;
	unsigned n_pages;
	char *text;     /* text arena of OP_TEXT */
	size_t text_len, text_cap;
};

/* A box of step 1 and the ops it owns in comp.bops. */
struct bbox {
	size_t first, n;
	int table; /* index in comp.tables, or -1 */
	int head;  /* the header row group of its table */
};

struct table_info {
	size_t head_box; /* valid when has_head */
	int has_head;
	int32_t width;   /* outer width, dots */
};

/* What the pages say besides the body. */
struct src {
	const char *title;
	char *meta;          /* under the big title: dates, validity */
	char *warning;       /* validity warning, or NULL */
	char *foot[3];       /* footer lines above the stamp */
	size_t n_foot;
	char *stamp;         /* 打印自 … 内容版本 … */
	const char *url;
	const struct kk_doc *doc;
	const struct kk_guide *guide;
	int summary;
};

struct comp {
	struct kk_print_layout *l;
	const struct src *src;
	struct ops bops;
	struct bbox *bx;
	struct kk_box *kb;   /* parallel to bx, for kk_text_paginate */
	size_t n_bx, cap_bx, cap_kb;
	struct table_info *tables;
	size_t n_tables, cap_tables;
	uint32_t group;
	int32_t width;       /* body width, dots */
	int sz, gap;         /* body em size and line gap */
	int h1, h2, title_sz, foot_sz;
	int t;               /* rule thickness */
	int truncated;       /* summary did not fit: the footer says so */
	QRcode *qr;
	int qr_mod;          /* dots per module */
};

/* ---- small helpers ---------------------------------------------------------------------- */

static int grow(void **p, size_t *cap, size_t need, size_t elem, size_t max)
{
	size_t nc;
	void *np;
	if (need <= *cap)
		return 0;
	if (need > max)
		return KK_E2BIG;
	nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	if (nc > max)
		nc = max;
	np = realloc(*p, nc * elem);
	if (!np)
		return KK_ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

static int ops_add(struct ops *o, const struct op *op)
{
	int rc = grow((void **)&o->v, &o->cap, o->n + 1, sizeof *o->v, KK_PRINT_MAX_OPS);
	if (rc)
		return rc;
	o->v[o->n++] = *op;
	return 0;
}

static int rect_add(struct ops *o, int32_t x, int32_t y, int32_t w, int32_t h)
{
	struct op op = { .kind = OP_RECT, .x = x, .y = y, .w = w, .h = h };
	if (w <= 0 || h <= 0)
		return 0;
	return ops_add(o, &op);
}

/* Frame of thickness t inside the rectangle. */
static int frame_add(struct ops *o, int32_t x, int32_t y, int32_t w, int32_t h, int t)
{
	int rc = rect_add(o, x, y, w, t);
	if (!rc)
		rc = rect_add(o, x, y + h - t, w, t);
	if (!rc)
		rc = rect_add(o, x, y, t, h);
	if (!rc)
		rc = rect_add(o, x + w - t, y, t, h);
	return rc;
}

/* Text arena: at most 64 MiB (offsets are 32-bit). */
#define TEXT_ARENA_MAX (64u << 20)

static int text_begin(struct kk_print_layout *l, size_t max_bytes, uint32_t *off)
{
	int rc = grow((void **)&l->text, &l->text_cap, l->text_len + max_bytes + 1, 1, TEXT_ARENA_MAX);
	*off = (uint32_t)l->text_len;
	return rc;
}

#define LINE_MAX_BYTES (64u << 10) /* a heading, a footer line: longer is cut */

/* printf into a new string of at most LINE_MAX_BYTES, cut on a UTF-8 character boundary so
 * the layout never sees half a character. NULL when out of memory. */
static char *asprintf_cap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *asprintf_cap(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = malloc((size_t)n < LINE_MAX_BYTES ? (size_t)n + 1 : LINE_MAX_BYTES);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n < LINE_MAX_BYTES ? (size_t)n + 1 : LINE_MAX_BYTES, fmt, ap);
	va_end(ap);
	if ((size_t)n >= LINE_MAX_BYTES) {
		size_t len = LINE_MAX_BYTES - 1;
		while (len && ((uint8_t)p[len - 1] & 0xC0) == 0x80)
			len--; /* back over continuation bytes to the lead byte ... */
		if (len && (uint8_t)p[len - 1] >= 0xC0)
			len--; /* ... which goes too, with its incomplete character */
		p[len] = 0;
	}
	return p;
}

static int pt_dots(const struct kk_page_setup *ps, int pt10)
{
	int d = (int)((long)pt10 * (long)ps->dpi / 720);
	return d > 4 ? d : 4;
}

/* ---- lines of text ---------------------------------------------------------------------- */

struct metrics_ctx {
	struct kk_glyphs *gl;
	int face, size;
};

static int metrics_advance(void *ctx, uint32_t cp)
{
	struct metrics_ctx *m = ctx;
	return kk_glyphs_advance(m->gl, m->face, m->size, cp);
}

struct pstyle {
	int face, size, line_gap;
	int first_indent, indent, justify, centre;
	int underline_emph;
};

static int para_layout(struct comp *c, const struct pstyle *s, int32_t width, const char *text,
		       const struct kk_span *emph, size_t n_emph, struct kk_para_layout *pl)
{
	struct metrics_ctx mc = { c->l->gl, s->face, s->size };
	struct kk_font_metrics m = { &mc, metrics_advance, s->size };
	struct kk_para_style st = { width > s->size ? width : s->size, s->first_indent, s->indent,
				    s->justify };
	int rc = kk_text_layout_para(text, strlen(text), emph, n_emph, &m, &st, pl);
	if (rc == KK_EINVAL || rc == KK_EUTF8) {
		/* a malformed paragraph is left out, not the whole print */
		kk_warn("print", "paragraph not laid out (%d), left out", rc);
		memset(pl, 0, sizeof *pl);
		return 0;
	}
	return rc;
}

/* Ops of line li of pl at (x, y) (top of the line box): glyphs, emphasis underlines and the
 * line's text. max_x > 0 cuts glyphs that pass it (header titles, with "…" added by caller). */
static int line_emit(struct comp *c, struct ops *o, const struct kk_para_layout *pl, size_t li,
		     const struct pstyle *s, int32_t width, int32_t x, int32_t y)
{
	const struct kk_line *ln = &pl->lines[li];
	struct op op = { .kind = OP_GLYPH, .face = (uint8_t)s->face, .size = (uint16_t)s->size };
	struct op top = { .kind = OP_TEXT, .size = (uint16_t)s->size };
	uint32_t off;
	int rc;

	if (s->centre && ln->width < width)
		x += (width - ln->width) / 2;
	rc = text_begin(c->l, ln->count * 4, &off);
	if (rc)
		return rc;
	for (size_t k = 0; k < ln->count; k++) {
		const struct kk_glyph *g = &pl->glyphs[ln->first + k];
		if (g->flags & KK_GLYPH_HIDDEN)
			continue;
		c->l->text_len += kk_utf8_encode(g->cp, c->l->text + c->l->text_len);
		if (g->cp == ' ' || g->cp == 0x3000)
			continue;
		op.x = x + g->x;
		op.y = y;
		op.v = g->cp;
		rc = ops_add(o, &op);
		if (!rc && (g->flags & KK_GLYPH_EMPH) && s->underline_emph) {
			int slot = g->x + ((g->flags & KK_GLYPH_CUT_LEFT)
						   ? kk_glyphs_advance(c->l->gl, s->face, s->size, g->cp) / 2
						   : 0);
			rc = rect_add(o, x + slot, y + s->size + s->size / 8, g->w, s->size / 16 + 1);
		}
		if (rc)
			return rc;
	}
	c->l->text[c->l->text_len++] = 0;
	top.x = x + (ln->count ? pl->glyphs[ln->first].x : 0);
	top.y = y;
	top.v = off;
	return ops_add(o, &top);
}

/* A whole paragraph at (x, y) into o; returns its height (>= 0) or an error. */
static int para_emit(struct comp *c, struct ops *o, const struct pstyle *s, int32_t x, int32_t y,
		     int32_t width, const char *text)
{
	struct kk_para_layout pl = { 0 };
	int lh = s->size + s->line_gap, rc;

	if (!text || !*text)
		return 0;
	rc = para_layout(c, s, width, text, NULL, 0, &pl);
	for (size_t li = 0; !rc && li < pl.n_lines; li++)
		rc = line_emit(c, o, &pl, li, s, width, x, y + (int32_t)li * lh);
	if (!rc)
		rc = (int)pl.n_lines * lh;
	kk_para_layout_fini(&pl);
	return rc;
}

/* One line cut to width with "…" at its end when it does not fit. */
static int line_cut_emit(struct comp *c, struct ops *o, const struct pstyle *s, int32_t x, int32_t y,
			 int32_t width, const char *text)
{
	struct kk_para_layout pl = { 0 };
	int ell = kk_glyphs_advance(c->l->gl, s->face, s->size, 0x2026), rc;
	struct pstyle one = *s;

	one.justify = 0;
	if (!text || !*text)
		return 0;
	rc = para_layout(c, &one, KK_TEXT_MAX_WIDTH / 2, text, NULL, 0, &pl);
	if (rc || !pl.n_lines)
		goto out;
	if (pl.n_lines > 1 || pl.lines[0].width > width) {
		/* keep what fits before the ellipsis, on the first line only */
		struct kk_line *ln = &pl.lines[0];
		size_t keep = 0;
		while (keep < ln->count && pl.glyphs[keep].x + pl.glyphs[keep].w + ell <= width)
			keep++;
		if (keep < pl.n_glyphs) {
			pl.glyphs[keep].cp = 0x2026;
			pl.glyphs[keep].flags = 0;
			pl.glyphs[keep].x = keep ? pl.glyphs[keep - 1].x + pl.glyphs[keep - 1].w : 0;
			pl.glyphs[keep].w = ell;
			keep++;
		}
		ln->count = keep;
		pl.n_lines = 1;
	}
	rc = line_emit(c, o, &pl, 0, &one, width, x, y);
	if (!rc)
		rc = s->size + s->line_gap;
out:
	kk_para_layout_fini(&pl);
	return rc;
}

/* ---- boxes ------------------------------------------------------------------------------ */

static int box_open(struct comp *c, int height, int gap_before, uint32_t group, uint32_t flags,
		    int table, int head)
{
	int rc = grow((void **)&c->bx, &c->cap_bx, c->n_bx + 1, sizeof *c->bx, KK_PAGINATE_MAX_BOXES);
	if (!rc)
		rc = grow((void **)&c->kb, &c->cap_kb, c->n_bx + 1, sizeof *c->kb, KK_PAGINATE_MAX_BOXES);
	if (rc)
		return rc;
	c->bx[c->n_bx] = (struct bbox){ .first = c->bops.n, .table = table, .head = head };
	c->kb[c->n_bx] = (struct kk_box){ .height = height, .gap_before = gap_before, .group = group,
					  .flags = flags };
	c->n_bx++;
	return 0;
}

static void box_close(struct comp *c)
{
	struct bbox *b = &c->bx[c->n_bx - 1];
	b->n = c->bops.n - b->first;
}

/* A paragraph as one box per line. tick: draw an empty tick box before the first line (the
 * style's indents leave room for it). */
static int para_boxes(struct comp *c, const struct pstyle *s, const char *text,
		      const struct kk_span *emph, size_t n_emph, int gap_before, int keep, int tick)
{
	struct kk_para_layout pl = { 0 };
	int lh = s->size + s->line_gap, rc;
	uint32_t group = ++c->group;

	if (!text || !*text)
		return 0;
	rc = para_layout(c, s, c->width, text, emph, n_emph, &pl);
	for (size_t li = 0; !rc && li < pl.n_lines; li++) {
		rc = box_open(c, lh, li ? 0 : gap_before, group, keep ? KK_BOX_KEEP_WITH_NEXT : 0, -1, 0);
		if (!rc)
			rc = line_emit(c, &c->bops, &pl, li, s, c->width, 0, 0);
		if (!rc && tick && li == 0) {
			int bs = s->size * 4 / 5, bx = s->first_indent - s->size * 3 / 2;
			rc = frame_add(&c->bops, bx > 0 ? bx : 0, (s->size - bs) / 2 + s->size / 10, bs, bs,
				       c->t > 1 ? c->t : 2);
		}
		if (!rc)
			box_close(c);
	}
	kk_para_layout_fini(&pl);
	return rc;
}

/* Height of a cell's text. */
static int cell_height(struct comp *c, const struct pstyle *s, int32_t width, const char *text)
{
	struct kk_para_layout pl = { 0 };
	int rc = para_layout(c, s, width, text, NULL, 0, &pl);
	if (!rc)
		rc = (int)pl.n_lines * (s->size + s->line_gap);
	kk_para_layout_fini(&pl);
	return rc;
}

/*
 * A table: equal columns, rows as tall as their tallest cell, merged cells; borders drawn as
 * the top and left edge of every cell, the right edge of the last column and the bottom of the
 * last row (a page that breaks the table gets its bottom rule at assembly). Rows that a cell
 * spans stay in one box. When row 0 holds head cells, its row group is the header, repeated on
 * every page the table continues onto.
 */
static int table_boxes(struct comp *c, const struct kk_block *b, int gap_before)
{
	int rows = b->rows, cols = b->cols, t = c->t, rc = 0;
	struct pstyle s = { KK_FACE_REGULAR, c->sz, c->sz / 3, 0, 0, 0, 0, 0 };
	int32_t colw, *rowh = NULL, *rowy = NULL, tw;
	uint8_t *joined = NULL; /* joined[r]: rows r and r + 1 share a cell */
	int pad, head_rows = 0, first_box = 1;
	struct table_info ti = { 0 };
	int tix;

	if (!rows || !cols || !b->n_cells)
		return 0;
	colw = (c->width - t) / cols;
	/* narrow columns: step the type down to keep about 3 characters per column */
	while (s.size > pt_dots(&c->l->ps, 70) && colw - 2 * (s.size / 3) - t < 3 * s.size)
		s.size = s.size * 9 / 10;
	s.line_gap = s.size / 3;
	pad = s.size / 3;
	tw = colw * cols + t;
	rowh = calloc((size_t)rows, sizeof *rowh);
	rowy = calloc((size_t)rows + 1, sizeof *rowy);
	joined = calloc((size_t)rows + 1, 1);
	if (!rowh || !rowy || !joined) {
		rc = KK_ENOMEM;
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < b->n_cells; i++) {
			const struct kk_cell *ce = &b->cells[i];
			int32_t cw = colw * ce->colspan - t - 2 * pad, have = 0, ch;
			int last;
			if (ce->row >= rows || ce->col >= cols || (pass == 0) != (ce->rowspan <= 1))
				continue;
			s.face = ce->head ? KK_FACE_BOLD : KK_FACE_REGULAR;
			ch = cell_height(c, &s, cw, ce->text ? ce->text : "");
			if (ch < 0) {
				rc = ch;
				goto out;
			}
			ch += 2 * pad + t;
			last = ce->row + (ce->rowspan ? ce->rowspan : 1) - 1;
			if (last >= rows)
				last = rows - 1;
			for (int r = ce->row; r <= last; r++)
				have += rowh[r];
			if (ch > have)
				rowh[last] += ch - have;
			for (int r = ce->row; r < last; r++)
				joined[r] = 1;
			if (ce->row == 0 && ce->head && last + 1 > head_rows)
				head_rows = last + 1;
		}
	}
	for (int r = 0; r < rows; r++) {
		if (rowh[r] < s.size + 2 * pad + t)
			rowh[r] = s.size + 2 * pad + t;
		rowy[r + 1] = rowy[r] + rowh[r];
	}
	/* the header group must end on a row boundary no cell crosses */
	while (head_rows > 0 && head_rows < rows && joined[head_rows - 1])
		head_rows++;
	if (head_rows >= rows)
		head_rows = 0; /* a table of header cells only has nothing to repeat */
	rc = grow((void **)&c->tables, &c->cap_tables, c->n_tables + 1, sizeof *c->tables, 1u << 20);
	if (rc)
		goto out;
	tix = (int)c->n_tables++;
	ti.width = tw;
	for (int r0 = 0; r0 < rows;) {
		int r1 = r0 + 1, head, all_head;
		if (head_rows && r0 == 0)
			r1 = head_rows;
		else
			while (r1 < rows && joined[r1 - 1])
				r1++;
		head = head_rows && r0 == 0;
		/* a row of head cells inside the table (a sub-heading row of an annual report's
		 * statistics) stays with the row after it, as the header does */
		all_head = 1;
		for (size_t i = 0; i < b->n_cells; i++)
			if (b->cells[i].row >= r0 && b->cells[i].row < r1 && !b->cells[i].head)
				all_head = 0;
		rc = box_open(c, rowy[r1] - rowy[r0] + (r1 == rows ? t : 0), first_box ? gap_before : 0,
			      0, head || (all_head && r1 < rows) ? KK_BOX_KEEP_WITH_NEXT : 0, tix, head);
		if (rc)
			goto out;
		if (head) {
			ti.has_head = 1;
			ti.head_box = c->n_bx - 1;
		}
		first_box = 0;
		for (size_t i = 0; i < b->n_cells; i++) {
			const struct kk_cell *ce = &b->cells[i];
			int span = ce->colspan ? ce->colspan : 1, rspan = ce->rowspan ? ce->rowspan : 1;
			int re = ce->row + rspan > rows ? rows : ce->row + rspan;
			int32_t cx, cy, cw, ch;
			if (ce->row < r0 || ce->row >= r1 || ce->col >= cols)
				continue;
			if (ce->col + span > cols)
				span = cols - ce->col;
			cx = ce->col * colw;
			cy = rowy[ce->row] - rowy[r0];
			cw = colw * span;
			ch = rowy[re] - rowy[ce->row];
			rc = rect_add(&c->bops, cx, cy, cw + t, t);
			if (!rc)
				rc = rect_add(&c->bops, cx, cy, t, ch + t);
			if (!rc && ce->col + span == cols)
				rc = rect_add(&c->bops, cx + cw, cy, t, ch + t);
			if (!rc && re == rows)
				rc = rect_add(&c->bops, cx, cy + ch, cw + t, t);
			s.face = ce->head ? KK_FACE_BOLD : KK_FACE_REGULAR;
			if (!rc && ce->text && *ce->text) {
				int h = para_emit(c, &c->bops, &s, cx + t + pad, cy + t + pad,
						  cw - t - 2 * pad, ce->text);
				rc = h < 0 ? h : 0;
			}
			if (rc)
				goto out;
		}
		box_close(c);
		r0 = r1;
	}
	c->tables[tix] = ti;
out:
	free(rowh);
	free(rowy);
	free(joined);
	return rc;
}

/* An image: its alt text in a ruled box (images are not decoded for print yet). */
static int image_box(struct comp *c, const struct kk_block *b, int gap_before)
{
	struct pstyle s = { KK_FACE_REGULAR, c->sz, c->gap, 0, 0, 0, 1, 0 };
	char *text = asprintf_cap("［图片］%s", b->text && *b->text ? b->text : "");
	int pad = c->sz / 2, h, rc;

	if (!text)
		return KK_ENOMEM;
	h = cell_height(c, &s, c->width - 2 * pad, text);
	rc = h < 0 ? h : box_open(c, h + 2 * pad, gap_before, 0, 0, -1, 0);
	if (!rc) {
		rc = frame_add(&c->bops, 0, 0, c->width, h + 2 * pad, c->t);
		if (!rc) {
			h = para_emit(c, &c->bops, &s, pad, pad, c->width - 2 * pad, text);
			rc = h < 0 ? h : 0;
		}
		box_close(c);
	}
	free(text);
	return rc;
}

static int rule_box(struct comp *c, int gap_before)
{
	int rc = box_open(c, c->gap, gap_before, 0, 0, -1, 0);
	if (!rc) {
		rc = rect_add(&c->bops, 0, c->gap / 2, c->width, c->t);
		box_close(c);
	}
	return rc;
}

static int heading_style(struct comp *c, int level, struct pstyle *s)
{
	*s = (struct pstyle){ KK_FACE_BOLD, level <= 1 ? c->h1 : c->h2, c->gap, 0, 0, 0, 0, 0 };
	return s->size;
}

/* The blocks of a body, as on screen (firmware/ui/screens.c build_body). tick_items: every item
 * and paragraph gets a tick box (the 申请材料 of a checklist). */
static int body_boxes(struct comp *c, const struct kk_body *b, int tick_items)
{
	int sz = c->sz, pgap = c->gap / 2, rc = 0;
	char *buf = NULL;

	for (size_t i = 0; !rc && b && i < b->n; i++) {
		const struct kk_block *blk = &b->blocks[i];
		const char *text = blk->text ? blk->text : "";
		struct pstyle s = { KK_FACE_REGULAR, sz, c->gap, 2 * sz, 0, 1, 0, 1 };
		switch (blk->kind) {
		case KK_BLOCK_HEADING:
			heading_style(c, blk->level, &s);
			free(buf);
			buf = asprintf_cap("%s%s", blk->marker ? blk->marker : "", text);
			rc = buf ? para_boxes(c, &s, buf, NULL, 0, sz * 2 / 3, 1, 0) : KK_ENOMEM;
			break;
		case KK_BLOCK_PARA:
			if (tick_items) {
				s.first_indent = s.indent = 3 * sz / 2;
				rc = para_boxes(c, &s, text, blk->emph, blk->n_emph, pgap, 0, 1);
			} else {
				rc = para_boxes(c, &s, text, blk->emph, blk->n_emph, pgap, 0, 0);
			}
			break;
		case KK_BLOCK_ITEM: {
			int base = (blk->level > 1 ? blk->level - 1 : 0) * sz * 2;
			const char *mk = blk->marker ? blk->marker : "•";
			size_t ml = strlen(mk), tl = strlen(text);
			struct kk_span sp[64];
			size_t ns = blk->n_emph < 64 ? blk->n_emph : 64;
			int mw = 0;
			for (size_t at = 0; at < ml;) {
				/* marker width: the advances of its code points (bad bytes skipped) */
				int32_t cp = kk_utf8_next(mk, ml, &at);
				if (cp > 0)
					mw += kk_glyphs_advance(c->l->gl, KK_FACE_REGULAR, sz, (uint32_t)cp);
			}
			for (size_t k = 0; k < ns; k++) {
				sp[k].start = blk->emph[k].start + (uint32_t)ml;
				sp[k].end = blk->emph[k].end + (uint32_t)ml;
			}
			free(buf);
			buf = malloc(ml + tl + 1);
			if (!buf) {
				rc = KK_ENOMEM;
				break;
			}
			memcpy(buf, mk, ml);
			memcpy(buf + ml, text, tl + 1);
			s.first_indent = base + (tick_items ? 3 * sz / 2 : 2 * sz);
			s.indent = s.first_indent + mw;
			rc = para_boxes(c, &s, buf, sp, ns, pgap, 0, tick_items);
			break;
		}
		case KK_BLOCK_TABLE:
			if (blk->text && *blk->text) {
				s.first_indent = 0;
				s.justify = 0;
				s.centre = 1;
				s.face = KK_FACE_BOLD;
				rc = para_boxes(c, &s, blk->text, NULL, 0, pgap, 1, 0);
				if (!rc)
					rc = table_boxes(c, blk, 0);
			} else {
				rc = table_boxes(c, blk, pgap);
			}
			break;
		case KK_BLOCK_IMAGE:
			rc = image_box(c, blk, pgap);
			break;
		case KK_BLOCK_RULE:
			rc = rule_box(c, pgap);
			break;
		}
	}
	free(buf);
	return rc;
}

/* The big title, centred, and the line under it. */
static int title_boxes(struct comp *c)
{
	struct pstyle s = { KK_FACE_BOLD, c->title_sz, c->title_sz / 3, 0, 0, 0, 1, 0 };
	int rc = para_boxes(c, &s, c->src->title, NULL, 0, 0, 1, 0);
	if (!rc && c->src->meta) {
		struct pstyle m = { KK_FACE_REGULAR, c->foot_sz, c->foot_sz / 2, 0, 0, 0, 1, 0 };
		rc = para_boxes(c, &m, c->src->meta, NULL, 0, c->sz / 2, 0, 0);
	}
	if (!rc && c->src->warning && c->l->ps.narrow) {
		struct pstyle w = { KK_FACE_BOLD, c->sz, c->gap, 0, 0, 0, 0, 0 };
		rc = para_boxes(c, &w, c->src->warning, NULL, 0, c->sz / 2, 0, 0);
	}
	/* space before the body: an empty box keeps it off the top of page 2 (a gap is dropped) */
	if (!rc)
		rc = box_open(c, 0, c->sz, 0, 0, -1, 0);
	if (!rc)
		box_close(c);
	return rc;
}

/* Sections of a guide picked for the checklist, in this order; a label matches if it
 * contains one of the words. */
static const char *const summary_keys[][3] = {
	{ "申请材料", "所需材料", NULL },
	{ "办理地点", "受理地点", NULL },
	{ "办理时间", "受理时间", NULL },
	{ "咨询电话", "联系电话", "联系方式" },
	{ "办理时限", "承诺时限", NULL },
	{ "收费", NULL, NULL },
};

static int guide_boxes(struct comp *c, const struct kk_guide *g, int summary)
{
	int rc = 0;
	struct pstyle hs;

	heading_style(c, 1, &hs);
	if (!summary) {
		for (size_t i = 0; !rc && i < g->n_sections; i++) {
			const struct kk_guide_section *sec = &g->sections[i];
			rc = para_boxes(c, &hs, sec->label ? sec->label : "", NULL, 0, c->sz * 2 / 3, 1, 0);
			if (!rc)
				rc = body_boxes(c, sec->body, 0);
		}
		return rc;
	}
	for (size_t k = 0; !rc && k < sizeof summary_keys / sizeof summary_keys[0]; k++) {
		for (size_t i = 0; !rc && i < g->n_sections; i++) {
			const struct kk_guide_section *sec = &g->sections[i];
			int hit = 0;
			for (int w = 0; w < 3 && summary_keys[k][w]; w++)
				hit |= sec->label && strstr(sec->label, summary_keys[k][w]) != NULL;
			if (!hit)
				continue;
			rc = para_boxes(c, &hs, sec->label, NULL, 0, c->sz * 2 / 3, 1, 0);
			if (!rc)
				rc = body_boxes(c, sec->body, k == 0);
			break;
		}
	}
	return rc;
}

/* ---- header, footer, QR ------------------------------------------------------------------ */

static int qr_size(const struct comp *c)
{
	return c->qr ? (c->qr->width + 8) * c->qr_mod : 0;
}

/* The QR code with its quiet zone, top-left at (x, y): one rect per run of dark modules. */
static int qr_emit(struct comp *c, struct ops *o, int32_t x, int32_t y)
{
	int w = c->qr->width, m = c->qr_mod, rc = 0;
	for (int r = 0; !rc && r < w; r++) {
		for (int k = 0; !rc && k < w;) {
			int e;
			if (!(c->qr->data[r * w + k] & 1)) {
				k++;
				continue;
			}
			for (e = k; e < w && (c->qr->data[r * w + e] & 1); e++)
				;
			rc = rect_add(o, x + (4 + k) * m, y + (4 + r) * m, (e - k) * m, m);
			k = e;
		}
	}
	return rc;
}

/* Footer into o with its top at y across [x, x + w). page/total 0 leave the page line out
 * (narrow). Returns the height or an error. */
static int footer_emit(struct comp *c, struct ops *o, int32_t x, int32_t y, int32_t w, unsigned page,
		       unsigned total)
{
	struct pstyle s = { KK_FACE_REGULAR, c->foot_sz, c->foot_sz / 3, 0, 0, 0, 0, 0 };
	int narrow = c->l->ps.narrow, q = qr_size(c), gap = c->foot_sz / 2, rc = 0;
	int32_t tw = narrow || !q ? w : w - q - c->sz, yy = y + c->t + gap, h;
	char line[128];

	rc = rect_add(o, x, y, w, c->t);
	if (!rc && c->src->warning) {
		struct pstyle ws = s;
		ws.face = KK_FACE_BOLD;
		h = para_emit(c, o, &ws, x, yy, tw, c->src->warning);
		rc = h < 0 ? h : 0;
		yy += h > 0 ? h : 0;
	}
	for (size_t i = 0; !rc && i < c->src->n_foot; i++) {
		h = para_emit(c, o, &s, x, yy, tw, c->src->foot[i]);
		rc = h < 0 ? h : 0;
		yy += h > 0 ? h : 0;
	}
	if (!rc && c->truncated) {
		struct pstyle ws = s;
		ws.face = KK_FACE_BOLD;
		h = para_emit(c, o, &ws, x, yy, tw, "内容较多未能全部列出，请打印完整版办事指南");
		rc = h < 0 ? h : 0;
		yy += h > 0 ? h : 0;
	}
	if (!rc) {
		h = para_emit(c, o, &s, x, yy, tw, c->src->stamp);
		rc = h < 0 ? h : 0;
		yy += h > 0 ? h : 0;
	}
	if (!rc && total) {
		struct pstyle ps = s;
		ps.centre = 1;
		snprintf(line, sizeof line, "第 %u 页 / 共 %u 页", page, total);
		h = para_emit(c, o, &ps, x, yy, tw, line);
		rc = h < 0 ? h : 0;
		yy += h > 0 ? h : 0;
	}
	if (rc)
		return rc;
	if (q && narrow) {
		rc = qr_emit(c, o, x + (w - q) / 2, yy);
		yy += q;
	} else if (q) {
		int32_t top = yy - y > q + c->t + gap ? yy - q : y + c->t + gap;
		rc = qr_emit(c, o, x + w - q, top);
		if (top + q > yy)
			yy = top + q;
	}
	return rc ? rc : (int)(yy - y);
}

/* Header of a paper page at (x, y) across w: the title cut to one line, the warning, a rule. */
static int header_emit(struct comp *c, struct ops *o, int32_t x, int32_t y, int32_t w)
{
	struct pstyle s = { KK_FACE_REGULAR, c->foot_sz, c->foot_sz / 3, 0, 0, 0, 0, 0 };
	int32_t yy = y;
	int h = line_cut_emit(c, o, &s, x, yy, w, c->src->title), rc = 0;

	if (h < 0)
		return h;
	yy += h;
	if (c->src->warning) {
		struct pstyle ws = { KK_FACE_BOLD, c->sz, c->sz / 4, 0, 0, 0, 0, 0 };
		h = para_emit(c, o, &ws, x, yy, w, c->src->warning);
		if (h < 0)
			return h;
		yy += h;
	}
	rc = rect_add(o, x, yy, w, c->t);
	return rc ? rc : (int)(yy + c->t + c->sz / 2 - y);
}

/* ---- pages ------------------------------------------------------------------------------ */

static int page_add(struct comp *c, size_t first, int32_t shift, uint32_t rows)
{
	struct kk_print_layout *l = c->l;
	struct page *p;
	if (l->n_pages >= KK_PRINT_MAX_PAGES)
		return KK_E2BIG;
	p = realloc(l->pages, (l->n_pages + 1) * sizeof *p);
	if (!p)
		return KK_ENOMEM;
	l->pages = p;
	p[l->n_pages] = (struct page){ .first = first, .count = l->ops.n - first, .shift = shift,
				       .rows = rows };
	l->n_pages++;
	return 0;
}

/* Copy box i's ops to the layout at (x, y). */
static int box_place(struct comp *c, size_t i, int32_t x, int32_t y)
{
	const struct bbox *b = &c->bx[i];
	int rc = grow((void **)&c->l->ops.v, &c->l->ops.cap, c->l->ops.n + b->n, sizeof(struct op),
		      KK_PRINT_MAX_OPS);
	if (rc)
		return rc;
	for (size_t k = 0; k < b->n; k++) {
		struct op op = c->bops.v[b->first + k];
		op.x += x;
		op.y += y;
		c->l->ops.v[c->l->ops.n++] = op;
	}
	return 0;
}

/* Does a page that starts at box s repeat a table header, and how tall is it? */
static int repeat_head(const struct comp *c, size_t s)
{
	const struct bbox *b = &c->bx[s];
	if (s >= c->n_bx || b->table < 0 || b->head || !c->tables[b->table].has_head)
		return 0;
	return c->kb[c->tables[b->table].head_box].height;
}

static int pages_paper(struct comp *c)
{
	const struct kk_page_setup *ps = &c->l->ps;
	int32_t x0 = (int32_t)ps->margin_left, y0 = (int32_t)ps->margin_top;
	int32_t w = c->width, ybot = (int32_t)(ps->height - ps->margin_bottom);
	struct ops scratch = { 0 };
	size_t *starts = NULL, *pg = NULL, n_pg = 0, cap_pg = 0, np = 0;
	int hh, fh, avail, rc;

	/* header and footer heights from a dry run (the page line is one line at any number) */
	hh = header_emit(c, &scratch, 0, 0, w);
	fh = hh < 0 ? hh : footer_emit(c, &scratch, 0, 0, w, KK_PRINT_MAX_PAGES, KK_PRINT_MAX_PAGES);
	free(scratch.v);
	if (hh < 0 || fh < 0)
		return hh < 0 ? hh : fh;
	avail = ybot - y0 - hh - fh - c->sz / 2 - c->t;
	if (avail < 2 * (c->sz + c->gap))
		return KK_EINVAL; /* margins leave no room for a body */
	for (size_t s = 0; s < c->n_bx || n_pg == 0;) {
		int a = avail - repeat_head(c, s);
		size_t e = s, next;
		long sum = 0;
		rc = grow((void **)&pg, &cap_pg, n_pg + 1, sizeof *pg, KK_PRINT_MAX_PAGES);
		if (rc)
			goto out;
		pg[n_pg++] = s;
		if (s >= c->n_bx)
			break;
		/* a window of boxes worth over two pages decides this page's break */
		while (e < c->n_bx && (sum <= 2L * a || e < s + 4)) {
			sum += c->kb[e].height + c->kb[e].gap_before;
			e++;
		}
		rc = kk_text_paginate(c->kb + s, e - s, a, 2, 2, &starts, &np);
		if (rc)
			goto out;
		next = np > 1 ? s + starts[1] : e;
		free(starts);
		starts = NULL;
		s = next;
	}
	for (size_t k = 0; k < n_pg; k++) {
		size_t s = pg[k], e = k + 1 < n_pg ? pg[k + 1] : c->n_bx, first = c->l->ops.n;
		int32_t y = y0;
		int h = header_emit(c, &c->l->ops, x0, y, w);
		if (h < 0) {
			rc = h;
			goto out;
		}
		y += h;
		if (s < e && repeat_head(c, s)) {
			size_t hb = c->tables[c->bx[s].table].head_box;
			rc = box_place(c, hb, x0, y);
			if (rc)
				goto out;
			y += c->kb[hb].height;
		}
		for (size_t i = s; i < e; i++) {
			if (i > s)
				y += c->kb[i].gap_before;
			rc = box_place(c, i, x0, y);
			if (rc)
				goto out;
			y += c->kb[i].height;
		}
		/* a table that goes on overleaf gets its bottom rule here */
		if (e > s && e < c->n_bx && c->bx[e - 1].table >= 0 && c->bx[e].table == c->bx[e - 1].table) {
			rc = rect_add(&c->l->ops, x0, y, c->tables[c->bx[e].table].width, c->t);
			if (rc)
				goto out;
		}
		h = footer_emit(c, &c->l->ops, x0, ybot - fh, w, (unsigned)k + 1, (unsigned)n_pg);
		if (h < 0) {
			rc = h;
			goto out;
		}
		rc = page_add(c, first, 0, ps->height);
		if (rc)
			goto out;
	}
out:
	free(starts);
	free(pg);
	return rc;
}

static int pages_narrow(struct comp *c)
{
	const struct kk_page_setup *ps = &c->l->ps;
	int32_t x0 = (int32_t)ps->margin_left, y = (int32_t)ps->margin_top;
	size_t first = c->l->ops.n;
	uint32_t total, band = ps->height;
	int rc = 0, h;

	for (size_t i = 0; i < c->n_bx; i++) {
		if (i > 0)
			y += c->kb[i].gap_before;
		rc = box_place(c, i, x0, y);
		if (rc)
			return rc;
		y += c->kb[i].height;
		if ((uint32_t)y > KK_PRINT_STRIP_MAX)
			return KK_E2BIG;
	}
	h = footer_emit(c, &c->l->ops, x0, y + c->sz, c->width, 0, 0);
	if (h < 0)
		return h;
	total = (uint32_t)(y + c->sz + h) + ps->margin_bottom;
	if (total > KK_PRINT_STRIP_MAX)
		return KK_E2BIG;
	for (uint32_t off = 0; off < total && !rc; off += band) {
		rc = page_add(c, first, (int32_t)off, total - off < band ? total - off : band);
		/* every band walks the strip's ops: the range is the whole strip */
		if (!rc)
			c->l->pages[c->l->n_pages - 1].count = c->l->ops.n - first;
	}
	return rc;
}

/* The text lines of every page from its OP_TEXT ops (after the arena stopped moving). */
static int pages_text(struct kk_print_layout *l)
{
	for (unsigned k = 0; k < l->n_pages; k++) {
		struct page *p = &l->pages[k];
		size_t n = 0;
		for (size_t i = p->first; i < p->first + p->count; i++) {
			const struct op *op = &l->ops.v[i];
			if (op->kind == OP_TEXT && op->y - p->shift >= 0 &&
			    op->y - p->shift < (int32_t)p->rows)
				n++;
		}
		p->lines = calloc(n ? n : 1, sizeof *p->lines);
		if (!p->lines)
			return KK_ENOMEM;
		for (size_t i = p->first; i < p->first + p->count; i++) {
			const struct op *op = &l->ops.v[i];
			if (op->kind != OP_TEXT || op->y - p->shift < 0 || op->y - p->shift >= (int32_t)p->rows)
				continue;
			p->lines[p->n_lines++] = (struct kk_print_text_line){
				op->x, op->y - p->shift, op->size, l->text + op->v };
		}
	}
	return 0;
}

/* ---- entry points ----------------------------------------------------------------------- */

static void comp_reset(struct comp *c)
{
	free(c->bops.v);
	free(c->bx);
	free(c->kb);
	free(c->tables);
	c->bops = (struct ops){ 0 };
	c->bx = NULL;
	c->kb = NULL;
	c->n_bx = c->cap_bx = c->cap_kb = c->n_tables = c->cap_tables = 0;
	c->tables = NULL;
}

static void layout_clear_pages(struct kk_print_layout *l)
{
	for (unsigned k = 0; k < l->n_pages; k++)
		free(l->pages[k].lines);
	free(l->pages);
	l->pages = NULL;
	l->n_pages = 0;
	l->ops.n = 0;
	l->text_len = 0;
}

/* Sizes for a body size in tenths of a point. */
static void comp_sizes(struct comp *c, int body_pt10)
{
	const struct kk_page_setup *ps = &c->l->ps;
	c->sz = pt_dots(ps, body_pt10);
	c->gap = c->sz / 2;
	c->h1 = pt_dots(ps, body_pt10 * 4 / 3);      /* 四号 over 五号 */
	c->h2 = pt_dots(ps, body_pt10 * 8 / 7);      /* 小四 */
	c->title_sz = pt_dots(ps, ps->narrow ? body_pt10 * 4 / 3 : body_pt10 * 12 / 7); /* 小二 */
	c->foot_sz = pt_dots(ps, body_pt10 * 6 / 7); /* 小五 */
	c->t = (int)(ps->dpi / 150) > 1 ? (int)(ps->dpi / 150) : 1;
	c->width = (int32_t)(ps->width - ps->margin_left - ps->margin_right);
}

static int compose_run(struct comp *c, int body_pt10)
{
	int rc;
	comp_reset(c);
	layout_clear_pages(c->l);
	comp_sizes(c, body_pt10);
	rc = title_boxes(c);
	if (!rc && c->src->doc && c->src->doc->body)
		rc = body_boxes(c, c->src->doc->body, 0);
	if (!rc && c->src->guide)
		rc = guide_boxes(c, c->src->guide, c->src->summary);
	if (!rc)
		rc = c->l->ps.narrow ? pages_narrow(c) : pages_paper(c);
	return rc;
}

static int setup_check(const struct kk_page_setup *ps)
{
	uint64_t mw, mh;
	if (!ps || ps->dpi < KK_RASTER_MIN_DPI || ps->dpi > KK_RASTER_MAX_DPI || !ps->width ||
	    !ps->height || ps->width > KK_RASTER_MAX_DIM || ps->height > KK_RASTER_MAX_DIM)
		return KK_EINVAL;
	mw = (uint64_t)ps->margin_left + ps->margin_right;
	mh = (uint64_t)ps->margin_top + ps->margin_bottom;
	/* at least 40 mm of line (a 58 mm receipt is 48 mm wide) and 1 inch of height */
	if (mw >= ps->width || ps->width - mw < ps->dpi * 40 / 25 || mh >= ps->height ||
	    (!ps->narrow && ps->height - mh < ps->dpi))
		return KK_EINVAL;
	return 0;
}

static int layout_new(const struct kk_page_setup *ps, const struct kk_print_fonts *f,
		      struct kk_print_layout **out)
{
	struct kk_print_layout *l;
	int rc;
	if (!f || !f->regular)
		return KK_EINVAL;
	rc = setup_check(ps);
	if (rc)
		return rc;
	l = calloc(1, sizeof *l);
	if (!l)
		return KK_ENOMEM;
	l->ps = *ps;
	rc = kk_glyphs_new(f->regular, f->regular_index, f->bold, f->bold_index, f->fallback,
			   f->fallback_index, &l->gl);
	if (rc) {
		free(l);
		return rc;
	}
	*out = l;
	return 0;
}

static void src_fini(struct src *s)
{
	free(s->meta);
	free(s->warning);
	for (size_t i = 0; i < s->n_foot; i++)
		free(s->foot[i]);
	free(s->stamp);
}

/* Append a footer line; 0 or KK_ENOMEM. */
static int foot_add(struct src *s, const char *label, const char *value)
{
	if (s->n_foot >= sizeof s->foot / sizeof s->foot[0])
		return KK_EINVAL;
	s->foot[s->n_foot] = asprintf_cap("%s%s", label, value);
	return s->foot[s->n_foot++] ? 0 : KK_ENOMEM;
}

static char *stamp_line(const struct kk_print_stamp *st)
{
	const char *site = st && st->site ? st->site : "", *when = st && st->when ? st->when : "";
	const char *ver = st && st->content_version ? st->content_version : "";
	/* a site named as a reading point ("…政府信息公开查阅点") is printed as it is */
	const char *kind = strstr(site, "查阅点") ? "" : "政务公开查阅点";
	return asprintf_cap("打印自%s%s %s%s%s", site, kind, when, *ver ? "　内容版本 " : "", ver);
}

/* Shared tail of both entry points: compose (stepping sizes down for a summary), QR, text. */
static int layout_run(struct src *src, const struct kk_page_setup *ps, const struct kk_print_stamp *st,
		      const struct kk_print_fonts *f, struct kk_print_layout **out)
{
	struct comp c = { 0 };
	struct kk_print_layout *l = NULL;
	static const int sizes[] = { 105, 90, 75 };
	int rc;

	*out = NULL;
	rc = layout_new(ps, f, &l);
	if (rc)
		goto out;
	c.l = l;
	c.src = src;
	src->stamp = stamp_line(st);
	if (!src->stamp) {
		rc = KK_ENOMEM;
		goto out;
	}
	c.qr_mod = (int)((ps->dpi * 5 + 253) / 254); /* 0.5 mm, rounded up */
	if (src->url && *src->url && strlen(src->url) <= 1024) {
		c.qr = QRcode_encodeString8bit(src->url, 0, QR_ECLEVEL_M);
		if (!c.qr)
			kk_warn("print", "no QR code for a %zu-byte url", strlen(src->url));
	}
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		rc = compose_run(&c, sizes[k]);
		if (rc || !src->summary || ps->narrow || l->n_pages == 1)
			break;
		if (k + 1 == sizeof sizes / sizeof sizes[0]) {
			/* even 7.5 pt does not fit: keep page 1 and say so in its footer */
			c.truncated = 1;
			rc = compose_run(&c, sizes[k]);
			if (!rc)
				l->n_pages = 1;
		}
	}
	if (!rc)
		rc = pages_text(l);
out:
	comp_reset(&c);
	if (c.qr)
		QRcode_free(c.qr);
	if (rc)
		kk_print_layout_free(l);
	else
		*out = l;
	return rc;
}

int kk_print_layout_doc(const struct kk_doc *d, const struct kk_page_setup *ps,
			const struct kk_print_stamp *st, const struct kk_print_fonts *f,
			struct kk_print_layout **out)
{
	struct src s = { 0 };
	const char *vn;
	int rc = KK_ENOMEM;

	if (!out)
		return KK_EINVAL;
	*out = NULL;
	if (!d)
		return KK_EINVAL;
	s.doc = d;
	s.title = d->title && *d->title ? d->title : "（无标题）";
	s.url = d->url;
	vn = kk_validity_name(d->validity);
	s.meta = asprintf_cap("%s%s%s%s%s%s", d->written && *d->written ? "成文日期：" : "",
			      d->written && *d->written ? d->written : "",
			      d->published && *d->published ? "　公开日期：" : "",
			      d->published && *d->published ? d->published : "",
			      vn && *vn ? "　有效性：" : "", vn && *vn ? vn : "");
	if (!s.meta)
		goto out;
	if (d->validity == KK_EXPIRED || d->validity == KK_REPEALED || d->validity == KK_AMENDED) {
		const char *rt = d->replaced_by.title;
		s.warning = asprintf_cap("本文件%s，仅供参考%s%s%s",
					 d->validity == KK_EXPIRED ? "已失效" :
					 d->validity == KK_REPEALED ? "已废止" : "已修订",
					 rt && *rt ? "；现行文件：《" : "", rt && *rt ? rt : "",
					 rt && *rt ? "》" : "");
		if (!s.warning)
			goto out;
	}
	if ((d->index_no && *d->index_no) || (d->doc_no && *d->doc_no)) {
		char line[1024];
		snprintf(line, sizeof line, "%s　文号：%s", d->index_no && *d->index_no ? d->index_no : "—",
			 d->doc_no && *d->doc_no ? d->doc_no : "—");
		if (foot_add(&s, "索引号：", line))
			goto out;
	}
	if (d->publisher && *d->publisher && foot_add(&s, "发布机构：", d->publisher))
		goto out;
	rc = layout_run(&s, ps, st, f, out);
out:
	src_fini(&s);
	return rc;
}

int kk_print_layout_guide(const struct kk_guide *g, int summary, const struct kk_page_setup *ps,
			  const struct kk_print_stamp *st, const struct kk_print_fonts *f,
			  struct kk_print_layout **out)
{
	struct src s = { 0 };
	int rc = KK_ENOMEM;

	if (!out)
		return KK_EINVAL;
	*out = NULL;
	if (!g)
		return KK_EINVAL;
	s.guide = g;
	s.summary = summary;
	s.title = g->title && *g->title ? g->title : "（无标题）";
	s.url = g->url;
	s.meta = asprintf_cap("%s%s%s", summary ? "办事清单" : "办事指南",
			      g->group && *g->group ? "　" : "", g->group && *g->group ? g->group : "");
	if (!s.meta)
		goto out;
	if (g->updated && *g->updated && foot_add(&s, "更新日期：", g->updated))
		goto out;
	rc = layout_run(&s, ps, st, f, out);
out:
	src_fini(&s);
	return rc;
}

unsigned kk_print_layout_pages(const struct kk_print_layout *l)
{
	return l ? l->n_pages : 0;
}

uint32_t kk_print_layout_page_rows(const struct kk_print_layout *l, unsigned page)
{
	return l && page < l->n_pages ? l->pages[page].rows : 0;
}

int kk_print_layout_text(const struct kk_print_layout *l, unsigned page,
			 const struct kk_print_text_line **lines, size_t *n)
{
	if (!l || page >= l->n_pages || !lines || !n)
		return KK_EINVAL;
	*lines = l->pages[page].lines;
	*n = l->pages[page].n_lines;
	return 0;
}

void kk_print_layout_free(struct kk_print_layout *l)
{
	if (!l)
		return;
	layout_clear_pages(l);
	free(l->ops.v);
	free(l->text);
	kk_glyphs_free(l->gl);
	free(l);
}

/* ---- rendering -------------------------------------------------------------------------- */

struct clip {
	int32_t x0, y0, x1, y1; /* raster pixels, [x0, x1) x [y0, y1) */
};

/* Set bits [x0, x1) of a MONO row. */
static void row_fill(uint8_t *row, int32_t x0, int32_t x1)
{
	int32_t b0 = x0 >> 3, b1 = (x1 - 1) >> 3;
	uint8_t m0 = (uint8_t)(0xFFu >> (x0 & 7)), m1 = (uint8_t)(0xFFu << (7 - ((x1 - 1) & 7)));
	if (x1 <= x0)
		return;
	if (b0 == b1) {
		row[b0] |= m0 & m1;
		return;
	}
	row[b0] |= m0;
	if (b1 > b0 + 1)
		memset(row + b0 + 1, 0xFF, (size_t)(b1 - b0 - 1));
	row[b1] |= m1;
}

static void rect_draw(struct kk_raster *r, const struct clip *cl, int32_t x, int32_t y, int32_t w,
		      int32_t h)
{
	int32_t x0 = x > cl->x0 ? x : cl->x0, x1 = x + w < cl->x1 ? x + w : cl->x1;
	int32_t y0 = y > cl->y0 ? y : cl->y0, y1 = y + h < cl->y1 ? y + h : cl->y1;
	for (int32_t yy = y0; yy < y1 && x0 < x1; yy++)
		row_fill(r->data + (size_t)yy * r->stride, x0, x1);
}

/* OR a cached 1-bit glyph into the raster with its ink box at (gx, gy). */
static void glyph_draw(struct kk_raster *r, const struct clip *cl, const struct kk_glyph_bitmap *bm,
		       int32_t gx, int32_t gy)
{
	int32_t ry0 = gy > cl->y0 ? gy : cl->y0, ry1 = gy + (int32_t)bm->rows;
	int inside = gx >= cl->x0 && gx + (int32_t)bm->width <= cl->x1;
	int s = gx & 7;

	if (ry1 > cl->y1)
		ry1 = cl->y1;
	for (int32_t y = ry0; y < ry1; y++) {
		const uint8_t *src = bm->bits + (size_t)(y - gy) * bm->pitch;
		uint8_t *row = r->data + (size_t)y * r->stride;
		if (inside) {
			/* fast path: whole bytes shifted in; the source's padding bits are 0, so the
			 * spill byte past the ink is only written when it gets ink */
			uint8_t *d = row + (gx >> 3);
			for (uint32_t i = 0; i < bm->pitch; i++) {
				uint8_t v = src[i];
				if (!v)
					continue;
				d[i] |= (uint8_t)(v >> s);
				if (s && (uint8_t)(v << (8 - s)))
					d[i + 1] |= (uint8_t)(v << (8 - s));
			}
			continue;
		}
		for (uint32_t x = 0; x < bm->width; x++) {
			int32_t px = gx + (int32_t)x;
			if (px < cl->x0 || px >= cl->x1 || !(src[x >> 3] & (0x80u >> (x & 7))))
				continue;
			row[px >> 3] |= (uint8_t)(0x80u >> (px & 7));
		}
	}
}

int kk_print_layout_render(struct kk_print_layout *l, unsigned page, struct kk_raster *r)
{
	const struct kk_page_setup *ps;
	const struct page *p;
	struct clip cl;
	int32_t cb0, cb1;

	if (!l || !r || page >= l->n_pages || r->bits != KK_RASTER_MONO || !r->data)
		return KK_EINVAL;
	ps = &l->ps;
	p = &l->pages[page];
	if (r->width != ps->width || r->height < p->rows)
		return KK_EINVAL;
	cl.x0 = (int32_t)ps->margin_left;
	cl.x1 = (int32_t)(ps->width - ps->margin_right);
	if (ps->narrow) {
		/* the strip's margins are inside its coordinates: clip to the band */
		cl.y0 = 0;
		cl.y1 = (int32_t)p->rows;
	} else {
		cl.y0 = (int32_t)ps->margin_top;
		cl.y1 = (int32_t)(ps->height - ps->margin_bottom);
	}
	/* clear the printable area only (whole bytes: the margin bits sharing an edge byte are
	 * never drawn into, so they are white anyway) */
	cb0 = cl.x0 >> 3;
	cb1 = (cl.x1 + 7) >> 3;
	for (int32_t y = cl.y0; y < cl.y1; y++)
		memset(r->data + (size_t)y * r->stride + cb0, 0, (size_t)(cb1 - cb0));
	for (size_t i = p->first; i < p->first + p->count; i++) {
		const struct op *op = &l->ops.v[i];
		int32_t y = op->y - p->shift;
		if (op->kind == OP_RECT) {
			rect_draw(r, &cl, op->x, y, op->w, op->h);
		} else if (op->kind == OP_GLYPH) {
			const struct kk_glyph_bitmap *bm;
			int32_t base = y + op->size * 88 / 100; /* ideographic em box: 0.88 above */
			if (y >= cl.y1 || y + 2 * (int32_t)op->size < cl.y0)
				continue;
			bm = kk_glyphs_get(l->gl, op->face, op->size, op->v);
			if (bm && bm->width && bm->rows)
				glyph_draw(r, &cl, bm, op->x + bm->left, base - bm->top);
		}
	}
	return 0;
}

int kk_print_layout_dump(const struct kk_print_layout *l, FILE *f)
{
	if (!l || !f)
		return KK_EINVAL;
	for (unsigned p = 0; p < l->n_pages; p++) {
		const struct page *pg = &l->pages[p];
		fprintf(f, "== page %u/%u (%u rows)\n", p + 1, l->n_pages, (unsigned)pg->rows);
		for (size_t i = 0; i < pg->n_lines; i++)
			fprintf(f, "%6d %5d %s\n", (int)pg->lines[i].y, (int)pg->lines[i].x, pg->lines[i].text);
	}
	return ferror(f) ? KK_EIO : 0;
}

/* First entry of a comma-separated list, trimmed, into out (empty if none fits). */
static void list_first(const char *list, char *out, size_t n)
{
	size_t len;
	while (*list == ' ' || *list == '\t')
		list++;
	len = strcspn(list, ",");
	while (len && (list[len - 1] == ' ' || list[len - 1] == '\t'))
		len--;
	out[0] = 0;
	if (len < n) {
		memcpy(out, list, len);
		out[len] = 0;
	}
}

void kk_print_fonts_from_config(const struct kk_config *c, struct kk_print_font_files *files)
{
	const char *reg;
	size_t rl, at;

	memset(files, 0, sizeof *files);
	snprintf(files->regular, sizeof files->regular, "%s", c->font_path);
	files->fonts.regular = files->regular;
	files->fonts.regular_index = files->fonts.bold_index = c->font_index;
	/* the bold file beside the regular one (NotoSansCJK-Regular.ttc -> NotoSansCJK-Bold.ttc) */
	reg = strstr(files->regular, "Regular");
	rl = strlen(files->regular);
	if (reg && rl < sizeof files->bold) {
		at = (size_t)(reg - files->regular);
		snprintf(files->bold, sizeof files->bold, "%.*sBold%s", (int)at, files->regular,
			 files->regular + at + strlen("Regular"));
		if (access(files->bold, R_OK) == 0)
			files->fonts.bold = files->bold;
	}
	list_first(c->font_fallback, files->fallback, sizeof files->fallback);
	if (files->fallback[0]) {
		size_t fl = strlen(files->fallback);
		files->fonts.fallback = files->fallback;
		/* a collection is read at the configured face (the SC face of Noto CJK) */
		files->fonts.fallback_index = fl > 4 && !strcmp(files->fallback + fl - 4, ".ttc") ? c->font_index : 0;
	}
}
