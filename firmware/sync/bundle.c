/*
 * bundle.c — verify a bundle folder in the order of bundle.h, failing closed.
 *
 * DESIGN: nothing here writes except the optional staging descriptor the caller gives, so a
 * crash or a pulled stick at any point leaves nothing to clean up but that file, which the
 * caller only trusts after KK_BUNDLE_OK. The payload is opened once (O_NOFOLLOW, regular files
 * only) and read exactly once; it is read one byte past the signed size so a file that grows
 * while it is read (a hostile or failing stick) is caught too.
 *
 * Threads: kk_bundle_copy_payload starts one reader thread per call and joins it before it
 * returns. The reader reads the payload into a ring of COPY_BUFS chunks and hashes each chunk
 * before handing it over; the calling thread hands the chunks to the sink (the staging write)
 * in order and gives each buffer back only after the sink returned. A buffer is never touched
 * by the reader while the caller holds it, so the bytes hashed are exactly the bytes written.
 * The sink (with its fault-injection steps, progress and cancel checks) runs on the calling
 * thread as before; the reader never writes anything. Either side stops the other through the
 * ring's flags; nothing outlives the call. With KK_BUNDLE_DROP_SOURCE the reader also drops
 * each chunk's pages from the page cache once read (only a cache hint: the bytes handed on are
 * the ones in the ring's buffer, whatever the file holds later).
 */
#include "sync/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "sync/sha256.h"

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

/* ---- the pipelined read ---------------------------------------------------------------- */

#define COPY_CHUNK (1u << 20) /* one read, one hash update, one sink call */
#define COPY_BUFS 4           /* chunks in flight between the reader and the sink */

/* The ring between the reader thread and the caller (DESIGN). Slots [tail, head) are full and
 * belong to the caller; the others belong to the reader. */
struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *buf[COPY_BUFS];
	size_t len[COPY_BUFS];
	unsigned long head, tail;
	int fd;
	int drop;          /* KK_BUNDLE_DROP_SOURCE: pages read are dropped from the cache */
	uint64_t limit;    /* the signed size: reading stops one byte after it */
	size_t chunk;      /* bytes per read (COPY_CHUNK; smaller in tests) */
	uint64_t total;    /* bytes read; reader's until done is set */
	struct kk_sha256 h;
	int done;          /* the reader has finished: see rerr */
	int rerr;          /* 0 at the end of the file, errno of a failed read, -1 grew, -2 hash */
	int stop;          /* the caller gave up */
};

/* Fill one chunk: as many read(2)s as it takes (a stick or a network file system may return
 * short reads), up to the chunk size or one byte past the signed size. Returns the bytes read;
 * sets *err (errno) on failure, *eof at the end of the file. */
static size_t ring_fill(struct ring *r, uint8_t *p, int *err, int *eof)
{
	size_t n = 0;
	while (n < r->chunk) {
		uint64_t left = r->limit + 1 - (r->total + n);
		size_t want = r->chunk - n < left ? r->chunk - n : (size_t)left;
		ssize_t got;
		if (!want)
			break;
		got = read(r->fd, p + n, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*err = errno ? errno : EIO;
			break;
		}
		if (got == 0) {
			*eof = 1;
			break;
		}
		n += (size_t)got;
	}
	return n;
}

