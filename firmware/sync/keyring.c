/*
 * keyring.c — parse, write and walk keyrings (keyring.h).
 *
 * DESIGN: nothing here writes; persisting the accepted keyring is the caller's (apply.c keeps
 * it in DATA/keyring, replaced by write temp + fsync + rename + fsync). The parser is strict
 * because the text is what the roots' signatures vouch for. Signatures are counted per
 * distinct key so one root signing twice (two files with the same key id) counts once.
 */
#include "sync/keyring.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "sync/bundle.h"
#include "sync/manifest.h"

#define PUB_BIN 42 /* "Ed" | id[8] | pk[32] */

const char *kk_keyring_status_name(int st)
{
	switch (st) {
	case KK_KEYRING_OK: return "OK";
	case KK_KEYRING_MALFORMED: return "KEYRING_MALFORMED";
	case KK_KEYRING_WRONG: return "KEYRING_WRONG";
	case KK_KEYRING_OLD_ROOTS: return "KEYRING_OLD_ROOTS";
	case KK_KEYRING_NEW_ROOTS: return "KEYRING_NEW_ROOTS";
	default: return "UNKNOWN";
	}
}

/* A character of the original base64 alphabet (no padding: 42 bytes are 56 characters). */
static int b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* A minisign public key's base64 line (n bytes at v) into *out. Returns 0 or -1. */
static int pub_decode(const char *v, size_t n, struct kk_ms_pub *out)
{
	uint8_t bin[PUB_BIN + 8];
	size_t got = 0;
	const char *end = NULL;

	/* libsodium's decoder maps some bytes outside the alphabet (>= 0x80) to values instead of
	 * stopping there: check the alphabet first, so one key has exactly one spelling */
	if (n != 56)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!b64_char(v[i]))
			return -1;
	if (sodium_base642bin(bin, sizeof bin, v, n, NULL, &got, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != v + n || got != PUB_BIN || memcmp(bin, "Ed", 2) != 0)
		return -1;
	memcpy(out->id, bin + 2, KK_MS_KEYID_LEN);
	memcpy(out->pk, bin + 2 + KK_MS_KEYID_LEN, 32);
	return 0;
}

/* The base64 line of a public key into out (at least 64 bytes). */
static void pub_encode(const struct kk_ms_pub *p, char *out, size_t cap)
{
	uint8_t bin[PUB_BIN];
	memcpy(bin, "Ed", 2);
	memcpy(bin + 2, p->id, KK_MS_KEYID_LEN);
	memcpy(bin + 2 + KK_MS_KEYID_LEN, p->pk, 32);
	sodium_bin2base64(out, cap, bin, sizeof bin, sodium_base64_VARIANT_ORIGINAL);
}

/* YYYY-MM-DDTHH:MM:SSZ with digits where digits belong (ranges loosely checked). */
static int date_ok(const char *v, size_t n)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	if (n != sizeof pat - 1)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (pat[i] == 'd' ? (v[i] < '0' || v[i] > '9') : v[i] != pat[i])
			return 0;
	return 1;
}

/* Whether two keys are the same key (id and public key). */
static int pub_same(const struct kk_ms_pub *a, const struct kk_ms_pub *b)
{
	return !memcmp(a->id, b->id, sizeof a->id) && !memcmp(a->pk, b->pk, sizeof a->pk);
}

/* Append the key of base64 line v (vn bytes) to list[*n]: -1 when the list is full, the line
 * is not a public key, or the key is already listed. */
static int key_add(struct kk_ms_pub *list, size_t *n, const char *v, size_t vn)
{
	if (*n == KK_KEYRING_KEYS_MAX || pub_decode(v, vn, &list[*n]))
		return -1;
	for (size_t j = 0; j < *n; j++)
		if (pub_same(&list[j], &list[*n]))
			return -1;
	(*n)++;
	return 0;
}

