/*
 * catalog.c — reading the content database (see catalog.h).
 *
 * DESIGN: the kiosk opens the database read-only with SQLITE_OPEN_READONLY and
 * `PRAGMA query_only`, so nothing the UI does can change content; updates replace the whole
 * file (sync module). Every query is bounded (LIMIT) and every string copied out, so records
 * stay valid after the statement is finalised. A database that fails any check at open is
 * refused as a whole: the UI then shows its "content unavailable" screen.
 */
#include "catalog/catalog.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/utf8.h"
#include "catalog/catalog_sql.h"

struct kk_catalog {
	sqlite3 *db;
};

/* ---- small helpers shared with catalog_build.c (declared in catalog_sql.h) ---------------- */

char *kk_sql_col_str(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? kk_strdup((const char *)t) : NULL;
}

int kk_sql_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		kk_error("catalog", "prepare failed: %s: %s", sqlite3_errmsg(db), sql);
		return KK_EDB;
	}
	return 0;
}

/* ---- open ------------------------------------------------------------------------------ */

/*
 * Check the file is a kiosk database we can read: schema version, a file as long as its header
 * says (a truncated copy is refused at once) and the tables we need. This runs at every start,
 * so it reads a few pages, not the whole file: the full quick_check belongs where a database
 * arrives (kioskdb build, an update's staging; kk_catalog_verify), and a page found damaged
 * later fails its query with KK_ECORRUPT, which the screens show as a calm notice.
 */
static int catalog_check(sqlite3 *db, const char *path, off_t file_size)
{
	sqlite3_stmt *st = NULL;
	int version = -1;
	int64_t pages = -1, page_size = -1;

	if (kk_sql_prepare(db, "PRAGMA user_version", &st))
		return KK_ECORRUPT;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version <= 0) {
		kk_error("catalog", "%s: not a kiosk content database (user_version %d)", path, version);
		return KK_EVERSION;
	}
	if (version != KK_SCHEMA_VERSION) {
		kk_error("catalog", "%s: schema version %d, this firmware reads %d%s", path, version,
			 KK_SCHEMA_VERSION,
			 version > KK_SCHEMA_VERSION ? " (update the firmware)" : " (run kioskdb migrate)");
		return KK_EVERSION;
	}
	if (!kk_sql_prepare(db, "SELECT page_count, page_size FROM pragma_page_count, pragma_page_size", &st) &&
	    sqlite3_step(st) == SQLITE_ROW) {
		pages = sqlite3_column_int64(st, 0);
		page_size = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (pages <= 0 || page_size <= 0 || (int64_t)file_size < pages * page_size) {
		kk_error("catalog", "%s: truncated: %lld bytes, the header says %lld pages of %lld", path,
			 (long long)file_size, (long long)pages, (long long)page_size);
		return KK_ECORRUPT;
	}
	if (kk_sql_prepare(db, "SELECT count(*) FROM document, meta WHERE 0", &st))
		return KK_ECORRUPT;
	sqlite3_finalize(st);
	return 0;
}

/* Run a check pragma that answers "ok" when all is well. */
static int check_pragma(struct kk_catalog *c, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (kk_sql_prepare(c->db, sql, &st))
		return KK_ECORRUPT;
	if (sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
		kk_error("catalog", "%s failed: %s", sql,
			 sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
						    : sqlite3_errmsg(c->db));
		rc = KK_ECORRUPT;
	}
	sqlite3_finalize(st);
	return rc;
}

int kk_catalog_verify(struct kk_catalog *c)
{
	return check_pragma(c, "PRAGMA quick_check(1)");
}

/* quick_check through a memory map: SQLite reads the pages in place instead of copying each into
 * its cache with pread (1.4 GB checked in about 1.0 s instead of 1.65 s on the 2-core test
 * machine, a third of it system time). Only for a file nothing else truncates (a map of a file
 * cut short faults with SIGBUS): the staged copy of an update. The map is dropped after. */
int kk_catalog_verify_local(struct kk_catalog *c)
{
	int rc;
	sqlite3_exec(c->db, "PRAGMA mmap_size = 4294967296", NULL, NULL, NULL);
	rc = check_pragma(c, "PRAGMA quick_check(1)");
	sqlite3_exec(c->db, "PRAGMA mmap_size = 0", NULL, NULL, NULL);
	return rc;
}

int kk_catalog_check_integrity(struct kk_catalog *c)
{
	return check_pragma(c, "PRAGMA integrity_check(1)");
}

