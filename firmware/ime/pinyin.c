/*
 * pinyin.c — full pinyin input on libgooglepinyin (through pinyin_shim.cc); see ime.h.
 *
 * DESIGN: the engine is the truth about the composition (letters, syllables, choices made);
 * this file keeps a copy of the letters so that a refused letter can be undone and so that the
 * state can be read without calling into C++ from const functions. A composition ends when a
 * choice covers every syllable: the text is handed to the caller, the engine is reset and
 * predictions for what follows are offered until the next letter. No user dictionary by
 * default: a public kiosk must not learn one resident's words for the next.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/utf8.h"
#include "ime/ime.h"
#include "ime/pinyin_shim.h"

#ifndef KK_PINYIN_DICT_DEFAULT
#error "KK_PINYIN_DICT_DEFAULT: the Makefile sets it from pkg-config's googlepinyin libdir"
#endif

#define PINYIN_MAX_HANZI 16 /* the longest sentence candidate the engine builds */

struct kk_pinyin {
	char letters[KK_PINYIN_MAX_LETTERS + 1]; /* as the engine holds them */
	size_t n_letters;
	size_t n_cands;     /* candidates for the letters (0 when idle) */
	size_t n_pred;      /* predictions after a commit (only when n_letters == 0) */
};

/*
 * libgooglepinyin's decoder lives in global variables: one open kk_pinyin per process. It is
 * also loaded only once per process and kept: loading a dictionary a second time frees the
 * library's spelling table with delete instead of delete[] (libgooglepinyin 0.1.2,
 * SpellingTrie::build_ym_info; AddressSanitizer reports alloc-dealloc-mismatch), and after
 * a refused dictionary its tables are left half-built (the next load crashes in
 * MatrixSearch::init), so then pinyin stays off until the process restarts. The dictionary is
 * Debian's, so a refusal means a damaged installation.
 */
static int engine_in_use;
static int engine_broken;
static char engine_dict[1024]; /* what the library has loaded; "" before the first open */
static char engine_user[1024];
/* Copy the engine's letters into p after a search; returns how many there are. */
static size_t sync_letters(struct kk_pinyin *p)
{
	const char *s = kk_gp_letters(NULL);
	size_t n = strlen(s);
	if (n > KK_PINYIN_MAX_LETTERS)
		n = KK_PINYIN_MAX_LETTERS; /* never: the engine was opened with this cap */
	memcpy(p->letters, s, n);
	p->letters[n] = '\0';
	p->n_letters = n;
	return n;
}

/* Cap a count from the engine at what the kiosk offers. */
static size_t cap_count(size_t n)
{
	return n > KK_PINYIN_MAX_CANDS ? KK_PINYIN_MAX_CANDS : n;
}

/* Search afresh for letters[0..n) (no earlier choices kept). */
static void search_fresh(struct kk_pinyin *p, const char *letters, size_t n)
{
	kk_gp_reset();
	p->n_pred = 0;
	if (n == 0) {
		/* the engine keeps its old letters after a reset; they mean nothing now */
		p->letters[0] = '\0';
		p->n_letters = 0;
		p->n_cands = 0;
		return;
	}
	p->n_cands = cap_count(kk_gp_search(letters, n));
	sync_letters(p);
}

/* See ime.h. */
const char *kk_pinyin_default_dict(void)
{
	return KK_PINYIN_DICT_DEFAULT;
}

