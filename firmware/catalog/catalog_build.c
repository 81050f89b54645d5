/*
 * catalog_build.c — writing a content database (see catalog_build.h).
 *
 * DESIGN: the whole build is one transaction on a brand-new file with journal_mode=OFF-free
 * defaults (a rollback journal next to a temporary file is harmless). Links between documents
 * are recorded by export id in a TEMP table and resolved at the end, so the export may list
 * documents in any order. kk_writer_finish() runs foreign_key_check and integrity_check before
 * it reports success; the caller only then renames the file into place.
 */
#include "catalog/catalog_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog_sql.h"

struct kk_writer {
	sqlite3 *db;
	sqlite3_stmt *ins_block, *ins_cell, *ins_body;
	int group_seq[3];
};

static void writer_close(struct kk_writer *w)
{
	sqlite3_finalize(w->ins_block);
	sqlite3_finalize(w->ins_cell);
	sqlite3_finalize(w->ins_body);
	sqlite3_close(w->db);
	free(w);
}

int kk_writer_open(const char *path, struct kk_writer **out)
{
	struct kk_writer *w;
	struct stat sb;
	int rc;

	*out = NULL;
	if (stat(path, &sb) == 0) {
		kk_error("catalog", "build: %s exists already", path);
		return KK_EIO;
	}
	if (!(w = calloc(1, sizeof *w)))
		return KK_ENOMEM;
	if (sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		kk_error("catalog", "build: cannot create %s: %s", path,
			 w->db ? sqlite3_errmsg(w->db) : "out of memory");
		rc = KK_EDB;
		goto fail;
	}
	if ((rc = kk_fts_register(w->db)) ||
	    (rc = kk_sql_exec(w->db, "PRAGMA foreign_keys = ON; PRAGMA page_size = 4096;")) ||
	    (rc = kk_sql_exec(w->db, "BEGIN")) || (rc = kk_sql_exec(w->db, kk_schema_sql)) ||
	    (rc = kk_sql_exec(w->db, "CREATE TEMP TABLE pending_link (doc_id INTEGER, kind INTEGER,"
			      " ext TEXT)")) ||
	    (rc = kk_sql_prepare(w->db,
				 "INSERT INTO block (body_id, seq, kind, level, marker, text, emph,"
				 " rows, cols, media_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
				 &w->ins_block)) ||
	    (rc = kk_sql_prepare(w->db,
				 "INSERT INTO cell (body_id, seq, row, col, rowspan, colspan, head, text)"
				 " VALUES (?,?,?,?,?,?,?,?)",
				 &w->ins_cell)) ||
	    (rc = kk_sql_prepare(w->db, "INSERT INTO body DEFAULT VALUES", &w->ins_body)))
		goto fail;
	*out = w;
	return 0;
fail:
	writer_close(w);
	return rc;
}

void kk_writer_abort(struct kk_writer *w)
{
	if (!w)
		return;
	sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
	writer_close(w);
}

