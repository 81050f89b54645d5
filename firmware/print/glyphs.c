/*
 * glyphs.c — FreeType faces and the 1-bit glyph cache of the print composer (see glyphs.h).
 *
 * Glyphs are rendered once per (face, size, code point) in FT_RENDER_MODE_NORMAL (8-bit
 * coverage, which keeps the shapes of CJK strokes better than the mono rasteriser's hinting)
 * and thresholded at half coverage into a packed 1-bit bitmap, MSB first, the order of the page
 * raster, so drawing a glyph is shifting and OR-ing bytes into rows.
 *
 * The cache is an open-addressed hash table of entries plus one arena of bitmap bytes; it is
 * emptied as a whole when either passes its cap (KK_GLYPHS_MAX_BYTES, GLYPHS_MAX_ENTRIES),
 * which a page of ordinary text never reaches.
 */
#include "print/glyphs.h"

#include <ft2build.h>
#include FT_FREETYPE_H

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"

#define GLYPHS_MAX_ENTRIES (1u << 16) /* table slots; half of them used at most */
#define N_FACES 3                     /* regular, bold, fallback */

struct entry {
	uint64_t key; /* 0: empty */
	struct kk_glyph_bitmap bm;
	size_t off;   /* bits offset into the arena */
};

struct kk_glyphs {
	FT_Library lib;
	FT_Face face[N_FACES];
	int cur_size[N_FACES];
	struct entry *tab;
	size_t used;
	uint8_t *arena;
	size_t arena_len, arena_cap;
};

static uint64_t glyph_key(int face, int size, uint32_t cp)
{
	return ((uint64_t)(face + 1) << 56) | ((uint64_t)(unsigned)size << 32) | cp;
}

static size_t key_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k;
}

static int face_open(FT_Library lib, const char *path, int index, FT_Face *out)
{
	if (!path || !*path)
		return 0;
	if (FT_New_Face(lib, path, index, out)) {
		kk_warn("print", "font %s (face %d) cannot be opened", path, index);
		*out = NULL;
		return KK_EFONT;
	}
	return 0;
}

int kk_glyphs_new(const char *regular, int regular_index, const char *bold, int bold_index,
		  const char *fallback, int fallback_index, struct kk_glyphs **out)
{
	struct kk_glyphs *g = NULL;
	int rc = KK_ENOMEM;

	*out = NULL;
	if (!regular || !*regular || regular_index < 0 || bold_index < 0 || fallback_index < 0)
		return KK_EINVAL;
	g = calloc(1, sizeof *g);
	if (!g)
		goto out;
	g->tab = calloc(GLYPHS_MAX_ENTRIES, sizeof *g->tab);
	if (!g->tab)
		goto out;
	if (FT_Init_FreeType(&g->lib)) {
		g->lib = NULL;
		rc = KK_EFONT;
		goto out;
	}
	rc = face_open(g->lib, regular, regular_index, &g->face[KK_FACE_REGULAR]);
	if (rc)
		goto out;
	/* bold and fallback are optional: a missing file costs bold headings, not the print */
	(void)face_open(g->lib, bold, bold_index, &g->face[KK_FACE_BOLD]);
	(void)face_open(g->lib, fallback, fallback_index, &g->face[2]);
	*out = g;
	g = NULL;
	rc = 0;
out:
	kk_glyphs_free(g);
	return rc;
}

void kk_glyphs_free(struct kk_glyphs *g)
{
	if (!g)
		return;
	for (int i = 0; i < N_FACES; i++)
		if (g->face[i])
			FT_Done_Face(g->face[i]);
	if (g->lib)
		FT_Done_FreeType(g->lib);
	free(g->tab);
	free(g->arena);
	free(g);
}

int kk_glyphs_have_bold(const struct kk_glyphs *g)
{
	return g && g->face[KK_FACE_BOLD] != NULL;
}

static void cache_clear(struct kk_glyphs *g)
{
	memset(g->tab, 0, GLYPHS_MAX_ENTRIES * sizeof *g->tab);
	g->used = 0;
	g->arena_len = 0;
}

static int arena_reserve(struct kk_glyphs *g, size_t n)
{
	size_t cap;
	uint8_t *p;
	if (n > KK_GLYPHS_MAX_BYTES)
		return KK_E2BIG;
	if (g->arena_len + n > KK_GLYPHS_MAX_BYTES)
		cache_clear(g);
	if (g->arena_len + n <= g->arena_cap)
		return 0;
	cap = g->arena_cap ? g->arena_cap : 1u << 16;
	while (cap < g->arena_len + n)
		cap *= 2;
	if (cap > KK_GLYPHS_MAX_BYTES)
		cap = KK_GLYPHS_MAX_BYTES;
	p = realloc(g->arena, cap);
	if (!p)
		return KK_ENOMEM;
	g->arena = p;
	g->arena_cap = cap;
	return 0;
}

