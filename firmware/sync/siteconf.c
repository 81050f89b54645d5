/*
 * siteconf.c — signed site configurations from a USB stick (siteconf.h).
 *
 * DESIGN
 * Nothing on DATA changes until the signature, the trusted comment, the target, the serial,
 * every key of site.conf and the kiosk.conf made from it (through the kiosk's own config
 * parser) have all passed. The files are then replaced one by one, each by temp + fsync +
 * rename + fsync of its folder, in this order: trusted root keys, stale root keys removed,
 * site/kiosk-id, site/screen-schedule, kiosk.conf, and last site/provisioned, which holds the
 * serial. A crash anywhere leaves whole files (old or new) and, until the last rename, the old
 * serial: the same stick then applies again in full. The kiosk reads its configuration only at
 * start, so a half-provisioned DATA is never used by a running kiosk. Every write, fsync,
 * rename and unlink is a fault-injection step (KK_FAULT_AT, apply.h); tests/integration/
 * provision.sh kills the provisioning at each one and checks these claims.
 */
#include "sync/siteconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/utf8.h"
#include "sync/apply.h"
#include "sync/minisign.h"
#include "sync/sync_fs.h"

#define MOD "site"

/* ---- site.conf: flash.sh's rules, line for line ----------------------------------------- */

enum { RX_KIOSK_ID, RX_URL, RX_KEY, RX_PIN, RX_PRINTER, RX_SIZE, RX_IDLE, RX_HOURS, RX_DAYS, RX_N };

static const char *const rx_src[RX_N] = {
	"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
	"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/+-]*)?$",
	"^[A-Za-z0-9+/]{54}==$|^[A-Za-z0-9+/]{56}$",
	"^\\$argon2id?\\$v=19\\$m=[0-9]+,t=[0-9]+,p=[0-9]+\\$[A-Za-z0-9+/]{8,}\\$[A-Za-z0-9+/]{16,}$",
	"^(auto|none|usb://[0-9a-fA-F]{4}:[0-9a-fA-F]{4}(/[A-Za-z0-9._-]{1,64})?|"
	"ipp://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[A-Za-z0-9._/-]*)$",
	"^[0-9]{3,4}x[0-9]{3,4}$",
	"^[0-9]{1,5}$",
	"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$",
	"^(daily|(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?"
	"(,(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?)*)$",
};

struct parser {
	regex_t rx[RX_N];
	int compiled;
	const char *name;
	struct kk_site_problems *p;
	int seen[16]; /* per key (index of keys[]): set once */
};

static const char *const key_names[] = { "site_name", "kiosk_id", "sync_url", "trusted_key",
				    "staff_pin_hash", "printer", "screen_size", "orientation",
				    "idle_timeout", "open_hours", "open_days", NULL };

static void bad(struct parser *ps, int line, const char *fmt, const char *key, const char *msg)
{
	struct kk_site_problems *p = ps->p;
	char k[80];
	size_t n = 0;
	if (p->n == KK_SITE_PROBLEMS_MAX) {
		p->dropped++;
		return;
	}
	for (; key && *key && n + 1 < sizeof k && n < 64; key++) /* never a raw control byte */
		k[n++] = (unsigned char)*key < 0x20 || *key == 0x7f ? '?' : *key;
	k[n] = '\0';
	p->line[p->n] = line;
	snprintf(p->text[p->n], sizeof p->text[0], "%s:%d: ", ps->name, line);
	n = strlen(p->text[p->n]);
	snprintf(p->text[p->n] + n, sizeof p->text[0] - n, fmt, k, msg);
	p->n++;
}

