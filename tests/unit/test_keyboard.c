/*
 * test_keyboard.c — the on-screen keyboard (firmware/ui/keyboard.c) with the real engines:
 * layout at 1280x800, 1920x1080 and 1080x1920 (every key at least the touch target, inside
 * the keyboard, no overlaps), the events each key gives, pinyin and handwriting typed through
 * the keys and the pad, and drawing into an off-screen software renderer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/err.h"
#include "kt.h"
#include "ui/keyboard.h"
#include "ui/ui_internal.h"

static const int sizes[][2] = { { 1280, 800 }, { 1920, 1080 }, { 1080, 1920 } };

static float scale_of(int w, int h)
{
	return (float)(w < h ? w : h) / 1080.0f;
}

/* The keyboard at the bottom of a w x h screen, as tall as it likes. */
static SDL_Rect kb_rect(int w, int h)
{
	int kh = kb_pref_height(scale_of(w, h));
	SDL_Rect r = { 0, h - 64 - kh, w, kh };
	return r;
}

static struct kb *new_kb(int w, int h)
{
	struct kb *kb = NULL;
	if (kb_new(&kb, NULL, NULL) != 0)
		return NULL;
	kb_layout(kb, kb_rect(w, h), scale_of(w, h));
	return kb;
}

/* Index of the first key of this kind with this label (NULL: any label), or -1. */
static int find_key(const struct kb *kb, enum kb_key_kind kind, const char *label)
{
	for (int i = 0; i < kb->n_keys; i++)
		if (kb->keys[i].kind == kind && (!label || strcmp(kb->keys[i].label, label) == 0))
			return i;
	return -1;
}

/* Tap the centre of a key found by kind and label; returns the event flags (0 if no key). */
static unsigned tap(struct kb *kb, enum kb_key_kind kind, const char *label, struct kb_event *ev)
{
	int i = find_key(kb, kind, label);
	if (i < 0) {
		printf("#   no key %d \"%s\"\n", kind, label ? label : "");
		memset(ev, 0, sizeof *ev);
		return 0;
	}
	return kb_press(kb, kb->keys[i].r.x + kb->keys[i].r.w / 2, kb->keys[i].r.y + kb->keys[i].r.h / 2,
			ev);
}

/* Type letters with the letter keys. */
static int tap_letters(struct kb *kb, const char *s)
{
	struct kb_event ev;
	for (; *s; s++) {
		char l[2] = { *s, 0 };
		if (!(tap(kb, KB_K_LETTER, l, &ev) & (KB_EV_REDRAW | KB_EV_TEXT)))
			return -1;
	}
	return 0;
}

/* Every key and the pad: at least the target, inside the rect, no two overlapping. */
static int check_geometry(const struct kb *kb, const char *what)
{
	int target = (int)(UI_TARGET * kb->scale), bad = 0;
	for (int i = 0; i < kb->n_keys; i++) {
		const SDL_Rect *r = &kb->keys[i].r;
		SDL_Rect both;
		if (r->w < target || r->h < target) {
			printf("#   %s: key \"%s\" is %dx%d, under %d\n", what, kb->keys[i].label, r->w,
			       r->h, target);
			bad++;
		}
		if (!SDL_IntersectRect(r, &kb->rect, &both) || both.w != r->w || both.h != r->h) {
			printf("#   %s: key \"%s\" leaves the keyboard\n", what, kb->keys[i].label);
			bad++;
		}
		for (int k = i + 1; k < kb->n_keys; k++)
			if (SDL_HasIntersection(r, &kb->keys[k].r)) {
				printf("#   %s: keys \"%s\" and \"%s\" overlap\n", what, kb->keys[i].label,
				       kb->keys[k].label);
				bad++;
			}
		if (kb->pad.w > 0 && SDL_HasIntersection(r, &kb->pad)) {
			printf("#   %s: key \"%s\" is on the pad\n", what, kb->keys[i].label);
			bad++;
		}
	}
	if (kb->pad.w > 0 && (kb->pad.w < 3 * target || kb->pad.h != kb->pad.w)) {
		printf("#   %s: pad %dx%d\n", what, kb->pad.w, kb->pad.h);
		bad++;
	}
	return bad;
}

