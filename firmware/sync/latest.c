/* latest.c — see latest.h. */
#include "sync/latest.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "sync/apply.h"
#include "sync/sync_fs.h"

int kk_latest_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > KK_MANIFEST_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int kk_latest_folder(uint32_t epoch, uint64_t seq, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%u.%llu", (unsigned)epoch, (unsigned long long)seq);
	return n < 0 || (size_t)n >= cap ? KK_E2BIG : n;
}

/* Take the line "KEY = VALUE\n" at *pos of text; the value (without the newline) into v/vn.
 * Returns 0 or -1 (missing line, other key, no newline). */
static int take_line(const char *text, size_t len, size_t *pos, const char *key, const char **v,
		     size_t *vn)
{
	size_t kn = strlen(key), p = *pos;
	const char *nl;

	if (len - p < kn + 4 || memcmp(text + p, key, kn) != 0 || memcmp(text + p + kn, " = ", 3))
		return -1;
	p += kn + 3;
	nl = memchr(text + p, '\n', len - p);
	if (!nl)
		return -1;
	*v = text + p;
	*vn = (size_t)(nl - (text + p));
	*pos = (size_t)(nl - text) + 1;
	return 0;
}

/* Copy a [a-z0-9-] name of n bytes into out (KK_MANIFEST_NAME_MAX + 1 bytes). */
static int take_name(const char *v, size_t n, char *out)
{
	if (n < 1 || n > KK_MANIFEST_NAME_MAX || memchr(v, '\0', n))
		return -1; /* a NUL would hide the rest of the value from the check below */
	memcpy(out, v, n);
	out[n] = '\0';
	return kk_latest_name_ok(out) ? 0 : -1;
}

int kk_latest_parse(const char *text, size_t len, struct kk_latest *out)
{
	const char *v;
	size_t vn, pos = 0;
	uint64_t epoch, seq;
	char folder[48];
	int fn, rc = KK_ECORRUPT;

	memset(out, 0, sizeof *out);
	if (len > KK_LATEST_MAX)
		return KK_E2BIG;
	if (take_line(text, len, &pos, "format", &v, &vn) || vn != 1 || v[0] != '1' ||
	    take_line(text, len, &pos, "product", &v, &vn) || take_name(v, vn, out->product) ||
	    take_line(text, len, &pos, "channel", &v, &vn) || take_name(v, vn, out->channel) ||
	    take_line(text, len, &pos, "epoch", &v, &vn) ||
	    kk_manifest_parse_u64(v, vn, 0, UINT32_MAX, &epoch) ||
	    take_line(text, len, &pos, "seq", &v, &vn) ||
	    kk_manifest_parse_u64(v, vn, 1, KK_MANIFEST_SEQ_MAX, &seq) ||
	    take_line(text, len, &pos, "bundle", &v, &vn) || pos != len)
		goto out;
	fn = kk_latest_folder((uint32_t)epoch, seq, folder, sizeof folder);
	if (fn < 0 || (size_t)fn != vn || memcmp(folder, v, vn) != 0)
		goto out;
	out->epoch = (uint32_t)epoch;
	out->seq = seq;
	rc = 0;
out:
	if (rc)
		memset(out, 0, sizeof *out);
	return rc;
}

int kk_latest_write(const struct kk_latest *l, char *buf, size_t cap)
{
	int n;

	if (!kk_latest_name_ok(l->product) || !kk_latest_name_ok(l->channel) || l->seq < 1 ||
	    l->seq > KK_MANIFEST_SEQ_MAX)
		return KK_EINVAL;
	n = snprintf(buf, cap, "format = 1\nproduct = %s\nchannel = %s\nepoch = %u\nseq = %llu\n"
			       "bundle = %u.%llu\n",
		     l->product, l->channel, (unsigned)l->epoch, (unsigned long long)l->seq,
		     (unsigned)l->epoch, (unsigned long long)l->seq);
	return n < 0 || (size_t)n >= cap || n > KK_LATEST_MAX ? KK_E2BIG : n;
}

/* The base URL rule of kk_fetch_url_join. */
static int base_ok(const char *base)
{
	size_t skip;

	if (!strncmp(base, "http://", 7))
		skip = 7;
	else if (!strncmp(base, "https://", 8))
		skip = 8;
	else
		return 0;
	if (base[skip] == '\0' || base[skip] == '/')
		return 0; /* no host */
	for (const char *p = base; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '?' || *p == '#')
			return 0;
	return 1;
}

/* The relative path rule of kk_fetch_url_join. */
static int name_ok(const char *name)
{
	const char *seg = name;

	for (const char *p = name;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t n = (size_t)(p - seg);
			if (n == 0 || (n == 1 && seg[0] == '.') ||
			    (n == 2 && seg[0] == '.' && seg[1] == '.'))
				return 0;
			if (*p == '\0')
				return 1;
			seg = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-')) {
			return 0;
		}
	}
}

int kk_fetch_url_join(char *out, size_t cap, const char *base, const char *channel,
		      const char *name)
{
	size_t bn;
	int n;

	if (cap)
		out[0] = '\0';
	if (!base_ok(base) || !kk_latest_name_ok(channel) || !name_ok(name))
		return KK_EINVAL;
	bn = strlen(base);
	n = snprintf(out, cap, "%s%s%s/%s", base, base[bn - 1] == '/' ? "" : "/", channel, name);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			out[0] = '\0';
		return KK_E2BIG;
	}
	return 0;
}

