/*
 * test_siteconf.c — firmware/sync/siteconf.c: the site.conf parser gives flash.sh's messages
 * word for word (FILE:LINE: key: message; line 0 for a missing key), trims, unquotes, strips a
 * BOM and CRs, refuses control bytes, bad UTF-8 and double quotes, counts trusted keys even when
 * bad, reports keys set twice, leaves *out zeroed on failure; the trusted comment's strict form;
 * and kk_site_provision end to end in a temporary folder: files written, the serial recorded,
 * an equal serial is SAME, a lower one OLDER, a legacy `Ed` signature and a signature over other
 * bytes refused, a config for another kiosk refused, nothing written by a refusal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "kt.h"
#include "sync/minisign.h"
#include "sync/siteconf.h"

static struct kk_site_conf c;
static struct kk_site_problems p;
static struct kk_ms_pub pub;
static struct kk_ms_sec sec;
static char key_line[80];

static void keys_make(void)
{
	char b64[80];
	unsigned char raw[42] = { 'E', 'd' };
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	KT_REQUIRE(kk_ms_keygen(&pub, &sec) == 0);
	memcpy(raw + 2, pub.id, 8);
	memcpy(raw + 10, pub.pk, 32);
	for (size_t i = 0; i < 42; i += 3) { /* base64 of 42 bytes: 56 characters, no padding */
		unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
		b64[o++] = tbl[v >> 18 & 63];
		b64[o++] = tbl[v >> 12 & 63];
		b64[o++] = tbl[v >> 6 & 63];
		b64[o++] = tbl[v & 63];
	}
	b64[o] = '\0';
	snprintf(key_line, sizeof key_line, "%s", b64);
}

static int parse(const char *t)
{
	return kk_site_conf_parse(t, strlen(t), "site.conf", &c, &p);
}

static int has_problem(const char *text)
{
	for (size_t i = 0; i < p.n; i++)
		if (!strcmp(p.text[i], text))
			return 1;
	return 0;
}

static void parse_good(void)
{
	char t[2048];
	snprintf(t, sizeof t,
		 "\xef\xbb\xbf# site\r\n  site_name = \"示例县政务服务中心\"  \r\nkiosk_id=shili-01\n"
		 "trusted_key = %s\nsync_url = https://u.example.cn/zwgk\nprinter = ipp://10.0.0.5:631/ipp/print\n"
		 "open_hours = 08:30-17:30\nopen_days = Mon-Fri,sat\nidle_timeout = 300\n"
		 "orientation = portrait\nscreen_size = 1080x1920",
		 key_line);
	KT_REQUIRE(parse(t) == 0);
	KT_CHECK_STR(c.site_name, "示例县政务服务中心");
	KT_CHECK_STR(c.kiosk_id, "shili-01");
	KT_CHECK_INT(c.n_keys, 1);
	KT_CHECK_STR(c.trusted_key[0], key_line);
	KT_CHECK_STR(c.open_days, "mon-fri,sat");
	KT_CHECK_STR(c.screen_size, "1080x1920");
	KT_CHECK_INT(c.n_settings, 9);
}