static void test_layout_every_size_and_mode(void)
{
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		int w = sizes[i][0], h = sizes[i][1];
		struct kb *kb = new_kb(w, h);
		struct kb_event ev;
		char what[64];
		KT_REQUIRE(kb != NULL);
		KT_REQUIRE(kb_mode_available(kb, KB_PINYIN) && kb_mode_available(kb, KB_HANDWRITING));
		KT_CHECK(kb->rect.h <= h / 2 + h / 10); /* leaves room for the query and results */
		for (int m = 0; m < KB_N_MODES; m++) {
			KT_CHECK_INT(kb_set_mode(kb, (enum kb_mode)m), 0);
			snprintf(what, sizeof what, "%dx%d mode %d", w, h, m);
			KT_CHECK_INT(check_geometry(kb, what), 0);
			KT_CHECK_INT(find_key(kb, KB_K_MODE, NULL) >= 0, 1);
			KT_CHECK(find_key(kb, KB_K_SUBMIT, "搜索") >= 0);
			KT_CHECK(find_key(kb, KB_K_BACKSPACE, "删除") >= 0);
			KT_CHECK(find_key(kb, KB_K_CLEAR, "清空") >= 0);
			KT_CHECK_INT(kb->pad.w > 0, m == KB_HANDWRITING);
		}
		KT_CHECK_INT(find_key(kb, KB_K_REWRITE, "重写") >= 0, 1);
		/* a taller keyboard in 手写 is a larger pad, keys still in the rect */
		{
			int side = kb->pad.w;
			SDL_Rect tall = kb->rect;
			tall.y -= tall.h / 3;
			tall.h += tall.h / 3;
			kb_layout(kb, tall, kb->scale);
			KT_CHECK(kb->pad.w > side || kb->pad.w >= 75 * kb->unit / 10 - kb->gap);
			KT_CHECK_INT(check_geometry(kb, "tall 手写"), 0);
			kb_layout(kb, kb_rect(w, h), kb->scale);
		}
		/* a full candidate bar, and its second page */
		KT_REQUIRE(kb_set_mode(kb, KB_PINYIN) == 0);
		KT_REQUIRE(tap_letters(kb, "shi") == 0);
		snprintf(what, sizeof what, "%dx%d candidates", w, h);
		KT_CHECK(kb->n_keys - kb->n_static >= 4);
		KT_CHECK_INT(check_geometry(kb, what), 0);
		KT_CHECK(find_key(kb, KB_K_PREV, NULL) < 0);
		KT_CHECK(tap(kb, KB_K_NEXT, NULL, &ev) == KB_EV_REDRAW);
		KT_CHECK(find_key(kb, KB_K_PREV, NULL) >= 0);
		KT_CHECK(kb->keys[find_key(kb, KB_K_CAND, NULL)].arg > 0);
		KT_CHECK_INT(check_geometry(kb, what), 0);
		KT_CHECK(tap(kb, KB_K_PREV, NULL, &ev) == KB_EV_REDRAW);
		KT_CHECK_INT(kb->keys[find_key(kb, KB_K_CAND, NULL)].arg, 0);
		/* a rect lower than the keyboard can use: keys keep the target size */
		kb_layout(kb, (SDL_Rect){ 0, 0, w, kb_min_height(kb->scale) / 2 }, kb->scale);
		{
			int target = (int)(UI_TARGET * kb->scale);
			for (int k = 0; k < kb->n_keys; k++)
				KT_CHECK(kb->keys[k].r.h >= target && kb->keys[k].r.w >= target);
		}
		kb_free(kb);
	}
}