/* The reader thread: read, hash, publish, until the end, an error or the caller's stop. */
static void *ring_reader(void *arg)
{
	struct ring *r = arg;
	for (;;) {
		uint8_t *p;
		size_t n;
		int err = 0, eof = 0, fin;

		pthread_mutex_lock(&r->mu);
		while (r->head - r->tail == COPY_BUFS && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		p = r->stop ? NULL : r->buf[r->head % COPY_BUFS];
		pthread_mutex_unlock(&r->mu);
		if (!p)
			return NULL;
		n = ring_fill(r, p, &err, &eof);
		if (r->drop && n) /* read once, never again: the memory is the staged copy's */
			posix_fadvise(r->fd, (off_t)r->total, (off_t)n, POSIX_FADV_DONTNEED);
		r->total += n;
		if (!err && r->total > r->limit)
			err = -1; /* grew while read: never hash or hand over the extra byte */
		if (!err && n && kk_sha256_update(&r->h, p, n))
			err = -2;
		fin = err || eof || r->total == r->limit + 1;
		pthread_mutex_lock(&r->mu);
		if (n && !err) {
			r->len[r->head % COPY_BUFS] = n;
			r->head++;
		}
		if (fin) {
			r->done = 1;
			r->rerr = err;
		}
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (fin)
			return NULL;
	}
}

/*
 * Read fd (already checked to be a regular file of limit bytes) exactly once on a reader
 * thread, hashing into digest, and hand every chunk to sink (may be NULL) on this thread in
 * order. Returns 0 with *total bytes read (the caller compares it with limit), or a negative
 * kk_err: the sink's code with *sink_failed set, KK_EIO (*read_errno set) for a failed read,
 * KK_ECORRUPT for a file that grew past limit, KK_ENOMEM.
 */
static int ring_copy(int fd, uint64_t limit, size_t chunk, int drop, kk_bundle_sink_fn sink,
		     void *ctx, uint8_t digest[32], uint64_t *total, int *sink_failed,
		     int *read_errno)
{
	struct ring r;
	pthread_t th;
	int rc = 0, started = 0;

	memset(&r, 0, sizeof r);
	*sink_failed = *read_errno = 0;
	r.fd = fd;
	r.drop = drop;
	r.limit = limit;
	r.chunk = chunk;
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	for (int i = 0; i < COPY_BUFS; i++)
		if (!(r.buf[i] = malloc(chunk)))
			rc = KK_ENOMEM;
	if (rc || (rc = kk_sha256_init(&r.h)))
		goto out;
	/* a payload is read once, front to back: a larger read-ahead window */
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (pthread_create(&th, NULL, ring_reader, &r) != 0) {
		rc = KK_ENOMEM;
		goto out;
	}
	started = 1;
	for (;;) {
		unsigned long slot;
		pthread_mutex_lock(&r.mu);
		while (r.head == r.tail && !r.done)
			pthread_cond_wait(&r.cv, &r.mu);
		if (r.head == r.tail || r.rerr) { /* drained and finished, or a read failed */
			pthread_mutex_unlock(&r.mu);
			break;
		}
		slot = r.tail % COPY_BUFS;
		pthread_mutex_unlock(&r.mu);
		if (sink && (rc = sink(ctx, r.buf[slot], r.len[slot])) != 0) {
			*sink_failed = 1;
			break;
		}
		pthread_mutex_lock(&r.mu);
		r.tail++;
		pthread_cond_broadcast(&r.cv);
		pthread_mutex_unlock(&r.mu);
	}
out:
	if (started) {
		pthread_mutex_lock(&r.mu);
		r.stop = 1;
		pthread_cond_broadcast(&r.cv);
		pthread_mutex_unlock(&r.mu);
		pthread_join(th, NULL);
		if (!rc && r.rerr > 0) {
			*read_errno = r.rerr;
			rc = KK_EIO;
		} else if (!rc && r.rerr == -1) {
			rc = KK_ECORRUPT;
		} else if (!rc && r.rerr == -2) {
			rc = KK_EIO;
		}
		if (!rc && kk_sha256_final(&r.h, digest))
			rc = KK_EIO;
		*total = r.total;
	}
	kk_sha256_fini(&r.h);
	for (int i = 0; i < COPY_BUFS; i++)
		free(r.buf[i]);
	pthread_cond_destroy(&r.cv);
	pthread_mutex_destroy(&r.mu);
	return rc;
}

/* Chunk size of kk_bundle_copy_payload; tests make it small to exercise the ring. */
static size_t copy_chunk = COPY_CHUNK;

void kk_bundle_set_chunk(size_t bytes)
{
	copy_chunk = bytes ? bytes : COPY_CHUNK;
}

/*
 * Read the payload once: size must equal m->payload_size (checked by fstat, then by counting,
 * reading one byte more than promised), SHA-256 must match; chunks go to sink if given.
 */
int kk_bundle_copy_payload(const char *dir, const struct kk_manifest *m, int flags,
			   kk_bundle_sink_fn sink, void *ctx, enum kk_bundle_reason *why,
			   char *detail, size_t cap)
{
	char path[4096];
	uint8_t digest[32];
	struct stat sb;
	uint64_t total = 0;
	int fd = -1, rc, sink_failed, rerrno;

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
	rc = ring_copy(fd, m->payload_size, copy_chunk, !!(flags & KK_BUNDLE_DROP_SOURCE), sink, ctx,
		       digest, &total, &sink_failed, &rerrno);
	if (rc && sink_failed) {
		rc = refuse(why, detail, cap, KK_BUNDLE_STAGE_IO, rc, "staging write: %s",
			    kk_err_name(rc));
		goto out;
	}
	if (rc == KK_ECORRUPT) {
		rc = refuse(why, detail, cap, KK_BUNDLE_PAYLOAD_SIZE, KK_ECORRUPT,
			    "payload %s grew while read", m->payload);
		goto out;
	}
	if (rc) {
		rc = refuse(why, detail, cap, KK_BUNDLE_PAYLOAD_SIZE, KK_EIO, "payload %s: read: %s",
			    m->payload, rerrno ? strerror(rerrno) : kk_err_name(rc));
		goto out;
	}
	if (total != m->payload_size) {
		rc = refuse(why, detail, cap, KK_BUNDLE_PAYLOAD_SIZE, KK_ECORRUPT,
			    "payload %s: read %llu bytes of %llu", m->payload,
			    (unsigned long long)total, (unsigned long long)m->payload_size);
		goto out;
	}
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
		rc = kk_bundle_copy_payload(dir, m, 0, stage_fd >= 0 ? fd_sink : NULL, &stage_fd, why,
					    detail, detail_cap);
	if (rc)
		memset(m, 0, sizeof *m);
	return rc;
}

/* SHA-256 and size of a file, read once through the ring (no sink). */
int kk_sha256_file(const char *path, uint8_t out[32], uint64_t *size)
{
	struct stat sb;
	uint64_t total = 0;
	int fd, rc, sink_failed, rerrno;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? KK_ENOENT : KK_EIO;
	if (fstat(fd, &sb) != 0) {
		rc = KK_EIO;
		goto out;
	}
	/* a file that grows while hashed is hashed as far as it is read: the publisher's own
	 * files, not a stick's; limit is only a bound here */
	rc = ring_copy(fd, UINT64_MAX - 1, copy_chunk, 0, NULL, NULL, out, &total, &sink_failed,
		       &rerrno);
	if (!rc)
		*size = total;
out:
	close(fd);
	return rc ? KK_EIO : 0;
}
