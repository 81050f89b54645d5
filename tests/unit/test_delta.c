/*
 * test_delta.c — firmware/catalog/delta.c on real catalogues built from a generated export:
 * the changeset of one retitled document and one retitled guide is counted right, applies on
 * a copy of its base, and the search index then finds the new titles (incremental re-index);
 * applied a second time, or on the new database, it conflicts, is refused with KK_ECORRUPT and
 * leaves the file byte for byte as it was; a database of another schema cannot be a base.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "catalog/catalog.h"
#include "catalog/catalog_build.h"
#include "catalog/delta.h"
#include "kioskdb/export.h"
#include "kioskdb/gen.h"
#include "kt.h"

static char tmp[] = "/tmp/kk-delta-XXXXXX";
static char base_db[600], new_db[600], cs[600], copy_db[600];

/* Build dir/name from the export in dir/e. */
static int build(const char *name, char *out)
{
	char src[600];
	struct kk_writer *w;
	struct kk_export_stats st;
	FILE *devnull = fopen("/dev/null", "w");
	int rc;

	snprintf(src, sizeof src, "%s/e", tmp);
	snprintf(out, 600, "%s/%s", tmp, name);
	if ((rc = kk_writer_open(out, &w)))
		goto out;
	if ((rc = kk_export_read(src, w, devnull, &st))) {
		kk_writer_abort(w);
		goto out;
	}
	rc = kk_writer_finish(w);
out:
	fclose(devnull);
	return rc;
}

/* Replace the value of the first "title":"…" on line `line` of dir/e/file with title. */
static void retitle(const char *file, int line, const char *title)
{
	char path[600], *p, *q, *e;
	struct kk_buf b, o;
	FILE *f;

	snprintf(path, sizeof path, "%s/e/%s", tmp, file);
	kk_buf_init(&b, 64u << 20);
	kk_buf_init(&o, 64u << 20);
	KT_REQUIRE(kk_buf_read_file(&b, path) == 0);
	p = b.data;
	for (int i = 0; i < line; i++)
		p = strchr(p, '\n') + 1;
	q = strstr(p, "\"title\":\"");
	KT_REQUIRE(q != NULL);
	q += 9;
	e = strchr(q, '"');
	KT_REQUIRE(kk_buf_add(&o, b.data, (size_t)(q - b.data)) == 0);
	KT_REQUIRE(kk_buf_adds(&o, title) == 0);
	KT_REQUIRE(kk_buf_add(&o, e, b.len - (size_t)(e - b.data)) == 0);
	f = fopen(path, "wb");
	KT_REQUIRE(f && fwrite(o.data, 1, o.len, f) == o.len);
	fclose(f);
	kk_buf_fini(&b);
	kk_buf_fini(&o);
}

/* Copy a file (the base database before an apply). */
static void copy_file(const char *from, const char *to)
{
	struct kk_buf b;
	FILE *f;
	kk_buf_init(&b, 256u << 20);
	KT_REQUIRE(kk_buf_read_file(&b, from) == 0);
	f = fopen(to, "wb");
	KT_REQUIRE(f && fwrite(b.data, 1, b.len, f) == b.len);
	fclose(f);
	kk_buf_fini(&b);
}

/* 1 when both files hold the same bytes. */
static int same_bytes(const char *a, const char *b)
{
	struct kk_buf x, y;
	int same;
	kk_buf_init(&x, 256u << 20);
	kk_buf_init(&y, 256u << 20);
	same = !kk_buf_read_file(&x, a) && !kk_buf_read_file(&y, b) && x.len == y.len &&
	       !memcmp(x.data, y.data, x.len);
	kk_buf_fini(&x);
	kk_buf_fini(&y);
	return same;
}

/* The ext_id of the first search hit for text in db ("" if none). */
static void first_hit(const char *db, const char *text, char *out, size_t cap)
{
	struct kk_catalog *c = NULL;
	struct kk_search_query q = { .text = text, .limit = 5 };
	struct kk_search_results r = { 0 };

	out[0] = '\0';
	KT_REQUIRE(kk_catalog_open(db, &c) == 0);
	KT_REQUIRE(kk_catalog_search(c, &q, &r) == 0);
	if (r.n)
		snprintf(out, cap, "%s", r.items[0].ext_id);
	kk_search_results_fini(&r);
	kk_catalog_close(c);
}

