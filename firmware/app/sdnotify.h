/*
 * sdnotify.h — systemd service notifications without libsystemd (the sd_notify protocol:
 * one datagram of "KEY=VALUE\n…" to the AF_UNIX socket named in $NOTIFY_SOCKET).
 *
 * The kiosk runs as kiosk.service with Type=notify and WatchdogSec= (board/common/rootfs/
 * usr/lib/systemd/system/kiosk.service): the UI loop sends "READY=1" after its first frame and
 * "WATCHDOG=1" at least every half WatchdogSec, so systemd restarts a kiosk whose UI hangs.
 */
#ifndef KK_APP_SDNOTIFY_H
#define KK_APP_SDNOTIFY_H

#define KK_SD_NOTIFY_MAX 256 /* bytes of one state string */

/*
 * Send state (e.g. "READY=1", "WATCHDOG=1", "STATUS=…") to the service manager. Returns 0
 * when sent, 0 as well when $NOTIFY_SOCKET is unset (not under systemd: nothing to do),
 * KK_EINVAL for an empty or over-long state or a bad socket name, KK_EIO when sending failed.
 * Never blocks (MSG_DONTWAIT); any thread; no allocation. A socket name starting with '@' is
 * in the abstract namespace.
 */
int kk_sd_notify(const char *state);

/*
 * The watchdog interval systemd asks for, from $WATCHDOG_USEC (and $WATCHDOG_PID, which must
 * be this process when set), in microseconds; 0 when there is none. Send "WATCHDOG=1" at
 * least every half of it.
 */
unsigned long long kk_sd_watchdog_usec(void);

#endif
