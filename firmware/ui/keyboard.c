/*
 * keyboard.c — the on-screen keyboard widget; see keyboard.h for the modes and how the search
 * screen drives it.
 *
 * DESIGN: all geometry is computed in kb_layout and after every change of the candidates
 * (layout_cands), never while drawing, so hit testing is exactly what is drawn and can run in
 * a unit test without a renderer. Candidate widths are estimated from the text (a Han
 * character is one em in the CJK font, anything else at most 0.6 em) instead of measured with
 * the font, for the same reason; kb_draw clips a candidate that would not fit.
 *
 * Rows, top to bottom: the composing strip, the candidate bar (‹ candidates ›), three rows of
 * keys that depend on the mode, and the bottom row (the modes, 空格, 搜索). Key positions are
 * in tenths of a key slot, ten slots across; the keyboard is centred when the screen is wider
 * than ten slots of the widest key size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/utf8.h"
#include "ui/keyboard.h"

/* Sizes at scale 1 (a 1080-px short side). */
#define KB_ROW 96        /* preferred key height; never below UI_TARGET */
#define KB_GAP 10
#define KB_MARGIN 12
#define KB_STRIP 56      /* the composing strip (text, not a touch target) */
#define KB_SLOT_MAX 150  /* widest key slot: a 1920-px-wide keyboard would be silly */
#define KB_SZ_KEY 40
#define KB_SZ_CAND 44
#define KB_SZ_SMALL 30
#define KB_CAND_PAD 24   /* space left and right of a candidate's text */
#define KB_STROKE 8      /* handwriting line width */

#define COL_KB_BG 0xE6E0D4FFu
#define COL_KB_FN 0xD3CABAFFu /* function keys */
#define COL_KB_GUIDE 0xE3DDD2FFu

static const char *const mode_names[KB_N_MODES] = { "拼音", "首字母", "数字符号", "手写" };
static const char *const qwerty[3] = { "qwertyuiop", "asdfghjkl", "zxcvbnm" };

/* v px at scale 1, at this scale (at least 1 for v > 0): ui_px without a struct ui. */
static int kb_px(float scale, int v)
{
	int r = (int)((float)v * scale + 0.5f);
	return r < 1 && v > 0 ? 1 : r;
}

/* ---- candidates ------------------------------------------------------------------------- */

/* Where the candidate bar's entries come from in the current state. */
static size_t cand_count(const struct kb *kb)
{
	if (kb->mode == KB_HANDWRITING && kb->n_strokes > 0)
		return kb->n_hw;
	if ((kb->mode == KB_PINYIN || kb->mode == KB_HANDWRITING) && kb->py)
		return kk_pinyin_count(kb->py); /* pinyin candidates, or predictions */
	return 0;
}

/* Candidate k's text into c; returns 0 or KK_EINVAL. */
static int cand_get(struct kb *kb, size_t k, struct kk_ime_cand *c)
{
	if (kb->mode == KB_HANDWRITING && kb->n_strokes > 0) {
		if (k >= kb->n_hw)
			return KK_EINVAL;
		*c = kb->hw[k];
		return 0;
	}
	if (!kb->py)
		return KK_EINVAL;
	return kk_pinyin_candidate(kb->py, k, c);
}

/* Width of a candidate's key: its text estimated at the candidate size, at least one slot. */
static int cand_width(const struct kb *kb, const char *text)
{
	size_t i = 0, len = strlen(text);
	int w = 2 * kb_px(kb->scale, KB_CAND_PAD), min = kb->unit - kb->gap;
	while (i < len) {
		int32_t cp = kk_utf8_next(text, len, &i);
		w += cp >= 0x2E80 ? kb->size_cand : kb->size_cand * 6 / 10;
	}
	return w < min ? min : w;
}