static int step_done(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		kk_error("catalog", "build: %s", sqlite3_errmsg(db));
		sqlite3_reset(st);
		return KK_EDB;
	}
	sqlite3_reset(st);
	return 0;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int kk_writer_set_meta(struct kk_writer *w, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(w->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", &st)))
		return rc;
	bind_opt(st, 1, key);
	bind_opt(st, 2, value ? value : "");
	rc = step_done(w->db, st);
	sqlite3_finalize(st);
	return rc;
}

int kk_writer_add_media(struct kk_writer *w, const char *name, const char *mime, int width,
			int height, const void *data, size_t len, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (len > 0x7fffffff)
		return KK_E2BIG;
	if ((rc = kk_sql_prepare(w->db,
				 "INSERT INTO media (name, mime, width, height, data) VALUES (?,?,?,?,?)",
				 &st)))
		return rc;
	bind_opt(st, 1, name);
	bind_opt(st, 2, mime);
	sqlite3_bind_int(st, 3, width);
	sqlite3_bind_int(st, 4, height);
	sqlite3_bind_blob(st, 5, data, (int)len, SQLITE_STATIC);
	rc = step_done(w->db, st);
	sqlite3_finalize(st);
	if (!rc)
		*id = sqlite3_last_insert_rowid(w->db);
	return rc;
}

/* Store a body; returns its id in *body_id. */
static int add_body(struct kk_writer *w, const struct kk_body *b, int64_t *body_id)
{
	struct kk_buf emph;
	int rc;

	if ((rc = step_done(w->db, w->ins_body)))
		return rc;
	*body_id = sqlite3_last_insert_rowid(w->db);
	if (!b)
		return 0;
	kk_buf_init(&emph, 1 << 20);
	for (size_t i = 0; i < b->n; i++) {
		const struct kk_block *blk = &b->blocks[i];
		sqlite3_stmt *st = w->ins_block;
		kk_buf_reset(&emph);
		for (size_t k = 0; k < blk->n_emph && !rc; k++)
			rc = kk_buf_addf(&emph, "%s%u-%u", k ? "," : "", (unsigned)blk->emph[k].start,
					 (unsigned)blk->emph[k].end);
		if (rc)
			break;
		sqlite3_bind_int64(st, 1, *body_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_int(st, 3, (int)blk->kind);
		sqlite3_bind_int(st, 4, blk->level);
		bind_opt(st, 5, blk->marker);
		bind_opt(st, 6, blk->text);
		bind_opt(st, 7, emph.len ? emph.data : NULL);
		sqlite3_bind_int(st, 8, blk->rows);
		sqlite3_bind_int(st, 9, blk->cols);
		if (blk->media_id)
			sqlite3_bind_int64(st, 10, blk->media_id);
		else
			sqlite3_bind_null(st, 10);
		if ((rc = step_done(w->db, st)))
			break;
		for (size_t k = 0; k < blk->n_cells; k++) {
			const struct kk_cell *c = &blk->cells[k];
			st = w->ins_cell;
			sqlite3_bind_int64(st, 1, *body_id);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
			sqlite3_bind_int(st, 3, c->row);
			sqlite3_bind_int(st, 4, c->col);
			sqlite3_bind_int(st, 5, c->rowspan);
			sqlite3_bind_int(st, 6, c->colspan);
			sqlite3_bind_int(st, 7, c->head);
			bind_opt(st, 8, c->text);
			if ((rc = step_done(w->db, st)))
				goto out;
		}
	}
out:
	kk_buf_fini(&emph);
	return rc;
}

static int add_pending(struct kk_writer *w, int64_t doc_id, int kind, const char *ext)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (!ext || !*ext)
		return 0;
	if ((rc = kk_sql_prepare(w->db, "INSERT INTO pending_link VALUES (?,?,?)", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, doc_id);
	sqlite3_bind_int(st, 2, kind);
	bind_opt(st, 3, ext);
	rc = step_done(w->db, st);
	sqlite3_finalize(st);
	return rc;
}

static int add_topic(struct kk_writer *w, int64_t doc_id, const char *name)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(w->db, "INSERT OR IGNORE INTO topic (name) VALUES (?)", &st)))
		return rc;
	bind_opt(st, 1, name);
	rc = step_done(w->db, st);
	sqlite3_finalize(st);
	if (rc || (rc = kk_sql_prepare(w->db,
				       "INSERT OR IGNORE INTO document_topic (document_id, topic_id)"
				       " SELECT ?, id FROM topic WHERE name = ?",
				       &st)))
		return rc;
	sqlite3_bind_int64(st, 1, doc_id);
	bind_opt(st, 2, name);
	rc = step_done(w->db, st);
	sqlite3_finalize(st);
	return rc;
}

int kk_writer_add_document(struct kk_writer *w, struct kk_doc *d)
{
	sqlite3_stmt *st = NULL;
	int64_t body_id;
	int rc;

	if ((rc = add_body(w, d->body, &body_id)))
		return rc;
	if ((rc = kk_sql_prepare(w->db,
				 "INSERT INTO document (ext_id, title, index_no, doc_no, publisher,"
				 " written, published, validity, genre, series_id, form, url, body_id)"
				 " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
				 &st)))
		return rc;
	bind_opt(st, 1, d->ext_id);
	bind_opt(st, 2, d->title);
	bind_opt(st, 3, d->index_no);
	bind_opt(st, 4, d->doc_no);
	bind_opt(st, 5, d->publisher);
	bind_opt(st, 6, d->written);
	bind_opt(st, 7, d->published);
	sqlite3_bind_int(st, 8, d->validity ? d->validity : KK_VALID);
	bind_opt(st, 9, d->genre);
	sqlite3_bind_int(st, 10, d->series ? d->series : KK_SERIES_GENERAL);
	bind_opt(st, 11, d->form);
	bind_opt(st, 12, d->url);
	sqlite3_bind_int64(st, 13, body_id);
	rc = step_done(w->db, st);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	d->id = sqlite3_last_insert_rowid(w->db);
	for (size_t i = 0; i < d->n_topics && !rc; i++)
		rc = add_topic(w, d->id, d->topics[i]);
	if (!rc)
		rc = add_pending(w, d->id, 1, d->replaced_by.ext_id);
	if (!rc)
		rc = add_pending(w, d->id, 2, d->interprets.ext_id);
	return rc;
}

