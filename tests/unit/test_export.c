/* test_export.c — reading a publisher export: dates, fields, links, paths, the writer path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog.h"
#include "catalog/catalog_build.h"
#include "kioskdb/export.h"
#include "kt.h"

static char dir[] = "/tmp/kk-export-XXXXXX";

static void put(const char *name, const char *text)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* Run a validation; returns the problems printed (malloc'd), sets *rc. */
static char *validate(int *rc, struct kk_export_stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	*rc = kk_export_read(dir, NULL, out, st);
	fclose(out);
	return buf;
}

static void test_dates(void)
{
	static const struct {
		const char *in, *out;
	} good[] = { { "2023-07-14", "2023-07-14" }, { "2023年7月14日", "2023-07-14" },
		     { "2023/7/4", "2023-07-04" },   { "2023.12.31", "2023-12-31" },
		     { "2024-02-29", "2024-02-29" },  { "2000-02-29", "2000-02-29" } };
	static const char *const bad[] = { "2023-02-29", "1900-02-29", "2023-13-01", "2023-00-10",
					   "2023-04-31", "23-1-1", "2023-1", "2023年7月", "", "abcd-01-01",
					   "2023-07-14T00:00", "2023-007-14", "20230714" };
	char out[11];
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		KT_CHECK_INT(kk_date_normalise(good[i].in, out), 0);
		KT_CHECK_STR(out, good[i].out);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (kk_date_normalise(bad[i], out) == 0)
			KT_FAIL_("accepted bad date \"%s\"", bad[i]);
}

static void test_valid_export(void)
{
	struct kk_export_stats st;
	char *out;
	int rc;
	put("site.json", "\xEF\xBB\xBF{\"publisher\":\"示例县人民政府\",\"version\":{\"epoch\":1,\"seq\":3},"
			 "\"contact\":{\"phone\":\"0000-1234567\"}}");
	put("documents.jsonl",
	    "// a comment line\n"
	    "{\"id\":\"a\",\"title\":\"　关于  印发\\t通知 \",\"publisher\":\"示例县人民政府\","
	    "\"published\":\"2023年7月14日\",\"validity\":\"有效中\",\"series\":\"regulation\","
	    "\"topics\":[\"住房建设\"],\"body_text\":\"一、总体要求\\r\\n正文。\"}\r\n"
	    "\n"
	    "{\"id\":\"b\",\"title\":\"解读\",\"publisher\":\"示例县人民政府\",\"published\":\"2023-07-15\","
	    "\"series\":\"政策解读\",\"interprets\":\"a\",\"body_html\":\"<p>问：<b>什么</b>？</p>\"}\n");
	put("guides.jsonl", "{\"id\":\"g\",\"book\":\"惠企\",\"group\":\"企业开办\",\"title\":\"企业设立登记\","
			    "\"sections\":[{\"label\":\"申请材料\",\"text\":\"1. 营业执照\\n2. 章程\"}]}\n");
	put("synonyms.txt", "# groups\n补办 补领\n过户 转移登记 # same thing\n");
	out = validate(&rc, &st);
	KT_CHECK_INT(rc, 0);
	KT_CHECK_INT(st.problems, 0);
	KT_CHECK_INT(st.documents, 2);
	KT_CHECK_INT(st.guides, 1);
	KT_CHECK_INT(st.synonym_groups, 2);
	if (rc)
		printf("# %s\n", out);
	free(out);
}

static void test_build_through_writer(void)
{
	char db[512];
	struct kk_writer *w;
	struct kk_export_stats st;
	struct kk_catalog *c;
	struct kk_doc_query q = { 0 };
	struct kk_doc_list l;
	FILE *devnull = fopen("/dev/null", "w");
	snprintf(db, sizeof db, "%s/out.db", dir);
	KT_REQUIRE(kk_writer_open(db, &w) == 0);
	KT_REQUIRE(kk_export_read(dir, w, devnull, &st) == 0);
	KT_REQUIRE(kk_writer_finish(w) == 0);
	fclose(devnull);
	KT_REQUIRE(kk_catalog_open(db, &c) == 0);
	KT_REQUIRE(kk_catalog_list_docs(c, &q, &l) == 0);
	KT_REQUIRE(l.n == 2);
	/* whitespace folded, date normalised */
	KT_CHECK_STR(l.items[1].title, "关于印发通知");
	KT_CHECK_STR(l.items[1].published, "2023-07-14");
	kk_doc_list_fini(&l);
	kk_catalog_close(c);
	unlink(db);
}

static void test_problems(void)
{
	struct kk_export_stats st;
	char *out;
	int rc;
	put("documents.jsonl",
	    "{\"id\":\"a\",\"title\":\"t\",\"publisher\":\"p\",\"published\":\"2023-01-01\",\"body_text\":\"x\","
	    "\"replaced_by\":\"zzz\"}\n"
	    "{\"id\":\"a/../b\",\"title\":7,\"publisher\":\"p\",\"published\":\"2023-01-01\"}\n"
	    "[1,2,3]\n"
	    "{\"id\":\"c\",\"id\":\"d\"}\n"
	    "{\"id\":\"e\",\"title\":\"t\",\"publisher\":\"p\",\"published\":\"2023-01-01\",\"body_text\":\"x\","
	    "\"attachments\":[{\"file\":\"/etc/passwd\"}],\"topics\":\"住房\"}\n");
	out = validate(&rc, &st);
	KT_CHECK_INT(rc, KK_EINVAL);
	KT_CHECK(strstr(out, "documents.jsonl:1: replaced_by: no document with id \"zzz\"") != NULL);
	KT_CHECK(strstr(out, "documents.jsonl:2: id: \"a/../b\"") != NULL);
	KT_CHECK(strstr(out, "documents.jsonl:2: title: expected a string") != NULL);
	KT_CHECK(strstr(out, "documents.jsonl:2: body_html: missing") != NULL);
	KT_CHECK(strstr(out, "documents.jsonl:3: -: expected one JSON object per line") != NULL);
	KT_CHECK(strstr(out, "documents.jsonl:4: -: invalid JSON") != NULL); /* duplicate key */
	KT_CHECK(strstr(out, "documents.jsonl:5: attachments: path \"/etc/passwd\"") != NULL);
	KT_CHECK(strstr(out, "documents.jsonl:5: topics: expected an array") != NULL);
	free(out);
	/* a missing site.json and documents.jsonl are problems too */
	{
		char p[512];
		snprintf(p, sizeof p, "%s/site.json", dir);
		unlink(p);
		snprintf(p, sizeof p, "%s/documents.jsonl", dir);
		unlink(p);
	}
	out = validate(&rc, &st);
	KT_CHECK(strstr(out, "site.json:1: -: missing") != NULL);
	KT_CHECK(strstr(out, "documents.jsonl:0: -: missing") != NULL);
	free(out);
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

KT_MAIN(KT_CASE(setup), KT_CASE(test_dates), KT_CASE(test_valid_export),
	KT_CASE(test_build_through_writer), KT_CASE(test_problems), KT_CASE(teardown))