/* Parse "key = value" lines in the fixed order of keyring.h. */
int kk_keyring_parse(const char *text, size_t len, struct kk_keyring *out, char *err,
		     size_t err_cap)
{
	static const char *const fixed[] = { "format", "product", "version", "expires",
					     "threshold" };
	size_t i = 0, lineno = 0;
	int rc = KK_ECORRUPT;
	uint64_t u;

	memset(out, 0, sizeof *out);
	if (err && err_cap)
		err[0] = '\0';
#define BAD(...)                                                                               \
	do {                                                                                   \
		if (err && err_cap)                                                            \
			snprintf(err, err_cap, __VA_ARGS__);                                   \
		goto out;                                                                      \
	} while (0)
	if (len > KK_KEYRING_MAX) {
		rc = KK_E2BIG;
		BAD("keyring over %d bytes", KK_KEYRING_MAX);
	}
	if (sodium_init() < 0)
		BAD("libsodium");
	while (i < len) {
		const char *line = text + i, *nl = memchr(line, '\n', len - i), *eq;
		size_t n, kn, vn;
		const char *v;

		lineno++;
		if (!nl)
			BAD("line %zu: no newline at the end", lineno);
		n = (size_t)(nl - line);
		i += n + 1;
		if (n > KK_KEYRING_LINE_MAX)
			BAD("line %zu: over %d bytes", lineno, KK_KEYRING_LINE_MAX);
		eq = memchr(line, '=', n);
		if (!eq || eq == line || eq[-1] != ' ' || eq + 1 >= line + n || eq[1] != ' ')
			BAD("line %zu: not \"key = value\"", lineno);
		kn = (size_t)(eq - 1 - line);
		v = eq + 2;
		vn = (size_t)(line + n - v);
		if (vn == 0 || memchr(v, '\0', vn) || memchr(line, '\0', kn))
			BAD("line %zu: empty value", lineno);
		if (lineno <= 5) { /* the fixed keys, in order */
			const char *want = fixed[lineno - 1];
			if (kn != strlen(want) || memcmp(line, want, kn) != 0)
				BAD("line %zu: expected %s", lineno, want);
		}
		switch (lineno) {
		case 1:
			if (vn != 1 || v[0] != '1')
				BAD("format: only 1 is known");
			out->format = 1;
			continue;
		case 2:
			if (vn != strlen(KK_SYNC_PRODUCT) || memcmp(v, KK_SYNC_PRODUCT, vn) != 0)
				BAD("product: not %s", KK_SYNC_PRODUCT);
			continue;
		case 3:
			if (kk_manifest_parse_u64(v, vn, 1, KK_MANIFEST_SEQ_MAX, &out->version))
				BAD("version: not 1..2^53");
			continue;
		case 4:
			if (vn == 4 && !memcmp(v, "none", 4))
				continue;
			if (!date_ok(v, vn))
				BAD("expires: not YYYY-MM-DDTHH:MM:SSZ or none");
			memcpy(out->expires, v, vn);
			continue;
		case 5:
			if (kk_manifest_parse_u64(v, vn, 1, KK_KEYRING_KEYS_MAX, &u))
				BAD("threshold: not 1..%d", KK_KEYRING_KEYS_MAX);
			out->threshold = (unsigned)u;
			continue;
		default:
			break;
		}
		if ((kn == 4 && !memcmp(line, "root", 4)) || (kn == 7 && !memcmp(line, "release", 7))) {
			int is_root = kn == 4;
			const char *what = is_root ? "root" : "release";
			if (is_root && out->n_release)
				BAD("line %zu: root after release", lineno);
			if (key_add(is_root ? out->root : out->release,
				    is_root ? &out->n_root : &out->n_release, v, vn) != 0)
				BAD("line %zu: %s: over %d, listed twice, or not a minisign public key",
				    lineno, what, KK_KEYRING_KEYS_MAX);
		} else {
			BAD("line %zu: unknown key", lineno);
		}
	}
	if (lineno < 5 || !out->n_root || !out->n_release)
		BAD("needs format..threshold, at least one root and one release key");
	if (out->threshold > out->n_root)
		BAD("threshold %u over %zu roots", out->threshold, out->n_root);
	memcpy(out->text, text, len);
	out->text[len] = '\0';
	out->text_len = len;
	rc = 0;
#undef BAD
out:
	if (rc)
		memset(out, 0, sizeof *out);
	return rc;
}

