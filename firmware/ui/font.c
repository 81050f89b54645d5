/*
 * font.c — fonts and the glyph atlas.
 *
 * SDL_ttf's own cache holds 256 glyphs keyed by index & 0xff, which CJK text thrashes, and its
 * wrapped renderers break lines wrongly for Chinese. So each glyph is rasterised once
 * (TTF_RenderGlyph32_Blended, white on transparent) into a page texture of the atlas and drawn
 * from there tinted per colour; line breaking is ours (text/layout.c).
 *
 * Eviction: when every page is full, the least recently used page is emptied and refilled on
 * demand (a screen's worth of glyphs is a few hundred; a 1024x1024 page holds about a thousand
 * at body size).
 *
 * Fallback: a code point missing from the main face is looked up in the fallback fonts of the
 * config; if none has it, a visible placeholder box is drawn instead of nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "ui/ui_internal.h"

static uint32_t hash32(uint32_t k)
{
	k ^= k >> 16;
	k *= 0x7feb352dU;
	k ^= k >> 15;
	k *= 0x846ca68bU;
	k ^= k >> 16;
	return k;
}

int ui_fonts_init(struct ui_fonts *f, SDL_Renderer *r, const struct kk_config *cfg)
{
	char list[sizeof cfg->font_fallback], *save = NULL, *tok;

	memset(f, 0, sizeof *f);
	f->r = r;
	snprintf(f->path, sizeof f->path, "%s", cfg->font_path);
	f->index = cfg->font_index;
	f->font[0] = TTF_OpenFontIndex(f->path, 16, f->index);
	if (!f->font[0]) {
		kk_error("ui", "font %s (face %d) cannot be opened: %s", f->path, f->index,
			 TTF_GetError());
		return KK_EFONT;
	}
	f->font_size[0] = 16;
	TTF_SetFontHinting(f->font[0], TTF_HINTING_LIGHT);
	snprintf(list, sizeof list, "%s", cfg->font_fallback);
	for (tok = strtok_r(list, ",", &save); tok && f->n_fallback_paths < UI_MAX_FALLBACK;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (*tok)
			snprintf(f->fallback_paths[f->n_fallback_paths++], 512, "%s", tok);
	}
	f->table_cap = 8192;
	f->table = calloc(f->table_cap, sizeof *f->table);
	return f->table ? 0 : KK_ENOMEM;
}

void ui_fonts_fini(struct ui_fonts *f)
{
	for (int k = 0; k <= UI_MAX_FALLBACK; k++)
		if (f->font[k])
			TTF_CloseFont(f->font[k]);
	for (int i = 0; i < f->n_pages; i++)
		SDL_DestroyTexture(f->pages[i]);
	free(f->table);
	memset(f, 0, sizeof *f);
}

/* Font slot k (0 main, k fallback k-1) set to size px; opened at first use. NULL if it cannot
 * be opened (logged once). */
static TTF_Font *font_at(struct ui_fonts *f, int k, int size)
{
	if (k < 0 || k > f->n_fallback_paths || f->font_failed[k])
		return NULL;
	if (!f->font[k]) {
		const char *path = f->fallback_paths[k - 1]; /* k == 0 is opened by ui_fonts_init */
		f->font[k] = TTF_OpenFontIndex(path, size, strstr(path, ".ttc") ? 2 : 0);
		if (!f->font[k]) {
			kk_warn("ui", "fallback font %s: %s", path, TTF_GetError());
			f->font_failed[k] = 1;
			return NULL;
		}
		TTF_SetFontHinting(f->font[k], TTF_HINTING_LIGHT);
		f->font_size[k] = size;
	}
	if (f->font_size[k] != size) {
		if (TTF_SetFontSize(f->font[k], size) != 0) {
			kk_warn("ui", "font size %d: %s", size, TTF_GetError());
			return NULL;
		}
		f->font_size[k] = size;
	}
	return f->font[k];
}

TTF_Font *ui_font_main(struct ui_fonts *f, int size)
{
	return font_at(f, 0, size);
}

