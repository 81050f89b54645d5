/*
 * manifest.h — the signed text manifest of a content bundle.
 *
 * One "key = value" per line, every key exactly once, in any order, each line ending in '\n':
 *
 *   format = 1                 only 1 is known
 *   product = kiosk-xxgk       [a-z0-9-], 1..32 bytes
 *   channel = stable           [a-z0-9-], 1..32 bytes
 *   epoch = 1                  0..4294967295 (bumped when seq restarts, e.g. a new publisher)
 *   seq = 42                   1..2^53
 *   type = full                full | delta
 *   base_seq = 0               full: 0; delta: 1..seq-1
 *   base_sha256 = none         full: none; delta: 64 lower-case hex digits
 *   payload = content.db       a plain file name in the bundle folder: [A-Za-z0-9._-], no
 *                              leading '.', 1..64 bytes
 *   payload_size = 123456      1..KK_MANIFEST_PAYLOAD_MAX
 *   payload_sha256 = <64 hex>  lower case
 *   created = 2026-11-23T13:00:00Z
 *
 * The parser is strict because the manifest is what the signature vouches for: caps on the
 * whole text, line length and line count; no blank lines, comments, unknown or repeated keys,
 * leading zeros or signs. Pure functions; any thread.
 */
#ifndef KK_SYNC_MANIFEST_H
#define KK_SYNC_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#define KK_MANIFEST_MAX 4096 /* bytes of manifest text */
#define KK_MANIFEST_LINE_MAX 160
#define KK_MANIFEST_LINES_MAX 16
#define KK_MANIFEST_NAME_MAX 32
#define KK_MANIFEST_FILE_MAX 64
#define KK_MANIFEST_SEQ_MAX 9007199254740992ULL    /* 2^53 */
#define KK_MANIFEST_PAYLOAD_MAX (16ULL << 30)      /* 16 GiB */

enum kk_bundle_type { KK_BUNDLE_FULL = 1, KK_BUNDLE_DELTA = 2 };

struct kk_manifest {
	unsigned format;
	char product[KK_MANIFEST_NAME_MAX + 1];
	char channel[KK_MANIFEST_NAME_MAX + 1];
	uint32_t epoch;
	uint64_t seq;
	enum kk_bundle_type type;
	uint64_t base_seq;
	uint8_t base_sha256[32]; /* zero for full bundles */
	char payload[KK_MANIFEST_FILE_MAX + 1];
	uint64_t payload_size;
	uint8_t payload_sha256[32];
	char created[21]; /* YYYY-MM-DDTHH:MM:SSZ */
};

/* Parse len bytes of text into *out. Returns 0, KK_E2BIG (text, line or value over a cap) or
 * KK_ECORRUPT; when err/err_cap are given, a one-line English reason ("line 3: seq: ...") is
 * written there. out is left zeroed on failure. */
int kk_manifest_parse(const char *text, size_t len, struct kk_manifest *out, char *err,
		      size_t err_cap);

/* Write m as manifest text into buf (cap bytes, NUL-terminated), keys in the order above.
 * Returns the length, or KK_EINVAL if m would not parse back, or KK_E2BIG. */
int kk_manifest_write(const struct kk_manifest *m, char *buf, size_t cap);

/* A decimal integer of n bytes at v: 1..20 digits, no sign or spaces, no leading zero (except
 * "0"), within [lo, hi]. Returns 0 with *out set, or -1. Shared with the data folder's floor
 * file (slots.c). */
int kk_manifest_parse_u64(const char *v, size_t n, uint64_t lo, uint64_t hi, uint64_t *out);

/* Lower-case hex of 32 bytes into out[65]. */
void kk_hex32(const uint8_t in[32], char out[65]);

#endif
