/*
 * tokenize.h — the search tokenizer: Chinese unigrams and bigrams at their true byte offsets,
 * Latin and digit words, full-width/half-width folding, and pinyin (every reading of every Han
 * character, and its first letter). Pure libc: firmware/catalog/fts_tokenizer.c wraps it as an
 * FTS5 tokenizer; the query parser of firmware/catalog/search.c uses it to cut what a resident
 * typed into runs. See the design comment at the top of tokenize.c.
 *
 * Thread-safe: no state besides the read-only pinyin table.
 */
#ifndef KK_TEXT_TOKENIZE_H
#define KK_TEXT_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

/* Modes for kk_tokenize (exactly one). */
enum kk_tok_mode {
	KK_TOK_DOCUMENT = 1, /* index text: Han unigram per position, bigram colocated with it */
	KK_TOK_QUERY,        /* query text: a Han run of 2+ characters becomes its bigrams, one per
			      * position (a phrase that matches the indexed run) */
	KK_TOK_PINYIN,       /* index text: per Han character its syllables, initials and initial
			      * pairs with the next character, colocated; nothing else (the
			      * pinyin column) */
	KK_TOK_RUNS,         /* analysis: each Han run and each word as one token (runs longer than
			      * KK_TOK_MAX bytes come in pieces) */
	KK_TOK_PINYIN_QUERY  /* query in the pinyin column: space-separated pieces of
			      * kk_pinyin_segment; two or more initials become their pairs */
};

/* Token classes passed to the callback. */
enum kk_tok_class { KK_TOKC_HAN = 1, KK_TOKC_WORD, KK_TOKC_NUMBER };

#define KK_TOK_MAX 96 /* bytes of one token; longer words are cut */

/*
 * Called per token. tok is normalised (lower case, half-width) and not NUL-terminated;
 * [start, end) is the byte range in the input it came from. colocated: the token shares the
 * previous token's position. cls is the enum kk_tok_class of the run it belongs to.
 * A non-zero return stops kk_tokenize, which returns that value.
 */
typedef int (*kk_tok_fn)(void *ctx, const char *tok, size_t len, size_t start, size_t end,
			 int colocated, int cls);

/*
 * Tokenize text[0..len) (any bytes: invalid UTF-8 separates tokens like punctuation).
 * Returns 0 or the callback's non-zero value. Never allocates.
 */
int kk_tokenize(const char *text, size_t len, enum kk_tok_mode mode, kk_tok_fn fn, void *ctx);

/*
 * The toneless readings of a Han character ("zhang", "chang" for 长), ascending.
 * Returns the count (0 if cp has none) and sets *first to the first of that many consecutive
 * NUL-terminated strings (static storage).
 */
size_t kk_pinyin_readings(uint32_t cp, const char **first);

/* 1 if s[0..n) is a toneless pinyin syllable ("zhuang", "lv"), else 0. */
int kk_pinyin_is_syllable(const char *s, size_t n);

/*
 * Cut a run of lower-case letters into pinyin pieces — whole syllables or single initials —
 * using as few pieces as possible ("shenfenzheng" → "shen fen zheng", "sfz" → "s f z",
 * "xian" → "xian"). Writes the pieces separated by single spaces, NUL-terminated, into
 * out[outsz]. Returns the piece count, or 0 if the word cannot be read as pinyin (a letter
 * that starts no syllable, such as "i", "u", "v" alone; non-letters) or is longer than 32.
 */
size_t kk_pinyin_segment(const char *word, size_t len, char *out, size_t outsz);

#endif
