/*
 * draw.c — drawing primitives, hit regions and display lists.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/utf8.h"
#include "ui/ui_internal.h"

int ui_px(struct ui *u, int v)
{
	int r = (int)(v * u->s + 0.5f);
	return r < 1 && v > 0 ? 1 : r;
}

int ui_sz(struct ui *u, int v)
{
	return ui_px(u, u->large ? v * 3 / 2 : v);
}

/* Opaque colours are drawn without blending: a blended fill costs a read and a multiply per
 * pixel in the software renderer, an opaque one is a memset. */
void ui_color(struct ui *u, uint32_t c)
{
	SDL_SetRenderDrawBlendMode(u->r, (c & 0xFF) == 0xFF ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(u->r, (Uint8)(c >> 24), (Uint8)(c >> 16), (Uint8)(c >> 8), (Uint8)c);
}

void ui_fill(struct ui *u, int x, int y, int w, int h, uint32_t rgba)
{
	SDL_Rect rc = { x, y, w, h };
	ui_color(u, rgba);
	SDL_RenderFillRect(u->r, &rc);
}

void ui_frame(struct ui *u, int x, int y, int w, int h, int t, uint32_t rgba)
{
	ui_fill(u, x, y, w, t, rgba);
	ui_fill(u, x, y + h - t, w, t, rgba);
	ui_fill(u, x, y, t, h, rgba);
	ui_fill(u, x + w - t, y, t, h, rgba);
}

void ui_hit_add(struct ui *u, int x, int y, int w, int h, enum ui_action a, int64_t arg)
{
	struct ui_hit *hit;
	if (u->n_hits >= UI_MAX_HITS)
		return;
	hit = &u->hits[u->n_hits++];
	hit->r.x = x;
	hit->r.y = y;
	hit->r.w = w;
	hit->r.h = h;
	hit->action = a;
	hit->arg = arg;
	hit->clipped = 0;
}

void ui_capture_glyph(struct ui *u, int size, uint32_t cp, int x, int y, int emph)
{
	struct ui_capture *c = u->capture;
	if (!c || cp <= ' ' || x < 0 || y < 0 || x >= u->w || y >= u->h)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;
		struct ui_capture_glyph *p;
		if (cap > 1000000 || !(p = realloc(c->g, cap * sizeof *p)))
			return;
		c->g = p;
		c->cap = cap;
	}
	c->g[c->n++] = (struct ui_capture_glyph){ x, y, size, cp, emph };
}

void ui_glyph_draw(struct ui *u, int size, uint32_t cp, int x, int y, uint32_t rgba)
{
	const struct ui_glyph *g = ui_glyph(&u->fonts, size, cp);
	ui_capture_glyph(u, size, cp, x, y, 0);
	if (g->missing) {
		/* No font has this character: show that something is there (tofu box). */
		int m = size / 8;
		ui_frame(u, x + m, y + size / 8, size - 2 * m, size - size / 8, 2, rgba);
		return;
	}
	if (g->page < 0)
		return;
	{
		SDL_Texture *t = u->fonts.pages[g->page];
		SDL_Rect src = { g->x, g->y, g->w, g->h };
		SDL_Rect dst = { x, y + g->dy, g->w, g->h };
		SDL_SetTextureColorMod(t, (Uint8)(rgba >> 24), (Uint8)(rgba >> 16), (Uint8)(rgba >> 8));
		SDL_SetTextureAlphaMod(t, (Uint8)rgba);
		SDL_RenderCopy(u->r, t, &src, &dst);
	}
}

int ui_text_width(struct ui *u, int size, const char *text)
{
	size_t i = 0, len = strlen(text);
	int w = 0;
	while (i < len) {
		int32_t cp = kk_utf8_next(text, len, &i);
		if (cp > 0)
			w += ui_glyph(&u->fonts, size, (uint32_t)cp)->advance;
	}
	return w;
}