static int rx(struct parser *ps, int which, const char *v)
{
	return regexec(&ps->rx[which], v, 0, NULL, 0) == 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* flash.sh's trusted_key test: the pattern, then base64 of "Ed" + 8 + 32 bytes. */
static int key_ok(struct parser *ps, const char *v)
{
	unsigned char bin[64];
	size_t n = 0;
	if (!rx(ps, RX_KEY, v) || sodium_init() < 0)
		return 0;
	if (sodium_base642bin(bin, sizeof bin, v, strlen(v), NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return 0;
	return n == 42 && bin[0] == 'E' && bin[1] == 'd';
}

/* Copy v into a field of cap bytes; 0 when it does not fit (the caller reports it). */
static int put(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);
	if (n >= cap)
		return 0;
	memcpy(dst, v, n + 1);
	return 1;
}

/* One key = value (already trimmed, unquoted, checked for UTF-8 and controls). */
static void one(struct parser *ps, struct kk_site_conf *c, int ln, const char *k, const char *v)
{
	int ki = -1;
	for (int i = 0; key_names[i]; i++)
		if (!strcmp(k, key_names[i]))
			ki = i;
	switch (ki) {
	case 0: /* site_name */
		if (!(v[0] && kk_utf8_count(v, strlen(v)) <= 80 && strlen(v) < 256 &&
		      put(c->site_name, sizeof c->site_name, v)))
			bad(ps, ln, "%s%s", "", "site_name: 1 to 80 characters (the name on every screen)");
		break;
	case 1:
		if (!(rx(ps, RX_KIOSK_ID, v) && put(c->kiosk_id, sizeof c->kiosk_id, v)))
			bad(ps, ln, "%s%s", "",
			    "kiosk_id: 1 to 32 of A-Z a-z 0-9 . _ - (e.g. tancheng-zwfw-01)");
		break;
	case 2:
		if (!(rx(ps, RX_URL, v) && strlen(v) <= 400 && put(c->sync_url, sizeof c->sync_url, v)))
			bad(ps, ln, "%s%s", "",
			    "sync_url: expected https://host[:port]/path (no spaces or commas)");
		break;
	case 3: /* trusted_key: counted even when bad, as flash.sh does */
		if (!key_ok(ps, v))
			bad(ps, ln, "%s%s", "",
			    "trusted_key: expected a minisign public key (the second line of KEY.pub "
			    "from kioskdb keygen, starting RWQ)");
		else if (c->n_keys < KK_SITE_KEYS_MAX)
			put(c->trusted_key[c->n_keys], sizeof c->trusted_key[0], v);
		if (++c->n_keys > KK_SITE_KEYS_MAX)
			bad(ps, ln, "%s%s", "", "trusted_key: at most 4 keys");
		return;
	case 4:
		if (!(rx(ps, RX_PIN, v) && strlen(v) < 256 &&
		      put(c->staff_pin_hash, sizeof c->staff_pin_hash, v)))
			bad(ps, ln, "%s%s", "",
			    "staff_pin_hash: expected an argon2id hash ($argon2id$v=19$m=…), never the "
			    "PIN itself");
		break;
	case 5:
		if (!(rx(ps, RX_PRINTER, v) && put(c->printer, sizeof c->printer, v)))
			bad(ps, ln, "%s%s", "",
			    "printer: expected auto, none, usb://VID:PID[/SERIAL] or "
			    "ipp://host[:port]/path");
		break;
	case 6:
		if (!(rx(ps, RX_SIZE, v) && put(c->screen_size, sizeof c->screen_size, v)))
			bad(ps, ln, "%s%s", "", "screen_size: expected WIDTHxHEIGHT, e.g. 1920x1080");
		break;
	case 7:
		if (!((!strcmp(v, "landscape") || !strcmp(v, "portrait")) &&
		      put(c->orientation, sizeof c->orientation, v)))
			bad(ps, ln, "%s%s", "", "orientation: landscape or portrait");
		break;
	case 8:
		if (!(rx(ps, RX_IDLE, v) && atol(v) <= 86400 &&
		      put(c->idle_timeout, sizeof c->idle_timeout, v)))
			bad(ps, ln, "%s%s", "", "idle_timeout: seconds, 0 to 86400");
		break;
	case 9:
		if (!rx(ps, RX_HOURS, v))
			bad(ps, ln, "%s%s", "", "open_hours: expected HH:MM-HH:MM, e.g. 08:30-17:30");
		else if (strncmp(v, v + 6, 5) >= 0) /* HH:MM compares as text */
			bad(ps, ln, "%s%s", "", "open_hours: opening must be before closing");
		else
			put(c->open_hours, sizeof c->open_hours, v);
		break;
	case 10:
		if (!(rx(ps, RX_DAYS, v) && put(c->open_days, sizeof c->open_days, v)))
			bad(ps, ln, "%s%s", "",
			    "open_days: daily, or days and ranges such as mon-fri or mon-fri,sat");
		for (char *d = c->open_days; *d; d++) /* flash.sh writes them lower-case */
			if (*d >= 'A' && *d <= 'Z')
				*d = (char)(*d - 'A' + 'a');
		break;
	default:
		bad(ps, ln, "%s%s", k,
		    ": unknown key (site_name kiosk_id sync_url trusted_key staff_pin_hash printer "
		    "screen_size orientation idle_timeout open_hours open_days)");
		return;
	}
	if (ps->seen[ki])
		bad(ps, ln, "%s%s", k, ": set twice");
	ps->seen[ki] = 1;
	c->n_settings++;
}

int kk_site_conf_parse(const char *text, size_t len, const char *name, struct kk_site_conf *out,
		       struct kk_site_problems *p)
{
	struct parser ps;
	char *line = NULL;
	size_t i = 0;
	int ln = 0, rc = 0;

	memset(out, 0, sizeof *out);
	memset(p, 0, sizeof *p);
	memset(&ps, 0, sizeof ps);
	ps.name = name ? name : KK_SITE_FILE;
	ps.p = p;
	if (len > KK_SITE_MAX)
		return KK_E2BIG;
	for (int r = 0; r < RX_N; r++) {
		if (regcomp(&ps.rx[r], rx_src[r], REG_EXTENDED | REG_NOSUB | (r == RX_DAYS ? REG_ICASE : 0))) {
			rc = KK_ENOMEM;
			goto out;
		}
		ps.compiled = r + 1;
	}
	line = malloc(len + 1);
	if (!line) {
		rc = KK_ENOMEM;
		goto out;
	}
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - i;
		char *t, *eq, *k, *v, *e;
		memcpy(line, text + i, n);
		line[n] = '\0';
		i = end + 1;
		ln++;
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		t = line;
		if (ln == 1 && !strncmp(t, "\xef\xbb\xbf", 3))
			t += 3;
		while (is_space(*t))
			t++;
		if (strlen(t) != (size_t)(line + n - t)) {
			bad(&ps, ln, "%s%s", "", "expected key = value"); /* a NUL byte */
			continue;
		}
		if (*t == '\0' || *t == '#')
			continue;
		eq = strchr(t, '=');
		if (!eq) {
			bad(&ps, ln, "%s%s", "", "expected key = value");
			continue;
		}
		*eq = '\0';
		k = t;
		for (e = eq; e > k && is_space(e[-1]); e--)
			e[-1] = '\0';
		v = eq + 1;
		while (is_space(*v))
			v++;
		for (e = v + strlen(v); e > v && is_space(e[-1]); e--)
			e[-1] = '\0';
		n = strlen(v);
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
			v[n - 1] = '\0';
			v++;
			n -= 2;
		}
		{
			int ctl = 0;
			for (size_t j = 0; j < n; j++)
				if ((unsigned char)v[j] < 0x20 || v[j] == 0x7f)
					ctl = 1;
			if (ctl || !kk_utf8_valid(v, n, NULL)) {
				bad(&ps, ln, "%s%s", k, ": not valid UTF-8 text");
				continue;
			}
		}
		if (strchr(v, '"')) {
			bad(&ps, ln, "%s%s", k, ": must not contain a double quote");
			continue;
		}
		one(&ps, out, ln, k, v);
	}
	if (!out->site_name[0] && !ps.seen[0])
		bad(&ps, 0, "%s%s", "", "site_name: missing (the name of the reading point)");
	if (!out->kiosk_id[0] && !ps.seen[1])
		bad(&ps, 0, "%s%s", "", "kiosk_id: missing (a unique name for this kiosk)");
	if (out->n_keys == 0)
		bad(&ps, 0, "%s%s", "",
		    "trusted_key: missing (at least one key that signs content updates)");
	if (ps.seen[10] && !ps.seen[9])
		bad(&ps, 0, "%s%s", "", "open_days: needs open_hours");
	rc = p->n || p->dropped ? KK_EINVAL : 0;
out:
	for (int r = 0; r < ps.compiled; r++)
		regfree(&ps.rx[r]);
	free(line);
	if (rc) {
		struct kk_site_problems keep = *p;
		memset(out, 0, sizeof *out);
		*p = keep;
	}
	return rc;
}