struct ui_face *ui_face(struct ui_fonts *f, int size)
{
	struct ui_face *face;
	TTF_Font *font;
	for (int i = 0; i < f->n_faces; i++)
		if (f->faces[i].size == size)
			return &f->faces[i];
	if (f->n_faces == UI_MAX_SIZES) {
		/* more sizes than expected: reuse the closest one rather than fail */
		int best = 0;
		for (int i = 1; i < f->n_faces; i++)
			if (abs(f->faces[i].size - size) < abs(f->faces[best].size - size))
				best = i;
		return &f->faces[best];
	}
	if (!(font = font_at(f, 0, size)))
		return f->n_faces ? &f->faces[0] : NULL;
	face = &f->faces[f->n_faces++];
	face->size = size;
	face->ascent = TTF_FontAscent(font);
	face->height = TTF_FontHeight(font);
	return face;
}

/*
 * The atlas: up to UI_ATLAS_PAGES textures, each packed in shelves. When the page being filled
 * is full, the next page is created; when all exist, the page whose glyphs were looked up
 * least recently is emptied (its glyphs keep their metrics and are rasterised again on their
 * next use) and packing starts over in it. A screen of text needs far less than one page per
 * size, so a document with many sizes and rare characters evicts only glyphs out of view.
 */
static void atlas_evict(struct ui_fonts *f, int page)
{
	for (uint32_t i = 0; i < f->table_cap; i++)
		if (f->table[i].key && f->table[i].page == page)
			f->table[i].page = -2;
	f->pg[page].shelf_x = f->pg[page].shelf_y = f->pg[page].shelf_h = 0;
	f->flushes++;
}

static SDL_Texture *new_page(struct ui_fonts *f)
{
	SDL_Texture *t = SDL_CreateTexture(f->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC,
					   UI_ATLAS_DIM, UI_ATLAS_DIM);
	void *zero;
	if (!t)
		return NULL;
	SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
	zero = calloc((size_t)UI_ATLAS_DIM * UI_ATLAS_DIM, 4);
	if (zero) {
		SDL_UpdateTexture(t, NULL, zero, UI_ATLAS_DIM * 4);
		free(zero);
	}
	return t;
}

/* The page to fill once the current one is full: a new one, or the least recently used. */
static int atlas_next_page(struct ui_fonts *f)
{
	int lru = 0;
	if (f->n_pages < UI_ATLAS_PAGES && (f->pages[f->n_pages] = new_page(f))) {
		memset(&f->pg[f->n_pages], 0, sizeof f->pg[0]);
		return f->n_pages++;
	}
	/* all pages exist (or texture memory ran out): reuse the least recently used */
	for (int i = 1; i < f->n_pages; i++)
		if (f->pg[i].used < f->pg[lru].used)
			lru = i;
	atlas_evict(f, lru);
	return lru;
}

/* Find room for a w x h box; returns the page or -1. */
static int atlas_place(struct ui_fonts *f, int w, int h, int *x, int *y)
{
	struct ui_atlas_page *p;
	if (w > UI_ATLAS_DIM || h > UI_ATLAS_DIM)
		return -1;
	if (f->n_pages == 0) {
		if (!(f->pages[0] = new_page(f)))
			return -1;
		memset(&f->pg[0], 0, sizeof f->pg[0]);
		f->n_pages = 1;
		f->cur = 0;
	}
	p = &f->pg[f->cur];
	if (p->shelf_x + w > UI_ATLAS_DIM) {
		p->shelf_y += p->shelf_h + 1;
		p->shelf_x = 0;
		p->shelf_h = 0;
	}
	if (p->shelf_y + h > UI_ATLAS_DIM) {
		f->cur = atlas_next_page(f);
		p = &f->pg[f->cur];
	}
	*x = p->shelf_x;
	*y = p->shelf_y;
	p->shelf_x += w + 1;
	if (h > p->shelf_h)
		p->shelf_h = h;
	p->used = ++f->tick;
	return f->cur;
}

