/*
 * fts_tokenizer.c — the search tokenizer of firmware/text/tokenize.c as an FTS5 tokenizer
 * named "kk", registered on every connection that touches the search index (the kiosk's
 * read-only open, the tool's writer, migrate).
 *
 * One tokenizer serves every column of the index. The pinyin column is told apart in-band:
 * its text starts with KK_FTS_PINYIN_MARK (a control character the index builder removes from
 * every other text), and then only pinyin tokens are produced for it. Queries are tokenized
 * in KK_TOK_QUERY mode (a Han run becomes a phrase of its bigrams); a query string that starts
 * with the mark is typed pinyin (KK_TOK_PINYIN_QUERY), which search.c sends to column py.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog_sql.h"
#include "text/tokenize.h"

/* The tokenizer has no settings: one static instance serves every table. */
struct fts_tok {
	int unused;
};
static struct fts_tok fts_tok_instance;

/* xCreate: accept no arguments (a schema asking for options we do not have is an error). */
static int fts_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)ctx;
	(void)argv;
	if (argc != 0)
		return SQLITE_ERROR;
	*out = (Fts5Tokenizer *)&fts_tok_instance;
	return SQLITE_OK;
}

/* xDelete: the instance is static; nothing to free. */
static void fts_delete(Fts5Tokenizer *t)
{
	(void)t;
}

/* Carries FTS5's callback through kk_tokenize. */
struct fts_call {
	void *ctx;
	int (*token)(void *ctx, int flags, const char *tok, int n, int start, int end);
	size_t base; /* bytes skipped at the start (the pinyin mark) */
};

/* kk_tok_fn that hands a token to FTS5 (offsets shifted past a skipped pinyin mark). */
static int fts_emit(void *ctx, const char *tok, size_t len, size_t start, size_t end,
		    int colocated, int cls)
{
	struct fts_call *c = ctx;
	(void)cls;
	return c->token(c->ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, tok, (int)len,
			(int)(start + c->base), (int)(end + c->base));
}

/* xTokenize: documents and auxiliary functions see the index tokens; queries see bigram
 * phrases. The pinyin column (marked) yields pinyin only. */
static int fts_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
			int (*token)(void *, int, const char *, int, int, int))
{
	struct fts_call c = { .ctx = ctx, .token = token, .base = 0 };
	enum kk_tok_mode mode = KK_TOK_DOCUMENT;
	(void)t;
	if (n <= 0)
		return SQLITE_OK;
	if (text[0] == KK_FTS_PINYIN_MARK[0]) {
		mode = (flags & FTS5_TOKENIZE_QUERY) ? KK_TOK_PINYIN_QUERY : KK_TOK_PINYIN;
		c.base = 1;
		text++;
		n--;
	} else if ((flags & FTS5_TOKENIZE_QUERY) != 0) {
		mode = KK_TOK_QUERY;
	}
	return kk_tokenize(text, (size_t)n, mode, fts_emit, &c);
}

int kk_fts_register(sqlite3 *db)
{
	static fts5_tokenizer tok = { fts_create, fts_delete, fts_tokenize };
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	int rc = KK_EDB;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK) {
		kk_error("catalog", "this SQLite has no FTS5: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	if (!api || api->iVersion < 2) {
		kk_error("catalog", "FTS5 API unavailable");
		goto out;
	}
	if (api->xCreateTokenizer(api, "kk", NULL, &tok, NULL) != SQLITE_OK) {
		kk_error("catalog", "cannot register the search tokenizer");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}