int kk_fetch_state_parse(const char *text, size_t len, struct kk_fetch_state *out)
{
	const char *v;
	size_t vn, pos = 0;
	uint64_t failures, last, mag;
	int neg;

	memset(out, 0, sizeof *out);
	if (len > KK_FETCH_STATE_MAX)
		return KK_E2BIG;
	if (take_line(text, len, &pos, "failures", &v, &vn) ||
	    kk_manifest_parse_u64(v, vn, 0, UINT32_MAX, &failures) ||
	    take_line(text, len, &pos, "last", &v, &vn) ||
	    kk_manifest_parse_u64(v, vn, 0, KK_MANIFEST_SEQ_MAX, &last))
		return KK_ECORRUPT;
	if (pos != len) { /* the jitter line: "-0" is not a spelling we write */
		if (take_line(text, len, &pos, "jitter", &v, &vn) || pos != len)
			return KK_ECORRUPT;
		neg = vn > 0 && v[0] == '-';
		if (kk_manifest_parse_u64(v + neg, vn - (size_t)neg, (uint64_t)neg,
					  KK_FETCH_JITTER_PM, &mag))
			return KK_ECORRUPT;
		out->jitter = neg ? -(int)mag : (int)mag;
	}
	out->failures = (uint32_t)failures;
	out->last = (int64_t)last;
	return 0;
}

int kk_fetch_state_format(const struct kk_fetch_state *s, char *buf, size_t cap)
{
	int j = s->jitter, n;

	j = j < -KK_FETCH_JITTER_PM ? -KK_FETCH_JITTER_PM : j > KK_FETCH_JITTER_PM ? KK_FETCH_JITTER_PM : j;
	n = snprintf(buf, cap, "failures = %u\nlast = %lld\njitter = %d\n", (unsigned)s->failures,
		     (long long)(s->last < 0 ? 0 : s->last), j);
	return n < 0 || (size_t)n >= cap ? KK_E2BIG : n;
}

int64_t kk_fetch_backoff(int interval, uint32_t failures)
{
	int64_t cap = (int64_t)(interval < 1 ? 1 : interval) * KK_FETCH_BACKOFF_MULT, d;

	if (failures == 0)
		return interval < 1 ? 1 : interval;
	d = KK_FETCH_RETRY_MIN;
	for (uint32_t i = 1; i < failures && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

int64_t kk_fetch_jittered(int64_t delay, int jitter)
{
	int64_t d;

	jitter = jitter < -KK_FETCH_JITTER_PM	? -KK_FETCH_JITTER_PM
		 : jitter > KK_FETCH_JITTER_PM ? KK_FETCH_JITTER_PM
					       : jitter;
	/* delays are at most 7 days x KK_FETCH_BACKOFF_MULT: no overflow */
	d = delay + delay * jitter / 1000;
	return d < 1 ? 1 : d;
}

int kk_fetch_jitter_draw(void)
{
	if (sodium_init() < 0)
		return 0; /* no random source: no jitter, still a schedule */
	return (int)randombytes_uniform(2 * KK_FETCH_JITTER_PM + 1) - KK_FETCH_JITTER_PM;
}

int64_t kk_fetch_spread_draw(int max_s)
{
	if (max_s <= 0 || sodium_init() < 0)
		return 0;
	return (int64_t)randombytes_uniform((uint32_t)max_s + 1);
}

int64_t kk_fetch_next_due(const struct kk_fetch_state *s, int interval, int64_t now)
{
	int64_t delay = kk_fetch_jittered(kk_fetch_backoff(interval, s->failures), s->jitter);

	if (s->last <= 0 || s->last - now > delay)
		return now;
	return s->last + delay;
}

/* DATA/fetch.state into *s; any problem leaves a zero state (due now). */
static void state_read(const char *data_dir, struct kk_fetch_state *s)
{
	char path[KK_SYNC_PATH_MAX + 32], text[KK_FETCH_STATE_MAX + 1];
	size_t len;

	memset(s, 0, sizeof *s);
	if (kk_sync_join(path, sizeof path, data_dir, "fetch.state") ||
	    kk_sync_read_small(path, text, sizeof text, &len) ||
	    kk_fetch_state_parse(text, len, s))
		memset(s, 0, sizeof *s);
}

int64_t kk_sync_fetch_due(const char *data_dir, int interval, int64_t now)
{
	struct kk_fetch_state s;

	state_read(data_dir, &s);
	return kk_fetch_next_due(&s, interval, now);
}

int kk_sync_fetch_record(const char *data_dir, int ok, int64_t now)
{
	struct kk_fetch_state s;
	char text[KK_FETCH_STATE_MAX];
	int n;

	state_read(data_dir, &s);
	s.failures = ok ? 0 : (s.failures < UINT32_MAX ? s.failures + 1 : s.failures);
	s.last = now;
	s.jitter = kk_fetch_jitter_draw();
	n = kk_fetch_state_format(&s, text, sizeof text);
	if (n < 0)
		return n;
	return kk_sync_replace_file(data_dir, "fetch.state", text, (size_t)n);
}
