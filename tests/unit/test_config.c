/* test_config.c — the configuration parser: defaults, every key, every kind of problem. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"
#include "base/err.h"
#include "kt.h"

static int parse(struct kk_config *c, const char *text, struct kk_config_problems *p)
{
	kk_config_defaults(c);
	memset(p, 0, sizeof *p);
	return kk_config_parse(c, "test.conf", text, strlen(text), p);
}

static void test_defaults(void)
{
	struct kk_config c;
	int w, h;
	kk_config_defaults(&c);
	KT_CHECK_INT(c.screen_width, 1920);
	KT_CHECK_INT(c.font_index, 2);
	KT_CHECK(strstr(c.font_path, "NotoSansCJK-Regular.ttc") != NULL);
	KT_CHECK_INT(c.idle_timeout, 120);
	KT_CHECK_STR(c.printer, "auto");
	KT_CHECK_STR(c.staff_pin_hash, "");
	kk_config_screen(&c, &w, &h);
	KT_CHECK_INT(w, 1920);
	KT_CHECK_INT(h, 1080);
}

static void test_every_key(void)
{
	struct kk_config c;
	struct kk_config_problems p;
	int w, h;
	const char *text = "# a site\n"
			   "site_name = 示例县政务服务中心查阅点\n"
			   "  screen_size=1280x800  \n"
			   "orientation = portrait\r\n"
			   "fullscreen = no\n"
			   "\n"
			   "idle_timeout = 300\n"
			   "data_dir = \"/data/kiosk\"\n"
			   "font_path = /usr/share/fonts/x.ttc\n"
			   "font_index = 0\n"
			   "font_fallback = /a.ttf, /b.ttf\n"
			   "printer = usb://03f0:002a\n"
			   "sync_sources = usb, https://example.gov.cn/kiosk/\n"
			   "sync_interval = 600\n"
			   "staff_pin_hash = $argon2id$v=19$m=65536,t=2,p=1$abc$def\n"
			   "log_level = debug\n";
	KT_REQUIRE(parse(&c, text, &p) == 0);
	KT_CHECK_INT(p.n, 0);
	KT_CHECK_STR(c.site_name, "示例县政务服务中心查阅点");
	KT_CHECK_INT(c.screen_width, 1280);
	KT_CHECK_INT(c.screen_height, 800);
	KT_CHECK_INT(c.orientation, KK_PORTRAIT);
	kk_config_screen(&c, &w, &h);
	KT_CHECK_INT(w, 800);
	KT_CHECK_INT(h, 1280);
	KT_CHECK_INT(c.fullscreen, 0);
	KT_CHECK_INT(c.idle_timeout, 300);
	KT_CHECK_STR(c.data_dir, "/data/kiosk");
	KT_CHECK_INT(c.font_index, 0);
	KT_CHECK_STR(c.printer, "usb://03f0:002a");
	KT_CHECK_INT(c.sync_interval, 600);
	KT_CHECK(!strncmp(c.staff_pin_hash, "$argon2id$", 10));
	KT_CHECK_STR(c.log_level, "debug");
	kk_config_problems_fini(&p);
}

static void test_problems_name_lines(void)
{
	struct kk_config c;
	struct kk_config_problems p;
	const char *text = "site_name = ok\n"
			   "colour = red\n"              /* 2: unknown key */
			   "idle_timeout = soon\n"       /* 3: not a number */
			   "idle_timeout = 5\n"          /* 4: fine */
			   "idle_timeout = 6\n"          /* 5: set twice */
			   "screen_size = 1920*1080\n"   /* 6: bad size */
			   "orientation = sideways\n"    /* 7 */
			   "just some words\n"           /* 8: no = */
			   "printer = lpt1\n"            /* 9 */
			   "staff_pin_hash = 1234\n"     /* 10: a plain PIN is refused */
			   "fullscreen = maybe\n"        /* 11 */
			   "font_path =\n"               /* 12: empty */
			   "site_name = \"unterminated\n"; /* 13 */
	KT_CHECK_INT(parse(&c, text, &p), KK_EINVAL);
	KT_REQUIRE(p.n == 12);
	KT_CHECK(!strncmp(p.lines[0], "test.conf:2: colour: unknown key", 32));
	KT_CHECK(!strncmp(p.lines[1], "test.conf:3: idle_timeout:", 26));
	KT_CHECK(!strncmp(p.lines[2], "test.conf:4: idle_timeout: set twice", 36));
	KT_CHECK(!strncmp(p.lines[3], "test.conf:5: idle_timeout: set twice", 36));
	KT_CHECK(!strncmp(p.lines[4], "test.conf:6: screen_size:", 25));
	KT_CHECK(!strncmp(p.lines[5], "test.conf:7: orientation:", 25));
	KT_CHECK(!strncmp(p.lines[6], "test.conf:8: expected `key = value`", 35));
	KT_CHECK(!strncmp(p.lines[7], "test.conf:9: printer:", 21));
	KT_CHECK(!strncmp(p.lines[8], "test.conf:10: staff_pin_hash:", 29));
	KT_CHECK(strstr(p.lines[8], "1234") == NULL); /* a PIN never reaches a log */
	KT_CHECK(!strncmp(p.lines[9], "test.conf:11: fullscreen:", 25));
	KT_CHECK(!strncmp(p.lines[10], "test.conf:12: font_path: must not be empty", 42));
	KT_CHECK(!strncmp(p.lines[11], "test.conf:13: site_name: unterminated", 37));
	/* a bad value never lands half-parsed: the default or the last good value stays */
	KT_CHECK_INT(c.idle_timeout, 120);
	KT_CHECK_INT(c.screen_width, 1920);
	KT_CHECK_STR(c.printer, "auto");
	KT_CHECK(c.font_path[0] == '/');
	kk_config_problems_fini(&p);
}

