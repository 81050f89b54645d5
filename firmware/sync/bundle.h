/*
 * bundle.h — verifying a content bundle folder before anything of it is used.
 *
 * A bundle folder holds `manifest`, `manifest.minisig` (minisign `ED`, see minisign.h) and the
 * payload file the manifest names. kk_bundle_verify checks, in this order, failing closed at
 * the first problem: caps on the manifest and signature sizes; the signature (`ED` only, our
 * key id, the trusted comment); the manifest (strict parse, product, channel, (epoch, seq)
 * above the device floor); then the payload (size from the signed manifest, SHA-256 while it is
 * read once, optionally copied to a staging file in the same pass so the stick is never read
 * again). Each refusal has its own reason, a Chinese message for staff and an English name
 * for the log.
 *
 * Blocking file I/O: call from a worker thread, never from the UI thread.
 */
#ifndef KK_SYNC_BUNDLE_H
#define KK_SYNC_BUNDLE_H

#include <stdint.h>

#include "sync/manifest.h"
#include "sync/minisign.h"

#define KK_BUNDLE_MANIFEST "manifest"
#define KK_BUNDLE_SIGNATURE "manifest.minisig"
#define KK_DELTA_PAYLOAD "content.changeset" /* the payload of a delta bundle */
#define KK_SYNC_PRODUCT "zwgk-kiosk" /* the product every bundle for this firmware names */

enum kk_bundle_reason {
	KK_BUNDLE_OK = 0,
	KK_BUNDLE_MISSING,        /* manifest, signature or payload absent or unreadable */
	KK_BUNDLE_TOO_BIG,        /* manifest or signature over its cap */
	KK_BUNDLE_SIG_MALFORMED,  /* signature file is not minisign's format */
	KK_BUNDLE_SIG_ALGORITHM,  /* legacy `Ed` or another algorithm */
	KK_BUNDLE_SIG_KEY,        /* signed by a key we do not trust */
	KK_BUNDLE_SIG_INVALID,    /* signature or trusted comment does not verify */
	KK_BUNDLE_MANIFEST_BAD,   /* signed but not a manifest we understand */
	KK_BUNDLE_WRONG_PRODUCT,
	KK_BUNDLE_WRONG_CHANNEL,
	KK_BUNDLE_UP_TO_DATE,     /* (epoch, seq) equal to the floor */
	KK_BUNDLE_OLDER,          /* (epoch, seq) below the floor: rollback or replay */
	KK_BUNDLE_UNSUPPORTED,    /* a delta bundle (not applied by this version) */
	KK_BUNDLE_PAYLOAD_SIZE,   /* payload size differs from the manifest (or changed) */
	KK_BUNDLE_PAYLOAD_HASH,   /* payload bytes differ from the manifest */
	KK_BUNDLE_STAGE_IO,       /* writing the staging copy failed */
	KK_BUNDLE_WRONG_BASE,     /* a delta whose base is not exactly the installed content */
	KK_BUNDLE_KEYRING,        /* the keyring chain it carries is malformed or not signed by
				   * the roots (keyring.h) */
	KK_BUNDLE_REASON_COUNT
};

/* What the device expects. floor_epoch/floor_seq is the newest content installed. */
struct kk_bundle_expect {
	const char *product;
	const char *channel;
	uint32_t floor_epoch;
	uint64_t floor_seq;
	int accept_equal; /* 1: a bundle equal to the floor is accepted (reinstall: the installed
			   * copy is unusable); 0: it is UP_TO_DATE */
	int accept_delta; /* 1: delta bundles pass (the caller checks the base); 0: UNSUPPORTED */
};

/* The signed files exactly as read (once) from the bundle folder, so an installed slot keeps
 * the bytes the signature covers and staff can check them with stock minisign. */
struct kk_bundle_signed {
	char manifest[KK_MANIFEST_MAX + 1];
	size_t manifest_len;
	char sig[KK_MS_SIGFILE_MAX + 1];
	size_t sig_len;
};