/* Append a key; returns it, or NULL when the table is full (never with the fixed layouts). */
static struct kb_key *key_add(struct kb *kb, int x, int y, int w, int h, enum kb_key_kind kind,
			      int arg, const char *label)
{
	struct kb_key *k;
	if (kb->n_keys >= KB_MAX_KEYS)
		return NULL;
	k = &kb->keys[kb->n_keys++];
	k->r.x = x;
	k->r.y = y;
	k->r.w = w;
	k->r.h = h;
	k->kind = (uint8_t)kind;
	k->arg = (int16_t)arg;
	snprintf(k->label, sizeof k->label, "%s", label);
	return k;
}

/* Lay out the candidate bar's page from page_first[page]: keys after the static ones. */
static void layout_cands(struct kb *kb)
{
	size_t count = cand_count(kb), k = kb->page_first[kb->page];
	int x = kb->bar.x, end = kb->bar.x + kb->bar.w, slot = kb->unit - kb->gap;

	kb->n_keys = kb->n_static;
	if (count == 0 || kb->rect.w == 0)
		return;
	for (; k < count && kb->n_keys < KB_MAX_KEYS - 2; k++) {
		struct kk_ime_cand c;
		int w;
		if (cand_get(kb, k, &c) != 0)
			break;
		w = cand_width(kb, c.text);
		if (x + w > end) {
			if (x > kb->bar.x)
				break; /* the rest on the next page */
			w = kb->bar.w; /* one very long candidate: drawn clipped */
		}
		key_add(kb, x, kb->bar.y, w, kb->bar.h, KB_K_CAND, (int)k, c.text);
		x += w + kb->gap;
	}
	if (kb->page > 0)
		key_add(kb, kb->bar.x - kb->unit, kb->bar.y, slot, kb->bar.h, KB_K_PREV, 0, "‹");
	if (k < count && kb->page + 1 < KB_MAX_PAGES) {
		key_add(kb, end + kb->gap, kb->bar.y, slot, kb->bar.h, KB_K_NEXT, 0, "›");
		kb->page_first[kb->page + 1] = k;
	}
}

/* The candidates changed: back to their first page. */
static void cands_changed(struct kb *kb)
{
	kb->page = 0;
	kb->page_first[0] = 0;
	layout_cands(kb);
}

/* ---- handwriting pad -------------------------------------------------------------------- */

/* Forget the strokes and the recogniser's results; the pad starts a new character. */
static void pad_clear(struct kb *kb)
{
	kb->n_strokes = 0;
	kb->n_pts = 0;
	kb->n_hw = 0;
	kb->writing = 0;
	if (kb->hand && kb->pad.w > 0)
		kk_hand_begin(kb->hand, kb->pad.w, kb->pad.h);
}

/* Recognise the strokes on the pad again (after a stroke was added or taken back). */
static void pad_recognize(struct kb *kb)
{
	if (kk_hand_recognize(kb->hand, kb->hw, KK_HAND_MAX_CANDS, &kb->n_hw) != 0)
		kb->n_hw = 0;
	cands_changed(kb);
}

/* ---- lifetime and layout ---------------------------------------------------------------- */

/* See keyboard.h. */
int kb_new(struct kb **out, const char *dict, const char *model)
{
	struct kb *kb = calloc(1, sizeof *kb);
	int rc;

	*out = NULL;
	if (!kb)
		return KK_ENOMEM;
	/* either engine may be missing: that mode is then left out (the open logged why) */
	if ((rc = kk_pinyin_open(&kb->py, dict, NULL)) != 0)
		kk_warn("ui", "keyboard: no pinyin (%s): first letters instead", kk_err_name(rc));
	if ((rc = kk_hand_open(&kb->hand, model)) != 0)
		kk_warn("ui", "keyboard: no handwriting (%s)", kk_err_name(rc));
	kb->mode = kb->py ? KB_PINYIN : KB_INITIALS;
	*out = kb;
	return 0;
}

/* See keyboard.h. */
void kb_free(struct kb *kb)
{
	if (!kb)
		return;
	kk_pinyin_close(kb->py);
	kk_hand_close(kb->hand);
	free(kb);
}