int ui_text_line(struct ui *u, int size, int x, int y, int max_w, const char *text, uint32_t rgba,
		 int align)
{
	size_t i = 0, len = strlen(text);
	int w = ui_text_width(u, size, text), ell = ui_glyph(&u->fonts, size, 0x2026)->advance;
	int limit = w > max_w ? max_w - ell : max_w, cx;

	if (align == 1 && w < max_w)
		x += (max_w - w) / 2;
	cx = x;
	while (i < len) {
		int32_t cp = kk_utf8_next(text, len, &i);
		int adv;
		if (cp <= 0)
			continue;
		if (cp == '\n')
			cp = ' ';
		adv = ui_glyph(&u->fonts, size, (uint32_t)cp)->advance;
		if (cx - x + adv > limit) {
			ui_glyph_draw(u, size, 0x2026, cx, y, rgba);
			cx += ell;
			break;
		}
		ui_glyph_draw(u, size, (uint32_t)cp, cx, y, rgba);
		cx += adv;
	}
	return cx - x;
}

/* ---- display lists ---------------------------------------------------------------------- */

void dl_fini(struct dl *d)
{
	free(d->items);
	free(d->bands);
	free(d->max_bottom);
	free(d->min_top);
	for (size_t i = 0; i < d->n_images; i++)
		SDL_DestroyTexture(d->images[i]);
	free(d->images);
	memset(d, 0, sizeof *d);
}

/* A new generation: any cached picture of d is stale. */
static void dl_changed(struct dl *d)
{
	static uint32_t gen_next; /* UI thread only */
	d->gen = ++gen_next ? gen_next : ++gen_next;
}

int dl_band_add(struct dl *d, size_t first, int x, int w, int content_w)
{
	struct dl_band *b, *p;
	int y0 = INT32_MAX, y1 = 0;
	if (first >= d->n || d->n_bands >= 1000 || content_w <= w)
		return 0;
	p = realloc(d->bands, (d->n_bands + 1) * sizeof *p);
	if (!p)
		return 0;
	d->bands = p;
	for (size_t i = first; i < d->n; i++) {
		d->items[i].band = (uint16_t)(d->n_bands + 1);
		if (d->items[i].y < y0)
			y0 = d->items[i].y;
		if (d->items[i].y + d->items[i].h > y1)
			y1 = d->items[i].y + d->items[i].h;
	}
	b = &d->bands[d->n_bands++];
	*b = (struct dl_band){ y0, y1, x, w, content_w, 0 };
	dl_changed(d);
	return (int)d->n_bands;
}

int dl_band_at(const struct dl *d, int x, int y)
{
	for (size_t i = 0; i < d->n_bands; i++) {
		const struct dl_band *b = &d->bands[i];
		if (y >= b->y0 && y < b->y1 && x >= b->x && x < b->x + b->w)
			return (int)i + 1;
	}
	return 0;
}

int dl_band_scroll(struct dl *d, int id, int dx)
{
	struct dl_band *b;
	int off;
	if (id < 1 || (size_t)id > d->n_bands)
		return 0;
	b = &d->bands[id - 1];
	off = b->off + dx;
	if (off > b->content_w - b->w)
		off = b->content_w - b->w;
	if (off < 0)
		off = 0;
	if (off == b->off)
		return 0;
	b->off = off;
	dl_changed(d);
	return 1;
}

void dl_add(struct dl *d, const struct dl_item *it)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		struct dl_item *p;
		if (cap > 4000000)
			return; /* a body this big is capped at import; never grow without bound */
		p = realloc(d->items, cap * sizeof *p);
		if (!p)
			return;
		d->items = p;
		d->cap = cap;
	}
	d->items[d->n++] = *it;
	dl_changed(d);
	if (it->y + it->h > d->height)
		d->height = it->y + it->h;
}

