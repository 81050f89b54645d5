/*
 * test_print_usb.c — the pure parts of the USB printer transport (firmware/print/usb_quirks.c):
 * the VID:PID quirks table and the printer selector of kk_usb_open. The libusb parts run
 * against fake printers under umockdev in tests/integration/print-usb.sh.
 */
#include <string.h>

#include "base/err.h"
#include "kt.h"
#include "print/usb.h"

static void test_quirks(void)
{
	struct kk_usb_quirks q = kk_usb_quirks_lookup(0x03f0, 0x1017); /* HP LaserJet 1300 */
	KT_CHECK(q.flags == KK_USBQ_DELAY_CLOSE);
	KT_CHECK(q.delay_close_ms >= 500);
	q = kk_usb_quirks_lookup(0x04e8, 0x330f); /* Samsung ML-2160: vendor row + its own */
	KT_CHECK_INT(q.flags, KK_USBQ_SOFT_RESET | KK_USBQ_NO_SET_CONFIG | KK_USBQ_UNIDIR);
	KT_CHECK_INT(q.delay_close_ms, 0);
	q = kk_usb_quirks_lookup(0x04e8, 0x1234); /* any other Samsung: the vendor row */
	KT_CHECK_INT(q.flags, KK_USBQ_SOFT_RESET | KK_USBQ_NO_SET_CONFIG);
	q = kk_usb_quirks_lookup(0x0924, 0x3ce9); /* Xerox Phaser 3124 */
	KT_CHECK_INT(q.flags, KK_USBQ_NO_REATTACH);
	q = kk_usb_quirks_lookup(0x04f9, 0x000e); /* Brother HL-1450 */
	KT_CHECK_INT(q.flags, KK_USBQ_NO_REATTACH | KK_USBQ_UNIDIR);
	q = kk_usb_quirks_lookup(0x04a9, 0x3255); /* Canon SELPHY CP900 */
	KT_CHECK(q.flags & KK_USBQ_BLACKLIST);
	q = kk_usb_quirks_lookup(0x03f0, 0x2b17); /* an HP without a row */
	KT_CHECK_INT(q.flags, 0);
	KT_CHECK_INT(q.delay_close_ms, 0);
	q = kk_usb_quirks_lookup(0, 0);
	KT_CHECK_INT(q.flags, 0);
}

static void test_match_parse(void)
{
	struct kk_usb_match m;
	KT_REQUIRE(kk_usb_match_parse("", &m) == 0);
	KT_CHECK(m.any == 1);
	KT_REQUIRE(kk_usb_match_parse("03f0:2b17", &m) == 0);
	KT_CHECK(!m.any && m.vid == 0x03f0 && m.pid == 0x2b17);
	KT_CHECK_STR(m.serial, "");
	KT_REQUIRE(kk_usb_match_parse("03F0:2B17/ABC123", &m) == 0);
	KT_CHECK(m.vid == 0x03f0 && m.pid == 0x2b17);
	KT_CHECK_STR(m.serial, "ABC123");
	KT_REQUIRE(kk_usb_match_parse("4b8:e", &m) == 0); /* short hex is fine */
	KT_CHECK(m.vid == 0x04b8 && m.pid == 0x000e);

	static const char *bad[] = {
		"03f0",             /* no PID */
		"03f0:",            /* empty PID */
		":2b17",            /* empty VID */
		"03f0:2b17/",       /* empty serial */
		"03f0:2b17:1",      /* trailing bytes */
		"003f0:2b17",       /* five hex digits */
		"03f0:12345",       /* five hex digits */
		"0x3f0:2b17",       /* no 0x */
		"g3f0:2b17",        /* not hex */
		"03f0 :2b17",       /* space */
		"03f0:2b17/AB C",   /* space in the serial */
		"03f0:2b17/AB\tC",  /* control byte */
		"03f0:2b17/\xe4\xb8\xad", /* not ASCII */
		"03f0:2b17/0123456789012345678901234567890123456789012345678901234567890123", /* 64 */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = kk_usb_match_parse(bad[i], &m);
		if (r != KK_EINVAL)
			printf("#   accepted \"%s\"\n", bad[i]);
		KT_CHECK_INT(r, KK_EINVAL);
	}
	KT_CHECK_INT(kk_usb_match_parse(NULL, &m), KK_EINVAL);
	KT_CHECK_INT(kk_usb_match_parse("", NULL), KK_EINVAL);
	/* the longest serial that fits */
	KT_CHECK_INT(kk_usb_match_parse("1:2/012345678901234567890123456789012345678901234567890123456789012", &m), 0);
	KT_CHECK_INT(strlen(m.serial), 63);
}

static void test_match_printer(void)
{
	struct kk_usb_match m;
	struct kk_usb_printer p;
	memset(&p, 0, sizeof p);
	p.vid = 0x03f0, p.pid = 0x2b17, p.lang = KK_LANG_PCL;
	strcpy(p.serial, "ABC123");
	KT_REQUIRE(kk_usb_match_parse("", &m) == 0);
	KT_CHECK(kk_usb_match_printer(&m, &p));
	p.lang = KK_LANG_HOSTBASED; /* "" wants a printer the kiosk can drive */
	KT_CHECK(!kk_usb_match_printer(&m, &p));
	KT_REQUIRE(kk_usb_match_parse("03f0:2b17", &m) == 0);
	KT_CHECK(kk_usb_match_printer(&m, &p)); /* named: listed whatever its language */
	KT_REQUIRE(kk_usb_match_parse("03f0:2b17/ABC123", &m) == 0);
	KT_CHECK(kk_usb_match_printer(&m, &p));
	KT_REQUIRE(kk_usb_match_parse("03f0:2b17/ABC124", &m) == 0);
	KT_CHECK(!kk_usb_match_printer(&m, &p));
	p.serial[0] = '\0'; /* no iSerialNumber: the device ID's SN field counts */
	p.has_id = 1;
	strcpy(p.id.sn, "ABC124");
	KT_CHECK(kk_usb_match_printer(&m, &p));
	KT_REQUIRE(kk_usb_match_parse("03f0:2b18", &m) == 0);
	KT_CHECK(!kk_usb_match_printer(&m, &p));
}

KT_MAIN(KT_CASE(test_quirks), KT_CASE(test_match_parse), KT_CASE(test_match_printer))