/* See keyboard.h. */
int kb_mode_available(const struct kb *kb, enum kb_mode mode)
{
	switch (mode) {
	case KB_PINYIN: return kb->py != NULL;
	case KB_HANDWRITING: return kb->hand != NULL;
	case KB_INITIALS:
	case KB_SYMBOLS: return 1;
	default: return 0;
	}
}

/* See keyboard.h. */
int kb_pref_height(float scale)
{
	return kb_px(scale, 2 * KB_MARGIN + KB_STRIP + 5 * KB_GAP) + 5 * kb_px(scale, KB_ROW);
}

/* See keyboard.h. */
int kb_min_height(float scale)
{
	return kb_px(scale, 2 * KB_MARGIN + KB_STRIP + 5 * KB_GAP) + 5 * kb_px(scale, UI_TARGET);
}

/* Add a row's key spanning slots [a, b) in tenths of a slot. */
static void key_slots(struct kb *kb, int x0, int y, int a, int b, enum kb_key_kind kind, int arg,
		      const char *label)
{
	int x = x0 + a * kb->unit / 10, w = x0 + b * kb->unit / 10 - x - kb->gap;
	key_add(kb, x, y, w, kb->row_h, kind, arg, label);
}

/* The mode-dependent rows starting at y: three rows of keys (row pitch p), or in 手写 the
 * pad and its keys in rows_h px. */
static void layout_rows(struct kb *kb, int x0, int y, int p, int rows_h)
{
	char one[2] = { 0, 0 };

	if (kb->mode == KB_HANDWRITING) {
		/* the pad on the left, square, as tall as the rows; three keys on the right */
		int side = rows_h, room = 75 * kb->unit / 10 - kb->gap;
		int kp = (rows_h + kb->gap) / 3, kh = kp - kb->gap;
		static const enum kb_key_kind kinds[3] = { KB_K_REWRITE, KB_K_BACKSPACE, KB_K_CLEAR };
		static const char *const labels[3] = { "重写", "删除", "清空" };
		if (side > room)
			side = room;
		kb->pad.x = x0 + (room - side) / 2;
		kb->pad.y = y;
		kb->pad.w = kb->pad.h = side;
		for (int i = 0; i < 3; i++) {
			int kx = x0 + 75 * kb->unit / 10;
			key_add(kb, kx, y + i * kp, x0 + 10 * kb->unit - kb->gap - kx, kh, kinds[i], 0,
				labels[i]);
		}
		return;
	}
	kb->pad.w = kb->pad.h = 0;
	for (int r = 0; r < 3; r++) {
		/* rows of ten; the QWERTY middle row of nine is set in by half a slot */
		int start = r == 2 ? 15 : (kb->mode != KB_SYMBOLS && r == 1) ? 5 : 0;
		for (int c = 0; c < KK_IME_PAD_COLS; c++) {
			const char *label;
			if (kb->mode == KB_SYMBOLS) {
				label = kk_ime_pad[r][c];
			} else {
				one[0] = qwerty[r][c];
				label = one[0] ? one : NULL;
			}
			if (!label)
				break;
			key_slots(kb, x0, y + r * p, start + c * 10, start + c * 10 + 10,
				  kb->mode == KB_SYMBOLS ? KB_K_SYMBOL : KB_K_LETTER, 0, label);
		}
	}
	key_slots(kb, x0, y + 2 * p, 0, 15, KB_K_CLEAR, 0, "清空");
	key_slots(kb, x0, y + 2 * p, 85, 100, KB_K_BACKSPACE, 0, "删除");
}

/* The bottom row: the modes offered, 空格, 搜索. */
static void layout_bottom(struct kb *kb, int x0, int y)
{
	int a = 0;
	for (int m = 0; m < KB_N_MODES; m++) {
		if (!kb_mode_available(kb, (enum kb_mode)m))
			continue;
		key_slots(kb, x0, y, a, a + 13, KB_K_MODE, m, mode_names[m]);
		a += 13;
	}
	/* 空格 takes what the modes leave; 搜索 is wide and always at the right */
	key_slots(kb, x0, y, a, 75, KB_K_SPACE, 0, "空格");
	key_slots(kb, x0, y, 75, 100, KB_K_SUBMIT, 0, "搜索");
}

