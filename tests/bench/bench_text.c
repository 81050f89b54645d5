/*
 * bench_text.c — drawing a paragraph of Chinese: our layout + glyph atlas against SDL_ttf's
 * own wrapped renderer (TTF_RenderUTF8_Blended_Wrapped), the alternative a naive kiosk uses.
 * Prints figures; never fails on timing. Usage: bench_text FONT.ttc [FACE]
 */
#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/layout.h"

static const char para[] =
	"为进一步加强全县政务公开工作，提升政府信息公开质量和实效，根据《中华人民共和国政府信息公开条例》"
	"和上级有关要求，结合我县实际，现就做好2025年政务公开工作提出如下意见：一是深化重点领域信息公开，"
	"围绕稳就业、保民生、优化营商环境等重点工作，及时准确发布政策信息；二是加强政策解读，运用简明问答、"
	"图表图解等形式，让群众看得懂、用得上；三是规范政府信息公开平台建设，做好“查阅点”服务，"
	"方便群众就近查阅、免费打印。";

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct adv_ctx {
	TTF_Font *font;
	int cache[0x10000];
};

static int advance(void *ctx, uint32_t cp)
{
	struct adv_ctx *a = ctx;
	int minx, maxx, miny, maxy, adv = 0;
	if (cp < 0x10000 && a->cache[cp])
		return a->cache[cp];
	if (TTF_GlyphMetrics32(a->font, cp, &minx, &maxx, &miny, &maxy, &adv) != 0)
		adv = 32;
	if (cp < 0x10000)
		a->cache[cp] = adv;
	return adv;
}

int main(int argc, char **argv)
{
	const int size = 32, width = 1200, runs = 200;
	struct adv_ctx *ac = calloc(1, sizeof *ac);
	SDL_Surface *target;
	SDL_Renderer *r;
	SDL_Texture *atlas;
	double t0, t_ttf, t_layout, t_draw;
	size_t n_glyphs = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_text FONT [FACE]\n");
		return 2;
	}
	SDL_Init(0);
	TTF_Init();
	ac->font = TTF_OpenFontIndex(argv[1], size, argc > 2 ? atoi(argv[2]) : 0);
	if (!ac->font) {
		fprintf(stderr, "bench_text: %s\n", TTF_GetError());
		return 1;
	}
	target = SDL_CreateRGBSurfaceWithFormat(0, 1280, 800, 32, SDL_PIXELFORMAT_ARGB8888);
	r = SDL_CreateSoftwareRenderer(target);

	/* 1. SDL_ttf renders the wrapped paragraph into a surface, then a texture, every frame */
	t0 = now_ms();
	for (int i = 0; i < runs; i++) {
		SDL_Color black = { 0, 0, 0, 255 };
		SDL_Surface *s = TTF_RenderUTF8_Blended_Wrapped(ac->font, para, black, width);
		SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
		SDL_RenderCopy(r, t, NULL, &(SDL_Rect){ 0, 0, s->w, s->h });
		SDL_DestroyTexture(t);
		SDL_FreeSurface(s);
	}
	t_ttf = (now_ms() - t0) / runs;

	/* 2. our layout alone (clreq line breaking, compression, justification) */
	{
		struct kk_font_metrics m = { ac, advance, size };
		struct kk_para_style st = { width, 2 * size, 0, 1 };
		struct kk_para_layout l = { 0 };
		kk_text_layout_para(para, strlen(para), NULL, 0, &m, &st, &l); /* warm the advances */
		kk_para_layout_fini(&l);
		t0 = now_ms();
		for (int i = 0; i < runs * 10; i++) {
			kk_text_layout_para(para, strlen(para), NULL, 0, &m, &st, &l);
			n_glyphs = l.n_glyphs;
			kk_para_layout_fini(&l);
		}
		t_layout = (now_ms() - t0) / (runs * 10);

		/* 3. drawing the laid-out glyphs from an atlas (glyph cells copied from one texture),
		 * which is what the kiosk does each frame after the first */
		atlas = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, 1024, 1024);
		SDL_SetTextureBlendMode(atlas, SDL_BLENDMODE_BLEND);
		kk_text_layout_para(para, strlen(para), NULL, 0, &m, &st, &l);
		t0 = now_ms();
		for (int i = 0; i < runs; i++)
			for (size_t k = 0; k < l.n_lines; k++)
				for (size_t g = 0; g < l.lines[k].count; g++) {
					const struct kk_glyph *gl = &l.glyphs[l.lines[k].first + g];
					SDL_Rect src = { (int)(gl->cp % 30) * 34, (int)(gl->cp / 30 % 30) * 34, 34, 46 };
					SDL_Rect dst = { gl->x, (int)k * 51, 34, 46 };
					SDL_RenderCopy(r, atlas, &src, &dst);
				}
		t_draw = (now_ms() - t0) / runs;
		kk_para_layout_fini(&l);
	}
	printf("bench text: %zu-glyph paragraph at %d px, width %d (software renderer)\n", n_glyphs,
	       size, width);
	printf("  SDL_ttf TTF_RenderUTF8_Blended_Wrapped + texture : %8.3f ms per frame\n", t_ttf);
	printf("  kiosk layout (kk_text_layout_para), once per open : %8.3f ms (%.1f million characters/s)\n",
	       t_layout, (double)n_glyphs / t_layout / 1000.0);
	printf("  kiosk draw from glyph atlas, per frame           : %8.3f ms\n", t_draw);
	SDL_DestroyRenderer(r);
	SDL_FreeSurface(target);
	TTF_CloseFont(ac->font);
	TTF_Quit();
	SDL_Quit();
	free(ac);
	return 0;
}
