/*
 * fuzz_searchquery.c — libFuzzer entry point for search: the bytes are a query a resident (or
 * a script) typed. They go through the tokenizer in every mode, the pinyin segmenter, and
 * kk_catalog_search on a small database built once per process with the tool's writer (a
 * document with a 文号, a repealed one, a guide with sections, synonym groups). abort() marks
 * a violation: search must return 0 for any input (never an FTS5 syntax error), tokens must lie
 * inside the input, in order, at most KK_TOK_MAX bytes, never colocated first; highlight
 * ranges must lie inside their snippet; the segmenter's pieces must spell the word.
 *
 * Build like fuzz_bodyimport.c (the Makefile's `make fuzz` links every core and tool source).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/body.h"
#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog.h"
#include "catalog/catalog_build.h"
#include "text/tokenize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kk_catalog *cat;
static char db_dir[] = "/tmp/kk-fuzz-search-XXXXXX";
static char db_path[300];

static void check(int ok)
{
	if (!ok)
		abort();
}

static void cleanup(void)
{
	kk_catalog_close(cat);
	unlink(db_path);
	rmdir(db_dir);
}

/* A document with one paragraph. */
static void add_doc(struct kk_writer *w, const char *id, const char *title, const char *no,
		    int validity, const char *text)
{
	struct kk_doc d = { 0 };
	struct kk_block *b;
	d.ext_id = (char *)id;
	d.title = (char *)title;
	d.doc_no = (char *)no;
	d.publisher = "示例县人民政府";
	d.published = "2023-05-06";
	d.validity = validity;
	d.series = KK_SERIES_REGULATION;
	d.body = kk_body_new();
	b = kk_body_add(d.body, KK_BLOCK_PARA);
	check(b && kk_block_set_text(b, text, strlen(text)) == 0);
	check(kk_writer_add_document(w, &d) == 0);
	kk_body_free(d.body);
}

static void open_db(void)
{
	struct kk_writer *w;
	struct kk_guide g = { 0 };
	struct kk_guide_section sec = { .label = "申请材料" };
	char *syn1[] = { "补办", "补领" }, *syn2[] = { "身份证", "居民身份证" };
	struct kk_block *b;

	kk_log_set_level(KK_LOG_ERROR);
	check(mkdtemp(db_dir) != NULL);
	snprintf(db_path, sizeof db_path, "%s/f.db", db_dir);
	check(kk_writer_open(db_path, &w) == 0);
	add_doc(w, "d1", "示例县人民政府关于印发最低生活保障办法的通知", "示政发〔2023〕5号", KK_VALID,
		"第一条 为了保障城乡居民基本生活，制定本办法。AND OR NEAR \"*\"。");
	add_doc(w, "d2", "示例县鼓励创业若干政策", "示政发〔2019〕12号", KK_REPEALED,
		"创业担保贷款，ＰＤＦ附件，长期有效。");
	g.ext_id = "g1";
	g.book = KK_BOOK_HUIMIN;
	g.group = "户籍与身份证";
	g.title = "居民身份证补领";
	g.sections = &sec;
	g.n_sections = 1;
	sec.body = kk_body_new();
	b = kk_body_add(sec.body, KK_BLOCK_ITEM);
	check(b && kk_block_set_text(b, "居民户口簿原件", strlen("居民户口簿原件")) == 0);
	check(kk_writer_add_guide(w, &g) == 0);
	kk_body_free(sec.body);
	check(kk_writer_add_synonyms(w, syn1, 2) == 0 && kk_writer_add_synonyms(w, syn2, 2) == 0);
	check(kk_writer_finish(w) == 0);
	check(kk_catalog_open(db_path, &cat) == 0);
	atexit(cleanup);
}

struct tok_state {
	size_t len, last_start, count;
};

static int tok_check(void *ctx, const char *tok, size_t len, size_t start, size_t end,
		     int colocated, int cls)
{
	struct tok_state *s = ctx;
	check(tok != NULL && len > 0 && len <= KK_TOK_MAX);
	check(start < end && end <= s->len);
	check(s->count > 0 || !colocated);
	check(start >= s->last_start);
	check(cls >= KK_TOKC_HAN && cls <= KK_TOKC_NUMBER);
	s->last_start = start;
	s->count++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kk_search_query q = { 0 };
	struct kk_search_results r;
	char *text, seg[80];
	size_t n;

	if (!cat)
		open_db();
	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (int mode = KK_TOK_DOCUMENT; mode <= KK_TOK_RUNS; mode++) {
		struct tok_state s = { .len = size };
		check(kk_tokenize(text, size, (enum kk_tok_mode)mode, tok_check, &s) == 0);
	}
	n = kk_pinyin_segment(text, size, seg, sizeof seg);
	if (n) {
		/* the pieces, without their spaces, spell the word */
		size_t o = 0;
		for (size_t i = 0; seg[i]; i++)
			if (seg[i] != ' ')
				check(o < size && seg[i] == text[o++]);
		check(o == size);
	}
	q.text = text;
	q.limit = 5;
	check(kk_catalog_search(cat, &q, &r) == 0);
	check(r.n <= 5 && r.total >= r.n);
	for (size_t i = 0; i < r.n; i++) {
		size_t len = strlen(r.items[i].snippet);
		check(r.items[i].title && r.items[i].ext_id);
		for (size_t k = 0; k < r.items[i].n_marks; k++)
			check(r.items[i].marks[k].start <= r.items[i].marks[k].end &&
			      r.items[i].marks[k].end <= len);
	}
	kk_search_results_fini(&r);
	free(text);
	return 0;
}
