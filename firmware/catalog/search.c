/*
 * search.c — full-text search over documents and guides (see catalog.h, kk_catalog_search).
 *
 * DESIGN
 *
 * Residents type needs, not titles: "身份证丢了怎么补办", "开个小饭馆要办什么证", "sfz",
 * "郯政办字2023 37". Nothing they type reaches FTS5 as syntax. The text (first
 * KK_SEARCH_TEXT_MAX bytes) is cut by the tokenizer into runs — Han runs, words, numbers — and
 * an expression is built from them with every string quoted here:
 *
 *   - In a Han run, at each character we look for the longest synonym-table word starting
 *     there (2–8 characters); a hit becomes one term, the OR of its group ("补办" OR "补领" OR
 *     …). Otherwise a stop word (怎么, 什么, 哪里, 要, 的, 了, 吗, 我, 如何, 办理 …) ends the
 *     current chunk and is dropped. Synonyms go first so 个体户 keeps its 个.
 *   - A chunk of one or two characters is one term; a longer chunk gives each of its bigrams
 *     as a term plus the whole chunk as a phrase, so a partial match still scores.
 *   - A number that looks like a year followed by another number (〔2023〕37号, 2023 37,
 *     2023年37号) is a 文号 term: the phrase "2023 37" in the 文号 column.
 *   - A Latin word is itself OR its pinyin reading in the pinyin column
 *     ("sfz" → py : "<mark>s f z", "shenfenzheng" → py : "<mark>shen fen zheng"; the mark
 *     tells the tokenizer this is typed pinyin, see tokenize.c).
 *   - Terms are OR'ed: stop words and unknown words never veto a match; bm25 ranks the
 *     documents that match more (and rarer) terms first. If only stop words were typed they
 *     are searched for after all.
 *
 * Candidates: the match is scanned in rowid DESC order with LIMIT KK_SEARCH_CANDIDATES.
 * Rowids follow a prior (search_index.c: guides, then valid documents newest first, then the
 * rest), so a term found in 80,000 rows costs 400 rows of bm25, and the rows kept are the
 * likeliest anyway; rare terms keep all their rows. The candidates are re-ranked in C:
 * -bm25 (weights title 10, 文号 6, 发布机构 3, guide sections 2, body 1, pinyin 6), ×2 for
 * guides when the text reads as a task (怎么办, 要带什么, 在哪里办 …), ×0.5 失效, ×0.4 废止,
 * ×0.7 已修订, up to ×1.3 for newer years. Only the shown hits get their record and a
 * snippet (FTS5 snippet() with control-character marks turned into byte ranges, each mark
 * completed to the last character of its phrase: see marks_complete).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/utf8.h"
#include "catalog/catalog.h"
#include "catalog/catalog_sql.h"
#include "text/tokenize.h"

#define MAX_RUNS 64
#define EXPR_MAX (64u << 10)
#define SYN_MAX_CHARS 8 /* longest synonym word looked for */
#define SYN_MAX_ALT 8   /* words of a synonym group used */
#define MARK_OPEN "\x02"
#define MARK_CLOSE "\x03"

/* Words that carry no subject: dropped from Han runs (longest listed first where they nest). */
static const char *const stop_words[] = {
	"怎么办", "怎么样", "怎么", "怎样", "什么", "哪里", "哪儿", "哪些", "在哪", "如何", "需要",
	"可以", "我们", "我的", "一下", "办理", "请问", "要", "的", "了", "吗", "呢", "吧", "啊",
	"我", "你", "个", "去", "和", "是", "想", "把", "被", "给", "带", "都", "还", "就", "咋",
};

/* Phrases that make a query a task (a guide is the likely answer). */
static const char *const task_words[] = {
	"怎么办", "怎么", "如何", "怎样", "咋办", "要带", "带什么", "材料", "哪里", "在哪", "去哪",
	"办理", "手续", "流程", "要办", "办什么", "补办", "申请", "需要什么",
};