static void test_keys_give_events(void)
{
	struct kb *kb = new_kb(1280, 800);
	struct kb_event ev;
	int letters = 0, symbols = 0;

	KT_REQUIRE(kb != NULL);
	KT_CHECK_INT(kb->mode, KB_PINYIN);
	/* first letters: each key types its letter */
	KT_CHECK_INT(tap(kb, KB_K_MODE, "首字母", &ev), KB_EV_MODE | KB_EV_REDRAW);
	KT_CHECK_INT(ev.mode, KB_INITIALS);
	KT_CHECK_INT(kb->mode, KB_INITIALS);
	for (int i = 0; i < kb->n_keys; i++) {
		const struct kb_key *k = &kb->keys[i];
		if (k->kind != KB_K_LETTER)
			continue;
		KT_CHECK_INT(kb_press(kb, k->r.x + k->r.w / 2, k->r.y + k->r.h / 2, &ev), KB_EV_TEXT);
		KT_CHECK_STR(ev.text, k->label);
		letters++;
	}
	KT_CHECK_INT(letters, 26);
	/* corners belong to the key too; the margin and gaps to none */
	{
		int q = find_key(kb, KB_K_LETTER, "q");
		const SDL_Rect *r = &kb->keys[q].r;
		KT_CHECK_INT(kb_key_at(kb, r->x, r->y), q);
		KT_CHECK_INT(kb_key_at(kb, r->x + r->w - 1, r->y + r->h - 1), q);
		KT_CHECK_INT(kb_key_at(kb, r->x + r->w, r->y), -1);
		KT_CHECK_INT(kb_press(kb, kb->rect.x + 1, kb->rect.y + 1, &ev), 0);
		KT_CHECK_INT(kb_press_key(kb, kb->n_keys, &ev), 0);
		KT_CHECK_INT(kb_press_key(kb, -1, &ev), 0);
	}
	KT_CHECK_INT(tap(kb, KB_K_SPACE, "空格", &ev), KB_EV_TEXT);
	KT_CHECK_STR(ev.text, " ");
	KT_CHECK_INT(tap(kb, KB_K_BACKSPACE, "删除", &ev), KB_EV_BACKSPACE | KB_EV_REDRAW);
	KT_CHECK_INT(tap(kb, KB_K_CLEAR, "清空", &ev), KB_EV_CLEAR | KB_EV_REDRAW);
	KT_CHECK_INT(tap(kb, KB_K_SUBMIT, "搜索", &ev), KB_EV_SUBMIT | KB_EV_REDRAW);
	/* tapping the current mode changes nothing */
	KT_CHECK_INT(tap(kb, KB_K_MODE, "首字母", &ev), 0);
	/* the digit/symbol pad: each key types its label, all of kk_ime_pad is there */
	KT_CHECK_INT(tap(kb, KB_K_MODE, "数字符号", &ev), KB_EV_MODE | KB_EV_REDRAW);
	KT_CHECK_INT(ev.mode, KB_SYMBOLS);
	for (int r = 0; r < KK_IME_PAD_ROWS; r++)
		for (int c = 0; c < KK_IME_PAD_COLS && kk_ime_pad[r][c]; c++) {
			KT_CHECK_INT(tap(kb, KB_K_SYMBOL, kk_ime_pad[r][c], &ev), KB_EV_TEXT);
			KT_CHECK_STR(ev.text, kk_ime_pad[r][c]);
			symbols++;
		}
	KT_CHECK_INT(symbols, 27);
	KT_CHECK(find_key(kb, KB_K_LETTER, NULL) < 0);
	/* kb_reset: back to pinyin */
	kb_reset(kb);
	KT_CHECK_INT(kb->mode, KB_PINYIN);
	KT_CHECK_INT(kb_set_mode(kb, KB_N_MODES), KK_EINVAL);
	kb_free(kb);
}

