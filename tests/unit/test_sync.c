/*
 * test_sync.c — firmware/sync/: minisign `ED` signatures, the bundle manifest parser, and
 * bundle verification. Every refusal test starts from a bundle that verifies, changes one
 * thing, and expects the specific reason; so each test fails if the check it covers is
 * removed. libsodium is used here only to forge a valid legacy `Ed` signature.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "kt.h"
#include "sync/bundle.h"
#include "sync/manifest.h"
#include "sync/minisign.h"

static const char msg[] = "format = 1\nhello\n";

/* Flip one bit of base64 line `line` (0-based) at character `col` of a signature file: the
 * character is replaced by the next one of the alphabet, so it stays valid base64. */
static void flip_b64(char *sig, int line, size_t col)
{
	char *p = sig;
	for (int i = 0; i < line; i++)
		p = strchr(p, '\n') + 1;
	p[col] = p[col] == 'A' ? 'B' : 'A';
}

/* A signed message verifies and gives back the trusted comment. */
static void sign_verify_round_trip(void)
{
	struct kk_ms_pub pub;
	struct kk_ms_sec sec;
	struct kk_buf sig;
	char tc[64];

	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	KT_REQUIRE(kk_ms_keygen(&pub, &sec) == 0);
	KT_REQUIRE(kk_ms_sign(&sec, msg, strlen(msg), "zwgk-kiosk stable 1.2", &sig) == 0);
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), sig.data, sig.len, tc, sizeof tc),
		     KK_MS_OK);
	KT_CHECK_STR(tc, "zwgk-kiosk stable 1.2");
	KT_CHECK(strstr(sig.data, "\nRU") != NULL); /* base64 of "ED" */
	KT_CHECK_INT(kk_ms_sign(&sec, msg, strlen(msg), "two\nlines", &sig), KK_EINVAL);
	kk_buf_fini(&sig);
}

/* Flipped bits in the message, the signature, the key id, the trusted comment and the global
 * signature are each refused with their own status. */
static void flipped_bits_refused(void)
{
	struct kk_ms_pub pub;
	struct kk_ms_sec sec;
	struct kk_buf sig;
	char copy[KK_MS_SIGFILE_MAX], m2[sizeof msg];

	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	KT_REQUIRE(kk_ms_keygen(&pub, &sec) == 0);
	KT_REQUIRE(kk_ms_sign(&sec, msg, strlen(msg), "comment", &sig) == 0);
	memcpy(m2, msg, sizeof msg);
	m2[3] ^= 1;
	KT_CHECK_INT(kk_ms_verify(&pub, m2, strlen(m2), sig.data, sig.len, NULL, 0), KK_MS_BADSIG);

	memcpy(copy, sig.data, sig.len + 1);
	flip_b64(copy, 1, 40); /* inside sig[64] */
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), copy, sig.len, NULL, 0), KK_MS_BADSIG);

	memcpy(copy, sig.data, sig.len + 1);
	flip_b64(copy, 1, 6); /* inside key_id */
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), copy, sig.len, NULL, 0), KK_MS_KEYID);

	memcpy(copy, sig.data, sig.len + 1);
	*strstr(copy, "comment\n") = 'C'; /* the trusted comment text */
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), copy, sig.len, NULL, 0),
		     KK_MS_BADCOMMENT);

	memcpy(copy, sig.data, sig.len + 1);
	flip_b64(copy, 3, 10); /* the global signature */
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), copy, sig.len, NULL, 0),
		     KK_MS_BADCOMMENT);

	memcpy(copy, sig.data, sig.len + 1);
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), copy, sig.len - 20, NULL, 0),
		     KK_MS_MALFORMED);
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), "", 0, NULL, 0), KK_MS_MALFORMED);
	kk_buf_fini(&sig);
}

/* Another key (other id) is KEYID; another key that claims our id fails the signature. */
static void wrong_key_refused(void)
{
	struct kk_ms_pub pub, other;
	struct kk_ms_sec sec, other_sec;
	struct kk_buf sig;

	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	KT_REQUIRE(kk_ms_keygen(&pub, &sec) == 0 && kk_ms_keygen(&other, &other_sec) == 0);
	KT_REQUIRE(kk_ms_sign(&other_sec, msg, strlen(msg), "c", &sig) == 0);
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), sig.data, sig.len, NULL, 0), KK_MS_KEYID);
	memcpy(other_sec.id, sec.id, KK_MS_KEYID_LEN);
	kk_buf_reset(&sig);
	KT_REQUIRE(kk_ms_sign(&other_sec, msg, strlen(msg), "c", &sig) == 0);
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), sig.data, sig.len, NULL, 0), KK_MS_BADSIG);
	kk_buf_fini(&sig);
}

