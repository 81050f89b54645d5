/* config.c — see config.h. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "utf8.h"

#define DEFAULT_FONT "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

void kk_config_defaults(struct kk_config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->site_name, sizeof c->site_name, "政府信息公开查阅点");
	c->screen_width = 1920;
	c->screen_height = 1080;
	c->orientation = KK_LANDSCAPE;
	c->fullscreen = 1;
	c->idle_timeout = 120;
	snprintf(c->data_dir, sizeof c->data_dir, "/var/lib/kiosk");
	snprintf(c->font_path, sizeof c->font_path, "%s", DEFAULT_FONT);
	c->font_index = 2; /* Noto Sans CJK SC in the collection */
	snprintf(c->font_fallback, sizeof c->font_fallback,
		 "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc,"
		 "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
	snprintf(c->printer, sizeof c->printer, "auto");
	c->print_max_copies = 3;
	c->print_pages_per_session = 30;
	c->print_pages_per_day = 300;
	snprintf(c->sync_sources, sizeof c->sync_sources, "usb");
	snprintf(c->sync_usb_root, sizeof c->sync_usb_root, "/run/kiosk/usb");
	c->sync_interval = 3600;
	snprintf(c->sync_pubkey, sizeof c->sync_pubkey, "/etc/kiosk/sync.pub");
	snprintf(c->sync_channel, sizeof c->sync_channel, "stable");
	c->sync_stall_timeout = 60;
	c->sync_start_spread = 300;
	snprintf(c->log_level, sizeof c->log_level, "info");
}

void kk_config_problems_fini(struct kk_config_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i]);
	memset(p, 0, sizeof *p);
}

