/*
 * test_keyring.c — firmware/sync/keyring.c: the strict keyring parser, writing and parsing
 * back, signer counting (a key counts once), and kk_keyring_advance over a folder: rotation
 * signed by old and new roots, each half missing, a threshold, a version mismatch, a gap in the
 * chain, and a replayed older keyring being ignored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "kt.h"
#include "sync/keyring.h"
#include "sync/minisign.h"

struct pair {
	struct kk_ms_pub pub;
	struct kk_ms_sec sec;
};

static struct pair keys[6];

static void keys_make(void)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		KT_REQUIRE(kk_ms_keygen(&keys[i].pub, &keys[i].sec) == 0);
}

/* Write dir/name with len bytes. */
static void put(const char *dir, const char *name, const char *data, size_t len)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	KT_REQUIRE(f != NULL);
	KT_REQUIRE(fwrite(data, 1, len, f) == len);
	fclose(f);
}

/*
 * dir/keyring.V with roots[0..nr) (key indexes), release key rel, threshold thr, signed by the
 * keys in signers[0..ns) as keyring.V.1.minisig, ...
 */
static void make_keyring(const char *dir, uint64_t v, const int *roots, size_t nr, int rel,
			 unsigned thr, const int *signers, size_t ns)
{
	static struct kk_keyring k;
	char text[KK_KEYRING_MAX + 1], name[64];
	struct kk_buf sig;
	int n;

	memset(&k, 0, sizeof k);
	k.version = v;
	k.threshold = thr;
	for (size_t i = 0; i < nr; i++)
		k.root[k.n_root++] = keys[roots[i]].pub;
	k.release[k.n_release++] = keys[rel].pub;
	n = kk_keyring_write(&k, text, sizeof text);
	KT_REQUIRE(n > 0);
	snprintf(name, sizeof name, "keyring.%llu", (unsigned long long)v);
	put(dir, name, text, (size_t)n);
	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	for (size_t i = 0; i < ns; i++) {
		sig.len = 0;
		KT_REQUIRE(kk_ms_sign(&keys[signers[i]].sec, text, (size_t)n, "keyring", &sig) == 0);
		snprintf(name, sizeof name, "keyring.%llu.%zu.minisig", (unsigned long long)v, i + 1);
		put(dir, name, sig.data, sig.len);
	}
	kk_buf_fini(&sig);
}

/* Remove every file of dir (flat) and dir itself. */
static void rm_dir(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	KT_CHECK(system(cmd) == 0);
}