int kk_catalog_open(const char *path, struct kk_catalog **out)
{
	struct kk_catalog *c = NULL;
	struct stat sb;
	int rc;

	*out = NULL;
	if (stat(path, &sb) != 0) {
		kk_error("catalog", "%s: no such file", path);
		return KK_ENOENT;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return KK_ENOMEM;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		kk_error("catalog", "%s: cannot open: %s", path,
			 c->db ? sqlite3_errmsg(c->db) : "out of memory");
		rc = KK_EDB;
		goto fail;
	}
	/* Content comes from outside: never run functions named in the schema. */
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	/* the search index's tokenizer; without it search finds nothing, browsing still works */
	kk_fts_register(c->db);
	sqlite3_exec(c->db, "PRAGMA query_only = 1", NULL, NULL, NULL);
	sqlite3_busy_timeout(c->db, 1000);
	rc = catalog_check(c->db, path, sb.st_size);
	if (rc)
		goto fail;
	*out = c;
	return 0;
fail:
	kk_catalog_close(c);
	return rc;
}

sqlite3 *kk_catalog_db(struct kk_catalog *c)
{
	return c->db;
}

void kk_catalog_close(struct kk_catalog *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	free(c);
}

/* ---- info ------------------------------------------------------------------------------ */

static char *meta_get(struct kk_catalog *c, const char *key)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;
	if (kk_sql_prepare(c->db, "SELECT value FROM meta WHERE key = ?", &st))
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = kk_sql_col_str(st, 0);
	sqlite3_finalize(st);
	return v;
}

int kk_catalog_info(struct kk_catalog *c, struct kk_catalog_info *i)
{
	char *s;
	int rc;

	memset(i, 0, sizeof *i);
	s = meta_get(c, "version_epoch");
	i->epoch = s ? strtoll(s, NULL, 10) : 0;
	free(s);
	s = meta_get(c, "version_seq");
	i->seq = s ? strtoll(s, NULL, 10) : 0;
	free(s);
	i->publisher = meta_get(c, "publisher");
	i->region = meta_get(c, "region");
	i->build_date = meta_get(c, "build_date");
	i->contact_office = meta_get(c, "contact_office");
	i->contact_address = meta_get(c, "contact_address");
	i->contact_hours = meta_get(c, "contact_hours");
	i->contact_phone = meta_get(c, "contact_phone");
	s = meta_get(c, KK_COUNTS_KEY);
	rc = s ? kk_counts_parse(s, i) : KK_ENOENT;
	free(s);
	if (rc && kk_sql_counts(c->db, i)) /* a database built before counts were kept */
		return KK_EDB;
	return 0;
}