/* ---- the trusted comment ----------------------------------------------------------------- */

int kk_site_tag_parse(const char *comment, struct kk_site_tag *out)
{
	const char *p = comment;
	uint64_t v = 0;
	size_t n = 0;

	memset(out, 0, sizeof *out);
	if (strncmp(p, KK_SITE_COMMENT_PREFIX, strlen(KK_SITE_COMMENT_PREFIX)))
		return KK_EINVAL;
	p += strlen(KK_SITE_COMMENT_PREFIX);
	if (*p < '1' || *p > '9')
		return KK_EINVAL;
	for (; *p >= '0' && *p <= '9'; p++, n++) {
		if (n == 19 || v > (UINT64_C(0x7fffffffffffffff) - (uint64_t)(*p - '0')) / 10)
			return KK_EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (strncmp(p, " kiosk_id=", 10))
		return KK_EINVAL;
	p += 10;
	n = strlen(p);
	if (!(n == 1 && p[0] == '*')) {
		if (n == 0 || n > 32 || p[0] == '.' || p[0] == '_' || p[0] == '-')
			return KK_EINVAL;
		for (size_t i = 0; i < n; i++) {
			char c = p[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
				return KK_EINVAL;
		}
	}
	out->serial = v;
	memcpy(out->target, p, n + 1);
	return 0;
}

int kk_site_tag_format(const struct kk_site_tag *t, char *out, size_t cap)
{
	struct kk_site_tag back;
	int n = snprintf(out, cap, KK_SITE_COMMENT_PREFIX "%llu kiosk_id=%s",
			 (unsigned long long)t->serial, t->target);
	if (n < 0 || (size_t)n >= cap)
		return KK_E2BIG;
	return kk_site_tag_parse(out, &back) ? KK_EINVAL : 0;
}

/* ---- outcomes ------------------------------------------------------------------------------ */

const char *kk_site_outcome_name(int outcome)
{
	static const char *const n[] = { "APPLIED",	 "SAME",    "OLDER",   "BAD_SIGNATURE",
					 "WRONG_KIOSK", "INVALID", "NO_KEYS", "FAILED" };
	return outcome >= 0 && outcome <= KK_SITE_FAILED ? n[outcome] : "UNKNOWN";
}

int kk_site_outcome_refused(int outcome)
{
	return outcome >= KK_SITE_OLDER && outcome <= KK_SITE_INVALID;
}

static int set(struct kk_site_result *r, int outcome, const char *zh, const char *en)
{
	r->outcome = outcome;
	snprintf(r->message, sizeof r->message, "%s", zh);
	snprintf(r->detail, sizeof r->detail, "%s", en);
	return outcome == KK_SITE_APPLIED ? 0 : outcome == KK_SITE_FAILED ? KK_EIO : KK_EPERM;
}

/* ---- files ------------------------------------------------------------------------------------ */

/* Read dir/name whole (at most cap - 1 bytes, NUL-terminated). 0, KK_ENOENT, KK_E2BIG, KK_EIO. */
static int read_capped(const char *dir, const char *name, char *buf, size_t cap, size_t *len)
{
	char path[1200];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return KK_E2BIG;
	return kk_sync_read_small(path, buf, cap, len);
}

/* dir/name by temp + fsync + rename + fsync dir, with mode. 0, KK_EIO or KK_ENOSPC. */
static int replace(const char *dir, const char *name, const char *data, size_t len,
		   unsigned mode)
{
	char path[1200], tmp[1220];
	int fd = -1, rc = KK_EIO;
	size_t done = 0;

	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
	    snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp)
		return KK_EIO;
	if (kk_sync_fault_step("site write"))
		goto fail;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		goto fail;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		done += (size_t)w;
	}
	if (fchmod(fd, mode) != 0 || kk_sync_fault_step("site fsync") || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (kk_sync_fault_step("site rename") || rename(tmp, path) != 0)
		goto fail;
	if (kk_sync_fault_step("site fsync dir"))
		return KK_EIO;
	return kk_fsync_path(dir, 1);
fail:
	rc = errno == ENOSPC || errno == EDQUOT ? KK_ENOSPC : KK_EIO;
	kk_error(MOD, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

/* Remove dir/name if present, then fsync dir. */
static int remove_file(const char *dir, const char *name)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (kk_sync_fault_step("site unlink") || (unlink(path) != 0 && errno != ENOENT))
		return KK_EIO;
	return kk_fsync_path(dir, 1);
}

static int make_dir(const char *path)
{
	struct stat sb;
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return KK_EIO;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) ? 0 : KK_EIO;
}

/* The value of KEY= in DATA/site/provisioned, the record of the last provisioning that
 * completed (its rename is the last step), into out; "" when absent. */
static void provisioned_get(const char *data_dir, const char *key, char *out, size_t cap)
{
	char dir[1100], buf[2048];
	size_t len = 0, kl = strlen(key);
	const char *p;
	out[0] = '\0';
	snprintf(dir, sizeof dir, "%s/site", data_dir);
	if (read_capped(dir, "provisioned", buf, sizeof buf, &len))
		return;
	for (p = buf; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(out, cap, "%.*s", (int)strcspn(p + kl + 1, "\r\n"), p + kl + 1);
			return;
		}
}

/* v into out when it is a kiosk id (the rule of a comment's target, not "*"), else "". */
static void id_if_valid(const char *v, char *out, size_t cap)
{
	struct kk_site_tag t;
	char probe[96];
	out[0] = '\0';
	if (strlen(v) > 32 || !strcmp(v, "*"))
		return;
	snprintf(probe, sizeof probe, KK_SITE_COMMENT_PREFIX "1 kiosk_id=%s", v);
	if (kk_site_tag_parse(probe, &t) == 0)
		snprintf(out, cap, "%s", v);
}

/* The kiosk's id: the kiosk_id of DATA/site/provisioned (a provisioning cut short, e.g. a
 * rename, has not changed it yet, so the same stick applies again), else config kiosk_id,
 * else DATA/site/kiosk-id. "" when none: a kiosk never provisioned. */
static void current_id(const struct kk_site_env *env, char *out, size_t cap)
{
	char dir[1100], buf[40], v[64];
	size_t len = 0;
	provisioned_get(env->data_dir, "kiosk_id", v, sizeof v);
	id_if_valid(v, out, cap);
	if (out[0])
		return;
	if (env->kiosk_id && env->kiosk_id[0]) {
		snprintf(out, cap, "%s", env->kiosk_id);
		return;
	}
	snprintf(dir, sizeof dir, "%s/site", env->data_dir);
	if (read_capped(dir, "kiosk-id", buf, sizeof buf, &len))
		return;
	buf[strcspn(buf, "\r\n")] = '\0';
	id_if_valid(buf, out, cap);
}

/* The serial of DATA/site/provisioned (0: none, e.g. provisioned by flash.sh). */
static uint64_t installed_serial(const char *data_dir)
{
	char v[32];
	provisioned_get(data_dir, "serial", v, sizeof v);
	return v[0] >= '0' && v[0] <= '9' ? strtoull(v, NULL, 10) : 0;
}

/* The root keys the kiosk trusts: sync_pubkey's files and DATA/keys/trusted/root-*.pub. */
static size_t trusted_roots(const struct kk_site_env *env, struct kk_ms_pub *keys, size_t max)
{
	struct kk_sync_keys k;
	char dir[1100], path[1400];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	if (env->pubkeys && env->pubkeys[0] && kk_sync_keys_load(&k, env->pubkeys) == 0)
		for (size_t i = 0; i < k.n && n < max; i++)
			keys[n++] = k.pub[i];
	snprintf(dir, sizeof dir, "%s/keys/trusted", env->data_dir);
	d = opendir(dir);
	if (!d)
		return n;
	for (int seen = 0; (e = readdir(d)) && seen < 64 && n < max; seen++) {
		size_t l = strlen(e->d_name);
		if (strncmp(e->d_name, "root-", 5) || l < 9 || strcmp(e->d_name + l - 4, ".pub"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (kk_ms_pub_read(path, &keys[n]) == 0)
			n++;
		else
			kk_warn(MOD, "%s: not a usable public key: ignored", path);
	}
	closedir(d);
	return n;
}

/* SHA-256 of len bytes as 64 lowercase hex digits. */
static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	for (size_t i = 0; i < sizeof h; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The id as minisign prints it: the 8 bytes as a little-endian number, in hex. */
static void key_id_hex(const uint8_t id[8], char out[17])
{
	for (int i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02X", id[7 - i]);
}

static void utc(char *out, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, cap, "unknown");
}

/* kiosk.conf as flash.sh writes it, plus kiosk_id and sync_pubkey (the provisioned roots). */
static int render_conf(const struct kk_site_env *env, const struct kk_site_conf *c,
		       const struct kk_site_tag *tag, const char *when, char *out, size_t cap)
{
	char pub[1100] = "";
	size_t o = 0;
	int n;
	for (size_t i = 0; i < c->n_keys; i++) {
		n = snprintf(pub + o, sizeof pub - o, "%s%s/keys/trusted/root-%zu.pub", i ? "," : "",
			     env->data_dir, i + 1);
		if (n < 0 || (size_t)n >= sizeof pub - o)
			return KK_E2BIG;
		o += (size_t)n;
	}
	n = snprintf(out, cap,
		     "# kiosk.conf — written by the kiosk on %s from a signed site.conf (serial %llu, "
		     "USB stick)\n# for kiosk %s. Keys: README.md, Configuration.\n"
		     "site_name = %s\nscreen_size = %s\norientation = %s\nfullscreen = yes\n"
		     "idle_timeout = %s\ndata_dir = %s\nprinter = %s\nsync_sources = usb%s%s\n"
		     "%s%s%s"
		     "kiosk_id = %s\nsync_pubkey = %s\nlog_level = info\n"
		     "font_fallback = /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\n",
		     when, (unsigned long long)tag->serial, c->kiosk_id, c->site_name,
		     c->screen_size[0] ? c->screen_size : env->screen_size,
		     c->orientation[0] ? c->orientation : env->orientation,
		     c->idle_timeout[0] ? c->idle_timeout : "120", env->data_dir,
		     c->printer[0] ? c->printer : "auto", c->sync_url[0] ? "," : "", c->sync_url,
		     c->staff_pin_hash[0] ? "staff_pin_hash = " : "", c->staff_pin_hash,
		     c->staff_pin_hash[0] ? "\n" : "", c->kiosk_id, pub);
	return n < 0 || (size_t)n >= cap ? KK_E2BIG : n;
}

/* Write DATA's files in the DESIGN order. */
static int write_all(const struct kk_site_env *env, const struct kk_site_conf *c,
		     const struct kk_site_tag *tag, const uint8_t signer[8], const char *conf,
		     size_t conf_len, const char *when, const char *sha, const char *sig_sha)
{
	char site[1100], keys_dir[1100], trusted[1100], text[1024], kid[17];
	struct dirent *e;
	DIR *d;
	int rc, n;

	snprintf(site, sizeof site, "%s/site", env->data_dir);
	snprintf(keys_dir, sizeof keys_dir, "%s/keys", env->data_dir);
	snprintf(trusted, sizeof trusted, "%s/keys/trusted", env->data_dir);
	if ((rc = kk_mkdir_p(env->data_dir, 0755)) || (rc = make_dir(site)) || (rc = make_dir(keys_dir)) || (rc = make_dir(trusted)) ||
	    (rc = kk_fsync_path(env->data_dir, 1)) || (rc = kk_fsync_path(keys_dir, 1)))
		return rc;
	for (size_t i = 0; i < c->n_keys; i++) {
		unsigned char bin[42];
		size_t bl = 0;
		char name[32];
		sodium_base642bin(bin, sizeof bin, c->trusted_key[i], strlen(c->trusted_key[i]), NULL,
				  &bl, NULL, sodium_base64_VARIANT_ORIGINAL);
		key_id_hex(bin + 2, kid);
		n = snprintf(text, sizeof text,
			     "untrusted comment: minisign public key %s (root %zu, provisioned from a "
			     "USB stick)\n%s\n",
			     kid, i + 1, c->trusted_key[i]);
		snprintf(name, sizeof name, "root-%zu.pub", i + 1);
		if ((rc = replace(trusted, name, text, (size_t)n, 0644)))
			return rc;
	}
	d = opendir(trusted);
	if (!d)
		return KK_EIO;
	while ((e = readdir(d))) { /* root keys of an earlier provisioning, beyond n_keys */
		unsigned long k;
		char *end;
		if (strncmp(e->d_name, "root-", 5))
			continue;
		k = strtoul(e->d_name + 5, &end, 10);
		if (strcmp(end, ".pub") || (k >= 1 && k <= c->n_keys))
			continue;
		if ((rc = remove_file(trusted, e->d_name))) {
			closedir(d);
			return rc;
		}
	}
	closedir(d);
	n = snprintf(text, sizeof text, "%s\n", c->kiosk_id);
	if ((rc = replace(site, "kiosk-id", text, (size_t)n, 0644)))
		return rc;
	if (c->open_hours[0]) {
		n = snprintf(text, sizeof text,
			     "# screen schedule (board/common/usr/lib/kiosk/kiosk-screen): display on at "
			     "opening, off at closing\nopen=%.5s\nclose=%.5s\ndays=%s\n",
			     c->open_hours, c->open_hours + 6, c->open_days[0] ? c->open_days : "daily");
		if (n < 0 || (size_t)n >= sizeof text)
			return KK_E2BIG;
		rc = replace(site, "screen-schedule", text, (size_t)n, 0644);
	} else {
		rc = remove_file(site, "screen-schedule");
	}
	if (rc || (rc = replace(env->data_dir, "kiosk.conf", conf, conf_len, 0640)))
		return rc;
	key_id_hex(signer, kid);
	n = snprintf(text, sizeof text,
		     "date=%s\nsource=usb\nserial=%llu\nsigned_by=%s\nkiosk_id=%s\ntarget=%s\n"
		     "site_conf_sha256=%s\nsignature_sha256=%s\n",
		     when, (unsigned long long)tag->serial, kid, c->kiosk_id, tag->target, sha, sig_sha);
	return replace(site, "provisioned", text, (size_t)n, 0644);
}

/* setup_dir/receipt-ID.txt (temp + rename); best effort, a read-only stick is normal. */
static void write_receipt(const char *setup_dir, const char *id, const char *when,
			  struct kk_site_result *r)
{
	char text[2048];
	int n = snprintf(text, sizeof text,
			 "kiosk = %s\ntime = %s\nresult = %s\nmessage = %s\nserial = %llu\n"
			 "installed_serial = %llu\nsite_name = %s\ndetail = %s\n",
			 id[0] ? id : "unprovisioned", when, kk_site_outcome_name(r->outcome),
			 r->message, (unsigned long long)r->serial,
			 (unsigned long long)r->old_serial, r->site_name, r->detail);
	char name[128];
	if (n < 0 || (size_t)n >= sizeof text)
		n = (int)strlen(text);
	snprintf(name, sizeof name, "receipt-%s.txt", id[0] ? id : "unprovisioned");
	r->receipt_written = replace(setup_dir, name, text, (size_t)n, 0644) == 0;
	if (!r->receipt_written)
		kk_warn(MOD, "%s: receipt not written: the stick may be read-only", setup_dir);
}

int kk_site_installed(const char *data_dir, const char *setup_dir)
{
	static const char *const files[2] = { KK_SITE_FILE, KK_SITE_SIG };
	static const char *const keys[2] = { "site_conf_sha256", "signature_sha256" };
	char *text = malloc(KK_SITE_MAX + 2), sha[65], old_sha[80];
	size_t len = 0;
	int same = text != NULL;
	for (int i = 0; i < 2 && same; i++) {
		provisioned_get(data_dir, keys[i], old_sha, sizeof old_sha);
		same = old_sha[0] &&
		       read_capped(setup_dir, files[i], text, KK_SITE_MAX + 2, &len) == 0;
		if (same) {
			sha256_hex(text, len, sha);
			same = !strcmp(sha, old_sha);
		}
	}
	free(text);
	return same;
}

/* The checks and the writes; res filled. */
static int provision(const struct kk_site_env *env, const char *setup_dir,
		     struct kk_site_result *res, const char *when, char *id, size_t id_cap)
{
	struct kk_ms_pub roots[2 * KK_SYNC_KEYS_MAX + 8];
	struct kk_site_problems *probs = NULL;
	struct kk_site_conf *conf = NULL;
	struct kk_config *check = NULL;
	struct kk_config_problems cp = { 0 };
	struct kk_site_tag tag;
	char *text = NULL, *kconf = NULL, sig[KK_MS_SIGFILE_MAX + 2], tc[KK_MS_COMMENT_MAX + 1];
	char zh[512], en[512], sha[65], old_sha[80], sig_sha[65];
	size_t len = 0, siglen = 0, nroots;
	const struct kk_ms_pub *signer = NULL;
	int rc, st = KK_MS_KEYID, kn;

	current_id(env, id, id_cap);
	res->old_serial = installed_serial(env->data_dir);
	text = malloc(KK_SITE_MAX + 2);
	kconf = malloc(8192);
	conf = malloc(sizeof *conf);
	probs = malloc(sizeof *probs);
	check = malloc(sizeof *check);
	if (!text || !kconf || !conf || !probs || !check) {
		rc = set(res, KK_SITE_FAILED, "内存不足，站点配置未更新。", "out of memory");
		goto out;
	}
	/* one read of each file: everything below uses these bytes */
	rc = read_capped(setup_dir, KK_SITE_FILE, text, KK_SITE_MAX + 2, &len);
	if (rc == KK_E2BIG) {
		rc = set(res, KK_SITE_INVALID, "站点配置未更新：配置有错误：文件太大（超过64KB）。",
			 "site.conf is larger than 64 KiB");
		goto out;
	}
	if (rc) {
		snprintf(en, sizeof en, "%s/" KK_SITE_FILE ": %s", setup_dir, kk_err_name(rc));
		rc = set(res, KK_SITE_FAILED, "读不到U盘上的站点配置，请重新插入U盘再试。", en);
		goto out;
	}
	rc = read_capped(setup_dir, KK_SITE_SIG, sig, sizeof sig, &siglen);
	if (rc) {
		snprintf(en, sizeof en, KK_SITE_SIG ": %s", kk_err_name(rc));
		rc = set(res, KK_SITE_BAD_SIGNATURE, "站点配置未更新：签名无效（缺少签名文件）。", en);
		goto out;
	}
	nroots = trusted_roots(env, roots, sizeof roots / sizeof roots[0]);
	if (!nroots) {
		rc = set(res, KK_SITE_NO_KEYS, "站点配置未更新：本机没有可信的密钥，无法核对签名。请技术人员检查。",
			 "no trusted root key (sync_pubkey, DATA/keys/trusted/root-*.pub)");
		goto out;
	}
	for (size_t i = 0; i < nroots && !signer; i++) {
		int s = kk_ms_verify(&roots[i], text, len, sig, siglen, tc, sizeof tc);
		if (s == KK_MS_OK)
			signer = &roots[i];
		else if (st == KK_MS_KEYID)
			st = s;
	}
	if (!signer) {
		snprintf(en, sizeof en, "signature refused: %s%s", kk_ms_status_name(st),
			 st == KK_MS_KEYID   ? " (signed by a key this kiosk does not trust)"
			 : st == KK_MS_LEGACY ? " (legacy Ed signature: only ED is accepted)"
					      : "");
		rc = set(res, KK_SITE_BAD_SIGNATURE, "站点配置未更新：签名无效。", en);
		goto out;
	}
	if (kk_site_tag_parse(tc, &tag)) {
		snprintf(en, sizeof en, "trusted comment is not a site configuration's: \"%.200s\"", tc);
		rc = set(res, KK_SITE_BAD_SIGNATURE, "站点配置未更新：签名无效（不是站点配置的签名）。", en);
		goto out;
	}
	res->serial = tag.serial;
	sha256_hex(text, len, sha);
	provisioned_get(env->data_dir, "site_conf_sha256", old_sha, sizeof old_sha);
	if (tag.serial == res->old_serial && !strcmp(sha, old_sha)) {
		/* before the target: a config that renamed the kiosk is still "installed" */
		snprintf(zh, sizeof zh, "站点配置已是这一版（编号 %llu），无需更新。",
			 (unsigned long long)tag.serial);
		snprintf(en, sizeof en, "serial %llu is installed already", (unsigned long long)tag.serial);
		rc = set(res, KK_SITE_SAME, zh, en);
		goto out;
	}
	if (strcmp(tag.target, "*") && id[0] && strcmp(tag.target, id)) {
		snprintf(zh, sizeof zh, "站点配置未更新：不是本机的配置（它是给 %s 的，本机是 %s）。",
			 tag.target, id);
		snprintf(en, sizeof en, "signed for kiosk_id %s, this kiosk is %s", tag.target, id);
		rc = set(res, KK_SITE_WRONG_KIOSK, zh, en);
		goto out;
	}
	if (tag.serial < res->old_serial) {
		snprintf(zh, sizeof zh, "站点配置未更新：比已安装的旧（编号 %llu，本机已是 %llu）。",
			 (unsigned long long)tag.serial, (unsigned long long)res->old_serial);
		snprintf(en, sizeof en, "serial %llu is older than the installed %llu (replay refused)",
			 (unsigned long long)tag.serial, (unsigned long long)res->old_serial);
		rc = set(res, KK_SITE_OLDER, zh, en);
		goto out;
	}
	if (tag.serial == res->old_serial) { /* the same serial, other bytes: never applied */
		snprintf(zh, sizeof zh, "站点配置未更新：比已安装的旧（编号 %llu 已使用过）。",
			 (unsigned long long)tag.serial);
		snprintf(en, sizeof en, "serial %llu is installed already with another site.conf",
			 (unsigned long long)tag.serial);
		rc = set(res, KK_SITE_OLDER, zh, en);
		goto out;
	}
	if (kk_site_conf_parse(text, len, KK_SITE_FILE, conf, probs)) {
		const char *m = probs->n ? probs->text[0] : "too many problems";
		const char *colon = probs->n ? strstr(m, ": ") : NULL; /* after "site.conf:N" */
		res->problem_line = probs->n ? probs->line[0] : 0;
		if (probs->n && probs->line[0] > 0)
			snprintf(zh, sizeof zh, "站点配置未更新：配置有错误：第%d行 %s", probs->line[0],
				 colon ? colon + 2 : m);
		else
			snprintf(zh, sizeof zh, "站点配置未更新：配置有错误：%s", colon ? colon + 2 : m);
		snprintf(en, sizeof en, "%s%s", m, probs->n > 1 ? " (and more)" : "");
		for (size_t i = 0; i < probs->n; i++)
			kk_warn(MOD, "%s", probs->text[i]);
		rc = set(res, KK_SITE_INVALID, zh, en);
		goto out;
	}
	snprintf(res->site_name, sizeof res->site_name, "%s", conf->site_name);
	snprintf(res->kiosk_id, sizeof res->kiosk_id, "%s", conf->kiosk_id);
	kn = render_conf(env, conf, &tag, when, kconf, 8192);
	kk_config_defaults(check);
	if (kn < 0 || kk_config_parse(check, "kiosk.conf", kconf, (size_t)kn, &cp) != 0) {
		snprintf(en, sizeof en, "the kiosk.conf made from site.conf fails the config check: %s",
			 kn < 0 ? "data folder path too long" : cp.n ? cp.lines[0] : "?");
		rc = set(res, KK_SITE_FAILED, "站点配置未更新：生成的 kiosk.conf 没有通过检查，请联系开发人员。", en);
		goto out;
	}
	sha256_hex(sig, siglen, sig_sha);
	rc = write_all(env, conf, &tag, signer->id, kconf, (size_t)kn, when, sha, sig_sha);
	if (rc) {
		snprintf(en, sizeof en, "writing %s: %s", env->data_dir, kk_err_name(rc));
		rc = set(res, KK_SITE_FAILED,
			 rc == KK_ENOSPC ? "写入站点配置失败：存储空间不足。请再试一次或联系技术人员。"
					 : "写入站点配置失败，请再插一次U盘重试。",
			 en);
		goto out;
	}
	snprintf(zh, sizeof zh, "站点配置已更新：%s（%s）", conf->site_name, conf->kiosk_id);
	snprintf(en, sizeof en, "provisioned %s (%s), serial %llu, %zu root key(s)", conf->kiosk_id,
		 conf->site_name, (unsigned long long)tag.serial, conf->n_keys);
	rc = set(res, KK_SITE_APPLIED, zh, en);
	snprintf(id, id_cap, "%s", conf->kiosk_id);
out:
	kk_config_problems_fini(&cp);
	free(text);
	free(kconf);
	free(conf);
	free(probs);
	free(check);
	return rc;
}

int kk_site_provision(const struct kk_site_env *env, const char *setup_dir,
		      struct kk_site_result *res)
{
	char when[32], id[40];
	int rc;
	memset(res, 0, sizeof *res);
	kk_sync_fault_reset(); /* KK_FAULT_AT / KK_FAULT_MODE, as for a bundle (apply.h) */
	utc(when, sizeof when);
	rc = provision(env, setup_dir, res, when, id, sizeof id);
	kk_info(MOD, "%s: %s — %s", setup_dir, kk_site_outcome_name(res->outcome), res->detail);
	write_receipt(setup_dir, id, when, res);
	return rc;
}