int ui_dl_para(struct ui *u, struct dl *d, int size, int x, int y, int width, const char *text,
	       const struct kk_span *emph, size_t n_emph, uint32_t rgba, int first_indent,
	       int indent, int line_gap)
{
	struct ui_metrics_ctx mc = { &u->fonts, size };
	struct kk_font_metrics m = { &mc, ui_metrics_advance, size };
	/* Body text (indented paragraphs and list items) is justified as print is; titles, headings,
	 * table cells and labels are set ragged, where spreading a line pushed short by an
	 * unbreakable "2025年" would only open gaps between the characters. */
	struct kk_para_style st = { width, first_indent, indent, first_indent > 0 || indent > 0 };
	struct kk_para_layout l = { 0 };
	int line_h = size + line_gap, rc;

	if (!text || !*text)
		return 0;
	rc = kk_text_layout_para(text, strlen(text), emph, n_emph, &m, &st, &l);
	if (rc) {
		kk_warn("ui", "layout failed (%d)", rc);
		return 0;
	}
	for (size_t li = 0; li < l.n_lines; li++) {
		const struct kk_line *ln = &l.lines[li];
		for (size_t k = 0; k < ln->count; k++) {
			const struct kk_glyph *g = &l.glyphs[ln->first + k];
			struct dl_item it = { 0 };
			if (g->flags & KK_GLYPH_HIDDEN)
				continue;
			it.type = DL_GLYPH;
			it.x = x + g->x;
			it.y = y + (int)li * line_h;
			it.w = g->w;
			it.h = line_h;
			it.cp = g->cp;
			it.size = size;
			it.color = (g->flags & KK_GLYPH_EMPH) ? COL_REPEALED : rgba;
			dl_add(d, &it);
			if (g->flags & KK_GLYPH_EMPH) {
				/* emphasis: colour plus an underline, never colour alone */
				/* under the glyph's slot: a compressed opening mark is drawn
				 * half an em left of it (see layout.h, drawing contract) */
				int slot = g->x + ((g->flags & KK_GLYPH_CUT_LEFT)
							   ? ui_metrics_advance(&mc, g->cp) / 2 : 0);
				struct dl_item ul = { .type = DL_FILL, .x = x + slot,
						      .y = y + (int)li * line_h + size * 4 / 3,
						      .w = g->w, .h = size / 16 + 1, .color = COL_REPEALED };
				dl_add(d, &ul);
			}
		}
	}
	rc = (int)l.n_lines * line_h;
	kk_para_layout_fini(&l);
	return rc;
}

/*
 * Glyph batching: consecutive glyphs from one atlas page go to the renderer as one
 * SDL_RenderGeometry call (two triangles each, colour per vertex) instead of one
 * SDL_RenderCopy and colour change each. The batch is flushed before anything else is drawn,
 * so the display list's painting order is kept.
 */
#define BATCH_GLYPHS 1024

struct glyph_batch {
	SDL_Texture *tex;
	SDL_Vertex v[BATCH_GLYPHS * 4];
	int idx[BATCH_GLYPHS * 6];
	int n; /* glyphs */
};

static void batch_flush(struct ui *u, struct glyph_batch *b)
{
	if (b->n) {
		SDL_SetTextureColorMod(b->tex, 255, 255, 255);
		SDL_SetTextureAlphaMod(b->tex, 255);
		SDL_RenderGeometry(u->r, b->tex, b->v, b->n * 4, b->idx, b->n * 6);
	}
	b->n = 0;
}

