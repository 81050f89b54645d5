/*
 * slots.c — the data directory of apply.h: the floor and active files, the two slots, durable
 * file steps, and start-up recovery (kk_sync_open).
 *
 * DESIGN: recovery only ever completes what an apply left half done, in the direction the
 * floor rule allows: staging/ is emptied (nothing there is trusted), the slot named by `active`
 * is used if it opens and is not below the floor, otherwise the other slot under the same
 * condition; a floor below the chosen slot is raised to it (the apply was killed between the
 * switch and the floor write). Each repair is itself a write-temp + fsync + rename + fsync of
 * the folder, so a crash during recovery leaves the same choice for the next start.
 */
#include "sync/apply.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog.h"
#include "sync/manifest.h"
#include "sync/sync_fs.h"

/* ---- versions and slot names ----------------------------------------------------------- */

int kk_sync_version_cmp(const struct kk_sync_version *a, const struct kk_sync_version *b)
{
	if (a->epoch != b->epoch)
		return a->epoch < b->epoch ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

/* "EPOCH.SEQ\n", nothing else. */
int kk_sync_version_parse(const char *text, size_t len, struct kk_sync_version *out)
{
	const char *dot;
	uint64_t e, s;

	memset(out, 0, sizeof *out);
	if (len > KK_SYNC_STATE_FILE_MAX)
		return KK_E2BIG;
	if (len < 4 || text[len - 1] != '\n')
		return KK_ECORRUPT;
	dot = memchr(text, '.', len - 1);
	if (!dot)
		return KK_ECORRUPT;
	if (kk_manifest_parse_u64(text, (size_t)(dot - text), 0, UINT32_MAX, &e) ||
	    kk_manifest_parse_u64(dot + 1, (size_t)(text + len - 1 - (dot + 1)), 0,
				  KK_MANIFEST_SEQ_MAX, &s))
		return KK_ECORRUPT;
	out->epoch = (uint32_t)e;
	out->seq = s;
	return 0;
}

int kk_sync_version_format(const struct kk_sync_version *v, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%u.%llu\n", (unsigned)v->epoch, (unsigned long long)v->seq);
	return n < 0 || (size_t)n >= cap ? KK_E2BIG : n;
}

int kk_sync_slot_parse(const char *text, size_t len, char *slot)
{
	*slot = 0;
	if (len != 2 || text[1] != '\n' || (text[0] != 'a' && text[0] != 'b'))
		return KK_ECORRUPT;
	*slot = text[0];
	return 0;
}

char kk_sync_slot_other(char slot)
{
	return slot == 'a' ? 'b' : slot == 'b' ? 'a' : 0;
}

int kk_sync_slot_path(const char *data_dir, char slot, const char *name, char *buf, size_t cap)
{
	int n;
	if (slot != 'a' && slot != 'b')
		return KK_EINVAL;
	n = name ? snprintf(buf, cap, "%s/slots/%c/%s", data_dir, slot, name)
		 : snprintf(buf, cap, "%s/slots/%c", data_dir, slot);
	return n < 0 || (size_t)n >= cap ? KK_E2BIG : 0;
}

/* ---- durable steps (sync_fs.h) --------------------------------------------------------- */

int kk_sync_errno(void)
{
	return errno == ENOSPC || errno == EDQUOT ? KK_ENOSPC : KK_EIO;
}

int kk_sync_join(char *buf, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= cap ? KK_E2BIG : 0;
}

int kk_sync_mkdir(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	if (kk_sync_fault_step("mkdir") || mkdir(path, 0755) != 0) {
		kk_error("sync", "mkdir %s: %s", path, strerror(errno));
		return kk_sync_errno();
	}
	return 0;
}

int kk_sync_fsync_dir(const char *path)
{
	int fd, rc = 0;
	if (kk_sync_fault_step("fsync dir"))
		goto fail;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	if (fsync(fd) != 0 && errno != EINVAL) /* EINVAL: a file system without directory fsync */
		rc = -1;
	close(fd);
	if (!rc)
		return 0;
fail:
	kk_error("sync", "fsync %s: %s", path, strerror(errno));
	return kk_sync_errno();
}

int kk_sync_rename(const char *from, const char *to)
{
	if (kk_sync_fault_step("rename") || rename(from, to) != 0) {
		kk_error("sync", "rename %s -> %s: %s", from, to, strerror(errno));
		return kk_sync_errno();
	}
	return 0;
}

int kk_sync_write_file(const char *path, const void *data, size_t len)
{
	const char *p = data;
	int fd = -1, rc = 0;

	if (kk_sync_fault_step("create") ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0)
		goto fail;
	while (len) {
		ssize_t w;
		if (kk_sync_fault_step("write"))
			goto fail;
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (kk_sync_fault_step("fsync") || fsync(fd) != 0)
		goto fail;
	close(fd);
	return 0;
fail:
	rc = kk_sync_errno();
	kk_error("sync", "write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

int kk_sync_replace_file(const char *dir, const char *name, const void *data, size_t len)
{
	char tmp[KK_SYNC_PATH_MAX + 64], dst[KK_SYNC_PATH_MAX + 64];
	int rc;

	if (snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name) >= (int)sizeof tmp ||
	    kk_sync_join(dst, sizeof dst, dir, name))
		return KK_E2BIG;
	if ((rc = kk_sync_write_file(tmp, data, len)) || (rc = kk_sync_rename(tmp, dst)))
		return rc;
	return kk_sync_fsync_dir(dir);
}

/* Recursive remove with a depth cap (staging holds new/ and old/ with files in them). */
static int rmtree_depth(const char *path, int depth)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;
	char sub[KK_SYNC_PATH_MAX + 300];
	int rc = 0;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? 0 : KK_EIO;
	if (!S_ISDIR(sb.st_mode)) {
		if (kk_sync_fault_step("unlink") || unlink(path) != 0)
			return kk_sync_errno();
		return 0;
	}
	if (depth > 4)
		return KK_E2BIG;
	d = opendir(path);
	if (!d)
		return KK_EIO;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (kk_sync_join(sub, sizeof sub, path, e->d_name)) {
			rc = KK_E2BIG;
			break;
		}
		if ((rc = rmtree_depth(sub, depth + 1)) != 0)
			break;
	}
	closedir(d);
	if (!rc && (kk_sync_fault_step("rmdir") || rmdir(path) != 0))
		rc = kk_sync_errno();
	return rc;
}

int kk_sync_rmtree(const char *path)
{
	int rc = rmtree_depth(path, 0);
	if (rc)
		kk_warn("sync", "cannot remove %s: %s", path, kk_err_name(rc));
	return rc;
}

int kk_sync_read_small(const char *path, char *buf, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = 0;
	size_t got = 0;

	*len = 0;
	buf[0] = '\0';
	if (fd < 0)
		return errno == ENOENT ? KK_ENOENT : KK_EIO;
	for (;;) {
		ssize_t n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = KK_EIO;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == cap) { /* one byte more than allowed: over the cap */
			rc = KK_E2BIG;
			break;
		}
	}
	close(fd);
	if (rc)
		return rc;
	buf[got] = '\0';
	*len = got;
	return 0;
}