static long count_of(sqlite3 *db, const char *sql, int arg)
{
	sqlite3_stmt *st = NULL;
	long n = -1;
	if (kk_sql_prepare(db, sql, &st))
		return -1;
	if (arg)
		sqlite3_bind_int(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int kk_sql_counts(sqlite3 *db, struct kk_catalog_info *i)
{
	i->n_documents = count_of(db, "SELECT count(*) FROM document", 0);
	for (int k = 1; k <= KK_SERIES_COUNT; k++)
		i->n_series[k] = count_of(db, "SELECT count(*) FROM document WHERE series_id = ?", k);
	for (int k = KK_VALID; k <= KK_AMENDED; k++)
		i->n_validity[k] = count_of(db, "SELECT count(*) FROM document WHERE validity = ?", k);
	for (int b = KK_BOOK_HUIMIN; b <= KK_BOOK_HUIQI; b++) {
		i->n_groups[b] = count_of(db, "SELECT count(*) FROM guide_group WHERE book = ?", b);
		i->n_guides[b] = count_of(db,
					  "SELECT count(*) FROM guide JOIN guide_group g ON "
					  "g.id = guide.group_id WHERE g.book = ?",
					  b);
	}
	i->n_sections = count_of(db, "SELECT count(*) FROM guide_section", 0);
	i->n_attachments = count_of(db, "SELECT count(*) FROM attachment", 0);
	i->n_media = count_of(db, "SELECT count(*) FROM media", 0);
	i->n_topics = count_of(db, "SELECT count(*) FROM topic", 0);
	i->n_synonym_groups = count_of(db, "SELECT count(DISTINCT group_id) FROM synonym", 0);
	return i->n_documents < 0 ? KK_EDB : 0;
}

/* The counts in a fixed order: the one list both directions of the meta text walk. */
#define COUNT_FIELDS(i)                                                                         \
	{ &(i)->n_documents, &(i)->n_series[1], &(i)->n_series[2], &(i)->n_series[3],            \
	  &(i)->n_series[4], &(i)->n_series[5], &(i)->n_series[6], &(i)->n_validity[1],         \
	  &(i)->n_validity[2], &(i)->n_validity[3], &(i)->n_validity[4], &(i)->n_groups[1],     \
	  &(i)->n_groups[2], &(i)->n_guides[1], &(i)->n_guides[2], &(i)->n_sections,            \
	  &(i)->n_attachments, &(i)->n_media, &(i)->n_topics, &(i)->n_synonym_groups }
#define N_COUNT_FIELDS 20

int kk_counts_format(const struct kk_catalog_info *ci, char *buf, size_t n)
{
	struct kk_catalog_info *i = (struct kk_catalog_info *)ci; /* read only below */
	long *f[N_COUNT_FIELDS] = COUNT_FIELDS(i);
	size_t at = 0;
	for (int k = 0; k < N_COUNT_FIELDS; k++) {
		int w = snprintf(buf + at, n - at, k ? " %ld" : "c1 %ld", *f[k]);
		if (w < 0 || (size_t)w >= n - at)
			return KK_E2BIG;
		at += (size_t)w;
	}
	return 0;
}

int kk_counts_parse(const char *s, struct kk_catalog_info *i)
{
	long *f[N_COUNT_FIELDS] = COUNT_FIELDS(i);
	long v[N_COUNT_FIELDS];
	if (strncmp(s, "c1", 2) != 0)
		return KK_EINVAL;
	s += 2;
	for (int k = 0; k < N_COUNT_FIELDS; k++) {
		char *end;
		if (*s != ' ' || s[1] < '0' || s[1] > '9')
			return KK_EINVAL;
		errno = 0;
		v[k] = strtol(s + 1, &end, 10);
		if (errno || v[k] < 0 || v[k] > 100000000L)
			return KK_EINVAL;
		s = end;
	}
	if (*s)
		return KK_EINVAL;
	for (int k = 0; k < N_COUNT_FIELDS; k++)
		*f[k] = v[k];
	return 0;
}

void kk_catalog_info_fini(struct kk_catalog_info *i)
{
	free(i->publisher);
	free(i->region);
	free(i->build_date);
	free(i->contact_office);
	free(i->contact_address);
	free(i->contact_hours);
	free(i->contact_phone);
	memset(i, 0, sizeof *i);
}

/* ---- document lists --------------------------------------------------------------------- */

void kk_doc_list_fini(struct kk_doc_list *l)
{
	for (size_t k = 0; k < l->n; k++) {
		free(l->items[k].title);
		free(l->items[k].doc_no);
		free(l->items[k].publisher);
		free(l->items[k].published);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* Escape a plain substring for LIKE ... ESCAPE '\'. */
static int like_pattern(struct kk_buf *b, const char *s)
{
	int rc = kk_buf_add(b, "%", 1);
	for (; !rc && *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			rc = kk_buf_add(b, "\\", 1);
		if (!rc)
			rc = kk_buf_add(b, s, 1);
	}
	return rc ? rc : kk_buf_add(b, "%", 1);
}

int kk_catalog_list_docs(struct kk_catalog *c, const struct kk_doc_query *q, struct kk_doc_list *out)
{
	static const char where[] =
		" FROM document d WHERE (?1 = 0 OR d.series_id = ?1)"
		" AND (?2 IS NULL OR d.publisher = ?2)"
		" AND (?3 IS NULL OR d.id IN (SELECT dt.document_id FROM document_topic dt"
		"      JOIN topic t ON t.id = dt.topic_id WHERE t.name = ?3))"
		" AND (?4 = 0 OR substr(d.published, 1, 4) = printf('%04d', ?4))"
		" AND (?8 IS NULL OR d.genre = ?8)";
	struct kk_buf sql, terms;
	struct kk_buf like[KK_QUERY_MAX_TERMS];
	size_t n_terms = 0;
	sqlite3_stmt *st = NULL;
	size_t limit = q->limit && q->limit < KK_LIST_MAX ? q->limit : KK_LIST_MAX;
	int rc = 0, pass;

	memset(out, 0, sizeof *out);
	kk_buf_init(&sql, 4096);
	kk_buf_init(&terms, 1024);
	/* every space-separated term must appear in the title or the 文号 */
	if (q->title_like && (rc = kk_buf_adds(&terms, q->title_like)))
		goto out;
	for (char *ip = terms.data ? strstr(terms.data, "\xE3\x80\x80") : NULL; ip;
	     ip = strstr(ip, "\xE3\x80\x80"))
		memset(ip, ' ', 3); /* U+3000 ideographic space */
	{
		char *save = NULL, *tok;
		for (tok = terms.data ? strtok_r(terms.data, " \t", &save) : NULL;
		     tok && n_terms < KK_QUERY_MAX_TERMS; tok = strtok_r(NULL, " \t", &save)) {
			kk_buf_init(&like[n_terms], 1024);
			if ((rc = like_pattern(&like[n_terms++], tok)))
				goto out;
		}
	}
	for (pass = 0; pass < 2; pass++) {
		kk_buf_reset(&sql);
		rc = kk_buf_addf(&sql, pass == 0 ? "SELECT count(*)%s"
					  : "SELECT d.id, d.title, d.doc_no, d.publisher, d.published,"
					    " d.validity, d.series_id%s",
				 where);
		for (size_t t = 0; t < n_terms && !rc; t++)
			rc = kk_buf_addf(&sql,
					 " AND (d.title LIKE ?%zu ESCAPE '\\' OR d.doc_no LIKE ?%zu ESCAPE '\\')",
					 10 + t, 10 + t);
		if (!rc && pass == 1)
			rc = kk_buf_adds(&sql, " ORDER BY d.published DESC, d.id DESC LIMIT ?6 OFFSET ?7");
		if (rc || (rc = kk_sql_prepare(c->db, sql.data, &st)))
			goto out;
		for (size_t t = 0; t < n_terms; t++)
			sqlite3_bind_text(st, (int)(10 + t), like[t].data, (int)like[t].len, SQLITE_STATIC);
		sqlite3_bind_int(st, 1, q->series);
		if (q->publisher)
			sqlite3_bind_text(st, 2, q->publisher, -1, SQLITE_STATIC);
		if (q->topic)
			sqlite3_bind_text(st, 3, q->topic, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, q->year);
		if (q->genre)
			sqlite3_bind_text(st, 8, q->genre, -1, SQLITE_STATIC);
		if (pass == 0) {
			if (sqlite3_step(st) == SQLITE_ROW)
				out->total = (size_t)sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
			st = NULL;
			continue;
		}
		sqlite3_bind_int64(st, 6, (sqlite3_int64)limit);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)q->offset);
		out->items = calloc(limit, sizeof *out->items);
		if (!out->items) {
			rc = KK_ENOMEM;
			goto out;
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->n < limit) {
			struct kk_doc_summary *s = &out->items[out->n++];
			s->id = sqlite3_column_int64(st, 0);
			s->title = kk_sql_col_str(st, 1);
			s->doc_no = kk_sql_col_str(st, 2);
			s->publisher = kk_sql_col_str(st, 3);
			s->published = kk_sql_col_str(st, 4);
			s->validity = sqlite3_column_int(st, 5);
			s->series = sqlite3_column_int(st, 6);
		}
		rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : KK_EDB;
	}
out:
	if (rc == KK_EDB)
		kk_error("catalog", "list documents: %s", sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	kk_buf_fini(&sql);
	kk_buf_fini(&terms);
	for (size_t t = 0; t < n_terms; t++)
		kk_buf_fini(&like[t]);
	if (rc)
		kk_doc_list_fini(out);
	return rc;
}

/* ---- facets --------------------------------------------------------------------------- */

void kk_facet_list_fini(struct kk_facet_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].name);
	free(l->items);
	memset(l, 0, sizeof *l);
}

int kk_catalog_facets(struct kk_catalog *c, int facet, struct kk_facet_list *out)
{
	static const char *const sql[] = {
		NULL,
		"SELECT t.name, count(*) FROM document_topic dt JOIN topic t ON t.id = dt.topic_id"
		" GROUP BY t.id ORDER BY 2 DESC, 1 LIMIT 2000",
		"SELECT publisher, count(*) FROM document GROUP BY publisher ORDER BY 2 DESC, 1"
		" LIMIT 2000",
		"SELECT genre, count(*) FROM document WHERE genre IS NOT NULL GROUP BY genre"
		" ORDER BY 2 DESC, 1 LIMIT 2000",
		"SELECT substr(published, 1, 4), count(*) FROM document GROUP BY 1 ORDER BY 1 DESC"
		" LIMIT 2000",
	};
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (facet < KK_FACET_TOPIC || facet > KK_FACET_YEAR)
		return KK_EINVAL;
	if ((rc = kk_sql_prepare(c->db, sql[facet], &st)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kk_facet_value *p = realloc(out->items, (out->n + 1) * sizeof *p);
		if (!p) {
			rc = KK_ENOMEM;
			break;
		}
		out->items = p;
		p += out->n;
		if (!(p->name = kk_sql_col_str(st, 0)))
			continue; /* NULL name: nothing to show */
		p->count = (long)sqlite3_column_int64(st, 1);
		out->n++;
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : KK_EDB;
	if (rc)
		kk_facet_list_fini(out);
	return rc;
}

/* ---- bodies ---------------------------------------------------------------------------- */

static void parse_emph(struct kk_block *blk, const char *s)
{
	while (s && *s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b;
		if (*end != '-')
			return;
		b = strtoul(end + 1, &end, 10);
		if (a < b && b <= 0xFFFFFFFFul && blk->text && b <= strlen(blk->text))
			kk_block_add_emph(blk, (uint32_t)a, (uint32_t)b);
		if (*end != ',')
			return;
		s = end + 1;
	}
}

static int load_cells(struct kk_catalog *c, int64_t body_id, int seq, struct kk_block *blk)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT row, col, rowspan, colspan, head, text FROM cell"
				 " WHERE body_id = ? AND seq = ? ORDER BY row, col LIMIT 20000",
				 &st)))
		return rc;
	sqlite3_bind_int64(st, 1, body_id);
	sqlite3_bind_int(st, 2, seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int r = sqlite3_column_int(st, 0), col = sqlite3_column_int(st, 1);
		int rs = sqlite3_column_int(st, 2), cs = sqlite3_column_int(st, 3);
		if (r < 0 || col < 0 || r > 0xFFFF || col > 0xFFFF || rs < 1 || cs < 1)
			continue; /* never trust stored geometry */
		rc = kk_block_add_cell(blk, (uint16_t)r, (uint16_t)col, (uint16_t)(rs > 1000 ? 1000 : rs),
				       (uint16_t)(cs > 1000 ? 1000 : cs), sqlite3_column_int(st, 4),
				       (const char *)sqlite3_column_text(st, 5));
		if (rc)
			break;
	}
	rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : KK_EDB;
	sqlite3_finalize(st);
	return rc;
}

