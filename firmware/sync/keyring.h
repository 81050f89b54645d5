/*
 * keyring.h — the chain of trust of content bundles: offline root keys sign a keyring of
 * release keys, release keys sign bundles; rotation as in TUF.
 *
 * A keyring file `keyring.N` is text, one "key = value" per line, each line ending in '\n':
 *
 *   format = 1                      only 1 is known
 *   product = zwgk-kiosk            as the manifest's
 *   version = 2                     N, 1..2^53; the file is named keyring.N
 *   expires = 2027-12-31T00:00:00Z  or `none`; a past date only WARNS (RAUC users were
 *                                   bricked by expiry: a kiosk must keep updating)
 *   threshold = 1                   1..number of root lines
 *   root = RWQ...                   a minisign public key (the base64 line of a .pub file),
 *   root = ...                      1..KK_KEYRING_KEYS_MAX lines
 *   release = RWQ...                1..KK_KEYRING_KEYS_MAX lines: keys that may sign bundles
 *
 * Keys appear in the order above (format..threshold once each, then every root, then every
 * release); no blank lines, no comments, no key twice. Its signatures are minisign `ED`
 * signature files `keyring.N.K.minisig` (K = 1..KK_KEYRING_SIGS_MAX, one per signing root),
 * so `minisign -V -p root.pub -m keyring.N -x keyring.N.1.minisig` checks one by hand.
 *
 * Trust rules (kk_keyring_advance):
 *   - The kiosk starts from the root keys of its image (config `sync_pubkey`), seen as
 *     keyring 0: those roots, threshold 1, and — for single-key set-ups from before keyrings —
 *     the same keys as release keys. Keyring 0 therefore lets a root sign bundles directly;
 *     as soon as a keyring has been accepted only its release keys count.
 *   - Keyring N+1 is accepted when at least threshold(N) distinct roots of the current
 *     keyring N AND threshold(N+1) distinct roots of keyring N+1 itself signed it. A chain is
 *     walked one version at a time from the current one (N+1, N+2, ...), at most
 *     KK_KEYRING_CHAIN_MAX steps; a missing link stops the walk (the bundle's own signature
 *     then decides). A keyring at or below the current version is never read: an older
 *     keyring replayed changes nothing.
 *
 * Pure parsing and signature checks plus small bounded reads; any thread (blocking reads of
 * at most a few KiB per file).
 */
#ifndef KK_SYNC_KEYRING_H
#define KK_SYNC_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "sync/minisign.h"

#define KK_KEYRING_MAX 4096        /* bytes of keyring text */
#define KK_KEYRING_KEYS_MAX 4      /* root keys, and release keys, per keyring */
#define KK_KEYRING_SIGS_MAX 4      /* signature files per keyring */
#define KK_KEYRING_CHAIN_MAX 64    /* keyrings walked per bundle */
#define KK_KEYRING_LINE_MAX 160

struct kk_keyring {
	unsigned format;
	uint64_t version;  /* 0: the image's roots (no keyring accepted yet) */
	char expires[21];  /* YYYY-MM-DDTHH:MM:SSZ, or "" for none */
	unsigned threshold;
	struct kk_ms_pub root[KK_KEYRING_KEYS_MAX];
	size_t n_root;
	struct kk_ms_pub release[KK_KEYRING_KEYS_MAX];
	size_t n_release;
	char text[KK_KEYRING_MAX + 1]; /* exactly the signed bytes ("" for version 0) */
	size_t text_len;
};

/* Parse len bytes of keyring text. Returns 0, KK_E2BIG (over a cap) or KK_ECORRUPT; err gets a
 * one-line English reason. *out is zeroed on failure; on success out->text holds the bytes. */
int kk_keyring_parse(const char *text, size_t len, struct kk_keyring *out, char *err,
		     size_t err_cap);

/* Write k (format, version, expires, threshold, keys) as keyring text into buf (cap bytes,
 * NUL-terminated). Returns the length, KK_EINVAL (would not parse back) or KK_E2BIG. */
int kk_keyring_write(const struct kk_keyring *k, char *buf, size_t cap);

/* Keyring 0: the image's roots, threshold 1, the same keys trusted as release keys. */
void kk_keyring_from_roots(struct kk_keyring *k, const struct kk_ms_pub *roots, size_t n);

/* How many distinct keys of keys[0..n) made a valid `ED` signature over msg among the nsig
 * signature files sigs[i] (lengths lens[i]). Pure. */
size_t kk_keyring_count_signers(const struct kk_ms_pub *keys, size_t n, const void *msg,
				size_t len, const char *const *sigs, const size_t *lens,
				size_t nsig);

/* Why a keyring walk stopped short. */
enum kk_keyring_status {
	KK_KEYRING_OK = 0,
	KK_KEYRING_MALFORMED = -1,    /* a keyring file over its cap, unreadable or not parsing */
	KK_KEYRING_WRONG = -2,        /* version inside differs from the name, another product */
	KK_KEYRING_OLD_ROOTS = -3,    /* not signed by threshold roots of the current keyring */
	KK_KEYRING_NEW_ROOTS = -4     /* not signed by threshold of its own roots */
};

/* Stable English name of a kk_keyring_status; never NULL. */
const char *kk_keyring_status_name(int st);

/*
 * Walk the keyring chain in folder dir from *cur (in: the trusted keyring, out: the newest
 * accepted). Reads dir/keyring.V and its signatures for V = cur->version + 1, ... while the
 * file exists. *advanced is set to the number of keyrings accepted. A keyring that is present
 * but refused stops the walk with its kk_keyring_status (and *cur stays at the last good
 * one); detail gets an English line. A keyring whose expiry is past only logs a warning.
 * Returns a kk_keyring_status. Blocking (small reads).
 */
int kk_keyring_advance(const char *dir, struct kk_keyring *cur, int *advanced, char *detail,
		       size_t detail_cap);

#endif
