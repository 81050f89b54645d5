/*
 * bench_search.c — full-text search on a big generated catalogue: latency of the top 20 results
 * per query class (1, 2, 4 characters, pinyin initials, 12-character questions), against a
 * LIKE '%…%' scan of titles and body blocks (every matching document: what ranking or a total
 * needs) and against SQLite's trigram tokenizer built over
 * the same titles and bodies; the size of the index; the rate of building it. Prints figures;
 * never fails on timing.
 *
 *   bench_search query DB.db SCRATCH_DIR   latency table (builds SCRATCH_DIR/trigram.db)
 *   bench_search reindex COPY.db           drop the index of a copy and time building it again
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "catalog/catalog.h"
#include "catalog/catalog_sql.h"

#define REPS 40
#define LIKE_REPS 2
#define NQ 5

struct qclass {
	const char *name;
	const char *q[NQ];
	int han; /* LIKE and trigram are meaningful only for Chinese text */
};

static const struct qclass classes[] = {
	{ "1 char", { "证", "房", "税", "补", "学" }, 1 },
	{ "2 chars", { "补贴", "住房", "创业", "医保", "低保" }, 1 },
	{ "4 chars", { "养老保险", "营商环境", "安全生产", "乡村振兴", "公共租赁" }, 1 },
	{ "initials", { "sfz", "ylbx", "zfgjj", "dbsq", "cyzc" }, 0 },
	{ "12 chars", { "孩子上小学报名要准备什么", "失业了去哪里领失业保险金", "身份证丢了怎么补办要带",
			"开个小饭馆要办什么证去哪", "农村盖房子需要审批手续吗" }, 1 },
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The p-th percentile (0..1) of n sorted samples. */
static double pct(const double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return n ? v[i < n ? i : n - 1] : 0;
}

/* Time one prepared statement bound to "q" (LIKE pattern or trigram phrase); rows returned. */
static double time_stmt(sqlite3_stmt *st, const char *arg, int *rows)
{
	double t0 = now_ms();
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	*rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW)
		(*rows)++;
	sqlite3_reset(st);
	return now_ms() - t0;
}

/* Build the trigram comparison table over the same titles and bodies, once. */
static int trigram_build(sqlite3 *db)
{
	double t0 = now_ms();
	sqlite3_stmt *st = NULL;
	int have = 0;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t.sqlite_master WHERE name = 'tri'", -1,
			       &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have)
		return 0;
	if (kk_sql_exec(db, "CREATE VIRTUAL TABLE t.tri USING fts5(title, body, tokenize = 'trigram');"
			    "INSERT INTO t.tri (rowid, title, body) SELECT rowid, title, body || section"
			    " FROM main.search;"))
		return -1;
	printf("  (trigram comparison index built in %.1f s)\n", (now_ms() - t0) / 1e3);
	return 0;
}

static void index_size(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT sum(pgsize) FILTER (WHERE name IN ('search_data', 'search_idx')),"
			       " sum(pgsize) FILTER (WHERE name IN ('search_content', 'search_docsize',"
			       " 'search_doc', 'search_config')), (SELECT sum(pgsize) FROM dbstat)"
			       " FROM dbstat",
			       -1, &st, NULL) != SQLITE_OK) {
		printf("  index size: dbstat not available in this SQLite\n");
		return;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		printf("  index size: %.0f MB postings + %.0f MB stored text and row data, of a %.0f MB"
		       " database\n",
		       sqlite3_column_double(st, 0) / 1e6, sqlite3_column_double(st, 1) / 1e6,
		       sqlite3_column_double(st, 2) / 1e6);
	sqlite3_finalize(st);
}

