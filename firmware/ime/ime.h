/*
 * ime.h — Chinese input engines for the on-screen keyboard, with a plain C interface (no SDL).
 *
 *   pinyin       full pinyin with phrase candidates and predictions: libgooglepinyin (Debian
 *                libgooglepinyin0) behind a C++ shim (pinyin_shim.cc); see kk_pinyin_*.
 *   first letter no engine: the search index matches initials ("sfz" finds 身份证); the
 *                keyboard only needs kk_ime_letter / kk_ime_letters_normalize.
 *   handwriting  libzinnia with Debian's tegaki Simplified Chinese model; see kk_hand_*.
 *   digit pad    kk_ime_pad: the keys for 文号 and years (〔2023〕37号, 2024年).
 *
 * Thread: every function here is for the UI thread only. libgooglepinyin keeps its decoder in
 * global variables, so at most one kk_pinyin can be open in a process at a time.
 *
 * Errors are negative kk_err codes (base/err.h). A missing dictionary or model is not fatal to
 * the kiosk: open fails with KK_ENOENT after logging the path, and the keyboard leaves that
 * mode out (pinyin falls back to first letters).
 */
#ifndef KK_IME_IME_H
#define KK_IME_IME_H

#include <stddef.h>

/* One candidate in UTF-8, NUL included. The pinyin engine's phrases are at most 8 Han
 * characters (24 bytes); a handwriting result is one character. */
#define KK_IME_CAND_BYTES 64

struct kk_ime_cand {
	char text[KK_IME_CAND_BYTES];
	float score; /* handwriting: the recogniser's score, higher is better; pinyin: 0 */
};

/* ---- pinyin (pinyin.c over pinyin_shim.cc) ---------------------------------------------- */

#define KK_PINYIN_MAX_LETTERS 32  /* letters kept while composing; more are refused (KK_E2BIG) */
#define KK_PINYIN_MAX_CANDS 200   /* candidates or predictions offered, at most */
#define KK_PINYIN_COMPOSE_BYTES 160 /* kk_pinyin_composing's buffer: fixed Han + segmented letters */

struct kk_pinyin;

/*
 * Open the engine. sys_dict: the system dictionary; NULL for Debian's (dict_pinyin.dat from
 * the libgooglepinyin0 package, path found with pkg-config at build time). user_dict: a file
 * the engine may create and learn into; NULL for none (the kiosk default: what one resident
 * types must not reorder the next resident's candidates).
 * Returns 0 and *out (free with kk_pinyin_close), KK_ENOENT (dictionary missing; logged),
 * KK_ECORRUPT (the engine refused the dictionary: pinyin then stays off until the process
 * restarts, as the library's global tables are left half-loaded), KK_EINVAL (an engine is
 * already open, or another dictionary was loaded before) or KK_ENOMEM. The first open reads
 * about 1 MB (a few tens of ms); the dictionary then stays loaded for the process, as the
 * library cannot load one twice cleanly, and later opens are instant.
 */
int kk_pinyin_open(struct kk_pinyin **out, const char *sys_dict, const char *user_dict);
/* The path of Debian's dictionary (the default of kk_pinyin_open); static, never NULL. */
const char *kk_pinyin_default_dict(void);
/* Close the engine (the dictionary stays loaded for the next open); NULL is a no-op. */
void kk_pinyin_close(struct kk_pinyin *p);
/* Forget the composing letters, partial choices and predictions. */
void kk_pinyin_reset(struct kk_pinyin *p);

/*
 * Add one letter (a–z; A–Z are lowered) to the composing string and search again.
 * Returns 0, KK_EINVAL (not a letter) or KK_E2BIG (KK_PINYIN_MAX_LETTERS reached, or the
 * engine refused the letter); nothing changes on error. Predictions are dropped.
 */
int kk_pinyin_input(struct kk_pinyin *p, int ch);
/* Remove the last composing letter, keeping partial choices made before it.
 * Returns 0, or KK_ENOENT when nothing is being composed (the caller edits its own text). */
int kk_pinyin_backspace(struct kk_pinyin *p);
/* 1 while letters are being composed (candidates are for them), else 0. */
int kk_pinyin_composing_active(const struct kk_pinyin *p);
/*
 * The composing text for display into buf (n bytes, always NUL-terminated, cut at a character
 * boundary): the Han characters already chosen, then the remaining letters split into
 * syllables with "'" ("shen'fen'zheng", after choosing 身份: "身份zheng"). "" when idle.
 */
void kk_pinyin_composing(const struct kk_pinyin *p, char *buf, size_t n);
/* The letters as typed ("shenfenzheng"); "" when idle. Valid until the next call. */
const char *kk_pinyin_letters(const struct kk_pinyin *p);

/* Number of candidates for the composing letters, or of predictions after a commit
 * (capped at KK_PINYIN_MAX_CANDS); 0 when there are none. */
