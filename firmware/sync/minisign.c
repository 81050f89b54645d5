/*
 * minisign.c — minisign `ED` keys and signatures with libsodium (see minisign.h for the
 * formats). Every input is hostile: lines are split within the given length, base64 is decoded
 * into fixed-size buffers, and every length is checked before a byte is used.
 */
#include "sync/minisign.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"

#define UNTRUSTED "untrusted comment: "
#define TRUSTED "trusted comment: "
#define SEC_LEN (2 + 2 + 2 + 32 + 8 + 8 + KK_MS_KEYID_LEN + 64 + 32)
#define PUB_LEN (2 + KK_MS_KEYID_LEN + 32)
#define SIG_LEN (2 + KK_MS_KEYID_LEN + 64)
#define MAX_LINES 4

struct line {
	const char *p;
	size_t n;
};

/*
 * Split text (len bytes, not necessarily NUL-terminated) into at most MAX_LINES lines; a final
 * newline is optional and a trailing '\r' is dropped. Returns the number of lines, or -1 when
 * there are more than max, an empty line, or a NUL byte.
 */
static int split_lines(const char *text, size_t len, struct line *lines, int max)
{
	int n = 0;
	size_t i = 0;

	while (i < len) {
		size_t start = i;
		while (i < len && text[i] != '\n') {
			if (text[i] == '\0')
				return -1;
			i++;
		}
		size_t end = i;
		if (end > start && text[end - 1] == '\r')
			end--;
		if (end == start || n >= max)
			return -1;
		lines[n].p = text + start;
		lines[n].n = end - start;
		n++;
		if (i < len)
			i++; /* the newline */
	}
	return n;
}

/*
 * Decode one line of base64 (original alphabet, with padding) into exactly want bytes.
 * Returns 0, or -1 on bad characters, trailing garbage, or any other length.
 */
static int b64_exact(const struct line *l, uint8_t *out, size_t want)
{
	uint8_t tmp[256];
	size_t got = 0;
	const char *end = NULL;

	if (l->n > 4 * sizeof tmp / 3 || want > sizeof tmp)
		return -1;
	/* libsodium maps some bytes >= 0x80 to values instead of refusing them (found by
	 * fuzz_keyring): only the alphabet and padding are accepted */
	for (size_t i = 0; i < l->n; i++) {
		char c = l->p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '='))
			return -1;
	}
	if (sodium_base642bin(tmp, sizeof tmp, l->p, l->n, NULL, &got, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	if (end != l->p + l->n || got != want)
		return -1;
	memcpy(out, tmp, want);
	sodium_memzero(tmp, sizeof tmp);
	return 0;
}

/* Append "base64(bin)\n" to out. Returns 0 or the kk_buf error. */
static int b64_add(struct kk_buf *out, const uint8_t *bin, size_t n)
{
	char enc[512];
	int rc;

	if (sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) > sizeof enc)
		return KK_E2BIG;
	sodium_bin2base64(enc, sizeof enc, bin, n, sodium_base64_VARIANT_ORIGINAL);
	rc = kk_buf_adds(out, enc);
	if (!rc)
		rc = kk_buf_adds(out, "\n");
	sodium_memzero(enc, sizeof enc);
	return rc;
}

/* minisign prints a key id as the little-endian 64-bit number in upper-case hex. */
static void keyid_hex(const uint8_t id[KK_MS_KEYID_LEN], char out[17])
{
	static const char hex[] = "0123456789ABCDEF";
	for (int i = 0; i < KK_MS_KEYID_LEN; i++) {
		out[2 * i] = hex[id[KK_MS_KEYID_LEN - 1 - i] >> 4];
		out[2 * i + 1] = hex[id[KK_MS_KEYID_LEN - 1 - i] & 15];
	}
	out[16] = '\0';
}

/*
 * Write the n bytes of data to a new file at path with the given mode; fails if the file
 * exists. The file is fsynced before close. Returns 0 or KK_EIO.
 */
