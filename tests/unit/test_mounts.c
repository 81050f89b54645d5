/*
 * test_mounts.c — firmware/sync/mounts.c: the real /proc/self/mountinfo parses without a
 * skipped line and holds "/"; crafted lines: octal escapes decoded (\040 \134), bad escapes,
 * escapes of control bytes (NUL, tab) and '/', missing " - " separator, too few fields, overlong lines,
 * double spaces, non-numeric ids, the last line without a newline; the root filter (prefix of a
 * name is not "under"); the cap on kept mount points; and the watch: a poke wakes the wait,
 * a timeout returns 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/err.h"
#include "kt.h"
#include "sync/mounts.h"

static struct kk_mounts mm;

static void test_real_mountinfo(void)
{
	KT_REQUIRE(kk_mounts_read(NULL, "/", &mm) == 0);
	KT_CHECK(mm.lines > 0);
	KT_CHECK_INT(mm.skipped, 0);
	KT_CHECK(mm.n > 0);
	{
		int root = 0, proc = 0;
		for (size_t i = 0; i < mm.n; i++) {
			root |= !strcmp(mm.m[i].point, "/");
			proc |= !strcmp(mm.m[i].point, "/proc") && !strcmp(mm.m[i].fstype, "proc");
			KT_CHECK(mm.m[i].fstype[0] != '\0');
		}
		KT_CHECK(root || mm.dropped); /* past KK_MOUNTS_MAX on a busy machine */
		KT_CHECK(proc || mm.dropped);
	}
	/* /proc is mounted where this test reads it */
	KT_REQUIRE(kk_mounts_read(NULL, "/proc", &mm) == 0);
	KT_CHECK(mm.n >= 1);
	KT_CHECK_STR(mm.m[0].point, "/proc");
	KT_CHECK_STR(mm.m[0].fstype, "proc");
}

#define L(point, tail) "36 35 8:17 / " point " rw,noatime " tail "\n"

static void test_crafted(void)
{
	const char *text =
		L("/run/kiosk/usb/MY\\040STICK", "shared:5 - vfat /dev/sdb1 ro,uid=900")
		L("/run/kiosk/usb/TAB\\011X", "- vfat /dev/sdc1 ro")     /* a tab: control */
		L("/run/kiosk/usb/BS\\134Y", "- exfat /dev/sdd1 ro")
		L("/run/kiosk/usb/BAD\\04", "- vfat /dev/sde1 ro")      /* short escape */
		L("/run/kiosk/usb/BAD\\089", "- vfat /dev/sde1 ro")     /* not octal */
		L("/run/kiosk/usb/NUL\\000", "- vfat /dev/sde1 ro")     /* NUL */
		L("/run/kiosk/usb/SL\\057..", "- vfat /dev/sde1 ro")    /* '/' */
		L("/run/kiosk/usb/NOSEP", "vfat /dev/sdf1 ro")          /* no " - " */
		L("/run/kiosk/usb/SHORT", "- vfat")                     /* no source */
		"36 35 8:17 /  /run/kiosk/usb/DOUBLE rw - vfat /dev/x ro\n"
		"x 35 8:17 / /run/kiosk/usb/ID rw - vfat /dev/x ro\n"
		"36 35 817 / /run/kiosk/usb/DEV rw - vfat /dev/x ro\n"
		"36 35 8:17 / relative rw - vfat /dev/x ro\n"
		L("/run/kiosk/usbX", "- vfat /dev/sdg1 ro")             /* a sibling, not under */
		L("/run/kiosk/usb", "- tmpfs tmpfs rw")
		"\n"
		"36 35 8:17 / /run/kiosk/usb/LAST rw - vfat /dev/sdh1 ro"; /* no newline */
	KT_REQUIRE(kk_mounts_parse(text, strlen(text), "/run/kiosk/usb/", &mm) == 0);
	KT_CHECK_INT(mm.lines, 17);
	KT_CHECK_INT(mm.skipped, 12);
	KT_REQUIRE(mm.n == 4);
	KT_CHECK_STR(mm.m[0].point, "/run/kiosk/usb/MY STICK");
	KT_CHECK_STR(mm.m[0].fstype, "vfat");
	KT_CHECK_INT(mm.m[0].major, 8);
	KT_CHECK_INT(mm.m[0].minor, 17);
	KT_CHECK_STR(mm.m[1].point, "/run/kiosk/usb/BS\\Y");
	KT_CHECK_STR(mm.m[2].point, "/run/kiosk/usb");
	KT_CHECK_STR(mm.m[3].point, "/run/kiosk/usb/LAST");
	KT_CHECK(kk_mounts_parse(text, strlen(text), "relative", &mm) == KK_EINVAL);
}

