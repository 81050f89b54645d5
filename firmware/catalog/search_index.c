/*
 * search_index.c — filling the search index (tables `search` and `search_doc`, schema
 * version 2) from the documents and guides of a database. Used by kk_writer_finish (`kioskdb
 * build`) and by the 1 → 2 step of kk_catalog_migrate, inside their transaction.
 *
 * DESIGN: rows are inserted in order of a prior — documents that are not valid first, then
 * valid ones by 公开日期, then guides — so a larger rowid means a likelier answer when nothing
 * else tells results apart. The query side scans matches in rowid DESC order with a cap
 * (search.c), which keeps very common terms fast while every guide and the newest valid
 * documents stay candidates. Bodies are stored as blocks and cells; their plain text is joined
 * with newlines here (control characters become spaces, so the pinyin mark and the highlight
 * marks of search.c never occur in indexed text). A column's text is capped at
 * KK_INDEX_TEXT_MAX bytes; the rest of a huge body is not indexed.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog.h"
#include "catalog/catalog_sql.h"

#define KK_INDEX_TEXT_MAX (1u << 20)

const char kk_search_schema_sql[] =
	"CREATE TABLE search_doc (id INTEGER PRIMARY KEY,"
	" kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3), ref_id INTEGER NOT NULL,"
	" validity INTEGER NOT NULL, year INTEGER NOT NULL, publisher TEXT);"
	"CREATE VIRTUAL TABLE search USING fts5(title, doc_no, publisher, section, body, py,"
	" tokenize = 'kk');";

/* Statements used for every row. */
struct indexer {
	sqlite3 *db;
	sqlite3_stmt *ins_doc, *ins_fts, *body, *sections;
	sqlite3_stmt *reuse; /* incremental update: the rowid a changed row had (may be NULL) */
	const char *doc_where, *guide_where; /* extra filter of the rows indexed ("" for all) */
	struct kk_buf col[6]; /* title, doc_no, publisher, section, body, py */
	int64_t rowid;
};

/*
 * Append s to b with control characters (but newlines) turned into spaces. Text past the
 * buffer's cap is dropped (the index covers the first KK_INDEX_TEXT_MAX bytes).
 */
static int add_clean(struct kk_buf *b, const char *s)
{
	size_t n, start;
	int rc;
	if (!s)
		return 0;
	n = strlen(s);
	if (b->len + n > b->max)
		n = b->max - b->len; /* may cut a character: the tokenizer skips the broken tail */
	start = b->len;
	if ((rc = kk_buf_add(b, s, n)))
		return rc;
	for (size_t i = start; i < b->len; i++)
		if ((unsigned char)b->data[i] < 0x20 && b->data[i] != '\n')
			b->data[i] = ' ';
	return 0;
}

/* Append the plain text of a body (blocks and table cells in order), one line per piece. */
static int add_body_text(struct indexer *x, int64_t body_id, struct kk_buf *b)
{
	int rc = 0;
	sqlite3_bind_int64(x->body, 1, body_id);
	while (!rc && sqlite3_step(x->body) == SQLITE_ROW) {
		rc = add_clean(b, (const char *)sqlite3_column_text(x->body, 0));
		if (!rc && b->len < b->max)
			rc = kk_buf_add(b, "\n", 1);
	}
	sqlite3_reset(x->body);
	return rc;
}

