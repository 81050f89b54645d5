/*
 * screens.c — the screens a resident uses: home, catalogue list, document, 办事一本通 books,
 * groups and guides, search, and the calm "content unavailable" screen.
 *
 * Every screen but home has the same large 返回 and 首页 buttons top left and the content
 * version at the bottom. Scrollable content is built once into the screen's display list
 * (build_* functions) and drawn clipped each frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/qstats.h"
#include "base/utf8.h"
#include "ui/keyboard.h"
#include "ui/ui_internal.h"

#include <SDL_image.h>

/* Sizes at scale 1 (a 1080-px short side). */
#define BAR_H 120
#define FOOT_H 64
#define TAB_H 100
#define MARGIN UI_MARGIN
#define SZ_BODY 32
#define SZ_TITLE 44
#define SZ_ROW 34
#define SZ_META 26
#define SZ_BUTTON 34

static const char *const tab_names[] = { "全部", "规范性文件", "政策解读", "公开指南",
					 "年度报告", "政府公报", "其他文件" };

static uint32_t validity_color(int v)
{
	switch (v) {
	case KK_EXPIRED: return COL_EXPIRED;
	case KK_REPEALED: return COL_REPEALED;
	case KK_AMENDED: return COL_AMENDED;
	default: return COL_VALID;
	}
}

/* After a snprintf that may have cut text, drop a partial UTF-8 character at the end, so the
 * layout engine (which refuses invalid UTF-8) never loses the whole line. */
static void utf8_cut(char *buf)
{
	size_t bad, len = strlen(buf);
	if (!kk_utf8_valid(buf, len, &bad))
		buf[bad] = '\0';
}

/* The y at which to draw one line of size-px text so it looks centred in [top, top + h):
 * the ink of a CJK glyph sits about 0.78 em below the top of its cell. */
int ui_fit_size(struct ui *u, int size, int min, const char *text, int width)
{
	/* a long message on a narrow (portrait) panel: a smaller size rather than an ellipsis */
	while (size > min && ui_text_width(u, size, text) > width)
		size -= 2;
	return size;
}

int ui_text_top(int top, int h, int size)
{
	return top + h / 2 - size * 78 / 100;
}

static int content_width(struct ui *u)
{
	return u->w - 2 * ui_px(u, MARGIN);
}

/* ---- display-list builders --------------------------------------------------------------- */

static void dl_link(struct dl *d, int x, int y, int w, int h, enum ui_action a, int64_t arg)
{
	struct dl_item it = { .type = DL_LINK, .x = x, .y = y, .w = w, .h = h, .action = (int32_t)a,
			      .arg = arg };
	dl_add(d, &it);
}

static void dl_fill(struct dl *d, int x, int y, int w, int h, uint32_t c)
{
	struct dl_item it = { .type = DL_FILL, .x = x, .y = y, .w = w, .h = h, .color = c };
	dl_add(d, &it);
}

static void dl_frame(struct dl *d, int x, int y, int w, int h, int t, uint32_t c)
{
	struct dl_item it = { .type = DL_FRAME, .x = x, .y = y, .w = w, .h = h, .size = t, .color = c };
	dl_add(d, &it);
}

/* A single line of text into the display list (no wrapping; clipped by the caller's width). */
/* One line of text into the display list; a line too long for max_w ends with "…". */
static int dl_line(struct ui *u, struct dl *d, int size, int x, int y, int max_w, const char *s,
		   uint32_t c)
{
	size_t i = 0, len = strlen(s);
	int cx = 0, ell = ui_glyph(&u->fonts, size, 0x2026)->advance;
	int fits = ui_text_width(u, size, s) <= max_w;
	struct dl_item it = { .type = DL_GLYPH, .y = y, .h = size, .size = size, .color = c };
	while (i < len) {
		int32_t cp = kk_utf8_next(s, len, &i);
		int adv;
		if (cp <= 0)
			continue;
		adv = ui_glyph(&u->fonts, size, (uint32_t)cp)->advance;
		if (cx + adv > max_w - (fits ? 0 : ell))
			break;
		it.x = x + cx;
		it.w = adv;
		it.cp = (uint32_t)cp;
		dl_add(d, &it);
		cx += adv;
	}
	if (!fits && ell <= max_w) {
		it.x = x + cx;
		it.w = ell;
		it.cp = 0x2026;
		dl_add(d, &it);
		cx += ell;
	}
	return cx;
}

/* A tappable card row: title (wrapped), a meta line, an optional badge. Returns its height. */
static int dl_row_ex(struct ui *u, struct dl *d, int y, const char *title, const char *meta,
		     const char *badge, uint32_t badge_col, enum ui_action a, int64_t arg,
		     const char *snippet, const struct kk_span *marks, size_t n_marks);

static int dl_row(struct ui *u, struct dl *d, int y, const char *title, const char *meta,
		  const char *badge, uint32_t badge_col, enum ui_action a, int64_t arg)
{
	return dl_row_ex(u, d, y, title, meta, badge, badge_col, a, arg, NULL, NULL, 0);
}

/* A list row: a card with the title, a line of metadata, an optional badge at the right and an
 * optional snippet whose marks (byte ranges) are highlighted (colour and underline). */
static int dl_row_ex(struct ui *u, struct dl *d, int y, const char *title, const char *meta,
		     const char *badge, uint32_t badge_col, enum ui_action a, int64_t arg,
		     const char *snippet, const struct kk_span *marks, size_t n_marks)
{
	int x = 0, w = content_width(u), pad = ui_px(u, 24), sz = ui_sz(u, SZ_ROW);
	int msz = ui_sz(u, SZ_META), bw = 0, h, ty;
	size_t start = d->n;

	dl_fill(d, x, y, w, 1, COL_LINE); /* placeholder, fixed below */
	if (badge) {
		bw = ui_text_width(u, msz, badge) + 2 * ui_px(u, 14);
	}
	ty = y + pad;
	ty += ui_dl_para(u, d, sz, x + pad, ty, w - 2 * pad - (bw ? bw + pad : 0), title, NULL, 0,
			 COL_TEXT, 0, 0, sz / 3);
	if (meta && *meta) {
		ty += ui_px(u, 6);
		dl_line(u, d, msz, x + pad, ty, w - 2 * pad, meta, COL_MUTED);
		ty += msz + msz / 3;
	}
	if (snippet && *snippet) {
		int ssz = ui_sz(u, SZ_META) + ui_px(u, 2);
		ty += ui_px(u, 4);
		ty += ui_dl_para(u, d, ssz, x + pad, ty, w - 2 * pad, snippet, marks, n_marks, COL_TEXT,
				 0, 0, ssz / 2);
	}
	h = ty - y + pad - sz / 3;
	if (h < ui_px(u, 96))
		h = ui_px(u, 96); /* touch targets stay large */
	/* background card under the text: replace the placeholder */
	d->items[start] = (struct dl_item){ .type = DL_FILL, .x = x, .y = y, .w = w, .h = h,
					    .color = COL_CARD };
	dl_frame(d, x, y, w, h, 1, COL_LINE);
	if (badge) {
		int bx = x + w - pad - bw, by = y + pad;
		int bh = msz * 3 / 2 + ui_px(u, 8);
		dl_fill(d, bx, by, bw, bh, badge_col);
		dl_line(u, d, msz, bx + ui_px(u, 14), ui_text_top(by, bh, msz), bw, badge, 0xFFFFFFFFu);
	}
	dl_link(d, x, y, w, h, a, arg);
	return h + ui_px(u, 16);
}

static void doc_meta_line(const struct kk_doc_summary *s, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s · %s", s->doc_no ? s->doc_no : "", s->doc_no ? " · " : "",
		 s->publisher ? s->publisher : "", s->published ? s->published : "");
}

static int build_doc_rows(struct ui *u, struct dl *d, int y, const struct kk_doc_list *l)
{
	char meta[512];
	for (size_t i = 0; i < l->n; i++) {
		const struct kk_doc_summary *s = &l->items[i];
		doc_meta_line(s, meta, sizeof meta);
		y += dl_row(u, d, y, s->title, meta, kk_validity_name(s->validity),
			    validity_color(s->validity), ACT_OPEN_DOC, s->id);
	}
	return y;
}