static void test_pinyin_through_keys(void)
{
	struct kb *kb = new_kb(1080, 1920);
	struct kb_event ev;

	KT_REQUIRE(kb != NULL);
	KT_REQUIRE(tap_letters(kb, "shenfenzheng") == 0);
	/* 身份证 is on the first page; the first candidate is marked as the default */
	KT_REQUIRE(find_key(kb, KB_K_CAND, "身份证") >= 0);
	KT_CHECK(kb->keys[find_key(kb, KB_K_CAND, "身份证")].arg < 3);
	KT_CHECK_INT(tap(kb, KB_K_CAND, "身份证", &ev), KB_EV_TEXT | KB_EV_REDRAW);
	KT_CHECK_STR(ev.text, "身份证");
	/* then predictions fill the bar; one tap commits one */
	KT_REQUIRE(find_key(kb, KB_K_CAND, NULL) >= 0);
	{
		char want[KB_TEXT_BYTES];
		snprintf(want, sizeof want, "%s", kb->keys[find_key(kb, KB_K_CAND, NULL)].label);
		KT_CHECK_INT(tap(kb, KB_K_CAND, want, &ev), KB_EV_TEXT | KB_EV_REDRAW);
		KT_CHECK_STR(ev.text, want);
	}
	/* 删除 while predictions show: it edits the query and ends them */
	KT_CHECK_INT(tap(kb, KB_K_BACKSPACE, NULL, &ev), KB_EV_BACKSPACE | KB_EV_REDRAW);
	KT_CHECK(find_key(kb, KB_K_CAND, NULL) < 0);

	/* a partial choice, then the rest */
	KT_REQUIRE(tap_letters(kb, "shenfenzhengx") == 0);
	KT_CHECK_INT(tap(kb, KB_K_BACKSPACE, NULL, &ev), KB_EV_REDRAW); /* the x, not the query */
	KT_CHECK_STR(kk_pinyin_letters(kb->py), "shenfenzheng");
	KT_CHECK_INT(tap(kb, KB_K_CAND, "身份", &ev), KB_EV_REDRAW);
	KT_CHECK_STR(ev.text, "");
	KT_CHECK_INT(tap(kb, KB_K_CAND, "证", &ev), KB_EV_TEXT | KB_EV_REDRAW);
	KT_CHECK_STR(ev.text, "身份证");

	/* 搜索 while composing: the first candidate goes into the query, then the search */
	KT_REQUIRE(tap_letters(kb, "zhengfu") == 0);
	KT_CHECK_INT(tap(kb, KB_K_SUBMIT, NULL, &ev), KB_EV_TEXT | KB_EV_SUBMIT | KB_EV_REDRAW);
	KT_CHECK_STR(ev.text, "政府");
	KT_CHECK(find_key(kb, KB_K_CAND, NULL) < 0);
	/* 空格 while composing does the same without searching */
	KT_REQUIRE(tap_letters(kb, "banli") == 0);
	KT_CHECK_INT(tap(kb, KB_K_SPACE, NULL, &ev), KB_EV_TEXT | KB_EV_REDRAW);
	KT_CHECK_STR(ev.text, "办理");
	/* 清空 drops the composition and the query */
	KT_REQUIRE(tap_letters(kb, "hukou") == 0);
	KT_CHECK_INT(tap(kb, KB_K_CLEAR, NULL, &ev), KB_EV_CLEAR | KB_EV_REDRAW);
	KT_CHECK(!kk_pinyin_composing_active(kb->py));
	KT_CHECK(find_key(kb, KB_K_CAND, NULL) < 0);
	/* switching mode drops a composition too */
	KT_REQUIRE(tap_letters(kb, "hukou") == 0);
	KT_CHECK_INT(tap(kb, KB_K_MODE, "数字符号", &ev), KB_EV_MODE | KB_EV_REDRAW);
	KT_CHECK(!kk_pinyin_composing_active(kb->py));
	kb_free(kb);
}