/* The text in the order of keyring.h; checked by parsing it back. */
int kk_keyring_write(const struct kk_keyring *k, char *buf, size_t cap)
{
	struct kk_keyring *back = malloc(sizeof *back);
	struct kk_buf b;
	char key[80], line[KK_KEYRING_LINE_MAX + 8];
	int rc = 0, n;

	kk_buf_init(&b, KK_KEYRING_MAX);
	if (!back || sodium_init() < 0) {
		rc = back ? KK_EIO : KK_ENOMEM;
		goto out;
	}
	n = snprintf(line, sizeof line,
		     "format = 1\nproduct = %s\nversion = %llu\nexpires = %s\nthreshold = %u\n",
		     KK_SYNC_PRODUCT, (unsigned long long)k->version,
		     k->expires[0] ? k->expires : "none", k->threshold);
	if (n < 0 || (size_t)n >= sizeof line) {
		rc = KK_EINVAL;
		goto out;
	}
	rc = kk_buf_adds(&b, line);
	for (size_t i = 0; !rc && i < k->n_root + k->n_release && i < 2 * KK_KEYRING_KEYS_MAX; i++) {
		int is_root = i < k->n_root;
		pub_encode(is_root ? &k->root[i] : &k->release[i - k->n_root], key, sizeof key);
		snprintf(line, sizeof line, "%s = %s\n", is_root ? "root" : "release", key);
		rc = kk_buf_adds(&b, line);
	}
	if (rc)
		goto out;
	if (b.len + 1 > cap) {
		rc = KK_E2BIG;
		goto out;
	}
	if (kk_keyring_parse(b.data, b.len, back, NULL, 0) || back->n_root != k->n_root ||
	    back->n_release != k->n_release) {
		rc = KK_EINVAL;
		goto out;
	}
	memcpy(buf, b.data, b.len);
	buf[b.len] = '\0';
	rc = (int)b.len;
out:
	free(back);
	kk_buf_fini(&b);
	return rc;
}

void kk_keyring_from_roots(struct kk_keyring *k, const struct kk_ms_pub *roots, size_t n)
{
	memset(k, 0, sizeof *k);
	if (n > KK_KEYRING_KEYS_MAX)
		n = KK_KEYRING_KEYS_MAX;
	k->format = 1;
	k->threshold = 1;
	memcpy(k->root, roots, n * sizeof *roots);
	memcpy(k->release, roots, n * sizeof *roots);
	k->n_root = k->n_release = n;
}

/* Each key counts once, whatever number of signature files it made. */
size_t kk_keyring_count_signers(const struct kk_ms_pub *keys, size_t n, const void *msg,
				size_t len, const char *const *sigs, const size_t *lens,
				size_t nsig)
{
	size_t count = 0;
	for (size_t k = 0; k < n; k++)
		for (size_t s = 0; s < nsig; s++)
			if (sigs[s] && kk_ms_verify(&keys[k], msg, len, sigs[s], lens[s], NULL, 0) ==
					       KK_MS_OK) {
				count++;
				break;
			}
	return count;
}

/* One step of the walk: dir/keyring.V (already known to exist) against *cur. */
static int advance_one(const char *dir, uint64_t v, const struct kk_keyring *cur,
		       struct kk_keyring *next, char *detail, size_t cap)
{
	char path[4096], perr[128];
	struct kk_buf text, sig[KK_KEYRING_SIGS_MAX];
	const char *sigs[KK_KEYRING_SIGS_MAX] = { 0 };
	size_t lens[KK_KEYRING_SIGS_MAX] = { 0 }, n_old, n_new;
	int rc;