static void parse_messages(void)
{
	char t[4096];
	snprintf(t, sizeof t,
		 "site_name = a\nsite_name = b\nkiosk_id = -bad\ntrusted_key = RWQ\nfoo = bar\n"
		 "open_hours = 18:00-08:00\nprinter = usb://zz\nnoequals\nidle_timeout = 86401\n"
		 "sync_url = ftp://x\nstaff_pin_hash = 1234\nscreen_size = 1920\norientation = up\n"
		 "open_days = someday\nsite_name = say \"hi\"\nsite_name = a\tb\n");
	KT_CHECK(parse(t) == KK_EINVAL);
	KT_CHECK(has_problem("site.conf:2: site_name: set twice"));
	KT_CHECK(has_problem("site.conf:3: kiosk_id: 1 to 32 of A-Z a-z 0-9 . _ - (e.g. tancheng-zwfw-01)"));
	KT_CHECK(has_problem("site.conf:4: trusted_key: expected a minisign public key (the second line of "
			     "KEY.pub from kioskdb keygen, starting RWQ)"));
	KT_CHECK(has_problem("site.conf:5: foo: unknown key (site_name kiosk_id sync_url trusted_key "
			     "staff_pin_hash printer screen_size orientation idle_timeout open_hours "
			     "open_days)"));
	KT_CHECK(has_problem("site.conf:6: open_hours: opening must be before closing"));
	KT_CHECK(has_problem("site.conf:7: printer: expected auto, none, usb://VID:PID[/SERIAL] or "
			     "ipp://host[:port]/path"));
	KT_CHECK(has_problem("site.conf:8: expected key = value"));
	KT_CHECK(has_problem("site.conf:9: idle_timeout: seconds, 0 to 86400"));
	KT_CHECK(has_problem("site.conf:10: sync_url: expected https://host[:port]/path (no spaces or commas)"));
	KT_CHECK(has_problem("site.conf:11: staff_pin_hash: expected an argon2id hash ($argon2id$v=19$m=…), "
			     "never the PIN itself"));
	KT_CHECK(has_problem("site.conf:12: screen_size: expected WIDTHxHEIGHT, e.g. 1920x1080"));
	KT_CHECK(has_problem("site.conf:13: orientation: landscape or portrait"));
	KT_CHECK(has_problem("site.conf:14: open_days: daily, or days and ranges such as mon-fri or mon-fri,sat"));
	KT_CHECK(has_problem("site.conf:15: site_name: must not contain a double quote"));
	KT_CHECK(has_problem("site.conf:16: site_name: not valid UTF-8 text"));
	/* a bad trusted_key still counts, as in flash.sh: no "missing" */
	KT_CHECK(!has_problem("site.conf:0: trusted_key: missing (at least one key that signs content updates)"));
	KT_CHECK(!has_problem("site.conf:1234: 1234")); /* a PIN value is never echoed */
	for (size_t i = 0; i < p.n; i++)
		KT_CHECK(strstr(p.text[i], "1234") == NULL || strstr(p.text[i], ":11:") == NULL);
	KT_CHECK(c.site_name[0] == '\0'); /* nothing half-parsed */
	KT_CHECK(parse("") == KK_EINVAL);
	KT_CHECK(has_problem("site.conf:0: trusted_key: missing (at least one key that signs content updates)"));
	KT_CHECK(has_problem("site.conf:0: site_name: missing (the name of the reading point)"));
	KT_CHECK(has_problem("site.conf:0: kiosk_id: missing (a unique name for this kiosk)"));
	KT_CHECK(parse("open_days = daily\n") == KK_EINVAL);
	KT_CHECK(has_problem("site.conf:0: open_days: needs open_hours"));
	{ /* five keys: the fifth is one too many; site_name of 81 characters */
		char name[400] = "";
		for (int i = 0; i < 81; i++)
			strcat(name, "中");
		snprintf(t, sizeof t,
			 "site_name = %s\nkiosk_id = k\ntrusted_key = %s\ntrusted_key = %s\n"
			 "trusted_key = %s\ntrusted_key = %s\ntrusted_key = %s\n",
			 name, key_line, key_line, key_line, key_line, key_line);
		KT_CHECK(parse(t) == KK_EINVAL);
		KT_CHECK(has_problem("site.conf:7: trusted_key: at most 4 keys"));
		KT_CHECK(has_problem("site.conf:1: site_name: 1 to 80 characters (the name on every screen)"));
		KT_CHECK_INT(p.line[0], 1);
	}
	KT_CHECK(kk_site_conf_parse(t, KK_SITE_MAX + 1, "site.conf", &c, &p) == KK_E2BIG);
}

static void tags(void)
{
	struct kk_site_tag t;
	char out[128];
	KT_CHECK(kk_site_tag_parse("kiosk-site serial=12 kiosk_id=shili-01", &t) == 0);
	KT_CHECK_INT(t.serial, 12);
	KT_CHECK_STR(t.target, "shili-01");
	KT_CHECK(kk_site_tag_parse("kiosk-site serial=9223372036854775807 kiosk_id=*", &t) == 0);
	KT_CHECK(kk_site_tag_parse("kiosk-site serial=9223372036854775808 kiosk_id=*", &t) != 0);
	KT_CHECK(kk_site_tag_parse("kiosk-site serial=0 kiosk_id=*", &t) != 0);
	KT_CHECK(kk_site_tag_parse("kiosk-site serial=012 kiosk_id=*", &t) != 0);
	KT_CHECK(kk_site_tag_parse("kiosk-site serial=12 kiosk_id=a b", &t) != 0);
	KT_CHECK(kk_site_tag_parse("kiosk-site serial=12 kiosk_id=", &t) != 0);
	KT_CHECK(kk_site_tag_parse("kiosk-site serial=12  kiosk_id=x", &t) != 0);
	KT_CHECK(kk_site_tag_parse("timestamp:1700000000\tfile:site.conf", &t) != 0);
	t.serial = 77;
	snprintf(t.target, sizeof t.target, "*");
	KT_CHECK(kk_site_tag_format(&t, out, sizeof out) == 0);
	KT_CHECK_STR(out, "kiosk-site serial=77 kiosk_id=*");
}

static char dir[64];

static void put_file(const char *sub, const char *name, const char *data, size_t len)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(data, 1, len, f);
	fclose(f);
}

