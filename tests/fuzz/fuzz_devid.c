/*
 * fuzz_devid.c — libFuzzer entry point for the IEEE-1284 device-ID parser (firmware/print/
 * devid.c): the bytes are what a USB printer answers to GET_DEVICE_ID. abort() marks a
 * violation: every field must come back NUL-terminated, valid UTF-8 and within its size, the
 * CMD count within its cap, and the language choice must give a valid UTF-8 message.
 *
 * `make test` replays tests/fuzz/corpus/devid/ under ASan+UBSan; `make fuzz` runs libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "print/devid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_field(const char *f, size_t cap)
{
	size_t n = strnlen(f, cap);
	if (n == cap || !kk_utf8_valid(f, n, NULL))
		abort();
}

/* Parse with and without the length prefix; check every field and the choice's message. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1); /* exact size: ASan catches reads past the end */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (int prefix = 0; prefix < 2; prefix++) {
		struct kk_devid id;
		char msg[600];
		if (kk_devid_parse(copy, size, prefix ? KK_DEVID_LEN_AUTO : KK_DEVID_LEN_NONE, &id))
			continue;
		check_field(id.mfg, sizeof id.mfg);
		check_field(id.mdl, sizeof id.mdl);
		check_field(id.cls, sizeof id.cls);
		check_field(id.des, sizeof id.des);
		check_field(id.sn, sizeof id.sn);
		if (id.n_cmd < 0 || id.n_cmd > KK_DEVID_MAX_CMDS)
			abort();
		for (int k = 0; k < id.n_cmd; k++)
			check_field(id.cmd[k], sizeof id.cmd[0]);
		for (int proto = 0; proto <= 4; proto += 2) {
			int lang = kk_print_choose(&id, proto, msg, sizeof msg);
			if (lang < KK_LANG_NONE || lang > KK_LANG_HOSTBASED ||
			    !kk_utf8_valid(msg, strlen(msg), NULL))
				abort();
		}
	}
	free(copy);
	return 0;
}
