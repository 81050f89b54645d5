/*
 * pinyin_data.h — the pinyin table generated at build time from Unihan (firmware/text/pinyin.awk
 * writes build/gen/pinyin_table.c). Private to firmware/text/tokenize.c and its tests.
 */
#ifndef KK_TEXT_PINYIN_DATA_H
#define KK_TEXT_PINYIN_DATA_H

#include <stddef.h>
#include <stdint.h>

/* One Han character: its readings are n NUL-terminated toneless syllables at kk_py_pool + off. */
struct kk_py_char {
	uint32_t cp;
	uint32_t off;
	uint8_t n;
};

extern const struct kk_py_char kk_py_chars[]; /* ascending cp */
extern const size_t kk_py_n_chars;
extern const char kk_py_pool[];
extern const char *const kk_py_syllables[]; /* every syllable, ascending (strcmp order) */
extern const size_t kk_py_n_syllables;

#endif
