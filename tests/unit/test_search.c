/* test_search.c — full-text search on the real sample export (offline-db/sample, built here
 * with the tool's writer): task questions put the right guide first, pinyin and initials find
 * 身份证, 文号 typed loosely finds its document, valid documents rank above repealed ones,
 * synonyms and stop words, filters, snippet highlight ranges, hostile query strings, the
 * 1 → 2 migration, and the zero-result statistics file. */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/qstats.h"
#include "catalog/catalog.h"
#include "catalog/catalog_build.h"
#include "catalog/catalog_sql.h"
#include "kioskdb/export.h"
#include "kt.h"

static char dir[] = "/tmp/kk-search-XXXXXX";
static char db_path[256];
static struct kk_catalog *cat;

/* Run a query with at most limit results; the results are left in *r (caller finalises). */
static int search(const char *text, size_t limit, struct kk_search_results *r)
{
	struct kk_search_query q = { .text = text, .limit = limit };
	return kk_catalog_search(cat, &q, r);
}

/* Position of ext_id in the results of text on catalogue c, or -1. */
static int rank_in(struct kk_catalog *c, const char *text, const char *ext_id)
{
	struct kk_search_query q = { .text = text, .limit = 50 };
	struct kk_search_results r;
	int at = -1;
	if (kk_catalog_search(c, &q, &r) != 0)
		return -2;
	for (size_t i = 0; i < r.n && at < 0; i++)
		if (!strcmp(r.items[i].ext_id, ext_id))
			at = (int)i;
	kk_search_results_fini(&r);
	return at;
}

/* Position of ext_id among the results of text on the sample, or -1. */
static int rank_of(const char *text, const char *ext_id)
{
	return rank_in(cat, text, ext_id);
}

static void setup(void)
{
	struct kk_writer *w;
	struct kk_export_stats st;
	FILE *devnull = fopen("/dev/null", "w");
	KT_REQUIRE(mkdtemp(dir) != NULL);
	kk_log_set_level(KK_LOG_ERROR);
	snprintf(db_path, sizeof db_path, "%s/sample.db", dir);
	KT_REQUIRE(kk_writer_open(db_path, &w) == 0);
	KT_REQUIRE(kk_export_read("offline-db/sample", w, devnull, &st) == 0);
	KT_REQUIRE(kk_writer_finish(w) == 0);
	fclose(devnull);
	KT_REQUIRE(kk_catalog_open(db_path, &cat) == 0);
}

static void task_questions_put_the_guide_first(void)
{
	struct kk_search_results r;
	KT_REQUIRE(search("身份证丢了怎么补办", 5, &r) == 0);
	KT_REQUIRE(r.n > 0);
	KT_CHECK_INT(r.task, 1);
	KT_CHECK_INT(r.items[0].kind, KK_HIT_GUIDE);
	KT_CHECK_STR(r.items[0].ext_id, "hm-01-02"); /* 居民身份证补领、换领 */
	KT_CHECK_STR(r.items[0].ref, "惠民 › 户籍与身份证 › 居民身份证补领、换领");
	kk_search_results_fini(&r);
	KT_CHECK_INT(rank_of("开个小饭馆要办什么证", "hq-09-02"), 0); /* 小餐饮登记（开个小饭馆） */
	/* 饭店 is not in the guide: the sample's synonym list maps it */
	KT_CHECK_INT(rank_of("开饭店要办什么证", "hq-09-02"), 0);
	KT_CHECK_INT(rank_of("买房过户", "hm-05-03"), 0); /* 不动产转移登记（二手房过户） */
	/* chatter around the subject does not veto the match */
	KT_CHECK_INT(rank_of("我想问一下身份证怎么补办啊", "hm-01-02"), 0);
}