static int load_body(struct kk_catalog *c, int64_t body_id, struct kk_body **out)
{
	sqlite3_stmt *st = NULL;
	struct kk_body *b = kk_body_new();
	int rc;

	*out = NULL;
	if (!b)
		return KK_ENOMEM;
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT seq, kind, level, marker, text, emph, media_id FROM block"
				 " WHERE body_id = ? ORDER BY seq LIMIT 20000",
				 &st)))
		goto out;
	sqlite3_bind_int64(st, 1, body_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(st, 1);
		struct kk_block *blk;
		if (kind < KK_BLOCK_PARA || kind > KK_BLOCK_RULE)
			continue;
		blk = kk_body_add(b, (enum kk_block_kind)kind);
		if (!blk) {
			rc = KK_ENOMEM;
			goto out;
		}
		blk->level = sqlite3_column_int(st, 2);
		blk->marker = kk_sql_col_str(st, 3);
		blk->text = kk_sql_col_str(st, 4);
		parse_emph(blk, (const char *)sqlite3_column_text(st, 5));
		blk->media_id = sqlite3_column_int64(st, 6);
		if (kind == KK_BLOCK_TABLE &&
		    (rc = load_cells(c, body_id, sqlite3_column_int(st, 0), blk)))
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : KK_EDB;
out:
	sqlite3_finalize(st);
	if (rc) {
		kk_body_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

/* ---- documents ------------------------------------------------------------------------- */

static void ref_fini(struct kk_doc_ref *r)
{
	free(r->ext_id);
	free(r->title);
}

void kk_doc_free(struct kk_doc *d)
{
	if (!d)
		return;
	free(d->ext_id);
	free(d->title);
	free(d->index_no);
	free(d->doc_no);
	free(d->publisher);
	free(d->written);
	free(d->published);
	free(d->genre);
	free(d->form);
	free(d->url);
	for (size_t i = 0; i < d->n_topics; i++)
		free(d->topics[i]);
	free(d->topics);
	ref_fini(&d->replaced_by);
	ref_fini(&d->interprets);
	for (size_t i = 0; i < d->n_interpretations; i++)
		ref_fini(&d->interpretations[i]);
	free(d->interpretations);
	for (size_t i = 0; i < d->n_attachments; i++) {
		free(d->attachments[i].title);
		free(d->attachments[i].file_name);
		free(d->attachments[i].mime);
		free(d->attachments[i].page_media);
	}
	free(d->attachments);
	kk_body_free(d->body);
	free(d);
}

static int load_ref(struct kk_catalog *c, int64_t id, struct kk_doc_ref *r)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (!id)
		return 0;
	if ((rc = kk_sql_prepare(c->db, "SELECT ext_id, title, validity FROM document WHERE id = ?",
				 &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		r->id = id;
		r->ext_id = kk_sql_col_str(st, 0);
		r->title = kk_sql_col_str(st, 1);
		r->validity = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	return 0;
}

static int load_topics(struct kk_catalog *c, struct kk_doc *d)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT t.name FROM document_topic dt JOIN topic t ON t.id = dt.topic_id"
				 " WHERE dt.document_id = ? ORDER BY t.id LIMIT 64",
				 &st)))
		return rc;
	sqlite3_bind_int64(st, 1, d->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **p = realloc(d->topics, (d->n_topics + 1) * sizeof *p);
		if (!p) {
			rc = KK_ENOMEM;
			break;
		}
		d->topics = p;
		if (!(p[d->n_topics] = kk_sql_col_str(st, 0))) {
			rc = KK_ENOMEM;
			break;
		}
		d->n_topics++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rc < 0 ? rc : KK_EDB;
}

static int load_interpretations(struct kk_catalog *c, struct kk_doc *d)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT id, ext_id, title, validity FROM document WHERE interprets = ?"
				 " ORDER BY published DESC, id LIMIT 64",
				 &st)))
		return rc;
	sqlite3_bind_int64(st, 1, d->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kk_doc_ref *p =
			realloc(d->interpretations, (d->n_interpretations + 1) * sizeof *p);
		if (!p) {
			rc = KK_ENOMEM;
			break;
		}
		d->interpretations = p;
		p += d->n_interpretations++;
		p->id = sqlite3_column_int64(st, 0);
		p->ext_id = kk_sql_col_str(st, 1);
		p->title = kk_sql_col_str(st, 2);
		p->validity = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rc < 0 ? rc : KK_EDB;
}

