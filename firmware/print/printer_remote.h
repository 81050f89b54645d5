/*
 * printer_remote.h — the transport under a kk_printer, and the printers that are not files:
 * USB (libusb, usb.h) and IPP Everywhere over TCP or IPP-over-USB (ipp_client.h). Private to
 * firmware/print/.
 */
#ifndef KK_PRINT_PRINTER_REMOTE_H
#define KK_PRINT_PRINTER_REMOTE_H

#include <stddef.h>

#include "print/io.h"
#include "print/printer.h"

struct kk_printer_remote {
	struct kk_print_io io;   /* the byte pipe (file, USB bulk, TCP); closed by close_remote */
	int ipp;                 /* 1: speak IPP over io (else a byte stream of PCL/ESC/POS/PWG) */
	char host[300];          /* IPP: Host header */
	char resource[1024];     /* IPP: "/ipp/print" */
	int reconnect;           /* IPP over TCP: a closed connection may be opened again */
	struct kk_printer_uri uri;
	int timeout_ms;
	/* Optional: the printer's problems now (USB port status); 0 or a negative kk_err. */
	int (*status)(void *ctx, unsigned *problems);
	void *status_ctx;
};

/* Open a USB or ipp:// printer into *r and its page geometry and language into *caps. Same
 * contract as kk_printer_open. */
int kk_printer_open_remote(const struct kk_printer_uri *u, int timeout_ms,
			   struct kk_printer_remote *r, struct kk_printer_caps *caps, char *why,
			   size_t why_size);

/* Send a job as an IPP Print-Job (PWG Raster) over r; same contract as kk_printer_send. */
int kk_printer_send_ipp(struct kk_printer_remote *r, const struct kk_printer_caps *caps,
			const struct kk_print_pages *src, const struct kk_print_send *s,
			struct kk_print_outcome *res);

/* Close the transport (USB: honouring the quirks) and clear r. Safe on a cleared r. */
void kk_printer_close_remote(struct kk_printer_remote *r);

#endif