static void pinyin_and_initials_find_the_id_card(void)
{
	struct kk_search_results r;
	const char *queries[] = { "sfz", "SFZ", "ｓｆｚ", "shenfenzheng" };
	for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
		KT_REQUIRE(search(queries[k], 3, &r) == 0);
		KT_CHECK(r.n > 0);
		if (r.n)
			KT_CHECK(strstr(r.items[0].title, "身份证") != NULL);
		kk_search_results_fini(&r);
	}
	/* the initials' match is marked on all three characters */
	KT_REQUIRE(search("sfz", 1, &r) == 0);
	KT_REQUIRE(r.n == 1);
	KT_CHECK(r.items[0].n_marks >= 1);
	for (size_t k = 0; k < r.items[0].n_marks; k++)
		KT_CHECK(r.items[0].marks[k].end - r.items[0].marks[k].start == strlen("身份证") &&
			 !memcmp(r.items[0].snippet + r.items[0].marks[k].start, "身份证", strlen("身份证")));
	kk_search_results_fini(&r);
	/* a Latin word that is not pinyin finds nothing, without an error */
	KT_REQUIRE(search("xyzzy", 3, &r) == 0);
	KT_CHECK_INT(r.n, 0);
	kk_search_results_fini(&r);
}

static void loose_document_numbers(void)
{
	/* doc-2023-0018 is 示建〔2023〕37号 */
	KT_CHECK_INT(rank_of("示建〔2023〕37号", "doc-2023-0018"), 0);
	KT_CHECK_INT(rank_of("〔2023〕37号", "doc-2023-0018"), 0);
	KT_CHECK_INT(rank_of("示建2023 37", "doc-2023-0018"), 0);
	KT_CHECK_INT(rank_of("2023年37号", "doc-2023-0018"), 0);
	KT_CHECK_INT(rank_of("（２０２３）３７号", "doc-2023-0018"), 0);
	/* 示政发〔2023〕5号, not 〔2023〕51号 */
	KT_CHECK_INT(rank_of("示政发2023 5号", "doc-2023-0004"), 0);
}

static void valid_documents_rank_above_repealed(void)
{
	/* both are about 创新创业 policies: 2022-0002 有效, 2019-0005 废止 */
	int valid = rank_of("创新创业若干政策", "doc-2022-0002");
	int repealed = rank_of("创新创业若干政策", "doc-2019-0005");
	KT_CHECK(valid >= 0);
	KT_CHECK(repealed > valid);
	/* the 2023 低保 办法 (有效) before the 2019 one (已修订) */
	valid = rank_of("最低生活保障实施办法", "doc-2023-0004");
	KT_CHECK(valid >= 0 && valid < rank_of("最低生活保障实施办法", "doc-2019-0003"));
}

/* The record whose title is what was typed comes first, even when it is 废止 (the resident
 * asked for it by name) or older, and a year typed picks its report. */
static void the_typed_title_wins(void)
{
	KT_CHECK_INT(rank_of("鼓励大众创业万众创新的若干政策意见", "doc-2019-0005"), 0);
	KT_CHECK_INT(rank_of("关于印发支持企业复工复产若干政策措施的通知", "doc-2020-0003"), 0);
	KT_CHECK_INT(rank_of("2024 年度报告", "doc-2025-0004"), 0);
	KT_CHECK_INT(rank_of("2023年度报告", "doc-2024-0005"), 0);
	/* a task question still puts the guide first */
	KT_CHECK_INT(rank_of("身份证丢了怎么补办", "hm-01-02"), 0);
}

static void synonyms_and_stop_words_in_the_expression(void)
{
	char *e = NULL;
	int task = -1;
	KT_REQUIRE(kk_catalog_search_expr(cat, "退休金怎么领", &e, &task) == 0);
	KT_CHECK(strstr(e, "\"养老保险\"") != NULL);
	KT_CHECK(strstr(e, "怎么") == NULL);
	KT_CHECK_INT(task, 1);
	free(e);
	KT_CHECK(rank_of("退休金", "hm-02-02") >= 0); /* 城乡居民基本养老保险待遇领取 */
	/* 个 is a stop word, but not inside the synonym 个体户 */
	KT_REQUIRE(kk_catalog_search_expr(cat, "个体户", &e, &task) == 0);
	KT_CHECK(strstr(e, "\"个体户\"") != NULL);
	KT_CHECK_INT(task, 0);
	free(e);
	/* only stop words: searched after all */
	KT_REQUIRE(kk_catalog_search_expr(cat, "怎么办", &e, &task) == 0);
	KT_CHECK(strstr(e, "怎么") != NULL);
	free(e);
}