/* A row of chips "按主题分类" "按发布机构" … opening the facet lists; returns the new y. */
static int build_facet_chips(struct ui *u, struct dl *d, int y)
{
	int csz = ui_sz(u, SZ_META) + ui_px(u, 2), ch = ui_px(u, 84), gap = ui_px(u, 12), x = 0;
	int w = content_width(u);
	char label[64];
	for (int f = KK_FACET_TOPIC; f <= KK_FACET_YEAR; f++) {
		int cw;
		snprintf(label, sizeof label, "按%s浏览", kk_facet_name(f));
		cw = ui_text_width(u, csz, label) + 2 * ui_px(u, 24);
		if (x && x + cw > w) {
			x = 0;
			y += ch + gap;
		}
		dl_fill(d, x, y, cw, ch, COL_CARD);
		dl_frame(d, x, y, cw, ch, 2, COL_ACCENT);
		dl_line(u, d, csz, x + ui_px(u, 24), ui_text_top(y, ch, csz), cw, label, COL_ACCENT);
		dl_link(d, x, y, cw, ch, ACT_OPEN_FACETS, f);
		x += cw + gap;
	}
	return y + ch + ui_px(u, 24);
}

/* The values of one facet with their counts; a tap lists the documents. */
static void build_facets(struct ui *u, struct ui_screen *sc)
{
	char meta[64];
	int y = 0;
	if (!sc->facets.items && kk_catalog_facets(u->cat, sc->facet, &sc->facets))
		return;
	for (size_t i = 0; i < sc->facets.n; i++) {
		snprintf(meta, sizeof meta, "%ld 件", sc->facets.items[i].count);
		y += dl_row(u, &sc->dl, y, sc->facets.items[i].name, meta, NULL, 0, ACT_FACET_PICK,
			    (int64_t)i);
	}
}

static void build_docs(struct ui *u, struct ui_screen *sc)
{
	struct kk_doc_query q = { 0 };
	struct kk_doc_list l;
	char msg[128];
	int y = 0;

	q.series = sc->series;
	q.limit = 500;
	switch (sc->facet) {
	case KK_FACET_TOPIC: q.topic = sc->facet_value; break;
	case KK_FACET_PUBLISHER: q.publisher = sc->facet_value; break;
	case KK_FACET_GENRE: q.genre = sc->facet_value; break;
	case KK_FACET_YEAR: q.year = atoi(sc->facet_value); break;
	default:
		/* the whole 目录: offer browsing by facet first, as large chips */
		y = build_facet_chips(u, &sc->dl, y);
		break;
	}
	if (kk_catalog_list_docs(u->cat, &q, &l)) {
		dl_line(u, &sc->dl, ui_sz(u, SZ_BODY), 0, 0, content_width(u), "目录暂时无法读取，请联系工作人员。",
			COL_TEXT);
		return;
	}
	snprintf(msg, sizeof msg, "共 %zu 件%s", l.total, l.total > l.n ? "，显示最新的 500 件" : "");
	dl_line(u, &sc->dl, ui_sz(u, SZ_META), 0, y, content_width(u), msg, COL_MUTED);
	y += ui_sz(u, SZ_META) * 2;
	build_doc_rows(u, &sc->dl, y, &l);
	kk_doc_list_fini(&l);
}

/* Load an image from the catalogue into the display list's textures; returns its index. */
static int dl_image(struct ui *u, struct dl *d, int64_t media, int *w, int *h)
{
	void *data = NULL;
	size_t len = 0;
	const char *mime;
	SDL_Texture *t;
	SDL_Texture **p;

	if (kk_catalog_get_media(u->cat, media, &data, &len, &mime))
		return -1;
	t = IMG_LoadTexture_RW(u->r, SDL_RWFromConstMem(data, (int)len), 1);
	free(data);
	if (!t) {
		kk_warn("ui", "image %lld cannot be decoded: %s", (long long)media, IMG_GetError());
		return -1;
	}
	SDL_QueryTexture(t, NULL, NULL, w, h);
	p = realloc(d->images, (d->n_images + 1) * sizeof *p);
	if (!p) {
		SDL_DestroyTexture(t);
		return -1;
	}
	d->images = p;
	p[d->n_images] = t;
	return (int)d->n_images++;
}

/* Images held by one screen at most: page images are big (an A4 page ~ 4.7 MB as a texture). */
#define UI_MAX_IMAGES 24

static int build_image(struct ui *u, struct dl *d, int y, int64_t media, int maxw)
{
	int w = 0, h = 0, idx;
	if (d->n_images >= UI_MAX_IMAGES)
		return 0;
	idx = dl_image(u, d, media, &w, &h);
	struct dl_item it = { .type = DL_IMAGE };
	if (idx < 0 || w <= 0 || h <= 0)
		return 0;
	/* scale to the width (never enlarge more than 2x: blurry page images help nobody) */
	if (w > maxw || w * 2 < maxw) {
		int nw = w > maxw ? maxw : w * 2;
		h = (int)((long)h * nw / w);
		w = nw;
	}
	it.x = (maxw - w) / 2;
	it.y = y;
	it.w = w;
	it.h = h;
	it.arg = idx;
	dl_add(d, &it);
	dl_frame(d, it.x, y, w, h, 1, COL_LINE);
	return h + ui_px(u, 24);
}

/* A table: equal columns (at least 3 em), rows as tall as their tallest cell; merged cells. */
static int build_table(struct ui *u, struct dl *d, int y, const struct kk_block *b, int width)
{
	int sz = ui_sz(u, SZ_BODY), pad = ui_px(u, 10), cols = b->cols, rows = b->rows;
	int colw, *rowy = NULL, *rowh = NULL, total = 0, y_hint = y;
	size_t first;

	if (!cols || !rows || !b->n_cells)
		return 0;
	colw = width / cols;
	if (colw < 5 * sz) {
		/* too many columns for the page: cells keep a readable width and the table scrolls
		 * sideways under the finger; a line above says so (words, not only an edge cue) */
		colw = 5 * sz;
		y += ui_dl_para(u, d, ui_sz(u, SZ_META), 0, y, width, "表格较宽，请用手指左右拖动表格查看 ⇆",
				NULL, 0, COL_ACCENT, 0, 0, ui_px(u, 8)) + ui_px(u, 6);
	}
	first = d->n;
	rowh = calloc((size_t)rows, sizeof *rowh);
	rowy = calloc((size_t)rows + 1, sizeof *rowy);
	if (!rowh || !rowy)
		goto out;
	/* pass 1: heights of single-row cells; pass 2: make spanning cells fit */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < b->n_cells; i++) {
			const struct kk_cell *c = &b->cells[i];
			struct dl scratch = { 0 };
			int cw = colw * c->colspan - 2 * pad, ch, have = 0;
			if (c->row >= rows || (pass == 0) != (c->rowspan == 1))
				continue;
			ch = ui_dl_para(u, &scratch, sz, 0, 0, cw > sz ? cw : sz, c->text, NULL, 0, 0, 0,
					0, sz / 3) + 2 * pad;
			dl_fini(&scratch);
			for (int r = c->row; r < c->row + c->rowspan && r < rows; r++)
				have += rowh[r];
			if (ch > have) {
				int last = c->row + c->rowspan - 1 < rows ? c->row + c->rowspan - 1 : rows - 1;
				rowh[last] += ch - have;
			}
		}
	}
	for (int r = 0; r < rows; r++) {
		if (rowh[r] < sz + 2 * pad)
			rowh[r] = sz + 2 * pad;
		rowy[r + 1] = rowy[r] + rowh[r];
	}
	for (size_t i = 0; i < b->n_cells; i++) {
		const struct kk_cell *c = &b->cells[i];
		int r2 = c->row + c->rowspan > rows ? rows : c->row + c->rowspan;
		int cx = c->col * colw, cy = y + rowy[c->row], cw = colw * c->colspan,
		    chh = rowy[r2] - rowy[c->row];
		if (c->row >= rows)
			continue;
		if (c->head)
			dl_fill(d, cx, cy, cw, chh, 0xE9E4D8FFu);
		dl_frame(d, cx, cy, cw + 1, chh + 1, 1, COL_MUTED);
		ui_dl_para(u, d, sz, cx + pad, cy + pad, cw - 2 * pad > sz ? cw - 2 * pad : sz, c->text,
			   NULL, 0, COL_TEXT, 0, 0, sz / 3);
	}
	if (colw * cols > width)
		dl_band_add(d, first, 0, width, colw * cols + 1);
	total = y - y_hint + rowy[rows] + ui_px(u, 24);
out:
	free(rowh);
	free(rowy);
	return total > 0 ? total : 0;
}