/* Draw a straight stroke on the pad from (x1, y1) to (x2, y2) in 0..100 pad units. */
static unsigned write_line(struct kb *kb, int x1, int y1, int x2, int y2, struct kb_event *ev)
{
	const SDL_Rect *p = &kb->pad;
	if (!kb_stroke_begin(kb, p->x + x1 * p->w / 100, p->y + y1 * p->h / 100))
		return 0;
	for (int t = 1; t <= 20; t++)
		kb_stroke_point(kb, p->x + (x1 + (x2 - x1) * t / 20) * p->w / 100,
				p->y + (y1 + (y2 - y1) * t / 20) * p->h / 100);
	return kb_stroke_end(kb, ev);
}

static void test_handwriting_through_pad(void)
{
	struct kb *kb = new_kb(1920, 1080);
	struct kb_event ev;

	KT_REQUIRE(kb != NULL);
	KT_CHECK_INT(kb_stroke_begin(kb, kb->rect.x + 5, kb->rect.y + 5), 0); /* not in 手写 */
	KT_CHECK_INT(tap(kb, KB_K_MODE, "手写", &ev), KB_EV_MODE | KB_EV_REDRAW);
	KT_REQUIRE(kb->pad.w > 0);
	KT_CHECK_INT(kb_stroke_begin(kb, kb->pad.x - 1, kb->pad.y), 0);
	KT_CHECK_INT(kb_stroke_end(kb, &ev), 0);
	KT_CHECK(find_key(kb, KB_K_CAND, NULL) < 0);

	KT_CHECK_INT(write_line(kb, 10, 50, 90, 50, &ev), KB_EV_REDRAW);
	KT_REQUIRE(find_key(kb, KB_K_CAND, NULL) >= 0);
	KT_CHECK_STR(kb->keys[find_key(kb, KB_K_CAND, NULL)].label, "一");
	KT_CHECK_INT(write_line(kb, 50, 10, 50, 90, &ev), KB_EV_REDRAW);
	KT_CHECK_STR(kb->keys[find_key(kb, KB_K_CAND, NULL)].label, "十");
	KT_CHECK_INT(kb->n_strokes, 2);
	/* 删除 takes the last stroke back, not a character of the query */
	KT_CHECK_INT(tap(kb, KB_K_BACKSPACE, NULL, &ev), KB_EV_REDRAW);
	KT_CHECK_INT(kb->n_strokes, 1);
	KT_CHECK_STR(kb->keys[find_key(kb, KB_K_CAND, NULL)].label, "一");
	KT_CHECK_INT(write_line(kb, 50, 10, 50, 90, &ev), KB_EV_REDRAW);
	KT_CHECK_INT(tap(kb, KB_K_CAND, "十", &ev), KB_EV_TEXT | KB_EV_REDRAW);
	KT_CHECK_STR(ev.text, "十");
	KT_CHECK_INT(kb->n_strokes, 0);
	/* then the pinyin engine's predictions of what follows 十 (十分, 十年 …) */
	KT_REQUIRE(find_key(kb, KB_K_CAND, NULL) >= 0);
	{
		char want[KB_TEXT_BYTES];
		snprintf(want, sizeof want, "%s", kb->keys[find_key(kb, KB_K_CAND, NULL)].label);
		KT_CHECK_INT(tap(kb, KB_K_CAND, want, &ev), KB_EV_TEXT | KB_EV_REDRAW);
		KT_CHECK_STR(ev.text, want);
	}
	/* 重写 clears the pad without touching the query */
	KT_CHECK_INT(write_line(kb, 10, 50, 90, 50, &ev), KB_EV_REDRAW);
	KT_CHECK_INT(tap(kb, KB_K_REWRITE, "重写", &ev), KB_EV_REDRAW);
	KT_CHECK_INT(kb->n_strokes, 0);
	KT_CHECK(find_key(kb, KB_K_CAND, "一") < 0);
	/* 搜索 with a character on the pad takes its first candidate */
	KT_CHECK_INT(write_line(kb, 10, 50, 90, 50, &ev), KB_EV_REDRAW);
	KT_CHECK_INT(tap(kb, KB_K_SUBMIT, NULL, &ev), KB_EV_TEXT | KB_EV_SUBMIT | KB_EV_REDRAW);
	KT_CHECK_STR(ev.text, "一");
	/* an empty pad: 删除 edits the query */
	KT_CHECK_INT(tap(kb, KB_K_BACKSPACE, NULL, &ev), KB_EV_BACKSPACE | KB_EV_REDRAW);

	/* hostile fingers: a stroke of 10,000 moves that leave the pad, and too many strokes */
	KT_REQUIRE(kb_stroke_begin(kb, kb->pad.x + 1, kb->pad.y + 1) == 1);
	for (int i = 0; i < 10000; i++)
		kb_stroke_point(kb, kb->pad.x - 500 + (i * 37) % 3000, kb->pad.y + (i * 91) % 2000 - 700);
	KT_CHECK_INT(kb_stroke_end(kb, &ev), KB_EV_REDRAW);
	KT_CHECK(kb->n_pts <= KB_STROKE_POINTS);
	for (int i = 0; i < kb->n_pts; i++)
		KT_CHECK(kb->pts[i].x >= 0 && kb->pts[i].x < kb->pad.w && kb->pts[i].y >= 0 &&
			 kb->pts[i].y < kb->pad.h);
	for (int s = 0; s < KK_HAND_MAX_STROKES + 5; s++)
		write_line(kb, 10 + s % 80, 20, 10 + s % 80, 80, &ev);
	KT_CHECK_INT(kb->n_strokes, KK_HAND_MAX_STROKES);
	KT_CHECK_INT(kb_stroke_begin(kb, kb->pad.x + 5, kb->pad.y + 5), 1); /* swallowed */
	KT_CHECK_INT(kb_stroke_end(kb, &ev), 0);
	KT_CHECK_INT(check_geometry(kb, "after many strokes"), 0);
	kb_free(kb);
}