static int write_new_file(const char *path, const char *data, size_t n, mode_t mode)
{
	int fd, rc = KK_EIO;
	size_t done = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		kk_error("sync", "%s: %s", path, strerror(errno));
		return KK_EIO;
	}
	while (done < n) {
		ssize_t w = write(fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			kk_error("sync", "%s: write: %s", path, strerror(errno));
			goto out;
		}
		done += (size_t)w;
	}
	if (fsync(fd) != 0) {
		kk_error("sync", "%s: fsync: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (close(fd) != 0 && rc == 0)
		rc = KK_EIO;
	if (rc)
		unlink(path);
	return rc;
}

/* Names for kk_ms_status values, for logs. */
const char *kk_ms_status_name(int st)
{
	switch (st) {
	case KK_MS_OK: return "OK";
	case KK_MS_MALFORMED: return "MALFORMED";
	case KK_MS_LEGACY: return "LEGACY_ED";
	case KK_MS_ALG: return "ALGORITHM";
	case KK_MS_KEYID: return "KEYID";
	case KK_MS_BADSIG: return "BADSIG";
	case KK_MS_BADCOMMENT: return "BADCOMMENT";
	}
	return "UNKNOWN";
}

/* New Ed25519 key pair with a random 8-byte key id (as minisign -G). */
int kk_ms_keygen(struct kk_ms_pub *pub, struct kk_ms_sec *sec)
{
	if (sodium_init() < 0)
		return KK_EIO;
	randombytes_buf(sec->id, KK_MS_KEYID_LEN);
	crypto_sign_keypair(pub->pk, sec->sk);
	memcpy(pub->id, sec->id, KK_MS_KEYID_LEN);
	return 0;
}

/* Public key file: comment naming the key id, then base64("Ed" | id | pk). */
int kk_ms_pub_write(const struct kk_ms_pub *pub, const char *path)
{
	struct kk_buf b;
	uint8_t bin[PUB_LEN];
	char hex[17];
	int rc;

	if (sodium_init() < 0)
		return KK_EIO;
	kk_buf_init(&b, KK_MS_KEYFILE_MAX);
	keyid_hex(pub->id, hex);
	memcpy(bin, "Ed", 2);
	memcpy(bin + 2, pub->id, KK_MS_KEYID_LEN);
	memcpy(bin + 2 + KK_MS_KEYID_LEN, pub->pk, 32);
	rc = kk_buf_addf(&b, UNTRUSTED "minisign public key %s\n", hex);
	if (!rc)
		rc = b64_add(&b, bin, sizeof bin);
	if (!rc)
		rc = write_new_file(path, b.data, b.len, 0644);
	kk_buf_fini(&b);
	return rc;
}

/*
 * Secret key file exactly as `minisign -G -W` (0.11) writes it: no KDF, so salt, limits and the
 * checksum are all zero bytes, and the comment still says "encrypted" as minisign's does.
 */
int kk_ms_sec_write(const struct kk_ms_sec *sec, const char *path)
{
	struct kk_buf b;
	uint8_t bin[SEC_LEN];
	int rc;

	if (sodium_init() < 0)
		return KK_EIO;
	kk_buf_init(&b, KK_MS_KEYFILE_MAX);
	memset(bin, 0, sizeof bin);
	memcpy(bin, "Ed", 2);
	memcpy(bin + 4, "B2", 2);
	memcpy(bin + 54, sec->id, KK_MS_KEYID_LEN);
	memcpy(bin + 54 + KK_MS_KEYID_LEN, sec->sk, 64);
	rc = kk_buf_adds(&b, UNTRUSTED "minisign encrypted secret key\n");
	if (!rc)
		rc = b64_add(&b, bin, sizeof bin);
	if (!rc)
		rc = write_new_file(path, b.data, b.len, 0600);
	sodium_memzero(bin, sizeof bin);
	if (b.data)
		sodium_memzero(b.data, b.len);
	kk_buf_fini(&b);
	return rc;
}

/* Parse the two-line public key file. */
int kk_ms_pub_parse(const char *text, size_t len, struct kk_ms_pub *out)
{
	struct line l[MAX_LINES];
	uint8_t bin[PUB_LEN];

	if (sodium_init() < 0)
		return KK_EIO;
	if (split_lines(text, len, l, MAX_LINES) != 2 || l[0].n < strlen(UNTRUSTED) ||
	    memcmp(l[0].p, UNTRUSTED, strlen(UNTRUSTED)) != 0 || b64_exact(&l[1], bin, sizeof bin) ||
	    memcmp(bin, "Ed", 2) != 0)
		return KK_ECORRUPT;
	memcpy(out->id, bin + 2, KK_MS_KEYID_LEN);
	memcpy(out->pk, bin + 2 + KK_MS_KEYID_LEN, 32);
	return 0;
}

/* Read and parse a public key file (capped). */
int kk_ms_pub_read(const char *path, struct kk_ms_pub *out)
{
	struct kk_buf b;
	int rc;

	kk_buf_init(&b, KK_MS_KEYFILE_MAX);
	rc = kk_buf_read_file(&b, path);
	if (!rc)
		rc = kk_ms_pub_parse(b.data, b.len, out);
	kk_buf_fini(&b);
	return rc;
}

/*
 * Parse an unencrypted secret key file. The checksum is accepted when it is all zero (as
 * minisign -W writes it) or BLAKE2b-256("Ed" | id | sk) (as older minisign computed it); the
 * secret key must also contain its own public half, so a damaged file is caught here.
 */
int kk_ms_sec_parse(const char *text, size_t len, struct kk_ms_sec *out)
{
	struct line l[MAX_LINES];
	uint8_t bin[SEC_LEN], chk[32], zero[32] = {0}, pk[32];
	int rc = KK_ECORRUPT;

	if (sodium_init() < 0)
		return KK_EIO;
	if (split_lines(text, len, l, MAX_LINES) != 2 || l[0].n < strlen(UNTRUSTED) ||
	    memcmp(l[0].p, UNTRUSTED, strlen(UNTRUSTED)) != 0 || b64_exact(&l[1], bin, sizeof bin))
		goto out;
	if (memcmp(bin, "Ed", 2) != 0 || memcmp(bin + 4, "B2", 2) != 0)
		goto out;
	if (bin[2] != 0 || bin[3] != 0) {
		rc = KK_EVERSION; /* password-protected: kioskdb keys are for offline machines */
		goto out;
	}
	memcpy(out->id, bin + 54, KK_MS_KEYID_LEN);
	memcpy(out->sk, bin + 54 + KK_MS_KEYID_LEN, 64);
	{
		crypto_generichash_state st;
		crypto_generichash_init(&st, NULL, 0, sizeof chk);
		crypto_generichash_update(&st, bin, 2);
		crypto_generichash_update(&st, bin + 54, KK_MS_KEYID_LEN + 64);
		crypto_generichash_final(&st, chk, sizeof chk);
	}
	if (memcmp(bin + SEC_LEN - 32, zero, 32) != 0 && memcmp(bin + SEC_LEN - 32, chk, 32) != 0)
		goto out;
	{
		uint8_t derived_sk[64];
		crypto_sign_seed_keypair(pk, derived_sk, out->sk); /* seed = first 32 bytes */
		if (memcmp(derived_sk + 32, out->sk + 32, 32) != 0) {
			sodium_memzero(derived_sk, sizeof derived_sk);
			goto out;
		}
		sodium_memzero(derived_sk, sizeof derived_sk);
	}
	rc = 0;
out:
	sodium_memzero(bin, sizeof bin);
	if (rc)
		sodium_memzero(out, sizeof *out);
	return rc;
}

/* Read and parse a secret key file (capped); the buffer is wiped before it is freed. */
int kk_ms_sec_read(const char *path, struct kk_ms_sec *out)
{
	struct kk_buf b;
	int rc;

	kk_buf_init(&b, KK_MS_KEYFILE_MAX);
	rc = kk_buf_read_file(&b, path);
	if (!rc)
		rc = kk_ms_sec_parse(b.data, b.len, out);
	if (b.data)
		sodium_memzero(b.data, b.len);
	kk_buf_fini(&b);
	return rc;
}

/* A trusted comment must be one line of printable bytes (UTF-8 passes; control bytes do not). */
static int comment_ok(const char *s)
{
	size_t n = strlen(s);
	if (n > KK_MS_COMMENT_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return 0;
	return 1;
}

/* `ED` signature file: sig over BLAKE2b-512(msg), global sig over sig | trusted comment. */
int kk_ms_sign(const struct kk_ms_sec *sec, const void *msg, size_t len, const char *trusted,
	       struct kk_buf *out)
{
	uint8_t hash[crypto_generichash_BYTES_MAX], bin[SIG_LEN], global[64];
	uint8_t gmsg[64 + KK_MS_COMMENT_MAX];
	size_t tlen;
	char hex[17];
	int rc;

	if (sodium_init() < 0)
		return KK_EIO;
	if (!trusted || !comment_ok(trusted))
		return KK_EINVAL;
	tlen = strlen(trusted);
	crypto_generichash(hash, sizeof hash, msg, len, NULL, 0);
	memcpy(bin, "ED", 2);
	memcpy(bin + 2, sec->id, KK_MS_KEYID_LEN);
	crypto_sign_detached(bin + 2 + KK_MS_KEYID_LEN, NULL, hash, sizeof hash, sec->sk);
	memcpy(gmsg, bin + 2 + KK_MS_KEYID_LEN, 64);
	memcpy(gmsg + 64, trusted, tlen);
	crypto_sign_detached(global, NULL, gmsg, 64 + tlen, sec->sk);

	keyid_hex(sec->id, hex);
	rc = kk_buf_addf(out, UNTRUSTED "signature from kioskdb secret key %s\n", hex);
	if (!rc)
		rc = b64_add(out, bin, sizeof bin);
	if (!rc)
		rc = kk_buf_addf(out, TRUSTED "%s\n", trusted);
	if (!rc)
		rc = b64_add(out, global, sizeof global);
	return rc;
}

/*
 * Verify in minisign's order: shape, algorithm (only `ED`), key id, signature over the hash,
 * then the global signature over sig | trusted comment.
 */
int kk_ms_verify(const struct kk_ms_pub *pub, const void *msg, size_t len, const char *sig,
		 size_t siglen, char *tc, size_t tc_cap)
{
	struct line l[MAX_LINES];
	uint8_t bin[SIG_LEN], global[64], hash[crypto_generichash_BYTES_MAX];
	uint8_t gmsg[64 + KK_MS_COMMENT_MAX];
	size_t tlen;

	if (sodium_init() < 0)
		return KK_MS_MALFORMED;
	if (siglen > KK_MS_SIGFILE_MAX || split_lines(sig, siglen, l, MAX_LINES) != 4)
		return KK_MS_MALFORMED;
	if (l[0].n < strlen(UNTRUSTED) || memcmp(l[0].p, UNTRUSTED, strlen(UNTRUSTED)) != 0 ||
	    l[2].n < strlen(TRUSTED) || memcmp(l[2].p, TRUSTED, strlen(TRUSTED)) != 0)
		return KK_MS_MALFORMED;
	tlen = l[2].n - strlen(TRUSTED);
	if (tlen > KK_MS_COMMENT_MAX || b64_exact(&l[1], bin, sizeof bin) ||
	    b64_exact(&l[3], global, sizeof global))
		return KK_MS_MALFORMED;
	if (bin[0] == 'E' && bin[1] == 'd')
		return KK_MS_LEGACY;
	if (bin[0] != 'E' || bin[1] != 'D')
		return KK_MS_ALG;
	if (memcmp(bin + 2, pub->id, KK_MS_KEYID_LEN) != 0)
		return KK_MS_KEYID;
	crypto_generichash(hash, sizeof hash, msg, len, NULL, 0);
	if (crypto_sign_verify_detached(bin + 2 + KK_MS_KEYID_LEN, hash, sizeof hash, pub->pk) != 0)
		return KK_MS_BADSIG;
	memcpy(gmsg, bin + 2 + KK_MS_KEYID_LEN, 64);
	memcpy(gmsg + 64, l[2].p + strlen(TRUSTED), tlen);
	if (crypto_sign_verify_detached(global, gmsg, 64 + tlen, pub->pk) != 0)
		return KK_MS_BADCOMMENT;
	if (tc && tc_cap) {
		size_t n = tlen < tc_cap - 1 ? tlen : tc_cap - 1;
		memcpy(tc, l[2].p + strlen(TRUSTED), n);
		tc[n] = '\0';
	}
	return KK_MS_OK;
}