/* Lay out a body at y with the given width; returns the new y. */
static int build_body(struct ui *u, struct dl *d, int y, const struct kk_body *b, int width)
{
	int sz = ui_sz(u, SZ_BODY), gap = sz * 3 / 5;
	char buf[4096];

	for (size_t i = 0; b && i < b->n; i++) {
		const struct kk_block *blk = &b->blocks[i];
		const char *text = blk->text ? blk->text : "";
		switch (blk->kind) {
		case KK_BLOCK_HEADING: {
			int hs = blk->level <= 1 ? sz + ui_px(u, 4) : sz;
			snprintf(buf, sizeof buf, "%s%s", blk->marker ? blk->marker : "", text);
			utf8_cut(buf);
			y += ui_px(u, 8);
			y += ui_dl_para(u, d, hs, 0, y, width, buf, NULL, 0,
					blk->level <= 1 ? COL_ACCENT : COL_TEXT, 0, 0, gap);
			y += ui_px(u, 8);
			break;
		}
		case KK_BLOCK_PARA:
			y += ui_dl_para(u, d, sz, 0, y, width, text, blk->emph, blk->n_emph, COL_TEXT,
					2 * sz, 0, gap);
			y += gap / 2;
			break;
		case KK_BLOCK_ITEM: {
			int base = (blk->level > 1 ? blk->level - 1 : 0) * sz * 2;
			const char *mk = blk->marker ? blk->marker : "•";
			int mw = ui_text_width(u, sz, mk);
			size_t ml = strlen(mk);
			struct kk_span sp[64];
			size_t ns = blk->n_emph < 64 ? blk->n_emph : 64;
			for (size_t k = 0; k < ns; k++) {
				sp[k].start = blk->emph[k].start + (uint32_t)ml;
				sp[k].end = blk->emph[k].end + (uint32_t)ml;
			}
			snprintf(buf, sizeof buf, "%s%s", mk, text);
			y += ui_dl_para(u, d, sz, 0, y, width, strlen(text) + ml < sizeof buf ? buf : text,
					sp, strlen(text) + ml < sizeof buf ? ns : 0, COL_TEXT,
					base + 2 * sz, base + 2 * sz + mw, gap);
			y += gap / 2;
			break;
		}
		case KK_BLOCK_TABLE:
			if (blk->text && *blk->text)
				y += ui_dl_para(u, d, sz, 0, y, width, blk->text, NULL, 0, COL_MUTED, 0, 0,
						gap);
			y += build_table(u, d, y, blk, width);
			break;
		case KK_BLOCK_IMAGE:
			if (blk->media_id)
				y += build_image(u, d, y, blk->media_id, width);
			break;
		case KK_BLOCK_RULE:
			dl_fill(d, 0, y + gap / 2, width, 2, COL_LINE);
			y += gap;
			break;
		}
	}
	return y;
}

/*
 * A link written as text: the paragraph centred in a touch target at least UI_TARGET px high
 * that spans the content width (x - inset .. x + width + inset), optionally underlined (a cue
 * that is not colour alone). Returns the height used.
 */
static int dl_link_text(struct ui *u, struct dl *d, int sz, int x, int y, int width, const char *text,
			uint32_t color, int underline, enum ui_action a, int64_t arg)
{
	struct dl scratch = { 0 };
	int lh = ui_dl_para(u, &scratch, sz, 0, 0, width, text, NULL, 0, 0, 0, 0, sz / 2);
	int th = lh > ui_px(u, UI_TARGET) ? lh : ui_px(u, UI_TARGET), ty = y + (th - lh) / 2;
	dl_fini(&scratch);
	ui_dl_para(u, d, sz, x, ty, width, text, NULL, 0, color, 0, 0, sz / 2);
	if (underline)
		dl_fill(d, x, ty + lh - sz / 4, width, ui_px(u, 2) > 1 ? ui_px(u, 2) : 2, color);
	dl_link(d, 0, y, content_width(u), th, a, arg);
	return th;
}

static const char *validity_banner(int v)
{
	switch (v) {
	case KK_EXPIRED: return "本文件已失效，仅供查阅参考。";
	case KK_REPEALED: return "本文件已废止，仅供查阅参考。";
	case KK_AMENDED: return "本文件已修订，请以修订后的文件为准。";
	default: return NULL;
	}
}

static void build_doc(struct ui *u, struct ui_screen *sc)
{
	struct kk_doc *doc = NULL;
	struct dl *d = &sc->dl;
	int w = content_width(u), y = 0, sz = ui_sz(u, SZ_BODY), msz = ui_sz(u, SZ_META) + 2;
	int rc = kk_catalog_get_doc(u->cat, sc->arg, &doc);
	char buf[3072];

	if (rc) {
		ui_dl_para(u, d, sz, 0, 0, w, "这份文件暂时无法显示，请联系工作人员。", NULL, 0, COL_TEXT,
			   0, 0, sz / 2);
		kk_error("ui", "document %lld: %s", (long long)sc->arg, kk_err_name(rc));
		return;
	}
	snprintf(sc->title, sizeof sc->title, "%s", doc->title);
	if (validity_banner(doc->validity)) {
		int bh, top = y;
		size_t at = d->n;
		dl_fill(d, 0, y, w, 1, 0);
		y += ui_px(u, 20);
		y += ui_dl_para(u, d, sz, ui_px(u, 24), y, w - ui_px(u, 48),
				validity_banner(doc->validity), NULL, 0, 0xFFFFFFFFu, 0, 0, sz / 2);
		if (doc->replaced_by.id) {
			snprintf(buf, sizeof buf, "现行文件：%s（点此查看）", doc->replaced_by.title);
			utf8_cut(buf);
			y += dl_link_text(u, d, sz, ui_px(u, 24), y, w - ui_px(u, 48), buf, 0xFFFFFFFFu, 0,
					  ACT_OPEN_DOC, doc->replaced_by.id);
		}
		y += ui_px(u, 12);
		bh = y - top;
		d->items[at] = (struct dl_item){ .type = DL_FILL, .x = 0, .y = top, .w = w, .h = bh,
						 .color = validity_color(doc->validity) };
		y += ui_px(u, 24);
	}
	y += ui_dl_para(u, d, ui_sz(u, SZ_TITLE), 0, y, w, doc->title, NULL, 0, COL_TEXT, 0, 0,
			ui_px(u, 14));
	y += ui_px(u, 20);
	if (doc->series == KK_SERIES_GUIDE && (u->info.contact_office || u->info.contact_phone)) {
		/* 依申请公开, plainly, before anything else: where to go, when, whom to call */
		const char *labels[] = { "受理机构", "地　　址", "办公时间", "咨询电话" };
		const char *values[] = { u->info.contact_office, u->info.contact_address,
					 u->info.contact_hours, u->info.contact_phone };
		int top = y, pad = ui_px(u, 20), lw = 5 * (msz + 2);
		size_t at = d->n;
		dl_fill(d, 0, y, w, 1, 0);
		y += pad;
		y += ui_dl_para(u, d, sz, pad, y, w - 2 * pad, "申请政府信息公开（依申请公开）", NULL, 0,
				0xFFFFFFFFu, 0, 0, sz / 3);
		y += ui_px(u, 8);
		for (int i = 0; i < 4; i++) {
			if (!values[i])
				continue;
			dl_line(u, d, msz + 2, pad, y, lw, labels[i], 0xFFFFFFFFu);
			y += ui_dl_para(u, d, msz + 2, pad + lw + pad, y, w - lw - 3 * pad, values[i], NULL,
					0, 0xFFFFFFFFu, 0, 0, msz / 2);
		}
		y += pad;
		d->items[at] = (struct dl_item){ .type = DL_FILL, .x = 0, .y = top, .w = w,
						 .h = y - top, .color = 0x5B3A8CFFu };
		y += ui_px(u, 24);
	}
	{
		/* the catalogue card: 索引号, 文号, 发布机构, dates, 有效性, 主题分类 */
		const char *labels[8], *values[8];
		char topics[512] = "";
		int n = 0, top = y, lw = 5 * msz, pad = ui_px(u, 20);
		size_t at = d->n;
		for (size_t i = 0; i < doc->n_topics; i++)
			snprintf(topics + strlen(topics), sizeof topics - strlen(topics), "%s%s",
				 i ? "、" : "", doc->topics[i]);
		utf8_cut(topics);
		labels[n] = "索 引 号"; values[n++] = doc->index_no;
		labels[n] = "文　　号"; values[n++] = doc->doc_no;
		labels[n] = "发布机构"; values[n++] = doc->publisher;
		labels[n] = "成文日期"; values[n++] = doc->written;
		labels[n] = "公开日期"; values[n++] = doc->published;
		labels[n] = "有 效 性"; values[n++] = kk_validity_name(doc->validity);
		labels[n] = "主题分类"; values[n++] = doc->n_topics ? topics : NULL;
		labels[n] = "体　　裁"; values[n++] = doc->genre;
		dl_fill(d, 0, y, w, 1, 0);
		y += pad;
		for (int i = 0; i < n; i++) {
			if (!values[i] || !*values[i])
				continue;
			dl_line(u, d, msz, pad, y, lw, labels[i], COL_MUTED);
			y += ui_dl_para(u, d, msz, pad + lw + pad, y, w - lw - 3 * pad, values[i], NULL, 0,
					COL_TEXT, 0, 0, msz / 2);
		}
		y += pad;
		d->items[at] = (struct dl_item){ .type = DL_FILL, .x = 0, .y = top, .w = w,
						 .h = y - top, .color = 0xFBF8F2FFu };
		dl_frame(d, 0, top, w, y - top, 1, COL_LINE);
		y += ui_px(u, 32);
	}
	if (doc->interprets.id) {
		snprintf(buf, sizeof buf, "解读的文件：%s", doc->interprets.title);
		utf8_cut(buf);
		y += dl_link_text(u, d, sz, ui_px(u, 24), y, w - ui_px(u, 48), buf, COL_ACCENT, 1,
				  ACT_OPEN_DOC, doc->interprets.id) + ui_px(u, 24);
	}
	y = build_body(u, d, y, doc->body, w);
	for (size_t i = 0; i < doc->n_attachments; i++) {
		const struct kk_attachment *a = &doc->attachments[i];
		y += ui_px(u, 16);
		snprintf(buf, sizeof buf, "附件：%s%s", a->title,
			 a->pages ? "" : "（请到服务窗口查阅）");
		utf8_cut(buf);
		y += ui_dl_para(u, d, sz, 0, y, w, buf, NULL, 0, COL_ACCENT, 0, 0, sz / 2);
		for (int p = 0; p < a->pages && p < 20; p++)
			y += build_image(u, d, y, a->page_media[p], w);
	}
	if (doc->n_interpretations) {
		y += ui_px(u, 24);
		y += ui_dl_para(u, d, sz, 0, y, w, "本文件的解读", NULL, 0, COL_ACCENT, 0, 0, sz / 2);
		for (size_t i = 0; i < doc->n_interpretations; i++)
			y += dl_row(u, d, y, doc->interpretations[i].title, NULL, NULL, 0, ACT_OPEN_DOC,
				    doc->interpretations[i].id);
	}
	if (doc->url) {
		y += ui_px(u, 24);
		snprintf(buf, sizeof buf, "网上原文：%s", doc->url);
		utf8_cut(buf);
		y += ui_dl_para(u, d, msz, 0, y, w, buf, NULL, 0, COL_MUTED, 0, 0, msz / 2);
	}
	dl_fill(d, 0, y + ui_px(u, 40), 1, 1, COL_BG); /* bottom breathing room */
	kk_doc_free(doc);
}

