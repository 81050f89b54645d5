/*
 * test_gen.c — the synthetic export generator (offline-db/kioskdb/gen.c).
 *
 * Generates small exports into folders under /tmp and checks them the way `kioskdb build`
 * will read them: every line parses, required keys are there with the right types, ids are
 * unique, links point at existing documents (later for replaced_by, earlier for interprets),
 * bodies have the promised length, and the same seed gives the same bytes.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "kioskdb/gen.h"
#include "kt.h"

#define NDOCS 400
#define NGUIDES 61

/* KT_REQUIRE for tests that own a temp folder: record the failure and go to the cleanup. */
#define REQUIRE_OUT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			KT_FAIL_("requirement failed: %s", #cond);                                 \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

/* A fresh empty folder under /tmp (path written to out, PATH_MAX-ish room); 0 on success. */
static int tmp_dir(char out[256])
{
	snprintf(out, 256, "/tmp/kk_test_gen_XXXXXX");
	return mkdtemp(out) ? 0 : -1;
}

/* Remove a folder and everything in it (the generator writes no deeper than two levels). */
static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1200];
	struct stat st;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* Read dir/name into b, which the caller has initialised; returns 0 or a kk_err. */
static int read_in(struct kk_buf *b, const char *dir, const char *name)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return kk_buf_read_file(b, path);
}

