/*
 * usb_quirks.c — what individual USB printers need done differently, and the printer
 * selector string of kk_usb_open (see usb.h). Pure code: no libusb, no I/O.
 *
 * The rows restate facts collected by the CUPS USB backend's quirks list and the bug reports
 * it cites (Launchpad, Red Hat and Debian bugs, Apple bug numbers); each row names the
 * printer and the report. pid 0 means "every product of the vendor".
 */
#include <ctype.h>
#include <string.h>

#include "base/err.h"
#include "print/usb.h"

#define DELAY_MS 1000 /* what the HP lasers below need before the interface is released */

struct quirk_row {
	uint16_t vid, pid;
	unsigned flags;
};

static const struct quirk_row kk_usb_quirk_rows[] = {
	/* HP DeskJet 8xx/9xx inkjets: bulk IN reads hang or garble the job (CUPS unidir list) */
	{0x03f0, 0x0004, KK_USBQ_UNIDIR}, /* DeskJet 895C */
	{0x03f0, 0x0104, KK_USBQ_UNIDIR}, /* DeskJet 880C */
	{0x03f0, 0x0204, KK_USBQ_UNIDIR}, /* DeskJet 815C */
	{0x03f0, 0x0304, KK_USBQ_UNIDIR}, /* DeskJet 810C/812C */
	{0x03f0, 0x0404, KK_USBQ_UNIDIR}, /* DeskJet 830C */
	/* HP LaserJet 1010/1015/1150/1160/1300/1320: the last page is lost when the interface is
	 * released right after the data (Apple #5789, #5617, #4549, #5121) */
	{0x03f0, 0x0c17, KK_USBQ_DELAY_CLOSE}, /* LaserJet 1010 */
	{0x03f0, 0x0e17, KK_USBQ_DELAY_CLOSE}, /* LaserJet 1015 */
	{0x03f0, 0x0f17, KK_USBQ_DELAY_CLOSE}, /* LaserJet 1150 */
	{0x03f0, 0x1017, KK_USBQ_DELAY_CLOSE}, /* LaserJet 1300 */
	{0x03f0, 0x1117, KK_USBQ_DELAY_CLOSE}, /* LaserJet 1300n */
	{0x03f0, 0x1d17, KK_USBQ_DELAY_CLOSE}, /* LaserJet 1320 */
	{0x03f0, 0x1e17, KK_USBQ_DELAY_CLOSE}, /* LaserJet 1160 */
	/* HP LaserJet P1102: usblp re-attach leaves it unusable (Apple #5310) */
	{0x03f0, 0x002a, KK_USBQ_NO_REATTACH},
	/* HP DesignJet 130: same (Apple #5838) */
	{0x03f0, 0x0314, KK_USBQ_NO_REATTACH},
	/* Lexmark E250d, E238, E260dn, C540n, E120n, MS317dn: re-attaching usblp after a job
	 * wedges the printer (Launchpad #1084164, Apple #4448, #4994, #4778, #5478) */
	{0x043d, 0x00f3, KK_USBQ_NO_REATTACH}, /* E250d */
	{0x043d, 0x00d7, KK_USBQ_NO_REATTACH}, /* E238 */
	{0x043d, 0x009a, KK_USBQ_NO_REATTACH}, /* E238 */
	{0x043d, 0x0123, KK_USBQ_NO_REATTACH}, /* E260dn */
	{0x043d, 0x0139, KK_USBQ_NO_REATTACH}, /* C540n */
	{0x043d, 0x00cc, KK_USBQ_NO_REATTACH}, /* E120n */
	{0x043d, 0x0226, KK_USBQ_NO_REATTACH}, /* MS317dn */
	/* Kyocera FS-820: bidirectional mode hangs; ECOSYS P6026cdn/P6130cdn: no re-attach
	 * (Apple #4900, #5102) */
	{0x0482, 0x0010, KK_USBQ_UNIDIR},
	{0x0482, 0x063f, KK_USBQ_NO_REATTACH},
	{0x0482, 0x0677, KK_USBQ_NO_REATTACH},
	/* Canon PIXMA iP4200/iP4300 and MP2xx/MP5xx inkjets: bulk IN unusable (Apple #4155,
	 * Launchpad #1032385, #1032456) */
	{0x04a9, 0x10a2, KK_USBQ_UNIDIR}, /* iP4200 */
	{0x04a9, 0x10b6, KK_USBQ_UNIDIR}, /* iP4300 */
	{0x04a9, 0x1721, KK_USBQ_UNIDIR}, /* MP210 */
	{0x04a9, 0x170c, KK_USBQ_UNIDIR}, /* MP500 */
	/* Canon MF4150: no re-attach (Launchpad #1160638) */
	{0x04a9, 0x26a3, KK_USBQ_NO_REATTACH},
	/* Canon SELPHY CP photo printers: not driven through the printer class at all */
	{0x04a9, 0x3214, KK_USBQ_BLACKLIST}, /* SELPHY CP800 */
	{0x04a9, 0x3255, KK_USBQ_BLACKLIST}, /* SELPHY CP900 */
	/* Brother HL-1250/1430/1440/1450: no re-attach; the 1440/1450 also unidirectional
	 * (Debian #712512, Launchpad #1038695, #1000253) */
	{0x04f9, 0x0007, KK_USBQ_NO_REATTACH},
	{0x04f9, 0x001a, KK_USBQ_NO_REATTACH},
	{0x04f9, 0x000d, KK_USBQ_NO_REATTACH | KK_USBQ_UNIDIR},
	{0x04f9, 0x000e, KK_USBQ_NO_REATTACH | KK_USBQ_UNIDIR},
	/* Epson Stylus Color 740 / Photo 750: no re-attach, unidirectional (Debian #697970) */
	{0x04b8, 0x0001, KK_USBQ_NO_REATTACH | KK_USBQ_UNIDIR},
	/* Every Samsung: a soft reset after each job cleans up (Launchpad #1032456), and a
	 * SET_CONFIGURATION on an already configured printer makes it drop the next job */
	{0x04e8, 0, KK_USBQ_SOFT_RESET | KK_USBQ_NO_SET_CONFIG},
	/* Samsung ML-2160: bulk IN unusable (Red Hat #873123) */
	{0x04e8, 0x330f, KK_USBQ_UNIDIR},
	/* Star Micronics receipt printers: unidirectional (Apple #5251); TSP743 loses the end of
	 * a receipt without a delayed close (Apple #5443) */
	{0x0519, 0, KK_USBQ_UNIDIR},
	{0x0519, 0x0001, KK_USBQ_DELAY_CLOSE},
	/* Prolific PL2305 USB-to-parallel cable (Launchpad #987485) */
	{0x067b, 0x2305, KK_USBQ_NO_REATTACH | KK_USBQ_SOFT_RESET | KK_USBQ_UNIDIR},
	/* Oki Okipage 14ex, B410d: no re-attach (Launchpad #872483) */
	{0x06bc, 0x000b, KK_USBQ_NO_REATTACH},
	{0x06bc, 0x01c7, KK_USBQ_NO_REATTACH},
	/* Every Xerox (Phaser 3124, WorkCentre 3210/3220 …): no re-attach (Red Hat #867392,
	 * Launchpad #1102470, Apple #5523) */
	{0x0924, 0, KK_USBQ_NO_REATTACH},
	/* Every Zebra label printer: unidirectional, no re-attach (Launchpad #1001028) */
	{0x0a5f, 0, KK_USBQ_UNIDIR | KK_USBQ_NO_REATTACH},
	/* QinHeng CH340S USB-to-parallel cable (Launchpad #1000253) */
	{0x1a86, 0x7584, KK_USBQ_NO_REATTACH},
	/* Citizen CT-S4000 receipt printer: unidirectional, delayed close (Apple #5823) */
	{0x2730, 0x2008, KK_USBQ_UNIDIR | KK_USBQ_DELAY_CLOSE},
};

