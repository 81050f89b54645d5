/* sdnotify.c — see sdnotify.h. */
#include "sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/err.h"

int kk_sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t plen, slen;
	socklen_t salen;
	ssize_t n;
	int fd = -1, rc = 0;

	if (!path || !*path)
		goto out; /* not started by systemd with Type=notify */
	slen = state ? strlen(state) : 0;
	plen = strlen(path);
	if (!slen || slen > KK_SD_NOTIFY_MAX || plen >= sizeof sa.sun_path ||
	    (path[0] != '/' && path[0] != '@')) {
		rc = KK_EINVAL;
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace: the length below bounds the name */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = KK_EIO;
		goto out;
	}
	do
		n = sendto(fd, state, slen, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&sa, salen);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)slen)
		rc = KK_EIO;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

unsigned long long kk_sd_watchdog_usec(void)
{
	const char *us = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	if (!us || !*us)
		return 0;
	if (pid && *pid) {
		errno = 0;
		v = strtoull(pid, &end, 10);
		if (errno || *end || v != (unsigned long long)getpid())
			return 0; /* meant for another process */
	}
	errno = 0;
	v = strtoull(us, &end, 10);
	if (errno || *end)
		return 0;
	return v;
}
