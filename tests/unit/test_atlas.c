/*
 * test_atlas.c — fonts and the glyph atlas (firmware/ui/font.c) on a real software renderer
 * with Debian's Noto CJK: glyphs rasterised once and found again, least-recently-used page
 * eviction when every page is full (glyphs in use survive, evicted ones come back on their
 * next use), fallback fonts for characters the main font lacks, and the placeholder for a
 * character no font has.
 */
#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "kt.h"
#include "ui/ui_internal.h"

static SDL_Surface *surface;
static SDL_Renderer *renderer;
static struct kk_config cfg;

static void setup(void)
{
	KT_REQUIRE(SDL_Init(0) == 0);
	KT_REQUIRE(TTF_Init() == 0);
	surface = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_ARGB8888);
	KT_REQUIRE(surface != NULL);
	renderer = SDL_CreateSoftwareRenderer(surface);
	KT_REQUIRE(renderer != NULL);
	kk_config_defaults(&cfg);
}

static void teardown(void)
{
	SDL_DestroyRenderer(renderer);
	SDL_FreeSurface(surface);
	TTF_Quit();
	SDL_Quit();
}

/* A glyph is rasterised once; asking again finds the same cell. */
static void test_cache(void)
{
	struct ui_fonts f;
	const struct ui_glyph *g;
	int page, x, y;
	KT_REQUIRE(ui_fonts_init(&f, renderer, &cfg) == 0);
	g = ui_glyph(&f, 32, 0x653F); /* 政 */
	KT_CHECK(g->page >= 0 && g->w > 0 && g->h > 0 && g->advance > 20);
	KT_CHECK(!g->missing);
	page = g->page, x = g->x, y = g->y;
	g = ui_glyph(&f, 32, 0x653F);
	KT_CHECK(g->page == page && g->x == x && g->y == y);
	/* a space takes room but no cell */
	g = ui_glyph(&f, 32, ' ');
	KT_CHECK(g->page == -1 && g->advance > 0 && !g->missing);
	KT_CHECK_INT(f.flushes, 0);
	ui_fonts_fini(&f);
}

/*
 * Fill every page with large glyphs while 政 at 32 px is looked up after each one: when a page
 * has to be emptied it is never the one holding 政 (used most recently), evictions happen,
 * and a glyph that was evicted is rasterised again, correctly, on its next use.
 */
static void test_lru_eviction(void)
{
	struct ui_fonts f;
	const struct ui_glyph *g;
	uint32_t cp = 0x4E00, first = 0x4E00;
	int keep_page, keep_x, keep_y, moved = 0;
	KT_REQUIRE(ui_fonts_init(&f, renderer, &cfg) == 0);
	g = ui_glyph(&f, 32, 0x653F);
	keep_page = g->page, keep_x = g->x, keep_y = g->y;
	for (int i = 0; i < 6000 && f.flushes < 3; i++, cp++) {
		g = ui_glyph(&f, 150, cp); /* about 45 of these fill a 1024x1024 page */
		KT_REQUIRE(g->page >= 0);
		g = ui_glyph(&f, 32, 0x653F);
		moved |= g->page != keep_page || g->x != keep_x || g->y != keep_y;
	}
	KT_CHECK_INT(f.n_pages, UI_ATLAS_PAGES);
	KT_CHECK(f.flushes >= 3);
	/* the glyph in constant use kept its cell all along (clearing the whole atlas, or
	 * evicting by age of insertion, would have moved it) */
	KT_CHECK(!moved);
	/* the first big glyph was on the least recently used page: evicted, then back on use */
	{
		uint32_t before = f.flushes;
		g = ui_glyph(&f, 150, first);
		KT_CHECK(g->page >= 0 && g->w > 100);
		KT_CHECK(f.flushes >= before);
	}
	ui_fonts_fini(&f);
}

/* A character the main font lacks comes from a fallback; one no font has is marked missing
 * (drawn as a placeholder box) and keeps an advance, so text around it stays in place. */
static void test_fallback_and_placeholder(void)
{
	struct ui_fonts f;
	const struct ui_glyph *g;
	KT_REQUIRE(ui_fonts_init(&f, renderer, &cfg) == 0);
	g = ui_glyph(&f, 32, 0x10FFFD); /* a private-use code point: in no font */
	KT_CHECK(g->missing);
	KT_CHECK(g->advance > 0);
	/* U+2680 ⚀ (a die face) is not in Noto Sans CJK but is in DejaVu Sans, the default
	 * fallback; if the machine's fonts differ, at least it must not be both present and
	 * missing */
	g = ui_glyph(&f, 32, 0x2680);
	if (!g->missing) {
		KT_CHECK(g->font > 0);
		KT_CHECK(g->page >= 0);
	} else {
		printf("# no fallback font has U+2680 here\n");
	}
	ui_fonts_fini(&f);
}

KT_MAIN(KT_CASE(setup), KT_CASE(test_cache), KT_CASE(test_lru_eviction),
	KT_CASE(test_fallback_and_placeholder), KT_CASE(teardown))