/* One run of the typed text, normalised by the tokenizer. */
struct run {
	int cls;
	size_t n;
	char s[KK_TOK_MAX + 1];
};

struct parse {
	struct kk_catalog *c;
	sqlite3_stmt *syn_find, *syn_group;
	struct run runs[MAX_RUNS];
	size_t n_runs;
	struct kk_buf expr;
	int n_terms;
	int task;
	int keep_stop; /* second pass: stop words are searched too */
};

/* kk_tok_fn for KK_TOK_RUNS: keep each run (at most MAX_RUNS; the rest is ignored). */
static int collect_run(void *ctx, const char *tok, size_t len, size_t start, size_t end,
		       int colocated, int cls)
{
	struct parse *p = ctx;
	struct run *r;
	if (p->n_runs == MAX_RUNS)
		return 1; /* enough: the rest of the text is ignored */
	r = &p->runs[p->n_runs++];
	r->cls = cls;
	r->n = len < KK_TOK_MAX ? len : KK_TOK_MAX;
	memcpy(r->s, tok, r->n);
	r->s[r->n] = '\0';
	return 0;
}

/* Append s[0..n) as an FTS5 string ("…" with " doubled). */
static int add_quoted(struct kk_buf *b, const char *s, size_t n)
{
	int rc = kk_buf_add(b, "\"", 1);
	for (size_t i = 0; !rc && i < n; i++)
		rc = s[i] == '"' ? kk_buf_add(b, "\"\"", 2) : kk_buf_add(b, s + i, 1);
	return rc ? rc : kk_buf_add(b, "\"", 1);
}

/* Start a new OR'ed term; returns 1 if the term cap is reached (nothing added). */
static int term_open(struct parse *p)
{
	if (p->n_terms >= KK_SEARCH_MAX_TERMS)
		return 1;
	if (p->n_terms++ && kk_buf_adds(&p->expr, " OR "))
		return 1;
	return 0;
}

/* A term that is one quoted phrase, unless the same phrase is a term already. */
static int term_phrase(struct parse *p, const char *s, size_t n)
{
	struct kk_buf q;
	int rc;
	kk_buf_init(&q, 4 * KK_TOK_MAX);
	if ((rc = add_quoted(&q, s, n)))
		goto out;
	/* the expression is "a" OR "b" …: a term is there if its quoted form is */
	if (p->expr.len && strstr(p->expr.data, q.data))
		goto out;
	if (!term_open(p))
		rc = kk_buf_add(&p->expr, q.data, q.len);
out:
	kk_buf_fini(&q);
	return rc;
}

/* Length in bytes of the first `chars` characters of s[0..n) (valid UTF-8), or 0 if shorter. */
static size_t char_bytes(const char *s, size_t n, size_t chars)
{
	size_t i = 0;
	while (chars-- > 0) {
		if (i >= n)
			return 0;
		kk_utf8_next(s, n, &i);
	}
	return i;
}

/* Terms of a chunk of Han text without synonyms or stop words (see the design note). */
static int chunk_terms(struct parse *p, const char *s, size_t n)
{
	size_t chars = kk_utf8_count(s, n);
	int rc = 0;
	if (chars == 0)
		return 0;
	if (chars <= 2)
		return term_phrase(p, s, n);
	for (size_t i = 0; !rc && i < n;) {
		size_t b = char_bytes(s + i, n - i, 2), step = char_bytes(s + i, n - i, 1);
		if (!b)
			break;
		rc = term_phrase(p, s + i, b);
		i += step;
	}
	if (!rc && chars <= 8)
		rc = term_phrase(p, s, n);
	return rc;
}

/* If a synonym word starts at s (longest first), add its group as a term and return its
 * length in bytes; 0 if none. */
