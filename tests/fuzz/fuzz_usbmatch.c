/*
 * fuzz_usbmatch.c — libFuzzer entry point for the USB printer selector of kk_usb_open
 * (firmware/print/usb_quirks.c: "" | VID:PID | VID:PID/SERIAL, from the kiosk's config file).
 * abort() marks a violation: an accepted selector must have a NUL-terminated printable-ASCII
 * serial within its size, and must print back ("%x:%x/%s") to a selector that parses to the
 * same thing.
 *
 * `make test` replays tests/fuzz/corpus/usbmatch/ under ASan+UBSan; `make fuzz` runs libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "print/usb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kk_usb_match m, again;
	char *s = malloc(size + 1), back[96];
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (kk_usb_match_parse(s, &m) == 0 && !m.any) {
		size_t n = strnlen(m.serial, sizeof m.serial);
		if (n == sizeof m.serial)
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)m.serial[i] <= 0x20 || (unsigned char)m.serial[i] >= 0x7f)
				abort();
		snprintf(back, sizeof back, n ? "%x:%x/%s" : "%x:%x", m.vid, m.pid, m.serial);
		if (kk_usb_match_parse(back, &again) != 0 || again.vid != m.vid ||
		    again.pid != m.pid || strcmp(again.serial, m.serial) != 0)
			abort();
	}
	free(s);
	return 0;
}
