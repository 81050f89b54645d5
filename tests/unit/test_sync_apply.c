/*
 * test_sync_apply.c — firmware/sync/apply.c and slots.c: the floor and active file parsers
 * (caps, hostile text), slot names, trusted key lists, and applies on real databases built
 * here: progress and cancel, the payload cap, the space check, a stick whose payload changes
 * while it is copied (the bytes installed are the bytes hashed), a signed database in WAL
 * mode, and kk_sync_open's floor rule (floor completion, a broken floor file, a lost `active`,
 * no roll-back below the floor, fall-back, reinstalling the same version).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/body.h"
#include "base/buf.h"
#include "base/err.h"
#include "catalog/catalog_build.h"
#include "kt.h"
#include "sync/apply.h"
#include "sync/bundle.h"
#include "sync/manifest.h"
#include "sync/minisign.h"
#include "sync/sync_fs.h"

static int version_of(const char *text, struct kk_sync_version *v)
{
	return kk_sync_version_parse(text, strlen(text), v);
}

/* The floor file: exactly "EPOCH.SEQ\n", ranges of the manifest, a cap on the size. */
static void floor_parse(void)
{
	struct kk_sync_version v;
	char buf[80], big[KK_SYNC_STATE_FILE_MAX + 2];

	KT_CHECK_INT(version_of("3.5\n", &v), 0);
	KT_CHECK_INT(v.epoch, 3);
	KT_CHECK_INT(v.seq, 5);
	KT_CHECK_INT(version_of("0.0\n", &v), 0);
	KT_CHECK_INT(version_of("4294967295.9007199254740992\n", &v), 0);
	KT_CHECK_INT(v.epoch, 4294967295u);
	KT_CHECK_INT(v.seq, 9007199254740992ULL);
	KT_CHECK_INT(kk_sync_version_format(&v, buf, sizeof buf), 28);
	KT_CHECK_STR(buf, "4294967295.9007199254740992\n");
	KT_CHECK_INT(kk_sync_version_format(&v, buf, 10), KK_E2BIG);
	static const char *const bad[] = {
		"3.5", "03.5\n", "3.05\n", "-1.5\n", "+1.5\n", "3.5\n\n", "3.\n", ".5\n", "3\n",
		"4294967296.1\n", "3.9007199254740993\n", " 3.5\n", "3.5 \n", "3.5\r\n", "3..5\n",
		"3.5.1\n", "a.b\n", "", "\n", "99999999999999999999.1\n", "3.5\0\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = version_of(bad[i], &v);
		if (rc != KK_ECORRUPT)
			printf("#   \"%s\" gave %d\n", bad[i], rc);
		KT_CHECK_INT(rc, KK_ECORRUPT);
		KT_CHECK_INT(v.epoch + v.seq, 0); /* zeroed on refusal */
	}
	KT_CHECK_INT(kk_sync_version_parse("3.5\0\n", 5, &v), KK_ECORRUPT);
	memset(big, '1', sizeof big);
	big[1] = '.';
	big[sizeof big - 1] = '\n';
	KT_CHECK_INT(kk_sync_version_parse(big, sizeof big, &v), KK_E2BIG);
	{
		struct kk_sync_version a = { 1, 9 }, b = { 2, 1 }, c = { 2, 1 };
		KT_CHECK_INT(kk_sync_version_cmp(&a, &b), -1); /* the epoch wins over seq */
		KT_CHECK_INT(kk_sync_version_cmp(&b, &a), 1);
		KT_CHECK_INT(kk_sync_version_cmp(&b, &c), 0);
	}
}