static size_t synonym_at(struct parse *p, const char *s, size_t n, int *rc)
{
	for (size_t k = SYN_MAX_CHARS; k >= 2; k--) {
		size_t b = char_bytes(s, n, k);
		int64_t group;
		if (!b)
			continue;
		sqlite3_bind_text(p->syn_find, 1, s, (int)b, SQLITE_STATIC);
		if (sqlite3_step(p->syn_find) != SQLITE_ROW) {
			sqlite3_reset(p->syn_find);
			continue;
		}
		group = sqlite3_column_int64(p->syn_find, 0);
		sqlite3_reset(p->syn_find);
		if (term_open(p))
			return b;
		*rc = kk_buf_adds(&p->expr, "(");
		sqlite3_bind_int64(p->syn_group, 1, group);
		for (int alt = 0; !*rc && sqlite3_step(p->syn_group) == SQLITE_ROW; alt++) {
			const char *w = (const char *)sqlite3_column_text(p->syn_group, 0);
			if (alt)
				*rc = kk_buf_adds(&p->expr, " OR ");
			if (!*rc)
				*rc = add_quoted(&p->expr, w ? w : "", w ? strlen(w) : 0);
		}
		sqlite3_reset(p->syn_group);
		if (!*rc)
			*rc = kk_buf_adds(&p->expr, ")");
		return b;
	}
	return 0;
}

/* Length in bytes of the stop word at s, or 0. */
static size_t stop_at(const char *s, size_t n)
{
	for (size_t k = 0; k < sizeof stop_words / sizeof stop_words[0]; k++) {
		size_t w = strlen(stop_words[k]);
		if (w <= n && memcmp(s, stop_words[k], w) == 0)
			return w;
	}
	return 0;
}

/* Terms of one Han run: synonyms, stop words, chunks. */
static int han_terms(struct parse *p, const char *s, size_t n)
{
	size_t chunk = 0, i = 0;
	int rc = 0;
	while (!rc && i < n) {
		size_t k = synonym_at(p, s + i, n - i, &rc);
		if (!k && !p->keep_stop)
			k = stop_at(s + i, n - i);
		if (k) {
			if (!rc)
				rc = chunk_terms(p, s + chunk, i - chunk);
			i += k;
			chunk = i;
			continue;
		}
		kk_utf8_next(s, n, &i);
	}
	if (!rc)
		rc = chunk_terms(p, s + chunk, n - chunk);
	return rc;
}

/* A year of a 文号 (1949..2099, four digits). */
static int is_year(const struct run *r)
{
	int y;
	if (r->cls != KK_TOKC_NUMBER || r->n != 4)
		return 0;
	y = atoi(r->s);
	return y >= 1949 && y <= 2099;
}

/* The number after a year at runs[i], skipping one of 年 第 between; index or 0. */
static size_t docno_number(const struct parse *p, size_t i)
{
	size_t j = i + 1;
	if (j < p->n_runs && p->runs[j].cls == KK_TOKC_HAN &&
	    (!strcmp(p->runs[j].s, "年") || !strcmp(p->runs[j].s, "第") || !strcmp(p->runs[j].s, "年第")))
		j++;
	if (j < p->n_runs && p->runs[j].cls == KK_TOKC_NUMBER && p->runs[j].n <= 6)
		return j;
	return 0;
}

/* A Latin word: itself, or its pinyin in the pinyin column. */
static int word_terms(struct parse *p, const struct run *r)
{
	char seg[80];
	int rc;
	if (!kk_pinyin_segment(r->s, r->n, seg, sizeof seg))
		return term_phrase(p, r->s, r->n);
	if (term_open(p))
		return 0;
	if ((rc = kk_buf_adds(&p->expr, "(")) || (rc = add_quoted(&p->expr, r->s, r->n)) ||
	    (rc = kk_buf_adds(&p->expr, " OR py : \"" KK_FTS_PINYIN_MARK)) ||
	    (rc = kk_buf_adds(&p->expr, seg)) || (rc = kk_buf_adds(&p->expr, "\"")))
		return rc;
	return kk_buf_adds(&p->expr, ")");
}