static void build_book(struct ui *u, struct ui_screen *sc)
{
	struct kk_group_list l;
	char meta[64];
	int y = 0;
	snprintf(sc->title, sizeof sc->title, "%s事项一本通", kk_book_name((int)sc->arg));
	if (kk_catalog_list_groups(u->cat, (int)sc->arg, &l))
		return;
	for (size_t i = 0; i < l.n; i++) {
		snprintf(meta, sizeof meta, "共 %d 项", l.items[i].n_guides);
		y += dl_row(u, &sc->dl, y, l.items[i].name, meta, NULL, 0, ACT_OPEN_GROUP, l.items[i].id);
	}
	kk_group_list_fini(&l);
}

static void build_group(struct ui *u, struct ui_screen *sc)
{
	struct kk_guide_list l;
	int y = 0;
	if (kk_catalog_list_guides(u->cat, sc->arg, &l))
		return;
	for (size_t i = 0; i < l.n; i++)
		y += dl_row(u, &sc->dl, y, l.items[i].title, NULL, NULL, 0, ACT_OPEN_GUIDE, l.items[i].id);
	kk_guide_list_fini(&l);
}

static void build_guide(struct ui *u, struct ui_screen *sc)
{
	struct kk_guide *g = NULL;
	struct dl *d = &sc->dl;
	int w = content_width(u), y = 0, sz = ui_sz(u, SZ_BODY);
	char buf[512];

	if (kk_catalog_get_guide(u->cat, sc->arg, &g)) {
		ui_dl_para(u, d, sz, 0, 0, w, "这项办事指南暂时无法显示，请联系工作人员。", NULL, 0,
			   COL_TEXT, 0, 0, sz / 2);
		return;
	}
	snprintf(sc->title, sizeof sc->title, "%s", g->title);
	y += ui_dl_para(u, d, ui_sz(u, SZ_TITLE), 0, y, w, g->title, NULL, 0, COL_TEXT, 0, 0,
			ui_px(u, 14));
	snprintf(buf, sizeof buf, "%s事项一本通 › %s%s%s", kk_book_name(g->book), g->group,
		 g->updated ? " · 更新于 " : "", g->updated ? g->updated : "");
	y += ui_px(u, 8);
	dl_line(u, d, ui_sz(u, SZ_META), 0, y, w, buf, COL_MUTED);
	y += ui_sz(u, SZ_META) * 2;
	/* a quick index: one large chip per section, each jumping to it (patched below once the
	 * sections are laid out and their places known) */
	size_t *chip = calloc(g->n_sections ? g->n_sections : 1, sizeof *chip);
	{
		int csz = ui_sz(u, SZ_META) + ui_px(u, 2), ch = ui_px(u, 84), gap = ui_px(u, 12), x = 0;
		for (size_t i = 0; chip && i < g->n_sections; i++) {
			int cw = ui_text_width(u, csz, g->sections[i].label) + 2 * ui_px(u, 20);
			chip[i] = (size_t)-1;
			if (i == 0 && g->n_sections > 1 && !strcmp(g->sections[0].label, "事项名称"))
				continue; /* the title says it already */
			if (cw > w)
				cw = w;
			if (x && x + cw > w) {
				x = 0;
				y += ch + gap;
			}
			dl_fill(d, x, y, cw, ch, COL_CARD);
			dl_frame(d, x, y, cw, ch, 2, COL_BAR);
			dl_line(u, d, csz, x + ui_px(u, 20), ui_text_top(y, ch, csz), cw - ui_px(u, 40),
				g->sections[i].label, COL_BAR);
			chip[i] = d->n;
			dl_link(d, x, y, cw, ch, ACT_SCROLL_TO, 0);
			x += cw + gap;
		}
		y += ch + ui_px(u, 32);
	}
	for (size_t i = 0; i < g->n_sections; i++) {
		int lh;
		if (chip && chip[i] != (size_t)-1 && chip[i] < d->n)
			d->items[chip[i]].arg = y > ui_px(u, 16) ? y - ui_px(u, 16) : 0;
		dl_fill(d, 0, y, ui_px(u, 8), sz + ui_px(u, 8), COL_BAR);
		lh = ui_dl_para(u, d, sz + ui_px(u, 2), ui_px(u, 24), y, w - ui_px(u, 24),
				g->sections[i].label, NULL, 0, COL_BAR, 0, 0, sz / 2);
		y += lh + ui_px(u, 8);
		y = build_body(u, d, y, g->sections[i].body, w);
		y += ui_px(u, 20);
	}
	free(chip);
	kk_guide_free(g);
}

static const char *hit_kind_label(int kind)
{
	switch (kind) {
	case KK_HIT_GUIDE: return "办事指南";
	case KK_HIT_INTERPRETATION: return "政策解读";
	default: return "文件";
	}
}

/* Height of the keyboard on the search screen: what it asks for, but never more than half
 * the screen, so results stay visible above it. */
static int keyboard_height(struct ui *u)
{
	int h = kb_pref_height(u->s), min = kb_min_height(u->s);
	if (h > u->h / 2)
		h = u->h / 2 > min ? u->h / 2 : min;
	return h;
}

static int keyboard_shown(struct ui *u)
{
	return u->kb && u->kb_shown && u->stack[u->depth - 1].kind == SCR_SEARCH;
}

