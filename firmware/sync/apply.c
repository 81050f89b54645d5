/*
 * apply.c — install a verified bundle into the inactive slot (apply.h).
 *
 * DESIGN: what a crash leaves at each point of kk_sync_apply_dir (old slot O active at
 * version M, floor M; new version N > M going into slot T):
 *   0. the keyring walk: DATA/keyring replaced (temp + fsync + rename + fsync of DATA) by a
 *      newer keyring its roots signed; a crash leaves the old or the new one whole, and either
 *      is a keyring the kiosk trusted. Nothing else has changed yet.
 *   1. verifying, copying into staging/new/, fsyncs, quick_check: only staging/ changed, and
 *      kk_sync_open empties it; O is shown. A delta does all its work here too: the active
 *      database is copied (and hashed) into staging/new/ and the changeset applied to that
 *      copy in one SQLite transaction; the slot shown is only ever read. Because nothing in
 *      staging/ survives a crash, the delta's copy is scratch until its one fsync (no fsync
 *      of the base copy, no rollback journal: kk_delta_apply_scratch), and a download of the
 *      kiosk's own (pol->payload_owned) is moved into staging/ rather than copied.
 *   2. slots/T (older content, not shown) renamed to staging/old: T is absent; O is shown.
 *   3. staging/new renamed to slots/T, slots/ fsynced: T is complete and fsynced (every file
 *      and staging/new were fsynced before the rename) but `active` still names O: O is shown.
 *   4. `active` replaced by rename, DATA fsynced: the rename is atomic, so `active` names O or
 *      T, never a mix; if T, the floor (still M) is below it and kk_sync_open raises it to N.
 *   5. `floor` replaced the same way: done. staging/old is removed last (or at the next start).
 * The floor is written after the switch so it never names a version the active slot does not
 * hold: written first, a crash would leave the kiosk showing M under a floor of N, which the
 * floor rule forbids showing. Each directory is fsynced after each rename in it, so the renames
 * reach the disk in this order after a power cut too. The payload is hashed as it is copied
 * and the staged copy is what gets installed: a stick that changes after the check changes
 * nothing. A hostile payload that passes the hash (a signed but broken database) is still
 * opened read-only with trusted_schema off and quick_check'ed before it can be installed.
 *
 * Threads (all joined before kk_sync_apply_dir returns; the caller's thread does every
 * fault-injection step, progress call and cancel check): kk_bundle_copy_payload reads and
 * hashes the payload on a reader thread up to 4 MiB ahead of the staging write (bundle.c);
 * the fsync of the staged database runs on a helper thread while this thread quick_checks it
 * (bg_sync), and the install waits for both. The staging write asks the kernel to start
 * writing back every 8 MiB (sync_file_range), so on slow flash the final fsync is short.
 * Where the time goes is logged after each apply ("apply took ...").
 */
#define _GNU_SOURCE /* sync_file_range */
#include "sync/apply.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog.h"
#include "catalog/delta.h"
#include "sync/sync_fs.h"

/* ---- fault injection ------------------------------------------------------------------- */

static long fault_at = -1, fault_n;
static int fault_errno; /* 0: SIGKILL */

void kk_sync_fault_reset(void)
{
	const char *at = getenv("KK_FAULT_AT"), *mode = getenv("KK_FAULT_MODE");
	fault_n = 0;
	fault_at = at && *at ? strtol(at, NULL, 10) : -1;
	fault_errno = !mode || !strcmp(mode, "kill") ? 0 : !strcmp(mode, "enospc") ? ENOSPC : EIO;
}

int kk_sync_fault_step(const char *what)
{
	if (fault_at < 0 || ++fault_n != fault_at)
		return 0;
	if (!fault_errno) {
		kk_warn("sync", "fault injection: SIGKILL at step %ld (%s)", fault_n, what);
		raise(SIGKILL);
	}
	kk_warn("sync", "fault injection: %s at step %ld (%s)", strerror(fault_errno), fault_n,
		what);
	errno = fault_errno;
	return -1;
}

/* ---- keys and outcomes ----------------------------------------------------------------- */

int kk_sync_keys_load(struct kk_sync_keys *k, const char *paths)
{
	const char *p = paths;
	int rc;

	memset(k, 0, sizeof *k);
	while (p && *p) {
		char one[KK_SYNC_PATH_MAX];
		const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
		while (p < end && *p == ' ')
			p++;
		while (end > p && end[-1] == ' ')
			end--;
		if (end > p) {
			if ((size_t)(end - p) >= sizeof one || k->n == KK_SYNC_KEYS_MAX)
				return KK_EINVAL;
			memcpy(one, p, (size_t)(end - p));
			one[end - p] = '\0';
			if ((rc = kk_ms_pub_read(one, &k->pub[k->n])) != 0) {
				kk_error("sync", "%s: not a usable public key (%s)", one, kk_err_name(rc));
				return rc;
			}
			k->n++;
		}
		p = comma ? comma + 1 : NULL;
	}
	return k->n ? 0 : KK_EINVAL;
}

/* DATA/keyring: the newest keyring accepted, exactly as signed; absent: the image's roots. */
int kk_sync_keyring_load(const char *data_dir, const struct kk_sync_keys *roots,
			 struct kk_keyring *out)
{
	char path[KK_SYNC_PATH_MAX + 16], err[128];
	char *text = malloc(KK_KEYRING_MAX + 2);
	size_t len = 0;
	int rc;