/* A genuine legacy `Ed` signature (Ed25519 over the raw message, valid under our key) is
 * refused: the algorithm id is unsigned, so accepting it would be algorithm confusion. */
static void legacy_ed_refused(void)
{
	struct kk_ms_pub pub;
	struct kk_ms_sec sec;
	uint8_t bin[74], global[64], gmsg[64 + 1];
	char b1[128], b2[128], file[512];

	KT_REQUIRE(sodium_init() >= 0);
	KT_REQUIRE(kk_ms_keygen(&pub, &sec) == 0);
	memcpy(bin, "Ed", 2);
	memcpy(bin + 2, sec.id, 8);
	crypto_sign_detached(bin + 10, NULL, (const uint8_t *)msg, strlen(msg), sec.sk);
	memcpy(gmsg, bin + 10, 64);
	gmsg[64] = 'c';
	crypto_sign_detached(global, NULL, gmsg, sizeof gmsg, sec.sk);
	sodium_bin2base64(b1, sizeof b1, bin, sizeof bin, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(b2, sizeof b2, global, sizeof global, sodium_base64_VARIANT_ORIGINAL);
	snprintf(file, sizeof file, "untrusted comment: x\n%s\ntrusted comment: c\n%s\n", b1, b2);
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), file, strlen(file), NULL, 0),
		     KK_MS_LEGACY);
	bin[1] = 'X';
	sodium_bin2base64(b1, sizeof b1, bin, sizeof bin, sodium_base64_VARIANT_ORIGINAL);
	snprintf(file, sizeof file, "untrusted comment: x\n%s\ntrusted comment: c\n%s\n", b1, b2);
	KT_CHECK_INT(kk_ms_verify(&pub, msg, strlen(msg), file, strlen(file), NULL, 0), KK_MS_ALG);
}

/* Key files round-trip, are never overwritten, and damaged ones are refused. */
static void key_files(void)
{
	char dir[] = "/tmp/kk-sync-XXXXXX", p[300], s[300];
	struct kk_ms_pub pub, pub2;
	struct kk_ms_sec sec, sec2;
	struct kk_buf b;

	KT_REQUIRE(mkdtemp(dir) != NULL);
	snprintf(p, sizeof p, "%s/k.pub", dir);
	snprintf(s, sizeof s, "%s/k.key", dir);
	KT_REQUIRE(kk_ms_keygen(&pub, &sec) == 0);
	KT_CHECK_INT(kk_ms_pub_write(&pub, p), 0);
	KT_CHECK_INT(kk_ms_sec_write(&sec, s), 0);
	KT_CHECK_INT(kk_ms_pub_write(&pub, p), KK_EIO); /* exists */
	KT_CHECK_INT(kk_ms_pub_read(p, &pub2), 0);
	KT_CHECK_INT(kk_ms_sec_read(s, &sec2), 0);
	KT_CHECK(memcmp(&pub, &pub2, sizeof pub) == 0);
	KT_CHECK(memcmp(&sec, &sec2, sizeof sec) == 0);
	kk_buf_init(&b, KK_MS_KEYFILE_MAX);
	KT_REQUIRE(kk_buf_read_file(&b, s) == 0);
	flip_b64(b.data, 1, 120); /* inside sk: its public half no longer matches its seed */
	KT_CHECK_INT(kk_ms_sec_parse(b.data, b.len, &sec2), KK_ECORRUPT);
	KT_CHECK_INT(kk_ms_pub_parse("untrusted comment: x\nAAAA\n", 26, &pub2), KK_ECORRUPT);
	kk_buf_fini(&b);
	kt_rmtree(dir);
}

static const char good_manifest[] =
	"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 2\nseq = 7\ntype = full\n"
	"base_seq = 0\nbase_sha256 = none\npayload = content.db\npayload_size = 5\n"
	"payload_sha256 = 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\n"
	"created = 2026-11-23T13:00:00Z\n";

/* Replace the first occurrence of from by to in good_manifest; parse; return the result. */
static int parse_edit(const char *from, const char *to)
{
	char text[KK_MANIFEST_MAX + 64];
	struct kk_manifest m;
	const char *at = strstr(good_manifest, from);
	size_t pre;

	if (!at)
		return 999;
	pre = (size_t)(at - good_manifest);
	snprintf(text, sizeof text, "%.*s%s%s", (int)pre, good_manifest, to, at + strlen(from));
	return kk_manifest_parse(text, strlen(text), &m, NULL, 0);
}