/* The filter chips of the search screen: what kind of result, and 只看有效. */
static int build_search_filters(struct ui *u, struct dl *d, int y)
{
	static const char *const names[] = { "全部", "文件", "办事指南", "政策解读" };
	int csz = ui_sz(u, SZ_META) + ui_px(u, 2), ch = ui_px(u, 84), gap = ui_px(u, 12), x = 0;
	for (int i = 0; i <= 4; i++) {
		const char *label = i < 4 ? names[i] : (u->search_valid ? "✓ 只看有效" : "只看有效");
		int on = i < 4 ? u->search_kind == i : u->search_valid;
		int cw = ui_text_width(u, csz, label) + 2 * ui_px(u, 24);
		if (cw < ui_px(u, UI_TARGET) + ui_px(u, 20))
			cw = ui_px(u, UI_TARGET) + ui_px(u, 20);
		if (x + cw > content_width(u)) {
			x = 0;
			y += ch + gap;
		}
		dl_fill(d, x, y, cw, ch, on ? COL_ACCENT : COL_CARD);
		dl_frame(d, x, y, cw, ch, ui_px(u, 2), COL_ACCENT);
		dl_line(u, d, csz, x + ui_px(u, 24), ui_text_top(y, ch, csz), cw, label,
			on ? 0xFFFFFFFFu : COL_ACCENT);
		dl_link(d, x, y, cw, ch, ACT_SEARCH_FILTER, i);
		x += cw + gap;
	}
	return y + ch + ui_px(u, 20);
}

/* Run the visitor's query with the screen's filters. */
static int run_search(struct ui *u, const char *text, size_t limit, struct kk_search_results *r)
{
	static const unsigned kinds[] = { 0, KK_SEARCH_KIND(KK_HIT_DOCUMENT), KK_SEARCH_KIND(KK_HIT_GUIDE),
					  KK_SEARCH_KIND(KK_HIT_INTERPRETATION) };
	struct kk_search_query q = { 0 };
	q.text = text;
	q.kinds = kinds[u->search_kind & 3];
	q.validity = u->search_valid ? KK_VALID : 0;
	q.limit = limit;
	return kk_catalog_search(u->cat, &q, r);
}

/*
 * Nothing found: say so plainly, then offer what might help — shorter words of the query that
 * do find something (each pair of characters, tried in order), the two 一本通 and the catalogue.
 */
static int build_search_none(struct ui *u, struct dl *d, int y)
{
	int sz = ui_sz(u, SZ_BODY), w = content_width(u), n_sugg = 0;
	char msg[600], seen[4][32];

	snprintf(msg, sizeof msg, "没有找到与“%s”有关的内容。", u->query);
	utf8_cut(msg);
	y += ui_dl_para(u, d, sz, 0, y, w, msg, NULL, 0, COL_TEXT, 0, 0, sz / 2) + ui_px(u, 12);
	/* nearby terms: words of the content's synonym table that share a character with what
	 * was typed and do find something */
	{
		char cand[12][32];
		int nc = kk_catalog_related_words(u->cat, u->query, cand, 12);
		for (int k = 0; k < nc && n_sugg < 4; k++) {
			struct kk_search_results r = { 0 };
			if (strlen(cand[k]) < sizeof seen[0] && !run_search(u, cand[k], 1, &r) && r.n)
				snprintf(seen[n_sugg++], sizeof seen[0], "%s", cand[k]);
			kk_search_results_fini(&r);
		}
	}
	if (n_sugg) {
		int x = 0, ch = ui_px(u, 84), csz = ui_sz(u, SZ_META) + ui_px(u, 4);
		dl_line(u, d, ui_sz(u, SZ_META), 0, y, w, "可以试试这些词：", COL_MUTED);
		y += ui_sz(u, SZ_META) * 2;
		for (int k2 = 0; k2 < n_sugg; k2++) {
			int cw = ui_text_width(u, csz, seen[k2]) + 2 * ui_px(u, 28);
			if (cw < ui_px(u, UI_TARGET) + ui_px(u, 40))
				cw = ui_px(u, UI_TARGET) + ui_px(u, 40);
			dl_fill(d, x, y, cw, ch, COL_CARD);
			dl_frame(d, x, y, cw, ch, ui_px(u, 2), COL_ACCENT);
			dl_line(u, d, csz, x + (cw - ui_text_width(u, csz, seen[k2])) / 2,
				ui_text_top(y, ch, csz), cw, seen[k2], COL_ACCENT);
			dl_link(d, x, y, cw, ch, ACT_SEARCH_SUGGEST, k2);
			x += cw + ui_px(u, 12);
		}
		memcpy(u->suggest, seen, sizeof seen);
		u->n_suggest = n_sugg;
		y += ch + ui_px(u, 24);
	}
	dl_line(u, d, ui_sz(u, SZ_META), 0, y, w, "也可以按类别查找：", COL_MUTED);
	y += ui_sz(u, SZ_META) * 2;
	y += dl_row(u, d, y, "惠民事项一本通", "个人办事：证件、户籍、社保、医疗、住房……", NULL, 0,
		    ACT_OPEN_BOOK, KK_BOOK_HUIMIN);
	y += dl_row(u, d, y, "惠企事项一本通", "企业办事：开办、许可、税费、用工……", NULL, 0,
		    ACT_OPEN_BOOK, KK_BOOK_HUIQI);
	y += dl_row(u, d, y, "政府信息公开目录", "按主题、发布机构、年份浏览全部文件", NULL, 0,
		    ACT_OPEN_DOCS, 0);
	return y;
}

static void build_search(struct ui *u, struct ui_screen *sc)
{
	struct kk_search_results r = { 0 };
	char msg[600], meta[512];
	int y = 0, sz = ui_sz(u, SZ_BODY);

	u->n_suggest = 0;
	if (!u->query[0]) {
		ui_dl_para(u, &sc->dl, sz, 0, 0, content_width(u),
			   "请用下面的键盘输入想办的事或想找的文件，例如“身份证”“开饭店”“低保”，"
			   "也可以输入文号或年份。", NULL, 0, COL_MUTED, 0, 0, sz / 2);
		return;
	}
	/* while the keyboard is up the results have little room: the filter chips wait until
	 * 搜索 puts it away */
	if (!keyboard_shown(u))
		y = build_search_filters(u, &sc->dl, y);
	if (run_search(u, u->query, 50, &r)) {
		ui_dl_para(u, &sc->dl, sz, 0, y, content_width(u), "搜索暂时无法使用，请按类别查找。", NULL, 0,
			   COL_TEXT, 0, 0, sz / 2);
		return;
	}
	u->search_hits = r.n;
	if (!r.n) {
		build_search_none(u, &sc->dl, y);
		kk_search_results_fini(&r);
		return;
	}
	snprintf(msg, sizeof msg, "找到 %zu%s 条结果%s", r.total, r.total_capped ? " 多" : "",
		 r.task && (u->search_kind == 0 || u->search_kind == 2) ? "，办事指南在前" : "");
	dl_line(u, &sc->dl, ui_sz(u, SZ_META), 0, y, content_width(u), msg, COL_MUTED);
	y += ui_sz(u, SZ_META) * 2;
	for (size_t i = 0; i < r.n; i++) {
		const struct kk_search_hit *h = &r.items[i];
		int guide = h->kind == KK_HIT_GUIDE;
		char ref[256];
		snprintf(ref, sizeof ref, "%s", h->ref ? h->ref : "");
		if (guide) {
			/* the 一本通 path ends with the guide's own name, already the row's title */
			char *last = strstr(ref, " › ");
			for (char *p = last; p; p = strstr(p + 1, " › "))
				last = p;
			if (last && !strcmp(last + strlen(" › "), h->title))
				*last = '\0';
		}
		snprintf(meta, sizeof meta, "%s%s%s%s%s", hit_kind_label(h->kind), ref[0] ? " · " : "",
			 ref, h->date ? " · " : "", h->date ? h->date : "");
		utf8_cut(meta);
		y += dl_row_ex(u, &sc->dl, y, h->title, meta, guide ? NULL : kk_validity_name(h->validity),
			       validity_color(h->validity), guide ? ACT_OPEN_GUIDE : ACT_OPEN_DOC, h->id,
			       h->snippet, h->marks, h->n_marks);
	}
	kk_search_results_fini(&r);
}

/* (Re)build the current screen's content for the current width. */
static void screen_build(struct ui *u, struct ui_screen *sc)
{
	dl_fini(&sc->dl);
	sc->dl_width = u->w;
	sc->dl_large = u->large;
	if (!u->cat)
		return;
	switch (sc->kind) {
	case SCR_DOCS: build_docs(u, sc); break;
	case SCR_DOC: build_doc(u, sc); break;
	case SCR_BOOK: build_book(u, sc); break;
	case SCR_GROUP: build_group(u, sc); break;
	case SCR_GUIDE: build_guide(u, sc); break;
	case SCR_SEARCH: build_search(u, sc); break;
	case SCR_FACETS: build_facets(u, sc); break;
	default: break;
	}
}