/* Two catalogues a title apart, and their changeset. */
static void setup(void)
{
	struct kk_gen_opts o = { 60, 6, 2 };
	char e[600];

	KT_REQUIRE(mkdtemp(tmp) != NULL);
	snprintf(e, sizeof e, "%s/e", tmp);
	KT_REQUIRE(kk_gen_export(e, &o) == 0);
	KT_REQUIRE(build("base.db", base_db) == 0);
	retitle("documents.jsonl", 3, "甲乙丙丁增量测试标题");
	retitle("guides.jsonl", 1, "戊己庚辛增量指南");
	KT_REQUIRE(build("new.db", new_db) == 0);
	snprintf(cs, sizeof cs, "%s/d.changeset", tmp);
	snprintf(copy_db, sizeof copy_db, "%s/copy.db", tmp);
}

static void make_and_summarize(void)
{
	struct kk_delta_summary s;
	uint64_t size = 0;

	KT_REQUIRE(kk_delta_make(new_db, base_db, cs, &size) == 0);
	KT_CHECK(size > 0 && size < 64 * 1024);
	KT_CHECK_INT(kk_delta_make(new_db, base_db, cs, &size), KK_EIO); /* never replaced */
	KT_REQUIRE(kk_delta_summarize(cs, &s) == 0);
	KT_CHECK(s.docs_changed == 1 && s.docs_added == 0 && s.docs_removed == 0);
	KT_CHECK(s.guides_changed == 1 && s.guides_added == 0 && s.guides_removed == 0);
	KT_CHECK(s.rows >= 2);
}

static void apply_on_base(void)
{
	struct kk_delta_summary s;
	struct kk_catalog *c = NULL;
	char hit[64], want[64];

	copy_file(base_db, copy_db);
	KT_REQUIRE(kk_delta_apply(copy_db, cs, &s) == 0);
	KT_CHECK(s.docs_changed == 1 && s.guides_changed == 1);
	KT_REQUIRE(kk_catalog_open(copy_db, &c) == 0);
	KT_CHECK_INT(kk_catalog_check_integrity(c), 0);
	kk_catalog_close(c);
	/* the incremental index finds what the full build of the new database finds */
	first_hit(new_db, "甲乙丙丁增量测试标题", want, sizeof want);
	first_hit(copy_db, "甲乙丙丁增量测试标题", hit, sizeof hit);
	KT_CHECK(want[0] != '\0');
	KT_CHECK_STR(hit, want);
	first_hit(new_db, "戊己庚辛增量指南", want, sizeof want);
	first_hit(copy_db, "戊己庚辛增量指南", hit, sizeof hit);
	KT_CHECK(want[0] != '\0');
	KT_CHECK_STR(hit, want);
	first_hit(base_db, "甲乙丙丁增量测试标题", hit, sizeof hit);
	KT_CHECK_STR(hit, ""); /* and the base never had it */
}

static void wrong_base_refused(void)
{
	char keep[600];

	/* applied twice: every change conflicts; the file stays as it was */
	snprintf(keep, sizeof keep, "%s/keep.db", tmp);
	copy_file(copy_db, keep);
	KT_CHECK_INT(kk_delta_apply(copy_db, cs, NULL), KK_ECORRUPT);
	KT_CHECK(same_bytes(copy_db, keep));
	/* on the new database built from scratch: also not its base */
	copy_file(new_db, keep);
	KT_CHECK_INT(kk_delta_apply(keep, cs, NULL), KK_ECORRUPT);
	KT_CHECK(same_bytes(new_db, keep));
	/* a changeset file that is not one */
	copy_file(base_db, keep);
	KT_CHECK_INT(kk_delta_apply(keep, base_db, NULL), KK_ECORRUPT);
	KT_CHECK(same_bytes(base_db, keep));
	unlink(keep);
}

static void cleanup(void)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	KT_CHECK(system(cmd) == 0);
}

KT_MAIN(KT_CASE(setup), KT_CASE(make_and_summarize), KT_CASE(apply_on_base),
	KT_CASE(wrong_base_refused), KT_CASE(cleanup))
