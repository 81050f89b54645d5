/* test_tokenize.c — the search tokenizer: byte offsets of unigrams and bigrams, folding of
 * full-width and upper-case text, words, pinyin readings and initials (长 → c and z), the
 * segmentation of typed pinyin, and hostile bytes. */
#include <stdio.h>
#include <string.h>

#include "text/tokenize.h"
#include "kt.h"

/* Tokens collected as "tok@start-end" ("+" prefix when colocated), separated by spaces. */
struct collect {
	char out[4096];
	size_t n, count;
};

static int collect_fn(void *ctx, const char *tok, size_t len, size_t start, size_t end,
		      int colocated, int cls)
{
	struct collect *c = ctx;
	int k;
	(void)cls;
	if (len == 0 || len > KK_TOK_MAX || end <= start)
		return -1; /* never emitted: fail the test through the return value */
	k = snprintf(c->out + c->n, sizeof c->out - c->n, "%s%s%.*s@%zu-%zu", c->n ? " " : "",
		     colocated ? "+" : "", (int)len, tok, start, end);
	if (k < 0 || (size_t)k >= sizeof c->out - c->n)
		return -2;
	c->n += (size_t)k;
	c->count++;
	return 0;
}

static const char *toks(const char *text, enum kk_tok_mode mode)
{
	static struct collect c;
	memset(&c, 0, sizeof c);
	if (kk_tokenize(text, strlen(text), mode, collect_fn, &c) != 0)
		return "(error)";
	return c.out;
}

static void unigrams_and_bigrams_at_byte_offsets(void)
{
	/* 身 份 证 are 3 bytes each; the bigram spans both characters */
	KT_CHECK_STR(toks("身份证", KK_TOK_DOCUMENT),
		     "身@0-3 +身份@0-6 份@3-6 +份证@3-9 证@6-9");
	/* punctuation ends a run: no bigram across "，" */
	KT_CHECK_STR(toks("补办，换领", KK_TOK_DOCUMENT),
		     "补@0-3 +补办@0-6 办@3-6 换@9-12 +换领@9-15 领@12-15");
	KT_CHECK_STR(toks("证", KK_TOK_DOCUMENT), "证@0-3");
}

static void query_runs_become_bigram_phrases(void)
{
	KT_CHECK_STR(toks("身份证", KK_TOK_QUERY), "身份@0-6 份证@3-9");
	KT_CHECK_STR(toks("证", KK_TOK_QUERY), "证@0-3");
	KT_CHECK_STR(toks("过户 2023", KK_TOK_QUERY), "过户@0-6 2023@7-11");
}

static void folding_of_widths_and_case(void)
{
	/* full-width letters and digits fold to ASCII lower case; offsets stay in the input */
	KT_CHECK_STR(toks("ＰＤＦ２０２３", KK_TOK_DOCUMENT), "pdf@0-9 2023@9-21");
	KT_CHECK_STR(toks("Word文档", KK_TOK_DOCUMENT), "word@0-4 文@4-7 +文档@4-10 档@7-10");
	KT_CHECK_STR(toks("ÉCOLE", KK_TOK_DOCUMENT), "école@0-6");
	/* 文号 written three ways give the same numbers */
	KT_CHECK_STR(toks("〔2023〕37号", KK_TOK_QUERY), "2023@3-7 37@10-12 号@12-15");
	KT_CHECK_STR(toks("（２０２３）３７号", KK_TOK_QUERY), "2023@3-15 37@18-24 号@24-27");
	KT_CHECK_STR(toks("郯政办字2023 37", KK_TOK_RUNS), "郯政办字@0-12 2023@12-16 37@17-19");
	/* letters and digits are separate words */
	KT_CHECK_STR(toks("a4纸", KK_TOK_RUNS), "a@0-1 4@1-2 纸@2-5");
}

static void separators_and_hostile_bytes(void)
{
	KT_CHECK_STR(toks("\"*():^-，。、；：！？《》“”……　", KK_TOK_QUERY), "");
	KT_CHECK_STR(toks("", KK_TOK_DOCUMENT), "");
	/* invalid UTF-8 separates, never crashes, never yields bytes of its own */
	KT_CHECK_STR(toks("\xff身\xe8\xba份\xc0\x80x", KK_TOK_DOCUMENT), "身@1-4 份@6-9 x@11-12");
	/* a truncated sequence at the very end */
	KT_CHECK_STR(toks("证\xe8", KK_TOK_DOCUMENT), "证@0-3");
	/* a very long word is cut into pieces of at most KK_TOK_MAX bytes */
	{
		char w[300];
		struct collect c = { 0 };
		memset(w, 'a', sizeof w - 1);
		w[sizeof w - 1] = 0;
		KT_CHECK_INT(kk_tokenize(w, strlen(w), KK_TOK_DOCUMENT, collect_fn, &c), 0);
		KT_CHECK_INT(c.count, (299 + KK_TOK_MAX - 1) / KK_TOK_MAX);
	}
}