static void test_missing_engines(void)
{
	struct kb *kb = NULL;
	struct kb_event ev;

	KT_REQUIRE(kb_new(&kb, "/nonexistent/dict.dat", "/nonexistent/zh.model") == 0);
	KT_CHECK(!kb_mode_available(kb, KB_PINYIN) && !kb_mode_available(kb, KB_HANDWRITING));
	KT_CHECK_INT(kb->mode, KB_INITIALS);
	kb_layout(kb, kb_rect(1280, 800), scale_of(1280, 800));
	KT_CHECK(find_key(kb, KB_K_MODE, "拼音") < 0 && find_key(kb, KB_K_MODE, "手写") < 0);
	KT_CHECK(find_key(kb, KB_K_MODE, "首字母") >= 0 && find_key(kb, KB_K_MODE, "数字符号") >= 0);
	KT_CHECK_INT(kb_set_mode(kb, KB_PINYIN), KK_EINVAL);
	KT_CHECK_INT(check_geometry(kb, "no engines"), 0);
	KT_CHECK_INT(tap(kb, KB_K_LETTER, "s", &ev), KB_EV_TEXT);
	KT_CHECK_STR(ev.text, "s");
	kb_reset(kb);
	KT_CHECK_INT(kb->mode, KB_INITIALS);
	kb_free(kb);
	kb_free(NULL);
}

/* ---- drawing ----------------------------------------------------------------------------- */

static uint32_t pixel(SDL_Surface *s, int x, int y)
{
	Uint8 r, g, b, a;
	SDL_GetRGBA(((Uint32 *)s->pixels)[y * (s->pitch / 4) + x], s->format, &r, &g, &b, &a);
	return (uint32_t)r << 24 | (uint32_t)g << 16 | (uint32_t)b << 8 | a;
}

/* Pixels inside r (inset by 2) that differ from the colour at its top left corner. */
static int ink(SDL_Surface *s, const SDL_Rect *r)
{
	uint32_t bg = pixel(s, r->x + 2, r->y + 2);
	int n = 0;
	for (int y = r->y + 2; y < r->y + r->h - 2; y++)
		for (int x = r->x + 2; x < r->x + r->w - 2; x++)
			n += pixel(s, x, y) != bg;
	return n;
}