	kk_buf_init(&text, KK_KEYRING_MAX);
	for (int s = 0; s < KK_KEYRING_SIGS_MAX; s++)
		kk_buf_init(&sig[s], KK_MS_SIGFILE_MAX);
	snprintf(path, sizeof path, "%s/keyring.%llu", dir, (unsigned long long)v);
	if ((rc = kk_buf_read_file(&text, path)) != 0 ||
	    kk_keyring_parse(text.data, text.len, next, perr, sizeof perr) != 0) {
		if (rc)
			snprintf(perr, sizeof perr, "%s", kk_err_name(rc));
		snprintf(detail, cap, "keyring.%llu: %s", (unsigned long long)v, perr);
		rc = KK_KEYRING_MALFORMED;
		goto out;
	}
	if (next->version != v) {
		snprintf(detail, cap, "keyring.%llu says version %llu", (unsigned long long)v,
			 (unsigned long long)next->version);
		rc = KK_KEYRING_WRONG;
		goto out;
	}
	for (int s = 0; s < KK_KEYRING_SIGS_MAX; s++) {
		int r;
		snprintf(path, sizeof path, "%s/keyring.%llu.%d.minisig", dir, (unsigned long long)v,
			 s + 1);
		r = kk_buf_read_file(&sig[s], path);
		if (r == KK_ENOENT)
			continue;
		if (r) {
			snprintf(detail, cap, "keyring.%llu.%d.minisig: %s", (unsigned long long)v,
				 s + 1, kk_err_name(r));
			rc = KK_KEYRING_MALFORMED;
			goto out;
		}
		sigs[s] = sig[s].data ? sig[s].data : "";
		lens[s] = sig[s].len;
	}
	n_old = kk_keyring_count_signers(cur->root, cur->n_root, next->text, next->text_len, sigs,
					 lens, KK_KEYRING_SIGS_MAX);
	n_new = kk_keyring_count_signers(next->root, next->n_root, next->text, next->text_len, sigs,
					 lens, KK_KEYRING_SIGS_MAX);
	if (n_old < cur->threshold) {
		snprintf(detail, cap,
			 "keyring.%llu signed by %zu root(s) of keyring %llu, %u needed",
			 (unsigned long long)v, n_old, (unsigned long long)cur->version,
			 cur->threshold);
		rc = KK_KEYRING_OLD_ROOTS;
		goto out;
	}
	if (n_new < next->threshold) {
		snprintf(detail, cap, "keyring.%llu signed by %zu of its own roots, %u needed",
			 (unsigned long long)v, n_new, next->threshold);
		rc = KK_KEYRING_NEW_ROOTS;
		goto out;
	}
	rc = KK_KEYRING_OK;
out:
	kk_buf_fini(&text);
	for (int s = 0; s < KK_KEYRING_SIGS_MAX; s++)
		kk_buf_fini(&sig[s]);
	return rc;
}

/* Warn (never refuse) when the keyring's expiry is past. */
static void warn_expired(const struct kk_keyring *k)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	if (!k->expires[0] || !gmtime_r(&t, &tm) ||
	    !strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return;
	if (strcmp(now, k->expires) > 0)
		kk_warn("sync", "keyring %llu expired on %s: still used (expiry only warns); "
				"publish a new keyring", (unsigned long long)k->version, k->expires);
}

int kk_keyring_advance(const char *dir, struct kk_keyring *cur, int *advanced, char *detail,
		       size_t detail_cap)
{
	static _Thread_local struct kk_keyring next; /* ~5 KiB: off the worker's stack */
	char path[4096], local[256];
	int rc = KK_KEYRING_OK;

	if (!detail || !detail_cap) {
		detail = local;
		detail_cap = sizeof local;
	}
	detail[0] = '\0';
	*advanced = 0;
	for (int step = 0; step < KK_KEYRING_CHAIN_MAX; step++) {
		uint64_t v = cur->version + 1;
		FILE *probe;
		if ((size_t)snprintf(path, sizeof path, "%s/keyring.%llu", dir,
				     (unsigned long long)v) >= sizeof path)
			break;
		probe = fopen(path, "rb");
		if (!probe)
			break;
		fclose(probe);
		if ((rc = advance_one(dir, v, cur, &next, detail, detail_cap)) != KK_KEYRING_OK) {
			kk_warn("sync", "%s: %s: %s", dir, kk_keyring_status_name(rc), detail);
			break;
		}
		*cur = next;
		(*advanced)++;
		kk_info("sync", "%s: keyring %llu accepted (%zu root(s), %zu release key(s))", dir,
			(unsigned long long)v, cur->n_root, cur->n_release);
	}
	warn_expired(cur);
	return rc;
}
