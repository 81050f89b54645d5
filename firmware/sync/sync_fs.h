/*
 * sync_fs.h — durable file steps of the apply path (internal to firmware/sync/).
 *
 * Every function that changes the disk counts as one or more fault-injection steps
 * (kk_sync_fault_step, apply.h) before it acts, so tests can kill the process or fail the call
 * at each of them. Returns are 0 or KK_EIO / KK_ENOSPC (from errno) unless said otherwise.
 * Blocking; any thread, but one apply per data directory at a time.
 */
#ifndef KK_SYNC_FS_H
#define KK_SYNC_FS_H

#include <stddef.h>

/* Map errno to KK_ENOSPC (ENOSPC, EDQUOT) or KK_EIO. */
int kk_sync_errno(void);
/* snprintf "%s/%s" into buf; KK_E2BIG if it does not fit. */
int kk_sync_join(char *buf, size_t cap, const char *dir, const char *name);
/* mkdir path (0755) unless it is already a directory. */
int kk_sync_mkdir(const char *path);
/* fsync a directory (after a rename or create in it). */
int kk_sync_fsync_dir(const char *path);
/* rename(2). */
int kk_sync_rename(const char *from, const char *to);
/* Create path (replacing), write len bytes, fsync, close. */
int kk_sync_write_file(const char *path, const void *data, size_t len);
/* dir/name.tmp written and fsynced, renamed over dir/name, dir fsynced. */
int kk_sync_replace_file(const char *dir, const char *name, const void *data, size_t len);
/* Remove path and, for a folder, what is in it (at most 4 levels deep); absent is 0. */
int kk_sync_rmtree(const char *path);
/* Read a whole small file (at most cap - 1 bytes, NUL-terminated) into buf. Returns 0,
 * KK_ENOENT, KK_EIO or KK_E2BIG. Not a step: reads only. */
int kk_sync_read_small(const char *path, char *buf, size_t cap, size_t *len);

#endif