	kk_keyring_from_roots(out, roots ? roots->pub : NULL, roots ? roots->n : 0);
	if (!text)
		return KK_ENOMEM;
	if ((rc = kk_sync_join(path, sizeof path, data_dir, KK_SYNC_KEYRING_FILE)))
		goto out;
	rc = kk_sync_read_small(path, text, KK_KEYRING_MAX + 2, &len);
	if (rc == KK_ENOENT) {
		rc = 0;
		goto out;
	}
	if (rc || (rc = kk_keyring_parse(text, len, out, err, sizeof err))) {
		kk_error("sync", "%s: damaged (%s): bundles are refused until it is repaired", path,
			 rc == KK_ECORRUPT ? err : kk_err_name(rc));
		rc = KK_ECORRUPT;
	}
out:
	free(text);
	return rc;
}

static const struct {
	const char *name, *zh;
	int rc;
} outcomes[KK_SYNC_OUTCOME_COUNT] = {
	[KK_SYNC_APPLIED] = {"APPLIED", "内容已更新", 0},
	[KK_SYNC_UP_TO_DATE] = {"UP_TO_DATE", "内容已是最新，无需更新", KK_EVERSION},
	[KK_SYNC_OLDER] = {"OLDER", "更新包比已安装的内容旧，已拒绝", KK_EVERSION},
	[KK_SYNC_BAD_SIGNATURE] = {"BAD_SIGNATURE", "签名无效，更新包已拒绝", KK_EPERM},
	[KK_SYNC_DAMAGED] = {"DAMAGED", "更新包已损坏或不完整，未导入", KK_ECORRUPT},
	[KK_SYNC_NO_SPACE] = {"NO_SPACE", "终端存储空间不足，未导入，原有内容不变", KK_ENOSPC},
	[KK_SYNC_WRONG_TARGET] = {"WRONG_TARGET", "这不是本终端（产品或发布渠道）的更新包，未导入",
				  KK_EINVAL},
	[KK_SYNC_UNSUPPORTED] = {"UNSUPPORTED", "本终端不支持这种更新包，请使用完整更新包",
				 KK_EVERSION},
	[KK_SYNC_CANCELED] = {"CANCELED", "更新已取消，原有内容不变", KK_ECANCELED},
	[KK_SYNC_FAILED] = {"FAILED", "终端存储写入失败，原有内容不变，请联系维护人员", KK_EIO},
	[KK_SYNC_WRONG_BASE] = {"WRONG_BASE",
				"增量更新包与本机内容版本不符，未导入，请使用完整更新包", KK_EVERSION},
};

const char *kk_sync_outcome_name(enum kk_sync_outcome o)
{
	return (unsigned)o < KK_SYNC_OUTCOME_COUNT ? outcomes[o].name : "UNKNOWN";
}

const char *kk_sync_outcome_zh(enum kk_sync_outcome o)
{
	return (unsigned)o < KK_SYNC_OUTCOME_COUNT ? outcomes[o].zh : "更新失败";
}

int kk_sync_outcome_refused(enum kk_sync_outcome o)
{
	return o == KK_SYNC_OLDER || o == KK_SYNC_BAD_SIGNATURE || o == KK_SYNC_DAMAGED ||
	       o == KK_SYNC_WRONG_TARGET || o == KK_SYNC_UNSUPPORTED || o == KK_SYNC_WRONG_BASE;
}

/* The outcome of a bundle refusal; rc tells a staging failure (cancel, space, I/O) apart. */
static enum kk_sync_outcome outcome_of(enum kk_bundle_reason r, int rc)
{
	switch (r) {
	case KK_BUNDLE_SIG_MALFORMED:
	case KK_BUNDLE_SIG_ALGORITHM:
	case KK_BUNDLE_SIG_KEY:
	case KK_BUNDLE_SIG_INVALID:
	case KK_BUNDLE_KEYRING:
		return KK_SYNC_BAD_SIGNATURE;
	case KK_BUNDLE_WRONG_PRODUCT:
	case KK_BUNDLE_WRONG_CHANNEL:
		return KK_SYNC_WRONG_TARGET;
	case KK_BUNDLE_UP_TO_DATE:
		return KK_SYNC_UP_TO_DATE;
	case KK_BUNDLE_OLDER:
		return KK_SYNC_OLDER;
	case KK_BUNDLE_UNSUPPORTED:
		return KK_SYNC_UNSUPPORTED;
	case KK_BUNDLE_WRONG_BASE:
		return KK_SYNC_WRONG_BASE;
	case KK_BUNDLE_STAGE_IO:
		return rc == KK_ECANCELED ? KK_SYNC_CANCELED
		       : rc == KK_ENOSPC  ? KK_SYNC_NO_SPACE
					  : KK_SYNC_FAILED;
	default:
		return KK_SYNC_DAMAGED;
	}
}

/* ---- step times ------------------------------------------------------------------------ */

/* Wall time of an apply's long steps, logged with the outcome: where an update's time goes on
 * a real board (and the benchmark's breakdown). Seconds; 0 for a step not taken. */