/* The active file and slot paths. */
static void slot_names(void)
{
	char s = 'x', path[40];
	KT_CHECK_INT(kk_sync_slot_parse("a\n", 2, &s), 0);
	KT_CHECK_INT(s, 'a');
	KT_CHECK_INT(kk_sync_slot_parse("b\n", 2, &s), 0);
	KT_CHECK_INT(s, 'b');
	KT_CHECK_INT(kk_sync_slot_parse("c\n", 2, &s), KK_ECORRUPT);
	KT_CHECK_INT(s, 0);
	KT_CHECK_INT(kk_sync_slot_parse("a", 1, &s), KK_ECORRUPT);
	KT_CHECK_INT(kk_sync_slot_parse("A\n", 2, &s), KK_ECORRUPT);
	KT_CHECK_INT(kk_sync_slot_parse("a\n\n", 3, &s), KK_ECORRUPT);
	KT_CHECK_INT(kk_sync_slot_parse("", 0, &s), KK_ECORRUPT);
	KT_CHECK_INT(kk_sync_slot_other('a'), 'b');
	KT_CHECK_INT(kk_sync_slot_other('b'), 'a');
	KT_CHECK_INT(kk_sync_slot_other(0), 0);
	KT_CHECK_INT(kk_sync_slot_path("/d", 'b', "content.db", path, sizeof path), 0);
	KT_CHECK_STR(path, "/d/slots/b/content.db");
	KT_CHECK_INT(kk_sync_slot_path("/d", 'a', NULL, path, sizeof path), 0);
	KT_CHECK_STR(path, "/d/slots/a");
	KT_CHECK_INT(kk_sync_slot_path("/d", 'c', NULL, path, sizeof path), KK_EINVAL);
	KT_CHECK_INT(kk_sync_slot_path("/a-very-long-data-folder-name-indeed", 'a', "content.db",
				       path, sizeof path), KK_E2BIG);
}

/* Every outcome has its own name and a Chinese message; refusals are told apart. */
static void outcomes_named(void)
{
	for (int o = 0; o < KK_SYNC_OUTCOME_COUNT; o++) {
		KT_CHECK(strcmp(kk_sync_outcome_name(o), "UNKNOWN") != 0);
		KT_CHECK(kk_sync_outcome_zh(o)[0] != '\0');
		for (int q = 0; q < o; q++)
			KT_CHECK(strcmp(kk_sync_outcome_name(o), kk_sync_outcome_name(q)) != 0);
	}
	KT_CHECK(kk_sync_outcome_refused(KK_SYNC_OLDER));
	KT_CHECK(kk_sync_outcome_refused(KK_SYNC_BAD_SIGNATURE));
	KT_CHECK(!kk_sync_outcome_refused(KK_SYNC_UP_TO_DATE));
	KT_CHECK(!kk_sync_outcome_refused(KK_SYNC_NO_SPACE));
	KT_CHECK(!kk_sync_outcome_refused(KK_SYNC_APPLIED));
}

/* ---- fixtures: real databases and signed bundles ----------------------------------------- */

struct world {
	char root[32];
	char data[64];
	char db[64];        /* the database of the bundles */
	char b[3][64];      /* b[i]: a bundle of db as version 1.(i+1) */
	struct kk_ms_pub pub;
	struct kk_ms_sec sec;
	struct kk_sync_keys keys;
};

