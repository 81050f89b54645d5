/*
 * fuzz_mountinfo.c — libFuzzer entry point for the /proc/self/mountinfo parser (firmware/sync/
 * mounts.c): mount points come from stick labels, so the text is hostile. abort() marks a
 * violation: every kept mount point must be absolute, NUL-terminated within its field, free of
 * control bytes, and at or under the root asked for; the counts must add up (kept + dropped +
 * skipped never above the lines seen).
 *
 * `make test` replays tests/fuzz/corpus/mountinfo/ under ASan+UBSan; `make fuzz` runs libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/mounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *copy, size_t size, const char *root)
{
	static struct kk_mounts m;
	if (kk_mounts_parse(copy, size, root, &m) != 0)
		abort();
	if (m.n > KK_MOUNTS_MAX || m.n + m.dropped + m.skipped > m.lines)
		abort();
	for (size_t i = 0; i < m.n; i++) {
		size_t len = strnlen(m.m[i].point, sizeof m.m[i].point);
		if (len == sizeof m.m[i].point || m.m[i].point[0] != '/' ||
		    !kk_mount_under(m.m[i].point, root))
			abort();
		for (size_t k = 0; k < len; k++)
			if ((unsigned char)m.m[i].point[k] < 0x20)
				abort();
		if (strnlen(m.m[i].fstype, sizeof m.m[i].fstype) == sizeof m.m[i].fstype)
			abort();
	}
}

/* Parse the bytes against a few roots. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1); /* exact size: ASan catches any read past the end */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	check(copy, size, "/");
	check(copy, size, "/run/kiosk/usb");
	check(copy, size, "/run/kiosk/usb/");
	free(copy);
	return 0;
}