/* The manifest parses and writes back identically; hostile variants are refused. */
static void manifest_parser(void)
{
	struct kk_manifest m;
	char out[KK_MANIFEST_MAX], err[128], big[KK_MANIFEST_MAX + 2];

	KT_REQUIRE(kk_manifest_parse(good_manifest, strlen(good_manifest), &m, err, sizeof err) == 0);
	KT_CHECK_INT(m.epoch, 2);
	KT_CHECK_INT(m.seq, 7);
	KT_CHECK_INT(m.payload_size, 5);
	KT_CHECK_STR(m.payload, "content.db");
	KT_CHECK_INT(kk_manifest_write(&m, out, sizeof out), strlen(good_manifest));
	KT_CHECK_STR(out, good_manifest);
	KT_CHECK_INT(kk_manifest_write(&m, out, 20), KK_E2BIG);

	KT_CHECK_INT(parse_edit("format = 1\n", ""), KK_ECORRUPT);                 /* missing */
	KT_CHECK_INT(parse_edit("format = 1\n", "format = 1\nformat = 1\n"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("format = 1\n", "format = 1\ncolour = red\n"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("format = 1", "format = 2"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("seq = 7", "seq = 07"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("seq = 7", "seq = -7"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("seq = 7", "seq = 0"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("seq = 7", "seq = 99999999999999999999"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("seq = 7", "seq = 9007199254740993"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("epoch = 2", "epoch = 4294967296"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("epoch = 2", "epoch =2"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("epoch = 2", "epoch = 2 "), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("payload = content.db", "payload = ../etc/passwd"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("payload = content.db", "payload = a/b"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("payload_size = 5", "payload_size = 17179869185"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("channel = stable", "channel = Stable"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("type = full", "type = delta"), KK_ECORRUPT); /* no base */
	KT_CHECK_INT(parse_edit("base_seq = 0", "base_seq = 3"), KK_ECORRUPT); /* full + base */
	KT_CHECK_INT(parse_edit("created = 2026-11-23T13:00:00Z", "created = 2026-13-23T13:00:00Z"),
		     KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("9824\n", "9824"), KK_ECORRUPT);     /* sha too short */
	KT_CHECK_INT(parse_edit("2cf2", "2CF2"), KK_ECORRUPT);        /* upper-case hex */
	KT_CHECK_INT(parse_edit("format = 1\n", "format = 1\r\n"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("format = 1\n", "\nformat = 1\n"), KK_ECORRUPT);
	KT_CHECK_INT(parse_edit("stable", "stable-with-a-name-far-too-long-x"), KK_ECORRUPT);
	KT_CHECK_INT(kk_manifest_parse(good_manifest, strlen(good_manifest) - 1, &m, NULL, 0),
		     KK_ECORRUPT); /* last line unterminated */
	KT_CHECK_INT(kk_manifest_parse("format = 1\0\n", 12, &m, NULL, 0), KK_ECORRUPT);
	memset(big, 'a', sizeof big);
	big[sizeof big - 1] = '\n';
	KT_CHECK_INT(kk_manifest_parse(big, sizeof big, &m, NULL, 0), KK_E2BIG);
	KT_CHECK_INT(kk_manifest_parse(big, 200, &m, NULL, 0), KK_ECORRUPT); /* no newline end */
	big[199] = '\n';
	KT_CHECK_INT(kk_manifest_parse(big, 200, &m, NULL, 0), KK_E2BIG);    /* long line */
	{
		char many[KK_MANIFEST_MAX] = "";
		for (int i = 0; i < KK_MANIFEST_LINES_MAX + 1; i++)
			strcat(many, "format = 1\n");
		KT_CHECK_INT(kk_manifest_parse(many, strlen(many), &m, NULL, 0), KK_E2BIG);
	}
	KT_CHECK_INT(parse_edit("type = full\nbase_seq = 0\nbase_sha256 = none",
				"type = delta\nbase_seq = 6\nbase_sha256 = "
				"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
		     0);
}

/* A bundle folder made by the test: payload "hello", manifest, signature. */
struct fixture {
	char dir[32];
	struct kk_ms_pub pub;
	struct kk_ms_sec sec;
	struct kk_manifest m;
};

/* Write a file in the fixture's folder (replacing it). */
static int put(struct fixture *f, const char *name, const char *data, size_t n)
{
	char path[300];
	FILE *fp;
	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	fp = fopen(path, "wb");
	if (!fp)
		return -1;
	if (fwrite(data, 1, n, fp) != n) {
		fclose(fp);
		return -1;
	}
	return fclose(fp);
}

/* Write manifest m and its signature with key sec into the fixture. */
static int sign_manifest(struct fixture *f, const struct kk_manifest *m,
			 const struct kk_ms_sec *sec)
{
	char text[KK_MANIFEST_MAX];
	struct kk_buf sig;
	int n, rc;

	n = kk_manifest_write(m, text, sizeof text);
	if (n < 0)
		return n;
	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	rc = kk_ms_sign(sec, text, (size_t)n, "test", &sig);
	if (!rc)
		rc = put(f, KK_BUNDLE_MANIFEST, text, (size_t)n);
	if (!rc)
		rc = put(f, KK_BUNDLE_SIGNATURE, sig.data, sig.len);
	kk_buf_fini(&sig);
	return rc;
}

/* Set up a valid bundle: epoch 2, seq 7, channel stable, payload "hello". */
static int fixture_make(struct fixture *f)
{
	char path[300];
	uint64_t size;

	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/kk-bundle-XXXXXX");
	if (!mkdtemp(f->dir) || kk_ms_keygen(&f->pub, &f->sec))
		return -1;
	if (put(f, "content.db", "hello", 5))
		return -1;
	snprintf(path, sizeof path, "%s/content.db", f->dir);
	if (kk_manifest_parse(good_manifest, strlen(good_manifest), &f->m, NULL, 0) ||
	    kk_sha256_file(path, f->m.payload_sha256, &size) || size != 5)
		return -1;
	return sign_manifest(f, &f->m, &f->sec);
}

static const struct kk_bundle_expect expect_1_0 = { KK_SYNC_PRODUCT, "stable", 2, 6, 0, 0 };

/* Verify the fixture against exp; returns the reason (and checks rc agrees with it). */
static enum kk_bundle_reason verify_reason(struct fixture *f, const struct kk_bundle_expect *exp)
{
	enum kk_bundle_reason why = KK_BUNDLE_REASON_COUNT;
	struct kk_manifest m;
	char detail[256];
	int rc = kk_bundle_verify(f->dir, &f->pub, exp, -1, &m, &why, detail, sizeof detail);
	KT_CHECK((rc == 0) == (why == KK_BUNDLE_OK));
	return why;
}

/* The good bundle verifies; with a staging descriptor the payload is copied byte for byte. */
static void bundle_ok_and_staged(void)
{
	struct fixture f;
	enum kk_bundle_reason why;
	struct kk_manifest m;
	char stage[] = "/tmp/kk-stage-XXXXXX", got[16] = "";
	int fd;

	KT_REQUIRE(fixture_make(&f) == 0);
	KT_CHECK_INT(verify_reason(&f, &expect_1_0), KK_BUNDLE_OK);
	fd = mkstemp(stage);
	KT_REQUIRE(fd >= 0);
	KT_CHECK_INT(kk_bundle_verify(f.dir, &f.pub, &expect_1_0, fd, &m, &why, NULL, 0), 0);
	KT_CHECK_INT(m.seq, 7);
	KT_CHECK_INT(pread(fd, got, sizeof got, 0), 5);
	KT_CHECK(memcmp(got, "hello", 5) == 0);
	close(fd);
	unlink(stage);
	kt_rmtree(f.dir);
}

/* Replay, rollback, other channel, other product and deltas are refused before the payload. */
static void bundle_floor_channel_product(void)
{
	struct fixture f;
	struct kk_bundle_expect exp = expect_1_0;
	struct kk_manifest m;

	KT_REQUIRE(fixture_make(&f) == 0);
	exp.floor_seq = 7;
	KT_CHECK_INT(verify_reason(&f, &exp), KK_BUNDLE_UP_TO_DATE);
	exp.floor_seq = 8;
	KT_CHECK_INT(verify_reason(&f, &exp), KK_BUNDLE_OLDER);
	exp.floor_epoch = 3;
	exp.floor_seq = 1;
	KT_CHECK_INT(verify_reason(&f, &exp), KK_BUNDLE_OLDER); /* a newer epoch wins over seq */
	exp = expect_1_0;
	exp.floor_epoch = 1;
	exp.floor_seq = 1000;
	KT_CHECK_INT(verify_reason(&f, &exp), KK_BUNDLE_OK);
	exp = expect_1_0;
	exp.channel = "beta";
	KT_CHECK_INT(verify_reason(&f, &exp), KK_BUNDLE_WRONG_CHANNEL);
	exp = expect_1_0;
	exp.product = "other-kiosk";
	KT_CHECK_INT(verify_reason(&f, &exp), KK_BUNDLE_WRONG_PRODUCT);
	m = f.m;
	m.type = KK_BUNDLE_DELTA;
	m.base_seq = 6;
	m.base_sha256[0] = 1;
	KT_REQUIRE(sign_manifest(&f, &m, &f.sec) == 0);
	KT_CHECK_INT(verify_reason(&f, &expect_1_0), KK_BUNDLE_UNSUPPORTED);
	kt_rmtree(f.dir);
}

/* Tampering with any file of the bundle is refused with the reason for that file. */
static void bundle_tampering(void)
{
	struct fixture f, g;
	struct kk_buf b;
	char path[300];

	KT_REQUIRE(fixture_make(&f) == 0);
	KT_REQUIRE(put(&f, "content.db", "hellO", 5) == 0);
	KT_CHECK_INT(verify_reason(&f, &expect_1_0), KK_BUNDLE_PAYLOAD_HASH);
	KT_REQUIRE(put(&f, "content.db", "hello!", 6) == 0);
	KT_CHECK_INT(verify_reason(&f, &expect_1_0), KK_BUNDLE_PAYLOAD_SIZE);
	snprintf(path, sizeof path, "%s/content.db", f.dir);
	unlink(path);
	KT_CHECK_INT(verify_reason(&f, &expect_1_0), KK_BUNDLE_MISSING);
	KT_REQUIRE(symlink("/etc/hostname", path) == 0);
	KT_CHECK_INT(verify_reason(&f, &expect_1_0), KK_BUNDLE_MISSING); /* no symlinks */
	unlink(path);
	KT_REQUIRE(put(&f, "content.db", "hello", 5) == 0);
	KT_CHECK_INT(verify_reason(&f, &expect_1_0), KK_BUNDLE_OK);

	/* the manifest edited after signing (a bigger seq to beat the floor) */
	kk_buf_init(&b, KK_MANIFEST_MAX);
	snprintf(path, sizeof path, "%s/manifest", f.dir);
	KT_REQUIRE(kk_buf_read_file(&b, path) == 0);
	*strstr(b.data, "seq = 7") = 'S';
	KT_REQUIRE(put(&f, "manifest", b.data, b.len) == 0);
	KT_CHECK_INT(verify_reason(&f, &expect_1_0), KK_BUNDLE_SIG_INVALID);
	kk_buf_fini(&b);

	/* a bundle signed by someone else */
	KT_REQUIRE(fixture_make(&g) == 0);
	g.pub = f.pub;
	KT_CHECK_INT(verify_reason(&g, &expect_1_0), KK_BUNDLE_SIG_KEY);

	/* a manifest beyond the cap is refused before it is parsed or verified */
	{
		static char huge[KK_MANIFEST_MAX + 1];
		memset(huge, '#', sizeof huge);
		KT_REQUIRE(put(&f, "manifest", huge, sizeof huge) == 0);
		KT_CHECK_INT(verify_reason(&f, &expect_1_0), KK_BUNDLE_TOO_BIG);
	}
	KT_REQUIRE(put(&f, KK_BUNDLE_SIGNATURE, "x", 1) == 0);
	KT_REQUIRE(sign_manifest(&f, &f.m, &f.sec) == 0);
	KT_REQUIRE(put(&f, KK_BUNDLE_SIGNATURE, "garbage\n", 8) == 0);
	KT_CHECK_INT(verify_reason(&f, &expect_1_0), KK_BUNDLE_SIG_MALFORMED);
	kt_rmtree(f.dir);
	kt_rmtree(g.dir);
}

/* Every reason has an English name and a Chinese message of its own. */
static void reasons_named(void)
{
	for (int r = 0; r < KK_BUNDLE_REASON_COUNT; r++) {
		KT_CHECK(strcmp(kk_bundle_reason_name(r), "UNKNOWN") != 0);
		KT_CHECK(kk_bundle_reason_zh(r)[0] != '\0');
		for (int q = 0; q < r; q++)
			KT_CHECK(strcmp(kk_bundle_reason_name(r), kk_bundle_reason_name(q)) != 0);
	}
}

KT_MAIN(KT_CASE(sign_verify_round_trip), KT_CASE(flipped_bits_refused), KT_CASE(wrong_key_refused),
	KT_CASE(legacy_ed_refused), KT_CASE(key_files), KT_CASE(manifest_parser),
	KT_CASE(bundle_ok_and_staged), KT_CASE(bundle_floor_channel_product),
	KT_CASE(bundle_tampering), KT_CASE(reasons_named))