/* ---- navigation -------------------------------------------------------------------------- */

void ui_screen_fini(struct ui_screen *sc)
{
	dl_fini(&sc->dl);
	kk_facet_list_fini(&sc->facets);
	memset(sc, 0, sizeof *sc);
}

void ui_push(struct ui *u, enum ui_screen_kind kind, int64_t arg)
{
	struct ui_screen *sc;
	if (u->depth == UI_MAX_DEPTH) {
		/* a long chain of links: forget the oldest step but home */
		ui_screen_fini(&u->stack[1]);
		memmove(&u->stack[1], &u->stack[2], (UI_MAX_DEPTH - 2) * sizeof u->stack[0]);
		memset(&u->stack[UI_MAX_DEPTH - 1], 0, sizeof u->stack[0]);
		u->depth--;
	}
	if (u->depth > 0) {
		/* the screen underneath keeps its scroll position but not its display list and
		 * images: it is rebuilt when it is on top again (see ui_draw) */
		dl_fini(&u->stack[u->depth - 1].dl);
		u->stack[u->depth - 1].dl_width = 0;
	}
	u->n_hits = 0; /* no tap may hit a region of the screen we are leaving */
	sc = &u->stack[u->depth++];
	memset(sc, 0, sizeof *sc);
	sc->kind = kind;
	sc->arg = arg;
	sc->keep_frac = -1;
	if (kind == SCR_DOCS && arg < 0) {
		/* filtered on a facet: the caller sets the value and builds (ACT_FACET_PICK) */
		sc->facet = (int)-arg;
		return;
	} else if (kind == SCR_DOCS) {
		sc->series = (int)arg;
		snprintf(sc->title, sizeof sc->title, "%s",
			 arg == KK_SERIES_INTERPRETATION ? "政策解读" : "政府信息公开目录");
	} else if (kind == SCR_GROUP) {
		struct kk_group_list l;
		for (int b = KK_BOOK_HUIMIN; b <= KK_BOOK_HUIQI && !sc->title[0]; b++)
			if (u->cat && !kk_catalog_list_groups(u->cat, b, &l)) {
				for (size_t i = 0; i < l.n; i++)
					if (l.items[i].id == arg)
						snprintf(sc->title, sizeof sc->title, "%s", l.items[i].name);
				kk_group_list_fini(&l);
			}
	} else if (kind == SCR_SEARCH) {
		snprintf(sc->title, sizeof sc->title, "搜索");
	} else if (kind == SCR_FACETS) {
		sc->facet = (int)arg;
		snprintf(sc->title, sizeof sc->title, "按%s浏览", kk_facet_name((int)arg));
	}
	screen_build(u, sc);
	u->dirty = 1;
}

void ui_pop(struct ui *u)
{
	if (u->depth <= 1)
		return;
	ui_search_count_miss(u);
	ui_screen_fini(&u->stack[--u->depth]);
	u->n_hits = 0;
	u->dirty = 1;
}

void ui_go_home(struct ui *u)
{
	while (u->depth > 1)
		ui_pop(u);
	u->query[0] = '\0';
	u->search_kind = 0;
	u->search_valid = 0;
	u->search_hits = 0;
	u->n_suggest = 0;
	u->kb_shown = 1;
	u->writing = 0;
	if (u->kb)
		kb_reset(u->kb);
	u->dirty = 1;
}

int ui_content_bottom(struct ui *u)
{
	return u->h - ui_px(u, FOOT_H) - (keyboard_shown(u) ? keyboard_height(u) : 0);
}

void ui_keyboard_event(struct ui *u, const struct kb_event *ev)
{
	int changed = 0;
	if (ev->flags & KB_EV_CLEAR) {
		changed = u->query[0] != 0;
		u->query[0] = '\0';
	}
	if ((ev->flags & KB_EV_BACKSPACE) && u->query[0]) {
		size_t n = strlen(u->query);
		while (n > 0 && ((unsigned char)u->query[n - 1] & 0xC0) == 0x80)
			n--;
		u->query[n > 0 ? n - 1 : 0] = '\0';
		changed = 1;
	}
	if (ev->flags & KB_EV_TEXT) {
		size_t have = strlen(u->query), add = strnlen(ev->text, sizeof ev->text);
		if (add && kk_utf8_valid(ev->text, add, NULL) && have + add < sizeof u->query) {
			memcpy(u->query + have, ev->text, add);
			u->query[have + add] = '\0';
			changed = 1;
		}
	}
	if (ev->flags & KB_EV_SUBMIT)
		u->kb_shown = 0; /* 搜索: the keyboard steps aside so the results fill the screen */
	if (changed || (ev->flags & KB_EV_SUBMIT))
		ui_search_changed(u);
	if (ev->flags & KB_EV_SUBMIT)
		ui_search_count_miss(u);
	if (ev->flags)
		u->dirty = 1;
}

/*
 * A query that found nothing goes to the staff's log of searches without results (anonymous:
 * date and text only, see base/qstats.h) once the resident is done with it: on 搜索, or when
 * leaving the search screen. Queries typed on the way (身, 身份 …) are not counted.
 */
void ui_search_count_miss(struct ui *u)
{
	int rc;
	if (u->stack[u->depth - 1].kind != SCR_SEARCH || !u->query[0] || u->search_hits ||
	    u->miss_counted)
		return;
	u->miss_counted = 1;
	if ((rc = kk_qstats_miss(u->cfg->data_dir, u->query, NULL)))
		kk_warn("ui", "cannot log a search without results in %s (%s)", u->cfg->data_dir,
			kk_err_name(rc));
}

void ui_search_changed(struct ui *u)
{
	struct ui_screen *sc = &u->stack[u->depth - 1];
	if (sc->kind != SCR_SEARCH)
		return;
	u->miss_counted = 0;
	sc->scroll = 0;
	sc->vel = 0;
	screen_build(u, sc);
	u->dirty = 1;
}

void ui_do_action(struct ui *u, enum ui_action a, int64_t arg)
{
	struct ui_screen *sc = &u->stack[u->depth - 1];
	int64_t id;
	switch (a) {
	case ACT_NONE: break;
	case ACT_BACK: ui_pop(u); break;
	case ACT_HOME: ui_go_home(u); break;
	case ACT_OPEN_DOCS: ui_push(u, SCR_DOCS, arg); break;
	case ACT_OPEN_DOC: ui_push(u, SCR_DOC, arg); break;
	case ACT_OPEN_BOOK: ui_push(u, SCR_BOOK, arg); break;
	case ACT_OPEN_GROUP: ui_push(u, SCR_GROUP, arg); break;
	case ACT_OPEN_GUIDE: ui_push(u, SCR_GUIDE, arg); break;
	case ACT_OPEN_SEARCH:
		/* the keyboard's engines (a dictionary, a handwriting model) are read the first
		 * time a resident searches, not at start-up */
		if (!u->kb && !u->kb_failed && kb_new(&u->kb, NULL, NULL)) {
			kk_warn("ui", "no on-screen keyboard (out of memory)");
			u->kb_failed = 1;
		}
		ui_push(u, SCR_SEARCH, 0);
		break;
	case ACT_OPEN_GUIDE_DOC:
		if (u->cat && !kk_catalog_first_in_series(u->cat, KK_SERIES_GUIDE, &id))
			ui_push(u, SCR_DOC, id);
		break;
	case ACT_SERIES_FILTER:
		if (sc->kind == SCR_DOCS && sc->series != (int)arg) {
			sc->series = (int)arg;
			sc->scroll = 0;
			sc->vel = 0;
			screen_build(u, sc);
		}
		break;
	case ACT_SEARCH_CLEAR:
		u->query[0] = '\0';
		u->kb_shown = 1;
		ui_search_changed(u);
		break;
	case ACT_KEYBOARD:
		if (u->kb) {
			struct kb_event ev;
			kb_press_key(u->kb, (int)arg, &ev);
			ui_keyboard_event(u, &ev);
		}
		break;
	case ACT_SHOW_KEYBOARD:
		u->kb_shown = 1;
		ui_search_changed(u);
		break;
	case ACT_SEARCH_FILTER:
		if (arg >= 0 && arg <= 3)
			u->search_kind = (int)arg;
		else if (arg == 4)
			u->search_valid = !u->search_valid;
		ui_search_changed(u);
		break;
	case ACT_SEARCH_SUGGEST:
		if (arg >= 0 && arg < u->n_suggest) {
			ui_search_count_miss(u); /* the words that found nothing stay counted */
			snprintf(u->query, sizeof u->query, "%s", u->suggest[arg]);
			ui_search_changed(u);
		}
		break;
	case ACT_LARGE_PRINT:
		/* 长者模式: every screen lays out again at the new size, at the same place */
		sc->keep_frac = sc->dl.height > 0 ? sc->scroll / (float)sc->dl.height : 0;
		u->large = !u->large;
		break;
	case ACT_OPEN_FACETS: ui_push(u, SCR_FACETS, arg); break;
	case ACT_FACET_PICK:
		if (sc->kind == SCR_FACETS && arg >= 0 && (size_t)arg < sc->facets.n) {
			char value[256];
			int facet = sc->facet;
			snprintf(value, sizeof value, "%s", sc->facets.items[arg].name);
			struct ui_screen *docs;
			/* the facet screen and its list stay below, for 返回 */
			ui_push(u, SCR_DOCS, -facet);
			docs = &u->stack[u->depth - 1];
			snprintf(docs->facet_value, sizeof docs->facet_value, "%s", value);
			snprintf(docs->title, sizeof docs->title, "政府信息公开目录 · %.200s%s", value,
				 facet == KK_FACET_YEAR ? "年" : "");
			utf8_cut(docs->title);
			screen_build(u, docs);
		}
		break;
	case ACT_SCROLL_TO:
		sc->scroll = (float)arg;
		sc->vel = 0;
		break;
	case ACT_PRINT: case ACT_PRINT_MODE: case ACT_PRINT_FROM: case ACT_PRINT_TO:
	case ACT_PRINT_COPIES: case ACT_PRINT_SUMMARY: case ACT_PRINT_GO: case ACT_PRINT_CANCEL:
	case ACT_PRINT_OK:
		ui_print_action(u, a, arg);
		break;
	case ACT_PIN_DIGIT: case ACT_PIN_DEL: case ACT_PIN_OK: case ACT_STAFF_CLOSE:
	case ACT_SITE_CONFIRM:
		ui_staff_action(u, a, arg);
		break;
	}
	u->dirty = 1;
}