/* The string member key of o, or NULL when missing or not a string. */
static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* 1 if s is one of the NULL-terminated list. */
static int one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (s && strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* 1 if s is a valid export id: 1–64 of A-Z a-z 0-9 . _ - */
static int valid_id(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;
	if (n < 1 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* 1 if s is YYYY-MM-DD with a year in 2010..2025. */
static int valid_date(const char *s)
{
	int y, m, d;
	char tail;
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return 0;
	return y >= 2010 && y <= 2025 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Index of id in ids[0..n), or -1. */
static long find_id(char **ids, long n, const char *id)
{
	long i;
	for (i = 0; id && i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return i;
	return -1;
}

/* Split b into lines in place; returns the count (the file must end with a newline). */
static long split_lines(struct kk_buf *b, char **lines, long max)
{
	long n = 0;
	char *p = b->data, *nl;
	while (p && *p && (nl = strchr(p, '\n')) != NULL) {
		*nl = '\0';
		if (n < max)
			lines[n] = p;
		n++;
		p = nl + 1;
	}
	return n;
}

/* Generate into a new folder dir/sub; returns kk_gen_export's result. */
static int gen_into(char out[512], const char *dir, const char *sub, long docs, long guides,
                    unsigned seed)
{
	struct kk_gen_opts o = {docs, guides, seed};
	snprintf(out, 512, "%s/%s", dir, sub);
	return kk_gen_export(out, &o);
}

/* 1 if dir_a/name and dir_b/name hold the same bytes. */
static int same_file(const char *dir_a, const char *dir_b, const char *name)
{
	struct kk_buf x, y;
	int same;

	kk_buf_init(&x, 64u << 20);
	kk_buf_init(&y, 64u << 20);
	same = read_in(&x, dir_a, name) == 0 && read_in(&y, dir_b, name) == 0 && x.len == y.len &&
	       (x.len == 0 || memcmp(x.data, y.data, x.len) == 0);
	kk_buf_fini(&x);
	kk_buf_fini(&y);
	return same;
}

/* 1 if dir/name exists as a regular file. */
static int is_file(const char *dir, const char *name)
{
	char path[1200];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- tests ---------------------------------------------------------------------------------- */

/* All four files appear in a folder that did not exist; site.json has what FORMAT requires. */
static void gen_writes_all_files(void)
{
	char tmp[256], out[512];
	struct kk_buf b;
	json_t *site;

	KT_REQUIRE(tmp_dir(tmp) == 0);
	KT_CHECK_INT(gen_into(out, tmp, "new/export", 20, 6, 1), 0);
	KT_CHECK(is_file(out, "site.json"));
	KT_CHECK(is_file(out, "documents.jsonl"));
	KT_CHECK(is_file(out, "guides.jsonl"));
	KT_CHECK(is_file(out, "synonyms.txt"));

	kk_buf_init(&b, 1u << 20);
	KT_CHECK_INT(read_in(&b, out, "site.json"), 0);
	site = b.data ? json_loads(b.data, 0, NULL) : NULL;
	KT_CHECK(site != NULL);
	if (site) {
		json_t *v = json_object_get(site, "version");
		KT_CHECK(str_of(site, "publisher") != NULL);
		KT_CHECK(json_is_integer(json_object_get(v, "epoch")));
		KT_CHECK(json_is_integer(json_object_get(v, "seq")));
		json_decref(site);
	}
	kk_buf_reset(&b);
	KT_CHECK_INT(read_in(&b, out, "synonyms.txt"), 0);
	KT_CHECK(b.len > 0 && kk_utf8_valid(b.data, b.len, NULL));
	KT_CHECK(b.data && strstr(b.data, "\n公积金 住房公积金\n") != NULL);
	kk_buf_fini(&b);
	rm_tree(tmp);
}

/*
 * documents.jsonl: one valid object per line with the required keys, unique ids, links to
 * existing documents (replaced_by later, interprets earlier), bodies of 300–3,000 characters.
 */
static void gen_documents_are_valid(void)
{
	static const char *const series[] = {"行政规范性文件",
	                                     "政策解读",
	                                     "政府信息公开指南",
	                                     "政府信息公开工作年度报告",
	                                     "政府公报",
	                                     "其他文件",
	                                     NULL};
	static const char *const validity[] = {"有效", "失效", "废止", "已修订", NULL};
	static const char *const genres[] = {"通知", "意见", "办法", "规定", "决定", "公告",
	                                     "通告", "方案", "报告", "批复", "函",   "规划",
	                                     "解读", "指南", "其他", NULL};
	static const char *const short_keys[] = {"id",        "index_no", "doc_no",
	                                         "publisher", "url",      NULL};
	static char *lines[NDOCS + 8];
	char *ids[NDOCS];
	json_t *docs[NDOCS];
	char tmp[256], out[512];
	struct kk_buf b;
	long n, i, k, n_interp = 0, n_repl = 0, n_html = 0, n_text = 0, n_docno = 0;

	kk_buf_init(&b, 64u << 20);
	KT_REQUIRE(tmp_dir(tmp) == 0);
	REQUIRE_OUT(gen_into(out, tmp, "x", NDOCS, 0, 42) == 0);
	REQUIRE_OUT(read_in(&b, out, "documents.jsonl") == 0);
	KT_CHECK(kk_utf8_valid(b.data, b.len, NULL));
	n = split_lines(&b, lines, NDOCS + 8);
	KT_CHECK_INT(n, NDOCS);
	if (n > NDOCS)
		n = NDOCS;

	for (i = 0; i < n; i++) {
		json_error_t err;
		json_t *d = json_loads(lines[i], 0, &err);
		const char *id, *body;

		docs[i] = d;
		ids[i] = "";
		if (!d) {
			KT_FAIL_("line %ld does not parse: %s", i + 1, err.text);
			continue;
		}
		KT_CHECK(json_is_object(d));
		id = str_of(d, "id");
		KT_CHECK(valid_id(id));
		ids[i] = (char *)(id ? id : "");
		if (find_id(ids, i, id) >= 0)
			KT_FAIL_("duplicate id %s", id);
		KT_CHECK(str_of(d, "title") != NULL && strlen(str_of(d, "title")) <= 512);
		for (k = 0; short_keys[k]; k++)
			if (str_of(d, short_keys[k]))
				KT_CHECK(strlen(str_of(d, short_keys[k])) <= 256);
		KT_CHECK(str_of(d, "publisher") != NULL);
		KT_CHECK(valid_date(str_of(d, "published")));
		if (json_object_get(d, "written")) {
			KT_CHECK(valid_date(str_of(d, "written")));
			KT_CHECK(strcmp(str_of(d, "written"), str_of(d, "published")) <= 0);
		}
		if (json_object_get(d, "validity"))
			KT_CHECK(one_of(str_of(d, "validity"), validity));
		if (json_object_get(d, "series"))
			KT_CHECK(one_of(str_of(d, "series"), series));
		KT_CHECK(one_of(str_of(d, "genre"), genres));
		KT_CHECK(json_is_array(json_object_get(d, "topics")) &&
		         json_array_size(json_object_get(d, "topics")) >= 1);
		n_docno += str_of(d, "doc_no") != NULL;

		/* exactly one body */
		KT_CHECK((str_of(d, "body_text") != NULL) != (str_of(d, "body_html") != NULL));
		if ((body = str_of(d, "body_text")) != NULL) {
			size_t chars = kk_utf8_count(body, strlen(body));
			n_text++;
			if (chars < 300 || chars > 3000)
				KT_FAIL_("%s: body_text of %zu characters", id, chars);
		} else if ((body = str_of(d, "body_html")) != NULL) {
			n_html++;
			KT_CHECK(strncmp(body, "<", 1) == 0 && strstr(body, "<p>") != NULL);
		}

		if (one_of(str_of(d, "series"), (const char *const[]){"政策解读", NULL})) {
			n_interp++;
			KT_CHECK(str_of(d, "interprets") != NULL);
			KT_CHECK(
			    one_of(str_of(d, "form"), (const char *const[]){"文字解读", "简明问答",
			                                                    "图表图解", NULL}));
		}
		if (str_of(d, "replaced_by")) {
			n_repl++;
			KT_CHECK(one_of(str_of(d, "validity"),
			                (const char *const[]){"失效", "废止", "已修订", NULL}));
		}
	}

	/* links, now that every id is known */
	for (i = 0; i < n; i++) {
		const char *to;
		if (!docs[i])
			continue;
		if ((to = str_of(docs[i], "replaced_by")) != NULL) {
			k = find_id(ids, n, to);
			if (k < 0)
				KT_FAIL_("%s: replaced_by %s does not exist", ids[i], to);
			else
				KT_CHECK(strcmp(str_of(docs[k], "published"),
				                str_of(docs[i], "published")) > 0);
		}
		if ((to = str_of(docs[i], "interprets")) != NULL) {
			k = find_id(ids, n, to);
			if (k < 0)
				KT_FAIL_("%s: interprets %s does not exist", ids[i], to);
			else
				KT_CHECK(k != i && strcmp(str_of(docs[k], "published"),
				                          str_of(docs[i], "published")) <= 0);
		}
	}
	/* the mix a benchmark needs is there */
	KT_CHECK(n_interp > 0);
	KT_CHECK(n_repl > 0);
	KT_CHECK(n_html > 0);
	KT_CHECK(n_text > n_html);
	KT_CHECK(n_docno > 0);

	for (i = 0; i < n; i++)
		json_decref(docs[i]);
out:
	kk_buf_fini(&b);
	rm_tree(tmp);
}

/*
 * guides.jsonl: valid objects, unique ids, books split in half, each group in one run, and the
 * twelve standard labels in order (a publisher's extra label may sit between them).
 */
static void gen_guides_are_valid(void)
{
	static const char *const labels[] = {"事项名称", "实施主体", "设定依据", "受理条件",
	                                     "申请材料", "办理流程", "办理时限", "收费标准",
	                                     "办理地点", "办理时间", "咨询电话", "监督投诉电话"};
	static char *lines[NGUIDES + 8];
	char *ids[NGUIDES], last_group[128] = "";
	char seen_groups[64][128];
	long n, i, n_seen = 0, per_book[2] = {0, 0};
	char tmp[256], out[512];
	struct kk_buf b;
	json_t *gs[NGUIDES];

	kk_buf_init(&b, 64u << 20);
	KT_REQUIRE(tmp_dir(tmp) == 0);
	REQUIRE_OUT(gen_into(out, tmp, "x", 0, NGUIDES, 42) == 0);
	REQUIRE_OUT(read_in(&b, out, "guides.jsonl") == 0);
	n = split_lines(&b, lines, NGUIDES + 8);
	KT_CHECK_INT(n, NGUIDES);
	if (n > NGUIDES)
		n = NGUIDES;

	for (i = 0; i < n; i++) {
		json_t *gd = json_loads(lines[i], 0, NULL), *secs;
		const char *id, *book, *group;
		size_t s, want = 0;

		gs[i] = gd;
		ids[i] = "";
		if (!gd) {
			KT_FAIL_("guide line %ld does not parse", i + 1);
			continue;
		}
		id = str_of(gd, "id");
		KT_CHECK(valid_id(id));
		if (find_id(ids, i, id) >= 0)
			KT_FAIL_("duplicate id %s", id);
		ids[i] = (char *)(id ? id : "");
		book = str_of(gd, "book");
		KT_CHECK(one_of(book, (const char *const[]){"惠民", "惠企", NULL}));
		per_book[book && strcmp(book, "惠企") == 0]++;
		KT_CHECK(str_of(gd, "title") != NULL);
		group = str_of(gd, "group");
		if (!group || strlen(group) >= sizeof last_group) {
			KT_FAIL_("guide line %ld: no usable group", i + 1);
			continue;
		}
		if (strcmp(group, last_group) != 0) {
			long j;
			for (j = 0; j < n_seen; j++)
				if (strcmp(seen_groups[j], group) == 0)
					KT_FAIL_("group %s appears in two runs", group);
			if (n_seen < 64)
				snprintf(seen_groups[n_seen++], sizeof seen_groups[0], "%s", group);
			snprintf(last_group, sizeof last_group, "%s", group);
		}
		if (json_object_get(gd, "updated"))
			KT_CHECK(valid_date(str_of(gd, "updated")));
		secs = json_object_get(gd, "sections");
		if (!json_is_array(secs)) {
			KT_FAIL_("guide line %ld: sections is not an array", i + 1);
			continue;
		}
		for (s = 0; s < json_array_size(secs); s++) {
			json_t *sec = json_array_get(secs, s);
			const char *label = str_of(sec, "label"), *text = str_of(sec, "text");
			KT_CHECK(label != NULL && text != NULL && text[0] != '\0');
			if (want < 12 && label && strcmp(label, labels[want]) == 0)
				want++;
		}
		KT_CHECK_INT(want, 12);
		KT_CHECK_STR(json_string_value(json_object_get(json_array_get(secs, 0), "text")),
		             str_of(gd, "title"));
	}
	KT_CHECK_INT(per_book[0], (NGUIDES + 1) / 2);
	KT_CHECK_INT(per_book[1], NGUIDES / 2);
	for (i = 0; i < n; i++)
		json_decref(gs[i]);
out:
	kk_buf_fini(&b);
	rm_tree(tmp);
}

/* Same seed: identical bytes in every file. Another seed: different documents and guides. */
static void gen_is_deterministic(void)
{
	static const char *const files[] = {"site.json", "documents.jsonl", "guides.jsonl",
	                                    "synonyms.txt"};
	char tmp[256], a[512], b[512], c[512];
	size_t i;

	KT_REQUIRE(tmp_dir(tmp) == 0);
	REQUIRE_OUT(gen_into(a, tmp, "a", 150, 30, 7) == 0);
	REQUIRE_OUT(gen_into(b, tmp, "b", 150, 30, 7) == 0);
	REQUIRE_OUT(gen_into(c, tmp, "c", 150, 30, 8) == 0);
	for (i = 0; i < sizeof files / sizeof files[0]; i++)
		if (!same_file(a, b, files[i]))
			KT_FAIL_("%s differs between two runs with seed 7", files[i]);
	KT_CHECK(!same_file(a, c, "documents.jsonl"));
	KT_CHECK(!same_file(a, c, "guides.jsonl"));
out:
	rm_tree(tmp);
}

/* A folder with something in it, a path that is a file and bad counts are refused. */
static void gen_refuses_bad_targets(void)
{
	struct kk_gen_opts o = {10, 2, 1};
	char tmp[256], path[512];
	FILE *f;

	KT_REQUIRE(tmp_dir(tmp) == 0);
	snprintf(path, sizeof path, "%s/keep.txt", tmp);
	f = fopen(path, "w");
	REQUIRE_OUT(f != NULL);
	fputs("not an export\n", f);
	REQUIRE_OUT(fclose(f) == 0);

	KT_CHECK_INT(kk_gen_export(tmp, &o), KK_EINVAL);
	KT_CHECK(!is_file(tmp, "documents.jsonl"));
	KT_CHECK(is_file(tmp, "keep.txt"));
	KT_CHECK_INT(kk_gen_export(path, &o), KK_EINVAL); /* a file, not a folder */

	snprintf(path, sizeof path, "%s/neg", tmp);
	o.documents = -1;
	KT_CHECK_INT(kk_gen_export(path, &o), KK_EINVAL);
	o.documents = 1;
	o.guides = KK_GEN_MAX_GUIDES + 1;
	KT_CHECK_INT(kk_gen_export(path, &o), KK_EINVAL);
	KT_CHECK_INT(kk_gen_export(NULL, &o), KK_EINVAL);
	KT_CHECK_INT(kk_gen_export("", &o), KK_EINVAL);
out:
	rm_tree(tmp);
}

/* Zero documents and guides still make a valid export: the files exist and are empty. */
static void gen_handles_empty_export(void)
{
	char tmp[256], out[512];
	struct kk_buf b;

	kk_buf_init(&b, 1u << 20);
	KT_REQUIRE(tmp_dir(tmp) == 0);
	REQUIRE_OUT(gen_into(out, tmp, "empty", 0, 0, 3) == 0);
	KT_CHECK_INT(read_in(&b, out, "documents.jsonl"), 0);
	KT_CHECK_INT(b.len, 0);
	kk_buf_reset(&b);
	KT_CHECK_INT(read_in(&b, out, "guides.jsonl"), 0);
	KT_CHECK_INT(b.len, 0);
	KT_CHECK(is_file(out, "site.json"));
out:
	kk_buf_fini(&b);
	rm_tree(tmp);
}

KT_MAIN(KT_CASE(gen_writes_all_files), KT_CASE(gen_documents_are_valid),
        KT_CASE(gen_guides_are_valid), KT_CASE(gen_is_deterministic),
        KT_CASE(gen_refuses_bad_targets), KT_CASE(gen_handles_empty_export))