/* Parse rejects what the format forbids; what write produces parses back. */
static void parse_strict(void)
{
	static struct kk_keyring k, back;
	char text[KK_KEYRING_MAX + 1], bad[KK_KEYRING_MAX + 64], err[128];
	int n;

	memset(&k, 0, sizeof k);
	k.version = 7;
	k.threshold = 1;
	snprintf(k.expires, sizeof k.expires, "2030-01-01T00:00:00Z");
	k.root[k.n_root++] = keys[0].pub;
	k.release[k.n_release++] = keys[1].pub;
	k.release[k.n_release++] = keys[2].pub;
	n = kk_keyring_write(&k, text, sizeof text);
	KT_REQUIRE(n > 0);
	KT_REQUIRE(kk_keyring_parse(text, (size_t)n, &back, err, sizeof err) == 0);
	KT_CHECK(back.version == 7 && back.threshold == 1 && back.n_root == 1 && back.n_release == 2);
	KT_CHECK_STR(back.expires, "2030-01-01T00:00:00Z");
	KT_CHECK(!memcmp(back.release[1].pk, keys[2].pub.pk, 32));
	KT_CHECK_INT((int)back.text_len, n);

	/* threshold above the roots; a key twice; no release key: write refuses */
	k.threshold = 2;
	KT_CHECK_INT(kk_keyring_write(&k, text, sizeof text), KK_EINVAL);
	k.threshold = 1;
	k.release[1] = keys[1].pub;
	KT_CHECK_INT(kk_keyring_write(&k, text, sizeof text), KK_EINVAL);
	k.n_release = 0;
	KT_CHECK_INT(kk_keyring_write(&k, text, sizeof text), KK_EINVAL);
	k.release[k.n_release++] = keys[1].pub;
	n = kk_keyring_write(&k, text, sizeof text);
	KT_REQUIRE(n > 0);

	/* one change at a time to good text */
	static const struct {
		const char *from, *to;
	} edits[] = {
		{ "format = 1", "format = 2" },
		{ "product = zwgk-kiosk", "product = other" },
		{ "version = 7", "version = 07" },
		{ "version = 7", "version = 0" },
		{ "expires = 2030-01-01T00:00:00Z", "expires = 2030-01-01" },
		{ "threshold = 1", "threshold = 0" },
		{ "threshold = 1\n", "threshold = 1\n\n" },
		{ "threshold = 1\n", "threshold = 1\nextra = 1\n" },
		{ "root = ", "root =  " },
		{ "release = ", "root = " }, /* the release key becomes a second root after it */
		{ "format = 1\n", "" },
	};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		const char *at = strstr(text, edits[i].from);
		size_t pre;
		KT_REQUIRE(at != NULL);
		pre = (size_t)(at - text);
		snprintf(bad, sizeof bad, "%.*s%s%s", (int)pre, text, edits[i].to,
			 at + strlen(edits[i].from));
		if (kk_keyring_parse(bad, strlen(bad), &back, err, sizeof err) == 0)
			KT_FAIL_("edit %zu (%s -> %s) accepted", i, edits[i].from, edits[i].to);
		KT_CHECK(back.version == 0); /* zeroed on failure */
	}
	KT_CHECK(kk_keyring_parse(text, (size_t)n - 1, &back, NULL, 0) != 0); /* no final newline */
	memset(bad, 'a', sizeof bad);
	KT_CHECK_INT(kk_keyring_parse(bad, KK_KEYRING_MAX + 1, &back, NULL, 0), KK_E2BIG);
}

/* The same key signing twice counts once; a signature by a key not in the set counts zero. */
static void signers_distinct(void)
{
	const char *msg = "keyring text\n";
	struct kk_buf a, b;
	const char *sigs[3];
	size_t lens[3];
	struct kk_ms_pub set[2] = { keys[0].pub, keys[1].pub };

	kk_buf_init(&a, KK_MS_SIGFILE_MAX);
	kk_buf_init(&b, KK_MS_SIGFILE_MAX);
	KT_REQUIRE(kk_ms_sign(&keys[0].sec, msg, strlen(msg), "x", &a) == 0);
	KT_REQUIRE(kk_ms_sign(&keys[2].sec, msg, strlen(msg), "x", &b) == 0);
	sigs[0] = sigs[1] = a.data;
	lens[0] = lens[1] = a.len;
	sigs[2] = b.data;
	lens[2] = b.len;
	KT_CHECK_INT((int)kk_keyring_count_signers(set, 2, msg, strlen(msg), sigs, lens, 3), 1);
	KT_CHECK_INT((int)kk_keyring_count_signers(set, 2, "other\n", 6, sigs, lens, 3), 0);
	kk_buf_fini(&a);
	kk_buf_fini(&b);
}

