/* printer_remote.c — USB and IPP printers (see printer_remote.h). Interim: until the libusb
 * transport and the IPP client are merged, these printers are reported as not available. */
#include "print/printer_remote.h"

#include <stdio.h>

#include "base/err.h"

int kk_printer_open_remote(int usb, const struct kk_printer_uri *u, int timeout_ms,
			   struct kk_print_io *io, struct kk_printer_caps *caps, char *why,
			   size_t why_size)
{
	(void)u, (void)timeout_ms, (void)io, (void)caps;
	snprintf(why, why_size, "%s printers are not supported by this build", usb ? "USB" : "IPP");
	return KK_ENODEV;
}

int kk_printer_send_ipp(const struct kk_print_io *io, const struct kk_printer_uri *u,
			const struct kk_printer_caps *caps, const struct kk_print_pages *src,
			const struct kk_print_send *s, struct kk_print_outcome *res)
{
	(void)io, (void)u, (void)caps, (void)src, (void)s, (void)res;
	return KK_ENODEV;
}