/* kk_bundle_copy_payload flag: drop the payload's pages from the page cache as soon as they are
 * read and hashed (POSIX_FADV_DONTNEED). For a source that is never read again while its copy
 * is (a stick's payload, the active database a delta copies): the memory goes to the staged
 * copy that quick_check reads next, instead of to a second cached copy of the same bytes. On
 * the 2-core test VM this made the delta's 1.4 GB base copy 2.5-3x faster warm. Not for a file
 * read in place and checked again after (an adopted download). */
#define KK_BUNDLE_DROP_SOURCE 1

/* Receives the payload bytes while they are hashed, in order. Returns 0 or a negative kk_err
 * (KK_EIO, KK_ENOSPC, KK_ECANCELED ...), which stops the read and is passed back. */
typedef int (*kk_bundle_sink_fn)(void *ctx, const void *data, size_t len);

/* Stable English name ("SIG_INVALID" ...) for logs, and a short Chinese message for staff;
 * both static, never NULL. */
const char *kk_bundle_reason_name(enum kk_bundle_reason r);
const char *kk_bundle_reason_zh(enum kk_bundle_reason r);

/*
 * Verify the bundle in folder dir against pub and exp. On success *m is the signed manifest.
 * If stage_fd >= 0, the payload bytes are written to it while they are hashed (the caller owns
 * and fsyncs the descriptor; its contents are meaningless unless the result is KK_BUNDLE_OK).
 * *why receives the reason; detail (may be NULL) an English line for the log.
 * Returns 0 or a negative kk_err: KK_ENOENT, KK_E2BIG, KK_ECORRUPT (signature, manifest,
 * payload), KK_EVERSION (up to date, older, or unsupported), KK_EINVAL (other product or
 * channel), KK_EIO.
 */
int kk_bundle_verify(const char *dir, const struct kk_ms_pub *pub,
		     const struct kk_bundle_expect *exp, int stage_fd, struct kk_manifest *m,
		     enum kk_bundle_reason *why, char *detail, size_t detail_cap);

/*
 * The first half of kk_bundle_verify: caps, signature, manifest, product, channel, floor and
 * type, without touching the payload. Any of the n_pubs keys (1..) may have signed (the key id
 * picks it). raw (may be NULL) receives the signed bytes. Same returns and reasons as
 * kk_bundle_verify, except that a refusal after the signature and the parse (product, channel,
 * floor, type) leaves the signed manifest in *m, so the caller can name the version it refused.
 * Blocking (two small reads).
 */
int kk_bundle_check_manifest(const char *dir, const struct kk_ms_pub *pubs, size_t n_pubs,
			     const struct kk_bundle_expect *exp, struct kk_manifest *m,
			     struct kk_bundle_signed *raw, enum kk_bundle_reason *why, char *detail,
			     size_t detail_cap);

/*
 * The second half: read the payload m names exactly once, checking size and SHA-256 against
 * the signed m, handing every chunk to sink (may be NULL) in order, on the calling thread. The
 * file is read and hashed on a reader thread started and joined inside the call, up to 4 MiB
 * ahead of the sink (bundle.c DESIGN). The sink's bytes are meaningless unless this returns 0.
 * A sink error gives KK_BUNDLE_STAGE_IO and the sink's code. Blocking: reads the whole payload.
 * flags: 0 or KK_BUNDLE_DROP_SOURCE.
 */
int kk_bundle_copy_payload(const char *dir, const struct kk_manifest *m, int flags,
			   kk_bundle_sink_fn sink, void *ctx, enum kk_bundle_reason *why,
			   char *detail, size_t detail_cap);

/* The read size of kk_bundle_copy_payload and kk_sha256_file (default 1 MiB, 0 restores it).
 * For tests, which make it a few bytes to run the reader/sink ring through many turns; set it
 * before an apply starts, never during one. */
void kk_bundle_set_chunk(size_t bytes);

/* SHA-256 of a whole file read once (for the publisher). Returns 0, KK_ENOENT, KK_EIO. */
int kk_sha256_file(const char *path, uint8_t out[32], uint64_t *size);

#endif
