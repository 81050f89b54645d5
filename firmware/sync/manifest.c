/*
 * manifest.c — strict parser and writer of the bundle manifest (format in manifest.h).
 * No libc number parsing (strtoull accepts spaces, signs and wraps): digits are read by hand
 * with an overflow check against each key's range.
 */
#include "sync/manifest.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

enum key {
	K_FORMAT, K_PRODUCT, K_CHANNEL, K_EPOCH, K_SEQ, K_TYPE, K_BASE_SEQ, K_BASE_SHA256,
	K_PAYLOAD, K_PAYLOAD_SIZE, K_PAYLOAD_SHA256, K_CREATED, K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"format", "product", "channel", "epoch", "seq", "type", "base_seq", "base_sha256",
	"payload", "payload_size", "payload_sha256", "created",
};

/* Format a reason into err (if given). Always returns rc, so callers can `return fail(...)`. */
static int fail(char *err, size_t cap, int rc, const char *fmt, ...)
{
	va_list ap;
	if (err && cap) {
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* A decimal integer of 1..20 digits, no sign, no leading zero (except "0"), within [lo, hi]. */
int kk_manifest_parse_u64(const char *v, size_t n, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t x = 0;
	if (n == 0 || n > 20 || (n > 1 && v[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (x > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

/* 64 lower-case hex digits into 32 bytes. */
static int parse_hex32(const char *v, size_t n, uint8_t out[32])
{
	if (n != 64)
		return -1;
	for (size_t i = 0; i < 64; i++) {
		char c = v[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(d << 4);
		else
			out[i / 2] |= (uint8_t)d;
	}
	return 0;
}

/* A product or channel name: [a-z0-9-], 1..KK_MANIFEST_NAME_MAX bytes. */
static int name_ok(const char *v, size_t n)
{
	if (n == 0 || n > KK_MANIFEST_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-'))
			return 0;
	return 1;
}

/* A payload file name: [A-Za-z0-9._-], not starting with '.', so never a path or "..". */
static int file_ok(const char *v, size_t n)
{
	if (n == 0 || n > KK_MANIFEST_FILE_MAX || v[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '_' || v[i] == '.'))
			return 0;
	return 1;
}

/* YYYY-MM-DDTHH:MM:SSZ with digits in range (month 01-12, day 01-31, 00-23:00-59:00-60). */
static int created_ok(const char *v, size_t n)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (n != sizeof shape - 1)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (shape[i] == 'd' ? (v[i] < '0' || v[i] > '9') : v[i] != shape[i])
			return 0;
	}
#define D2(i) ((v[i] - '0') * 10 + (v[(i) + 1] - '0'))
	return D2(5) >= 1 && D2(5) <= 12 && D2(8) >= 1 && D2(8) <= 31 && D2(11) <= 23 &&
	       D2(14) <= 59 && D2(17) <= 60;
#undef D2
}

/* Parse one value for key k into m; returns 0 or -1 (the caller names the key). */
static int parse_value(enum key k, const char *v, size_t n, struct kk_manifest *m)
{
	uint64_t x;

	switch (k) {
	case K_FORMAT:
		if (kk_manifest_parse_u64(v, n, 1, 1, &x))
			return -1;
		m->format = (unsigned)x;
		return 0;
	case K_PRODUCT:
	case K_CHANNEL: {
		char *dst = k == K_PRODUCT ? m->product : m->channel;
		if (!name_ok(v, n))
			return -1;
		memcpy(dst, v, n);
		dst[n] = '\0';
		return 0;
	}
	case K_EPOCH:
		if (kk_manifest_parse_u64(v, n, 0, UINT32_MAX, &x))
			return -1;
		m->epoch = (uint32_t)x;
		return 0;
	case K_SEQ:
		return kk_manifest_parse_u64(v, n, 1, KK_MANIFEST_SEQ_MAX, &m->seq);
	case K_TYPE:
		if (n == 4 && !memcmp(v, "full", 4))
			m->type = KK_BUNDLE_FULL;
		else if (n == 5 && !memcmp(v, "delta", 5))
			m->type = KK_BUNDLE_DELTA;
		else
			return -1;
		return 0;
	case K_BASE_SEQ:
		return kk_manifest_parse_u64(v, n, 0, KK_MANIFEST_SEQ_MAX, &m->base_seq);
	case K_BASE_SHA256:
		if (n == 4 && !memcmp(v, "none", 4)) {
			memset(m->base_sha256, 0, 32);
			return 0;
		}
		return parse_hex32(v, n, m->base_sha256);
	case K_PAYLOAD:
		if (!file_ok(v, n))
			return -1;
		memcpy(m->payload, v, n);
		m->payload[n] = '\0';
		return 0;
	case K_PAYLOAD_SIZE:
		return kk_manifest_parse_u64(v, n, 1, KK_MANIFEST_PAYLOAD_MAX, &m->payload_size);
	case K_PAYLOAD_SHA256:
		return parse_hex32(v, n, m->payload_sha256);
	case K_CREATED:
		if (!created_ok(v, n))
			return -1;
		memcpy(m->created, v, n);
		m->created[n] = '\0';
		return 0;
	case K_COUNT:
		break;
	}
	return -1;
}

/*
 * Line by line: "key = value\n" with exactly one space either side of '='. The whole text,
 * each line and the line count are capped before anything is copied; then the cross-field
 * rules (full/delta and the base) are checked once every key is present.
 */
int kk_manifest_parse(const char *text, size_t len, struct kk_manifest *out, char *err,
		      size_t err_cap)
{
	struct kk_manifest m;
	int seen[K_COUNT] = {0};
	size_t i = 0;
	int line = 0;
	int base_none = 0;

	memset(&m, 0, sizeof m);
	memset(out, 0, sizeof *out);
	if (len > KK_MANIFEST_MAX)
		return fail(err, err_cap, KK_E2BIG, "manifest over %d bytes", KK_MANIFEST_MAX);
	if (len == 0 || text[len - 1] != '\n')
		return fail(err, err_cap, KK_ECORRUPT, "manifest empty or last line unterminated");
	for (size_t j = 0; j < len; j++) /* the line cap holds before any line is looked at */
		if (text[j] == '\n' && ++line > KK_MANIFEST_LINES_MAX)
			return fail(err, err_cap, KK_E2BIG, "over %d lines", KK_MANIFEST_LINES_MAX);
	line = 0;
	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i), *eq;
		size_t n = (size_t)(nl - l), kn, vn;
		enum key k;

		line++;
		i += n + 1;
		if (n > KK_MANIFEST_LINE_MAX)
			return fail(err, err_cap, KK_E2BIG, "line %d: over %d bytes", line,
				    KK_MANIFEST_LINE_MAX);
		eq = memchr(l, '=', n);
		if (!eq || eq - l < 2 || eq[-1] != ' ' || (size_t)(eq - l) + 2 > n || eq[1] != ' ')
			return fail(err, err_cap, KK_ECORRUPT, "line %d: not \"key = value\"", line);
		kn = (size_t)(eq - l) - 1;
		vn = n - kn - 3;
		for (k = 0; k < K_COUNT; k++)
			if (strlen(key_names[k]) == kn && !memcmp(key_names[k], l, kn))
				break;
		if (k == K_COUNT)
			return fail(err, err_cap, KK_ECORRUPT, "line %d: unknown key \"%.*s\"", line,
				    (int)(kn > 32 ? 32 : kn), l);
		if (seen[k]++)
			return fail(err, err_cap, KK_ECORRUPT, "line %d: %s given twice", line,
				    key_names[k]);
		if (parse_value(k, eq + 2, vn, &m))
			return fail(err, err_cap, KK_ECORRUPT, "line %d: %s: bad value", line,
				    key_names[k]);
		if (k == K_BASE_SHA256)
			base_none = vn == 4 && !memcmp(eq + 2, "none", 4);
	}
	for (enum key k = 0; k < K_COUNT; k++)
		if (!seen[k])
			return fail(err, err_cap, KK_ECORRUPT, "%s missing", key_names[k]);
	if (m.type == KK_BUNDLE_FULL && (m.base_seq != 0 || !base_none))
		return fail(err, err_cap, KK_ECORRUPT, "full bundle with a base");
	if (m.type == KK_BUNDLE_DELTA && (m.base_seq == 0 || m.base_seq >= m.seq || base_none))
		return fail(err, err_cap, KK_ECORRUPT, "delta bundle without a valid base");
	*out = m;
	return 0;
}

/* Lower-case hex. */
void kk_hex32(const uint8_t in[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[64] = '\0';
}

/* Format, then parse back: the writer never produces what the parser would refuse. */
int kk_manifest_write(const struct kk_manifest *m, char *buf, size_t cap)
{
	char ph[65], bh[65];
	struct kk_manifest back;
	int n;

	kk_hex32(m->payload_sha256, ph);
	if (m->type == KK_BUNDLE_DELTA)
		kk_hex32(m->base_sha256, bh);
	else
		strcpy(bh, "none");
	n = snprintf(buf, cap,
		     "format = %u\nproduct = %s\nchannel = %s\nepoch = %u\nseq = %llu\n"
		     "type = %s\nbase_seq = %llu\nbase_sha256 = %s\npayload = %s\n"
		     "payload_size = %llu\npayload_sha256 = %s\ncreated = %s\n",
		     m->format, m->product, m->channel, (unsigned)m->epoch,
		     (unsigned long long)m->seq, m->type == KK_BUNDLE_DELTA ? "delta" : "full",
		     (unsigned long long)m->base_seq, bh, m->payload,
		     (unsigned long long)m->payload_size, ph, m->created);
	if (n < 0 || (size_t)n >= cap)
		return KK_E2BIG;
	if (kk_manifest_parse(buf, (size_t)n, &back, NULL, 0))
		return KK_EINVAL;
	return n;
}
