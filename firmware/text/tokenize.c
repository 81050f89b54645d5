/*
 * tokenize.c — the search tokenizer (see tokenize.h).
 *
 * DESIGN
 *
 * Chinese has no spaces, and most words are two characters, so neither SQLite's unicode61
 * (a whole Han run is one token) nor trigram (needs three characters) can find them. We index
 * every Han character as a unigram and, colocated with it (same FTS5 position), the bigram it
 * starts:
 *
 *     text      身   份   证   补   领
 *     position  0    1    2    3    4
 *     unigram   身   份   证   补   领
 *     bigram    身份 份证 证补 补领
 *
 * A one-character query is the unigram. A longer query run is sent as a phrase of its bigrams
 * at consecutive positions ("身份证" → "身份" "份证"), which matches exactly the places where
 * the run occurs, at every length, without false hits across run boundaries. Every token
 * carries the byte range of the characters it covers, so FTS5's highlight() and snippet() mark
 * the right text.
 *
 * Folding: full-width ASCII (U+FF01..U+FF5E) becomes ASCII and U+3000 a space; ASCII and
 * Latin-1 letters are lower-cased. Letters and digits make words ("pdf", "2023"); a word is cut
 * where letters meet digits, so "2023年37号" and "郯政办字2023 37" both give 2023 and 37.
 * Punctuation of every width (，。、；：（）〔〕【】《》“” …), symbols, emoji, controls,
 * private-use characters and invalid UTF-8 separate tokens. Other letters (Greek, Cyrillic,
 * kana, Hangul) make words unfolded.
 *
 * Pinyin: the readings of about 41,000 characters come from Unihan (kMandarin, kHanyuPinyin,
 * kXHC1983, kTGHZ2013; tones stripped, ü written v) through pinyin.awk at build time. Indexing
 * pinyin for whole bodies would double the index and make initials match almost everywhere, so
 * it is a separate mode (KK_TOK_PINYIN) used for one column that repeats the title (and a
 * guide's group): at each Han character's position it emits each syllable and each distinct
 * first letter, colocated, and nothing else. 长 gives "chang", "zhang", "c", "z" at one
 * position. Single letters are in nearly every title, so a phrase of them ("s" "f" "z") would
 * walk huge position lists; each character therefore also carries the pairs of its initials
 * with the next character's ("_sf" for 身份, "_jf" for its rare reading juan), and typed
 * initials are searched as a phrase of pairs ("_sf" "_fz"), as selective as Han bigrams. The
 * query side (search.c) cuts a Latin word into syllables or initials with kk_pinyin_segment —
 * "shenfenzheng" → "shen fen zheng", "sfz" → "s f z" — and asks for that in the pinyin column
 * (mode KK_TOK_PINYIN_QUERY), as well as for the word itself anywhere. Only the first letter is
 * an initial: "zh" "ch" "sh" typed as initials are read as z+h etc. and miss.
 */
#include "text/tokenize.h"

#include <string.h>

#include "base/utf8.h"
#include "text/pinyin_data.h"

enum { C_SEP = 0, C_HAN, C_LETTER, C_DIGIT, C_OTHER };

/* Is cp a CJK ideograph (URO, extension A, compatibility, extensions B–H, or 〇)? */
static int is_han(int32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) || cp == 0x3007;
}

/*
 * Classify one code point and fold it: *out receives the code point to index (lower case,
 * half-width). Returns one of C_SEP, C_HAN, C_LETTER, C_DIGIT, C_OTHER.
 */