int kk_writer_add_attachment(struct kk_writer *w, int64_t doc_id, int seq,
			     const struct kk_attachment *a, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(w->db,
				 "INSERT INTO attachment (document_id, seq, title, file_name, mime, pages)"
				 " VALUES (?,?,?,?,?,0)",
				 &st)))
		return rc;
	sqlite3_bind_int64(st, 1, doc_id);
	sqlite3_bind_int(st, 2, seq);
	bind_opt(st, 3, a->title);
	bind_opt(st, 4, a->file_name);
	bind_opt(st, 5, a->mime);
	rc = step_done(w->db, st);
	sqlite3_finalize(st);
	if (!rc)
		*id = sqlite3_last_insert_rowid(w->db);
	return rc;
}

int kk_writer_add_attachment_page(struct kk_writer *w, int64_t att_id, int page, int64_t media_id)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(w->db,
				 "INSERT INTO attachment_page (attachment_id, page, media_id) VALUES (?,?,?);",
				 &st)))
		return rc;
	sqlite3_bind_int64(st, 1, att_id);
	sqlite3_bind_int(st, 2, page);
	sqlite3_bind_int64(st, 3, media_id);
	rc = step_done(w->db, st);
	sqlite3_finalize(st);
	if (!rc) {
		if ((rc = kk_sql_prepare(w->db, "UPDATE attachment SET pages = ? WHERE id = ?", &st)))
			return rc;
		sqlite3_bind_int(st, 1, page);
		sqlite3_bind_int64(st, 2, att_id);
		rc = step_done(w->db, st);
		sqlite3_finalize(st);
	}
	return rc;
}

static int group_id(struct kk_writer *w, int book, const char *name, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(w->db, "SELECT id FROM guide_group WHERE book = ? AND name = ?", &st)))
		return rc;
	sqlite3_bind_int(st, 1, book);
	bind_opt(st, 2, name);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if ((rc = kk_sql_prepare(w->db, "INSERT INTO guide_group (book, seq, name) VALUES (?,?,?)",
				 &st)))
		return rc;
	sqlite3_bind_int(st, 1, book);
	sqlite3_bind_int(st, 2, w->group_seq[book]++);
	bind_opt(st, 3, name);
	rc = step_done(w->db, st);
	sqlite3_finalize(st);
	if (!rc)
		*id = sqlite3_last_insert_rowid(w->db);
	return rc;
}