static void test_hostile_bytes(void)
{
	struct kk_config c;
	struct kk_config_problems p;
	char big[3000];
	char bad_utf8[] = "site_name = \xff\xfe\n";
	char with_nul[] = "site_name = a\0b\n";
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	KT_CHECK_INT(parse(&c, big, &p), KK_EINVAL);
	KT_CHECK(p.n == 1 && strstr(p.lines[0], "line longer than"));
	kk_config_problems_fini(&p);
	KT_CHECK_INT(parse(&c, bad_utf8, &p), KK_EINVAL);
	KT_CHECK(p.n == 1 && strstr(p.lines[0], "UTF-8"));
	kk_config_problems_fini(&p);
	kk_config_defaults(&c);
	memset(&p, 0, sizeof p);
	KT_CHECK_INT(kk_config_parse(&c, "t", with_nul, sizeof with_nul - 1, &p), KK_EINVAL);
	kk_config_problems_fini(&p);
	/* many problems are capped, and counted */
	{
		char *many = malloc(200 * 8 + 1);
		many[0] = '\0';
		for (int i = 0; i < 200; i++)
			strcat(many, "nokey!!\n");
		KT_CHECK_INT(parse(&c, many, &p), KK_EINVAL);
		KT_CHECK_INT(p.n, KK_CONFIG_MAX_PROBLEMS);
		KT_CHECK_INT(p.dropped, 200 - KK_CONFIG_MAX_PROBLEMS);
		kk_config_problems_fini(&p);
		free(many);
	}
	/* a BOM from a Windows editor is fine */
	KT_CHECK_INT(parse(&c, "\xEF\xBB\xBFidle_timeout = 7\n", &p), 0);
	KT_CHECK_INT(c.idle_timeout, 7);
	kk_config_problems_fini(&p);
}

static void test_load_file(void)
{
	struct kk_config c;
	struct kk_config_problems p = { 0 };
	char path[] = "/tmp/kk-config-XXXXXX";
	int fd = mkstemp(path);
	KT_REQUIRE(fd >= 0);
	KT_REQUIRE(write(fd, "idle_timeout = 30\n", 18) == 18);
	close(fd);
	kk_config_defaults(&c);
	KT_CHECK_INT(kk_config_load(&c, path, &p), 0);
	KT_CHECK_INT(c.idle_timeout, 30);
	unlink(path);
	KT_CHECK_INT(kk_config_load(&c, path, &p), KK_ENOENT);
	KT_CHECK(p.n == 1 && strstr(p.lines[0], "no such file"));
	kk_config_problems_fini(&p);
}

/* The update keys: trusted key files, the channel ([a-z0-9-]), the kiosk id of receipts. */
static void test_sync_keys(void)
{
	struct kk_config c;
	struct kk_config_problems p;

	KT_REQUIRE(parse(&c, "sync_pubkey = /etc/kiosk/a.pub, /etc/kiosk/b.pub\n"
			     "sync_channel = pilot-2\nkiosk_id = XA.zwfw_01\n", &p) == 0);
	KT_CHECK_STR(c.sync_pubkey, "/etc/kiosk/a.pub, /etc/kiosk/b.pub");
	KT_CHECK_STR(c.sync_channel, "pilot-2");
	KT_CHECK_STR(c.kiosk_id, "XA.zwfw_01");
	kk_config_problems_fini(&p);
	KT_CHECK_INT(parse(&c, "sync_channel = Stable\n"      /* 1: upper case */
			       "kiosk_id = ../x\n"            /* 2: a path */
			       "kiosk_id = a b\n"             /* 3: set twice */
			       , &p), KK_EINVAL);
	KT_REQUIRE(p.n == 3);
	KT_CHECK(!strncmp(p.lines[0], "test.conf:1: sync_channel: expected lower-case", 46));
	KT_CHECK(!strncmp(p.lines[1], "test.conf:2: kiosk_id: expected letters", 39));
	KT_CHECK_STR(c.sync_channel, "stable"); /* the default stays */
	KT_CHECK_STR(c.kiosk_id, "");
	kk_config_problems_fini(&p);
	KT_CHECK_INT(parse(&c, "sync_channel =\n", &p), KK_EINVAL);
	kk_config_problems_fini(&p);
}