static int write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	if (fwrite(data, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* A content database of ndocs documents and a 200 KiB picture, so the payload is several
 * 64 KiB chunks long. */
static int make_db(const char *path, int ndocs, unsigned seed)
{
	struct kk_writer *w;
	static unsigned char blob[200 * 1024];
	int64_t media;
	char title[64], ext[32];
	int rc;

	for (size_t i = 0; i < sizeof blob; i++) {
		seed = seed * 1103515245u + 12345u;
		blob[i] = (unsigned char)(seed >> 16);
	}
	if ((rc = kk_writer_open(path, &w)))
		return rc;
	kk_writer_set_meta(w, "version_epoch", "1");
	kk_writer_set_meta(w, "version_seq", "1");
	if ((rc = kk_writer_add_media(w, "p.png", "image/png", 1, 1, blob, sizeof blob, &media)))
		goto fail;
	for (int i = 0; i < ndocs; i++) {
		struct kk_doc d = { 0 };
		snprintf(title, sizeof title, "测试文件第%d号", i + 1);
		snprintf(ext, sizeof ext, "t-%d", i + 1);
		d.ext_id = ext;
		d.title = title;
		d.publisher = "示例县人民政府";
		d.published = "2025-01-02";
		d.validity = KK_VALID;
		d.series = KK_SERIES_GENERAL;
		d.body = kk_body_new();
		rc = kk_writer_add_document(w, &d);
		kk_body_free(d.body);
		if (rc)
			goto fail;
	}
	return kk_writer_finish(w);
fail:
	kk_writer_abort(w);
	return rc;
}

/* A signed full bundle of database db as version 1.seq in folder dir (created). */
static int make_bundle(struct world *wd, const char *dir, const char *db, uint64_t seq)
{
	char path[200], text[KK_MANIFEST_MAX], cmd[400];
	struct kk_manifest m = { 0 };
	struct kk_buf sig;
	int n, rc;

	snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s' '%s/content.db'", dir, db, dir);
	if (system(cmd) != 0)
		return -1;
	m.format = 1;
	strcpy(m.product, KK_SYNC_PRODUCT);
	strcpy(m.channel, "stable");
	m.epoch = 1;
	m.seq = seq;
	m.type = KK_BUNDLE_FULL;
	strcpy(m.payload, "content.db");
	strcpy(m.created, "2026-11-23T13:00:00Z");
	snprintf(path, sizeof path, "%s/content.db", dir);
	if (kk_sha256_file(path, m.payload_sha256, &m.payload_size))
		return -1;
	n = kk_manifest_write(&m, text, sizeof text);
	if (n < 0)
		return -1;
	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	rc = kk_ms_sign(&wd->sec, text, (size_t)n, "test", &sig);
	snprintf(path, sizeof path, "%s/manifest", dir);
	if (!rc)
		rc = write_file(path, text, (size_t)n);
	snprintf(path, sizeof path, "%s/manifest.minisig", dir);
	if (!rc)
		rc = write_file(path, sig.data, sig.len);
	kk_buf_fini(&sig);
	return rc;
}

static int world_make(struct world *wd)
{
	memset(wd, 0, sizeof *wd);
	strcpy(wd->root, "/tmp/kk-apply-XXXXXX");
	if (!mkdtemp(wd->root) || kk_ms_keygen(&wd->pub, &wd->sec))
		return -1;
	snprintf(wd->data, sizeof wd->data, "%s/data", wd->root);
	wd->keys.pub[0] = wd->pub;
	wd->keys.n = 1;
	return 0;
}

/* A world with a database of ndocs documents and nb (<= 3) bundles of it, 1.1 .. 1.nb. */
static int setup(struct world *wd, int ndocs, unsigned seed, int nb)
{
	char root[sizeof wd->root]; /* a copy: gcc -O1 sees wd->root and wd->b as overlapping */

	if (world_make(wd))
		return -1;
	memcpy(root, wd->root, sizeof root);
	snprintf(wd->db, sizeof wd->db, "%s/v.db", root);
	if (make_db(wd->db, ndocs, seed))
		return -1;
	for (int i = 0; i < nb; i++) {
		snprintf(wd->b[i], sizeof wd->b[i], "%s/b%d", root, i + 1);
		if (make_bundle(wd, wd->b[i], wd->db, (uint64_t)i + 1))
			return -1;
	}
	return 0;
}

/* Apply bundle dir with pol and no progress; returns the outcome (and checks rc agrees). */
static int apply_outcome(struct world *wd, const char *dir, const struct kk_sync_policy *pol,
			 struct kk_sync_result *res)
{
	int rc = kk_sync_apply_dir(wd->data, dir, &wd->keys, pol, NULL, NULL, NULL, res);
	KT_CHECK((rc == 0) == (res->outcome == KK_SYNC_APPLIED));
	return res->outcome;
}

static int dir_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n == 0;
}

/* The active version kk_sync_open reports, as epoch * 1000 + seq; -1 when nothing. */
static long shown(struct world *wd)
{
	struct kk_sync_state st;
	if (kk_sync_open(wd->data, &st) || !st.active)
		return -1;
	return (long)st.version.epoch * 1000 + (long)st.version.seq;
}

struct progress_log {
	int calls, monotonic, cancel_after;
	uint64_t last, total;
	int *cancel;
	const char *tamper_path; /* modified on the first call, at tamper_at */
	off_t tamper_at;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress_log *p = ctx;
	if (done < p->last)
		p->monotonic = 0;
	p->last = done;
	p->total = total;
	if (++p->calls == p->cancel_after && p->cancel)
		*p->cancel = 1;
	if (p->calls == 1 && p->tamper_path) { /* the stick changes under the copy */
		int fd = open(p->tamper_path, O_RDWR);
		char c = 0x5a;
		if (fd >= 0) {
			if (pwrite(fd, &c, 1, p->tamper_at) != 1)
				p->monotonic = -1;
			close(fd);
		}
	}
}

/* Progress, cancel, the cap, the space check; other channel, product or no key; an older or
 * equal bundle refused. */
static void apply_flow(void)
{
	struct world wd;
	struct kk_sync_result res;
	struct kk_sync_policy pol = { 0 };
	struct progress_log pl = { 0 };
	char staging[120];
	int cancel = 0;

	KT_REQUIRE(setup(&wd, 20, 1, 2) == 0);
	kk_bundle_set_chunk(65536); /* several progress calls, a cancel between two of them */
	snprintf(staging, sizeof staging, "%s/staging", wd.data);
	pl.monotonic = 1;
	KT_CHECK_INT(kk_sync_apply_dir(wd.data, wd.b[0], &wd.keys, NULL, on_progress, &pl, NULL, &res), 0);
	KT_CHECK_INT(res.outcome, KK_SYNC_APPLIED);
	KT_CHECK_INT(res.slot, 'a');
	KT_CHECK_INT(res.n_documents, 20);
	KT_CHECK(pl.calls > 3 && pl.monotonic == 1 && pl.last == pl.total && pl.total > 200000);
	KT_CHECK(strstr(res.message, "1.1 版") != NULL);
	KT_CHECK_INT(shown(&wd), 1001);
	KT_CHECK_INT(apply_outcome(&wd, wd.b[0], NULL, &res), KK_SYNC_UP_TO_DATE);
	KT_CHECK_INT(res.offered.seq, 1); /* the refused version is known */

	/* cancel after the second chunk: nothing installed, staging empty */
	memset(&pl, 0, sizeof pl);
	pl.cancel_after = 2;
	pl.cancel = &cancel;
	KT_CHECK_INT(kk_sync_apply_dir(wd.data, wd.b[1], &wd.keys, NULL, on_progress, &pl, &cancel,
				       &res), KK_ECANCELED);
	KT_CHECK_INT(res.outcome, KK_SYNC_CANCELED);
	KT_CHECK(pl.calls == 2);
	KT_CHECK(dir_empty(staging));
	KT_CHECK_INT(shown(&wd), 1001);

	pol.max_payload = 1000;
	KT_CHECK_INT(apply_outcome(&wd, wd.b[1], &pol, &res), KK_SYNC_DAMAGED);
	KT_CHECK_INT(res.reason, KK_BUNDLE_TOO_BIG);
	pol.max_payload = 0;
	pol.space_margin = 1ULL << 60; /* no disk has that much free */
	KT_CHECK_INT(apply_outcome(&wd, wd.b[1], &pol, &res), KK_SYNC_NO_SPACE);
	KT_CHECK(strstr(res.message, "MB") != NULL);
	pol.space_margin = 0;
	pol.channel = "beta";
	KT_CHECK_INT(apply_outcome(&wd, wd.b[1], &pol, &res), KK_SYNC_WRONG_TARGET);
	pol.channel = NULL;
	pol.product = "another-kiosk";
	KT_CHECK_INT(apply_outcome(&wd, wd.b[1], &pol, &res), KK_SYNC_WRONG_TARGET);
	wd.keys.n = 0; /* no trusted key: nothing verifies */
	KT_CHECK_INT(apply_outcome(&wd, wd.b[1], NULL, &res), KK_SYNC_BAD_SIGNATURE);
	wd.keys.n = 1;
	KT_CHECK_INT(shown(&wd), 1001);

	KT_CHECK_INT(apply_outcome(&wd, wd.b[1], NULL, &res), KK_SYNC_APPLIED);
	KT_CHECK_INT(res.slot, 'b');
	KT_CHECK_INT(apply_outcome(&wd, wd.b[0], NULL, &res), KK_SYNC_OLDER);
	KT_CHECK_INT(shown(&wd), 1002);
	kk_bundle_set_chunk(0);
	kt_rmtree(wd.root);
}

/* The stick's payload changes while it is copied: a byte already copied changes nothing (the
 * installed bytes are the hashed bytes, equal to the signed hash); a byte not yet read makes
 * the hash differ and the bundle is refused. 4 KiB chunks: the reader runs at most 4 chunks
 * ahead of the staging write (bundle.c), so the last chunk is surely not read at the first
 * progress call. */
static void stick_changes_during_copy(void)
{
	struct world wd;
	struct kk_sync_result res;
	struct progress_log pl = { 0 };
	char payload[120], slot_db[120];
	uint8_t h_db[32], h_slot[32], h_stick[32];
	uint64_t size;

	KT_REQUIRE(setup(&wd, 10, 2, 2) == 0);
	KT_REQUIRE(kk_sha256_file(wd.db, h_db, &size) == 0); /* what the manifests sign */
	KT_REQUIRE(size > 16 * 4096);
	kk_bundle_set_chunk(4096);
	snprintf(payload, sizeof payload, "%s/content.db", wd.b[0]);
	pl.tamper_path = payload;
	pl.tamper_at = 50; /* inside the first chunk, already copied and hashed */
	KT_CHECK_INT(kk_sync_apply_dir(wd.data, wd.b[0], &wd.keys, NULL, on_progress, &pl, NULL,
				       &res), 0);
	snprintf(slot_db, sizeof slot_db, "%s/slots/a/content.db", wd.data);
	KT_CHECK(kk_sha256_file(slot_db, h_slot, &size) == 0);
	KT_CHECK(kk_sha256_file(payload, h_stick, &size) == 0);
	KT_CHECK(memcmp(h_slot, h_db, 32) == 0);  /* installed == signed */
	KT_CHECK(memcmp(h_stick, h_db, 32) != 0); /* though the stick did change */

	snprintf(payload, sizeof payload, "%s/content.db", wd.b[1]);
	memset(&pl, 0, sizeof pl);
	pl.tamper_path = payload;
	pl.tamper_at = (off_t)size - 10; /* the last chunk, not read yet */
	KT_CHECK_INT(kk_sync_apply_dir(wd.data, wd.b[1], &wd.keys, NULL, on_progress, &pl, NULL,
				       &res), KK_ECORRUPT);
	KT_CHECK_INT(res.outcome, KK_SYNC_DAMAGED);
	KT_CHECK_INT(res.reason, KK_BUNDLE_PAYLOAD_HASH);
	KT_CHECK_INT(shown(&wd), 1001);
	kk_bundle_set_chunk(0);
	kt_rmtree(wd.root);
}

/* A download of the kiosk's own (pol.payload_owned, kk_sync_fetch_apply) is moved into staging
 * and hashed there, not copied: installed with the signed bytes, gone from the download folder.
 * A download whose bytes differ from the manifest is refused as damaged with staging left
 * empty, and one without its payload as missing. */
static void owned_download_moved(void)
{
	struct world wd;
	struct kk_sync_result res;
	struct kk_sync_policy pol = { 0 };
	struct progress_log pl = { 0 };
	char payload[120], slot_db[120], staging[120];
	uint8_t h_db[32], h_slot[32];
	uint64_t size;
	struct stat sb;
	int fd;

	KT_REQUIRE(setup(&wd, 12, 4, 3) == 0);
	KT_REQUIRE(kk_sha256_file(wd.db, h_db, &size) == 0);
	snprintf(staging, sizeof staging, "%s/staging", wd.data);
	pol.payload_owned = 1;
	pl.monotonic = 1;
	KT_CHECK_INT(kk_sync_apply_dir(wd.data, wd.b[0], &wd.keys, &pol, on_progress, &pl, NULL,
				       &res), 0);
	KT_CHECK_INT(res.outcome, KK_SYNC_APPLIED);
	KT_CHECK(pl.calls > 0 && pl.monotonic == 1 && pl.last == size);
	snprintf(payload, sizeof payload, "%s/content.db", wd.b[0]);
	KT_CHECK(stat(payload, &sb) != 0); /* moved, not copied */
	snprintf(slot_db, sizeof slot_db, "%s/slots/a/content.db", wd.data);
	KT_CHECK(kk_sha256_file(slot_db, h_slot, &size) == 0 && memcmp(h_slot, h_db, 32) == 0);
	KT_CHECK_INT(shown(&wd), 1001);

	snprintf(payload, sizeof payload, "%s/content.db", wd.b[1]); /* a damaged download */
	fd = open(payload, O_RDWR);
	KT_REQUIRE(fd >= 0 && pwrite(fd, "x", 1, 5000) == 1);
	close(fd);
	KT_CHECK_INT(apply_outcome(&wd, wd.b[1], &pol, &res), KK_SYNC_DAMAGED);
	KT_CHECK_INT(res.reason, KK_BUNDLE_PAYLOAD_HASH);
	KT_CHECK(dir_empty(staging));
	KT_CHECK_INT(shown(&wd), 1001);
	KT_CHECK(stat(payload, &sb) != 0); /* refused downloads are not kept either */
	KT_CHECK_INT(apply_outcome(&wd, wd.b[1], &pol, &res), KK_SYNC_DAMAGED);
	KT_CHECK_INT(res.reason, KK_BUNDLE_MISSING);

	KT_CHECK_INT(apply_outcome(&wd, wd.b[2], &pol, &res), KK_SYNC_APPLIED);
	KT_CHECK_INT(shown(&wd), 1003);
	snprintf(slot_db, sizeof slot_db, "%s/slots/b/content.db", wd.data);
	KT_CHECK(kk_sha256_file(slot_db, h_slot, &size) == 0 && memcmp(h_slot, h_db, 32) == 0);
	kt_rmtree(wd.root);
}

/* A correctly signed payload that is a WAL-mode or damaged database is still refused. */
static void signed_bad_database(void)
{
	struct world wd;
	struct kk_sync_result res;
	char b[100], cmd[300];
	int fd;
	unsigned char two[2] = { 2, 2 };

	KT_REQUIRE(setup(&wd, 5, 3, 0) == 0);
	fd = open(wd.db, O_RDWR);
	KT_REQUIRE(fd >= 0 && pwrite(fd, two, 2, 18) == 2); /* the header's WAL mode bytes */
	close(fd);
	snprintf(b, sizeof b, "%s/wal", wd.root);
	KT_REQUIRE(make_bundle(&wd, b, wd.db, 1) == 0);
	KT_CHECK_INT(apply_outcome(&wd, b, NULL, &res), KK_SYNC_DAMAGED);
	KT_CHECK(strstr(res.detail, "not a sound content database") != NULL);

	snprintf(cmd, sizeof cmd, "head -c 8192 /dev/urandom > '%s'", wd.db);
	KT_REQUIRE(system(cmd) == 0);
	snprintf(b, sizeof b, "%s/junk", wd.root);
	KT_REQUIRE(make_bundle(&wd, b, wd.db, 2) == 0);
	KT_CHECK_INT(apply_outcome(&wd, b, NULL, &res), KK_SYNC_DAMAGED);
	KT_CHECK_INT(shown(&wd), -1);
	kt_rmtree(wd.root);
}

static void put_text(struct world *wd, const char *name, const char *text)
{
	char path[120];
	snprintf(path, sizeof path, "%s/%s", wd->data, name);
	KT_CHECK(write_file(path, text, strlen(text)) == 0);
}

static void break_slot(struct world *wd, char slot)
{
	char path[120];
	snprintf(path, sizeof path, "%s/slots/%c/content.db", wd->data, slot);
	KT_CHECK(truncate(path, 1000) == 0);
}

/* kk_sync_open's floor rule, state by state. */
static void floor_rule(void)
{
	struct world wd;
	struct kk_sync_result res;
	struct kk_sync_state st;
	char path[120], text[80];
	size_t len;
	struct kk_sync_version v;

	KT_REQUIRE(setup(&wd, 3, 4, 3) == 0);
	KT_CHECK_INT(kk_sync_open(wd.data, &st), KK_ENOENT); /* an empty folder: nothing yet */
	KT_CHECK_STR(st.message_zh, KK_SYNC_MSG_ZH_NONE);
	KT_REQUIRE(apply_outcome(&wd, wd.b[0], NULL, &res) == KK_SYNC_APPLIED);
	KT_REQUIRE(apply_outcome(&wd, wd.b[1], NULL, &res) == KK_SYNC_APPLIED);

	/* killed between the switch and the floor: the floor is completed at start-up */
	put_text(&wd, "floor", "1.1\n");
	KT_CHECK_INT(kk_sync_open(wd.data, &st), 0);
	KT_CHECK(st.active == 'b' && st.version.seq == 2 && st.floor.seq == 2 && st.floor_raised);
	snprintf(path, sizeof path, "%s/floor", wd.data);
	KT_CHECK(kk_sync_read_small(path, text, sizeof text, &len) == 0 &&
		 kk_sync_version_parse(text, len, &v) == 0 && v.seq == 2);

	/* a floor file that does not parse: the newest slot's version, never lower */
	put_text(&wd, "floor", "garbage\n");
	KT_CHECK_INT(kk_sync_open(wd.data, &st), 0);
	KT_CHECK(st.active == 'b' && st.floor.seq == 2);
	/* `active` lost: the newest usable slot */
	snprintf(path, sizeof path, "%s/active", wd.data);
	KT_CHECK(unlink(path) == 0);
	KT_CHECK_INT(kk_sync_open(wd.data, &st), 0);
	KT_CHECK_INT(st.active, 'b');
	KT_CHECK(kk_sync_read_small(path, text, sizeof text, &len) == 0 && !strcmp(text, "b\n"));

	/* the shown slot breaks: slot a (1.1) is below the floor 1.2, so nothing is shown */
	break_slot(&wd, 'b');
	KT_CHECK_INT(kk_sync_open(wd.data, &st), KK_ENOENT);
	KT_CHECK_INT(st.active, 0);
	KT_CHECK_INT(st.floor.seq, 2);
	KT_CHECK_STR(st.message_zh, KK_SYNC_MSG_ZH_NONE);
	/* the same version again is a repair, not a rollback: accepted */
	KT_CHECK_INT(apply_outcome(&wd, wd.b[1], NULL, &res), KK_SYNC_APPLIED);
	KT_CHECK_INT(res.slot, 'a');
	KT_CHECK_INT(shown(&wd), 1002);
	/* but 1.1 never */
	KT_CHECK_INT(apply_outcome(&wd, wd.b[0], NULL, &res), KK_SYNC_OLDER);

	/* 1.3 into b; then a crash before its floor and its slot breaking: fall back to a (1.2) */
	KT_CHECK_INT(apply_outcome(&wd, wd.b[2], NULL, &res), KK_SYNC_APPLIED);
	KT_CHECK_INT(res.slot, 'b');
	put_text(&wd, "floor", "1.2\n");
	break_slot(&wd, 'b');
	KT_CHECK_INT(kk_sync_open(wd.data, &st), 0);
	KT_CHECK(st.active == 'a' && st.version.seq == 2 && st.fell_back && st.floor.seq == 2);
	KT_CHECK(kk_sync_read_small(path, text, sizeof text, &len) == 0 && !strcmp(text, "a\n"));
	kt_rmtree(wd.root);
}

/* sync_pubkey: a comma-separated list of key files, capped. */
static void keys_list(void)
{
	struct world wd;
	struct kk_sync_keys k;
	struct kk_ms_pub p2;
	struct kk_ms_sec s2;
	char p1[100], pp2[100], list[600];

	KT_REQUIRE(world_make(&wd) == 0);
	snprintf(p1, sizeof p1, "%s/1.pub", wd.root);
	snprintf(pp2, sizeof pp2, "%s/2.pub", wd.root);
	KT_REQUIRE(kk_ms_keygen(&p2, &s2) == 0);
	KT_REQUIRE(kk_ms_pub_write(&wd.pub, p1) == 0 && kk_ms_pub_write(&p2, pp2) == 0);
	snprintf(list, sizeof list, " %s , %s ", p1, pp2);
	KT_CHECK_INT(kk_sync_keys_load(&k, list), 0);
	KT_CHECK_INT(k.n, 2);
	KT_CHECK(memcmp(k.pub[1].pk, p2.pk, 32) == 0);
	KT_CHECK_INT(kk_sync_keys_load(&k, ""), KK_EINVAL);
	KT_CHECK_INT(kk_sync_keys_load(&k, " , "), KK_EINVAL);
	snprintf(list, sizeof list, "%s,%s,%s,%s,%s", p1, p1, p1, p1, p1);
	KT_CHECK_INT(kk_sync_keys_load(&k, list), KK_EINVAL);
	snprintf(list, sizeof list, "%s,%s/none.pub", p1, wd.root);
	KT_CHECK_INT(kk_sync_keys_load(&k, list), KK_ENOENT);
	kt_rmtree(wd.root);
}

KT_MAIN(KT_CASE(floor_parse), KT_CASE(slot_names), KT_CASE(outcomes_named), KT_CASE(apply_flow),
	KT_CASE(stick_changes_during_copy), KT_CASE(owned_download_moved),
	KT_CASE(signed_bad_database), KT_CASE(floor_rule),
	KT_CASE(keys_list))