static int load_attachments(struct kk_catalog *c, struct kk_doc *d)
{
	sqlite3_stmt *st = NULL, *pg = NULL;
	int rc;
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT id, title, file_name, mime, pages FROM attachment"
				 " WHERE document_id = ? ORDER BY seq LIMIT 64",
				 &st)) ||
	    (rc = kk_sql_prepare(c->db,
				 "SELECT media_id FROM attachment_page WHERE attachment_id = ?"
				 " ORDER BY page LIMIT 500",
				 &pg)))
		goto out;
	sqlite3_bind_int64(st, 1, d->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kk_attachment *a = realloc(d->attachments, (d->n_attachments + 1) * sizeof *a);
		if (!a) {
			rc = KK_ENOMEM;
			goto out;
		}
		d->attachments = a;
		a += d->n_attachments++;
		memset(a, 0, sizeof *a);
		a->id = sqlite3_column_int64(st, 0);
		a->title = kk_sql_col_str(st, 1);
		a->file_name = kk_sql_col_str(st, 2);
		a->mime = kk_sql_col_str(st, 3);
		sqlite3_reset(pg);
		sqlite3_bind_int64(pg, 1, a->id);
		while (sqlite3_step(pg) == SQLITE_ROW) {
			int64_t *m = realloc(a->page_media, ((size_t)a->pages + 1) * sizeof *m);
			if (!m) {
				rc = KK_ENOMEM;
				goto out;
			}
			a->page_media = m;
			m[a->pages++] = sqlite3_column_int64(pg, 0);
		}
	}
	rc = rc == SQLITE_DONE ? 0 : KK_EDB;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(pg);
	return rc;
}