/* The face (requested, then regular, then fallback) that has cp, and its glyph index. */
static FT_Face face_for(struct kk_glyphs *g, int face, uint32_t cp, int *which, FT_UInt *gi)
{
	int order[3] = { face, KK_FACE_REGULAR, 2 };
	for (int i = 0; i < 3; i++) {
		FT_Face f = g->face[order[i]];
		if (!f)
			continue;
		*gi = FT_Get_Char_Index(f, cp);
		if (*gi) {
			*which = order[i];
			return f;
		}
	}
	*which = g->face[face] ? face : KK_FACE_REGULAR;
	*gi = 0; /* .notdef */
	return g->face[*which];
}

/* Render cp into the cache; returns the entry or NULL. */
static struct entry *glyph_load(struct kk_glyphs *g, size_t slot, uint64_t key, int face, int size,
				uint32_t cp)
{
	struct entry *e = &g->tab[slot];
	int which;
	FT_UInt gi;
	FT_Face f = face_for(g, face, cp, &which, &gi);
	FT_Bitmap *b;
	uint32_t pitch;
	size_t need;

	if (!f)
		return NULL;
	if (g->cur_size[which] != size) {
		if (FT_Set_Pixel_Sizes(f, 0, (FT_UInt)size))
			return NULL;
		g->cur_size[which] = size;
	}
	if (FT_Load_Glyph(f, gi, FT_LOAD_DEFAULT) || FT_Render_Glyph(f->glyph, FT_RENDER_MODE_NORMAL))
		return NULL;
	b = &f->glyph->bitmap;
	pitch = (b->width + 7) / 8;
	need = (size_t)pitch * b->rows;
	if (arena_reserve(g, need))
		return NULL;
	/* a clear may have emptied the table: the slot is still the right one for key (the
	 * table is then all empty) */
	e->key = key;
	e->off = g->arena_len;
	e->bm.left = f->glyph->bitmap_left;
	e->bm.top = f->glyph->bitmap_top;
	e->bm.width = b->width;
	e->bm.rows = b->rows;
	e->bm.pitch = pitch;
	e->bm.advance = (int32_t)((f->glyph->advance.x + 32) >> 6);
	if (e->bm.advance <= 0)
		e->bm.advance = cp == ' ' ? size / 3 : size;
	memset(g->arena + e->off, 0, need);
	for (uint32_t y = 0; y < b->rows; y++) {
		const uint8_t *src = b->buffer + (ptrdiff_t)y * b->pitch;
		uint8_t *dst = g->arena + e->off + (size_t)y * pitch;
		if (b->pixel_mode == FT_PIXEL_MODE_MONO) {
			memcpy(dst, src, pitch);
			continue;
		}
		for (uint32_t x = 0; x < b->width; x++)
			if (src[x] >= 128)
				dst[x >> 3] |= (uint8_t)(0x80u >> (x & 7));
	}
	g->arena_len += need;
	g->used++;
	return e;
}

static struct entry *glyph_find(struct kk_glyphs *g, int face, int size, uint32_t cp)
{
	uint64_t key;
	size_t slot;

	if (!g || face < 0 || face >= KK_FACE_COUNT || size < 1 || size > KK_GLYPHS_MAX_SIZE ||
	    cp > 0x10FFFF)
		return NULL;
	key = glyph_key(face, size, cp);
	if (g->used >= GLYPHS_MAX_ENTRIES / 2)
		cache_clear(g);
	slot = key_hash(key) & (GLYPHS_MAX_ENTRIES - 1);
	while (g->tab[slot].key) {
		if (g->tab[slot].key == key)
			return &g->tab[slot];
		slot = (slot + 1) & (GLYPHS_MAX_ENTRIES - 1);
	}
	return glyph_load(g, slot, key, face, size, cp);
}

int kk_glyphs_advance(struct kk_glyphs *g, int face, int size, uint32_t cp)
{
	struct entry *e = glyph_find(g, face, size, cp);
	if (!e)
		return size > 1 ? size / 2 : 1;
	return e->bm.advance;
}

const struct kk_glyph_bitmap *kk_glyphs_get(struct kk_glyphs *g, int face, int size, uint32_t cp)
{
	struct entry *e = glyph_find(g, face, size, cp);
	if (!e)
		return NULL;
	e->bm.bits = g->arena + e->off;
	return &e->bm;
}
