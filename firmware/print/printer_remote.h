/*
 * printer_remote.h — the parts of printer.c that reach real printers: USB (libusb) and IPP
 * (network or IPP-over-USB). Private to firmware/print/.
 */
#ifndef KK_PRINT_PRINTER_REMOTE_H
#define KK_PRINT_PRINTER_REMOTE_H

#include <stddef.h>

#include "print/io.h"
#include "print/printer.h"

/* Open a USB (usb != 0) or ipp:// printer: the transport into *io and the page geometry and
 * language into *caps. Same contract as kk_printer_open. */
int kk_printer_open_remote(int usb, const struct kk_printer_uri *u, int timeout_ms,
			   struct kk_print_io *io, struct kk_printer_caps *caps, char *why,
			   size_t why_size);

/* Send a job as an IPP Print-Job (PWG Raster) over io; same contract as kk_printer_send. */
int kk_printer_send_ipp(const struct kk_print_io *io, const struct kk_printer_uri *u,
			const struct kk_printer_caps *caps, const struct kk_print_pages *src,
			const struct kk_print_send *s, struct kk_print_outcome *res);

#endif