int kk_catalog_get_doc(struct kk_catalog *c, int64_t id, struct kk_doc **out)
{
	sqlite3_stmt *st = NULL;
	struct kk_doc *d = NULL;
	int64_t body_id = 0, replaced = 0, interprets = 0;
	int rc;

	*out = NULL;
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT ext_id, title, index_no, doc_no, publisher, written, published,"
				 " validity, series_id, genre, form, url, replaced_by, interprets, body_id"
				 " FROM document WHERE id = ?",
				 &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? KK_ENOENT : KK_EDB;
		goto out;
	}
	d = calloc(1, sizeof *d);
	if (!d) {
		rc = KK_ENOMEM;
		goto out;
	}
	d->id = id;
	d->ext_id = kk_sql_col_str(st, 0);
	d->title = kk_sql_col_str(st, 1);
	d->index_no = kk_sql_col_str(st, 2);
	d->doc_no = kk_sql_col_str(st, 3);
	d->publisher = kk_sql_col_str(st, 4);
	d->written = kk_sql_col_str(st, 5);
	d->published = kk_sql_col_str(st, 6);
	d->validity = sqlite3_column_int(st, 7);
	d->series = sqlite3_column_int(st, 8);
	d->genre = kk_sql_col_str(st, 9);
	d->form = kk_sql_col_str(st, 10);
	d->url = kk_sql_col_str(st, 11);
	replaced = sqlite3_column_int64(st, 12);
	interprets = sqlite3_column_int64(st, 13);
	body_id = sqlite3_column_int64(st, 14);
	sqlite3_finalize(st);
	st = NULL;
	if (!d->ext_id || !d->title) {
		rc = KK_ENOMEM;
		goto out;
	}
	if ((rc = load_ref(c, replaced, &d->replaced_by)) || (rc = load_ref(c, interprets, &d->interprets)) ||
	    (rc = load_topics(c, d)) || (rc = load_interpretations(c, d)) ||
	    (rc = load_attachments(c, d)) || (rc = load_body(c, body_id, &d->body)))
		goto out;
	*out = d;
	d = NULL;