size_t kk_pinyin_count(const struct kk_pinyin *p);
/* Candidate k (0 = the engine's best whole-string guess) into c. For a composition with
 * partial choices only the part still to choose is given. Returns 0 or KK_EINVAL (k out of
 * range). */
int kk_pinyin_candidate(struct kk_pinyin *p, size_t k, struct kk_ime_cand *c);
/*
 * Choose candidate (or prediction) k. If it covers every remaining syllable, the whole text is
 * committed: copied into out (n bytes, at least KK_IME_CAND_BYTES) and the engine offers
 * predictions for what usually follows. If it covers only the first syllables ("身份" for
 * shen'fen'zheng), out is "" and composing continues with candidates for the rest.
 * Returns 0, KK_EINVAL (k out of range) or KK_E2BIG (out too small).
 */
int kk_pinyin_choose(struct kk_pinyin *p, size_t k, char *out, size_t n);
/*
 * Offer predictions for what follows text (UTF-8, e.g. a character committed by handwriting).
 * Returns the number of predictions (kk_pinyin_count), 0 if none or if letters are composing.
 */
size_t kk_pinyin_predict(struct kk_pinyin *p, const char *text);

/* ---- first letters and the digit/symbol pad (pad.c) ------------------------------------- */

/* The lower-case letter a key or typed character ch stands for (a–z, A–Z), else 0. */
int kk_ime_letter(int ch);
/*
 * Normalise typed letters for a first-letter search into out (n bytes, NUL-terminated):
 * ASCII and full-width letters (Ａ, ｓ) become lower-case ASCII, spaces between groups are
 * kept as one space, everything else is dropped. Returns the length written (cut to n - 1).
 */
size_t kk_ime_letters_normalize(const char *in, char *out, size_t n);

#define KK_IME_PAD_ROWS 3
#define KK_IME_PAD_COLS 10
/* The digit/symbol pad, row by row, each key the UTF-8 text it types; NULL ends a short row.
 * Digits, then 〔 〕 年 月 日 号 字 第 - ·, then the rest. */
extern const char *const kk_ime_pad[KK_IME_PAD_ROWS][KK_IME_PAD_COLS];

/* ---- handwriting (hand.c) --------------------------------------------------------------- */

#define KK_HAND_MAX_STROKES 48        /* strokes of one character; more are refused */
#define KK_HAND_STROKE_POINTS 16      /* a stroke is resampled to at most this many points */
#define KK_HAND_MAX_CANDS 16          /* candidates one recognition returns, at most */

struct kk_hand;

struct kk_hand_point {
	int x, y; /* in the character box, (0,0) top left */
};

/*
 * Load a zinnia model. model: NULL for Debian's tegaki Simplified Chinese model.
 * Returns 0 and *out (free with kk_hand_close), KK_ENOENT (missing; logged), KK_ECORRUPT
 * (zinnia refused it; logged) or KK_ENOMEM. The model is memory-mapped (about 2 MB).
 */
int kk_hand_open(struct kk_hand **out, const char *model);
/* Close; NULL is a no-op. */
void kk_hand_close(struct kk_hand *h);
/* Start a new character in a box of width x height px (each 1..65535), forgetting any
 * strokes. Returns 0 or KK_EINVAL. */
int kk_hand_begin(struct kk_hand *h, int width, int height);
/*
 * Add one finished stroke of n points (box coordinates; points outside the box are moved to
 * its edge). The stroke is resampled evenly along its length to at most
 * KK_HAND_STROKE_POINTS points: enough for the shape of any stroke, and a bound on zinnia's
 * feature extraction, which splits a stroke recursively at its corners and sizes a table by
 * 2^depth (libzinnia 0.06, Features::getVertex): a zigzag of a few hundred points from a
 * restless finger would otherwise exhaust memory.
 * Returns 0, KK_EINVAL (n == 0, or no kk_hand_begin yet) or KK_E2BIG (the character already
 * has KK_HAND_MAX_STROKES strokes); the character is unchanged on error.
 */
int kk_hand_add_stroke(struct kk_hand *h, const struct kk_hand_point *pts, size_t n);
/* Strokes in the current character. */
size_t kk_hand_strokes(const struct kk_hand *h);
/* Remove the last stroke (an "undo"); returns 0 or KK_ENOENT when there is none. */
int kk_hand_undo(struct kk_hand *h);
/*
 * Recognise the strokes so far: up to max (≤ KK_HAND_MAX_CANDS) candidates, best first,
 * into out; *n_out is how many (0 with no strokes). Returns 0 or KK_ENOMEM. A few ms on x86.
 */
int kk_hand_recognize(struct kk_hand *h, struct kk_ime_cand *out, size_t max, size_t *n_out);

#endif