static void pinyin_readings_and_initials(void)
{
	const char *r;
	size_t n = kk_pinyin_readings(0x957F, &r); /* 长 */
	KT_REQUIRE(n == 2);
	KT_CHECK_STR(r, "chang");
	KT_CHECK_STR(r + strlen(r) + 1, "zhang");
	KT_CHECK_INT(kk_pinyin_readings('a', &r), 0);
	/* 长 indexes both readings and both initials at one position */
	KT_CHECK_STR(toks("长", KK_TOK_PINYIN), "chang@0-3 +zhang@0-3 +c@0-3 +z@0-3");
	/* 身 has shen and juan (身毒); 证 only zheng; the pairs of initials span both */
	KT_CHECK_STR(toks("身证", KK_TOK_PINYIN),
		     "juan@0-3 +shen@0-3 +j@0-3 +s@0-3 +_jz@0-6 +_sz@0-6 zheng@3-6 +z@3-6");
	/* typed initials become the phrase of their pairs; syllables stay themselves */
	KT_CHECK_STR(toks("s f z", KK_TOK_PINYIN_QUERY), "_sf@0-3 _fz@2-5");
	KT_CHECK_STR(toks("shen f z", KK_TOK_PINYIN_QUERY), "shen@0-4 f@5-6 z@7-8");
	KT_CHECK_STR(toks("s", KK_TOK_PINYIN_QUERY), "s@0-1");
	KT_CHECK_STR(toks("", KK_TOK_PINYIN_QUERY), "");
	/* the pinyin mode emits nothing for Latin words and digits */
	KT_CHECK_STR(toks("ABC 2023", KK_TOK_PINYIN), "");
	/* ü is written v */
	KT_CHECK(kk_pinyin_readings(0x7EFF, &r) >= 1); /* 绿 */
	KT_CHECK(strstr(toks("绿", KK_TOK_PINYIN), "lv@0-3") != NULL);
	KT_CHECK(kk_pinyin_is_syllable("zhuang", 6));
	KT_CHECK(kk_pinyin_is_syllable("lv", 2));
	KT_CHECK(!kk_pinyin_is_syllable("zhuangg", 7));
	KT_CHECK(!kk_pinyin_is_syllable("sf", 2));
}

static void pinyin_segmentation(void)
{
	char out[80];
	KT_CHECK_INT(kk_pinyin_segment("shenfenzheng", 12, out, sizeof out), 3);
	KT_CHECK_STR(out, "shen fen zheng");
	KT_CHECK_INT(kk_pinyin_segment("sfz", 3, out, sizeof out), 3);
	KT_CHECK_STR(out, "s f z");
	KT_CHECK_INT(kk_pinyin_segment("xian", 4, out, sizeof out), 1);
	KT_CHECK_STR(out, "xian");
	KT_CHECK_INT(kk_pinyin_segment("shenfz", 6, out, sizeof out), 3);
	KT_CHECK_STR(out, "shen f z");
	KT_CHECK_INT(kk_pinyin_segment("buban", 5, out, sizeof out), 2);
	KT_CHECK_STR(out, "bu ban");
	/* "i" "u" "v" start no syllable; digits and upper case are not pinyin */
	KT_CHECK_INT(kk_pinyin_segment("iu", 2, out, sizeof out), 0);
	KT_CHECK_INT(kk_pinyin_segment("a1", 2, out, sizeof out), 0);
	KT_CHECK_INT(kk_pinyin_segment("SFZ", 3, out, sizeof out), 0);
	KT_CHECK_INT(kk_pinyin_segment("sfz", 3, out, 4), 0); /* no room */
	KT_CHECK_INT(kk_pinyin_segment("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 33, out, sizeof out), 0);
}

KT_MAIN(KT_CASE(unigrams_and_bigrams_at_byte_offsets), KT_CASE(query_runs_become_bigram_phrases), KT_CASE(folding_of_widths_and_case), KT_CASE(separators_and_hostile_bytes), KT_CASE(pinyin_readings_and_initials), KT_CASE(pinyin_segmentation))