/* Build p->expr from p->runs. */
static int build_terms(struct parse *p)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < p->n_runs; i++) {
		const struct run *r = &p->runs[i];
		size_t j;
		if (r->cls == KK_TOKC_HAN) {
			rc = han_terms(p, r->s, r->n);
		} else if (r->cls == KK_TOKC_NUMBER && is_year(r) && (j = docno_number(p, i))) {
			if (term_open(p))
				break;
			if (!(rc = kk_buf_adds(&p->expr, "doc_no : ")))
				rc = kk_buf_addf(&p->expr, "\"%s %s\"", r->s, p->runs[j].s);
			i = j;
			/* the 号 of "〔2023〕37号" says nothing more */
			if (i + 1 < p->n_runs && !strcmp(p->runs[i + 1].s, "号"))
				i++;
		} else if (r->cls == KK_TOKC_NUMBER) {
			rc = term_phrase(p, r->s, r->n);
		} else {
			rc = word_terms(p, r);
		}
	}
	return rc;
}

/* Parse text into p (expr, task). The caller finalises the statements and the buffer. */
static int parse_text(struct parse *p, const char *text)
{
	size_t len = text ? strlen(text) : 0;
	int rc;

	if (len > KK_SEARCH_TEXT_MAX)
		len = KK_SEARCH_TEXT_MAX;
	kk_tokenize(text ? text : "", len, KK_TOK_RUNS, collect_run, p);
	for (size_t i = 0; i < p->n_runs && !p->task; i++)
		for (size_t k = 0; k < sizeof task_words / sizeof task_words[0]; k++)
			if (p->runs[i].cls == KK_TOKC_HAN && strstr(p->runs[i].s, task_words[k]))
				p->task = 1;
	if ((rc = kk_sql_prepare(kk_catalog_db(p->c),
				 "SELECT group_id FROM synonym WHERE word = ? LIMIT 1", &p->syn_find)) ||
	    (rc = kk_sql_prepare(kk_catalog_db(p->c),
				 "SELECT word FROM synonym WHERE group_id = ? LIMIT 8",
				 &p->syn_group)))
		return rc;
	if ((rc = build_terms(p)))
		return rc;
	if (p->n_terms == 0 && p->n_runs) {
		/* only stop words ("怎么办"): search for them after all */
		p->keep_stop = 1;
		rc = build_terms(p);
	}
	return rc;
}

/* Release what parse_text made (statements, the expression buffer). */
static void parse_fini(struct parse *p)
{
	sqlite3_finalize(p->syn_find);
	sqlite3_finalize(p->syn_group);
	kk_buf_fini(&p->expr);
}

int kk_catalog_search_expr(struct kk_catalog *c, const char *text, char **expr, int *task)
{
	struct parse *p = calloc(1, sizeof *p);
	int rc;
	*expr = NULL;
	if (!p)
		return KK_ENOMEM;
	p->c = c;
	kk_buf_init(&p->expr, EXPR_MAX);
	rc = parse_text(p, text);
	if (!rc && !(*expr = p->expr.len ? kk_buf_steal(&p->expr) : kk_strdup("")))
		rc = KK_ENOMEM;
	if (task)
		*task = p->task;
	parse_fini(p);
	free(p);
	return rc;
}

/* ---- ranking and results ------------------------------------------------------------------ */

struct cand {
	int64_t rowid, ref;
	int kind, validity, year;
	double score;
};

/* qsort order of candidates: higher score first, then the later (likelier) rowid. */
static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->rowid < y->rowid ? 1 : x->rowid > y->rowid ? -1 : 0;
}

/* The final score of a candidate from its bm25 (negative; lower is better). */
static double rank_score(double bm25, int kind, int validity, int year, int task)
{
	double s = -bm25;
	if (task && kind == KK_HIT_GUIDE)
		s *= 2.0;
	if (validity == KK_EXPIRED)
		s *= 0.5;
	else if (validity == KK_REPEALED)
		s *= 0.4;
	else if (validity == KK_AMENDED)
		s *= 0.7;
	if (year > 2000)
		s *= 1.0 + 0.01 * (year - 2000 > 30 ? 30 : year - 2000);
	return s;
}