out:
	sqlite3_finalize(st);
	kk_doc_free(d);
	return rc;
}

int kk_catalog_find_doc(struct kk_catalog *c, const char *ext_id, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(c->db, "SELECT id FROM document WHERE ext_id = ?", &st)))
		return rc;
	sqlite3_bind_text(st, 1, ext_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : KK_ENOENT;
	if (!rc)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

int kk_catalog_first_in_series(struct kk_catalog *c, int series, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT id FROM document WHERE series_id = ?"
				 " ORDER BY validity = 1 DESC, published DESC, id DESC LIMIT 1",
				 &st)))
		return rc;
	sqlite3_bind_int(st, 1, series);
	rc = sqlite3_step(st) == SQLITE_ROW ? 0 : KK_ENOENT;
	if (!rc)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* ---- 办事一本通 ------------------------------------------------------------------------- */

void kk_group_list_fini(struct kk_group_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].name);
	free(l->items);
	memset(l, 0, sizeof *l);
}

void kk_guide_list_fini(struct kk_guide_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].title);
	free(l->items);
	memset(l, 0, sizeof *l);
}

int kk_catalog_list_groups(struct kk_catalog *c, int book, struct kk_group_list *out)
{
	sqlite3_stmt *st = NULL;
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT g.id, g.name, (SELECT count(*) FROM guide WHERE group_id = g.id)"
				 " FROM guide_group g WHERE g.book = ? ORDER BY g.seq LIMIT 500",
				 &st)))
		return rc;
	sqlite3_bind_int(st, 1, book);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kk_guide_group *p = realloc(out->items, (out->n + 1) * sizeof *p);
		if (!p) {
			rc = KK_ENOMEM;
			break;
		}
		out->items = p;
		p += out->n++;
		p->id = sqlite3_column_int64(st, 0);
		p->book = book;
		p->name = kk_sql_col_str(st, 1);
		p->n_guides = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : KK_EDB;
	if (rc)
		kk_group_list_fini(out);
	return rc;
}

int kk_catalog_list_guides(struct kk_catalog *c, int64_t group_id, struct kk_guide_list *out)
{
	sqlite3_stmt *st = NULL;
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT id, title FROM guide WHERE group_id = ? ORDER BY seq LIMIT 2000",
				 &st)))
		return rc;
	sqlite3_bind_int64(st, 1, group_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kk_guide_summary *p = realloc(out->items, (out->n + 1) * sizeof *p);
		if (!p) {
			rc = KK_ENOMEM;
			break;
		}
		out->items = p;
		p += out->n++;
		p->id = sqlite3_column_int64(st, 0);
		p->title = kk_sql_col_str(st, 1);
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : KK_EDB;
	if (rc)
		kk_guide_list_fini(out);
	return rc;
}

