/*
 * test_sync_copy.c — the pipelined payload read of firmware/sync/bundle.c (a reader thread
 * reads and hashes into a ring of chunks, the calling thread hands them to the sink) and the
 * libcrypto SHA-256 of sha256.c.
 *
 * Real files in /tmp, real threads. The chunk size is made small (kk_bundle_set_chunk) so the
 * ring turns many times and a "stick" (the source file) can be changed by the sink while the
 * reader is at most COPY_BUFS chunks ahead: each tamper test puts its change far beyond that,
 * so it is read after the change whatever the threads' timing, or far behind it, so it is not.
 * libsodium's SHA-256 (the previous implementation) is the reference for the digests.
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "kt.h"
#include "sync/bundle.h"
#include "sync/manifest.h"
#include "sync/sha256.h"

#define SMALL 4096 /* the chunk of the tamper tests: the reader is at most 4 of them ahead */

struct fixture {
	char dir[64];
	char path[96];
	struct kk_manifest m;
	uint8_t *data;
	size_t len;
};

/* dir/payload of len pseudo-random bytes, and a manifest naming it with its size and hash. */
static int fixture_make(struct fixture *f, size_t len, unsigned seed)
{
	FILE *fp;
	memset(f, 0, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/kk-copy-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/payload", f->dir);
	f->len = len;
	f->data = malloc(len ? len : 1);
	if (!f->data)
		return -1;
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		f->data[i] = (uint8_t)(seed >> 16);
	}
	fp = fopen(f->path, "wb");
	if (!fp || fwrite(f->data, 1, len, fp) != len || fclose(fp) != 0)
		return -1;
	memset(&f->m, 0, sizeof f->m);
	snprintf(f->m.payload, sizeof f->m.payload, "payload");
	f->m.payload_size = len;
	crypto_hash_sha256(f->m.payload_sha256, f->data, len);
	return 0;
}

static void fixture_fini(struct fixture *f)
{
	free(f->data);
	kt_rmtree(f->dir);
}

/* What the sink received, and what it does to the source on its first call. */
struct sink_log {
	uint8_t *got;
	size_t n, cap;
	long calls;
	int fail_at;          /* the call (1-based) that fails with KK_ENOSPC; 0: never */
	const char *tamper;   /* the source file to change on the first call */
	long tamper_at;       /* byte to flip; -1 append, -2 truncate to half */
	int flags;            /* kk_bundle_copy_payload's */
};

static int sink(void *ctx, const void *data, size_t n)
{
	struct sink_log *s = ctx;
	if (++s->calls == s->fail_at)
		return KK_ENOSPC;
	if (s->calls == 1 && s->tamper) {
		int fd = open(s->tamper, O_RDWR | (s->tamper_at == -1 ? O_APPEND : 0));
		char c = 0x5a;
		if (fd >= 0) {
			if (s->tamper_at >= 0) {
				if (pwrite(fd, &c, 1, s->tamper_at) != 1)
					s->calls = -1000;
			} else if (s->tamper_at == -1) {
				if (write(fd, "more", 4) != 4)
					s->calls = -1000;
			} else {
				off_t end = lseek(fd, 0, SEEK_END);
				if (ftruncate(fd, end / 2) != 0)
					s->calls = -1000;
			}
			close(fd);
		}
	}
	if (s->n + n > s->cap)
		return KK_E2BIG;
	memcpy(s->got + s->n, data, n);
	s->n += n;
	return 0;
}

/* Copy f's payload with the given chunk size into a fresh sink_log; returns the result. */
static int copy(struct fixture *f, size_t chunk, struct sink_log *s, enum kk_bundle_reason *why)
{
	char detail[256];
	int rc;
	s->cap = f->len + 64;
	s->got = malloc(s->cap);
	if (!s->got)
		return KK_ENOMEM;
	kk_bundle_set_chunk(chunk);
	rc = kk_bundle_copy_payload(f->dir, &f->m, s->flags, sink, s, why, detail, sizeof detail);
	kk_bundle_set_chunk(0);
	return rc;
}

/* Every size around the chunk and ring boundaries (a last chunk shorter than the others, one
 * byte, more chunks than the ring holds) arrives whole, in order, and verifies. */
static void sizes_around_the_ring(void)
{
	static const size_t chunks[] = { 1, 7, SMALL, 1 << 20 };
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		size_t k = chunks[c];
		size_t sizes[] = { 1, k > 1 ? k - 1 : 2, k, k + 1, 4 * k, 5 * k + 3, 9 * k + 1 };
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			struct fixture f;
			struct sink_log s = { 0 };
			enum kk_bundle_reason why = KK_BUNDLE_OK;
			if (sizes[i] > (8u << 20) || (k == 1 && sizes[i] > 64))
				continue;
			KT_REQUIRE(fixture_make(&f, sizes[i], (unsigned)(c * 31 + i)) == 0);
			s.flags = i & 1 ? KK_BUNDLE_DROP_SOURCE : 0;
			KT_CHECK_INT(copy(&f, k, &s, &why), 0);
			KT_CHECK_INT(why, KK_BUNDLE_OK);
			KT_CHECK(s.n == f.len && memcmp(s.got, f.data, f.len) == 0);
			KT_CHECK(s.calls == (long)((f.len + k - 1) / k));
			free(s.got);
			fixture_fini(&f);
		}
	}
}

