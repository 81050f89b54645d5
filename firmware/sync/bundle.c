/*
 * bundle.c — verify a bundle folder in the order of bundle.h, failing closed.
 *
 * DESIGN: nothing here writes except the optional staging descriptor the caller gives, so a
 * crash or a pulled stick at any point leaves nothing to clean up but that file, which the
 * caller only trusts after KK_BUNDLE_OK. The payload is opened once (O_NOFOLLOW, regular files
 * only) and read exactly once; it is read one byte past the signed size so a file that grows
 * while it is read (a hostile or failing stick) is caught too.
 */
#include "sync/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"

static const struct {
	const char *name;
	const char *zh;
} reasons[KK_BUNDLE_REASON_COUNT] = {
	[KK_BUNDLE_OK] = {"OK", "更新包校验通过"},
	[KK_BUNDLE_MISSING] = {"MISSING", "更新包不完整（缺少文件），未导入"},
	[KK_BUNDLE_TOO_BIG] = {"TOO_BIG", "更新包已损坏（文件过大），未导入"},
	[KK_BUNDLE_SIG_MALFORMED] = {"SIG_MALFORMED", "签名无效，更新包已拒绝"},
	[KK_BUNDLE_SIG_ALGORITHM] = {"SIG_ALGORITHM", "签名方式不受支持，更新包已拒绝"},
	[KK_BUNDLE_SIG_KEY] = {"SIG_KEY", "签名来自未授权的密钥，更新包已拒绝"},
	[KK_BUNDLE_SIG_INVALID] = {"SIG_INVALID", "签名无效，更新包已拒绝"},
	[KK_BUNDLE_MANIFEST_BAD] = {"MANIFEST_BAD", "更新包已损坏，未导入"},
	[KK_BUNDLE_WRONG_PRODUCT] = {"WRONG_PRODUCT", "这不是本终端的更新包，未导入"},
	[KK_BUNDLE_WRONG_CHANNEL] = {"WRONG_CHANNEL", "更新包的发布渠道与本终端不符，未导入"},
	[KK_BUNDLE_UP_TO_DATE] = {"UP_TO_DATE", "内容已是最新，无需更新"},
	[KK_BUNDLE_OLDER] = {"OLDER", "更新包比已安装的内容旧，已拒绝"},
	[KK_BUNDLE_UNSUPPORTED] = {"UNSUPPORTED", "本终端不支持这种更新包，请使用完整更新包"},
	[KK_BUNDLE_PAYLOAD_SIZE] = {"PAYLOAD_SIZE", "更新包已损坏或不完整，未导入"},
	[KK_BUNDLE_PAYLOAD_HASH] = {"PAYLOAD_HASH", "更新包已损坏，未导入"},
	[KK_BUNDLE_STAGE_IO] = {"STAGE_IO", "终端存储写入失败，请检查空间后重试"},
	[KK_BUNDLE_WRONG_BASE] = {"WRONG_BASE",
				  "增量更新包与本机内容版本不符，未导入，请使用完整更新包"},
	[KK_BUNDLE_KEYRING] = {"KEYRING", "签名无效，更新包已拒绝"},
};

/* English name of a reason, for logs. */
const char *kk_bundle_reason_name(enum kk_bundle_reason r)
{
	return (unsigned)r < KK_BUNDLE_REASON_COUNT ? reasons[r].name : "UNKNOWN";
}

/* Chinese message for staff. */
const char *kk_bundle_reason_zh(enum kk_bundle_reason r)
{
	return (unsigned)r < KK_BUNDLE_REASON_COUNT ? reasons[r].zh : "更新失败";
}