void kk_guide_free(struct kk_guide *g)
{
	if (!g)
		return;
	free(g->ext_id);
	free(g->group);
	free(g->title);
	free(g->url);
	free(g->updated);
	for (size_t i = 0; i < g->n_sections; i++) {
		free(g->sections[i].label);
		kk_body_free(g->sections[i].body);
	}
	free(g->sections);
	free(g);
}

int kk_catalog_get_guide(struct kk_catalog *c, int64_t id, struct kk_guide **out)
{
	sqlite3_stmt *st = NULL;
	struct kk_guide *g = NULL;
	int rc;

	*out = NULL;
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT gd.ext_id, g.book, g.name, gd.title, gd.url, gd.updated"
				 " FROM guide gd JOIN guide_group g ON g.id = gd.group_id WHERE gd.id = ?",
				 &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? KK_ENOENT : KK_EDB;
		goto out;
	}
	if (!(g = calloc(1, sizeof *g))) {
		rc = KK_ENOMEM;
		goto out;
	}
	g->id = id;
	g->ext_id = kk_sql_col_str(st, 0);
	g->book = sqlite3_column_int(st, 1);
	g->group = kk_sql_col_str(st, 2);
	g->title = kk_sql_col_str(st, 3);
	g->url = kk_sql_col_str(st, 4);
	g->updated = kk_sql_col_str(st, 5);
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = kk_sql_prepare(c->db,
				 "SELECT label, body_id FROM guide_section WHERE guide_id = ?"
				 " ORDER BY seq LIMIT 200",
				 &st)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kk_guide_section *p = realloc(g->sections, (g->n_sections + 1) * sizeof *p);
		if (!p) {
			rc = KK_ENOMEM;
			goto out;
		}
		g->sections = p;
		p += g->n_sections++;
		p->label = kk_sql_col_str(st, 0);
		p->body = NULL;
		if ((rc = load_body(c, sqlite3_column_int64(st, 1), &p->body)))
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : KK_EDB;
	if (!rc) {
		*out = g;
		g = NULL;
	}
out:
	sqlite3_finalize(st);
	kk_guide_free(g);
	return rc;
}

/* ---- media ----------------------------------------------------------------------------- */

int kk_catalog_get_media(struct kk_catalog *c, int64_t id, void **data, size_t *len,
			 const char **mime)
{
	sqlite3_stmt *st = NULL;
	int rc, n;
	const void *p;

	*data = NULL;
	*len = 0;
	if ((rc = kk_sql_prepare(c->db, "SELECT mime, data FROM media WHERE id = ?", &st)))
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = KK_ENOENT;
		goto out;
	}
	{
		const char *m = (const char *)sqlite3_column_text(st, 0);
		*mime = m && strcmp(m, "image/jpeg") == 0 ? "image/jpeg" : "image/png";
	}
	p = sqlite3_column_blob(st, 1);
	n = sqlite3_column_bytes(st, 1);
	if (!p || n <= 0) {
		rc = KK_ECORRUPT;
		goto out;
	}
	if (!(*data = malloc((size_t)n))) {
		rc = KK_ENOMEM;
		goto out;
	}
	memcpy(*data, p, (size_t)n);
	*len = (size_t)n;
out:
	sqlite3_finalize(st);
	return rc;
}

int kk_catalog_related_words(struct kk_catalog *c, const char *text, char (*words)[32], int max)
{
	sqlite3_stmt *st = NULL;
	size_t len = text ? strnlen(text, 1024) : 0, i = 0;
	int n = 0, chars = 0;

	if (!c || max <= 0 ||
	    kk_sql_prepare(c->db,
			   "SELECT DISTINCT word FROM synonym WHERE instr(word, ?1) > 0"
			   " ORDER BY length(word), word LIMIT 8",
			   &st))
		return 0;
	while (i < len && n < max && chars < 8) {
		size_t at = i;
		int32_t cp = kk_utf8_next(text, len, &i);
		if (cp < 0x3400 || cp > 0x9FFF)
			continue;
		chars++;
		sqlite3_bind_text(st, 1, text + at, (int)(i - at), SQLITE_STATIC);
		while (n < max && sqlite3_step(st) == SQLITE_ROW) {
			const char *w = (const char *)sqlite3_column_text(st, 0);
			int dup = 0;
			if (!w || strlen(w) >= 32 || !kk_utf8_valid(w, strlen(w), NULL))
				continue;
			for (int k = 0; k < n; k++)
				dup |= !strcmp(words[k], w);
			if (!dup)
				snprintf(words[n++], 32, "%s", w);
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return n;
}
