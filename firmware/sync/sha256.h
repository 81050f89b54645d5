/*
 * sha256.h — streaming SHA-256 for payloads and slots (internal to firmware/sync/).
 *
 * OpenSSL's libcrypto (EVP), which uses the CPU's SHA extensions (x86 SHA-NI, ARMv8 crypto)
 * where they exist: about 1.8 GB/s on the 2-core x86 test machine against about 0.3 GB/s for
 * libsodium's portable C, and SHA-256 over the payload was the largest part of an apply.
 * libsodium stays for Ed25519 (minisign.c); the manifest format is unchanged (SHA-256).
 *
 * A context belongs to one thread at a time; no global state. Never blocks.
 */
#ifndef KK_SYNC_SHA256_H
#define KK_SYNC_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct kk_sha256 {
	void *ctx; /* EVP_MD_CTX; NULL before init and after fini */
};

/* Start a digest. Returns 0 or KK_ENOMEM / KK_EIO (libcrypto refused). */
int kk_sha256_init(struct kk_sha256 *h);
/* Hash n more bytes. Returns 0 or KK_EIO. */
int kk_sha256_update(struct kk_sha256 *h, const void *data, size_t n);
/* Finish into out[32]. The context must still be fini'd. Returns 0 or KK_EIO. */
int kk_sha256_final(struct kk_sha256 *h, uint8_t out[32]);
/* Free the context; a zeroed or already freed one is a no-op. */
void kk_sha256_fini(struct kk_sha256 *h);

#endif