/* Queue one glyph that is already in the atlas (see the rasterising pass in ui_dl_draw). */
static void batch_glyph(struct ui *u, struct glyph_batch *b, const struct ui_glyph *g, int x, int y,
			uint32_t rgba)
{
	SDL_Texture *tex = u->fonts.pages[g->page];
	SDL_Color c = { (Uint8)(rgba >> 24), (Uint8)(rgba >> 16), (Uint8)(rgba >> 8), (Uint8)rgba };
	float s0 = (float)g->x / UI_ATLAS_DIM, t0 = (float)g->y / UI_ATLAS_DIM;
	float s1 = (float)(g->x + g->w) / UI_ATLAS_DIM, t1 = (float)(g->y + g->h) / UI_ATLAS_DIM;
	float x1 = (float)x, y1 = (float)(y + g->dy), x2 = x1 + g->w, y2 = y1 + g->h;
	SDL_Vertex *v;
	int *ix, base;

	if (tex != b->tex || b->n == BATCH_GLYPHS) {
		batch_flush(u, b);
		b->tex = tex;
	}
	v = &b->v[b->n * 4];
	ix = &b->idx[b->n * 6];
	base = b->n * 4;
	v[0] = (SDL_Vertex){ { x1, y1 }, c, { s0, t0 } };
	v[1] = (SDL_Vertex){ { x2, y1 }, c, { s1, t0 } };
	v[2] = (SDL_Vertex){ { x2, y2 }, c, { s1, t1 } };
	v[3] = (SDL_Vertex){ { x1, y2 }, c, { s0, t1 } };
	ix[0] = base;
	ix[1] = base + 1;
	ix[2] = base + 2;
	ix[3] = base;
	ix[4] = base + 2;
	ix[5] = base + 3;
	b->n++;
}

/*
 * The y index of a display list. Items are mostly in reading order, but a background is
 * added before the text it holds and a table's frames after its cells, so y is not sorted.
 * Two running bounds make a visible range findable by binary search anyway: max_bottom[i] is
 * the lowest bottom edge among items 0..i and min_top[i] the highest top among items i..n-1;
 * both only grow with i. Items [first, end) with max_bottom[first] >= top and
 * min_top[end - 1] <= bottom include every item meeting [top, bottom], in painting order.
 * Returns 0, or -1 without memory (the caller then walks every item).
 */
static int dl_index(struct dl *d)
{
	int32_t *mb, *mt;
	if (d->idx_n == d->n && d->max_bottom)
		return 0;
	mb = realloc(d->max_bottom, (d->n ? d->n : 1) * sizeof *mb);
	if (!mb)
		return -1;
	d->max_bottom = mb;
	mt = realloc(d->min_top, (d->n ? d->n : 1) * sizeof *mt);
	if (!mt)
		return -1;
	d->min_top = mt;
	for (size_t i = 0; i < d->n; i++) {
		int32_t b = d->items[i].y + d->items[i].h;
		mb[i] = i && mb[i - 1] > b ? mb[i - 1] : b;
	}
	for (size_t i = d->n; i-- > 0;) {
		int32_t t = d->items[i].y;
		mt[i] = i + 1 < d->n && mt[i + 1] < t ? mt[i + 1] : t;
	}
	d->idx_n = d->n;
	return 0;
}

/* The range [*first, *end) of items that may meet content rows [top, bottom]. */
static void dl_range(struct dl *d, int top, int bottom, size_t *first, size_t *end)
{
	size_t lo = 0, hi = d->n;
	if (dl_index(d)) {
		*first = 0;
		*end = d->n;
		return;
	}
	while (lo < hi) { /* first item whose running bottom reaches top */
		size_t mid = lo + (hi - lo) / 2;
		if (d->max_bottom[mid] < top)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	hi = d->n;
	while (lo < hi) { /* first item from which every item starts below bottom */
		size_t mid = lo + (hi - lo) / 2;
		if (d->min_top[mid] <= bottom)
			lo = mid + 1;
		else
			hi = mid;
	}
	*end = lo;
}

void ui_capture_cover(struct ui *u, int x, int y, int w, int h)
{
	struct ui_capture *c = u->capture;
	size_t k = 0;
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		const struct ui_capture_glyph *g = &c->g[i];
		if (g->x >= x && g->x < x + w && g->y >= y && g->y < y + h)
			continue; /* painted over */
		c->g[k++] = *g;
	}
	c->n = k;
}