void kk_search_results_fini(struct kk_search_results *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct kk_search_hit *h = &r->items[i];
		free(h->ext_id);
		free(h->title);
		free(h->ref);
		free(h->date);
		free(h->snippet);
		free(h->marks);
	}
	free(r->items);
	memset(r, 0, sizeof *r);
}

/* Turn a snippet with MARK_OPEN/MARK_CLOSE (and the pinyin column's mark) into plain text
 * and byte ranges. */
static int snippet_set(struct kk_search_hit *h, const char *s)
{
	size_t n = strlen(s), o = 0, cap = 0;
	char *out = malloc(n + 1);
	int rc = 0;
	if (!out)
		return KK_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == MARK_OPEN[0]) {
			if (h->n_marks == cap) {
				struct kk_span *m;
				cap = cap ? 2 * cap : 4;
				if (!(m = realloc(h->marks, cap * sizeof *m))) {
					rc = KK_ENOMEM;
					break;
				}
				h->marks = m;
			}
			h->marks[h->n_marks].start = h->marks[h->n_marks].end = (uint32_t)o;
			h->n_marks++;
		} else if (s[i] == MARK_CLOSE[0]) {
			if (h->n_marks)
				h->marks[h->n_marks - 1].end = (uint32_t)o;
		} else if (s[i] != KK_FTS_PINYIN_MARK[0]) {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	h->snippet = out;
	return rc;
}

/*
 * Completing snippet marks. FTS5's snippet() marks a phrase from its first to its last
 * position with the offsets of each position's first token, the unigram; our phrases are
 * bigrams (and pairs of initials), so the last character of every match would stay unmarked.
 * We keep the last token of every phrase of the expression and extend a mark by one character
 * when its last character and the next one form such a token.
 */
#define TAILS_MAX 32
#define TAIL_BYTES 8

struct tails {
	char tok[TAILS_MAX][TAIL_BYTES + 1];
	size_t n;
	char last[TAIL_BYTES + 1]; /* last token of the phrase being read */
	int found;                 /* completion check: a token is a tail */
};

/* kk_tok_fn: remember the last token of a phrase (only bigrams and pairs can be tails). */
static int tail_note(void *ctx, const char *tok, size_t len, size_t start, size_t end,
		     int colocated, int cls)
{
	struct tails *t = ctx;
	t->last[0] = '\0';
	if (len <= TAIL_BYTES) {
		memcpy(t->last, tok, len);
		t->last[len] = '\0';
	}
	return 0;
}

/* Collect the tails of every quoted phrase of expr (strings are ours: no embedded quote). */
static void tails_collect(const char *expr, struct tails *t)
{
	memset(t, 0, sizeof *t);
	for (const char *q = strchr(expr, '"'); q && t->n < TAILS_MAX; q = strchr(q, '"')) {
		const char *e = strchr(q + 1, '"');
		int pinyin = q[1] == KK_FTS_PINYIN_MARK[0];
		if (!e)
			break;
		t->last[0] = '\0';
		kk_tokenize(q + 1 + pinyin, (size_t)(e - q - 1 - pinyin),
			    pinyin ? KK_TOK_PINYIN_QUERY : KK_TOK_QUERY, tail_note, t);
		if (t->last[0] && (strlen(t->last) > 4 || t->last[0] == '_'))
			memcpy(t->tok[t->n++], t->last, sizeof t->tok[0]);
		q = e + 1;
	}
}

/* kk_tok_fn: is this token one of the tails? */
static int tail_match(void *ctx, const char *tok, size_t len, size_t start, size_t end,
		      int colocated, int cls)
{
	struct tails *t = ctx;
	for (size_t k = 0; k < t->n && !t->found; k++)
		if (strlen(t->tok[k]) == len && !memcmp(t->tok[k], tok, len))
			t->found = 1;
	return t->found;
}

