/*
 * pinyin_shim.h — the C face of libgooglepinyin (private to firmware/ime/).
 *
 * libgooglepinyin's header (pinyinime.h) is C++ (a namespace, references, UTF-16 char16), so
 * pinyin_shim.cc wraps the few calls the kiosk needs in extern "C" functions: UTF-8 in and
 * out, no exception crosses into C (an exception, in practice std::bad_alloc, makes the call
 * report failure). The decoder is a process-wide singleton inside the library; pinyin.c makes
 * sure only one kk_pinyin uses it.
 */
#ifndef KK_IME_PINYIN_SHIM_H
#define KK_IME_PINYIN_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Load the decoder (once per process: it is never closed, see pinyin.c); user_dict "" means
 * none. Returns 1 on success, 0 if the engine refused. */
int kk_gp_open(const char *sys_dict, const char *user_dict, size_t max_letters,
	       size_t max_hanzi);
/* Write what a user dictionary learnt to its file (nothing without one). */
void kk_gp_flush(void);
/* Search letters[0..len) (incremental on a shared prefix); returns the candidate count. */
size_t kk_gp_search(const char *letters, size_t len);
/* Delete the letter at pos and search again, keeping fixed choices; returns the count. */
size_t kk_gp_delete_letter(size_t pos);
void kk_gp_reset(void);
/* The letters the decoder holds (never NULL) and how many of them it parsed. */
const char *kk_gp_letters(size_t *parsed);
/* Syllable starts: returns L, the number of syllables; (*starts)[0..L] are offsets into the
 * letters, (*starts)[L] the end of the last syllable. */
size_t kk_gp_syllables(const uint16_t **starts);
/* Candidate k as UTF-8 into out (n bytes); skip: Han characters to leave off the front.
 * Returns 1, or 0 if there is no such candidate or it does not fit. */
int kk_gp_candidate(size_t k, size_t skip, char *out, size_t n);
/* Choose candidate k; returns the new candidate count. */
size_t kk_gp_choose(size_t k);
/* Han characters (and syllables) already fixed by choices. */
size_t kk_gp_fixed(void);
/* Predictions following history (UTF-8); returns how many (at most max). */
size_t kk_gp_predict(const char *history, size_t max);
/* Prediction k as UTF-8 into out (n bytes); returns 1, or 0 if out of range or too long. */
int kk_gp_prediction(size_t k, char *out, size_t n);

#ifdef __cplusplus
}
#endif

#endif