int kk_writer_add_guide(struct kk_writer *w, struct kk_guide *g)
{
	sqlite3_stmt *st = NULL;
	int64_t gid, body_id;
	int rc;

	if (g->book != KK_BOOK_HUIMIN && g->book != KK_BOOK_HUIQI)
		return KK_EINVAL;
	if ((rc = group_id(w, g->book, g->group, &gid)))
		return rc;
	if ((rc = kk_sql_prepare(w->db,
				 "INSERT INTO guide (ext_id, group_id, seq, title, url, updated)"
				 " VALUES (?, ?, (SELECT count(*) FROM guide WHERE group_id = ?2), ?, ?, ?)",
				 &st)))
		return rc;
	bind_opt(st, 1, g->ext_id);
	sqlite3_bind_int64(st, 2, gid);
	bind_opt(st, 3, g->title);
	bind_opt(st, 4, g->url);
	bind_opt(st, 5, g->updated);
	rc = step_done(w->db, st);
	sqlite3_finalize(st);
	if (rc)
		return rc;
	g->id = sqlite3_last_insert_rowid(w->db);
	for (size_t i = 0; i < g->n_sections; i++) {
		if ((rc = add_body(w, g->sections[i].body, &body_id)))
			return rc;
		if ((rc = kk_sql_prepare(w->db,
					 "INSERT INTO guide_section (guide_id, seq, label, body_id)"
					 " VALUES (?,?,?,?)",
					 &st)))
			return rc;
		sqlite3_bind_int64(st, 1, g->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		bind_opt(st, 3, g->sections[i].label);
		sqlite3_bind_int64(st, 4, body_id);
		rc = step_done(w->db, st);
		sqlite3_finalize(st);
		if (rc)
			return rc;
	}
	return 0;
}

int kk_writer_add_synonyms(struct kk_writer *w, char *const *words, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(w->db,
				 "INSERT OR IGNORE INTO synonym (group_id, word) VALUES"
				 " ((SELECT coalesce(max(group_id), 0) FROM synonym) + ?, ?)",
				 &st)))
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		/* the first word opens a new group; the rest join it */
		sqlite3_bind_int(st, 1, i == 0 ? 1 : 0);
		bind_opt(st, 2, words[i]);
		rc = step_done(w->db, st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Resolve links by export id; a dangling one is an error naming it. */
static int resolve_links(struct kk_writer *w)
{
	sqlite3_stmt *st = NULL;
	int rc, bad = 0;

	if ((rc = kk_sql_prepare(w->db,
				 "SELECT d.ext_id, p.ext FROM pending_link p JOIN document d ON"
				 " d.id = p.doc_id WHERE NOT EXISTS (SELECT 1 FROM document t WHERE"
				 " t.ext_id = p.ext)",
				 &st)))
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		kk_error("catalog", "build: document %s links to unknown document %s",
			 sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
		bad = 1;
	}
	sqlite3_finalize(st);
	if (bad)
		return KK_ENOENT;
	return kk_sql_exec(w->db,
		    "UPDATE document SET replaced_by = (SELECT t.id FROM pending_link p JOIN document"
		    " t ON t.ext_id = p.ext WHERE p.doc_id = document.id AND p.kind = 1)"
		    " WHERE id IN (SELECT doc_id FROM pending_link WHERE kind = 1);"
		    "UPDATE document SET interprets = (SELECT t.id FROM pending_link p JOIN document"
		    " t ON t.ext_id = p.ext WHERE p.doc_id = document.id AND p.kind = 2)"
		    " WHERE id IN (SELECT doc_id FROM pending_link WHERE kind = 2);");
}

static int check_pragma(sqlite3 *db, const char *sql, const char *ok)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (kk_sql_prepare(db, sql, &st))
		return KK_EDB;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		if (ok && v && strcmp(v, ok) == 0)
			continue;
		kk_error("catalog", "build: %s: %s", sql, v ? v : "(row)");
		rc = KK_ECORRUPT;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Keep the figures the home screen shows in meta, so the kiosk does not count at start. */
static int store_counts(sqlite3 *db)
{
	struct kk_catalog_info i = { 0 };
	sqlite3_stmt *st = NULL;
	char text[512];
	int rc;
	if ((rc = kk_sql_counts(db, &i)) || (rc = kk_counts_format(&i, text, sizeof text)) ||
	    (rc = kk_sql_prepare(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", &st)))
		return rc;
	sqlite3_bind_text(st, 1, KK_COUNTS_KEY, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	rc = step_done(db, st);
	sqlite3_finalize(st);
	return rc;
}

int kk_writer_finish(struct kk_writer *w)
{
	int rc;
	if ((rc = resolve_links(w)) || (rc = kk_sql_exec(w->db, "DROP TABLE temp.pending_link")) ||
	    (rc = kk_search_reindex(w->db)) || (rc = store_counts(w->db)) ||
	    (rc = check_pragma(w->db, "PRAGMA foreign_key_check", NULL)) ||
	    (rc = kk_sql_exec(w->db, "COMMIT")) ||
	    (rc = check_pragma(w->db, "PRAGMA integrity_check", "ok")) ||
	    (rc = kk_sql_exec(w->db, "ANALYZE; VACUUM;"))) {
		kk_writer_abort(w);
		return rc;
	}
	writer_close(w);
	return 0;
}

/* Migration steps: SQL that takes version i to i + 1, in order. Version 1 is the first.
 * Steps that add derived data (the search index) fill it with C code after their SQL. */
static const char *const migrations[] = {
	NULL, /* 0 -> 1: not a migration: an empty file is built, never migrated */
	kk_search_schema_sql, /* 1 -> 2: the search index, filled by kk_search_reindex */
};

int kk_catalog_migrate(const char *path, int *from)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = 0, v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = KK_EDB;
		goto out;
	}
	if ((rc = kk_fts_register(db)) || (rc = kk_sql_prepare(db, "PRAGMA user_version", &st)))
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	*from = v;
	if (v < 1 || v > KK_SCHEMA_VERSION) {
		kk_error("catalog", "migrate %s: schema version %d; this tool knows 1..%d", path, v,
			 KK_SCHEMA_VERSION);
		rc = KK_EVERSION;
		goto out;
	}
	for (; v < KK_SCHEMA_VERSION; v++) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", v + 1);
		if ((size_t)v >= sizeof migrations / sizeof migrations[0] || !migrations[v]) {
			rc = KK_EVERSION;
			goto out;
		}
		if ((rc = kk_sql_exec(db, "BEGIN")) || (rc = kk_sql_exec(db, migrations[v])) ||
		    (v + 1 == 2 && (rc = kk_search_reindex(db))) || (rc = kk_sql_exec(db, pragma)) ||
		    (rc = kk_sql_exec(db, "COMMIT"))) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
		kk_info("catalog", "migrated %s to schema version %d", path, v + 1);
	}
out:
	sqlite3_close(db);
	return rc;
}