/* See keyboard.h. */
void kb_layout(struct kb *kb, SDL_Rect rect, float scale)
{
	int m, h, used, x0, y, p, width, slot_max, rows_h, spare;

	kb->rect = rect;
	kb->scale = scale > 0 ? scale : 1;
	scale = kb->scale;
	m = kb_px(scale, KB_MARGIN);
	kb->gap = kb_px(scale, KB_GAP);
	kb->size_key = kb_px(scale, KB_SZ_KEY);
	kb->size_cand = kb_px(scale, KB_SZ_CAND);
	kb->size_small = kb_px(scale, KB_SZ_SMALL);
	h = rect.h < kb_min_height(scale) ? kb_min_height(scale) : rect.h;
	kb->row_h = (h - kb_px(scale, 2 * KB_MARGIN + KB_STRIP + 5 * KB_GAP)) / 5;
	if (kb->row_h > kb_px(scale, KB_ROW))
		kb->row_h = kb_px(scale, KB_ROW);
	if (kb->row_h < kb_px(scale, UI_TARGET))
		kb->row_h = kb_px(scale, UI_TARGET);
	slot_max = kb_px(scale, KB_SLOT_MAX);
	width = rect.w - 2 * m + kb->gap; /* ten slots, each a key and the gap after it */
	kb->unit = (width > 10 * slot_max ? 10 * slot_max : width) / 10;
	used = kb_px(scale, KB_STRIP + 5 * KB_GAP) + 5 * kb->row_h;
	x0 = rect.x + (rect.w - (10 * kb->unit - kb->gap)) / 2;
	p = kb->row_h + kb->gap;
	rows_h = 3 * kb->row_h + 2 * kb->gap;
	spare = h - 2 * m - used;
	if (kb->mode == KB_HANDWRITING) {
		rows_h += spare; /* a taller keyboard is a larger pad to write in */
		spare = 0;
	}
	y = rect.y + m + spare / 2;

	kb->n_keys = 0;
	kb->strip = (SDL_Rect){ x0, y, 10 * kb->unit - kb->gap, kb_px(scale, KB_STRIP) };
	y += kb->strip.h + kb->gap;
	kb->bar = (SDL_Rect){ x0 + kb->unit, y, 8 * kb->unit - kb->gap, kb->row_h };
	layout_rows(kb, x0, y + p, p, rows_h);
	layout_bottom(kb, x0, y + p + rows_h + kb->gap);
	kb->n_static = kb->n_keys;
	pad_clear(kb);
	cands_changed(kb);
}

/* See keyboard.h. */
int kb_set_mode(struct kb *kb, enum kb_mode mode)
{
	if (!kb_mode_available(kb, mode))
		return KK_EINVAL;
	if (kb->py)
		kk_pinyin_reset(kb->py); /* a composition does not follow into another mode */
	kb->mode = mode;
	if (kb->rect.w > 0)
		kb_layout(kb, kb->rect, kb->scale);
	else
		pad_clear(kb);
	return 0;
}

/* See keyboard.h. */
void kb_reset(struct kb *kb)
{
	kb_set_mode(kb, kb->py ? KB_PINYIN : KB_INITIALS);
}

/* ---- input ------------------------------------------------------------------------------ */

/* See keyboard.h. */
int kb_key_at(const struct kb *kb, int x, int y)
{
	SDL_Point pt = { x, y };
	for (int i = 0; i < kb->n_keys; i++)
		if (SDL_PointInRect(&pt, &kb->keys[i].r))
			return i;
	return -1;
}