/* Write stick/site.conf and its signature with comment tc. */
static void stick(const char *conf, const char *tc)
{
	struct kk_buf sig;
	kk_buf_init(&sig, 8192);
	put_file("stick", KK_SITE_FILE, conf, strlen(conf));
	if (kk_ms_sign(&sec, conf, strlen(conf), tc, &sig) == 0)
		put_file("stick", KK_SITE_SIG, sig.data, sig.len);
	kk_buf_fini(&sig);
}

static int exists(const char *rel)
{
	char path[256];
	struct stat sb;
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	return stat(path, &sb) == 0;
}

static void provision(void)
{
	struct kk_site_env env = { 0 };
	struct kk_site_result r;
	char conf[1024], data[128], stickdir[128], pubpath[128], pubtext[256];
	snprintf(dir, sizeof dir, "/tmp/kk-siteconf-XXXXXX");
	KT_REQUIRE(mkdtemp(dir) != NULL);
	snprintf(data, sizeof data, "%s/data", dir);
	snprintf(stickdir, sizeof stickdir, "%s/stick", dir);
	snprintf(pubpath, sizeof pubpath, "%s/root.pub", dir);
	KT_REQUIRE(mkdir(stickdir, 0755) == 0);
	snprintf(pubtext, sizeof pubtext, "untrusted comment: test\n%s\n", key_line);
	put_file(".", "root.pub", pubtext, strlen(pubtext));
	env.data_dir = data;
	env.pubkeys = pubpath;
	env.kiosk_id = "";
	env.screen_size = "1280x800";
	env.orientation = "landscape";
	snprintf(conf, sizeof conf, "site_name = 测试点\nkiosk_id = t-01\ntrusted_key = %s\n", key_line);

	stick(conf, "kiosk-site serial=5 kiosk_id=t-01");
	KT_CHECK(kk_site_provision(&env, stickdir, &r) == 0);
	KT_CHECK_INT(r.outcome, KK_SITE_APPLIED);
	KT_CHECK_STR(r.message, "站点配置已更新：测试点（t-01）");
	KT_CHECK(exists("data/kiosk.conf") && exists("data/site/kiosk-id") &&
		 exists("data/site/provisioned") && exists("data/keys/trusted/root-1.pub"));
	KT_CHECK(!exists("data/site/screen-schedule"));
	KT_CHECK(r.receipt_written && exists("stick/receipt-t-01.txt"));

	KT_CHECK(kk_site_provision(&env, stickdir, &r) == KK_EPERM);
	KT_CHECK_INT(r.outcome, KK_SITE_SAME);
	stick(conf, "kiosk-site serial=4 kiosk_id=t-01");
	kk_site_provision(&env, stickdir, &r);
	KT_CHECK_INT(r.outcome, KK_SITE_OLDER);
	/* the id now comes from DATA/site/kiosk-id */
	stick(conf, "kiosk-site serial=9 kiosk_id=t-02");
	kk_site_provision(&env, stickdir, &r);
	KT_CHECK_INT(r.outcome, KK_SITE_WRONG_KIOSK);
	KT_CHECK(strstr(r.message, "不是本机的配置") != NULL);
	/* a signature over other bytes */
	stick(conf, "kiosk-site serial=9 kiosk_id=*");
	put_file("stick", KK_SITE_FILE, "site_name = x\n", 14);
	kk_site_provision(&env, stickdir, &r);
	KT_CHECK_INT(r.outcome, KK_SITE_BAD_SIGNATURE);
	KT_CHECK(strstr(r.message, "签名无效") != NULL);
	/* a bad line, correctly signed */
	snprintf(conf, sizeof conf, "site_name = 测试点\nkiosk_id = t-01\ntrusted_key = %s\nprinter = lpt1\n",
		 key_line);
	stick(conf, "kiosk-site serial=10 kiosk_id=*");
	kk_site_provision(&env, stickdir, &r);
	KT_CHECK_INT(r.outcome, KK_SITE_INVALID);
	KT_CHECK_INT(r.problem_line, 4);
	KT_CHECK(strstr(r.message, "配置有错误：第4行 printer:") != NULL);
	/* no trusted key at all */
	env.pubkeys = "";
	snprintf(pubtext, sizeof pubtext, "rm -rf '%s/data/keys'", dir);
	KT_CHECK(system(pubtext) == 0);
	kk_site_provision(&env, stickdir, &r);
	KT_CHECK_INT(r.outcome, KK_SITE_NO_KEYS);
	snprintf(pubtext, sizeof pubtext, "rm -rf '%s'", dir);
	KT_CHECK(system(pubtext) == 0);
}

KT_MAIN(KT_CASE(keys_make), KT_CASE(parse_good), KT_CASE(parse_messages), KT_CASE(tags),
	KT_CASE(provision))