static void test_draw(void)
{
	struct kk_config cfg;
	struct ui *u = calloc(1, sizeof *u);
	struct kb *kb = NULL;
	struct kb_event ev;
	int w = 1280, h = 800, sub, cand;

	KT_REQUIRE(u != NULL);
	KT_REQUIRE(SDL_Init(SDL_INIT_EVENTS) == 0 && TTF_Init() == 0);
	kk_config_defaults(&cfg);
	u->cfg = &cfg;
	u->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	KT_REQUIRE(u->surface && (u->r = SDL_CreateSoftwareRenderer(u->surface)));
	SDL_SetRenderDrawBlendMode(u->r, SDL_BLENDMODE_BLEND);
	u->w = w;
	u->h = h;
	u->s = scale_of(w, h);
	KT_REQUIRE(ui_fonts_init(&u->fonts, u->r, &cfg) == 0);
	kb = new_kb(w, h);
	KT_REQUIRE(kb != NULL);
	KT_REQUIRE(tap_letters(kb, "shenfenzheng") == 0);

	kb_draw(kb, u, ACT_SEARCH_CLEAR);
	/* every key is a hit region whose arg is its index */
	KT_CHECK_INT(u->n_hits, kb->n_keys);
	KT_CHECK_INT(u->hits[5].arg, 5);
	KT_CHECK(SDL_RectEquals(&u->hits[5].r, &kb->keys[5].r));
	sub = find_key(kb, KB_K_SUBMIT, NULL);
	KT_CHECK_INT(pixel(u->surface, kb->keys[sub].r.x + 3, kb->keys[sub].r.y + 3), COL_ACCENT);
	KT_CHECK(ink(u->surface, &kb->keys[sub].r) > 50); /* the label 搜索 */
	KT_CHECK_INT(pixel(u->surface, kb->keys[find_key(kb, KB_K_LETTER, "q")].r.x + 3,
			   kb->keys[find_key(kb, KB_K_LETTER, "q")].r.y + 3), COL_BUTTON);
	cand = find_key(kb, KB_K_CAND, "身份证");
	KT_REQUIRE(cand >= 0);
	KT_CHECK(ink(u->surface, &kb->keys[cand].r) > 100);
	KT_CHECK(ink(u->surface, &kb->strip) > 50); /* shen'fen'zheng */
	KT_CHECK_INT(pixel(u->surface, kb->rect.x + 1, kb->rect.y + 1), 0xE6E0D4FFu);

	/* the pad with a stroke: ink along the line, none in the corner */
	KT_REQUIRE(tap(kb, KB_K_MODE, "手写", &ev) & KB_EV_MODE);
	KT_REQUIRE(write_line(kb, 10, 30, 90, 30, &ev) == KB_EV_REDRAW);
	u->n_hits = 0;
	kb_draw(kb, u, ACT_NONE);
	KT_CHECK_INT(u->n_hits, 0);
	KT_CHECK_INT(pixel(u->surface, kb->pad.x + kb->pad.w / 2, kb->pad.y + kb->pad.h * 30 / 100),
		     COL_TEXT);
	KT_CHECK_INT(pixel(u->surface, kb->pad.x + 10, kb->pad.y + kb->pad.h - 10), COL_BUTTON);

	kb_free(kb);
	ui_fonts_fini(&u->fonts);
	SDL_DestroyRenderer(u->r);
	SDL_FreeSurface(u->surface);
	free(u);
	TTF_Quit();
	SDL_Quit();
}

KT_MAIN(KT_CASE(test_layout_every_size_and_mode), KT_CASE(test_keys_give_events),
	KT_CASE(test_pinyin_through_keys), KT_CASE(test_handwriting_through_pad),
	KT_CASE(test_missing_engines), KT_CASE(test_draw))