static int bench_query(const char *path, const char *scratch)
{
	struct kk_catalog *cat = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *like = NULL, *tri = NULL;
	char uri[1200], pat[256];
	double *ours = malloc(NQ * REPS * sizeof *ours);
	int rc = 1;

	if (!ours || kk_catalog_open(path, &cat)) {
		fprintf(stderr, "bench_search: cannot open %s\n", path);
		goto out;
	}
	snprintf(uri, sizeof uri, "ATTACH 'file:%s/trigram.db?mode=rwc' AS t", scratch);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
			    NULL) != SQLITE_OK ||
	    kk_fts_register(db) || kk_sql_exec(db, uri) || trigram_build(db) ||
	    kk_sql_prepare(db,
			   "SELECT count(*) FROM document d WHERE d.title LIKE ?1 OR EXISTS (SELECT 1"
			   " FROM block b WHERE b.body_id = d.body_id AND b.text LIKE ?1)",
			   &like) ||
	    kk_sql_prepare(db, "SELECT rowid FROM t.tri WHERE tri MATCH ?1 ORDER BY rank LIMIT 20",
			   &tri))
		goto out;
	index_size(db);
	printf("  %-9s %-28s %7s %7s %5s | %-16s %6s | %-14s %5s\n", "class", "example", "median",
	       "p99", "hits", "LIKE scan med.", "ratio", "trigram med.", "hits");
	for (size_t c = 0; c < sizeof classes / sizeof classes[0]; c++) {
		const struct qclass *k = &classes[c];
		double likes[NQ * LIKE_REPS], tris[NQ * REPS];
		size_t n = 0, nl = 0, nt = 0;
		long hits = 0, tri_hits = 0;
		for (int i = 0; i < NQ; i++) {
			struct kk_search_query q = { .text = k->q[i], .limit = 20 };
			struct kk_search_results warm;
			/* one untimed run first: the figures are for a warm page cache */
			kk_catalog_search(cat, &q, &warm);
			kk_search_results_fini(&warm);
			for (int r = 0; r < REPS; r++) {
				struct kk_search_results res;
				double t0 = now_ms();
				kk_catalog_search(cat, &q, &res);
				ours[n++] = now_ms() - t0;
				if (r == 0)
					hits += (long)res.n;
				kk_search_results_fini(&res);
			}
			if (!k->han)
				continue;
			snprintf(pat, sizeof pat, "%%%s%%", k->q[i]);
			for (int r = 0; r < LIKE_REPS; r++) {
				int rows;
				likes[nl++] = time_stmt(like, pat, &rows);
			}
			snprintf(pat, sizeof pat, "\"%s\"", k->q[i]);
			for (int r = 0; r < REPS; r++) {
				int rows;
				tris[nt++] = time_stmt(tri, pat, &rows);
				if (r == 0)
					tri_hits += rows;
			}
		}
		qsort(ours, n, sizeof *ours, cmp_double);
		qsort(likes, nl, sizeof *likes, cmp_double);
		qsort(tris, nt, sizeof *tris, cmp_double);
		if (k->han)
			printf("  %-9s %-28s %7.2f %7.2f %5.1f | %13.1f ms %5.1fx | %11.2f ms %5.1f\n",
			       k->name, k->q[0], pct(ours, n, 0.5), pct(ours, n, 0.99),
			       (double)hits / NQ, pct(likes, nl, 0.5),
			       pct(likes, nl, 0.5) / pct(ours, n, 0.5), pct(tris, nt, 0.5),
			       (double)tri_hits / NQ);
		else
			printf("  %-9s %-28s %7.2f %7.2f %5.1f | %16s %6s | %14s %5s\n", k->name,
			       k->q[0], pct(ours, n, 0.5), pct(ours, n, 0.99), (double)hits / NQ, "-",
			       "-", "-", "-");
	}
	printf("  (ms per query, top 20, warm cache; %d queries x %d runs per class; hits = results"
	       " per query)\n",
	       NQ, REPS);
	rc = 0;
out:
	sqlite3_finalize(like);
	sqlite3_finalize(tri);
	sqlite3_close(db);
	kk_catalog_close(cat);
	free(ours);
	return rc;
}

static int bench_reindex(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	double t0;
	long rows = 0;
	int rc = 1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK || kk_fts_register(db) ||
	    kk_sql_exec(db, "PRAGMA journal_mode = OFF; DROP TABLE search; DROP TABLE search_doc;") ||
	    kk_sql_exec(db, kk_search_schema_sql))
		goto out;
	t0 = now_ms();
	if (kk_sql_exec(db, "BEGIN") || kk_search_reindex(db) || kk_sql_exec(db, "COMMIT"))
		goto out;
	t0 = now_ms() - t0;
	if (kk_sql_prepare(db, "SELECT count(*) FROM search_doc", &st) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW)
		rows = sqlite3_column_int(st, 0);
	printf("  index build: %ld documents and guides in %.1f s = %.0f per second"
	       " (plain text from blocks, tokenize, insert, optimize)\n",
	       rows, t0 / 1e3, rows / (t0 / 1e3));
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int main(int argc, char **argv)
{
	kk_log_set_level(KK_LOG_ERROR);
	if (argc == 4 && !strcmp(argv[1], "query"))
		return bench_query(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "reindex"))
		return bench_reindex(argv[2]);
	fprintf(stderr, "usage: bench_search query DB SCRATCH_DIR | bench_search reindex COPY.db\n");
	return 2;
}