static void filters(void)
{
	struct kk_search_query q = { .text = "补贴", .limit = 50 };
	struct kk_search_results r;
	q.kinds = KK_SEARCH_KIND(KK_HIT_GUIDE);
	KT_REQUIRE(kk_catalog_search(cat, &q, &r) == 0);
	KT_CHECK(r.n > 3);
	for (size_t i = 0; i < r.n; i++)
		KT_CHECK_INT(r.items[i].kind, KK_HIT_GUIDE);
	kk_search_results_fini(&r);
	q.text = "办法";
	q.kinds = KK_SEARCH_KIND(KK_HIT_DOCUMENT) | KK_SEARCH_KIND(KK_HIT_INTERPRETATION);
	q.validity = KK_REPEALED;
	KT_REQUIRE(kk_catalog_search(cat, &q, &r) == 0);
	KT_CHECK(r.n >= 1);
	for (size_t i = 0; i < r.n; i++)
		KT_CHECK_INT(r.items[i].validity, KK_REPEALED);
	kk_search_results_fini(&r);
	q.validity = 0;
	q.year = 2024;
	q.publisher = "示例县人民政府办公室";
	KT_REQUIRE(kk_catalog_search(cat, &q, &r) == 0);
	KT_CHECK(r.n >= 1);
	for (size_t i = 0; i < r.n; i++)
		KT_CHECK(r.items[i].date && !strncmp(r.items[i].date, "2024", 4));
	kk_search_results_fini(&r);
}

static void snippets_carry_highlight_ranges(void)
{
	struct kk_search_results r;
	size_t marked = 0;
	KT_REQUIRE(search("最低生活保障", 5, &r) == 0);
	KT_REQUIRE(r.n > 0);
	for (size_t i = 0; i < r.n; i++) {
		const struct kk_search_hit *h = &r.items[i];
		size_t len = strlen(h->snippet);
		KT_CHECK(strchr(h->snippet, '\x02') == NULL && strchr(h->snippet, '\x1e') == NULL);
		for (size_t k = 0; k < h->n_marks; k++) {
			KT_CHECK(h->marks[k].start < h->marks[k].end && h->marks[k].end <= len);
			/* a mark covers exactly the query or one of its synonyms, last character
			 * included */
			if (h->marks[k].end <= len && h->marks[k].start < h->marks[k].end) {
				size_t n = h->marks[k].end - h->marks[k].start;
				const char *m = h->snippet + h->marks[k].start;
				const char *words[] = { "最低生活保障", "低保", "低保金", "吃低保" };
				for (size_t w = 0; w < 4; w++)
					if (n == strlen(words[w]) && !memcmp(m, words[w], n))
						marked++;
			}
		}
	}
	KT_CHECK(marked > 0);
	kk_search_results_fini(&r);
}

static void hostile_queries_never_fail(void)
{
	static char long_text[6001], long_word[2001];
	const char *queries[] = {
		"", " ", "，。！？、；：", "\"", "\"\"\"", "*", "(", ")", ":", "^", "-", "\"*():^-",
		"AND", "OR", "NOT", "NEAR", "NEAR(身份证 补办, 2)", "title : 身份证", "{py}: sfz",
		"身份证 AND", "身份证\" OR \"", "\xff\xfe\xfd", "身\xe8份", "\x01\x02\x03\x1e",
		"🙂🙂🙂", long_text, long_word, NULL,
	};
	struct kk_search_results r;
	for (size_t i = 0; i + 1 < sizeof long_text; i += strlen("身份证丢了怎么补办"))
		if (i + strlen("身份证丢了怎么补办") < sizeof long_text)
			memcpy(long_text + i, "身份证丢了怎么补办", strlen("身份证丢了怎么补办"));
	memset(long_word, 's', sizeof long_word - 1);
	for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
		int rc = search(queries[k], 20, &r);
		if (rc)
			printf("#   query %zu failed: %d\n", k, rc);
		KT_CHECK_INT(rc, 0);
		kk_search_results_fini(&r);
	}
	/* punctuation and symbols alone are "没有找到" */
	KT_REQUIRE(search("\"*():^-，。", 20, &r) == 0);
	KT_CHECK_INT(r.n, 0);
	KT_CHECK_INT(r.total, 0);
	kk_search_results_fini(&r);
	/* the 2,000-character question still finds the guide */
	KT_REQUIRE(search(long_text, 5, &r) == 0);
	KT_CHECK(r.n > 0 && !strcmp(r.items[0].ext_id, "hm-01-02"));
	kk_search_results_fini(&r);
}