/* Quirks of vid:pid: vendor-wide rows (pid 0) and the product's own row, OR-ed. */
struct kk_usb_quirks kk_usb_quirks_lookup(uint16_t vid, uint16_t pid)
{
	struct kk_usb_quirks q = {0, 0};
	for (size_t i = 0; i < sizeof kk_usb_quirk_rows / sizeof kk_usb_quirk_rows[0]; i++) {
		const struct quirk_row *r = &kk_usb_quirk_rows[i];
		if (r->vid == vid && (r->pid == 0 || r->pid == pid))
			q.flags |= r->flags;
	}
	if (q.flags & KK_USBQ_DELAY_CLOSE)
		q.delay_close_ms = DELAY_MS;
	return q;
}

/* Parse 1 to 4 hex digits at *s up to the byte stop; advances *s. Returns 0 or KK_EINVAL. */
static int parse_hex16(const char **s, char stop, uint16_t *out)
{
	unsigned v = 0;
	int n = 0;
	const char *p = *s;
	for (; *p && *p != stop; p++, n++) {
		int c = tolower((unsigned char)*p);
		if (n == 4 || !isxdigit(c))
			return KK_EINVAL;
		v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	if (n == 0)
		return KK_EINVAL;
	*out = (uint16_t)v;
	*s = p;
	return 0;
}

/* "" | VID:PID | VID:PID/SERIAL (see usb.h). */
int kk_usb_match_parse(const char *s, struct kk_usb_match *out)
{
	size_t n;
	if (!s || !out)
		return KK_EINVAL;
	memset(out, 0, sizeof *out);
	if (!*s) {
		out->any = 1;
		return 0;
	}
	if (parse_hex16(&s, ':', &out->vid) != 0 || *s++ != ':')
		return KK_EINVAL;
	if (parse_hex16(&s, '/', &out->pid) != 0)
		return KK_EINVAL;
	if (!*s)
		return 0;
	s++; /* the '/' */
	n = strlen(s);
	if (n == 0 || n >= sizeof out->serial)
		return KK_EINVAL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return KK_EINVAL;
	memcpy(out->serial, s, n + 1);
	return 0;
}

/* Does p satisfy m? The serial compares with the USB iSerialNumber, or failing that the
 * device ID's SN field (some printers give only one of the two). */
int kk_usb_match_printer(const struct kk_usb_match *m, const struct kk_usb_printer *p)
{
	if (m->any)
		return p->lang == KK_LANG_IPP || p->lang == KK_LANG_PCL || p->lang == KK_LANG_ESCPOS;
	if (m->vid != p->vid || m->pid != p->pid)
		return 0;
	if (!m->serial[0])
		return 1;
	return strcmp(m->serial, p->serial) == 0 || (p->has_id && strcmp(m->serial, p->id.sn) == 0);
}