/* The glyphs of d visible in viewport rows [top, bottom) (and within their band), for the
 * screenshot's text: the scroll cache draws only new rows, so they are listed here. */
static void dl_capture(struct ui *u, struct dl *d, int x0, int y0, int top, int bottom)
{
	size_t first, end;
	dl_range(d, top - y0, bottom - y0, &first, &end);
	for (size_t i = first; i < end; i++) {
		const struct dl_item *it = &d->items[i];
		int x = x0 + it->x, y = y0 + it->y;
		if (it->type != DL_GLYPH || y < top || y + it->size > bottom)
			continue;
		if (it->band && (size_t)it->band <= d->n_bands) {
			const struct dl_band *b = &d->bands[it->band - 1];
			x -= b->off;
			if (x < x0 + b->x || x + it->w > x0 + b->x + b->w)
				continue;
		}
		/* in content, red text is emphasis or a search match (see ui_dl_para) */
		ui_capture_glyph(u, it->size, it->cp, x, y, it->color == COL_REPEALED);
	}
}

/* Draw one item other than an atlas glyph at (x, y). */
static void item_draw(struct ui *u, const struct dl *d, const struct dl_item *it, int x, int y)
{
	switch (it->type) {
	case DL_GLYPH:
		ui_glyph_draw(u, it->size, it->cp, x, y, it->color);
		break;
	case DL_FILL:
		ui_fill(u, x, y, it->w, it->h, it->color);
		break;
	case DL_FRAME:
		ui_frame(u, x, y, it->w, it->h, it->size ? it->size : 1, it->color);
		break;
	case DL_IMAGE:
		if (it->arg >= 0 && (size_t)it->arg < d->n_images && d->images[it->arg]) {
			SDL_Rect dst = { x, y, it->w, it->h };
			SDL_RenderCopy(u->r, d->images[it->arg], NULL, &dst);
		}
		break;
	case DL_LINK:
	case DL_EMPH:
		break;
	}
}

void ui_dl_draw(struct ui *u, struct dl *d, int x0, int y0, int clip_top, int clip_bottom)
{
	static struct glyph_batch batch; /* UI thread only */
	uint32_t flushes;
	size_t first, end;
	SDL_Rect base_clip;
	int band = 0;

	dl_range(d, clip_top - y0, clip_bottom - y0, &first, &end);
	/* Pass 1: make sure every visible glyph is in the atlas, so nothing is rasterised (and no
	 * page evicted) while a batch refers to it. If a page was evicted on the way, go once
	 * more: the visible glyphs alone fit in the atlas. */
	for (int pass = 0; pass < 2; pass++) {
		flushes = u->fonts.flushes;
		for (size_t i = first; i < end; i++) {
			const struct dl_item *it = &d->items[i];
			int y = y0 + it->y;
			if (it->type == DL_GLYPH && y + it->h >= clip_top && y <= clip_bottom)
				ui_glyph(&u->fonts, it->size, it->cp);
		}
		if (flushes == u->fonts.flushes)
			break;
	}
	batch.n = 0;
	batch.tex = NULL;
	SDL_RenderGetClipRect(u->r, &base_clip);
	for (size_t i = first; i < end; i++) {
		const struct dl_item *it = &d->items[i];
		int x = x0 + it->x, y = y0 + it->y;
		if (y + it->h < clip_top || y > clip_bottom)
			continue;
		if (it->band != band) {
			/* entering or leaving a sideways band: clip to its visible width */
			batch_flush(u, &batch);
			band = it->band;
			if (band && (size_t)band <= d->n_bands) {
				const struct dl_band *b = &d->bands[band - 1];
				SDL_Rect bc = { x0 + b->x, base_clip.y, b->w, base_clip.h };
				if (SDL_RectEmpty(&base_clip))
					bc.y = clip_top, bc.h = clip_bottom - clip_top;
				SDL_RenderSetClipRect(u->r, &bc);
			} else {
				SDL_RenderSetClipRect(u->r, SDL_RectEmpty(&base_clip) ? NULL : &base_clip);
			}
		}
		if (band && (size_t)band <= d->n_bands)
			x -= d->bands[band - 1].off;
		if (it->type == DL_GLYPH) {
			const struct ui_glyph *g = ui_glyph(&u->fonts, it->size, it->cp);
			if (g->page >= 0 && !g->missing) {
				batch_glyph(u, &batch, g, x, y, it->color);
				continue;
			}
		}
		batch_flush(u, &batch);
		item_draw(u, d, it, x, y);
	}
	batch_flush(u, &batch);
	if (band)
		SDL_RenderSetClipRect(u->r, SDL_RectEmpty(&base_clip) ? NULL : &base_clip);
}