/* The download settings of network sync (sync/fetch.h). */
static void test_sync_network(void)
{
	struct kk_config c;
	struct kk_config_problems p;

	KT_REQUIRE(parse(&c, "sync_max_rate = 0\n", &p) == 0);
	KT_CHECK_INT(c.sync_max_rate, 0);
	KT_CHECK_STR(c.sync_proxy, "");
	KT_CHECK_INT(c.sync_stall_timeout, 60);
	kk_config_problems_fini(&p);
	KT_REQUIRE(parse(&c, "sync_max_rate = 65536\nsync_proxy = http://proxy.example:3128\n"
			     "sync_stall_timeout = 5\n", &p) == 0);
	KT_CHECK_INT(c.sync_max_rate, 65536);
	KT_CHECK_STR(c.sync_proxy, "http://proxy.example:3128");
	KT_CHECK_INT(c.sync_stall_timeout, 5);
	kk_config_problems_fini(&p);
	KT_CHECK_INT(parse(&c, "sync_max_rate = -1\nsync_stall_timeout = 0\n", &p), KK_EINVAL);
	KT_CHECK_INT(p.n, 2);
	KT_CHECK_INT(c.sync_max_rate, 0);        /* the defaults stay */
	KT_CHECK_INT(c.sync_stall_timeout, 60);
	kk_config_problems_fini(&p);
}

/* https: the CA bundle, refusing plain http, the start-up spread. */
static void test_sync_https(void)
{
	struct kk_config c;
	struct kk_config_problems p;
	char big[700];

	KT_REQUIRE(parse(&c, "", &p) == 0);
	KT_CHECK_STR(c.sync_ca_file, "");             /* the system store */
	KT_CHECK_INT(c.sync_require_https, 0);       /* signed content: http allowed */
	KT_CHECK_INT(c.sync_start_spread, 300);
	kk_config_problems_fini(&p);
	KT_REQUIRE(parse(&c, "sync_ca_file = /etc/kiosk/province-ca.pem\nsync_require_https = yes\n"
			     "sync_sources = usb, https://a.example/k/\nsync_start_spread = 0\n",
			 &p) == 0);
	KT_CHECK_STR(c.sync_ca_file, "/etc/kiosk/province-ca.pem");
	KT_CHECK_INT(c.sync_require_https, 1);
	KT_CHECK_INT(c.sync_start_spread, 0);
	kk_config_problems_fini(&p);
	/* an http:// web root with sync_require_https, in either order: one problem, no line */
	KT_CHECK_INT(parse(&c, "sync_sources = usb, http://a.example/k/\nsync_require_https = on\n",
			   &p), KK_EINVAL);
	KT_REQUIRE(p.n == 1);
	KT_CHECK(!strncmp(p.lines[0], "test.conf: sync_sources names an http:// web root", 49));
	kk_config_problems_fini(&p);
	KT_CHECK_INT(parse(&c, "sync_require_https = yes\nsync_sources = http://a.example/\n", &p),
		     KK_EINVAL);
	KT_CHECK_INT(p.n, 1);
	kk_config_problems_fini(&p);
	/* caps and values */
	memset(big, 'a', sizeof big);
	memcpy(big, "sync_ca_file = /", 16);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	KT_CHECK_INT(parse(&c, big, &p), KK_EINVAL);
	KT_CHECK_STR(c.sync_ca_file, "");
	kk_config_problems_fini(&p);
	KT_CHECK_INT(parse(&c, "sync_require_https = maybe\nsync_start_spread = -1\n"
			       "sync_start_spread = 86401\n", &p), KK_EINVAL);
	KT_CHECK_INT(p.n, 3);
	KT_CHECK_INT(c.sync_start_spread, 300);
	kk_config_problems_fini(&p);
}

KT_MAIN(KT_CASE(test_defaults), KT_CASE(test_every_key), KT_CASE(test_problems_name_lines),
	KT_CASE(test_hostile_bytes), KT_CASE(test_load_file), KT_CASE(test_sync_keys),
	KT_CASE(test_sync_network), KT_CASE(test_sync_https))
