/*
 * latest.h — the pure parts of network sync: the signed `latest` pointer a publisher puts on a
 * static web server, joining download URLs, and the retry schedule (backoff) of fetch.state.
 *
 * Web root layout (written by `kioskdb publish`, served by any static server or CDN):
 *
 *   ROOT/CHANNEL/latest           the pointer below (at most KK_LATEST_MAX bytes)
 *   ROOT/CHANNEL/latest.minisig   its minisign `ED` signature, by a bundle key
 *   ROOT/CHANNEL/E.S/manifest, manifest.minisig, content.db   the bundle of version E.S
 *
 * The pointer is six "key = value" lines, in exactly this order, each ending in '\n':
 *
 *   format = 1
 *   product = zwgk-kiosk       [a-z0-9-], 1..32 bytes
 *   channel = stable           [a-z0-9-], 1..32 bytes
 *   epoch = 3                  0..4294967295
 *   seq = 5                    1..2^53
 *   bundle = 3.5               the folder: must be exactly "EPOCH.SEQ" of the lines above
 *
 * It is signed so a hostile server, cache or proxy can neither point kiosks at an old bundle
 * (they compare it with their floor before downloading anything) nor at a folder of its own
 * choosing. One spelling per value: what parses writes back byte for byte. Pure functions
 * except kk_sync_fetch_due/record (small file I/O) and the random draws; any thread.
 */
#ifndef KK_SYNC_LATEST_H
#define KK_SYNC_LATEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sync/manifest.h"

#define KK_LATEST_MAX 512            /* bytes of pointer text */
#define KK_LATEST_NAME "latest"
#define KK_LATEST_SIG "latest.minisig"
#define KK_FETCH_URL_MAX 2048        /* a joined download URL, bytes with the NUL */
#define KK_FETCH_RETRY_MIN 60        /* seconds before the first retry after a failure */
#define KK_FETCH_BACKOFF_MULT 8      /* the retry delay never exceeds interval x this */
#define KK_FETCH_STATE_MAX 128       /* DATA/fetch.state, bytes */
#define KK_FETCH_JITTER_PM 150       /* each delay is moved by up to +-15% (per mille) */

struct kk_latest {
	char product[KK_MANIFEST_NAME_MAX + 1];
	char channel[KK_MANIFEST_NAME_MAX + 1];
	uint32_t epoch;
	uint64_t seq;
};

/* Parse len bytes of pointer text (not NUL-terminated). Returns 0, KK_E2BIG (over
 * KK_LATEST_MAX) or KK_ECORRUPT; *out is zeroed on failure. */
int kk_latest_parse(const char *text, size_t len, struct kk_latest *out);

/* Write the pointer text of l into buf (cap bytes, NUL-terminated). Returns the length,
 * KK_EINVAL (a value the parser would refuse) or KK_E2BIG. */
int kk_latest_write(const struct kk_latest *l, char *buf, size_t cap);

/* The folder name "EPOCH.SEQ" of a version into buf. Returns the length or KK_E2BIG. */
int kk_latest_folder(uint32_t epoch, uint64_t seq, char *buf, size_t cap);

/* 1 when s is 1..32 bytes of [a-z0-9-] (product and channel names), else 0. */
int kk_latest_name_ok(const char *s);

/*
 * base + "/" + channel + "/" + name into out (cap bytes). base must be an absolute http:// or
 * https:// URL with a host, printable ASCII without spaces, '?' or '#' (a trailing '/' is
 * allowed and not doubled); channel a kk_latest_name_ok name; name a relative path of
 * [A-Za-z0-9._-] segments joined by '/', none empty, "." or "..". Returns 0, KK_EINVAL or
 * KK_E2BIG.
 */
int kk_fetch_url_join(char *out, size_t cap, const char *base, const char *channel,
		      const char *name);

/*
 * The retry schedule kept in DATA/fetch.state:
 *
 *   failures = N     consecutive failed attempts since the last success
 *   last = T         unix seconds of the last attempt
 *   jitter = J       -KK_FETCH_JITTER_PM..KK_FETCH_JITTER_PM, per mille (optional: a file
 *                    written before jitter existed has two lines and counts as 0)
 *
 * Jitter: thousands of kiosks switched on at 8:30, or all failing while a server is down,
 * would otherwise come back in the same second. Every delay (the interval after a success,
 * each step of the backoff) is stretched or shrunk by J per mille, J drawn from libsodium's
 * randombytes when the attempt is recorded and kept in the file, so the due time stays put
 * however often it is asked for and survives a restart. The first check after start-up is
 * spread separately (kk_fetch_spread_draw, the service's sync_start_spread).
 */
struct kk_fetch_state {
	uint32_t failures; /* consecutive failed attempts since the last success */
	int64_t last;      /* time of the last attempt, 0: never */
	int jitter;        /* per mille, |jitter| <= KK_FETCH_JITTER_PM */
};

int kk_fetch_state_parse(const char *text, size_t len, struct kk_fetch_state *out);
int kk_fetch_state_format(const struct kk_fetch_state *s, char *buf, size_t cap);

/* Seconds to wait after an attempt: interval after a success (failures == 0), otherwise
 * KK_FETCH_RETRY_MIN doubled per further failure, never above interval x
 * KK_FETCH_BACKOFF_MULT. interval < 1 counts as 1. Without jitter. */
int64_t kk_fetch_backoff(int interval, uint32_t failures);

/* delay moved by jitter per mille (clamped to +-KK_FETCH_JITTER_PM), at least 1 second. */
int64_t kk_fetch_jittered(int64_t delay, int jitter);

/* A fresh jitter, uniform in -KK_FETCH_JITTER_PM..KK_FETCH_JITTER_PM, from libsodium's
 * randombytes (the kernel's random source). Any thread. */
int kk_fetch_jitter_draw(void);

/* A start-up delay uniform in 0..max_s seconds (0 when max_s <= 0), from randombytes. */
int64_t kk_fetch_spread_draw(int max_s);

/* When the next attempt is due: last + the jittered backoff; now when there was no attempt,
 * or when the last one lies in the future by more than the longest delay (the clock was set
 * back). */
int64_t kk_fetch_next_due(const struct kk_fetch_state *s, int interval, int64_t now);

/* The same from DATA/fetch.state (missing or unreadable: due now). Blocking (a small read). */
int64_t kk_sync_fetch_due(const char *data_dir, int interval, int64_t now);

/* Record an attempt at now in DATA/fetch.state: ok resets the failures, otherwise one more;
 * a new jitter is drawn. Written by temp + rename. Returns 0, KK_EIO, KK_ENOSPC or KK_E2BIG.
 * Blocking. */
int kk_sync_fetch_record(const char *data_dir, int ok, int64_t now);

#endif
