/* test_catalog.c — the schema and the catalogue: write with the builder, read it back, refuse
 * what must be refused (newer schema, not a kiosk database, damaged file, dangling links). */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog.h"
#include "catalog/catalog_sql.h"
#include "catalog/catalog_build.h"
#include "kt.h"

static char dir[] = "/tmp/kk-catalog-XXXXXX";

static void path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static struct kk_body *sample_body(void)
{
	struct kk_body *b = kk_body_new();
	struct kk_block *blk;
	blk = kk_body_add(b, KK_BLOCK_HEADING);
	blk->level = 1;
	kk_block_set_marker(blk, "一、");
	kk_block_set_text(blk, "总体要求", strlen("总体要求"));
	blk = kk_body_add(b, KK_BLOCK_PARA);
	kk_block_set_text(blk, "坚持公开为常态、不公开为例外。", strlen("坚持公开为常态、不公开为例外。"));
	kk_block_add_emph(blk, 6, 18);
	blk = kk_body_add(b, KK_BLOCK_TABLE);
	kk_block_add_cell(blk, 0, 0, 2, 1, 1, "信息内容");
	kk_block_add_cell(blk, 0, 1, 1, 2, 1, "件数");
	kk_block_add_cell(blk, 1, 1, 1, 1, 1, "本年");
	kk_block_add_cell(blk, 1, 2, 1, 1, 1, "现行");
	kk_block_add_cell(blk, 2, 0, 1, 1, 0, "规章");
	kk_block_add_cell(blk, 2, 1, 1, 1, 0, "0");
	kk_block_add_cell(blk, 2, 2, 1, 1, 0, "3");
	blk = kk_body_add(b, KK_BLOCK_ITEM);
	blk->level = 2;
	kk_block_set_marker(blk, "（1）");
	kk_block_set_text(blk, "第一项", strlen("第一项"));
	return b;
}

static int build(const char *path, int dangling)
{
	struct kk_writer *w;
	struct kk_doc d = { 0 }, r = { 0 };
	struct kk_guide g = { 0 };
	struct kk_guide_section sec[2];
	char *topics[] = { "住房建设", "减税降费" };
	char *syn[] = { "补办", "补领" };
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	int64_t media, att;
	struct kk_attachment a = { .title = "附件1", .file_name = "a.png", .mime = "image/png" };
	int rc;

	if ((rc = kk_writer_open(path, &w)))
		return rc;
	kk_writer_set_meta(w, "publisher", "示例县人民政府");
	kk_writer_set_meta(w, "version_epoch", "1");
	kk_writer_set_meta(w, "version_seq", "7");
	kk_writer_set_meta(w, "build_date", "2025-11-20");
	d.ext_id = "doc-1";
	d.title = "示例县人民政府关于印发政务公开工作要点的通知";
	d.index_no = "000/2023-00001";
	d.doc_no = "示政发〔2023〕1号";
	d.publisher = "示例县人民政府";
	d.written = "2023-07-14";
	d.published = "2023-07-15";
	d.validity = KK_AMENDED;
	d.series = KK_SERIES_REGULATION;
	d.topics = topics;
	d.n_topics = 2;
	d.replaced_by.ext_id = dangling ? "doc-404" : "doc-2";
	d.body = sample_body();
	rc = kk_writer_add_document(w, &d);
	kk_body_free(d.body);
	if (rc)
		goto fail;
	if ((rc = kk_writer_add_media(w, "a.png", "image/png", 1, 1, png, sizeof png, &media)) ||
	    (rc = kk_writer_add_attachment(w, d.id, 0, &a, &att)) ||
	    (rc = kk_writer_add_attachment_page(w, att, 1, media)))
		goto fail;
	r.ext_id = "doc-2";
	r.title = "解读：政务公开工作要点";
	r.publisher = "示例县人民政府办公室";
	r.published = "2023-07-16";
	r.series = KK_SERIES_INTERPRETATION;
	r.interprets.ext_id = "doc-1";
	r.form = "简明问答";
	r.body = kk_body_new();
	rc = kk_writer_add_document(w, &r);
	kk_body_free(r.body);
	if (rc)
		goto fail;
	g.ext_id = "hm-01-01";
	g.book = KK_BOOK_HUIMIN;
	g.group = "户籍与身份证";
	g.title = "居民身份证补领";
	g.sections = sec;
	g.n_sections = 2;
	sec[0].label = "申请材料";
	sec[0].body = sample_body();
	sec[1].label = "收费标准";
	sec[1].body = kk_body_new();
	rc = kk_writer_add_guide(w, &g);
	kk_body_free(sec[0].body);
	kk_body_free(sec[1].body);
	if (rc || (rc = kk_writer_add_synonyms(w, syn, 2)))
		goto fail;
	return kk_writer_finish(w);
fail:
	kk_writer_abort(w);
	return rc;
}