/*
 * The naive path, for the benchmark only (KK_NAIVE_TEXT=1): what a kiosk built on SDL_ttf's
 * string renderers does. Each visible line (a run of glyphs on one baseline, in one size and
 * colour) is turned back into UTF-8 and rendered with TTF_RenderUTF8_Blended into a new
 * surface and texture, every frame. Other items are drawn as usual.
 */
static void dl_draw_naive(struct ui *u, struct dl *d, int x0, int y0, int clip_top, int clip_bottom)
{
	size_t first, end;
	dl_range(d, clip_top - y0, clip_bottom - y0, &first, &end);
	for (size_t i = first; i < end;) {
		const struct dl_item *it = &d->items[i];
		char line[4096];
		size_t len = 0, j = i;
		int y = y0 + it->y;
		if (it->type != DL_GLYPH || y + it->h < clip_top || y > clip_bottom) {
			if (it->type != DL_GLYPH && !(y + it->h < clip_top || y > clip_bottom))
				item_draw(u, d, it, x0 + it->x, y);
			i++;
			continue;
		}
		for (; j < end && d->items[j].type == DL_GLYPH && d->items[j].y == it->y &&
		       d->items[j].size == it->size && d->items[j].color == it->color &&
		       len + 5 < sizeof line; j++)
			len += kk_utf8_encode(d->items[j].cp, line + len);
		line[len] = 0;
		{
			TTF_Font *font = ui_font_main(&u->fonts, it->size);
			SDL_Color c = { (Uint8)(it->color >> 24), (Uint8)(it->color >> 16),
					(Uint8)(it->color >> 8), (Uint8)it->color };
			SDL_Surface *s = font ? TTF_RenderUTF8_Blended(font, line, c) : NULL;
			SDL_Texture *t = s ? SDL_CreateTextureFromSurface(u->r, s) : NULL;
			if (t)
				SDL_RenderCopy(u->r, t, NULL, &(SDL_Rect){ x0 + it->x, y, s->w, s->h });
			SDL_DestroyTexture(t);
			SDL_FreeSurface(s);
		}
		i = j;
	}
}

void ui_dl_hits(struct ui *u, struct dl *d, int x0, int y0, int clip_top, int clip_bottom)
{
	size_t first, end;
	dl_range(d, clip_top - y0, clip_bottom - y0, &first, &end);
	for (size_t i = first; i < end; i++) {
		const struct dl_item *it = &d->items[i];
		int y = y0 + it->y;
		int top = y < clip_top ? clip_top : y;
		int bot = y + it->h > clip_bottom ? clip_bottom : y + it->h;
		if (it->type == DL_LINK && bot > top) {
			ui_hit_add(u, x0 + it->x, top, it->w, bot - top, (enum ui_action)it->action, it->arg);
			if (bot - top < it->h && u->n_hits > 0)
				u->hits[u->n_hits - 1].clipped = 1;
		}
	}
}

void ui_ring_fini(struct ui_ring *g)
{
	if (g->tex)
		SDL_DestroyTexture(g->tex);
	memset(g, 0, sizeof *g);
}

static int ring_row(int y, int h)
{
	int r = y % h;
	return r < 0 ? r + h : r;
}

