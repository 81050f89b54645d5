/*
 * fetch.h — content bundles from a plain static web server (nginx, a CDN, an object store)
 * through libcurl: the signed `latest` pointer, the bundle files, resume of an interrupted
 * payload, then the same apply as from a USB stick.
 *
 * Download folder:
 *
 *   DATA/downloads/E.S/manifest, manifest.minisig   fetched again on every attempt (small)
 *   DATA/downloads/E.S/content.db                   the payload, possibly partial
 *   DATA/downloads/E.S/content.db.etag              the strong ETag the partial came with
 *   DATA/fetch.state                                the retry schedule (latest.h)
 *
 * DESIGN. Nothing downloaded is trusted: the pointer's signature is checked before anything
 * else is fetched, the manifest's signature before the payload, and kk_sync_apply_dir checks
 * everything again while it copies the payload into a slot (the payload's hash is only
 * compared there, so a partial file damaged by a power cut costs one re-download, never bad
 * content). A crash at any point leaves at most a partial payload and its ETag: the next
 * attempt resumes it with `Range: bytes=N-` + `If-Range: ETAG`, accepting only a 206 whose
 * Content-Range is exactly "bytes N-(size-1)/size"; a 200 (server without Range, or the file
 * changed) restarts the file from byte 0 in the same request; anything else fails. A weak or
 * missing ETag means the partial is never resumed. The payload may not grow past the size in
 * the signed manifest (CURLOPT_MAXFILESIZE_LARGE plus a count in the write callback). Folders
 * of other versions in downloads/ are removed when a download starts, so at most one bundle's
 * worth of space is used.
 *
 * Network rules: http and https only, also for redirects (which may not leave the scheme of
 * the base URL), a connect timeout, a stall timeout (below 1 byte/s for stall seconds), an
 * optional bandwidth cap and proxy, no signals (CURLOPT_NOSIGNAL).
 *
 * TLS: certificate and host name verification are always on (VERIFYPEER, VERIFYHOST 2, TLS 1.2
 * or later); there is no option to switch them off. The trust anchors are the system store
 * (Debian's ca-certificates) or, with ca_file (config sync_ca_file), that PEM bundle alone, so
 * a province can run its own CA without any public CA being able to stand in for its server.
 * A certificate that does not verify (unknown CA, expired or not yet valid, another host name,
 * an unreadable ca_file) ends the fetch as KK_FETCH_TLS: a calm Chinese line for staff, curl's
 * text and OpenSSL's verify code in the detail, and the backoff of fetch.state as for any
 * network failure. TLS guards the transport only (who reads what, and a middlebox replaying
 * an old pointer forever); trust in the content comes from the signatures, so plain http is
 * allowed unless require_https (config sync_require_https) refuses it, redirects included.
 *
 * Threads: blocking network and file I/O; call from a worker thread, never the UI thread, one
 * fetch per data directory at a time. curl_global_init must have run (kk_sync_fetch calls it
 * once under a pthread_once).
 */
#ifndef KK_SYNC_FETCH_H
#define KK_SYNC_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "sync/apply.h"
#include "sync/bundle.h"
#include "sync/latest.h"

#define KK_FETCH_CONNECT_TIMEOUT 15 /* seconds, default */
#define KK_FETCH_STALL_TIMEOUT 60   /* seconds below 1 byte/s, default */
#define KK_FETCH_SMALL_TIMEOUT 60   /* seconds for the whole of a pointer/manifest/signature */

/* Zero-initialise and set what you need. */
struct kk_fetch_opts {
	const char *product;  /* NULL: KK_SYNC_PRODUCT */
	uint64_t max_payload; /* 0: KK_SYNC_PAYLOAD_CAP */
	long max_rate;        /* bytes/s (config sync_max_rate); 0: no cap */
	const char *proxy;    /* config sync_proxy; NULL or "": no proxy (environment ignored) */
	long connect_timeout; /* seconds; 0: KK_FETCH_CONNECT_TIMEOUT */
	long stall_timeout;   /* seconds (config sync_stall_timeout); 0: KK_FETCH_STALL_TIMEOUT */
	const char *ca_file;  /* config sync_ca_file: PEM CAs trusted instead of the system
			       * store; NULL or "": the system store */
	int require_https;    /* config sync_require_https: refuse http:// web roots */
};