/* Record reason and detail; returns rc so callers can `rc = refuse(...); goto out;`. */
static int refuse(enum kk_bundle_reason *why, char *detail, size_t cap, enum kk_bundle_reason r,
		  int rc, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int refuse(enum kk_bundle_reason *why, char *detail, size_t cap, enum kk_bundle_reason r,
		  int rc, const char *fmt, ...)
{
	va_list ap;
	*why = r;
	if (detail && cap) {
		va_start(ap, fmt);
		vsnprintf(detail, cap, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Read dir/name into b (capped by b). Returns 0 or the kk_buf_read_file error. */
static int read_in(const char *dir, const char *name, struct kk_buf *b)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
		return KK_E2BIG;
	return kk_buf_read_file(b, path);
}

/* The sink of kk_bundle_verify: write all n bytes to the staging descriptor. */
static int fd_sink(void *ctx, const void *data, size_t n)
{
	const uint8_t *p = data;
	int fd = *(const int *)ctx;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return errno == ENOSPC ? KK_ENOSPC : KK_EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read the payload once: size must equal m->payload_size (checked by fstat, then by counting,
 * reading one byte more than promised), SHA-256 must match; chunks go to sink if given.
 */
int kk_bundle_copy_payload(const char *dir, const struct kk_manifest *m, kk_bundle_sink_fn sink,
			   void *ctx, enum kk_bundle_reason *why, char *detail, size_t cap)
{
	char path[4096];
	uint8_t chunk[65536], digest[32];
	crypto_hash_sha256_state st;
	struct stat sb;
	uint64_t total = 0;
	int fd = -1, rc;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, m->payload) >= sizeof path)
		return refuse(why, detail, cap, KK_BUNDLE_MISSING, KK_E2BIG, "path too long");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = refuse(why, detail, cap, KK_BUNDLE_MISSING, errno == ENOENT ? KK_ENOENT : KK_EIO,
			    "payload %s: %s", m->payload, strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		rc = refuse(why, detail, cap, KK_BUNDLE_MISSING, KK_EIO,
			    "payload %s: not a regular file", m->payload);
		goto out;
	}
	if ((uint64_t)sb.st_size != m->payload_size) {
		rc = refuse(why, detail, cap, KK_BUNDLE_PAYLOAD_SIZE, KK_ECORRUPT,
			    "payload %s: %llu bytes, manifest says %llu", m->payload,
			    (unsigned long long)sb.st_size, (unsigned long long)m->payload_size);
		goto out;
	}
	crypto_hash_sha256_init(&st);
	for (;;) {
		uint64_t left = m->payload_size + 1 - total;
		size_t want = left < sizeof chunk ? (size_t)left : sizeof chunk;
		ssize_t n = read(fd, chunk, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = refuse(why, detail, cap, KK_BUNDLE_PAYLOAD_SIZE, KK_EIO,
				    "payload %s: read: %s", m->payload, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > m->payload_size) {
			rc = refuse(why, detail, cap, KK_BUNDLE_PAYLOAD_SIZE, KK_ECORRUPT,
				    "payload %s grew while read", m->payload);
			goto out;
		}
		crypto_hash_sha256_update(&st, chunk, (unsigned long long)n);
		if (sink && (rc = sink(ctx, chunk, (size_t)n)) != 0) {
			rc = refuse(why, detail, cap, KK_BUNDLE_STAGE_IO, rc, "staging write: %s",
				    kk_err_name(rc));
			goto out;
		}
	}
	if (total != m->payload_size) {
		rc = refuse(why, detail, cap, KK_BUNDLE_PAYLOAD_SIZE, KK_ECORRUPT,
			    "payload %s: read %llu bytes of %llu", m->payload,
			    (unsigned long long)total, (unsigned long long)m->payload_size);
		goto out;
	}
	crypto_hash_sha256_final(&st, digest);
	if (sodium_memcmp(digest, m->payload_sha256, 32) != 0) {
		char hex[65];
		kk_hex32(digest, hex);
		rc = refuse(why, detail, cap, KK_BUNDLE_PAYLOAD_HASH, KK_ECORRUPT,
			    "payload %s: sha256 %s differs from the manifest", m->payload, hex);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		kk_warn("sync", "bundle %s refused: %s: %s", dir, kk_bundle_reason_name(*why),
			detail ? detail : "");
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The order of bundle.h up to the payload: caps, signature, manifest, floor, type. */
int kk_bundle_check_manifest(const char *dir, const struct kk_ms_pub *pubs, size_t n_pubs,
			     const struct kk_bundle_expect *exp, struct kk_manifest *m,
			     struct kk_bundle_signed *raw, enum kk_bundle_reason *why, char *detail,
			     size_t detail_cap)
{
	struct kk_buf man, sig;
	char perr[128];
	int rc, st = KK_MS_KEYID, signed_ok = 0;

	*why = KK_BUNDLE_OK;
	if (detail && detail_cap)
		detail[0] = '\0';
	memset(m, 0, sizeof *m);
	kk_buf_init(&man, KK_MANIFEST_MAX);
	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	if (sodium_init() < 0) {
		rc = refuse(why, detail, detail_cap, KK_BUNDLE_SIG_MALFORMED, KK_EIO, "libsodium");
		goto out;
	}
	rc = read_in(dir, KK_BUNDLE_MANIFEST, &man);
	if (!rc)
		rc = read_in(dir, KK_BUNDLE_SIGNATURE, &sig);
	if (rc == KK_E2BIG) {
		rc = refuse(why, detail, detail_cap, KK_BUNDLE_TOO_BIG, rc,
			    "manifest over %d or signature over %d bytes", KK_MANIFEST_MAX,
			    KK_MS_SIGFILE_MAX);
		goto out;
	}
	if (rc) {
		rc = refuse(why, detail, detail_cap, KK_BUNDLE_MISSING, rc,
			    "%s: manifest or signature: %s", dir, kk_err_name(rc));
		goto out;
	}
	/* the key id of the signature names the key: only a KEYID mismatch tries the next one */
	for (size_t i = 0; i < n_pubs && st == KK_MS_KEYID; i++)
		st = kk_ms_verify(&pubs[i], man.data, man.len, sig.data, sig.len, NULL, 0);
	if (st != KK_MS_OK) {
		enum kk_bundle_reason r = st == KK_MS_MALFORMED ? KK_BUNDLE_SIG_MALFORMED
					  : st == KK_MS_LEGACY || st == KK_MS_ALG ? KK_BUNDLE_SIG_ALGORITHM
					  : st == KK_MS_KEYID ? KK_BUNDLE_SIG_KEY
							      : KK_BUNDLE_SIG_INVALID;
		rc = refuse(why, detail, detail_cap, r, KK_ECORRUPT, "signature: %s",
			    kk_ms_status_name(st));
		goto out;
	}
	rc = kk_manifest_parse(man.data, man.len, m, perr, sizeof perr);
	if (rc) {
		rc = refuse(why, detail, detail_cap, KK_BUNDLE_MANIFEST_BAD, KK_ECORRUPT,
			    "manifest: %s", perr);
		goto out;
	}
	signed_ok = 1; /* from here on a refusal leaves the signed manifest in *m */
	if (strcmp(m->product, exp->product) != 0) {
		rc = refuse(why, detail, detail_cap, KK_BUNDLE_WRONG_PRODUCT, KK_EINVAL,
			    "product %s, this kiosk is %s", m->product, exp->product);
		goto out;
	}
	if (strcmp(m->channel, exp->channel) != 0) {
		rc = refuse(why, detail, detail_cap, KK_BUNDLE_WRONG_CHANNEL, KK_EINVAL,
			    "channel %s, this kiosk follows %s", m->channel, exp->channel);
		goto out;
	}
	if (m->epoch < exp->floor_epoch ||
	    (m->epoch == exp->floor_epoch && m->seq < exp->floor_seq) ||
	    (m->epoch == exp->floor_epoch && m->seq == exp->floor_seq && !exp->accept_equal)) {
		int same = m->epoch == exp->floor_epoch && m->seq == exp->floor_seq;
		rc = refuse(why, detail, detail_cap, same ? KK_BUNDLE_UP_TO_DATE : KK_BUNDLE_OLDER,
			    KK_EVERSION, "bundle %u.%llu, installed %u.%llu", (unsigned)m->epoch,
			    (unsigned long long)m->seq, (unsigned)exp->floor_epoch,
			    (unsigned long long)exp->floor_seq);
		goto out;
	}
	if (m->type != KK_BUNDLE_FULL && !exp->accept_delta) {
		rc = refuse(why, detail, detail_cap, KK_BUNDLE_UNSUPPORTED, KK_EVERSION,
			    "delta bundles are not applied by this version");
		goto out;
	}
	if (raw) {
		memcpy(raw->manifest, man.data, man.len);
		raw->manifest[man.len] = '\0';
		raw->manifest_len = man.len;
		memcpy(raw->sig, sig.data, sig.len);
		raw->sig[sig.len] = '\0';
		raw->sig_len = sig.len;
	}
out:
	if (rc) {
		kk_warn("sync", "bundle %s refused: %s: %s", dir, kk_bundle_reason_name(*why),
			detail ? detail : "");
		if (!signed_ok)
			memset(m, 0, sizeof *m);
	}
	kk_buf_fini(&man);
	kk_buf_fini(&sig);
	return rc;
}

/* Both halves; the payload goes to stage_fd when one is given. */
int kk_bundle_verify(const char *dir, const struct kk_ms_pub *pub,
		     const struct kk_bundle_expect *exp, int stage_fd, struct kk_manifest *m,
		     enum kk_bundle_reason *why, char *detail, size_t detail_cap)
{
	int rc = kk_bundle_check_manifest(dir, pub, 1, exp, m, NULL, why, detail, detail_cap);
	if (!rc)
		rc = kk_bundle_copy_payload(dir, m, stage_fd >= 0 ? fd_sink : NULL, &stage_fd, why, detail,
				    detail_cap);
	if (rc)
		memset(m, 0, sizeof *m);
	return rc;
}

/* SHA-256 and size of a file, read once in 64 KiB chunks. */
int kk_sha256_file(const char *path, uint8_t out[32], uint64_t *size)
{
	uint8_t chunk[65536];
	crypto_hash_sha256_state st;
	uint64_t total = 0;
	int fd, rc = 0;

	if (sodium_init() < 0)
		return KK_EIO;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? KK_ENOENT : KK_EIO;
	crypto_hash_sha256_init(&st);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = KK_EIO;
			goto out;
		}
		if (n == 0)
			break;
		crypto_hash_sha256_update(&st, chunk, (unsigned long long)n);
		total += (uint64_t)n;
	}
	crypto_hash_sha256_final(&st, out);
	*size = total;
out:
	close(fd);
	return rc;
}
