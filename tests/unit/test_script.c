/* test_script.c — the headless script parser. */
#include <string.h>

#include "app/script.h"
#include "base/err.h"
#include "kt.h"

static int parse(const char *text, struct kk_script *s, char *err)
{
	return kk_script_parse("s.txt", text, strlen(text), s, err, 256);
}

static void test_every_command(void)
{
	struct kk_script s;
	char err[256] = "";
	const char *text = "# walk the catalogue\n"
			   "tap 100 200\n"
			   "  drag 10 900 10 100 300\n"
			   "type 身份证 补办\n"
			   "key Escape\n"
			   "key Return\r\n"
			   "wait 500\n"
			   "idle 130\n"
			   "shot home-1\n";
	KT_REQUIRE(parse(text, &s, err) == 0);
	KT_REQUIRE(s.n == 8);
	KT_CHECK_INT(s.cmds[0].kind, KK_CMD_TAP);
	KT_CHECK_INT(s.cmds[0].a[1], 200);
	KT_CHECK_INT(s.cmds[0].line, 2);
	KT_CHECK_INT(s.cmds[1].kind, KK_CMD_DRAG);
	KT_CHECK_INT(s.cmds[1].a[4], 300);
	KT_CHECK_STR(s.cmds[2].text, "身份证 补办");
	KT_CHECK_INT(s.cmds[3].a[0], KK_KEY_BACK);
	KT_CHECK_INT(s.cmds[4].a[0], KK_KEY_RETURN);
	KT_CHECK_INT(s.cmds[5].a[0], 500);
	KT_CHECK_INT(s.cmds[6].a[0], 130);
	KT_CHECK_STR(s.cmds[7].text, "home-1");
	kk_script_fini(&s);
}

static void test_errors_name_the_line(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "tap 1 2\nfly 3 4\n", "s.txt:2: unknown command \"fly\"" },
		{ "tap 1\n", "s.txt:1: tap takes X Y" },
		{ "tap 1 2 3\n", "s.txt:1: tap takes X Y" },
		{ "tap -1 2\n", "s.txt:1: tap takes X Y" },
		{ "tap 1x 2\n", "s.txt:1: tap takes X Y" },
		{ "\n\ndrag 1 2 3 4 0\n", "s.txt:3: drag takes" },
		{ "wait soon\n", "s.txt:1: wait takes MS" },
		{ "idle -5\n", "s.txt:1: idle takes SECONDS" },
		{ "key Hyper\n", "s.txt:1: unknown key" },
		{ "type\n", "s.txt:1: type needs TEXT" },
		{ "shot ../../etc/passwd\n", "s.txt:1: shot takes NAME" },
		{ "shot\n", "s.txt:1: shot takes NAME" },
		{ "tap 1 2\n\xff\n", "s.txt:2: not valid UTF-8" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kk_script s;
		char err[256] = "";
		int rc = parse(cases[i].text, &s, err);
		KT_CHECK_INT(rc, KK_EINVAL);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)))
			KT_FAIL_("case %zu: got \"%s\", want \"%s…\"", i, err, cases[i].want);
		KT_CHECK(s.n == 0 && s.cmds == NULL);
	}
}

static void test_empty_and_comments(void)
{
	struct kk_script s;
	char err[256];
	KT_CHECK_INT(parse("", &s, err), 0);
	KT_CHECK_INT(s.n, 0);
	KT_CHECK_INT(parse("# only\n   \n\t# comments\n", &s, err), 0);
	KT_CHECK_INT(s.n, 0);
	kk_script_fini(&s);
}

static void test_missing_file(void)
{
	struct kk_script s;
	char err[256];
	KT_CHECK_INT(kk_script_load("/nonexistent/script.txt", &s, err, sizeof err), KK_ENOENT);
	KT_CHECK(strstr(err, "no such file") != NULL);
}

KT_MAIN(KT_CASE(test_every_command), KT_CASE(test_errors_name_the_line),
	KT_CASE(test_empty_and_comments), KT_CASE(test_missing_file))