static void problem(struct kk_config_problems *p, const char *name, int line, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void problem(struct kk_config_problems *p, const char *name, int line, const char *key,
		    const char *fmt, ...)
{
	char msg[512];
	struct kk_buf b;
	va_list ap;

	if (!p)
		return;
	if (p->n >= KK_CONFIG_MAX_PROBLEMS) {
		p->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kk_buf_init(&b, 1024);
	if (line > 0)
		kk_buf_addf(&b, "%s:%d: %s%s%s", name, line, key ? key : "", key ? ": " : "", msg);
	else
		kk_buf_addf(&b, "%s: %s", name, msg);
	p->lines[p->n] = kk_buf_steal(&b);
	if (p->lines[p->n])
		p->n++;
}

enum key_type { T_STR, T_INT, T_BOOL, T_SIZE, T_ORIENT, T_LOGLEVEL, T_PRINTER, T_PINHASH, T_CHANNEL,
		T_KIOSKID };

struct key_def {
	const char *key;
	enum key_type type;
	size_t off;   /* offset in struct kk_config */
	size_t size;  /* for strings: buffer size */
	long min, max;
};

#define STR(k, t) { #k, t, offsetof(struct kk_config, k), sizeof(((struct kk_config *)0)->k), 0, 0 }
#define INT(k, lo, hi) { #k, T_INT, offsetof(struct kk_config, k), sizeof(int), lo, hi }

static const struct key_def keys[] = {
	STR(site_name, T_STR),
	{ "screen_size", T_SIZE, 0, 0, 320, 8192 },
	{ "orientation", T_ORIENT, offsetof(struct kk_config, orientation), 0, 0, 0 },
	{ "fullscreen", T_BOOL, offsetof(struct kk_config, fullscreen), 0, 0, 0 },
	INT(idle_timeout, 0, 86400),
	STR(data_dir, T_STR),
	STR(font_path, T_STR),
	INT(font_index, 0, 64),
	STR(font_fallback, T_STR),
	STR(printer, T_PRINTER),
	INT(print_max_copies, 1, 20),
	INT(print_pages_per_session, 0, 10000),
	INT(print_pages_per_day, 0, 1000000),
	STR(sync_sources, T_STR),
	STR(sync_usb_root, T_STR),
	INT(sync_interval, 60, 7 * 86400),
	STR(sync_pubkey, T_STR),
	STR(sync_channel, T_CHANNEL),
	INT(sync_max_rate, 0, 1000000000),
	STR(sync_proxy, T_STR),
	INT(sync_stall_timeout, 1, 3600),
	STR(sync_ca_file, T_STR),
	{ "sync_require_https", T_BOOL, offsetof(struct kk_config, sync_require_https), 0, 0, 0 },
	INT(sync_start_spread, 0, 86400),
	STR(kiosk_id, T_KIOSKID),
	STR(staff_pin_hash, T_PINHASH),
	STR(log_level, T_LOGLEVEL),
};

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int parse_long(const char *v, long *out)
{
	char *end;
	long n;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end)
		return -1;
	*out = n;
	return 0;
}

/* Apply one setting; returns NULL or a message describing what is wrong with the value. */
static const char *apply(struct kk_config *c, const struct key_def *k, const char *v, char *msg,
			 size_t msz)
{
	char *field = (char *)c + k->off;
	long n, h;
	char *x;

	switch (k->type) {
	case T_PRINTER:
		if (strcmp(v, "auto") && strcmp(v, "none") && strncmp(v, "usb://", 6) &&
		    strncmp(v, "ipp://", 6) && strncmp(v, "file:", 5))
			return "expected auto, none, usb://VID:PID[/SERIAL], ipp://host[:port]/path or "
			       "file:PATH?format=pwg|pcl|escpos";
		/* fall through */
	case T_STR:
		if (strlen(v) >= k->size) {
			snprintf(msg, msz, "value longer than %zu bytes", k->size - 1);
			return msg;
		}
		if (k->type == T_STR && !*v && (k->off == offsetof(struct kk_config, font_path) ||
						k->off == offsetof(struct kk_config, data_dir)))
			return "must not be empty";
		memcpy(field, v, strlen(v) + 1);
		return NULL;
	case T_CHANNEL:
	case T_KIOSKID: {
		/* a bundle channel is [a-z0-9-] (manifest.h); a kiosk id names a receipt file */
		size_t vn = strlen(v);
		if (vn >= k->size || (k->type == T_CHANNEL && vn == 0)) {
			snprintf(msg, msz, "expected %s1 to %zu characters",
				 k->type == T_CHANNEL ? "" : "0 or ", k->size - 1);
			return msg;
		}
		for (size_t i = 0; i < vn; i++) {
			char ch = v[i];
			int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
				 (k->type == T_KIOSKID && ((ch >= 'A' && ch <= 'Z') || ch == '_' ||
							   (ch == '.' && i > 0)));
			if (!ok)
				return k->type == T_CHANNEL ? "expected lower-case letters, digits and -"
							    : "expected letters, digits, '.', '_' and '-'";
		}
		memcpy(field, v, vn + 1);
		return NULL;
	}
	case T_PINHASH:
		if (*v && strncmp(v, "$argon2id$", 10) && strncmp(v, "$argon2i$", 9))
			return "expected an argon2id hash string ($argon2id$...), never the PIN itself";
		if (strlen(v) >= k->size)
			return "value too long";
		memcpy(field, v, strlen(v) + 1);
		return NULL;
	case T_INT:
		if (parse_long(v, &n) || n < k->min || n > k->max) {
			snprintf(msg, msz, "expected a whole number from %ld to %ld", k->min, k->max);
			return msg;
		}
		*(int *)field = (int)n;
		return NULL;
	case T_BOOL:
		if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
			*(int *)field = 1;
		else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
			*(int *)field = 0;
		else
			return "expected yes or no";
		return NULL;
	case T_SIZE:
		n = strtol(v, &x, 10);
		if (x == v || (*x != 'x' && *x != 'X'))
			return "expected WIDTHxHEIGHT, e.g. 1920x1080";
		if (parse_long(x + 1, &h) || n < k->min || n > k->max || h < k->min || h > k->max) {
			snprintf(msg, msz, "expected WIDTHxHEIGHT with sides from %ld to %ld", k->min,
				 k->max);
			return msg;
		}
		c->screen_width = (int)n;
		c->screen_height = (int)h;
		return NULL;
	case T_ORIENT:
		if (!strcmp(v, "landscape"))
			c->orientation = KK_LANDSCAPE;
		else if (!strcmp(v, "portrait"))
			c->orientation = KK_PORTRAIT;
		else
			return "expected landscape or portrait";
		return NULL;
	case T_LOGLEVEL: {
		enum kk_log_level lv;
		if (kk_log_level_parse(v, &lv))
			return "expected error, warn, info or debug";
		snprintf(field, k->size, "%s", v);
		return NULL;
	}
	}
	return "internal: unknown key type";
}

int kk_config_parse(struct kk_config *c, const char *name, const char *text, size_t len,
		    struct kk_config_problems *p)
{
	unsigned char seen[sizeof keys / sizeof keys[0]] = { 0 };
	char line[KK_CONFIG_MAX_LINE + 2];
	size_t pos = 0, bad;
	int lineno = 0, bad_count = 0;

	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		pos = 3; /* a BOM from a Windows editor */
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *key, *val, *eq, msg[160];
		const char *why;
		size_t k;

		lineno++;
		if (n > KK_CONFIG_MAX_LINE) {
			problem(p, name, lineno, NULL, "line longer than %d bytes", KK_CONFIG_MAX_LINE);
			bad_count++;
			pos += n + 1;
			continue;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (memchr(line, '\0', n) || !kk_utf8_valid(line, n, &bad)) {
			problem(p, name, lineno, NULL, "not valid UTF-8 text");
			bad_count++;
			continue;
		}
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			problem(p, name, lineno, NULL, "expected `key = value`");
			bad_count++;
			continue;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if (val[0] == '"') {
			size_t vl = strlen(val);
			if (vl < 2 || val[vl - 1] != '"') {
				problem(p, name, lineno, key, "unterminated quoted value");
				bad_count++;
				continue;
			}
			val[vl - 1] = '\0';
			val++;
		}
		for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
			if (!strcmp(keys[k].key, key))
				break;
		if (k == sizeof keys / sizeof keys[0]) {
			problem(p, name, lineno, key, "unknown key (see README.md, Configuration)");
			bad_count++;
			continue;
		}
		if (seen[k]) {
			problem(p, name, lineno, key, "set twice");
			bad_count++;
			continue;
		}
		seen[k] = 1;
		why = apply(c, &keys[k], val, msg, sizeof msg);
		if (why && keys[k].type == T_PINHASH) {
			/* never echo what may be the PIN itself into a log */
			problem(p, name, lineno, key, "%s", why);
			bad_count++;
		} else if (why) {
			problem(p, name, lineno, key, "%s (got \"%s\")", why, val);
			bad_count++;
		}
	}
	/* across keys, whatever their order: a web root the kiosk would refuse to ask */
	if (c->sync_require_https && strstr(c->sync_sources, "http://")) {
		problem(p, name, 0, NULL, "sync_sources names an http:// web root but "
					 "sync_require_https = yes (use https:// or set it to no)");
		bad_count++;
	}
	return bad_count ? KK_EINVAL : 0;
}

int kk_config_load(struct kk_config *c, const char *path, struct kk_config_problems *p)
{
	struct kk_buf b;
	int rc;

	kk_buf_init(&b, KK_CONFIG_MAX_BYTES);
	rc = kk_buf_read_file(&b, path);
	if (rc) {
		problem(p, path, 0, NULL, "%s",
			rc == KK_ENOENT ? "no such file"
			: rc == KK_E2BIG ? "file larger than 64 KiB"
					 : "cannot read the file");
		goto out;
	}
	rc = kk_config_parse(c, path, b.data, b.len, p);
out:
	kk_buf_fini(&b);
	return rc;
}

void kk_config_screen(const struct kk_config *c, int *w, int *h)
{
	int big = c->screen_width > c->screen_height ? c->screen_width : c->screen_height;
	int small = c->screen_width > c->screen_height ? c->screen_height : c->screen_width;
	if (c->orientation == KK_PORTRAIT) {
		*w = small;
		*h = big;
	} else {
		*w = big;
		*h = small;
	}
}
