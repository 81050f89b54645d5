/*
 * keyboard.h — the on-screen keyboard of the search screen: large keys for residents who have
 * never used a touch keyboard, in four modes, each one tap away on the bottom row:
 *
 *   拼音      QWERTY letters; full pinyin with phrase candidates and predictions (kk_pinyin)
 *   首字母    the same letters typed straight into the query: "sfz" finds 身份证
 *   数字符号  digits and what 文号 and dates are written with: 〔 〕 年 号 字 第 - …
 *   手写      a square the finger writes one character in; candidates after every stroke
 *
 * Above the keys: a strip with the letters being composed ("shen'fen'zheng") or a hint, and
 * a candidate bar with large candidates and ‹ › paging keys. Every key is at least the
 * large-print touch target (UI_TARGET at scale 1, 80 px on a 1080-px short side).
 *
 * The widget owns the input engines and their state (composition, strokes, candidates); the
 * search screen owns the query text and applies the events the keyboard returns. Layout and
 * hit testing need no renderer (unit tests run them without a window); only kb_draw draws.
 *
 * Thread: the UI thread only. A missing pinyin dictionary or handwriting model is logged
 * once by kb_new and that mode is left off the keyboard (pinyin falls back to 首字母).
 *
 * How the search screen drives it:
 *   - kb_new once; kb_layout(kb, rect, u->s) whenever the window size or the rect changes.
 *   - each frame: kb_draw(kb, u, ACT_xxx) (keys become hit regions with arg = key index, so
 *     the usual tap feedback works); on that action: kb_press_key(kb, (int)arg, &ev).
 *     Without an action of its own: kb_press(kb, x, y, &ev) on a tap at (x, y).
 *   - touch down: if kb_stroke_begin(kb, x, y) returns 1 the finger writes: send every move
 *     to kb_stroke_point and the release to kb_stroke_end(kb, &ev) (no scrolling, no tap).
 *   - apply ev in this order: KB_EV_CLEAR (empty the query), KB_EV_BACKSPACE (remove the
 *     query's last character), KB_EV_TEXT (append ev.text), KB_EV_SUBMIT (search now);
 *     redraw when any flag is set. kb_reset on the idle reset.
 */
#ifndef KK_UI_KEYBOARD_H
#define KK_UI_KEYBOARD_H

#include <SDL.h>
#include <stdint.h>

#include "ime/ime.h"
#include "ui/ui_internal.h"

enum kb_mode { KB_PINYIN = 0, KB_INITIALS, KB_SYMBOLS, KB_HANDWRITING, KB_N_MODES };

enum kb_key_kind {
	KB_K_LETTER = 1, /* a–z: pinyin letter or first letter */
	KB_K_SYMBOL,     /* digit/symbol pad: types its label */
	KB_K_CAND,       /* a candidate on the bar: arg is its index in the candidate list */
	KB_K_PREV,       /* ‹ previous page of candidates */
	KB_K_NEXT,       /* › next page */
	KB_K_BACKSPACE,  /* 删除 */
	KB_K_SPACE,      /* 空格 */
	KB_K_CLEAR,      /* 清空 */
	KB_K_SUBMIT,     /* 搜索 */
	KB_K_MODE,       /* a mode: arg is the enum kb_mode */
	KB_K_REWRITE     /* 重写: clear the handwriting pad */
};

/* Event flags returned by kb_press, kb_press_key and kb_stroke_end. */
#define KB_EV_TEXT 0x01u      /* append ev->text (UTF-8) to the query */
#define KB_EV_BACKSPACE 0x02u /* remove the query's last character */
#define KB_EV_CLEAR 0x04u     /* empty the query */
#define KB_EV_SUBMIT 0x08u    /* search now */
#define KB_EV_MODE 0x10u      /* the mode changed to ev->mode */
#define KB_EV_REDRAW 0x20u    /* the keyboard's own state changed (composition, page, strokes) */

#define KB_TEXT_BYTES KK_IME_CAND_BYTES

struct kb_event {
	unsigned flags;
	enum kb_mode mode;
	char text[KB_TEXT_BYTES];
};

struct kb_key {
	SDL_Rect r;
	uint8_t kind; /* enum kb_key_kind */
	int16_t arg;
	char label[KB_TEXT_BYTES]; /* drawn on the key; letters and symbols type it */
};