/* Extend each mark of h by the next character when the pair ends a phrase (see above). */
static void marks_complete(struct kk_search_hit *h, struct tails *t)
{
	size_t len = strlen(h->snippet);
	for (size_t k = 0; k < h->n_marks && t->n; k++) {
		size_t e = h->marks[k].end, ls = e, ne = e;
		if (e == 0 || e >= len || (k + 1 < h->n_marks && h->marks[k + 1].start <= e))
			continue;
		while (ls > h->marks[k].start && ((unsigned char)h->snippet[ls - 1] & 0xC0) == 0x80)
			ls--;
		if (ls > h->marks[k].start)
			ls--; /* the lead byte of the last marked character */
		if (kk_utf8_next(h->snippet, len, &ne) < 0)
			continue;
		t->found = 0;
		kk_tokenize(h->snippet + ls, ne - ls, KK_TOK_DOCUMENT, tail_match, t);
		if (!t->found)
			kk_tokenize(h->snippet + ls, ne - ls, KK_TOK_PINYIN, tail_match, t);
		if (t->found && (k + 1 == h->n_marks || h->marks[k + 1].start >= ne))
			h->marks[k].end = (uint32_t)ne;
	}
}

/* The statements that load the shown hits, prepared once per search. */
struct loader {
	sqlite3_stmt *guide, *doc, *snippet;
	struct tails tails;
};

/* Finalise the loader's statements (NULL ones are fine). */
static void loader_fini(struct loader *l)
{
	sqlite3_finalize(l->guide);
	sqlite3_finalize(l->doc);
	sqlite3_finalize(l->snippet);
}

/* Prepare the loader's statements; the snippet statement keeps expr bound (it must outlive
 * the loader). Returns 0 or KK_EDB. */
static int loader_init(sqlite3 *db, const char *expr, struct loader *l)
{
	int rc;
	memset(l, 0, sizeof *l);
	if ((rc = kk_sql_prepare(db,
				 "SELECT g.ext_id, g.title, gg.book, gg.name, g.updated FROM guide g"
				 " JOIN guide_group gg ON gg.id = g.group_id WHERE g.id = ?",
				 &l->guide)) ||
	    (rc = kk_sql_prepare(db,
				 "SELECT ext_id, title, doc_no, NULL, published FROM document"
				 " WHERE id = ?",
				 &l->doc)) ||
	    (rc = kk_sql_prepare(db,
				 "SELECT snippet(search, ?3, char(2), char(3), '…', 24) FROM search"
				 " WHERE search MATCH ?1 AND rowid = ?2",
				 &l->snippet))) {
		loader_fini(l);
		return rc;
	}
	sqlite3_bind_text(l->snippet, 1, expr, -1, SQLITE_STATIC);
	tails_collect(expr, &l->tails);
	return 0;
}

/* Fill the record fields of a hit (title, ref, date, ext_id) and its snippet. */
static int hit_load(struct loader *l, const struct cand *cd, struct kk_search_hit *h)
{
	sqlite3_stmt *st = cd->kind == KK_HIT_GUIDE ? l->guide : l->doc;
	int rc = 0;

	h->kind = cd->kind;
	h->id = cd->ref;
	h->validity = cd->validity;
	h->score = cd->score;
	sqlite3_bind_int64(st, 1, cd->ref);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = KK_ECORRUPT; /* search_doc points at a missing row */
		goto out;
	}
	h->ext_id = kk_sql_col_str(st, 0);
	h->title = kk_sql_col_str(st, 1);
	h->date = kk_sql_col_str(st, 4);
	if (cd->kind == KK_HIT_GUIDE) {
		struct kk_buf b;
		kk_buf_init(&b, 4096);
		rc = kk_buf_addf(&b, "%s › %s › %s", kk_book_name(sqlite3_column_int(st, 2)),
				 sqlite3_column_text(st, 3), h->title ? h->title : "");
		h->ref = rc ? NULL : kk_buf_steal(&b);
		kk_buf_fini(&b);
	} else {
		h->ref = kk_sql_col_str(st, 2);
	}
	if (rc)
		goto out;
	/* the title is shown anyway: prefer a snippet of the body (guides: the sections) and
	 * fall back to FTS5's best column when the match is elsewhere only */
	sqlite3_bind_int64(l->snippet, 2, cd->rowid);
	for (int pass = 0; pass < 2 && !h->snippet && !rc; pass++) {
		const char *t;
		sqlite3_bind_int(l->snippet, 3, pass ? -1 : cd->kind == KK_HIT_GUIDE ? 3 : 4);
		t = sqlite3_step(l->snippet) == SQLITE_ROW
			    ? (const char *)sqlite3_column_text(l->snippet, 0)
			    : NULL;
		if (t && (pass || strchr(t, MARK_OPEN[0])))
			rc = snippet_set(h, t);
		sqlite3_reset(l->snippet);
	}
	if (!rc && !h->snippet)
		rc = snippet_set(h, "");
	if (!rc)
		marks_complete(h, &l->tails);
