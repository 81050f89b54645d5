/*
 * tcp.h — a kk_print_io over a TCP socket (ipp:// printers on the network), and the parser of
 * the ipp:// URIs staff type into the configuration.
 *
 * Connecting waits at most timeout_ms per address; every read and write waits with poll() for
 * at most the timeout the caller passes (io.h contract). Name resolution goes through
 * getaddrinfo, which has no timeout of its own: a kiosk should be configured with an address
 * literal, or a name the local resolver answers at once.
 *
 * Blocking; for the print worker thread.
 */
#ifndef KK_PRINT_TCP_H
#define KK_PRINT_TCP_H

#include "print/io.h"

#define KK_IPP_DEFAULT_PORT 631u

struct kk_ipp_uri {
	char host[256];        /* "127.0.0.1", "::1" (no brackets), "printer.local" */
	unsigned port;         /* 631 when the URI has none */
	char resource[1024];   /* "/ipp/print"; "/" when the URI has no path */
	char host_header[300]; /* Host header: "127.0.0.1:8631", "[::1]:631" */
};

/*
 * Parse "ipp://HOST[:PORT]/PATH": HOST a name, an IPv4 literal or a bracketed IPv6 literal;
 * PORT 1..65535. Anything else (another scheme, user info, a query, spaces or control
 * characters, over-long parts) is KK_EINVAL. Pure; any thread.
 */
int kk_ipp_uri_parse(const char *uri, struct kk_ipp_uri *out);

/*
 * Connect to host:port within timeout_ms (per address tried) and fill *io; the transport
 * owns the socket and frees it in io->ops->close. Returns 0, KK_EINVAL (bad arguments),
 * KK_ENODEV (name not found), KK_ETIMEDOUT, KK_EIO (refused, unreachable) or KK_ENOMEM.
 */
int kk_print_tcp_open(const char *host, unsigned port, int timeout_ms, struct kk_print_io *io);

extern const struct kk_print_io_ops kk_print_io_tcp;

#endif