static void test_roundtrip(void)
{
	char path[256];
	struct kk_catalog *c;
	struct kk_catalog_info in;
	struct kk_doc_query q = { 0 };
	struct kk_doc_list l;
	struct kk_doc *d;
	struct kk_group_list gl;
	struct kk_guide_list gdl;
	struct kk_guide *g;
	int64_t id;

	path_in(path, sizeof path, "ok.db");
	KT_REQUIRE(build(path, 0) == 0);
	KT_REQUIRE(kk_catalog_open(path, &c) == 0);
	KT_REQUIRE(kk_catalog_info(c, &in) == 0);
	KT_CHECK_INT(in.n_documents, 2);
	KT_CHECK_INT(in.n_series[KK_SERIES_REGULATION], 1);
	KT_CHECK_INT(in.n_series[KK_SERIES_INTERPRETATION], 1);
	KT_CHECK_INT(in.n_validity[KK_AMENDED], 1);
	KT_CHECK_INT(in.n_guides[KK_BOOK_HUIMIN], 1);
	KT_CHECK_INT(in.n_groups[KK_BOOK_HUIMIN], 1);
	KT_CHECK_INT(in.n_synonym_groups, 1);
	KT_CHECK_INT(in.seq, 7);
	KT_CHECK_STR(in.publisher, "示例县人民政府");
	kk_catalog_info_fini(&in);

	q.title_like = "政务公开";
	KT_REQUIRE(kk_catalog_list_docs(c, &q, &l) == 0);
	KT_CHECK_INT(l.n, 2);
	KT_CHECK_STR(l.items[0].title, "解读：政务公开工作要点"); /* newest first */
	kk_doc_list_fini(&l);
	q.title_like = "〔2023〕1号"; /* 文号 matches too */
	KT_REQUIRE(kk_catalog_list_docs(c, &q, &l) == 0);
	KT_CHECK_INT(l.n, 1);
	kk_doc_list_fini(&l);
	q.title_like = "要点　解读 "; /* every word must match; ideographic space separates too */
	KT_REQUIRE(kk_catalog_list_docs(c, &q, &l) == 0);
	KT_CHECK_INT(l.n, 1);
	kk_doc_list_fini(&l);
	q.title_like = "政务 不存在的词";
	KT_REQUIRE(kk_catalog_list_docs(c, &q, &l) == 0);
	KT_CHECK_INT(l.n, 0);
	kk_doc_list_fini(&l);
	q.title_like = "100%_"; /* LIKE metacharacters are literal */
	KT_REQUIRE(kk_catalog_list_docs(c, &q, &l) == 0);
	KT_CHECK_INT(l.n, 0);
	kk_doc_list_fini(&l);
	memset(&q, 0, sizeof q);
	q.topic = "减税降费";
	q.year = 2023;
	KT_REQUIRE(kk_catalog_list_docs(c, &q, &l) == 0);
	KT_CHECK_INT(l.total, 1);
	kk_doc_list_fini(&l);

	{
		struct kk_facet_list f;
		KT_REQUIRE(kk_catalog_facets(c, KK_FACET_TOPIC, &f) == 0);
		KT_CHECK_INT(f.n, 2);
		KT_CHECK_INT(f.items[0].count, 1);
		kk_facet_list_fini(&f);
		KT_REQUIRE(kk_catalog_facets(c, KK_FACET_PUBLISHER, &f) == 0);
		KT_CHECK_INT(f.n, 2);
		kk_facet_list_fini(&f);
		KT_REQUIRE(kk_catalog_facets(c, KK_FACET_YEAR, &f) == 0);
		KT_REQUIRE(f.n == 1);
		KT_CHECK_STR(f.items[0].name, "2023");
		KT_CHECK_INT(f.items[0].count, 2);
		kk_facet_list_fini(&f);
		KT_CHECK_INT(kk_catalog_facets(c, 99, &f), KK_EINVAL);
		memset(&q, 0, sizeof q);
		q.publisher = "示例县人民政府办公室";
		KT_REQUIRE(kk_catalog_list_docs(c, &q, &l) == 0);
		KT_CHECK_INT(l.n, 1);
		kk_doc_list_fini(&l);
	}
	KT_REQUIRE(kk_catalog_find_doc(c, "doc-1", &id) == 0);
	KT_REQUIRE(kk_catalog_get_doc(c, id, &d) == 0);
	KT_CHECK_STR(d->doc_no, "示政发〔2023〕1号");
	KT_CHECK_INT(d->validity, KK_AMENDED);
	KT_CHECK_STR(d->replaced_by.title, "解读：政务公开工作要点");
	KT_CHECK_INT(d->n_topics, 2);
	KT_CHECK_INT(d->n_interpretations, 1);
	KT_CHECK_INT(d->n_attachments, 1);
	KT_CHECK_INT(d->attachments[0].pages, 1);
	KT_REQUIRE(d->body && d->body->n == 4);
	KT_CHECK_STR(d->body->blocks[0].marker, "一、");
	KT_CHECK_INT(d->body->blocks[1].n_emph, 1);
	KT_CHECK_INT(d->body->blocks[1].emph[0].start, 6);
	KT_CHECK_INT(d->body->blocks[2].n_cells, 7);
	KT_CHECK_INT(d->body->blocks[2].rows, 3);
	KT_CHECK_INT(d->body->blocks[2].cols, 3);
	KT_CHECK_INT(d->body->blocks[2].cells[0].rowspan, 2);
	KT_CHECK_INT(d->body->blocks[2].cells[1].colspan, 2);
	KT_CHECK_INT(d->body->blocks[3].level, 2);
	{
		void *data;
		size_t len;
		const char *mime;
		KT_CHECK_INT(kk_catalog_get_media(c, d->attachments[0].page_media[0], &data, &len, &mime), 0);
		KT_CHECK_INT(len, 8);
		KT_CHECK_STR(mime, "image/png");
		free(data);
	}
	kk_doc_free(d);
	KT_CHECK_INT(kk_catalog_get_doc(c, 9999, &d), KK_ENOENT);
	KT_CHECK_INT(kk_catalog_find_doc(c, "nope", &id), KK_ENOENT);
	KT_CHECK_INT(kk_catalog_first_in_series(c, KK_SERIES_GUIDE, &id), KK_ENOENT);

	KT_REQUIRE(kk_catalog_list_groups(c, KK_BOOK_HUIMIN, &gl) == 0);
	KT_REQUIRE(gl.n == 1);
	KT_CHECK_STR(gl.items[0].name, "户籍与身份证");
	KT_CHECK_INT(gl.items[0].n_guides, 1);
	KT_REQUIRE(kk_catalog_list_guides(c, gl.items[0].id, &gdl) == 0);
	KT_REQUIRE(gdl.n == 1);
	KT_REQUIRE(kk_catalog_get_guide(c, gdl.items[0].id, &g) == 0);
	KT_CHECK_INT(g->n_sections, 2);
	KT_CHECK_STR(g->sections[0].label, "申请材料");
	KT_CHECK_STR(g->sections[1].label, "收费标准");
	KT_CHECK_INT(g->sections[0].body->n, 4);
	kk_guide_free(g);
	kk_guide_list_fini(&gdl);
	kk_group_list_fini(&gl);
	kk_catalog_close(c);
}

