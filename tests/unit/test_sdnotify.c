/*
 * test_sdnotify.c — kk_sd_notify (firmware/app/sdnotify.c) against real AF_UNIX datagram
 * sockets, as systemd listens: a path socket and an abstract one ('@'), what arrives is
 * exactly the state; no NOTIFY_SOCKET is a silent success; bad names and states are refused;
 * $WATCHDOG_USEC and $WATCHDOG_PID are read as systemd sets them.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "app/sdnotify.h"
#include "base/err.h"
#include "kt.h"

/* bind a datagram socket at name (a path, or '@' + abstract name); returns the fd or -1 */
static int listen_at(const char *name)
{
	struct sockaddr_un sa;
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (fd < 0 || len >= sizeof sa.sun_path)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	if (bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* what arrives on fd (nonblocking), as a string ("" if nothing) */
static const char *received(int fd, char *buf, size_t n)
{
	ssize_t got = recv(fd, buf, n - 1, MSG_DONTWAIT);
	buf[got > 0 ? got : 0] = '\0';
	return buf;
}

static void test_path_socket(void)
{
	char dir[] = "/tmp/kk-sdnotify-XXXXXX", path[128], buf[512];
	int fd;

	KT_REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/notify", dir);
	fd = listen_at(path);
	KT_REQUIRE(fd >= 0);
	setenv("NOTIFY_SOCKET", path, 1);
	KT_CHECK_INT(kk_sd_notify("READY=1"), 0);
	KT_CHECK_STR(received(fd, buf, sizeof buf), "READY=1");
	KT_CHECK_INT(kk_sd_notify("WATCHDOG=1"), 0);
	KT_CHECK_STR(received(fd, buf, sizeof buf), "WATCHDOG=1");
	KT_CHECK_INT(kk_sd_notify("STATUS=首页\nWATCHDOG=1"), 0);
	KT_CHECK_STR(received(fd, buf, sizeof buf), "STATUS=首页\nWATCHDOG=1");
	close(fd);
	unlink(path);
	/* the listener is gone: the send fails, without blocking */
	KT_CHECK_INT(kk_sd_notify("WATCHDOG=1"), KK_EIO);
	kt_rmtree(dir);
	unsetenv("NOTIFY_SOCKET");
}

static void test_abstract_socket(void)
{
	char name[64], buf[512];
	int fd;

	snprintf(name, sizeof name, "@kk-sdnotify-test-%d", (int)getpid());
	fd = listen_at(name);
	KT_REQUIRE(fd >= 0);
	setenv("NOTIFY_SOCKET", name, 1);
	KT_CHECK_INT(kk_sd_notify("READY=1"), 0);
	KT_CHECK_STR(received(fd, buf, sizeof buf), "READY=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void test_refusals(void)
{
	char big[KK_SD_NOTIFY_MAX + 2];

	unsetenv("NOTIFY_SOCKET");
	KT_CHECK_INT(kk_sd_notify("READY=1"), 0); /* not under systemd: nothing to do */
	setenv("NOTIFY_SOCKET", "", 1);
	KT_CHECK_INT(kk_sd_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	KT_CHECK_INT(kk_sd_notify("READY=1"), KK_EINVAL);
	setenv("NOTIFY_SOCKET", "/tmp/kk-sdnotify-a-name-much-longer-than-a-unix-socket-path-may-be-"
				"because-sun_path-holds-only-about-a-hundred-bytes-x", 1);
	KT_CHECK_INT(kk_sd_notify("READY=1"), KK_EINVAL);
	setenv("NOTIFY_SOCKET", "@kk-sdnotify-nobody-listens", 1);
	KT_CHECK_INT(kk_sd_notify(""), KK_EINVAL);
	KT_CHECK_INT(kk_sd_notify(NULL), KK_EINVAL);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	KT_CHECK_INT(kk_sd_notify(big), KK_EINVAL);
	KT_CHECK_INT(kk_sd_notify("READY=1"), KK_EIO); /* nobody bound that name */
	unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog_usec(void)
{
	char pid[32];

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	KT_CHECK(kk_sd_watchdog_usec() == 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	KT_CHECK(kk_sd_watchdog_usec() == 30000000ULL);
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	KT_CHECK(kk_sd_watchdog_usec() == 30000000ULL);
	setenv("WATCHDOG_PID", "1", 1); /* for another process */
	KT_CHECK(kk_sd_watchdog_usec() == 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "30s", 1);
	KT_CHECK(kk_sd_watchdog_usec() == 0);
	unsetenv("WATCHDOG_USEC");
}

KT_MAIN(KT_CASE(test_path_socket), KT_CASE(test_abstract_socket), KT_CASE(test_refusals),
	KT_CASE(test_watchdog_usec))