enum kk_fetch_outcome {
	KK_FETCH_READY = 0,     /* the bundle is in the download folder, signatures checked */
	KK_FETCH_UP_TO_DATE,    /* the pointer names the installed version: nothing downloaded */
	KK_FETCH_OLDER,         /* the pointer names a version below the floor: refused */
	KK_FETCH_BAD_SIGNATURE, /* pointer or manifest signature invalid, other key, other alg */
	KK_FETCH_DAMAGED,       /* pointer/manifest malformed or disagreeing, payload over the
				 * signed size or the cap */
	KK_FETCH_WRONG_TARGET,  /* another product or channel */
	KK_FETCH_NETWORK,       /* unreachable, HTTP error, stall, bad Range answer */
	KK_FETCH_CANCELED,      /* *cancel was set */
	KK_FETCH_FAILED,        /* local storage (I/O, no space) or a bad argument */
	KK_FETCH_TLS,           /* the server's certificate did not verify (nothing downloaded
				 * from it is used) */
	KK_FETCH_INSECURE,      /* an http:// web root while require_https is set: not asked */
	KK_FETCH_OUTCOME_COUNT
};

/* Stable English name and a short Chinese line for staff; static, never NULL. */
const char *kk_fetch_outcome_name(enum kk_fetch_outcome o);
const char *kk_fetch_outcome_zh(enum kk_fetch_outcome o);

struct kk_fetch_result {
	enum kk_fetch_outcome outcome;
	enum kk_bundle_reason reason;    /* the manifest check's reason when it refused */
	struct kk_sync_version floor;    /* the device's, before the fetch */
	struct kk_sync_version offered;  /* from the verified pointer ((0,0) before) */
	uint64_t payload_size;           /* from the verified manifest */
	uint64_t received;               /* body bytes received in this call, all files */
	uint64_t resumed_from;           /* payload offset a 206 continued from; 0: none */
	int restarts;                    /* a partial payload the server made us start over */
	int files;                       /* HTTP requests made */
	long http_status;                /* of the last response */
	int tls_failed;                  /* the failure was the server's certificate (TLS) */
	long tls_verify;                 /* OpenSSL's X509 verify result of a KK_FETCH_TLS (0:
					  * none, e.g. a host name mismatch) */
	char message[256];               /* Chinese for staff */
	char detail[512];                /* English for the log */
};

/*
 * Fetch the newest bundle of channel from the web root base_url (http:// or https://) into
 * DATA/downloads/E.S/, in this order, failing closed: kk_sync_open's recovery (for the floor);
 * GET CHANNEL/latest and latest.minisig (capped), the signature by any of keys (`ED` only),
 * the strict pointer, product and channel; compare with the floor (equal and shown: UP_TO_DATE;
 * below: OLDER; nothing more is downloaded); GET manifest + manifest.minisig and check them as
 * kk_bundle_check_manifest does, plus the same (epoch, seq) as the pointer; then the payload
 * (resumed when possible, see DESIGN; skipped when the folder already holds it whole).
 *
 * On READY, returns 0 and writes the folder into bundle_dir_out (n bytes); hand it to
 * kk_sync_apply_dir. Otherwise a negative kk_err: KK_EVERSION (up to date, older),
 * KK_ECORRUPT / KK_EPERM (refused; KK_EPERM also for INSECURE), KK_EPROTO / KK_ETIMEDOUT
 * (network, TLS), KK_ECANCELED,
 * KK_EIO / KK_ENOSPC / KK_EINVAL. progress (may be NULL) gets payload bytes (done, total);
 * cancel (may be NULL) is polled while bytes flow (and at least once a second). Blocking;
 * worker thread.
 */
int kk_sync_fetch(const char *base_url, const char *channel, const char *data_dir,
		  const struct kk_sync_keys *keys, const struct kk_fetch_opts *o,
		  kk_progress_fn progress, void *ctx, int *cancel, char *bundle_dir_out, size_t n,
		  struct kk_fetch_result *res);

/*
 * kk_sync_fetch, then (on READY) kk_sync_apply_dir with pol (its channel and product win over
 * o's), then the clean-up: the download folder is removed once the bundle was applied or
 * refused as damaged (a bad payload is downloaded afresh next time) and kept for a resume
 * after a network failure. Records the attempt in DATA/fetch.state (success: a version was
 * applied or the kiosk is up to date). *applied is set to 1 when kk_sync_apply_dir ran (ares
 * then holds its result). Returns 0 when applied, otherwise the first error. Blocking.
 */
int kk_sync_fetch_apply(const char *base_url, const char *data_dir,
			const struct kk_sync_keys *keys, const struct kk_fetch_opts *o,
			const struct kk_sync_policy *pol, kk_progress_fn progress, void *ctx,
			int *cancel, struct kk_fetch_result *fres, struct kk_sync_result *ares,
			int *applied);

#endif
