/* tcp.c — kk_print_io over a TCP socket with poll() timeouts, and ipp:// URI parsing. */
#include "print/tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"

struct tcp_ctx {
	int fd;
};

/* Wait for events on fd for at most timeout_ms. Returns 1 ready, KK_ETIMEDOUT, KK_EIO. */
static int tcp_wait(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, timeout_ms > 0 ? timeout_ms : 1);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return KK_EIO;
	if (r == 0)
		return KK_ETIMEDOUT;
	return 1;
}

/* io hook: wait until the socket takes bytes, then send what it takes (never SIGPIPE). */
static ssize_t tcp_write(void *ctx, const void *buf, size_t len, int timeout_ms)
{
	struct tcp_ctx *t = ctx;
	int w = tcp_wait(t->fd, POLLOUT, timeout_ms);
	ssize_t n;

	if (w < 0)
		return w;
	do
		n = send(t->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : KK_EIO;
	return n;
}

/* io hook: wait for bytes, then read what is there; 0 when the peer closed. */
static ssize_t tcp_read(void *ctx, void *buf, size_t len, int timeout_ms)
{
	struct tcp_ctx *t = ctx;
	int w = tcp_wait(t->fd, POLLIN, timeout_ms);
	ssize_t n;

	if (w < 0)
		return w;
	do
		n = recv(t->fd, buf, len, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? KK_ETIMEDOUT : KK_EIO;
	return n;
}

/* io hook: close the socket and free the context. */
static void tcp_close(void *ctx)
{
	struct tcp_ctx *t = ctx;
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

const struct kk_print_io_ops kk_print_io_tcp = {
	.name = "tcp",
	.write = tcp_write,
	.read = tcp_read,
	.close = tcp_close,
};

/* Connect one address without blocking longer than timeout_ms. Returns the fd or an error. */
static int tcp_connect_one(const struct addrinfo *ai, int timeout_ms)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);
	int err = 0, one = 1, rc;
	socklen_t el = sizeof err;

	if (fd < 0)
		return KK_EIO;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto ok;
	if (errno != EINPROGRESS) {
		rc = KK_EIO;
		goto fail;
	}
	if ((rc = tcp_wait(fd, POLLOUT, timeout_ms)) < 0)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
		rc = err == ETIMEDOUT ? KK_ETIMEDOUT : KK_EIO;
		goto fail;
	}
ok:
	/* IPP requests are small and answered before the next: no Nagle delay */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
fail:
	close(fd);
	return rc;
}

/* Resolve host and connect to the first address that answers in time (tcp.h). */
int kk_print_tcp_open(const char *host, unsigned port, int timeout_ms, struct kk_print_io *io)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG };
	struct addrinfo *res = NULL;
	struct tcp_ctx *t = NULL;
	char service[8];
	int rc = KK_EINVAL, fd = -1;

	if (!host || !host[0] || !io || port == 0 || port > 65535 || timeout_ms <= 0)
		goto out;
	snprintf(service, sizeof service, "%u", port);
	if (getaddrinfo(host, service, &hints, &res) != 0 || !res) {
		rc = KK_ENODEV;
		goto out;
	}
	rc = KK_EIO;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = tcp_connect_one(ai, timeout_ms);
		if (fd >= 0)
			break;
		rc = fd;
	}
	if (fd < 0)
		goto out;
	rc = KK_ENOMEM;
	if (!(t = malloc(sizeof *t))) {
		close(fd);
		goto out;
	}
	t->fd = fd;
	io->ops = &kk_print_io_tcp;
	io->ctx = t;
	rc = 0;
out:
	if (res)
		freeaddrinfo(res);
	return rc;
}

/* 1 if c may appear in a host name or an IP literal. */
static int uri_host_char(char c, int v6)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.')
		return 1;
	return v6 && (c == ':' || c == '%');
}

/* Split an ipp:// URI (tcp.h); everything not understood is KK_EINVAL. */
int kk_ipp_uri_parse(const char *uri, struct kk_ipp_uri *out)
{
	const char *p, *h, *he;
	size_t hl, rl;
	int v6 = 0;
	unsigned long port = KK_IPP_DEFAULT_PORT;

	if (!uri || !out)
		return KK_EINVAL;
	memset(out, 0, sizeof *out);
	if (strncmp(uri, "ipp://", 6) != 0)
		return KK_EINVAL;
	h = uri + 6;
	if (*h == '[') {
		v6 = 1;
		he = strchr(++h, ']');
		if (!he)
			return KK_EINVAL;
		p = he + 1;
	} else {
		for (he = h; *he && *he != ':' && *he != '/'; he++)
			;
		p = he;
	}
	hl = (size_t)(he - h);
	if (hl == 0 || hl >= sizeof out->host)
		return KK_EINVAL;
	for (size_t k = 0; k < hl; k++)
		if (!uri_host_char(h[k], v6))
			return KK_EINVAL;
	if (v6 && !memchr(h, ':', hl))
		return KK_EINVAL;
	memcpy(out->host, h, hl);
	if (*p == ':') {
		char *end;
		if (p[1] < '0' || p[1] > '9')
			return KK_EINVAL;
		errno = 0;
		port = strtoul(p + 1, &end, 10);
		if (errno || port == 0 || port > 65535 || end - (p + 1) > 5)
			return KK_EINVAL;
		p = end;
	}
	if (*p != '/' && *p != '\0')
		return KK_EINVAL;
	rl = strlen(p);
	if (rl >= sizeof out->resource)
		return KK_EINVAL;
	for (size_t k = 0; k < rl; k++)
		if ((unsigned char)p[k] <= 0x20 || p[k] == 0x7f || p[k] == '?' || p[k] == '#' ||
		    (unsigned char)p[k] >= 0x80)
			return KK_EINVAL;
	memcpy(out->resource, rl ? p : "/", rl ? rl + 1 : 2);
	out->port = (unsigned)port;
	snprintf(out->host_header, sizeof out->host_header, v6 ? "[%s]:%u" : "%s:%u", out->host,
		 out->port);
	return 0;
}