static void migrate_adds_the_index(void)
{
	char path[300], cmd[700];
	struct kk_catalog *c = NULL;
	struct kk_search_query q = { .text = "sfz" };
	struct kk_search_results r;
	sqlite3 *db;
	int from = 0;

	snprintf(path, sizeof path, "%s/v1.db", dir);
	snprintf(cmd, sizeof cmd, "cp %s %s", db_path, path);
	KT_REQUIRE(system(cmd) == 0);
	/* make it a version-1 database: no search tables */
	KT_REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
	KT_REQUIRE(kk_fts_register(db) == 0);
	KT_REQUIRE(sqlite3_exec(db, "DROP TABLE search; DROP TABLE search_doc;"
				    " PRAGMA user_version = 1;", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	KT_CHECK_INT(kk_catalog_open(path, &c), KK_EVERSION);
	KT_REQUIRE(kk_catalog_migrate(path, &from) == 0);
	KT_CHECK_INT(from, 1);
	KT_REQUIRE(kk_catalog_open(path, &c) == 0);
	KT_REQUIRE(kk_catalog_search(c, &q, &r) == 0);
	KT_CHECK(r.n > 0 && strstr(r.items[0].title, "身份证"));
	kk_search_results_fini(&r);
	kk_catalog_close(c);
}

/* A paragraph body with text (owned by the caller: kk_body_free). */
static struct kk_body *para_body(const char *text)
{
	struct kk_body *b = kk_body_new();
	struct kk_block *blk = b ? kk_body_add(b, KK_BLOCK_PARA) : NULL;
	if (blk)
		kk_block_set_text(blk, text, strlen(text));
	return b;
}

/* Identical documents that differ only in date or validity, and a guide that mentions the
 * subject only in a section: newer first, valid before expired, and a task question moves
 * the guide up. */
static void ranking_priors(void)
{
	char path[300];
	struct kk_writer *w;
	struct kk_catalog *c = NULL;
	struct kk_doc d[3] = {
		{ .ext_id = "old", .published = "2015-03-01", .validity = KK_VALID },
		{ .ext_id = "new", .published = "2024-03-01", .validity = KK_VALID },
		{ .ext_id = "expired", .published = "2024-03-01", .validity = KK_EXPIRED },
	};
	struct kk_guide_section sec = { .label = "受理条件" };
	struct kk_guide g = { .ext_id = "guide", .book = KK_BOOK_HUIMIN, .group = "社会保障",
			      .title = "待遇领取", .sections = &sec, .n_sections = 1 };
	int plain, task;

	snprintf(path, sizeof path, "%s/priors.db", dir);
	KT_REQUIRE(kk_writer_open(path, &w) == 0);
	for (int i = 0; i < 3; i++) {
		d[i].title = "示例县城乡居民养老保险实施办法";
		d[i].publisher = "示例县人力资源和社会保障局";
		d[i].body = para_body("参加城乡居民养老保险的人员，按月领取养老金。");
		KT_REQUIRE(kk_writer_add_document(w, &d[i]) == 0);
		kk_body_free(d[i].body);
	}
	sec.body = para_body("已参加城乡居民养老保险、年满60周岁的人员。");
	KT_REQUIRE(kk_writer_add_guide(w, &g) == 0);
	kk_body_free(sec.body);
	KT_REQUIRE(kk_writer_finish(w) == 0);
	KT_REQUIRE(kk_catalog_open(path, &c) == 0);
	KT_CHECK_INT(rank_in(c, "养老保险实施办法", "new"), 0);
	KT_CHECK(rank_in(c, "养老保险实施办法", "old") > 0);
	KT_CHECK(rank_in(c, "养老保险实施办法", "expired") > rank_in(c, "养老保险实施办法", "new"));
	KT_CHECK(rank_in(c, "养老保险实施办法", "expired") > rank_in(c, "养老保险实施办法", "old"));
	plain = rank_in(c, "养老保险", "guide");
	task = rank_in(c, "养老保险怎么办理", "guide");
	KT_CHECK(plain > 0);
	KT_CHECK(task >= 0 && task < plain);
	kk_catalog_close(c);
}

/* 长 reads chang and zhang: both readings and both initials find a title with it. */
static void both_readings_of_a_character(void)
{
	char path[300];
	struct kk_writer *w;
	struct kk_catalog *c = NULL;
	struct kk_doc d = { .ext_id = "ltc", .title = "长期护理保险试点办法", .publisher = "示例县医疗保障局",
			    .published = "2024-03-01" };
	const char *queries[] = { "cqhl", "zqhl", "changqi", "zhangqi", "CQHLBX" };
	snprintf(path, sizeof path, "%s/long.db", dir);
	KT_REQUIRE(kk_writer_open(path, &w) == 0);
	KT_REQUIRE(kk_writer_add_document(w, &d) == 0);
	KT_REQUIRE(kk_writer_finish(w) == 0);
	KT_REQUIRE(kk_catalog_open(path, &c) == 0);
	for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
		struct kk_search_query q = { .text = queries[k] };
		struct kk_search_results r;
		KT_REQUIRE(kk_catalog_search(c, &q, &r) == 0);
		if (r.n != 1)
			printf("#   %s: %zu results\n", queries[k], r.n);
		KT_CHECK_INT(r.n, 1);
		kk_search_results_fini(&r);
	}
	kk_catalog_close(c);
}

static void zero_results_are_counted(void)
{
	char path[300], buf[1024];
	FILE *f;
	size_t n;
	int fd;
	KT_CHECK_INT(kk_qstats_miss(dir, "量子\t纠缠\n  问题 ", "2025-11-20"), 0);
	KT_CHECK_INT(kk_qstats_miss(dir, "  \t ", "2025-11-20"), 0); /* nothing to record */
	KT_CHECK_INT(kk_qstats_miss(dir, "x", "2025-13"), KK_EINVAL);
	KT_CHECK_INT(kk_qstats_miss(dir, "\xff宅基地", NULL), 0);
	snprintf(path, sizeof path, "%s/%s", dir, KK_QSTATS_FILE);
	f = fopen(path, "r");
	KT_REQUIRE(f != NULL);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	KT_CHECK(!strncmp(buf, "2025-11-20\t量子 纠缠 问题\n", strlen("2025-11-20\t量子 纠缠 问题\n")));
	KT_CHECK(strstr(buf, "\t宅基地\n") != NULL);
	KT_CHECK_INT(strchr(buf, '\n') - buf, strlen("2025-11-20\t量子 纠缠 问题"));
	/* a full file is moved aside and a new one started */
	fd = open(path, O_WRONLY);
	KT_REQUIRE(fd >= 0);
	KT_REQUIRE(ftruncate(fd, KK_QSTATS_FILE_MAX) == 0);
	close(fd);
	KT_CHECK_INT(kk_qstats_miss(dir, "低保", "2025-11-21"), 0);
	{
		struct stat sb;
		char old[320];
		snprintf(old, sizeof old, "%s.1", path);
		KT_CHECK(stat(old, &sb) == 0 && sb.st_size == KK_QSTATS_FILE_MAX);
		KT_CHECK(stat(path, &sb) == 0 && sb.st_size == (off_t)strlen("2025-11-21\t低保\n"));
	}
}

static void teardown(void)
{
	kk_catalog_close(cat);
	KT_CHECK(kt_rmtree(dir) == 0);
}

KT_MAIN(KT_CASE(setup), KT_CASE(task_questions_put_the_guide_first),
	KT_CASE(pinyin_and_initials_find_the_id_card), KT_CASE(loose_document_numbers),
	KT_CASE(valid_documents_rank_above_repealed), KT_CASE(the_typed_title_wins),
	KT_CASE(synonyms_and_stop_words_in_the_expression), KT_CASE(filters),
	KT_CASE(snippets_carry_highlight_ranges), KT_CASE(hostile_queries_never_fail),
	KT_CASE(migrate_adds_the_index), KT_CASE(both_readings_of_a_character), KT_CASE(ranking_priors),
	KT_CASE(zero_results_are_counted), KT_CASE(teardown))