static void test_dangling_link_fails_build(void)
{
	char path[256];
	path_in(path, sizeof path, "dangling.db");
	KT_CHECK_INT(build(path, 1), KK_ENOENT);
	unlink(path);
}

static void test_writer_refuses_existing_file(void)
{
	char path[256];
	struct kk_writer *w;
	path_in(path, sizeof path, "ok.db");
	KT_CHECK(kk_writer_open(path, &w) != 0);
}

static void set_user_version(const char *path, int v)
{
	sqlite3 *db;
	char sql[64];
	sqlite3_open(path, &db);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
}

static void test_versions(void)
{
	char ok[256], path[256], cmd[600];
	struct kk_catalog *c;
	int from = -1;
	path_in(ok, sizeof ok, "ok.db");
	path_in(path, sizeof path, "newer.db");
	snprintf(cmd, sizeof cmd, "cp %s %s", ok, path);
	KT_REQUIRE(system(cmd) == 0);
	set_user_version(path, KK_SCHEMA_VERSION + 1);
	KT_CHECK_INT(kk_catalog_open(path, &c), KK_EVERSION);
	KT_CHECK_INT(kk_catalog_migrate(path, &from), KK_EVERSION);
	KT_CHECK_INT(from, KK_SCHEMA_VERSION + 1);
	set_user_version(path, 0);
	KT_CHECK_INT(kk_catalog_open(path, &c), KK_EVERSION);
	set_user_version(path, KK_SCHEMA_VERSION);
	KT_CHECK_INT(kk_catalog_migrate(path, &from), 0); /* already current: nothing to do */
	KT_CHECK_INT(from, KK_SCHEMA_VERSION);
	KT_REQUIRE(kk_catalog_open(path, &c) == 0);
	kk_catalog_close(c);
	unlink(path);
}