/* ---- drawing ----------------------------------------------------------------------------- */

void ui_button(struct ui *u, int x, int y, int w, int h, const char *label, enum ui_action a,
	       int64_t arg, uint32_t bg, uint32_t fg)
{
	int sz = ui_px(u, SZ_BUTTON);
	ui_fill(u, x, y, w, h, bg);
	ui_text_line(u, sz, x, ui_text_top(y, h, sz), w, label, fg, 1);
	ui_hit_add(u, x, y, w, h, a, arg);
}

/* The 长者模式 switch, one tap away on every screen; its label says what a tap does. */
static void draw_large_button(struct ui *u, int x, int y, int w, int h)
{
	ui_button(u, x, y, w, h, u->large ? "标准字" : "大字", ACT_LARGE_PRINT, 0,
		    u->large ? COL_BUTTON : 0xFFD966FFu, COL_TEXT);
}

static void draw_footer(struct ui *u)
{
	char buf[512];
	int fh = ui_px(u, FOOT_H), sz = ui_sz(u, SZ_META);
	ui_fill(u, 0, u->h - fh, u->w, fh, 0xE6E0D4FFu);
	if (u->cat)
		snprintf(buf, sizeof buf, "%s · 数据更新于 %s · 内容版本 %lld.%lld",
			 u->info.publisher ? u->info.publisher : "", u->info.build_date ? u->info.build_date : "",
			 (long long)u->info.epoch, (long long)u->info.seq);
	else
		snprintf(buf, sizeof buf, "%s", u->cfg->site_name);
	ui_text_line(u, sz, ui_px(u, MARGIN), ui_text_top(u->h - fh, fh, sz),
		     u->w - 2 * ui_px(u, MARGIN), buf, COL_MUTED, 1);
}

/* Top bar of every screen but home: 返回, 首页, the screen's title. */
static void draw_bar(struct ui *u, const char *title)
{
	int bh = ui_px(u, BAR_H), bw = ui_px(u, 180), m = ui_px(u, 12), sz = ui_px(u, 36);
	int tx = 2 * bw + 4 * m;
	int lw = ui_px(u, 200);
	ui_fill(u, 0, 0, u->w, bh, COL_BAR);
	ui_button(u, m, m, bw, bh - 2 * m, "‹ 返回", ACT_BACK, 0, COL_BUTTON, COL_BAR);
	ui_button(u, bw + 2 * m, m, bw, bh - 2 * m, "首页", ACT_HOME, 0, COL_BUTTON, COL_BAR);
	int kind = u->stack[u->depth - 1].kind, pw = 0;
	draw_large_button(u, u->w - m - lw, m, lw, bh - 2 * m);
	if (ui_print_available(u) && (kind == SCR_DOC || kind == SCR_GUIDE)) {
		/* 打印 where a resident looks for it: top right, next to 大字, in print's green */
		pw = ui_px(u, 200);
		ui_button(u, u->w - 2 * m - lw - pw, m, pw, bh - 2 * m, "打印", ACT_PRINT, 0,
			  0x1E6B34FFu, 0xFFFFFFFFu);
		pw += m;
	}
	ui_text_line(u, sz, tx, ui_text_top(0, bh, sz), u->w - tx - lw - pw - 3 * m, title,
		     COL_BAR_TEXT, 0);
}

static void draw_home(struct ui *u)
{
	struct tile {
		const char *name;
		char sub[96];
		enum ui_action a;
		int64_t arg;
		uint32_t col;
	} t[6] = {
		{ "政府信息公开目录", "", ACT_OPEN_DOCS, 0, 0xA3201AFFu },
		{ "惠民事项一本通", "", ACT_OPEN_BOOK, KK_BOOK_HUIMIN, 0x1F6E43FFu },
		{ "惠企事项一本通", "", ACT_OPEN_BOOK, KK_BOOK_HUIQI, 0x1F4E8CFFu },
		{ "政策解读", "", ACT_OPEN_DOCS, KK_SERIES_INTERPRETATION, 0x8A4B08FFu },
		{ "政府信息公开指南", "怎样申请政府信息公开", ACT_OPEN_GUIDE_DOC, 0, 0x5B3A8CFFu },
		{ "搜索", "按标题或文号查找文件", ACT_OPEN_SEARCH, 0, 0x2F5F6FFFu },
	};
	int hh = ui_px(u, 170), m = ui_px(u, MARGIN), gap = ui_px(u, 28), fh = ui_px(u, FOOT_H);
	int portrait = u->h > u->w, cols = portrait ? 2 : 3, rows = portrait ? 3 : 2;
	int tw = (u->w - 2 * m - (cols - 1) * gap) / cols;
	int th = (u->h - hh - fh - 2 * m - (rows - 1) * gap) / rows;
	int nsz = ui_px(u, u->large ? 60 : 48), ssz = ui_px(u, u->large ? 40 : 30);

	if (u->cat) {
		snprintf(t[0].sub, sizeof t[0].sub, "共 %ld 件文件", u->info.n_documents);
		snprintf(t[1].sub, sizeof t[1].sub, "%ld 大项 · %ld 小项", u->info.n_groups[1],
			 u->info.n_guides[1]);
		snprintf(t[2].sub, sizeof t[2].sub, "%ld 大项 · %ld 小项", u->info.n_groups[2],
			 u->info.n_guides[2]);
		snprintf(t[3].sub, sizeof t[3].sub, "%ld 篇解读", u->info.n_series[KK_SERIES_INTERPRETATION]);
	}
	ui_fill(u, 0, 0, u->w, hh, COL_BAR);
	draw_large_button(u, u->w - m - ui_px(u, 200), (hh - ui_px(u, 96)) / 2, ui_px(u, 200), ui_px(u, 96));
	{
		/* a long site name gets a smaller size rather than an ellipsis */
		int tsz = ui_px(u, 56), room = u->w - 3 * m - ui_px(u, 200);
		while (tsz > ui_px(u, 36) && ui_text_width(u, tsz, u->cfg->site_name) > room)
			tsz -= 2;
		ui_text_line(u, tsz, m, ui_px(u, 28) + (ui_px(u, 56) - tsz) / 2, room,
			     u->cfg->site_name, COL_BAR_TEXT, 0);
	}
	ui_text_line(u, ui_px(u, 30), m, ui_px(u, 104), u->w - 3 * m - ui_px(u, 200),
		     "政府信息公开查阅点 · 免费查阅 · 请点击下面的按钮", 0xF6D9D6FFu, 0);
	for (int i = 0; i < 6; i++) {
		int x = m + (i % cols) * (tw + gap), y = hh + m + (i / cols) * (th + gap);
		ui_fill(u, x, y, tw, th, t[i].col);
		int fit = nsz;
		while (fit > ui_px(u, 28) && ui_text_width(u, fit, t[i].name) > tw - ui_px(u, 24))
			fit -= 2;
		ui_text_line(u, fit, x, y + th / 2 - fit - ui_px(u, 6), tw, t[i].name, 0xFFFFFFFFu, 1);
		ui_text_line(u, ssz, x, y + th / 2 + ui_px(u, 14), tw, t[i].sub, 0xFFFFFFDDu, 1);
		ui_hit_add(u, x, y, tw, th, t[i].a, t[i].arg);
	}
	draw_footer(u);
}