/* Something is being composed or written that a candidate could finish. */
static int composing(const struct kb *kb)
{
	if (kb->mode == KB_HANDWRITING)
		return kb->n_strokes > 0 && kb->n_hw > 0;
	return kb->mode == KB_PINYIN && kb->py && kk_pinyin_composing_active(kb->py);
}

/* Choose candidate k of the bar: commits text into ev, or goes on composing. */
static void choose(struct kb *kb, size_t k, struct kb_event *ev)
{
	ev->flags |= KB_EV_REDRAW;
	if (kb->mode == KB_HANDWRITING && kb->n_strokes > 0) {
		if (k >= kb->n_hw)
			return;
		snprintf(ev->text, sizeof ev->text, "%s", kb->hw[k].text);
		pad_clear(kb);
		if (kb->py)
			kk_pinyin_predict(kb->py, ev->text); /* what usually follows it */
	} else if (kb->py && kk_pinyin_choose(kb->py, k, ev->text, sizeof ev->text) != 0) {
		ev->text[0] = '\0';
	}
	if (ev->text[0])
		ev->flags |= KB_EV_TEXT;
	cands_changed(kb);
}

/* 删除: the composition's last letter, the pad's last stroke, or the query's last character. */
static void backspace(struct kb *kb, struct kb_event *ev)
{
	ev->flags |= KB_EV_REDRAW;
	if (kb->mode == KB_HANDWRITING && kb->n_strokes > 0) {
		kk_hand_undo(kb->hand);
		kb->n_strokes--;
		kb->n_pts = kb->stroke_start[kb->n_strokes];
		if (kb->n_strokes > 0) {
			pad_recognize(kb);
		} else {
			pad_clear(kb);
			cands_changed(kb);
		}
		return;
	}
	if (kb->py && kk_pinyin_backspace(kb->py) == 0 && kb->mode == KB_PINYIN) {
		cands_changed(kb);
		return;
	}
	/* nothing composed (predictions, if shown, are gone now): the query's turn */
	ev->flags |= KB_EV_BACKSPACE;
	cands_changed(kb);
}

/* Drop the composition, strokes and predictions. */
static void drop_input(struct kb *kb)
{
	if (kb->py)
		kk_pinyin_reset(kb->py);
	pad_clear(kb);
	cands_changed(kb);
}

/* See keyboard.h. */
unsigned kb_press_key(struct kb *kb, int index, struct kb_event *ev)
{
	const struct kb_key *key;

	memset(ev, 0, sizeof *ev);
	ev->mode = kb->mode;
	if (index < 0 || index >= kb->n_keys)
		return 0;
	key = &kb->keys[index];
	switch ((enum kb_key_kind)key->kind) {
	case KB_K_LETTER:
		if (kb->mode != KB_PINYIN) {
			snprintf(ev->text, sizeof ev->text, "%c", kk_ime_letter(key->label[0]));
			ev->flags = KB_EV_TEXT;
		} else if (kk_pinyin_input(kb->py, key->label[0]) == 0) {
			ev->flags = KB_EV_REDRAW;
			cands_changed(kb);
		}
		break;
	case KB_K_SYMBOL:
		snprintf(ev->text, sizeof ev->text, "%s", key->label);
		ev->flags = KB_EV_TEXT;
		break;
	case KB_K_CAND: choose(kb, (size_t)key->arg, ev); break;
	case KB_K_PREV:
	case KB_K_NEXT:
		kb->page += key->kind == KB_K_NEXT ? 1 : -1;
		layout_cands(kb);
		ev->flags = KB_EV_REDRAW;
		break;
	case KB_K_BACKSPACE: backspace(kb, ev); break;
	case KB_K_SPACE:
	case KB_K_SUBMIT:
		/* both finish what is being composed with the first candidate, as any IME */
		if (composing(kb)) {
			choose(kb, 0, ev);
		} else if (key->kind == KB_K_SPACE) {
			snprintf(ev->text, sizeof ev->text, " ");
			ev->flags |= KB_EV_TEXT;
		}
		if (key->kind == KB_K_SUBMIT) {
			drop_input(kb);
			ev->flags |= KB_EV_SUBMIT | KB_EV_REDRAW;
		}
		break;
	case KB_K_CLEAR:
		drop_input(kb);
		ev->flags = KB_EV_CLEAR | KB_EV_REDRAW;
		break;
	case KB_K_MODE:
		if (key->arg != (int)kb->mode && kb_set_mode(kb, (enum kb_mode)key->arg) == 0)
			ev->flags = KB_EV_MODE | KB_EV_REDRAW;
		ev->mode = kb->mode;
		break;
	case KB_K_REWRITE:
		pad_clear(kb);
		cands_changed(kb);
		ev->flags = KB_EV_REDRAW;
		break;
	}
	return ev->flags;
}