static void test_overlong_and_cap(void)
{
	size_t big = KK_MOUNTS_LINE_MAX + 200, n = 0;
	char *t = malloc(big + 64 * 100);
	KT_REQUIRE(t != NULL);
	n += (size_t)sprintf(t, "1 2 3:4 / /u/");
	memset(t + n, 'a', big - n);
	n = big;
	n += (size_t)sprintf(t + n, " rw - vfat /dev/a ro\n");
	for (int i = 0; i < KK_MOUNTS_MAX + 3; i++)
		n += (size_t)sprintf(t + n, "1 2 3:4 / /u/s%d rw - vfat /dev/a ro\n", i);
	KT_REQUIRE(kk_mounts_parse(t, n, "/u", &mm) == 0);
	KT_CHECK_INT(mm.skipped, 1);
	KT_CHECK_INT(mm.n, KK_MOUNTS_MAX);
	KT_CHECK_INT(mm.dropped, 3);
	/* a mount point longer than KK_MOUNTS_PATH_MAX but within the line cap is skipped too */
	n = (size_t)sprintf(t, "1 2 3:4 / /u/");
	memset(t + n, 'b', KK_MOUNTS_PATH_MAX);
	n += KK_MOUNTS_PATH_MAX;
	n += (size_t)sprintf(t + n, " rw - vfat /dev/a ro\n");
	KT_REQUIRE(kk_mounts_parse(t, n, "/u", &mm) == 0);
	KT_CHECK_INT(mm.n, 0);
	KT_CHECK_INT(mm.skipped, 1);
	free(t);
}

static void test_unescape(void)
{
	char out[16];
	KT_CHECK_INT(kk_mountinfo_unescape("/a\\040b", 7, out, sizeof out), 4);
	KT_CHECK_STR(out, "/a b");
	KT_CHECK_INT(kk_mountinfo_unescape("/a\\", 3, out, sizeof out), KK_EINVAL);
	KT_CHECK_INT(kk_mountinfo_unescape("a", 1, out, sizeof out), KK_EINVAL);
	KT_CHECK_INT(kk_mountinfo_unescape("/0123456789abcdef", 17, out, sizeof out), KK_E2BIG);
	KT_CHECK(kk_mount_under("/run/kiosk/usb/A", "/run/kiosk/usb"));
	KT_CHECK(kk_mount_under("/run/kiosk/usb", "/run/kiosk/usb//"));
	KT_CHECK(!kk_mount_under("/run/kiosk/usbA", "/run/kiosk/usb"));
	KT_CHECK(kk_mount_under("/x", "/"));
}

static void test_watch(void)
{
	struct kk_mount_watch w;
	int ev = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t one = 1;
	KT_REQUIRE(ev >= 0);
	KT_REQUIRE(kk_mount_watch_open(&w, NULL) == 0);
	/* nothing changed since the open: the timeout */
	KT_CHECK_INT(kk_mount_watch_wait(&w, ev, 10), KK_MW_TIMEOUT);
	KT_REQUIRE(write(ev, &one, sizeof one) == sizeof one);
	KT_CHECK(kk_mount_watch_wait(&w, ev, 10000) & KK_MW_POKED);
	kk_mount_watch_close(&w);
	KT_CHECK_INT(w.fd, -1);
	KT_CHECK(kk_mount_watch_open(&w, "/nonexistent/mountinfo") == KK_ENOENT);
	KT_CHECK_INT(kk_mount_watch_wait(&w, -1, 1), KK_MW_TIMEOUT);
	close(ev);
}

KT_MAIN(KT_CASE(test_real_mountinfo), KT_CASE(test_crafted), KT_CASE(test_overlong_and_cap),
	KT_CASE(test_unescape), KT_CASE(test_watch))
