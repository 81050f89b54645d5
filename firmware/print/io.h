/*
 * io.h — a byte pipe to a printer, as the print languages and IPP see it.
 *
 * Every transport (USB bulk endpoints through libusb, a TCP socket for ipp://, a file for
 * tests and `file:` URIs) is a `const struct kk_print_io_ops` table plus its context. The
 * IPP client speaks HTTP/1.1 over one of these, whether the bytes go to a network printer or
 * through the IPP-over-USB interface; the PCL and ESC/POS paths write their encoded pages
 * through one.
 *
 * Contract for every hook:
 *   - finite: no call blocks longer than its timeout_ms (> 0) plus a small constant; a
 *     transport never waits forever on a stalled printer;
 *   - write returns the number of bytes the peer ACCEPTED (possibly fewer than len, possibly
 *     0 on a timeout with nothing taken) or a negative kk_err (KK_ENODEV unplugged,
 *     KK_ETIMEDOUT nothing accepted in time, KK_EPROTO stall/pipe error, KK_EIO). The caller
 *     keeps the count and never resends accepted bytes;
 *   - read returns bytes read (> 0), 0 at end of stream, or a negative kk_err (KK_ETIMEDOUT
 *     when nothing came in time);
 *   - close releases the transport; safe once, after any error.
 * Called from the print worker thread only; not thread-safe.
 */
#ifndef KK_PRINT_IO_H
#define KK_PRINT_IO_H

#include <stddef.h>
#include <sys/types.h>

struct kk_print_io_ops {
	const char *name; /* "usb", "tcp", "file" */
	ssize_t (*write)(void *ctx, const void *buf, size_t len, int timeout_ms);
	ssize_t (*read)(void *ctx, void *buf, size_t len, int timeout_ms);
	void (*close)(void *ctx);
};

struct kk_print_io {
	const struct kk_print_io_ops *ops;
	void *ctx;
};

#endif