/* See keyboard.h. */
unsigned kb_press(struct kb *kb, int x, int y, struct kb_event *ev)
{
	return kb_press_key(kb, kb_key_at(kb, x, y), ev);
}

/* Record a pad point (screen coordinates, moved onto the pad) in the current stroke. */
static void stroke_add(struct kb *kb, int x, int y)
{
	struct kk_hand_point pt;
	pt.x = x < kb->pad.x ? 0 : x >= kb->pad.x + kb->pad.w ? kb->pad.w - 1 : x - kb->pad.x;
	pt.y = y < kb->pad.y ? 0 : y >= kb->pad.y + kb->pad.h ? kb->pad.h - 1 : y - kb->pad.y;
	if (kb->n_pts > kb->stroke_start[kb->n_strokes]) {
		const struct kk_hand_point *last = &kb->pts[kb->n_pts - 1];
		if (abs(last->x - pt.x) + abs(last->y - pt.y) < 2)
			return; /* the finger rests: no new information */
	}
	if (kb->n_pts < KB_MAX_POINTS &&
	    kb->n_pts - kb->stroke_start[kb->n_strokes] < KB_STROKE_POINTS)
		kb->pts[kb->n_pts++] = pt;
}

/* See keyboard.h. */
int kb_stroke_begin(struct kb *kb, int x, int y)
{
	SDL_Point pt = { x, y };
	if (kb->mode != KB_HANDWRITING || !kb->hand || kb->pad.w == 0 ||
	    !SDL_PointInRect(&pt, &kb->pad))
		return 0;
	if (kb->n_strokes >= KK_HAND_MAX_STROKES || kb->n_pts >= KB_MAX_POINTS) {
		kb->writing = 2; /* full: the finger is on the pad, nothing is recorded */
		return 1;
	}
	kb->writing = 1;
	kb->stroke_start[kb->n_strokes] = kb->n_pts;
	stroke_add(kb, x, y);
	return 1;
}

/* See keyboard.h. */
void kb_stroke_point(struct kb *kb, int x, int y)
{
	if (kb->writing == 1)
		stroke_add(kb, x, y);
}

/* See keyboard.h. */
unsigned kb_stroke_end(struct kb *kb, struct kb_event *ev)
{
	int start = kb->stroke_start[kb->n_strokes], was = kb->writing;

	memset(ev, 0, sizeof *ev);
	ev->mode = kb->mode;
	kb->writing = 0;
	if (was != 1)
		return 0;
	if (kb->n_pts == start ||
	    kk_hand_add_stroke(kb->hand, &kb->pts[start], (size_t)(kb->n_pts - start)) != 0) {
		kb->n_pts = start; /* not a stroke after all */
		return 0;
	}
	kb->n_strokes++;
	kb->stroke_start[kb->n_strokes] = kb->n_pts;
	if (kb->py)
		kk_pinyin_reset(kb->py); /* predictions give way to the written character */
	pad_recognize(kb);
	ev->flags = KB_EV_REDRAW;
	return ev->flags;
}

/* ---- drawing ---------------------------------------------------------------------------- */

/* The y at which one line of size-px text looks centred in [top, top + h) (CJK ink sits
 * about 0.78 em below the top of its cell). */