/* ---- recovery -------------------------------------------------------------------------- */

/* What one slot holds. */
struct slot_probe {
	int has_manifest;            /* the manifest parses */
	int opens;                   /* and the database passes kk_catalog_open */
	struct kk_sync_version v;
	long n_documents, n_guides;
};

/* Parse the slot's manifest and open its database read-only (a few pages, no full check). */
static void probe_slot(const char *data_dir, char slot, struct slot_probe *p)
{
	char path[KK_SYNC_PATH_MAX + 64], text[KK_MANIFEST_MAX + 1];
	struct kk_manifest m;
	struct kk_catalog *cat = NULL;
	struct kk_catalog_info in;
	size_t len;

	memset(p, 0, sizeof *p);
	if (kk_sync_slot_path(data_dir, slot, "manifest", path, sizeof path) ||
	    kk_sync_read_small(path, text, sizeof text, &len) ||
	    kk_manifest_parse(text, len, &m, NULL, 0))
		return;
	p->has_manifest = 1;
	p->v.epoch = m.epoch;
	p->v.seq = m.seq;
	if (kk_sync_slot_path(data_dir, slot, "content.db", path, sizeof path) ||
	    kk_catalog_open(path, &cat))
		return;
	p->opens = 1;
	if (!kk_catalog_info(cat, &in)) {
		p->n_documents = in.n_documents;
		p->n_guides = in.n_guides[KK_BOOK_HUIMIN] + in.n_guides[KK_BOOK_HUIQI];
		kk_catalog_info_fini(&in);
	}
	kk_catalog_close(cat);
}

/* Usable under the floor rule: it opens and is not below the floor. */
static int slot_usable(const struct slot_probe *p, const struct kk_sync_version *floor)
{
	return p->opens && kk_sync_version_cmp(&p->v, floor) >= 0;
}