/* Insert the prepared columns as the next row; kind, ref and the filter fields as given. */
static int index_row(struct indexer *x, int kind, int64_t ref, int validity, const char *date,
		     const char *publisher)
{
	int64_t rowid = 0;
	int rc = 0;
	if (x->reuse) { /* a changed row keeps its place in the prior order */
		sqlite3_bind_int64(x->reuse, 1, ref);
		sqlite3_bind_int(x->reuse, 2, kind == 2);
		if (sqlite3_step(x->reuse) == SQLITE_ROW)
			rowid = sqlite3_column_int64(x->reuse, 0);
		sqlite3_reset(x->reuse);
	}
	if (!rowid)
		rowid = ++x->rowid;
	sqlite3_bind_int64(x->ins_doc, 1, rowid);
	sqlite3_bind_int(x->ins_doc, 2, kind);
	sqlite3_bind_int64(x->ins_doc, 3, ref);
	sqlite3_bind_int(x->ins_doc, 4, validity);
	sqlite3_bind_int(x->ins_doc, 5, date && strlen(date) >= 4 ? atoi(date) : 0);
	if (publisher)
		sqlite3_bind_text(x->ins_doc, 6, publisher, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(x->ins_doc, 6);
	if (sqlite3_step(x->ins_doc) != SQLITE_DONE)
		rc = KK_EDB;
	sqlite3_reset(x->ins_doc);
	sqlite3_bind_int64(x->ins_fts, 1, rowid);
	for (int k = 0; k < 6; k++)
		sqlite3_bind_text(x->ins_fts, k + 2, x->col[k].len ? x->col[k].data : "",
				  (int)x->col[k].len, SQLITE_STATIC);
	if (!rc && sqlite3_step(x->ins_fts) != SQLITE_DONE)
		rc = KK_EDB;
	sqlite3_reset(x->ins_fts);
	if (rc)
		kk_error("catalog", "search index: %s", sqlite3_errmsg(x->db));
	return rc;
}

/* Start the next row's columns: all empty, the pinyin column with its mark. */
static void columns_reset(struct indexer *x)
{
	for (int k = 0; k < 6; k++)
		kk_buf_reset(&x->col[k]);
	kk_buf_adds(&x->col[5], KK_FTS_PINYIN_MARK);
}

/* One row per document, in prior order: not valid first, then by 公开日期. */
static int index_documents(struct indexer *x)
{
	sqlite3_stmt *st = NULL;
	char sql[512];
	int rc, step;

	snprintf(sql, sizeof sql,
		 "SELECT id, title, doc_no, publisher, published, validity, series_id,"
		 " body_id FROM document%s ORDER BY validity = 1, published, id",
		 x->doc_where ? x->doc_where : "");
	if ((rc = kk_sql_prepare(x->db, sql, &st)))
		return rc;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *title = (const char *)sqlite3_column_text(st, 1);
		columns_reset(x);
		if ((rc = add_clean(&x->col[0], title)) ||
		    (rc = add_clean(&x->col[1], (const char *)sqlite3_column_text(st, 2))) ||
		    (rc = add_clean(&x->col[2], (const char *)sqlite3_column_text(st, 3))) ||
		    (rc = add_body_text(x, sqlite3_column_int64(st, 7), &x->col[4])) ||
		    (rc = add_clean(&x->col[5], title)))
			break;
		rc = index_row(x, sqlite3_column_int(st, 6) == KK_SERIES_INTERPRETATION ? 3 : 1,
			       sqlite3_column_int64(st, 0), sqlite3_column_int(st, 5),
			       (const char *)sqlite3_column_text(st, 4),
			       (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
	return rc;
}

/* One row per guide after every document: section labels and text in column section, the
 * 一本通 and 大项 in column publisher, title and 大项 in the pinyin column. */
static int index_guides(struct indexer *x)
{
	sqlite3_stmt *st = NULL;
	char sql[512];
	int rc;

	snprintf(sql, sizeof sql,
		 "SELECT g.id, g.title, gg.book, gg.name, g.updated FROM guide g"
		 " JOIN guide_group gg ON gg.id = g.group_id%s ORDER BY gg.book, gg.seq, g.seq",
		 x->guide_where ? x->guide_where : "");
	if ((rc = kk_sql_prepare(x->db, sql, &st)))
		return rc;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		const char *title = (const char *)sqlite3_column_text(st, 1);
		const char *group = (const char *)sqlite3_column_text(st, 3);
		columns_reset(x);
		if ((rc = add_clean(&x->col[0], title)) ||
		    (rc = kk_buf_addf(&x->col[2], "%s一本通 %s", kk_book_name(sqlite3_column_int(st, 2)),
				      group ? group : "")) ||
		    (rc = add_clean(&x->col[5], title)) || (rc = kk_buf_adds(&x->col[5], "\n")) ||
		    (rc = add_clean(&x->col[5], group)))
			break;
		sqlite3_bind_int64(x->sections, 1, sqlite3_column_int64(st, 0));
		while (!rc && sqlite3_step(x->sections) == SQLITE_ROW) {
			rc = add_clean(&x->col[3], (const char *)sqlite3_column_text(x->sections, 0));
			if (!rc && x->col[3].len < x->col[3].max)
				rc = kk_buf_add(&x->col[3], "\n", 1);
			if (!rc)
				rc = add_body_text(x, sqlite3_column_int64(x->sections, 1), &x->col[3]);
		}
		sqlite3_reset(x->sections);
		if (!rc)
			rc = index_row(x, 2, sqlite3_column_int64(st, 0), KK_VALID,
				       (const char *)sqlite3_column_text(st, 4), NULL);
	}
	sqlite3_finalize(st);
	return rc;
}

int kk_sql_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		kk_error("catalog", "sql: %s", err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return KK_EDB;
	}
	return 0;
}

/* Prepare the statements every indexing pass uses. */
static int indexer_prepare(struct indexer *x)
{
	int rc;
	for (int k = 0; k < 6; k++)
		kk_buf_init(&x->col[k], KK_INDEX_TEXT_MAX);
	if ((rc = kk_sql_prepare(x->db,
				 "INSERT INTO search_doc (id, kind, ref_id, validity, year, publisher)"
				 " VALUES (?,?,?,?,?,?)",
				 &x->ins_doc)) ||
	    (rc = kk_sql_prepare(x->db,
				 "INSERT INTO search (rowid, title, doc_no, publisher, section, body, py)"
				 " VALUES (?,?,?,?,?,?,?)",
				 &x->ins_fts)) ||
	    (rc = kk_sql_prepare(x->db,
				 "SELECT coalesce(marker || ' ', '') || coalesce(text, ''), seq, -1, 0"
				 " FROM block WHERE body_id = ?1 UNION ALL SELECT text, seq, row, col"
				 " FROM cell WHERE body_id = ?1 ORDER BY 2, 3, 4",
				 &x->body)))
		return rc;
	return kk_sql_prepare(x->db,
			      "SELECT label, body_id FROM guide_section WHERE guide_id = ?"
			      " ORDER BY seq",
			      &x->sections);
}

static void indexer_fini(struct indexer *x)
{
	sqlite3_finalize(x->ins_doc);
	sqlite3_finalize(x->ins_fts);
	sqlite3_finalize(x->body);
	sqlite3_finalize(x->sections);
	sqlite3_finalize(x->reuse);
	for (int k = 0; k < 6; k++)
		kk_buf_fini(&x->col[k]);
}

int kk_search_reindex(sqlite3 *db)
{
	struct indexer x = { .db = db };
	int rc;

	if ((rc = kk_sql_exec(db, "DELETE FROM search; DELETE FROM search_doc;")) ||
	    (rc = indexer_prepare(&x)) || (rc = index_documents(&x)) || (rc = index_guides(&x)))
		goto out;
	/* merge the index segments into one: fewer b-trees to search at query time */
	rc = kk_sql_exec(db, "INSERT INTO search (search) VALUES ('optimize')");
out:
	indexer_fini(&x);
	return rc;
}

/*
 * Re-index only the documents in temp.kk_dirty_doc and the guides in temp.kk_dirty_guide
 * (ids; rows that no longer exist are just removed). A changed row keeps its rowid, so the
 * prior order stays as a full build makes it; a new row goes after every other (as the
 * newest). Inside the caller's transaction.
 */
int kk_search_reindex_dirty(sqlite3 *db)
{
	struct indexer x = { .db = db,
			     .doc_where = " WHERE id IN (SELECT id FROM temp.kk_dirty_doc)",
			     .guide_where = " WHERE g.id IN (SELECT id FROM temp.kk_dirty_guide)" };
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = kk_sql_exec(db,
			      "DROP TABLE IF EXISTS temp.kk_reuse;"
			      "CREATE TEMP TABLE kk_reuse (id INTEGER PRIMARY KEY, guide INTEGER,"
			      " ref_id INTEGER);"
			      "INSERT INTO temp.kk_reuse SELECT id, kind = 2, ref_id FROM search_doc"
			      " WHERE (kind <> 2 AND ref_id IN (SELECT id FROM temp.kk_dirty_doc))"
			      " OR (kind = 2 AND ref_id IN (SELECT id FROM temp.kk_dirty_guide));"
			      "CREATE INDEX temp.kk_reuse_ref ON kk_reuse (ref_id, guide);"
			      "DELETE FROM search WHERE rowid IN (SELECT id FROM temp.kk_reuse);"
			      "DELETE FROM search_doc WHERE id IN (SELECT id FROM temp.kk_reuse);")) ||
	    (rc = kk_sql_prepare(db, "SELECT coalesce(max(id), 0) FROM search_doc", &st)))
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = KK_EDB;
		goto out;
	}
	x.rowid = sqlite3_column_int64(st, 0);
	/* rowids of removed rows above the remaining maximum must not come back */
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = kk_sql_prepare(db, "SELECT max(coalesce((SELECT max(id) FROM temp.kk_reuse), 0), ?)",
				 &st)))
		goto out;
	sqlite3_bind_int64(st, 1, x.rowid);
	if (sqlite3_step(st) == SQLITE_ROW)
		x.rowid = sqlite3_column_int64(st, 0);
	if ((rc = indexer_prepare(&x)) ||
	    (rc = kk_sql_prepare(db, "SELECT id FROM temp.kk_reuse WHERE ref_id = ? AND guide = ?",
				 &x.reuse)) ||
	    (rc = index_documents(&x)) || (rc = index_guides(&x)))
		goto out;
out:
	sqlite3_finalize(st);
	indexer_fini(&x); /* no statement may be running on kk_reuse when it is dropped */
	if (!rc)
		rc = kk_sql_exec(db, "DROP TABLE temp.kk_reuse");
	return rc;
}