static void draw_error(struct ui *u)
{
	int sz = ui_px(u, 48), m = ui_px(u, MARGIN);
	char detail[128];
	ui_fill(u, 0, 0, u->w, ui_px(u, 170), COL_BAR);
	ui_text_line(u, ui_px(u, 56), m, ui_px(u, 28), u->w - 2 * m, u->cfg->site_name, COL_BAR_TEXT, 0);
	ui_text_line(u, sz, m, u->h / 2 - sz * 2, u->w - 2 * m, "内容暂时无法显示", COL_TEXT, 1);
	ui_text_line(u, ui_px(u, 36), m, u->h / 2, u->w - 2 * m, "请联系现场工作人员，给您带来不便，敬请谅解。",
		     COL_MUTED, 1);
	snprintf(detail, sizeof detail, "工作人员请查看日志：content %s", kk_err_name(u->cat_err));
	ui_text_line(u, ui_sz(u, SZ_META), m, u->h / 2 + ui_px(u, 90), u->w - 2 * m, detail, COL_MUTED, 1);
	draw_footer(u);
}

static void draw_tabs(struct ui *u, struct ui_screen *sc, int y)
{
	int n = 7, m = ui_px(u, MARGIN), gap = ui_px(u, 10), sz = ui_px(u, 28);
	int tw = (u->w - 2 * m - (n - 1) * gap) / n, th = ui_px(u, TAB_H) - ui_px(u, 20);
	for (int i = 0; i < n; i++) {
		int x = m + i * (tw + gap), on = sc->series == i;
		ui_fill(u, x, y, tw, th, on ? COL_ACCENT : COL_CARD);
		ui_frame(u, x, y, tw, th, 1, on ? COL_ACCENT : COL_LINE);
		int fit = sz;
		while (fit > ui_px(u, 18) && ui_text_width(u, fit, tab_names[i]) > tw - ui_px(u, 8))
			fit -= 1; /* narrow portrait tabs: a smaller size, never an ellipsis */
		ui_text_line(u, fit, x, ui_text_top(y, th, fit), tw, tab_names[i],
			     on ? 0xFFFFFFFFu : COL_TEXT, 1);
		ui_hit_add(u, x, y, tw, th, ACT_SERIES_FILTER, i);
	}
}

static void draw_search_box(struct ui *u, int y)
{
	int m = ui_px(u, MARGIN), h = ui_px(u, 96), sz = ui_px(u, 40), bw = ui_px(u, 160);
	int w = u->w - 2 * m - bw - ui_px(u, 16);
	ui_fill(u, m, y, w, h, COL_CARD);
	ui_frame(u, m, y, w, h, 3, COL_ACCENT);
	if (u->query[0]) {
		int tw = ui_text_line(u, sz, m + ui_px(u, 20), ui_text_top(y, h, sz),
				      w - ui_px(u, 40), u->query, COL_TEXT, 0);
		/* a steady caret: no blinking, so screenshots are repeatable */
		ui_fill(u, m + ui_px(u, 22) + tw, y + ui_px(u, 18), ui_px(u, 3), h - ui_px(u, 36), COL_ACCENT);
	} else {
		ui_text_line(u, sz, m + ui_px(u, 20), ui_text_top(y, h, sz), w - ui_px(u, 40),
			     "请输入标题或文号", COL_MUTED, 0);
	}
	ui_button(u, u->w - m - bw, y, bw, h, "清空", ACT_SEARCH_CLEAR, 0, COL_ACCENT, 0xFFFFFFFFu);
	if (u->kb && !u->kb_shown)
		ui_hit_add(u, m, y, w, h, ACT_SHOW_KEYBOARD, 0); /* tap the box: the keyboard again */
}

/* The idle warning: calm, large, and any touch keeps the visitor's place. */
static void draw_countdown(struct ui *u)
{
	char msg[160];
	int h = ui_px(u, 120), y = u->h - ui_px(u, FOOT_H) - h, sz = ui_sz(u, SZ_BODY);
	if (!u->countdown)
		return;
	snprintf(msg, sizeof msg, "长时间没有操作，%d 秒后返回首页。轻触屏幕可继续阅读。", u->countdown);
	ui_fill(u, 0, y, u->w, h, 0x1F4E8CF0u);
	ui_capture_cover(u, 0, y, u->w, h);
	ui_text_line(u, sz, ui_px(u, MARGIN), ui_text_top(y, h, sz), u->w - 2 * ui_px(u, MARGIN), msg,
		     0xFFFFFFFFu, 1);
}

void ui_draw(struct ui *u)
{
	struct ui_screen *sc = &u->stack[u->depth - 1];
	int top, bottom;

	u->n_hits = 0;
	if (!u->cat || sc->kind == SCR_HOME) {
		ui_color(u, COL_BG);
		SDL_RenderClear(u->r);
	}
	if (!u->cat) {
		draw_error(u);
		ui_staff_draw(u); /* a kiosk without content is exactly where staff bring a stick */
		return;
	}
	if (sc->kind == SCR_HOME) {
		draw_home(u);
		ui_staff_draw(u);
		draw_countdown(u);
		return;
	}
	if (sc->dl_width != u->w || sc->dl_large != u->large) {
		screen_build(u, sc);
		if (sc->keep_frac >= 0 && sc->dl.height > 0) {
			/* the same place in the text, now in another size */
			sc->scroll = sc->keep_frac * (float)sc->dl.height;
			sc->keep_frac = -1;
		}
	}
	top = ui_px(u, BAR_H) + ui_px(u, 24);
	/* the scroll view and the bars cover the rest: clearing the whole screen each frame
	 * would cost as much as drawing it */
	ui_fill(u, 0, 0, u->w, top + (sc->kind == SCR_DOCS ? ui_px(u, TAB_H) :
				     sc->kind == SCR_SEARCH ? ui_px(u, 96) + ui_px(u, 24) : 0), COL_BG);
	if (sc->kind == SCR_DOCS) {
		draw_tabs(u, sc, top);
		top += ui_px(u, TAB_H);
	} else if (sc->kind == SCR_SEARCH) {
		draw_search_box(u, top);
		top += ui_px(u, 96) + ui_px(u, 24);
	}
	bottom = ui_content_bottom(u);
	sc->content_top = top;
	ui_dl_view(u, &sc->dl, ui_px(u, MARGIN), top, bottom, (int)sc->scroll);
	/* a scroll position indicator, so a resident sees there is more below */
	if (sc->dl.height > bottom - top) {
		int track = bottom - top - ui_px(u, 20);
		int th = track * (bottom - top) / sc->dl.height;
		float at = sc->scroll / (float)(sc->dl.height - (bottom - top));
		int ty = top + ui_px(u, 10) + (int)((float)(track - th) * (at < 0 ? 0 : at > 1 ? 1 : at));
		ui_fill(u, u->w - ui_px(u, 16), ty, ui_px(u, 8), th < 40 ? 40 : th, 0x00000055u);
	}
	draw_bar(u, sc->title[0] ? sc->title : "政府信息公开查阅点");
	if (keyboard_shown(u)) {
		SDL_Rect r = { 0, bottom, u->w, u->h - ui_px(u, FOOT_H) - bottom };
		if (!SDL_RectEquals(&r, &u->kb->rect) || u->kb->scale != u->s)
			kb_layout(u->kb, r, u->s);
		kb_draw(u->kb, u, ACT_KEYBOARD);
	}
	draw_footer(u);
	ui_print_draw(u);
	ui_staff_draw(u);
	draw_countdown(u);
}