/* The walk: 0 (image root 0) -> 1 -> 2 (rotation to root 2) with each refusal in turn. */
static void advance_chain(void)
{
	static struct kk_keyring cur;
	char dir[] = "/tmp/kk-keyring-XXXXXX", detail[256];
	const int r0[] = { 0 }, r2[] = { 2 }, both[] = { 0, 2 }, r23[] = { 2, 3 };
	int adv;

	KT_REQUIRE(mkdtemp(dir) != NULL);
	kk_keyring_from_roots(&cur, &keys[0].pub, 1);
	KT_CHECK(cur.version == 0 && cur.n_release == 1); /* the root signs directly at first */
	KT_CHECK_INT(kk_keyring_advance(dir, &cur, &adv, detail, sizeof detail), KK_KEYRING_OK);
	KT_CHECK_INT(adv, 0); /* no keyring in the folder: nothing changes */

	make_keyring(dir, 1, r0, 1, 1, 1, r0, 1);
	/* keyring 2: root 2, signed only by the new root */
	make_keyring(dir, 2, r2, 1, 4, 1, r2, 1);
	KT_CHECK_INT(kk_keyring_advance(dir, &cur, &adv, detail, sizeof detail),
		     KK_KEYRING_OLD_ROOTS);
	KT_CHECK_INT(adv, 1);
	KT_CHECK(cur.version == 1 && !memcmp(cur.release[0].pk, keys[1].pub.pk, 32));
	/* signed only by the old root */
	make_keyring(dir, 2, r2, 1, 4, 1, r0, 1);
	KT_CHECK_INT(kk_keyring_advance(dir, &cur, &adv, detail, sizeof detail),
		     KK_KEYRING_NEW_ROOTS);
	KT_CHECK_INT(adv, 0);
	/* by both: accepted */
	make_keyring(dir, 2, r2, 1, 4, 1, both, 2);
	KT_CHECK_INT(kk_keyring_advance(dir, &cur, &adv, detail, sizeof detail), KK_KEYRING_OK);
	KT_CHECK(adv == 1 && cur.version == 2 && !memcmp(cur.root[0].pk, keys[2].pub.pk, 32));
	/* a replayed keyring 1 is never read again */
	KT_CHECK_INT(kk_keyring_advance(dir, &cur, &adv, detail, sizeof detail), KK_KEYRING_OK);
	KT_CHECK(adv == 0 && cur.version == 2);

	/* keyring 3: roots 2 and 3, threshold 2; then 4 needs both of them */
	make_keyring(dir, 3, r23, 2, 4, 2, r23, 2);
	make_keyring(dir, 4, r23, 2, 5, 2, r2, 1);
	KT_CHECK_INT(kk_keyring_advance(dir, &cur, &adv, detail, sizeof detail),
		     KK_KEYRING_OLD_ROOTS);
	KT_CHECK(adv == 1 && cur.version == 3);
	KT_CHECK(strstr(detail, "1 root(s) of keyring 3, 2 needed") != NULL);

	/* a keyring whose text names another version than its file */
	rm_dir(dir);
	KT_REQUIRE(mkdir(dir, 0700) == 0);
	make_keyring(dir, 9, r23, 2, 4, 1, r23, 2);
	{
		char from[600], to[600];
		snprintf(from, sizeof from, "%s/keyring.9", dir);
		snprintf(to, sizeof to, "%s/keyring.4", dir);
		KT_REQUIRE(rename(from, to) == 0);
	}
	KT_CHECK_INT(kk_keyring_advance(dir, &cur, &adv, detail, sizeof detail), KK_KEYRING_WRONG);
	/* a gap (keyring 5 without 4) stops the walk silently */
	rm_dir(dir);
	KT_REQUIRE(mkdir(dir, 0700) == 0);
	make_keyring(dir, 5, r23, 2, 4, 1, r23, 2);
	KT_CHECK_INT(kk_keyring_advance(dir, &cur, &adv, detail, sizeof detail), KK_KEYRING_OK);
	KT_CHECK(adv == 0 && cur.version == 3);
	/* a malformed keyring 4 */
	put(dir, "keyring.4", "format = 1\n", 11);
	KT_CHECK_INT(kk_keyring_advance(dir, &cur, &adv, detail, sizeof detail),
		     KK_KEYRING_MALFORMED);
	rm_dir(dir);
}

KT_MAIN(KT_CASE(keys_make), KT_CASE(parse_strict), KT_CASE(signers_distinct),
	KT_CASE(advance_chain))