out:
	sqlite3_reset(st);
	return rc;
}

/*
 * Title coverage. bm25 over OR'ed terms (with synonyms) lets a record that matches one rare
 * word in its title, or a newer or still valid one, beat the record whose title is exactly
 * what the resident typed. So each candidate's score is also multiplied by 1 + 3c², where c
 * is the share of the typed text found in its title: every pair of adjacent Han characters
 * typed (a lone one counts alone) is a unit, every number of two or more digits three units
 * (a year or a 文号 number says more than a pair of characters). Typed text only: synonyms,
 * pinyin and stop words neither add nor dilute... except that stop-word pairs are typed
 * text too, which dilutes every title alike.
 */
#define COVER_MAX 32

struct cover {
	char unit[COVER_MAX][16];
	int weight[COVER_MAX];
	int n, total;
};

static int is_han(int32_t cp)
{
	return (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0x20000 && cp <= 0x3134F);
}

static void cover_add(struct cover *cv, const char *s, size_t len, int weight)
{
	if (cv->n == COVER_MAX || len == 0 || len >= sizeof cv->unit[0])
		return;
	for (int k = 0; k < cv->n; k++)
		if (strlen(cv->unit[k]) == len && !memcmp(cv->unit[k], s, len))
			return;
	memcpy(cv->unit[cv->n], s, len);
	cv->unit[cv->n][len] = '\0';
	cv->weight[cv->n++] = weight;
	cv->total += weight;
}

/* The units of the typed text (any bytes: invalid UTF-8 ends a run). */
static void cover_init(struct cover *cv, const char *text)
{
	size_t len = text ? strnlen(text, KK_SEARCH_TEXT_MAX) : 0, i = 0;
	size_t prev_at = 0;
	int prev_han = 0, run = 0;

	memset(cv, 0, sizeof *cv);
	while (i < len && cv->n < COVER_MAX) {
		size_t at = i;
		int32_t cp = kk_utf8_next(text, len, &i);
		if (is_han(cp)) {
			if (prev_han)
				cover_add(cv, text + prev_at, i - prev_at, 1);
			run = prev_han ? run + 1 : 1;
			prev_han = 1;
			prev_at = at;
			/* a lone character: counted when the run ends (below) */
			if (i >= len || !is_han(kk_utf8_next(text, len, &(size_t){ i })))
				if (run == 1)
					cover_add(cv, text + at, i - at, 1);
			continue;
		}
		prev_han = 0;
		run = 0;
		if (cp >= '0' && cp <= '9') {
			size_t e = i;
			while (e < len && text[e] >= '0' && text[e] <= '9')
				e++;
			if (e - at >= 2)
				cover_add(cv, text + at, e - at, 3);
			i = e;
		}
	}
}

/* 1 + 3c² for a title (see above); 1 when the text has no units. */
static double cover_boost(const struct cover *cv, const char *title)
{
	int found = 0;
	double c;
	if (!cv->total || !title)
		return 1.0;
	for (int k = 0; k < cv->n; k++)
		if (strstr(title, cv->unit[k]))
			found += cv->weight[k];
	c = (double)found / cv->total;
	return 1.0 + 3.0 * c * c;
}

