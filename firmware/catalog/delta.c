/*
 * delta.c — changesets between catalogue databases (delta.h), with SQLite's session extension.
 *
 * DESIGN: kk_delta_apply changes the database in place inside one transaction in rollback-
 * journal mode with synchronous=FULL: a crash before COMMIT leaves a hot journal that SQLite
 * rolls back at the next open, so the file is either the base or the whole result.
 * kk_delta_apply_scratch is the same transaction without a journal file or syncs, for a copy
 * that is thrown away whole after any failure or crash: the apply path (firmware/sync/apply.c)
 * only ever calls it on its private copy in staging/ (emptied at every start), never on a slot
 * that is shown, and fsyncs the result itself before it installs it. Changesets are streamed from and to files, so memory stays bounded
 * whatever their size.
 */
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "catalog/delta.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog_sql.h"

static const char *const content_tables[] = {
	"meta",	     "media", "body",	  "block",	    "cell",
	"series",    "document", "topic", "document_topic", "attachment",
	"attachment_page", "guide_group", "guide", "guide_section", "synonym",
};

/* ---- streams --------------------------------------------------------------------------- */

/* xOutput of sqlite3session_changeset_strm: append to a descriptor. */
static int out_fd(void *ctx, const void *data, int n)
{
	const char *p = data;
	int fd = *(int *)ctx;
	while (n > 0) {
		ssize_t w = write(fd, p, (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return SQLITE_IOERR;
		p += w;
		n -= (int)w;
	}
	return SQLITE_OK;
}

/* xInput of the _strm readers: read up to *n bytes from a descriptor (0 at the end). */
static int in_fd(void *ctx, void *data, int *n)
{
	int fd = *(int *)ctx;
	ssize_t r;
	do
		r = read(fd, data, (size_t)*n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return SQLITE_IOERR;
	*n = (int)r;
	return SQLITE_OK;
}

static int user_version(sqlite3 *db, const char *schema, int *v)
{
	char sql[64];
	sqlite3_stmt *st = NULL;
	int rc;
	snprintf(sql, sizeof sql, "PRAGMA %s.user_version", schema);
	if ((rc = kk_sql_prepare(db, sql, &st)))
		return rc;
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : KK_EDB;
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* ---- make ------------------------------------------------------------------------------ */

int kk_delta_make(const char *new_path, const char *base_path, const char *out_path,
		  uint64_t *size)
{
	sqlite3 *db = NULL;
	sqlite3_session *s = NULL;
	sqlite3_stmt *att = NULL;
	char *err = NULL;
	int rc = KK_EDB, fd = -1, v_new, v_base;
	off_t end;

	*size = 0;
	if (sqlite3_open_v2(new_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	if ((rc = kk_sql_prepare(db, "ATTACH DATABASE ?1 AS base", &att)))
		goto out;
	sqlite3_bind_text(att, 1, base_path, -1, SQLITE_STATIC);
	if (sqlite3_step(att) != SQLITE_DONE) {
		kk_error("catalog", "%s: cannot attach: %s", base_path, sqlite3_errmsg(db));
		rc = KK_EDB;
		goto out;
	}
	if ((rc = user_version(db, "main", &v_new)) || (rc = user_version(db, "base", &v_base)))
		goto out;
	if (v_new != v_base) {
		kk_error("catalog", "delta: schema %d against a base of schema %d", v_new, v_base);
		rc = KK_EINVAL;
		goto out;
	}
	rc = KK_EDB;
	if (sqlite3session_create(db, "main", &s) != SQLITE_OK)
		goto out;
	for (size_t i = 0; i < sizeof content_tables / sizeof content_tables[0]; i++) {
		if (sqlite3session_attach(s, content_tables[i]) != SQLITE_OK ||
		    sqlite3session_diff(s, "base", content_tables[i], &err) != SQLITE_OK) {
			kk_error("catalog", "delta: table %s: %s", content_tables[i],
				 err ? err : sqlite3_errmsg(db));
			goto out;
		}
	}
	fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = KK_EIO;
		goto out;
	}
	if (sqlite3session_changeset_strm(s, out_fd, &fd) != SQLITE_OK || fsync(fd) != 0 ||
	    (end = lseek(fd, 0, SEEK_END)) < 0) {
		rc = KK_EIO;
		goto out;
	}
	*size = (uint64_t)end;
	rc = 0;
out:
	sqlite3_free(err);
	if (s)
		sqlite3session_delete(s);
	sqlite3_finalize(att);
	sqlite3_close(db);
	if (fd >= 0 && close(fd) != 0 && !rc)
		rc = KK_EIO;
	if (rc && fd >= 0)
		unlink(out_path);
	return rc;
}

/* ---- summary --------------------------------------------------------------------------- */

/* Body ids seen (block/cell changes), a small open-addressing set capped at its size. */
#define BODY_SET 4096
struct body_set {
	int64_t id[BODY_SET];
	unsigned char used[BODY_SET];
	long n, over;
};

static void body_add(struct body_set *b, int64_t id)
{
	size_t h = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ULL >> 52) % BODY_SET;
	for (size_t k = 0; k < BODY_SET; k++, h = (h + 1) % BODY_SET) {
		if (!b->used[h]) {
			b->used[h] = 1;
			b->id[h] = id;
			b->n++;
			return;
		}
		if (b->id[h] == id)
			return;
	}
	b->over++; /* more distinct bodies than the set holds: counted, not deduplicated */
}

/* Count one change of table tab with operation op into sum. */
static void count_change(sqlite3_changeset_iter *it, const char *tab, int op,
			 struct kk_delta_summary *sum, struct body_set *bodies)
{
	long *add = NULL, *chg = NULL, *del = NULL;
	sum->rows++;
	if (!strcmp(tab, "document")) {
		add = &sum->docs_added;
		chg = &sum->docs_changed;
		del = &sum->docs_removed;
	} else if (!strcmp(tab, "guide")) {
		add = &sum->guides_added;
		chg = &sum->guides_changed;
		del = &sum->guides_removed;
	} else if (!strcmp(tab, "block") || !strcmp(tab, "cell")) {
		sqlite3_value *v = NULL;
		if ((op == SQLITE_INSERT ? sqlite3changeset_new(it, 0, &v)
					 : sqlite3changeset_old(it, 0, &v)) == SQLITE_OK && v)
			body_add(bodies, sqlite3_value_int64(v));
		return;
	} else {
		return;
	}
	(*(op == SQLITE_INSERT ? add : op == SQLITE_DELETE ? del : chg))++;
}

/* The primary key (column 0) of the row a change touches. */
static int64_t change_key(sqlite3_changeset_iter *it, int op)
{
	sqlite3_value *v = NULL;
	if ((op == SQLITE_INSERT ? sqlite3changeset_new(it, 0, &v)
				 : sqlite3changeset_old(it, 0, &v)) != SQLITE_OK || !v)
		return 0;
	return sqlite3_value_int64(v);
}

/* Record the id a change makes dirty for the search index into dirty (4 statements: document,
 * guide, body, guide group), when the table matters to it. */
static int mark_dirty(sqlite3_stmt **dirty, sqlite3_changeset_iter *it, const char *tab, int op)
{
	static const char *const tabs[][2] = {
		{ "document", NULL }, { "guide", "guide_section" }, { "block", "cell" },
		{ "guide_group", NULL },
	};
	for (int t = 0; t < 4; t++) {
		if (strcmp(tab, tabs[t][0]) && (!tabs[t][1] || strcmp(tab, tabs[t][1])))
			continue;
		sqlite3_bind_int64(dirty[t], 1, change_key(it, op));
		if (sqlite3_step(dirty[t]) != SQLITE_DONE) {
			sqlite3_reset(dirty[t]);
			return KK_EDB;
		}
		sqlite3_reset(dirty[t]);
	}
	return 0;
}

/* One pass over a changeset file: the summary, and with dirty given, the dirty ids. */
static int changeset_scan(const char *cs_path, struct kk_delta_summary *sum, sqlite3_stmt **dirty)
{
	static _Thread_local struct body_set bodies;
	sqlite3_changeset_iter *it = NULL;
	int fd, rc = KK_ECORRUPT, src;

	memset(sum, 0, sizeof *sum);
	memset(&bodies, 0, sizeof bodies);
	fd = open(cs_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return KK_EIO;
	if (sqlite3changeset_start_strm(&it, in_fd, &fd) != SQLITE_OK)
		goto out;
	while ((src = sqlite3changeset_next(it)) == SQLITE_ROW) {
		const char *tab;
		int ncol, op, ind;
		if (sqlite3changeset_op(it, &tab, &ncol, &op, &ind) != SQLITE_OK)
			goto out;
		count_change(it, tab, op, sum, &bodies);
		if (dirty && (rc = mark_dirty(dirty, it, tab, op)) != 0)
			goto out;
		rc = KK_ECORRUPT;
	}
	if (src != SQLITE_DONE)
		goto out;
	sum->bodies_changed = bodies.n + bodies.over;
	rc = 0;
out:
	if (it && sqlite3changeset_finalize(it) != SQLITE_OK && !rc)
		rc = KK_ECORRUPT;
	close(fd);
	return rc;
}

int kk_delta_summarize(const char *cs_path, struct kk_delta_summary *sum)
{
	return changeset_scan(cs_path, sum, NULL);
}

/*
 * The search index after the changes: only the documents and guides they touched (their own
 * rows, bodies, sections or group) are indexed again, unless they are over a quarter of the
 * catalogue, when the whole index is rebuilt (faster then, and as compact as a build).
 */
static int search_update(sqlite3 *db, const char *cs_path, struct kk_delta_summary *sum)
{
	static const char *const ins[4] = {
		"INSERT OR IGNORE INTO temp.kk_dirty_doc VALUES (?)",
		"INSERT OR IGNORE INTO temp.kk_dirty_guide VALUES (?)",
		"INSERT OR IGNORE INTO temp.kk_dirty_body VALUES (?)",
		"INSERT OR IGNORE INTO temp.kk_dirty_group VALUES (?)",
	};
	sqlite3_stmt *dirty[4] = { 0 }, *count = NULL;
	int rc, full;

	if ((rc = kk_sql_exec(db, "CREATE TEMP TABLE kk_dirty_doc (id INTEGER PRIMARY KEY);"
				  "CREATE TEMP TABLE kk_dirty_guide (id INTEGER PRIMARY KEY);"
				  "CREATE TEMP TABLE kk_dirty_body (id INTEGER PRIMARY KEY);"
				  "CREATE TEMP TABLE kk_dirty_group (id INTEGER PRIMARY KEY);")))
		return rc;
	for (int t = 0; t < 4; t++)
		if ((rc = kk_sql_prepare(db, ins[t], &dirty[t])))
			goto out;
	if ((rc = changeset_scan(cs_path, sum, dirty)) ||
	    (rc = kk_sql_exec(db,
			      "INSERT OR IGNORE INTO temp.kk_dirty_doc SELECT id FROM document"
			      " WHERE body_id IN (SELECT id FROM temp.kk_dirty_body);"
			      "INSERT OR IGNORE INTO temp.kk_dirty_guide SELECT guide_id FROM"
			      " guide_section WHERE body_id IN (SELECT id FROM temp.kk_dirty_body);"
			      "INSERT OR IGNORE INTO temp.kk_dirty_guide SELECT id FROM guide"
			      " WHERE group_id IN (SELECT id FROM temp.kk_dirty_group);")) ||
	    (rc = kk_sql_prepare(db,
				 "SELECT (SELECT count(*) FROM temp.kk_dirty_doc) +"
				 " (SELECT count(*) FROM temp.kk_dirty_guide),"
				 " (SELECT count(*) FROM search_doc)",
				 &count)))
		goto out;
	if (sqlite3_step(count) != SQLITE_ROW) {
		rc = KK_EDB;
		goto out;
	}
	full = sqlite3_column_int64(count, 0) * 4 > sqlite3_column_int64(count, 1);
	sqlite3_finalize(count);
	count = NULL;
	rc = full ? kk_search_reindex(db) : kk_search_reindex_dirty(db);
	for (int t = 0; t < 4; t++) {
		sqlite3_finalize(dirty[t]);
		dirty[t] = NULL;
	}
	if (!rc)
		rc = kk_sql_exec(db, "DROP TABLE temp.kk_dirty_doc; DROP TABLE temp.kk_dirty_guide;"
				     "DROP TABLE temp.kk_dirty_body; DROP TABLE temp.kk_dirty_group;");
out:
	sqlite3_finalize(count);
	for (int t = 0; t < 4; t++)
		sqlite3_finalize(dirty[t]);
	return rc;
}

/* ---- apply ----------------------------------------------------------------------------- */

/* Any conflict means the database is not the exact base: abort everything. */
static int conflict_abort(void *ctx, int kind, sqlite3_changeset_iter *it)
{
	int *n = ctx;
	(*n)++;
	return SQLITE_CHANGESET_ABORT;
}

/* kk_delta_apply and kk_delta_apply_scratch: the same transaction, with the journal and syncs
 * of a durable file, or none for a scratch copy (delta.h). */
static int delta_apply(const char *db_path, const char *cs_path, int scratch,
		       struct kk_delta_summary *sum)
{
	sqlite3 *db = NULL;
	struct kk_delta_summary local;
	int rc = KK_EDB, fd = -1, conflicts = 0, src, in_tx = 0;

	if (!sum)
		sum = &local;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = KK_EDB;
		goto out;
	}
	if ((rc = kk_fts_register(db)) ||
	    (rc = kk_sql_exec(db, scratch ? "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"
					  : "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;")) ||
	    (rc = kk_sql_exec(db, "PRAGMA trusted_schema=OFF; BEGIN IMMEDIATE")))
		goto out;
	in_tx = 1;
	fd = open(cs_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = KK_EIO;
		goto out;
	}
	src = sqlite3changeset_apply_strm(db, in_fd, &fd, NULL, conflict_abort, &conflicts);
	if (src != SQLITE_OK) {
		kk_warn("catalog", "%s: delta not applied (%s, %d conflict(s)): not the base", db_path,
			sqlite3_errstr(src), conflicts);
		rc = src == SQLITE_ABORT || src == SQLITE_CORRUPT || src == SQLITE_MISUSE ||
				     src == SQLITE_SCHEMA || src == SQLITE_ERROR || conflicts
			     ? KK_ECORRUPT
		     : src == SQLITE_FULL ? KK_ENOSPC
					  : KK_EDB;
		goto out;
	}
	if ((rc = search_update(db, cs_path, sum)))
		goto out;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = sqlite3_errcode(db) == SQLITE_FULL ? KK_ENOSPC : KK_EIO;
		goto out;
	}
	in_tx = 0;
	rc = 0;
out:
	if (in_tx)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (fd >= 0)
		close(fd);
	if (db && sqlite3_close(db) != SQLITE_OK && !rc)
		rc = KK_EDB;
	return rc;
}

int kk_delta_apply(const char *db_path, const char *cs_path, struct kk_delta_summary *sum)
{
	return delta_apply(db_path, cs_path, 0, sum);
}

int kk_delta_apply_scratch(const char *db_path, const char *cs_path, struct kk_delta_summary *sum)
{
	return delta_apply(db_path, cs_path, 1, sum);
}