struct step_times {
	double start, copy, base_copy, delta, check, install;
};

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds since *mark, and move the mark to now. */
static double lap(double *mark)
{
	double now = mono_now(), d = now - *mark;
	*mark = now;
	return d;
}

/* ---- the staging copy ------------------------------------------------------------------ */

struct copy_ctx {
	int fd;
	uint64_t off, kicked; /* bytes written to fd, and handed to write-back so far */
	uint64_t done, total; /* progress over every file of the apply */
	kk_progress_fn progress;
	void *pctx;
	int *cancel;
};

#define WRITEBACK_STEP (8u << 20) /* bytes between write-back starts */

static int canceled(int *cancel)
{
	return cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED);
}

/* kk_bundle_sink_fn of a payload read in place (adopt_payload): progress and cancel only. */
static int progress_sink(void *ctx, const void *data, size_t n)
{
	struct copy_ctx *cx = ctx;
	if (canceled(cx->cancel))
		return KK_ECANCELED;
	cx->done += n;
	if (cx->progress)
		cx->progress(cx->pctx, cx->done, cx->total);
	return 0;
}

/* kk_bundle_sink_fn: one chunk of the payload into the staged file. */
static int stage_sink(void *ctx, const void *data, size_t n)
{
	struct copy_ctx *cx = ctx;
	const char *p = data;
	size_t left = n;

	if (canceled(cx->cancel))
		return KK_ECANCELED;
	while (left) {
		ssize_t w;
		if (kk_sync_fault_step("write payload"))
			return kk_sync_errno();
		w = write(cx->fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return kk_sync_errno();
		p += w;
		left -= (size_t)w;
	}
	cx->off += n;
	cx->done += n;
	/* Start the disk writing what is written so far, so the fsync at the end only waits for
	 * the last few MiB: on eMMC or an SD card (30-100 MB/s) writing back 1.4 GB is the longest
	 * step of an update and now runs under the copy. Only a hint: an I/O error here is
	 * reported again by the fsync that decides. */
	if (cx->off - cx->kicked >= WRITEBACK_STEP) {
		sync_file_range(cx->fd, (off_t)cx->kicked, (off_t)(cx->off - cx->kicked),
				SYNC_FILE_RANGE_WRITE);
		cx->kicked = cx->off;
	}
	if (cx->progress)
		cx->progress(cx->pctx, cx->done, cx->total);
	return 0;
}

/* The staged file must be an SQLite database in rollback-journal mode: a WAL database opened
 * read-only would make SQLite create -wal/-shm files beside it, and the slot is renamed as a
 * folder that must hold exactly the files we wrote. */
static int staged_header_ok(const char *path)
{
	unsigned char h[100];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok;
	ok = fd >= 0 && pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h &&
	     !memcmp(h, "SQLite format 3", 16) && h[18] == 1 && h[19] == 1;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Open the staged database read-only, check it page by page, and count what it holds. */
static int staged_db_check(const char *path, struct kk_sync_result *res)
{
	struct kk_catalog *cat = NULL;
	struct kk_catalog_info in;
	int rc;

	if (!staged_header_ok(path))
		return KK_ECORRUPT;
	if ((rc = kk_catalog_open(path, &cat)) || (rc = kk_catalog_verify_local(cat)) ||
	    (rc = kk_catalog_info(cat, &in)))
		goto out;
	res->n_documents = in.n_documents;
	res->n_guides = in.n_guides[KK_BOOK_HUIMIN] + in.n_guides[KK_BOOK_HUIQI];
	kk_catalog_info_fini(&in);
out:
	kk_catalog_close(cat);
	return rc;
}

/* fsync of the staged database on a helper thread while this thread quick_checks it: the disk
 * writes the file back while SQLite reads it from the page cache. The install waits for both. */
struct bg_sync {
	pthread_t th;
	int fd, err, started;
};

static void *bg_sync_main(void *arg)
{
	struct bg_sync *b = arg;
	b->err = fsync(b->fd) != 0 ? (errno ? errno : EIO) : 0;
	return NULL;
}

/* Start fsync(fd) (inline when no thread can be started). */
static void bg_sync_start(struct bg_sync *b, int fd)
{
	b->fd = fd;
	b->err = 0;
	b->started = pthread_create(&b->th, NULL, bg_sync_main, b) == 0;
	if (!b->started)
		bg_sync_main(b);
}

/* Wait for it: 0, or KK_EIO / KK_ENOSPC from the fsync's errno. */
static int bg_sync_join(struct bg_sync *b)
{
	if (b->started)
		pthread_join(b->th, NULL);
	b->started = 0;
	if (!b->err)
		return 0;
	errno = b->err;
	return kk_sync_errno();
}

/* Free bytes for unprivileged writers of the file system holding path; UINT64_MAX if unknown. */
static uint64_t free_bytes(const char *path)
{
	struct statvfs sv;
	if (statvfs(path, &sv) != 0)
		return UINT64_MAX;
	return (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
}

/* ---- receipt and log ------------------------------------------------------------------- */

/* The kiosk id as a file-name part: [A-Za-z0-9._-], at most 64 bytes, never empty. */
static void kiosk_id(const struct kk_sync_policy *pol, char *out, size_t cap)
{
	char host[256] = "";
	const char *id = pol && pol->kiosk_id && *pol->kiosk_id ? pol->kiosk_id : NULL;
	size_t n = 0;

	if (!id) {
		if (gethostname(host, sizeof host - 1) != 0 || !host[0])
			snprintf(host, sizeof host, "kiosk");
		id = host;
	}
	for (; *id && n + 1 < cap && n < 64; id++) {
		char c = *id;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '-';
		out[n] = ok && !(n == 0 && c == '.') ? c : '_';
		n++;
	}
	out[n] = '\0';
}

/* UTC time for receipts and the log: the only use of the clock in an apply. */
static void utc_now(char *out, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, cap, "unknown");
}

/* DIR/receipt-ID.txt by temp + rename, so a half-written receipt never replaces a whole one. */
static void write_receipt(const char *bundle_dir, const char *id, const char *when,
			  struct kk_sync_result *res)
{
	char path[KK_SYNC_PATH_MAX + 128], tmp[KK_SYNC_PATH_MAX + 140], text[2048];
	int n, fd, ok = 0;

	n = snprintf(text, sizeof text,
		     "kiosk = %s\ntime = %s\nresult = %s\nmessage = %s\n"
		     "old_version = %u.%llu\nnew_version = %u.%llu\nbundle_version = %u.%llu\n"
		     "detail = %s\n",
		     id, when, kk_sync_outcome_name(res->outcome), res->message,
		     (unsigned)res->old_version.epoch, (unsigned long long)res->old_version.seq,
		     (unsigned)res->new_version.epoch, (unsigned long long)res->new_version.seq,
		     (unsigned)res->offered.epoch, (unsigned long long)res->offered.seq, res->detail);
	if (n < 0 || (size_t)n >= sizeof text)
		n = (int)strlen(text);
	if (snprintf(path, sizeof path, "%s/receipt-%s.txt", bundle_dir, id) >= (int)sizeof path ||
	    snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		goto out;
	ok = write(fd, text, (size_t)n) == n && fsync(fd) == 0;
	close(fd);
	ok = ok && rename(tmp, path) == 0;
	if (!ok)
		unlink(tmp);
out:
	res->receipt_written = ok;
	if (!ok)
		kk_warn("sync", "%s: receipt not written (%s): the stick may be read-only", bundle_dir,
			strerror(errno));
}

/* One line in DATA/log/sync.log (sync.log.1 keeps the previous 256 KiB). Best effort. */
static void write_log(const char *data_dir, const char *bundle_dir, const char *when,
		      const struct kk_sync_result *res)
{
	char path[KK_SYNC_PATH_MAX + 64], old[KK_SYNC_PATH_MAX + 64], line[2048];
	struct stat sb;
	int fd, n;

	if (kk_sync_join(path, sizeof path, data_dir, "log/sync.log") ||
	    kk_sync_join(old, sizeof old, data_dir, "log/sync.log.1"))
		return;
	if (stat(path, &sb) == 0 && sb.st_size > KK_SYNC_LOG_MAX)
		rename(path, old);
	n = snprintf(line, sizeof line, "%s %s %u.%llu -> %u.%llu bundle %u.%llu from %s: %s\n", when,
		     kk_sync_outcome_name(res->outcome), (unsigned)res->old_version.epoch,
		     (unsigned long long)res->old_version.seq, (unsigned)res->new_version.epoch,
		     (unsigned long long)res->new_version.seq, (unsigned)res->offered.epoch,
		     (unsigned long long)res->offered.seq, bundle_dir, res->detail);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		n = (int)sizeof line - 1;
		line[n - 1] = '\n';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n)
		kk_warn("sync", "%s: log line not written", path);
	close(fd);
}

/* ---- the apply ------------------------------------------------------------------------- */

/* Paths of one apply. */
struct paths {
	char staging[KK_SYNC_PATH_MAX + 16];
	char stage_new[KK_SYNC_PATH_MAX + 32];
	char stage_old[KK_SYNC_PATH_MAX + 32];
	char staged_db[KK_SYNC_PATH_MAX + 48];
	char staged_cs[KK_SYNC_PATH_MAX + 48];
	char slots[KK_SYNC_PATH_MAX + 16];
	char target[KK_SYNC_PATH_MAX + 16];
};

static int paths_make(struct paths *p, const char *data_dir, char target)
{
	if (strlen(data_dir) > KK_SYNC_PATH_MAX)
		return KK_E2BIG;
	snprintf(p->staging, sizeof p->staging, "%s/staging", data_dir);
	snprintf(p->stage_new, sizeof p->stage_new, "%s/staging/new", data_dir);
	snprintf(p->stage_old, sizeof p->stage_old, "%s/staging/old", data_dir);
	snprintf(p->staged_db, sizeof p->staged_db, "%s/staging/new/content.db", data_dir);
	snprintf(p->staged_cs, sizeof p->staged_cs, "%s/staging/new/" KK_DELTA_PAYLOAD, data_dir);
	snprintf(p->slots, sizeof p->slots, "%s/slots", data_dir);
	return kk_sync_slot_path(data_dir, target, NULL, p->target, sizeof p->target);
}

/* Move the target slot out of slots/ into staging/old (then delete it). */
static int retire_target(const struct paths *p)
{
	struct stat sb;
	int rc;
	if (lstat(p->target, &sb) != 0)
		return errno == ENOENT ? 0 : KK_EIO;
	if ((rc = kk_sync_rename(p->target, p->stage_old)) || (rc = kk_sync_fsync_dir(p->slots)))
		return rc;
	kk_sync_rmtree(p->stage_old); /* space only; kk_sync_open removes what is left */
	return 0;
}

static int finish(struct kk_sync_result *res, enum kk_sync_outcome o, const char *detail);

/* 1 when a and b are on the same file system (a rename between them works). */
static int same_fs(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev;
}

/*
 * The payload of the kiosk's own download (pol->payload_owned) into staging without a copy:
 * renamed to its staged name, then read once there, hashed and size-checked against the signed
 * manifest like a copy from a stick. The bytes checked are the bytes installed, as with a copy:
 * the file is checked where it will be installed from, in staging/, which nothing but this
 * apply writes. Saves writing the whole payload a second time (and needing room for it twice).
 * A crash after the rename loses the download (staging/ is emptied at the next start); the
 * next fetch downloads it again. Returns 0, or the finished outcome's kk_err with res filled;
 * the staged file is open read-only in cx->fd on success.
 */
static int adopt_payload(const char *bundle_dir, const struct paths *p,
			 const struct kk_manifest *m, struct copy_ctx *cx,
			 struct kk_sync_result *res)
{
	struct kk_manifest staged = *m;
	char src[KK_SYNC_PATH_MAX + 160];
	const char *dst = res->delta ? p->staged_cs : p->staged_db;
	struct stat sb;
	int rc;

	snprintf(staged.payload, sizeof staged.payload, "%s", strrchr(dst, '/') + 1);
	if (kk_sync_join(src, sizeof src, bundle_dir, m->payload))
		return finish(res, KK_SYNC_FAILED, "download path too long");
	if (lstat(src, &sb) != 0 || !S_ISREG(sb.st_mode)) { /* as a stick's: regular files only */
		res->reason = KK_BUNDLE_MISSING;
		snprintf(res->detail, sizeof res->detail, "payload %s: missing or not a regular file",
			 m->payload);
		return finish(res, KK_SYNC_DAMAGED, NULL);
	}
	if ((rc = kk_sync_rename(src, dst)) != 0) {
		snprintf(res->detail, sizeof res->detail, "kiosk storage: %s", kk_err_name(rc));
		return finish(res, rc == KK_ENOSPC ? KK_SYNC_NO_SPACE : KK_SYNC_FAILED, NULL);
	}
	rc = kk_bundle_copy_payload(p->stage_new, &staged, 0, progress_sink, cx, &res->reason,
				    res->detail, sizeof res->detail);
	if (rc)
		return finish(res, outcome_of(res->reason, rc), NULL);
	if ((cx->fd = open(dst, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(res->detail, sizeof res->detail, "kiosk storage: %s", strerror(errno));
		return finish(res, KK_SYNC_FAILED, NULL);
	}
	return 0;
}

/* The staged folder into the target slot, then `active`, then `floor` (see DESIGN). */
static int install(const char *data_dir, const struct paths *p, char target,
		   const struct kk_sync_version *v, int *switched)
{
	char line[KK_SYNC_STATE_FILE_MAX], act[3] = { target, '\n', '\0' };
	int rc, n;

	*switched = 0;
	if ((rc = kk_sync_fsync_dir(p->stage_new)) || (rc = retire_target(p)) ||
	    (rc = kk_sync_rename(p->stage_new, p->target)) || (rc = kk_sync_fsync_dir(p->slots)) ||
	    (rc = kk_sync_fsync_dir(p->staging)))
		return rc;
	if ((rc = kk_sync_replace_file(data_dir, "active", act, 2)))
		return rc;
	*switched = 1;
	n = kk_sync_version_format(v, line, sizeof line);
	if (n < 0)
		return n;
	return kk_sync_replace_file(data_dir, "floor", line, (size_t)n);
}

/*
 * A delta's second half, after its changeset is staged and fsynced: the active database copied
 * into staging while hashed (it must be the manifest's base, byte for byte: the kiosk's own
 * copy, read once), the changeset applied to the copy (ABORT on any conflict, the search index
 * rebuilt), the changeset removed. The copy is a scratch file until the caller fsyncs it: no
 * fsync of the base copy, no rollback journal, no syncs inside SQLite (kk_delta_apply_scratch),
 * because a crash anywhere before the install leaves only staging/, which the next start
 * empties; the one fsync of the result before the install (the caller's) is what makes it
 * durable. Returns 0, or the finished outcome's kk_err with res filled.
 */
static int delta_stage(const char *data_dir, const struct paths *p,
		       const struct kk_sync_state *st, const struct kk_manifest *m,
		       struct copy_ctx *cx, struct kk_sync_result *res, struct step_times *tm,
		       double *mark)
{
	struct kk_manifest base = *m;
	struct stat sb;
	char slot_dir[KK_SYNC_PATH_MAX + 16];
	int rc;

	if (stat(st->content, &sb) != 0 ||
	    kk_sync_slot_path(data_dir, st->active, NULL, slot_dir, sizeof slot_dir))
		return finish(res, KK_SYNC_FAILED, "the active database cannot be read");
	snprintf(base.payload, sizeof base.payload, "content.db");
	base.payload_size = (uint64_t)sb.st_size;
	memcpy(base.payload_sha256, m->base_sha256, 32);
	cx->off = cx->kicked = 0;
	if (kk_sync_fault_step("create base copy") ||
	    (cx->fd = open(p->staged_db, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		rc = kk_sync_errno();
		goto io_failed;
	}
	rc = kk_bundle_copy_payload(slot_dir, &base, KK_BUNDLE_DROP_SOURCE, stage_sink, cx,
				    &res->reason, res->detail, sizeof res->detail);
	if (rc) {
		if (res->reason == KK_BUNDLE_PAYLOAD_HASH || res->reason == KK_BUNDLE_PAYLOAD_SIZE) {
			res->reason = KK_BUNDLE_WRONG_BASE;
			snprintf(res->detail, sizeof res->detail,
				 "the active database is not the delta's base (sha256 differs)");
			return finish(res, KK_SYNC_WRONG_BASE, NULL);
		}
		return finish(res, outcome_of(res->reason, rc), NULL);
	}
	tm->base_copy = lap(mark);
	close(cx->fd);
	cx->fd = -1;
	if (kk_sync_fault_step("apply delta"))
		goto io_errno;
	rc = kk_delta_apply_scratch(p->staged_db, p->staged_cs, &res->changes);
	tm->delta = lap(mark);
	if (rc == KK_ECORRUPT) {
		res->reason = KK_BUNDLE_WRONG_BASE;
		snprintf(res->detail, sizeof res->detail,
			 "the changeset conflicts with the active database: not its base");
		return finish(res, KK_SYNC_WRONG_BASE, NULL);
	}
	if (rc)
		goto io_failed;
	if (kk_sync_fault_step("unlink changeset") || unlink(p->staged_cs) != 0)
		goto io_errno;
	return 0;
io_errno:
	rc = kk_sync_errno();
io_failed:
	snprintf(res->detail, sizeof res->detail, "kiosk storage (delta): %s", kk_err_name(rc));
	return finish(res, rc == KK_ENOSPC ? KK_SYNC_NO_SPACE : KK_SYNC_FAILED, NULL);
}

/*
 * Walk the bundle's keyring chain from kr (DATA's) and persist the newest keyring accepted, even
 * when a later link or the bundle itself is refused: a keyring signed by the roots stands on
 * its own. Returns 0, KK_ECORRUPT (a link refused: res->reason/detail set) or the write's
 * KK_EIO/KK_ENOSPC.
 */
static int keyring_update(const char *data_dir, const char *bundle_dir, struct kk_keyring *kr,
			  struct kk_sync_result *res)
{
	int advanced = 0, st, rc = 0;

	st = kk_keyring_advance(bundle_dir, kr, &advanced, res->detail, sizeof res->detail);
	if (advanced)
		rc = kk_sync_replace_file(data_dir, KK_SYNC_KEYRING_FILE, kr->text, kr->text_len);
	res->keyring_version = kr->version;
	if (rc)
		return rc;
	if (st != KK_KEYRING_OK) {
		res->reason = KK_BUNDLE_KEYRING;
		return KK_ECORRUPT;
	}
	return 0;
}

/* Fill res's outcome, message and detail; returns the outcome's kk_err. */
static int finish(struct kk_sync_result *res, enum kk_sync_outcome o, const char *detail)
{
	res->outcome = o;
	if (detail && detail != res->detail)
		snprintf(res->detail, sizeof res->detail, "%s", detail);
	switch (o) {
	case KK_SYNC_APPLIED:
		if (res->delta)
			snprintf(res->message, sizeof res->message,
				 "内容已更新到 %u.%llu 版（增量）：文件新增 %ld 份、修改 %ld 份、删除 %ld 份，"
				 "指南新增 %ld 项、修改 %ld 项、删除 %ld 项",
				 (unsigned)res->new_version.epoch,
				 (unsigned long long)res->new_version.seq, res->changes.docs_added,
				 res->changes.docs_changed, res->changes.docs_removed,
				 res->changes.guides_added, res->changes.guides_changed,
				 res->changes.guides_removed);
		else
			snprintf(res->message, sizeof res->message,
				 "内容已更新到 %u.%llu 版：政府信息公开文件 %ld 份，办事指南 %ld 项",
				 (unsigned)res->new_version.epoch,
				 (unsigned long long)res->new_version.seq, res->n_documents,
				 res->n_guides);
		break;
	case KK_SYNC_UP_TO_DATE:
	case KK_SYNC_OLDER:
		snprintf(res->message, sizeof res->message, "%s（本机内容 %u.%llu 版）",
			 kk_sync_outcome_zh(o), (unsigned)res->old_version.epoch,
			 (unsigned long long)res->old_version.seq);
		break;
	case KK_SYNC_BAD_SIGNATURE:
	case KK_SYNC_WRONG_TARGET:
	case KK_SYNC_UNSUPPORTED:
	case KK_SYNC_WRONG_BASE:
		snprintf(res->message, sizeof res->message, "%s", kk_bundle_reason_zh(res->reason));
		break;
	default:
		snprintf(res->message, sizeof res->message, "%s", kk_sync_outcome_zh(o));
		break;
	}
	return outcomes[o].rc;
}

int kk_sync_apply_dir(const char *data_dir, const char *bundle_dir,
		      const struct kk_sync_keys *keys, const struct kk_sync_policy *pol,
		      kk_progress_fn progress, void *ctx, int *cancel, struct kk_sync_result *res)
{
	static const struct kk_sync_policy no_policy;
	struct kk_sync_state st;
	struct kk_bundle_expect exp;
	struct kk_bundle_signed *raw = NULL;
	struct kk_keyring *kr = NULL;
	struct kk_manifest m;
	struct copy_ctx cx = { .fd = -1 };
	struct step_times tm = { .start = mono_now() };
	struct paths p;
	char target, when[32], id[80], path[KK_SYNC_PATH_MAX + 64];
	uint64_t need, avail, max_payload;
	struct stat sb;
	double mark = tm.start;
	struct bg_sync bgs;
	int rc, sync_rc, switched = 0, staged = 0, adopt;

	memset(res, 0, sizeof *res);
	if (!pol)
		pol = &no_policy;
	kk_sync_fault_reset();
	rc = kk_sync_open(data_dir, &st);
	if (rc && rc != KK_ENOENT) {
		rc = finish(res, KK_SYNC_FAILED, "data folder unusable");
		goto report;
	}
	res->old_version = res->new_version = st.version;
	if (st.degraded) {
		rc = finish(res, KK_SYNC_FAILED, "data folder not writable (staging/ not clean)");
		goto report;
	}
	target = st.active ? kk_sync_slot_other(st.active) : 'a';
	if (paths_make(&p, data_dir, target)) {
		rc = finish(res, KK_SYNC_FAILED, "data folder path too long");
		goto report;
	}
	raw = malloc(sizeof *raw);
	kr = malloc(sizeof *kr);
	if (!raw || !kr) {
		rc = finish(res, KK_SYNC_FAILED, "out of memory");
		goto report;
	}
	/* the keyring first: which release keys may sign is only known after the walk */
	if (kk_sync_keyring_load(data_dir, keys, kr)) {
		rc = finish(res, KK_SYNC_FAILED, "DATA/" KK_SYNC_KEYRING_FILE " damaged");
		goto report;
	}
	rc = keyring_update(data_dir, bundle_dir, kr, res);
	if (rc == KK_ECORRUPT) {
		rc = finish(res, KK_SYNC_BAD_SIGNATURE, NULL);
		goto report;
	}
	if (rc)
		goto io_failed;
	/* after kk_sync_open the floor equals the active version when something is shown, so
	 * "equal" is up to date exactly when the installed copy works */
	exp.product = pol->product ? pol->product : KK_SYNC_PRODUCT;
	exp.channel = pol->channel ? pol->channel : "stable";
	exp.floor_epoch = st.floor.epoch;
	exp.floor_seq = st.floor.seq;
	exp.accept_equal = !st.active;
	exp.accept_delta = 1;
	rc = kk_bundle_check_manifest(bundle_dir, kr->release, kr->n_release, &exp, &m, raw,
				      &res->reason, res->detail, sizeof res->detail);
	res->offered.epoch = m.epoch; /* (0, 0) unless the manifest's signature verified */
	res->offered.seq = m.seq;
	if (rc) {
		rc = finish(res, outcome_of(res->reason, rc), NULL);
		goto report;
	}
	res->delta = m.type == KK_BUNDLE_DELTA;
	if (res->delta && (!st.active || st.version.epoch != m.epoch || st.version.seq != m.base_seq)) {
		res->reason = KK_BUNDLE_WRONG_BASE;
		snprintf(res->detail, sizeof res->detail,
			 "delta from %u.%llu, the kiosk shows %u.%llu", (unsigned)m.epoch,
			 (unsigned long long)m.base_seq, (unsigned)st.version.epoch,
			 (unsigned long long)st.version.seq);
		rc = finish(res, KK_SYNC_WRONG_BASE, NULL);
		goto report;
	}
	if (res->delta && (stat(st.content, &sb) != 0 || !S_ISREG(sb.st_mode))) {
		rc = finish(res, KK_SYNC_FAILED, "the active database cannot be read");
		goto report;
	}
	max_payload = pol->max_payload ? pol->max_payload : KK_SYNC_PAYLOAD_CAP;
	if (m.payload_size > max_payload) {
		res->reason = KK_BUNDLE_TOO_BIG;
		snprintf(res->detail, sizeof res->detail, "payload %llu bytes over the cap of %llu",
			 (unsigned long long)m.payload_size, (unsigned long long)max_payload);
		rc = finish(res, KK_SYNC_DAMAGED, NULL);
		goto report;
	}
	/* a download already on the data file system is moved, not copied: no room for a copy */
	adopt = pol->payload_owned && same_fs(bundle_dir, p.staging);
	need = (adopt ? 0 : m.payload_size) +
	       (pol->space_margin ? pol->space_margin : KK_SYNC_SPACE_MARGIN) +
	       (res->delta ? (uint64_t)sb.st_size : 0);
	avail = free_bytes(p.staging);
	if (avail < need && st.active) { /* the inactive slot is not shown: give it up first */
		if (retire_target(&p) == 0)
			avail = free_bytes(p.staging);
	}
	if (avail < need) {
		snprintf(res->detail, sizeof res->detail,
			 "need %llu bytes (payload + margin), %llu free in %s",
			 (unsigned long long)need, (unsigned long long)avail, data_dir);
		rc = finish(res, KK_SYNC_NO_SPACE, NULL);
		snprintf(res->message, sizeof res->message,
			 "终端存储空间不足（需要 %llu MB，可用 %llu MB），未导入，原有内容不变",
			 (unsigned long long)(need >> 20), (unsigned long long)(avail >> 20));
		goto report;
	}

	/* copy while hashing: the bytes checked are the bytes installed */
	mark = mono_now();
	if ((rc = kk_sync_mkdir(p.stage_new)) != 0)
		goto io_failed;
	staged = 1;
	/* a delta also copies the active database: progress counts both */
	cx.total = m.payload_size + (res->delta ? (uint64_t)sb.st_size : 0);
	cx.progress = progress;
	cx.pctx = ctx;
	cx.cancel = cancel;
	if (adopt) {
		if ((rc = adopt_payload(bundle_dir, &p, &m, &cx, res)) != 0)
			goto report;
	} else {
		if (kk_sync_fault_step("create payload") ||
		    (cx.fd = open(res->delta ? p.staged_cs : p.staged_db,
				  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
			rc = kk_sync_errno();
			goto io_failed;
		}
		rc = kk_bundle_copy_payload(bundle_dir, &m, KK_BUNDLE_DROP_SOURCE, stage_sink, &cx,
					    &res->reason, res->detail, sizeof res->detail);
		if (rc) {
			rc = finish(res, outcome_of(res->reason, rc), NULL);
			goto report;
		}
	}
	tm.copy = lap(&mark);
	if (res->delta) { /* the changeset (small), then the delta's database in its place */
		if (kk_sync_fault_step("fsync payload") || fsync(cx.fd) != 0) {
			rc = kk_sync_errno();
			goto io_failed;
		}
		close(cx.fd);
		cx.fd = -1;
		if ((rc = delta_stage(data_dir, &p, &st, &m, &cx, res, &tm, &mark)) != 0)
			goto report;
		if (kk_sync_fault_step("open delta result") ||
		    (cx.fd = open(p.staged_db, O_RDONLY | O_CLOEXEC)) < 0) {
			rc = kk_sync_errno();
			goto io_failed;
		}
	}
	/* the staged database made durable while it is checked (bg_sync) */
	if (kk_sync_fault_step(res->delta ? "fsync delta result" : "fsync payload"))
		goto io_errno;
	bg_sync_start(&bgs, cx.fd);
	rc = staged_db_check(p.staged_db, res);
	sync_rc = bg_sync_join(&bgs);
	tm.check = lap(&mark);
	close(cx.fd);
	cx.fd = -1;
	if (sync_rc) {
		rc = sync_rc;
		goto io_failed;
	}
	if (rc != 0) {
		snprintf(res->detail, sizeof res->detail,
			 "payload verified but not a sound content database (%s)", kk_err_name(rc));
		rc = finish(res, KK_SYNC_DAMAGED, NULL);
		goto report;
	}
	if ((rc = kk_sync_join(path, sizeof path, p.stage_new, KK_BUNDLE_MANIFEST)) ||
	    (rc = kk_sync_write_file(path, raw->manifest, raw->manifest_len)) ||
	    (rc = kk_sync_join(path, sizeof path, p.stage_new, KK_BUNDLE_SIGNATURE)) ||
	    (rc = kk_sync_write_file(path, raw->sig, raw->sig_len)))
		goto io_failed;
	if (canceled(cancel)) { /* the last point where cancelling is allowed */
		rc = finish(res, KK_SYNC_CANCELED, "canceled before the install");
		goto report;
	}

	rc = install(data_dir, &p, target, &res->offered, &switched);
	tm.install = lap(&mark);
	if (rc && !switched)
		goto io_failed;
	staged = 0;
	res->slot = target;
	res->new_version = res->offered;
	snprintf(res->detail, sizeof res->detail, "installed %u.%llu in slot %c%s",
		 (unsigned)m.epoch, (unsigned long long)m.seq, target,
		 rc ? "; floor not written yet (completed at the next start)" : "");
	rc = finish(res, KK_SYNC_APPLIED, NULL);
	goto report;

io_errno:
	rc = kk_sync_errno();
io_failed:
	snprintf(res->detail, sizeof res->detail, "kiosk storage: %s", kk_err_name(rc));
	rc = finish(res, rc == KK_ENOSPC ? KK_SYNC_NO_SPACE : KK_SYNC_FAILED, NULL);
report:
	if (cx.fd >= 0)
		close(cx.fd);
	if (staged)
		kk_sync_rmtree(p.stage_new);
	free(raw);
	free(kr);
	utc_now(when, sizeof when);
	kiosk_id(pol, id, sizeof id);
	write_log(data_dir, bundle_dir, when, res);
	write_receipt(bundle_dir, id, when, res);
	if (res->outcome == KK_SYNC_APPLIED) {
		kk_info("sync", "%s: %s", bundle_dir, res->detail);
		kk_info("sync",
			"apply took %.2f s: payload copy+hash %.2f, base copy+hash %.2f, "
			"changeset+index %.2f, fsync || quick_check %.2f, install %.2f",
			mono_now() - tm.start, tm.copy, tm.base_copy, tm.delta, tm.check,
			tm.install);
	}
	else
		kk_warn("sync", "%s: %s: %s", bundle_dir, kk_sync_outcome_name(res->outcome),
			res->detail);
	return rc;
}
