/*
 * minisign.h — minisign-compatible keys and signatures (the `ED` algorithm only).
 *
 * Files are byte-compatible with minisign 0.11 (Debian `minisign`), so staff can check what
 * kioskdb signed with the stock `minisign -V -p KEY.pub -m FILE`:
 *   public key:  "untrusted comment: ...\n" base64("Ed" | key_id[8] | pk[32]) "\n"
 *   secret key:  as `minisign -G -W` writes it (no password: kdf_alg "\0\0"):
 *                base64("Ed" | "\0\0" | "B2" | salt[32] | ops[8] | mem[8] | key_id[8] | sk[64] |
 *                chk[32])
 *   signature:   "untrusted comment: ...\n" base64("ED" | key_id[8] | sig[64]) "\n"
 *                "trusted comment: TEXT\n" base64(global_sig[64]) "\n"
 * `ED` signs BLAKE2b-512 of the message; the global signature covers sig[64] | TEXT. The
 * algorithm id is not signed, so the verifier accepts exactly `ED` and refuses the legacy `Ed`
 * (Ed25519 over the raw message) and anything else.
 *
 * All functions are pure computations or small bounded file reads/writes; any thread may call
 * them. This file and its siblings are the only code that includes libsodium.
 */
#ifndef KK_SYNC_MINISIGN_H
#define KK_SYNC_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define KK_MS_KEYID_LEN 8
#define KK_MS_COMMENT_MAX 1024 /* trusted comment text, bytes, without the prefix */
#define KK_MS_SIGFILE_MAX 4096 /* a signature file larger than this is refused */
#define KK_MS_KEYFILE_MAX 4096

struct kk_ms_pub {
	uint8_t id[KK_MS_KEYID_LEN];
	uint8_t pk[32];
};

struct kk_ms_sec {
	uint8_t id[KK_MS_KEYID_LEN];
	uint8_t sk[64]; /* libsodium layout: seed | pk */
};

/* Why a signature was refused (kk_ms_verify); KK_MS_OK is 0. */
enum kk_ms_status {
	KK_MS_OK = 0,
	KK_MS_MALFORMED = -1, /* not four lines, bad base64, wrong lengths, comment too long */
	KK_MS_LEGACY = -2,    /* algorithm `Ed`: legacy, not prehashed, refused */
	KK_MS_ALG = -3,       /* any other algorithm id */
	KK_MS_KEYID = -4,     /* signed by another key */
	KK_MS_BADSIG = -5,    /* the signature over the message does not verify */
	KK_MS_BADCOMMENT = -6 /* the global signature over the trusted comment does not verify */
};

/* A stable English name for a kk_ms_status ("BADSIG" ...); never NULL. */
const char *kk_ms_status_name(int st);

/* Make a new key pair with a random key id. Returns 0 or KK_EIO (libsodium unusable). */
int kk_ms_keygen(struct kk_ms_pub *pub, struct kk_ms_sec *sec);

/* Write a key file at path, refusing to replace an existing file (O_EXCL); the secret key is
 * created with mode 0600. Returns 0, KK_EIO (errno-style detail in the log). */
int kk_ms_pub_write(const struct kk_ms_pub *pub, const char *path);
int kk_ms_sec_write(const struct kk_ms_sec *sec, const char *path);

/* Parse key file text / read a key file (capped at KK_MS_KEYFILE_MAX). Returns 0,
 * KK_ENOENT, KK_EIO, KK_E2BIG, or KK_ECORRUPT (not a minisign `Ed` key; an encrypted secret
 * key is refused with KK_EVERSION). */
int kk_ms_pub_parse(const char *text, size_t len, struct kk_ms_pub *out);
int kk_ms_pub_read(const char *path, struct kk_ms_pub *out);
int kk_ms_sec_parse(const char *text, size_t len, struct kk_ms_sec *out);
int kk_ms_sec_read(const char *path, struct kk_ms_sec *out);

/* Sign msg with `ED` and append the whole signature file text to out (the caller's capped
 * buffer). trusted must be printable UTF-8 without newlines, at most KK_MS_COMMENT_MAX bytes.
 * Returns 0, KK_EINVAL (bad comment), KK_E2BIG/KK_ENOMEM from out, KK_EIO. */
int kk_ms_sign(const struct kk_ms_sec *sec, const void *msg, size_t len, const char *trusted,
	       struct kk_buf *out);

/* Verify signature file text sig (siglen bytes) over msg with pub. On KK_MS_OK, the trusted
 * comment is copied into tc (NUL-terminated, tc_cap bytes, may be NULL/0). Returns a
 * kk_ms_status. Never reads beyond the given lengths. */
int kk_ms_verify(const struct kk_ms_pub *pub, const void *msg, size_t len, const char *sig,
		 size_t siglen, char *tc, size_t tc_cap);

#endif