/* See ime.h. */
int kk_pinyin_open(struct kk_pinyin **out, const char *sys_dict, const char *user_dict)
{
	const char *dict = sys_dict ? sys_dict : KK_PINYIN_DICT_DEFAULT;
	struct kk_pinyin *p = NULL;
	int rc = 0;

	*out = NULL;
	const char *user = user_dict ? user_dict : "";
	if (engine_in_use) {
		kk_error("ime", "pinyin: the engine is already open (one per process)");
		rc = KK_EINVAL;
		goto out;
	}
	if (engine_broken) {
		kk_error("ime", "pinyin: a dictionary was refused earlier; pinyin stays off until "
				"the kiosk restarts");
		rc = KK_ECORRUPT;
		goto out;
	}
	if (strlen(dict) >= sizeof engine_dict || strlen(user) >= sizeof engine_user) {
		rc = KK_E2BIG;
		goto out;
	}
	if (access(dict, R_OK) != 0) {
		kk_error("ime", "pinyin dictionary %s: %s; pinyin input is off, first letters only "
				"(install Debian's libgooglepinyin0)", dict, strerror(errno));
		rc = KK_ENOENT;
		goto out;
	}
	if (engine_dict[0] && (strcmp(dict, engine_dict) != 0 || strcmp(user, engine_user) != 0)) {
		kk_error("ime", "pinyin: %s is loaded; another dictionary needs a restart", engine_dict);
		rc = KK_EINVAL;
		goto out;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		rc = KK_ENOMEM;
		goto out;
	}
	if (!engine_dict[0]) {
		if (!kk_gp_open(dict, user, KK_PINYIN_MAX_LETTERS, PINYIN_MAX_HANZI)) {
			kk_error("ime", "pinyin dictionary %s: the engine refused it; pinyin input is "
					"off (reinstall Debian's libgooglepinyin0)", dict);
			engine_broken = 1;
			rc = KK_ECORRUPT;
			goto out;
		}
		snprintf(engine_dict, sizeof engine_dict, "%s", dict);
		snprintf(engine_user, sizeof engine_user, "%s", user);
	}
	engine_in_use = 1;
	kk_gp_reset();
	*out = p;
	p = NULL;
out:
	free(p);
	return rc;
}

/* See ime.h. */
void kk_pinyin_close(struct kk_pinyin *p)
{
	if (!p)
		return;
	kk_gp_reset(); /* the decoder itself stays loaded: see engine_in_use */
	kk_gp_flush();
	engine_in_use = 0;
	free(p);
}

/* See ime.h. */
void kk_pinyin_reset(struct kk_pinyin *p)
{
	search_fresh(p, "", 0);
}

/* See ime.h. */
int kk_pinyin_input(struct kk_pinyin *p, int ch)
{
	char buf[KK_PINYIN_MAX_LETTERS + 1];
	size_t n = p->n_letters, cands;
	int c = kk_ime_letter(ch);

	if (!c)
		return KK_EINVAL;
	if (n >= KK_PINYIN_MAX_LETTERS)
		return KK_E2BIG;
	memcpy(buf, p->letters, n);
	buf[n] = (char)c;
	/* a shared prefix makes this incremental: choices already made are kept */
	cands = kk_gp_search(buf, n + 1);
	if (sync_letters(p) != n + 1 || memcmp(p->letters, buf, n + 1) != 0) {
		/* the engine did not take the letter: put back exactly what was there */
		search_fresh(p, buf, n);
		return KK_E2BIG;
	}
	p->n_cands = cap_count(cands);
	p->n_pred = 0;
	return 0;
}

/* See ime.h. */
int kk_pinyin_backspace(struct kk_pinyin *p)
{
	const uint16_t *starts;
	size_t n = p->n_letters, cands, syllables;
	char keep[KK_PINYIN_MAX_LETTERS + 1];

	if (n == 0) {
		p->n_pred = 0; /* a backspace also ends the offer of predictions */
		return KK_ENOENT;
	}
	memcpy(keep, p->letters, n - 1);
	keep[n - 1] = '\0';
	if (n == 1) {
		search_fresh(p, "", 0);
		return 0;
	}
	cands = kk_gp_delete_letter(n - 1);
	syllables = kk_gp_syllables(&starts);
	if (sync_letters(p) != n - 1 || (kk_gp_fixed() > 0 && kk_gp_fixed() >= syllables)) {
		/* the letters left are all chosen already ("shenfen" after 身份 was picked for
		 * shen'fen'z): undo those choices, so the resident sees candidates again instead
		 * of a finished phrase nobody confirmed */
		search_fresh(p, keep, n - 1);
		return 0;
	}
	p->n_cands = cap_count(cands);
	return 0;
}

/* See ime.h. */
int kk_pinyin_composing_active(const struct kk_pinyin *p)
{
	return p->n_letters > 0;
}