static int classify(int32_t cp, uint32_t *out)
{
	*out = (uint32_t)cp;
	if (cp < 0)
		return C_SEP;
	if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII */
		*out = (uint32_t)(cp -= 0xFEE0);
	if (cp < 0x80) {
		if (cp >= 'A' && cp <= 'Z') {
			*out = (uint32_t)(cp + 32);
			return C_LETTER;
		}
		if (cp >= 'a' && cp <= 'z')
			return C_LETTER;
		if (cp >= '0' && cp <= '9')
			return C_DIGIT;
		return C_SEP;
	}
	if (is_han(cp))
		return C_HAN;
	if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7)
		return C_SEP; /* Latin-1 punctuation, NBSP, × ÷ */
	if (cp <= 0xDE) {
		*out = (uint32_t)(cp + 32);
		return C_LETTER;
	}
	if (cp <= 0x24F)
		return C_LETTER;
	if ((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
	    (cp >= 0x3200 && cp <= 0x33FF) || (cp >= 0xE000 && cp <= 0xF8FF) ||
	    (cp >= 0xFE10 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF65) ||
	    (cp >= 0xFFE0 && cp <= 0xFFFF) || (cp >= 0x1F000 && cp <= 0x1FAFF) ||
	    (cp >= 0x0300 && cp <= 0x036F))
		return C_SEP;
	return C_OTHER;
}

/* One decoded, classified character. */
struct tchar {
	size_t start, end; /* bytes in the input */
	uint32_t cp;       /* folded */
	int cls;
};

/* Decode and classify the character at *i (advancing it); c->cls is C_SEP at the end. */
static void next_char(const char *s, size_t len, size_t *i, struct tchar *c)
{
	int32_t cp;
	c->start = *i;
	if (*i >= len) {
		c->end = *i;
		c->cls = C_SEP;
		c->cp = 0;
		return;
	}
	cp = kk_utf8_next(s, len, i);
	c->end = *i;
	c->cls = classify(cp, &c->cp);
}

/* The class of a word made of characters of class cls. */
static int word_class(int cls)
{
	return cls == C_DIGIT ? KK_TOKC_NUMBER : KK_TOKC_WORD;
}

