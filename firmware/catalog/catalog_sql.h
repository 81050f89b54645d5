/*
 * catalog_sql.h — helpers private to the catalogue module (the only place that includes
 * sqlite3.h). Not for use outside firmware/catalog/.
 */
#ifndef KK_CATALOG_SQL_H
#define KK_CATALOG_SQL_H

#include <sqlite3.h>

/* Prepare sql; logs and returns KK_EDB on failure. */
int kk_sql_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st);
/* Copy of a text column, or NULL for SQL NULL. Caller frees. */
char *kk_sql_col_str(sqlite3_stmt *st, int col);

/* offline-db/schema.sql, embedded at build time (build/gen/schema_sql.c). */
extern const char kk_schema_sql[];

#endif