/* Append s[0..len) to buf (n bytes) at *o, cutting at a UTF-8 character boundary. */
static void put(char *buf, size_t n, size_t *o, const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t at = i;
		if (kk_utf8_next(s, len, &i) < 0 || *o + (i - at) >= n)
			break;
		memcpy(buf + *o, s + at, i - at);
		*o += i - at;
	}
	buf[*o] = '\0';
}

/* See ime.h. */
void kk_pinyin_composing(const struct kk_pinyin *p, char *buf, size_t n)
{
	const uint16_t *st;
	size_t o = 0, parsed = 0, fixed, syl;

	if (n == 0)
		return;
	buf[0] = '\0';
	if (p->n_letters == 0)
		return;
	kk_gp_letters(&parsed);
	fixed = kk_gp_fixed();
	syl = kk_gp_syllables(&st);
	if (parsed > p->n_letters)
		parsed = p->n_letters;
	if (fixed > syl)
		fixed = syl;
	if (fixed > 0) {
		/* the chosen Han characters: the first `fixed` of the whole-string candidate */
		char whole[KK_IME_CAND_BYTES];
		size_t i = 0, k = 0, len;
		if (kk_gp_candidate(0, 0, whole, sizeof whole)) {
			len = strlen(whole);
			while (k < fixed && i < len && kk_utf8_next(whole, len, &i) >= 0)
				k++;
			put(buf, n, &o, whole, i);
		}
	}
	if (!st || syl == 0 || parsed == 0) {
		put(buf, n, &o, p->letters, p->n_letters);
		return;
	}
	for (size_t i = fixed; i < syl; i++) {
		size_t a = st[i], b = st[i + 1];
		if (a >= b || b > p->n_letters)
			break;
		put(buf, n, &o, p->letters + a, b - a);
		if (b < parsed)
			put(buf, n, &o, "'", 1);
	}
	if (parsed < p->n_letters)
		put(buf, n, &o, p->letters + parsed, p->n_letters - parsed); /* not a syllable yet */
}

/* See ime.h. */
const char *kk_pinyin_letters(const struct kk_pinyin *p)
{
	return p->letters;
}

/* See ime.h. */
size_t kk_pinyin_count(const struct kk_pinyin *p)
{
	return p->n_letters ? p->n_cands : p->n_pred;
}

/* See ime.h. */
int kk_pinyin_candidate(struct kk_pinyin *p, size_t k, struct kk_ime_cand *c)
{
	int ok;
	c->text[0] = '\0';
	c->score = 0;
	if (k >= kk_pinyin_count(p))
		return KK_EINVAL;
	if (p->n_letters)
		/* candidate 0 is the whole sentence: leave off what is already chosen */
		ok = kk_gp_candidate(k, k == 0 ? kk_gp_fixed() : 0, c->text, sizeof c->text);
	else
		ok = kk_gp_prediction(k, c->text, sizeof c->text);
	return ok ? 0 : KK_EINVAL;
}

/* See ime.h. */
int kk_pinyin_choose(struct kk_pinyin *p, size_t k, char *out, size_t n)
{
	const uint16_t *st;
	size_t cands;

	if (n < KK_IME_CAND_BYTES)
		return KK_E2BIG;
	out[0] = '\0';
	if (k >= kk_pinyin_count(p))
		return KK_EINVAL;
	if (!p->n_letters) {
		/* a prediction: commit it and predict on from it */
		if (!kk_gp_prediction(k, out, n))
			return KK_EINVAL;
		kk_pinyin_predict(p, out);
		return 0;
	}
	cands = kk_gp_choose(k);
	if (kk_gp_fixed() < kk_gp_syllables(&st)) {
		p->n_cands = cap_count(cands); /* a partial choice: go on with the rest */
		return 0;
	}
	/* every syllable is chosen: the only candidate left is the whole text */
	if (!kk_gp_candidate(0, 0, out, n))
		out[0] = '\0';
	search_fresh(p, "", 0);
	if (out[0])
		kk_pinyin_predict(p, out);
	return 0;
}

/* See ime.h. */
size_t kk_pinyin_predict(struct kk_pinyin *p, const char *text)
{
	if (p->n_letters || !text)
		return 0;
	p->n_pred = cap_count(kk_gp_predict(text, KK_PINYIN_MAX_CANDS));
	return p->n_pred;
}