static int text_top(int top, int h, int size)
{
	return top + h / 2 - size * 78 / 100;
}

/* A label centred on r in size px, made smaller until it fits (never an ellipsis on a key). */
static void draw_label(struct ui *u, const SDL_Rect *r, int size, const char *label, uint32_t rgba)
{
	int min = size / 2, room = r->w - r->w / 10;
	while (size > min && ui_text_width(u, size, label) > room)
		size -= 2;
	ui_text_line(u, size, r->x, text_top(r->y, r->h, size), r->w, label, rgba, 1);
}

/* One key: its colours say what it is (letters white, functions grey, 搜索 and the current
 * mode blue); a candidate has no frame and the first one, the default, is blue. */
static void draw_key(struct ui *u, const struct kb *kb, const struct kb_key *k)
{
	uint32_t bg = COL_KB_FN, fg = COL_TEXT;
	int size = kb->size_small;

	switch ((enum kb_key_kind)k->kind) {
	case KB_K_LETTER:
	case KB_K_SYMBOL:
		bg = COL_BUTTON;
		size = kb->size_key;
		break;
	case KB_K_CAND:
		/* the first candidate is what 空格 and 搜索 would take: show it so */
		bg = COL_BUTTON;
		fg = k->arg == 0 ? COL_ACCENT : COL_TEXT;
		ui_fill(u, k->r.x, k->r.y, k->r.w, k->r.h, bg);
		ui_text_line(u, kb->size_cand, k->r.x, text_top(k->r.y, k->r.h, kb->size_cand),
			     k->r.w, k->label, fg, 1);
		return;
	case KB_K_PREV:
	case KB_K_NEXT: size = kb->size_key; break;
	case KB_K_SUBMIT:
		bg = COL_ACCENT;
		fg = 0xFFFFFFFFu;
		break;
	case KB_K_MODE:
		if (k->arg == (int)kb->mode) {
			bg = COL_ACCENT;
			fg = 0xFFFFFFFFu;
		}
		break;
	default: break;
	}
	ui_fill(u, k->r.x, k->r.y, k->r.w, k->r.h, bg);
	ui_frame(u, k->r.x, k->r.y, k->r.w, k->r.h, 1, COL_LINE);
	draw_label(u, &k->r, size, k->label, fg);
}

/* One handwriting stroke as a thick line: a quad per segment and a square on every point
 * (round enough at the joints), sent to the renderer in batches. */
static void draw_stroke(struct ui *u, const struct kb *kb, int from, int to, uint32_t rgba)
{
	enum { BATCH = 128 };
	static const int quad[6] = { 0, 1, 2, 0, 2, 3 }; /* two triangles */
	SDL_Vertex v[BATCH * 4];
	int idx[BATCH * 6], n = 0, t = kb_px(kb->scale, KB_STROKE);
	SDL_Color c = { (Uint8)(rgba >> 24), (Uint8)(rgba >> 16), (Uint8)(rgba >> 8), (Uint8)rgba };
	float half = (float)t / 2;

	for (int i = from; i < to; i++) {
		float x1 = (float)(kb->pad.x + kb->pts[i].x), y1 = (float)(kb->pad.y + kb->pts[i].y);
		ui_fill(u, (int)(x1 - half), (int)(y1 - half), t, t, rgba);
		if (i + 1 < to) {
			float x2 = (float)(kb->pad.x + kb->pts[i + 1].x);
			float y2 = (float)(kb->pad.y + kb->pts[i + 1].y);
			float dx = x2 - x1, dy = y2 - y1, len = SDL_sqrtf(dx * dx + dy * dy);
			float nx = len > 0 ? -dy / len * half : 0, ny = len > 0 ? dx / len * half : 0;
			SDL_Vertex *q = &v[n * 4];
			int *ix = &idx[n * 6], b = n * 4;
			q[0] = (SDL_Vertex){ { x1 + nx, y1 + ny }, c, { 0, 0 } };
			q[1] = (SDL_Vertex){ { x2 + nx, y2 + ny }, c, { 0, 0 } };
			q[2] = (SDL_Vertex){ { x2 - nx, y2 - ny }, c, { 0, 0 } };
			q[3] = (SDL_Vertex){ { x1 - nx, y1 - ny }, c, { 0, 0 } };
			for (int k = 0; k < 6; k++)
				ix[k] = b + quad[k];
			if (++n == BATCH) {
				SDL_RenderGeometry(u->r, NULL, v, n * 4, idx, n * 6);
				n = 0;
			}
		}
	}
	if (n)
		SDL_RenderGeometry(u->r, NULL, v, n * 4, idx, n * 6);
}