/* Paint content rows [a, b) of d into the ring (the render target is the ring). */
static void ring_paint(struct ui *u, struct dl *d, int a, int b)
{
	struct ui_ring *g = &u->ring;
	while (a < b) {
		int r = ring_row(a, g->h), n = b - a < g->h - r ? b - a : g->h - r;
		SDL_Rect clip = { 0, r, g->w, n };
		SDL_RenderSetClipRect(u->r, &clip);
		ui_fill(u, 0, r, g->w, n, COL_BG);
		ui_dl_draw(u, d, g->x0, r - a, r, r + n);
		a += n;
	}
}

/* Make the ring fit a w x h viewport; 0 on success, -1 when the renderer cannot. */
static int ring_fit(struct ui *u, int w, int h)
{
	struct ui_ring *g = &u->ring;
	if (g->failed)
		return -1;
	if (g->tex && g->w == w && g->h == h)
		return 0;
	if (g->tex)
		SDL_DestroyTexture(g->tex);
	g->tex = SDL_CreateTexture(u->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
	g->valid = 0;
	if (!g->tex) {
		kk_warn("ui", "no target texture (%s): drawing without the scroll cache", SDL_GetError());
		g->failed = 1;
		return -1;
	}
	SDL_SetTextureBlendMode(g->tex, SDL_BLENDMODE_NONE);
	g->w = w;
	g->h = h;
	return 0;
}

/* Paint the viewport from the ring (or straight, without one). */
static void dl_view_paint(struct ui *u, struct dl *d, int x0, int top, int bottom, int scroll)
{
	struct ui_ring *g = &u->ring;
	int h = bottom - top, r0;

	if (ring_fit(u, u->w, h) || SDL_SetRenderTarget(u->r, g->tex)) {
		SDL_Rect clip = { 0, top, u->w, h };
		SDL_RenderSetClipRect(u->r, &clip);
		ui_fill(u, 0, top, u->w, h, COL_BG);
		if (g->naive)
			dl_draw_naive(u, d, x0, top - scroll, top, bottom);
		else
			ui_dl_draw(u, d, x0, top - scroll, top, bottom);
		SDL_RenderSetClipRect(u->r, NULL);
		return;
	}
	if (!g->valid || g->dl != d || g->gen != d->gen || g->x0 != x0 || scroll - g->scroll >= h ||
	    g->scroll - scroll >= h) {
		g->x0 = x0;
		ring_paint(u, d, scroll, scroll + h);
	} else if (scroll > g->scroll) {
		ring_paint(u, d, g->scroll + h, scroll + h);
	} else if (scroll < g->scroll) {
		ring_paint(u, d, scroll, g->scroll);
	}
	g->valid = 1;
	g->dl = d;
	g->gen = d->gen;
	g->scroll = scroll;
	SDL_RenderSetClipRect(u->r, NULL);
	SDL_SetRenderTarget(u->r, NULL);

	r0 = ring_row(scroll, h);
	SDL_RenderCopy(u->r, g->tex, &(SDL_Rect){ 0, r0, u->w, h - r0 }, &(SDL_Rect){ 0, top, u->w, h - r0 });
	if (r0)
		SDL_RenderCopy(u->r, g->tex, &(SDL_Rect){ 0, 0, u->w, r0 },
			       &(SDL_Rect){ 0, top + h - r0, u->w, r0 });
}

void ui_dl_view(struct ui *u, struct dl *d, int x0, int top, int bottom, int scroll)
{
	struct ui_capture *cap = u->capture;
	if (bottom <= top)
		return;
	/* the text of the viewport is listed here, not while painting (ring coordinates) */
	dl_capture(u, d, x0, top - scroll, top, bottom);
	u->capture = NULL;
	dl_view_paint(u, d, x0, top, bottom, scroll);
	u->capture = cap;
	ui_dl_hits(u, d, x0, top - scroll, top, bottom);
}
