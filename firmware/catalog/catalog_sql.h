/*
 * catalog_sql.h — helpers private to the catalogue module (the only place that includes
 * sqlite3.h). Not for use outside firmware/catalog/.
 */
#ifndef KK_CATALOG_SQL_H
#define KK_CATALOG_SQL_H

#include <sqlite3.h>

/* Prepare sql; logs and returns KK_EDB on failure. */
int kk_sql_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st);
/* Run SQL without results (sqlite3_exec); logs and returns KK_EDB on failure. */
int kk_sql_exec(sqlite3 *db, const char *sql);
/* Copy of a text column, or NULL for SQL NULL. Caller frees. */
char *kk_sql_col_str(sqlite3_stmt *st, int col);

struct kk_catalog_info;
/* Count what the database holds into the n_* fields of i (kk_catalog_info's figures).
 * Returns 0 or KK_EDB. */
int kk_sql_counts(sqlite3 *db, struct kk_catalog_info *i);
/* The n_* fields as the text kept in meta key "counts" (written by the builder, so the kiosk
 * starts without counting 100k rows), and back. Parsing is strict: KK_EINVAL unless the text
 * is exactly what kk_counts_format writes, in which case the caller counts instead. */
#define KK_COUNTS_KEY "counts"
int kk_counts_format(const struct kk_catalog_info *i, char *buf, size_t n);
int kk_counts_parse(const char *s, struct kk_catalog_info *i);
/*
 * The search index (schema version 2). kk_fts_register adds the FTS5 tokenizer "kk" to a
 * connection (0 or KK_EDB). kk_search_reindex fills the tables `search` and `search_doc` from
 * the documents and guides in the database, inside the caller's transaction (0 or KK_EDB /
 * KK_ENOMEM). kk_catalog_db gives search.c the connection of an open catalogue.
 */
#define KK_FTS_PINYIN_MARK "\x1e" /* first byte of the pinyin column's text */
int kk_fts_register(sqlite3 *db);
int kk_search_reindex(sqlite3 *db);
/* Only the rows of temp.kk_dirty_doc / temp.kk_dirty_guide (tables of ids the caller made):
 * their old index rows removed, the ones that still exist indexed again (search_index.c). */
int kk_search_reindex_dirty(sqlite3 *db);
/* The search tables as in schema.sql (the 1 -> 2 migration creates them from this). */
extern const char kk_search_schema_sql[];
struct kk_catalog;
sqlite3 *kk_catalog_db(struct kk_catalog *c);

/* offline-db/schema.sql, embedded at build time (build/gen/schema_sql.c). */
extern const char kk_schema_sql[];

#endif