/* Run the capped candidate query and score every row into cands (at most
 * KK_SEARCH_CANDIDATES). */
static int candidates(sqlite3 *db, const char *expr, const struct kk_search_query *q, int task,
		      struct cand *cands, size_t *n)
{
	struct cover cv;
	sqlite3_stmt *st = NULL;
	int rc, step;

	*n = 0;
	if ((rc = kk_sql_prepare(db,
				 "SELECT m.id, m.kind, m.ref_id, m.validity, m.year,"
				 " bm25(search, 10.0, 6.0, 3.0, 2.0, 1.0, 6.0), search.title"
				 " FROM search JOIN search_doc m ON m.id = search.rowid"
				 " WHERE search MATCH ?1 AND (?2 = 0 OR (?2 >> m.kind) & 1)"
				 " AND (?3 IS NULL OR m.publisher = ?3) AND (?4 = 0 OR m.year = ?4)"
				 " AND (?5 = 0 OR m.validity = ?5)"
				 " ORDER BY search.rowid DESC LIMIT ?6",
				 &st)))
		return rc;
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)(q->kinds & 0xE));
	if (q->publisher)
		sqlite3_bind_text(st, 3, q->publisher, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, q->year);
	sqlite3_bind_int(st, 5, q->validity);
	sqlite3_bind_int(st, 6, KK_SEARCH_CANDIDATES);
	cover_init(&cv, q->text);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < KK_SEARCH_CANDIDATES) {
		struct cand *cd = &cands[(*n)++];
		cd->rowid = sqlite3_column_int64(st, 0);
		cd->kind = sqlite3_column_int(st, 1);
		cd->ref = sqlite3_column_int64(st, 2);
		cd->validity = sqlite3_column_int(st, 3);
		cd->year = sqlite3_column_int(st, 4);
		cd->score = rank_score(sqlite3_column_double(st, 5), cd->kind, cd->validity, cd->year,
				       task) *
			    cover_boost(&cv, (const char *)sqlite3_column_text(st, 6));
	}
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		kk_error("catalog", "search: %s (%s)", sqlite3_errmsg(db), expr);
		rc = KK_EDB;
	}
	sqlite3_finalize(st);
	return rc;
}

int kk_catalog_search(struct kk_catalog *c, const struct kk_search_query *q,
		      struct kk_search_results *out)
{
	sqlite3 *db = kk_catalog_db(c);
	struct loader load;
	struct cand *cands = NULL;
	char *expr = NULL;
	size_t n = 0, limit = q->limit ? q->limit : KK_SEARCH_LIMIT;
	int rc, task = 0;

	memset(out, 0, sizeof *out);
	if (limit > KK_SEARCH_LIMIT_MAX)
		limit = KK_SEARCH_LIMIT_MAX;
	if ((rc = kk_catalog_search_expr(c, q->text, &expr, &task)))
		goto out;
	out->task = task;
	if (!*expr)
		goto out; /* nothing searchable: no results */
	if (!(cands = malloc(KK_SEARCH_CANDIDATES * sizeof *cands))) {
		rc = KK_ENOMEM;
		goto out;
	}
	if ((rc = candidates(db, expr, q, task, cands, &n)))
		goto out;
	out->total = n;
	out->total_capped = n == KK_SEARCH_CANDIDATES;
	qsort(cands, n, sizeof *cands, cand_cmp);
	if (n > limit)
		n = limit;
	if (n && !(out->items = calloc(n, sizeof *out->items))) {
		rc = KK_ENOMEM;
		goto out;
	}
	if ((rc = loader_init(db, expr, &load)))
		goto out;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = hit_load(&load, &cands[i], &out->items[i]);
		out->n = i + 1;
	}
	loader_fini(&load);
out:
	if (rc)
		kk_search_results_fini(out);
	free(cands);
	free(expr);
	return rc;
}