/* Choose the font that has cp and take its advance; nothing is rasterised here. */
static void glyph_metrics(struct ui_fonts *f, struct ui_face *face, uint32_t cp, struct ui_glyph *g)
{
	TTF_Font *font = NULL;
	int minx, maxx, miny, maxy, adv;

	g->page = -1;
	for (int k = 0; !font && k <= f->n_fallback_paths; k++) {
		TTF_Font *t = font_at(f, k, face->size);
		if (t && TTF_GlyphIsProvided32(t, cp)) {
			font = t;
			g->font = (int8_t)k;
		}
	}
	if (!font) {
		g->missing = cp > 0x20;
		g->advance = (int16_t)(cp < 0x2E80 ? face->size / 2 : face->size);
		return;
	}
	if (TTF_GlyphMetrics32(font, cp, &minx, &maxx, &miny, &maxy, &adv) != 0)
		adv = face->size;
	g->advance = (int16_t)adv;
	g->dy = (int16_t)(face->ascent - TTF_FontAscent(font)); /* align a fallback's baseline */
	if (cp != ' ' && cp != 0x3000 && cp != 0xA0)
		g->page = -2;
}

/* Rasterise a glyph into the atlas. On failure it stays -2 and is tried again next time. */
static void glyph_raster(struct ui_fonts *f, struct ui_face *face, uint32_t cp, struct ui_glyph *g)
{
	static const SDL_Color white = { 255, 255, 255, 255 };
	TTF_Font *font = font_at(f, g->font, face->size);
	SDL_Surface *s = NULL, *conv = NULL;
	int x, y, page;

	if (!font || !(s = TTF_RenderGlyph32_Blended(font, cp, white)))
		return;
	conv = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
	if (!conv)
		goto out;
	page = atlas_place(f, conv->w, conv->h, &x, &y);
	if (page < 0)
		goto out;
	{
		SDL_Rect dst = { x, y, conv->w, conv->h };
		SDL_UpdateTexture(f->pages[page], &dst, conv->pixels, conv->pitch);
	}
	g->page = (int16_t)page;
	g->x = (int16_t)x;
	g->y = (int16_t)y;
	g->w = (int16_t)conv->w;
	g->h = (int16_t)conv->h;
out:
	SDL_FreeSurface(conv);
	SDL_FreeSurface(s);
}

static int table_grow(struct ui_fonts *f)
{
	struct ui_glyph *old = f->table;
	uint32_t oldcap = f->table_cap, cap = oldcap * 2;
	struct ui_glyph *t = calloc(cap, sizeof *t);
	if (!t)
		return -1;
	for (uint32_t i = 0; i < oldcap; i++) {
		uint32_t h;
		if (!old[i].key)
			continue;
		for (h = hash32(old[i].key) & (cap - 1); t[h].key; h = (h + 1) & (cap - 1))
			;
		t[h] = old[i];
	}
	free(old);
	f->table = t;
	f->table_cap = cap;
	return 0;
}

/* Find or create the entry for (size, cp) with its metrics; NULL only for a bad size. */
static struct ui_glyph *glyph_entry(struct ui_fonts *f, int size, uint32_t cp)
{
	uint32_t key = ((uint32_t)size << 21) | (cp & 0x1FFFFF), h;
	struct ui_face *face;

	if (size <= 0 || size > 1000)
		return NULL;
	for (h = hash32(key) & (f->table_cap - 1); f->table[h].key; h = (h + 1) & (f->table_cap - 1))
		if (f->table[h].key == key)
			return &f->table[h];
	if (!(face = ui_face(f, size)))
		return NULL;
	if (f->table_n * 2 >= f->table_cap) {
		if (table_grow(f))
			return NULL;
		for (h = hash32(key) & (f->table_cap - 1); f->table[h].key;
		     h = (h + 1) & (f->table_cap - 1))
			;
	}
	memset(&f->table[h], 0, sizeof f->table[h]);
	f->table[h].key = key;
	glyph_metrics(f, face, cp, &f->table[h]);
	f->table_n++;
	return &f->table[h];
}

const struct ui_glyph *ui_glyph(struct ui_fonts *f, int size, uint32_t cp)
{
	static const struct ui_glyph none = { .page = -1, .missing = 1 };
	struct ui_glyph *g = glyph_entry(f, size, cp);
	if (!g)
		return &none;
	if (g->page == -2)
		glyph_raster(f, ui_face(f, size), cp, g);
	else if (g->page >= 0)
		f->pg[g->page].used = ++f->tick;
	return g;
}

int ui_metrics_advance(void *ctx, uint32_t cp)
{
	struct ui_metrics_ctx *m = ctx;
	const struct ui_glyph *g = glyph_entry(m->f, m->size, cp);
	return g && g->advance > 0 ? g->advance : m->size / 2;
}