#define KB_MAX_KEYS 72
#define KB_MAX_PAGES 64      /* candidate pages reachable with › */
#define KB_MAX_POINTS 4096   /* handwriting points kept for drawing, all strokes together */
#define KB_STROKE_POINTS 512 /* of them in one stroke; a finger that goes on is not followed */

struct kb {
	enum kb_mode mode;
	struct kk_pinyin *py;  /* NULL: no pinyin mode */
	struct kk_hand *hand;  /* NULL: no handwriting mode */
	/* layout (kb_layout) */
	SDL_Rect rect;
	float scale;
	SDL_Rect strip;        /* composing letters or a hint */
	SDL_Rect bar;          /* the candidate bar (between the paging keys) */
	SDL_Rect pad;          /* handwriting square (w == 0 outside 手写) */
	int row_h, unit, gap;  /* key height, width of one key slot incl. gap, gap */
	int size_key, size_cand, size_small; /* text sizes in px */
	struct kb_key keys[KB_MAX_KEYS];
	int n_keys;            /* static keys first, then the candidate bar's */
	int n_static;
	/* candidates */
	size_t page_first[KB_MAX_PAGES];
	int page;
	struct kk_ime_cand hw[KK_HAND_MAX_CANDS]; /* handwriting results */
	size_t n_hw;
	/* handwriting strokes, relative to the pad's top left (drawn, and given to kk_hand) */
	struct kk_hand_point pts[KB_MAX_POINTS];
	int stroke_start[KK_HAND_MAX_STROKES + 1];
	int n_strokes, n_pts;
	int writing;           /* 1: a finger is writing on the pad; 2: on the pad, not recorded
				* (stroke or point cap reached); 0: not on the pad */
};

/*
 * Create a keyboard. dict, model: the pinyin dictionary and handwriting model (NULL for
 * Debian's); a mode whose engine fails to open is left out (logged). Returns 0 and *out (free
 * with kb_free), or KK_ENOMEM. Opening the engines reads a few MB: call it once, at start-up.
 */
int kb_new(struct kb **out, const char *dict, const char *model);
/* Free; NULL is a no-op. */
void kb_free(struct kb *kb);
/* Back to the first mode with nothing composed or written (the idle reset). */
void kb_reset(struct kb *kb);
/* 1 if the mode is offered (its engine opened), else 0. */
int kb_mode_available(const struct kb *kb, enum kb_mode mode);
/* Switch mode (dropping any composition or strokes). Returns 0 or KK_EINVAL (not offered). */
int kb_set_mode(struct kb *kb, enum kb_mode mode);

/* The height the keyboard would like at this scale, and the least it can work with. */
int kb_pref_height(float scale);
int kb_min_height(float scale);
/* Lay the keys out in rect (scale: 1.0 on a 1080-px short side, as struct ui's s). A rect
 * lower than kb_min_height is used as if it had that height (keys never shrink below the
 * touch target). Clears any handwriting on the pad. */
void kb_layout(struct kb *kb, SDL_Rect rect, float scale);
/* Draw into u's renderer. act != ACT_NONE: every key also becomes a hit region (action act,
 * arg the key index) for the UI's tap handling and touch feedback. */
void kb_draw(struct kb *kb, struct ui *u, enum ui_action act);

/* Index of the key at (x, y), or -1. */
int kb_key_at(const struct kb *kb, int x, int y);
/* Press key index (from kb_key_at or a hit region's arg); fills ev, returns ev->flags
 * (0: nothing happened, e.g. a stale index). */
unsigned kb_press_key(struct kb *kb, int index, struct kb_event *ev);
/* Press whatever key is at (x, y); returns ev->flags (0 if no key is there). */
unsigned kb_press(struct kb *kb, int x, int y, struct kb_event *ev);

/* A finger touched (x, y): returns 1 if it starts a stroke on the handwriting pad (then send
 * moves to kb_stroke_point and the release to kb_stroke_end), else 0. */
int kb_stroke_begin(struct kb *kb, int x, int y);
/* The finger moved while writing; points outside the pad are kept at its edge. */
void kb_stroke_point(struct kb *kb, int x, int y);
/* The finger lifted: the stroke is recognised with the earlier ones and the candidate bar
 * shows the results. Fills ev, returns ev->flags (KB_EV_REDRAW, or 0 if not writing). */
unsigned kb_stroke_end(struct kb *kb, struct kb_event *ev);

#endif