/* A wrong hash or a wrong signed size is refused after the whole read, with its reason. */
static void wrong_hash_and_size(void)
{
	struct fixture f;
	struct sink_log s = { 0 };
	enum kk_bundle_reason why;

	KT_REQUIRE(fixture_make(&f, 100000, 5) == 0);
	f.m.payload_sha256[31] ^= 1;
	KT_CHECK_INT(copy(&f, SMALL, &s, &why), KK_ECORRUPT);
	KT_CHECK_INT(why, KK_BUNDLE_PAYLOAD_HASH);
	free(s.got);
	f.m.payload_sha256[31] ^= 1;
	f.m.payload_size++;
	memset(&s, 0, sizeof s);
	KT_CHECK_INT(copy(&f, SMALL, &s, &why), KK_ECORRUPT);
	KT_CHECK_INT(why, KK_BUNDLE_PAYLOAD_SIZE);
	free(s.got);
	fixture_fini(&f);
}

/* The stick changes while it is read: a byte far ahead of the reader makes the hash differ; a
 * byte already read changes nothing (the bytes handed on are the bytes hashed, which verify);
 * bytes appended are caught as growth, a truncation as a short payload. */
static void stick_changes_between_reads(void)
{
	static const struct {
		long at;
		int rc;
		enum kk_bundle_reason why;
	} cases[] = {
		{ 200000, KK_ECORRUPT, KK_BUNDLE_PAYLOAD_HASH }, /* not read yet */
		{ 10, 0, KK_BUNDLE_OK },                          /* inside the first chunk */
		{ -1, KK_ECORRUPT, KK_BUNDLE_PAYLOAD_SIZE },     /* grows */
		{ -2, KK_ECORRUPT, KK_BUNDLE_PAYLOAD_SIZE },     /* shrinks */
	};
	for (size_t k = 0; k < 2 * sizeof cases / sizeof cases[0]; k++) {
		size_t i = k / 2;
		struct fixture f;
		struct sink_log s = { 0 };
		enum kk_bundle_reason why = KK_BUNDLE_OK;

		KT_REQUIRE(fixture_make(&f, 256 * 1024, 9) == 0);
		s.flags = k & 1 ? KK_BUNDLE_DROP_SOURCE : 0; /* each case with the source dropped too */
		s.tamper = f.path;
		s.tamper_at = cases[i].at;
		KT_CHECK_INT(copy(&f, SMALL, &s, &why), cases[i].rc);
		KT_CHECK_INT(why, cases[i].why);
		KT_CHECK(s.calls > 0);
		if (cases[i].rc == 0)
			KT_CHECK(s.n == f.len && memcmp(s.got, f.data, f.len) == 0);
		free(s.got);
		fixture_fini(&f);
	}
}

/* A sink failure stops the reader and comes back as STAGE_IO with the sink's code, at once. */
static void sink_failure_stops(void)
{
	struct fixture f;
	struct sink_log s = { 0 };
	enum kk_bundle_reason why;

	KT_REQUIRE(fixture_make(&f, 512 * 1024, 3) == 0);
	s.fail_at = 3;
	KT_CHECK_INT(copy(&f, SMALL, &s, &why), KK_ENOSPC);
	KT_CHECK_INT(why, KK_BUNDLE_STAGE_IO);
	KT_CHECK_INT(s.calls, 3);
	KT_CHECK(s.n == 2 * SMALL);
	free(s.got);
	fixture_fini(&f);
}

/* sha256.c against libsodium's SHA-256 and the FIPS 180-2 vectors, in pieces of any size. */
static void sha256_matches_reference(void)
{
	static const char *abc_hex =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	static const char *million_a_hex =
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	struct kk_sha256 h;
	struct fixture f;
	uint8_t out[32], ref[32];
	char hex[65];
	uint8_t *a = malloc(1000000);
	uint64_t size = 0;

	KT_REQUIRE(a != NULL);
	KT_REQUIRE(kk_sha256_init(&h) == 0);
	KT_CHECK(kk_sha256_update(&h, "abc", 3) == 0 && kk_sha256_final(&h, out) == 0);
	kk_sha256_fini(&h);
	kk_hex32(out, hex);
	KT_CHECK_STR(hex, abc_hex);
	memset(a, 'a', 1000000);
	KT_REQUIRE(kk_sha256_init(&h) == 0);
	for (size_t done = 0, step = 1; done < 1000000; done += step, step = step * 3 % 4099 + 1)
		KT_CHECK(kk_sha256_update(&h, a + done, done + step > 1000000 ? 1000000 - done
									     : step) == 0);
	KT_CHECK(kk_sha256_final(&h, out) == 0);
	kk_sha256_fini(&h);
	kk_sha256_fini(&h); /* a second fini is a no-op */
	kk_hex32(out, hex);
	KT_CHECK_STR(hex, million_a_hex);
	free(a);

	KT_REQUIRE(fixture_make(&f, 3 * 1048576 + 17, 77) == 0);
	crypto_hash_sha256(ref, f.data, f.len);
	kk_bundle_set_chunk(SMALL + 3);
	KT_CHECK(kk_sha256_file(f.path, out, &size) == 0);
	kk_bundle_set_chunk(0);
	KT_CHECK(size == f.len && memcmp(out, ref, 32) == 0);
	KT_CHECK(kk_sha256_file(f.path, out, &size) == 0);
	KT_CHECK(memcmp(out, ref, 32) == 0);
	fixture_fini(&f);
}

KT_MAIN(KT_CASE(sizes_around_the_ring), KT_CASE(wrong_hash_and_size),
	KT_CASE(stick_changes_between_reads), KT_CASE(sink_failure_stops),
	KT_CASE(sha256_matches_reference))
