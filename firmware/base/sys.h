/*
 * sys.h — small operating-system helpers several modules need: durable files and folders,
 * a monotonic clock, and deadlines for condition-variable waits.
 */
#ifndef KK_BASE_SYS_H
#define KK_BASE_SYS_H

#include <time.h>

/* fsync a file (dir == 0) or a folder (dir != 0) by path. Returns 0 or KK_EIO. Blocks. */
int kk_fsync_path(const char *path, int dir);

/* mkdir -p with mode for every folder it creates. Returns 0, KK_EINVAL (empty or longer than
 * 1023 bytes) or KK_EIO. */
int kk_mkdir_p(const char *path, unsigned mode);

/* Seconds on the monotonic clock (for durations, never for dates). */
double kk_mono_s(void);

/* *ts = now + ms on CLOCK_REALTIME, the clock pthread_cond_timedwait measures by default. */
void kk_deadline_ms(struct timespec *ts, int ms);

#endif
