/* sha256.c — SHA-256 through libcrypto's EVP interface (sha256.h). */
#include "sync/sha256.h"

#include <openssl/evp.h>

#include "base/err.h"

int kk_sha256_init(struct kk_sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	h->ctx = c;
	if (!c)
		return KK_ENOMEM;
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		kk_sha256_fini(h);
		return KK_EIO;
	}
	return 0;
}

int kk_sha256_update(struct kk_sha256 *h, const void *data, size_t n)
{
	return h->ctx && EVP_DigestUpdate(h->ctx, data, n) == 1 ? 0 : KK_EIO;
}

int kk_sha256_final(struct kk_sha256 *h, uint8_t out[32])
{
	unsigned int len = 0;
	return h->ctx && EVP_DigestFinal_ex(h->ctx, out, &len) == 1 && len == 32 ? 0 : KK_EIO;
}

void kk_sha256_fini(struct kk_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}