static void test_missing_and_damaged(void)
{
	char path[256], ok[256];
	struct kk_catalog *c = (struct kk_catalog *)1;
	struct kk_buf b;
	int fd;

	path_in(path, sizeof path, "absent.db");
	KT_CHECK_INT(kk_catalog_open(path, &c), KK_ENOENT);
	KT_CHECK(c == NULL);
	/* not a database at all */
	path_in(path, sizeof path, "junk.db");
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	KT_REQUIRE(fd >= 0);
	KT_REQUIRE(write(fd, "this is not sqlite, just text pretending\n", 41) == 41);
	close(fd);
	KT_CHECK(kk_catalog_open(path, &c) != 0);
	/* a real database cut in half (a pulled stick, a power cut) */
	path_in(ok, sizeof ok, "ok.db");
	kk_buf_init(&b, 64 << 20);
	KT_REQUIRE(kk_buf_read_file(&b, ok) == 0);
	path_in(path, sizeof path, "half.db");
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	KT_REQUIRE(write(fd, b.data, b.len / 2) == (ssize_t)(b.len / 2));
	close(fd);
	KT_CHECK(kk_catalog_open(path, &c) != 0);
	/* a flipped page in the middle: opening reads a few pages only, so it opens; the full
	 * check finds it, and reading through it fails calmly rather than crashing */
	memset(b.data + 4096 * 2, 0x5A, 4096);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	KT_REQUIRE(write(fd, b.data, b.len) == (ssize_t)b.len);
	close(fd);
	c = NULL;
	if (kk_catalog_open(path, &c) == 0) {
		struct kk_doc_query q = { 0 };
		struct kk_doc_list l = { 0 };
		KT_CHECK(kk_catalog_verify(c) == KK_ECORRUPT);
		for (int64_t id = 1; id <= 80; id++) {
			struct kk_doc *d = NULL;
			if (kk_catalog_get_doc(c, id, &d) == 0)
				kk_doc_free(d);
		}
		if (kk_catalog_list_docs(c, &q, &l) == 0)
			kk_doc_list_fini(&l);
		kk_catalog_close(c);
	}
	kk_buf_fini(&b);
}

/* The counts kept in meta: read back exactly, anything else refused (the kiosk then counts). */
static void test_counts_text(void)
{
	static const char *const bad[] = {
		"", "c1", "c2 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
		"c1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
		"c1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21",
		"c1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 -20",
		"c1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 99999999999999999999",
		"c1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20x",
		"c1  1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
	};
	struct kk_catalog_info a = { 0 }, b = { 0 };
	char text[512];
	a.n_documents = 100000;
	a.n_series[6] = 27;
	a.n_guides[2] = 75;
	a.n_synonym_groups = 88;
	KT_CHECK_INT(kk_counts_format(&a, text, sizeof text), 0);
	KT_CHECK_INT(kk_counts_parse(text, &b), 0);
	KT_CHECK(memcmp(&a, &b, sizeof a) == 0);
	KT_CHECK_INT(kk_counts_format(&a, text, 10), KK_E2BIG);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&b, 0, sizeof b);
		KT_CHECK_INT(kk_counts_parse(bad[i], &b), KK_EINVAL);
		KT_CHECK(b.n_documents == 0); /* nothing half-written */
	}
}

static void setup(void)
{
	KT_REQUIRE(mkdtemp(dir) != NULL);
	kk_log_set_level(KK_LOG_ERROR);
}

static void teardown(void)
{
	KT_CHECK(kt_rmtree(dir) == 0);
}

KT_MAIN(KT_CASE(setup), KT_CASE(test_roundtrip), KT_CASE(test_dangling_link_fails_build),
	KT_CASE(test_writer_refuses_existing_file), KT_CASE(test_versions),
	KT_CASE(test_missing_and_damaged), KT_CASE(test_counts_text), KT_CASE(teardown))