/* The floor rule of apply.h. */
int kk_sync_open(const char *data_dir, struct kk_sync_state *st)
{
	char path[KK_SYNC_PATH_MAX + 64], text[KK_SYNC_STATE_FILE_MAX + 1];
	struct slot_probe probe[2];
	char named = 0, pick = 0;
	size_t len;
	int rc;

	memset(st, 0, sizeof *st);
	st->message_zh = KK_SYNC_MSG_ZH_NONE;
	if (strlen(data_dir) > KK_SYNC_PATH_MAX)
		return KK_E2BIG;
	if (kk_sync_mkdir(data_dir))
		return KK_EIO;
	/* A folder that cannot be written (a read-only file system, a full disk) still shows its
	 * content; only applies need these, and they refuse to run on a degraded folder. */
	static const char *const subs[] = { "slots", "log", "active.tmp", "floor.tmp", "staging" };
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (kk_sync_join(path, sizeof path, data_dir, subs[i]))
			return KK_E2BIG;
		/* staging and temp files: nothing in them was ever installed, so nothing is kept */
		if ((i >= 2 && kk_sync_rmtree(path)) || (i != 2 && i != 3 && kk_sync_mkdir(path)))
			st->degraded = 1;
	}
	if (st->degraded)
		kk_warn("sync", "%s: cannot tidy the data folder: updates are refused until it is "
				"writable", data_dir);
	probe_slot(data_dir, 'a', &probe[0]);
	probe_slot(data_dir, 'b', &probe[1]);

	kk_sync_join(path, sizeof path, data_dir, "floor");
	rc = kk_sync_read_small(path, text, sizeof text, &len);
	if (!rc)
		rc = kk_sync_version_parse(text, len, &st->floor);
	if (rc && rc != KK_ENOENT) {
		/* never lower than anything that could have been installed */
		for (int i = 0; i < 2; i++)
			if (probe[i].has_manifest && kk_sync_version_cmp(&probe[i].v, &st->floor) > 0)
				st->floor = probe[i].v;
		kk_error("sync", "%s: unreadable floor (%s): using %u.%llu, the newest slot", path,
			 kk_err_name(rc), (unsigned)st->floor.epoch, (unsigned long long)st->floor.seq);
		st->floor_raised = 1;
	}
	kk_sync_join(path, sizeof path, data_dir, "active");
	if (!kk_sync_read_small(path, text, sizeof text, &len))
		kk_sync_slot_parse(text, len, &named);

	if (named && slot_usable(&probe[named - 'a'], &st->floor)) {
		pick = named;
	} else if (named && slot_usable(&probe[kk_sync_slot_other(named) - 'a'], &st->floor)) {
		pick = kk_sync_slot_other(named);
		st->fell_back = 1;
		kk_error("sync", "slot %c unusable: falling back to slot %c", named, pick);
	} else if (!named) { /* first install killed before its switch, or `active` lost */
		for (int i = 0; i < 2; i++)
			if (slot_usable(&probe[i], &st->floor) &&
			    (!pick || kk_sync_version_cmp(&probe[i].v, &probe[pick - 'a'].v) > 0))
				pick = (char)('a' + i);
	}
	if (!pick && !probe[0].has_manifest && !probe[1].has_manifest) {
		kk_info("sync", "%s: no content installed yet", data_dir);
		rc = KK_ENOENT;
		goto persist_floor;
	}
	if (!pick) {
		kk_error("sync", "%s: no usable content at or above the floor %u.%llu", data_dir,
			 (unsigned)st->floor.epoch, (unsigned long long)st->floor.seq);
		rc = KK_ENOENT;
		goto persist_floor;
	}
	st->active = pick;
	st->version = probe[pick - 'a'].v;
	st->n_documents = probe[pick - 'a'].n_documents;
	st->n_guides = probe[pick - 'a'].n_guides;
	st->message_zh = "";
	kk_sync_slot_path(data_dir, pick, "content.db", st->content, sizeof st->content);
	if (pick != named) {
		char line[3] = { pick, '\n', '\0' };
		if (kk_sync_replace_file(data_dir, "active", line, 2))
			kk_warn("sync", "could not record slot %c as active; will retry", pick);
	}
	if (kk_sync_version_cmp(&st->version, &st->floor) > 0) {
		st->floor = st->version; /* an apply was killed after the switch */
		st->floor_raised = 1;
	}
	rc = 0;
persist_floor:
	if (st->floor_raised) {
		char line[KK_SYNC_STATE_FILE_MAX];
		int n = kk_sync_version_format(&st->floor, line, sizeof line);
		if (n < 0 || kk_sync_replace_file(data_dir, "floor", line, (size_t)n))
			kk_warn("sync", "could not write the floor; will retry at the next start");
	}
	return rc;
}
