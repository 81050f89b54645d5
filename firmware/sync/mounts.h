/*
 * mounts.h — which file systems are mounted under the USB stick folder, and a wait that wakes
 * the moment the mount table changes (the stick watcher of sync/service.c).
 *
 * /proc/self/mountinfo (proc(5)) has one line per mount:
 *
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2) (3)   (4)   (5)      (6)       (7)  (8) (9)   (10)         (11)
 *
 * mount id, parent id, major:minor, root, MOUNT POINT, options, optional fields ended by a
 * lone "-", then FILE SYSTEM TYPE, source and super-block options. Paths escape space, tab,
 * newline and backslash as \040 \011 \012 \134. A stick's label chooses its mount point
 * (/run/kiosk/usb/NAME), so the text is treated as hostile: lines are capped at
 * KK_MOUNTS_LINE_MAX bytes, the file at KK_MOUNTS_FILE_MAX, every field is checked, escapes
 * must be exactly three octal digits and never decode to a control byte (NUL, the tab and
 * newline the kernel escapes: they would forge log lines) or '/', and a line that breaks
 * any rule is skipped and counted, never half used.
 *
 * The kernel marks an open mountinfo file with POLLPRI|POLLERR whenever the mount table of the
 * namespace changes (fs/proc_namespace.c, mounts_poll), so kk_mount_watch_wait sleeps in
 * poll(2) on it plus one descriptor of the caller's (an eventfd the UI thread pokes) and
 * returns at once on a mount or an unmount. Without /proc (or in a development folder that is
 * not a mount point) the caller keeps its periodic directory scan.
 *
 * Parsing is pure; kk_mounts_read does one bounded read; kk_mount_watch_wait blocks up to its
 * timeout. Any thread; a watch belongs to one thread.
 */
#ifndef KK_SYNC_MOUNTS_H
#define KK_SYNC_MOUNTS_H

#include <stddef.h>

#define KK_MOUNTS_LINE_MAX 4096          /* bytes of one line; longer lines are skipped */
#define KK_MOUNTS_FILE_MAX (4 << 20)     /* bytes of mountinfo read at most */
#define KK_MOUNTS_MAX 32                 /* mount points kept (at or under root) */
#define KK_MOUNTS_PATH_MAX 512           /* bytes of a decoded mount point, with the NUL */
#define KK_MOUNTS_FSTYPE_MAX 32
#define KK_MOUNTINFO_PATH "/proc/self/mountinfo"

struct kk_mount {
	char point[KK_MOUNTS_PATH_MAX];   /* decoded, absolute */
	char fstype[KK_MOUNTS_FSTYPE_MAX];
	unsigned major, minor;
};

struct kk_mounts {
	struct kk_mount m[KK_MOUNTS_MAX]; /* in file order (parents before children) */
	size_t n;
	size_t lines;     /* lines seen */
	size_t skipped;   /* malformed or overlong lines */
	size_t dropped;   /* mount points under root past KK_MOUNTS_MAX */
};

/*
 * Decode one mountinfo path field (len bytes, no spaces) into out (cap bytes, NUL-terminated).
 * Returns the decoded length, or KK_EINVAL (a backslash not followed by three octal digits, an
 * escape of a control byte or '/', a raw control byte, not absolute) or KK_E2BIG (does not fit). Pure.
 */
int kk_mountinfo_unescape(const char *in, size_t len, char *out, size_t cap);

/*
 * Parse len bytes of mountinfo text and keep the mount points equal to root or under it
 * (root: an absolute path, trailing slashes ignored; "/" keeps every mount). The last line may
 * lack its newline. out is filled from zero. Returns 0, or KK_EINVAL for a bad root. Pure.
 */
int kk_mounts_parse(const char *text, size_t len, const char *root, struct kk_mounts *out);

/* Read path (NULL: KK_MOUNTINFO_PATH) once, at most KK_MOUNTS_FILE_MAX bytes, and parse it.
 * Returns 0, KK_ENOENT / KK_EIO, KK_ENOMEM or KK_EINVAL. Blocks on one read of /proc. */
int kk_mounts_read(const char *path, const char *root, struct kk_mounts *out);

/* 1 when point is root or below it (both decoded, absolute; root's trailing '/' ignored). */
int kk_mount_under(const char *point, const char *root);

struct kk_mount_watch {
	int fd; /* the open mountinfo, or -1 */
};

/* Open path (NULL: KK_MOUNTINFO_PATH) for watching. Returns 0 or KK_ENOENT/KK_EIO (w->fd is
 * then -1 and kk_mount_watch_wait only waits for poke_fd and the timeout). */
int kk_mount_watch_open(struct kk_mount_watch *w, const char *path);
void kk_mount_watch_close(struct kk_mount_watch *w);

enum kk_mount_wake {
	KK_MW_TIMEOUT = 0,
	KK_MW_CHANGED = 1, /* the mount table changed (a stick came or went) */
	KK_MW_POKED = 2,   /* poke_fd became readable (the caller drains it) */
	KK_MW_BOTH = 3
};

/*
 * Sleep until the mount table changes, poke_fd (-1: none) is readable, or timeout_ms passes
 * (negative: no timeout). Returns an enum kk_mount_wake bit set, or KK_EIO when poll fails
 * for another reason than EINTR (an EINTR returns KK_MW_TIMEOUT). Blocks.
 */
int kk_mount_watch_wait(struct kk_mount_watch *w, int poke_fd, int timeout_ms);

#endif