/* Binary search of the generated table (ascending code points). */
size_t kk_pinyin_readings(uint32_t cp, const char **first)
{
	size_t lo = 0, hi = kk_py_n_chars;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (kk_py_chars[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == kk_py_n_chars || kk_py_chars[lo].cp != cp)
		return 0;
	*first = kk_py_pool + kk_py_chars[lo].off;
	return kk_py_chars[lo].n;
}

/* Binary search of the generated, sorted syllable list. */
int kk_pinyin_is_syllable(const char *s, size_t n)
{
	size_t lo = 0, hi = kk_py_n_syllables;
	if (n == 0 || n > 6)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *m = kk_py_syllables[mid];
		int c = strncmp(m, s, n);
		if (c == 0)
			c = m[n] ? 1 : 0;
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Can letter c alone stand for an initial (the first letter of some syllable)? */
static int is_initial(char c)
{
	return c >= 'a' && c <= 'z' && c != 'i' && c != 'u' && c != 'v';
}

/* Dynamic programming from the end of the word: fewest pieces, ties to the longer first piece. */
size_t kk_pinyin_segment(const char *word, size_t len, char *out, size_t outsz)
{
	enum { MAXW = 32, INF = 1000 };
	int cost[MAXW + 1], step[MAXW + 1];
	size_t o = 0, pieces = 0;

	if (len == 0 || len > MAXW || outsz < 2 * len)
		return 0;
	for (size_t k = 0; k < len; k++)
		if (word[k] < 'a' || word[k] > 'z')
			return 0;
	/* cost[j]: fewest pieces for word[j..len); step[j]: length of the first of them (the
	 * longest among equals, so whole syllables win over initials) */
	cost[len] = 0;
	for (size_t j = len; j-- > 0;) {
		cost[j] = INF;
		step[j] = 0;
		for (size_t n = 6; n >= 1; n--) {
			int ok;
			if (j + n > len || cost[j + n] >= INF)
				continue;
			ok = n == 1 ? (is_initial(word[j]) || kk_pinyin_is_syllable(word + j, 1))
				    : kk_pinyin_is_syllable(word + j, n);
			if (ok && cost[j + n] + 1 < cost[j]) {
				cost[j] = cost[j + n] + 1;
				step[j] = (int)n;
			}
		}
	}
	if (cost[0] >= INF)
		return 0;
	for (size_t j = 0; j < len; j += (size_t)step[j]) {
		if (o)
			out[o++] = ' ';
		memcpy(out + o, word + j, (size_t)step[j]);
		o += (size_t)step[j];
		pieces++;
	}
	out[o] = '\0';
	return pieces;
}

/* The distinct first letters of cp's readings into out (at most 8); returns the count. */
static size_t initials_of(uint32_t cp, char out[8])
{
	const char *r;
	size_t n = kk_pinyin_readings(cp, &r), k = 0;
	for (size_t i = 0; i < n; i++, r += strlen(r) + 1)
		if (!memchr(out, r[0], k) && k < 8)
			out[k++] = r[0];
	return k;
}

/*
 * Emit the pinyin of one Han character c, all at one position (the first token opens it):
 * its syllables, its distinct initials, and, when the next character nxt is Han too, each
 * pair of their initials as "_ab" covering both (so typed initials match as a phrase of
 * pairs, as selective as Han bigrams).
 */
static int emit_pinyin(const struct tchar *c, const struct tchar *nxt, kk_tok_fn fn, void *ctx)
{
	const char *r;
	char ini[8], ini2[8], pair[3] = { '_' };
	size_t n = kk_pinyin_readings(c->cp, &r), n_ini = initials_of(c->cp, ini), n_ini2 = 0;
	int rc;

	for (size_t k = 0; k < n; k++, r += strlen(r) + 1)
		if ((rc = fn(ctx, r, strlen(r), c->start, c->end, k > 0, KK_TOKC_HAN)))
			return rc;
	if (n == 0)
		return 0;
	for (size_t k = 0; k < n_ini; k++)
		if ((rc = fn(ctx, ini + k, 1, c->start, c->end, 1, KK_TOKC_HAN)))
			return rc;
	if (nxt->cls == C_HAN)
		n_ini2 = initials_of(nxt->cp, ini2);
	for (size_t a = 0; a < n_ini; a++)
		for (size_t b = 0; b < n_ini2; b++) {
			pair[1] = ini[a];
			pair[2] = ini2[b];
			if ((rc = fn(ctx, pair, 3, c->start, nxt->end, 1, KK_TOKC_HAN)))
				return rc;
		}
	return 0;
}

/*
 * KK_TOK_PINYIN_QUERY: text is pieces from kk_pinyin_segment ("shen fen zheng", "s f z").
 * Two or more single letters become the phrase of their pairs ("_sf" "_fz"); otherwise each
 * piece is one token.
 */
static int pinyin_query(const char *s, size_t len, kk_tok_fn fn, void *ctx)
{
	size_t starts[64], n = 0, i = 0;
	int all_initials = 1, rc = 0;

	while (i < len && n < 64) {
		while (i < len && s[i] == ' ')
			i++;
		if (i >= len)
			break;
		starts[n++] = i;
		while (i < len && s[i] != ' ')
			i++;
		if (i - starts[n - 1] != 1 || s[starts[n - 1]] < 'a' || s[starts[n - 1]] > 'z')
			all_initials = 0;
	}
	for (size_t k = 0; k < n && !rc; k++) {
		size_t e = starts[k];
		char pair[3] = { '_' };
		if (all_initials && n >= 2) {
			if (k + 1 == n)
				break;
			pair[1] = s[starts[k]];
			pair[2] = s[starts[k + 1]];
			rc = fn(ctx, pair, 3, starts[k], starts[k + 1] + 1, 0, KK_TOKC_WORD);
			continue;
		}
		while (e < len && s[e] != ' ')
			e++;
		if (e - starts[k] <= KK_TOK_MAX)
			rc = fn(ctx, s + starts[k], e - starts[k], starts[k], e, 0, KK_TOKC_WORD);
	}
	return rc;
}

/*
 * Emit the tokens of the Han run starting with character *c (already decoded) and leave in *c
 * the first character after it.
 */
static int han_run(const char *s, size_t len, size_t *i, struct tchar *c, enum kk_tok_mode mode,
		   kk_tok_fn fn, void *ctx)
{
	struct tchar cur = *c, nxt;
	size_t run_start = cur.start, n = 0;
	int rc = 0;

	for (;; cur = nxt, n++) {
		next_char(s, len, i, &nxt);
		switch (mode) {
		case KK_TOK_DOCUMENT:
			rc = fn(ctx, s + cur.start, cur.end - cur.start, cur.start, cur.end, 0,
				KK_TOKC_HAN);
			if (!rc && nxt.cls == C_HAN)
				rc = fn(ctx, s + cur.start, nxt.end - cur.start, cur.start, nxt.end, 1,
					KK_TOKC_HAN);
			break;
		case KK_TOK_QUERY:
			if (nxt.cls == C_HAN)
				rc = fn(ctx, s + cur.start, nxt.end - cur.start, cur.start, nxt.end, 0,
					KK_TOKC_HAN);
			else if (n == 0)
				rc = fn(ctx, s + cur.start, cur.end - cur.start, cur.start, cur.end, 0,
					KK_TOKC_HAN);
			break;
		case KK_TOK_PINYIN:
			rc = emit_pinyin(&cur, &nxt, fn, ctx);
			break;
		case KK_TOK_RUNS:
			if (nxt.cls != C_HAN || nxt.end - run_start > KK_TOK_MAX) {
				rc = fn(ctx, s + run_start, cur.end - run_start, run_start, cur.end, 0,
					KK_TOKC_HAN);
				run_start = nxt.start;
			}
			break;
		case KK_TOK_PINYIN_QUERY: /* handled by pinyin_query(), never here */
			break;
		}
		if (rc || nxt.cls != C_HAN)
			break;
	}
	*c = nxt;
	return rc;
}

/* Emit the word (letters or digits of one kind) starting with *c; leave the next char in *c. */
static int word_run(const char *s, size_t len, size_t *i, struct tchar *c, enum kk_tok_mode mode,
		    kk_tok_fn fn, void *ctx)
{
	char buf[KK_TOK_MAX + 4];
	size_t n = 0, start = c->start, end = c->start;
	int cls = c->cls, rc = 0;

	for (;;) {
		char enc[4];
		size_t k = kk_utf8_encode(c->cp, enc);
		if (n + k > KK_TOK_MAX) { /* an over-long word is cut into pieces */
			if (mode != KK_TOK_PINYIN &&
			    (rc = fn(ctx, buf, n, start, end, 0, word_class(cls))))
				return rc;
			n = 0;
			start = c->start;
		}
		memcpy(buf + n, enc, k);
		n += k;
		end = c->end;
		next_char(s, len, i, c);
		if (c->cls != cls)
			break;
	}
	if (mode != KK_TOK_PINYIN && n)
		rc = fn(ctx, buf, n, start, end, 0, word_class(cls));
	return rc;
}

/* Walk the text: Han runs, words (letters or digits), separators skipped. */
int kk_tokenize(const char *text, size_t len, enum kk_tok_mode mode, kk_tok_fn fn, void *ctx)
{
	struct tchar c;
	size_t i = 0;
	int rc = 0;

	if (mode == KK_TOK_PINYIN_QUERY)
		return pinyin_query(text, len, fn, ctx);
	next_char(text, len, &i, &c);
	while (!rc && c.start < len) {
		if (c.cls == C_HAN)
			rc = han_run(text, len, &i, &c, mode, fn, ctx);
		else if (c.cls != C_SEP)
			rc = word_run(text, len, &i, &c, mode, fn, ctx);
		else
			next_char(text, len, &i, &c);
	}
	return rc;
}