/* The handwriting square with its guides, the strokes written so far and the one under the
 * finger. */
static void draw_pad(struct ui *u, const struct kb *kb)
{
	const SDL_Rect *p = &kb->pad;
	ui_fill(u, p->x, p->y, p->w, p->h, COL_BUTTON);
	/* 田字格 guides, as in a school exercise book: where the middle of a character is */
	ui_fill(u, p->x, p->y + p->h / 2, p->w, 1, COL_KB_GUIDE);
	ui_fill(u, p->x + p->w / 2, p->y, 1, p->h, COL_KB_GUIDE);
	ui_frame(u, p->x, p->y, p->w, p->h, 2, COL_ACCENT);
	for (int s = 0; s < kb->n_strokes; s++)
		draw_stroke(u, kb, kb->stroke_start[s], kb->stroke_start[s + 1], COL_TEXT);
	if (kb->writing == 1)
		draw_stroke(u, kb, kb->stroke_start[kb->n_strokes], kb->n_pts, COL_TEXT);
}

/* The strip's text: the composition, or what to do next. */
static void strip_text(const struct kb *kb, char *buf, size_t n)
{
	if (kb->mode == KB_PINYIN && kk_pinyin_composing_active(kb->py)) {
		kk_pinyin_composing(kb->py, buf, n);
		return;
	}
	if ((kb->mode == KB_PINYIN || (kb->mode == KB_HANDWRITING && !kb->n_strokes)) &&
	    cand_count(kb) > 0) {
		snprintf(buf, n, "接着可能要输入：");
		return;
	}
	switch (kb->mode) {
	case KB_PINYIN: snprintf(buf, n, "请输入拼音，例如 身份证：shenfenzheng"); break;
	case KB_INITIALS: snprintf(buf, n, "请输入每个字拼音的第一个字母，例如 身份证：sfz"); break;
	case KB_SYMBOLS: snprintf(buf, n, "文号和年份，例如 〔2023〕37号、2024年"); break;
	default:
		snprintf(buf, n, kb->n_strokes ? "写完后点选上面的字；写错了点“重写”"
						: "请在方框里写一个字");
		break;
	}
}

/* See keyboard.h. */
void kb_draw(struct kb *kb, struct ui *u, enum ui_action act)
{
	char strip[KK_PINYIN_COMPOSE_BYTES];
	int composing_now = kb->mode == KB_PINYIN && kb->py && kk_pinyin_composing_active(kb->py);

	ui_fill(u, kb->rect.x, kb->rect.y, kb->rect.w, kb->rect.h, COL_KB_BG);
	strip_text(kb, strip, sizeof strip);
	ui_text_line(u, composing_now ? kb->size_key : kb->size_small, kb->strip.x,
		     text_top(kb->strip.y, kb->strip.h, composing_now ? kb->size_key : kb->size_small),
		     kb->strip.w, strip, composing_now ? COL_ACCENT : COL_MUTED, 0);
	if (kb->pad.w > 0)
		draw_pad(u, kb);
	for (int i = 0; i < kb->n_keys; i++) {
		draw_key(u, kb, &kb->keys[i]);
		if (act != ACT_NONE)
			ui_hit_add(u, kb->keys[i].r.x, kb->keys[i].r.y, kb->keys[i].r.w, kb->keys[i].r.h,
				   act, i);
	}
}
