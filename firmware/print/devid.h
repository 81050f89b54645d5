/*
 * devid.h — the IEEE-1284 device ID of a printer, and the print language the kiosk speaks to it.
 *
 * A USB printer answers the class request GET_DEVICE_ID with a string such as
 *   "MFG:HP;MDL:HP LaserJet Pro M404-M405;CMD:PJL,PCL,PCLXL,URF,PWGRaster;CLS:PRINTER;"
 * behind a two-byte length (big-endian by the standard, little-endian on some devices). The
 * bytes come from the device: every field is capped, anything unprintable is replaced, and no
 * input makes the parser fail except an empty one.
 *
 * The choice (kk_print_choose) reads the interface protocol and CMD: IPP-over-USB (protocol 4)
 * first, then PCL 5 (CMD lists PCL; PCLXL alone is PCL 6, not ours), then ESC/POS for receipt
 * printers. Host-based printers (ZjStream, CAPT, GDI, LIDIL, QPDL/SPL …, and models known to be
 * host-based) cannot print a generic raster: they are refused with a message that names the
 * model and says which printers work. No libusb here: the transport reads the bytes.
 */
#ifndef KK_PRINT_DEVID_H
#define KK_PRINT_DEVID_H

#include <stddef.h>
#include <stdint.h>

#define KK_DEVID_MAX_BYTES 1024 /* longer IDs are read up to this */
#define KK_DEVID_MAX_CMDS 24    /* CMD tokens kept */

struct kk_devid {
	char mfg[64];      /* MFG / MANUFACTURER */
	char mdl[128];     /* MDL / MODEL */
	char cls[32];      /* CLS / CLASS */
	char des[128];     /* DES / DESCRIPTION */
	char sn[64];       /* SN / SERN / SERIALNUMBER */
	char cmd[KK_DEVID_MAX_CMDS][24]; /* CMD / COMMAND SET tokens, upper case */
	int n_cmd;
};

/* Where the length prefix is: none (a string from a config or a test), or the two bytes that
 * GET_DEVICE_ID returns, big-endian or little-endian. KK_DEVID_LEN_AUTO takes whichever of the
 * two fits the buffer (big-endian when both do), as CUPS does. */
enum kk_devid_len { KK_DEVID_LEN_NONE = 0, KK_DEVID_LEN_AUTO };

/*
 * Parse len bytes of a device ID into *out (zeroed first). Keys are case-insensitive; the
 * first of a repeated key wins; values are trimmed, cut at their field's size (at a UTF-8
 * character), and bytes below 0x20 or invalid UTF-8 become '?'. Returns 0, or KK_EINVAL when
 * there is nothing to parse (no bytes, or a prefix and nothing after it).
 */
int kk_devid_parse(const uint8_t *buf, size_t len, enum kk_devid_len prefix, struct kk_devid *out);

enum kk_print_driver {
	KK_LANG_NONE = 0,  /* no language we speak: refused (see the message) */
	KK_LANG_IPP,       /* IPP Everywhere, PWG Raster */
	KK_LANG_PCL,       /* PCL 5 raster */
	KK_LANG_ESCPOS,    /* ESC/POS raster, receipt printers */
	KK_LANG_HOSTBASED  /* refused: needs the maker's driver */
};

/* The name of a language for logs: "ipp" "pcl" "escpos" "host-based" "none". */
const char *kk_print_lang_name(int lang);

/*
 * Choose the language for a printer from its device ID and USB interface protocol (1, 2, 4,
 * or 0 when unknown, e.g. a network printer described by its ID). For KK_LANG_NONE and
 * KK_LANG_HOSTBASED, msg (if not NULL) receives a Chinese sentence for staff that names the
 * model and says what to do; for the others it receives "". Never fails.
 */
int kk_print_choose(const struct kk_devid *id, int usb_protocol, char *msg, size_t msg_size);

#endif
