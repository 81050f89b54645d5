/*
 * fuzz_syncstate.c — libFuzzer entry point for the data folder's state files (firmware/sync/
 * slots.c): `floor` ("EPOCH.SEQ\n") and `active` ("a\n" / "b\n"), which a power cut, a full
 * disk or a technician's editor may have mangled. abort() marks a violation: the parsers must
 * never read past len, must zero their output on refusal, and an accepted floor must format
 * back to exactly the same bytes (one spelling per value).
 *
 * `make test` replays tests/fuzz/corpus/syncstate/ under ASan+UBSan; `make fuzz` runs libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/apply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kk_sync_version v;
	char *copy, text[KK_SYNC_STATE_FILE_MAX + 1], slot = 'x';
	int n;

	copy = malloc(size ? size : 1); /* exact size: ASan catches any read past the end */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (kk_sync_version_parse(copy, size, &v) == 0) {
		n = kk_sync_version_format(&v, text, sizeof text);
		if (n < 0 || (size_t)n != size || memcmp(text, copy, size) != 0)
			abort();
	} else if (v.epoch != 0 || v.seq != 0) {
		abort();
	}
	if (kk_sync_slot_parse(copy, size, &slot) == 0) {
		if (size != 2 || (slot != 'a' && slot != 'b') || copy[0] != slot)
			abort();
	} else if (slot != 0) {
		abort();
	}
	free(copy);
	return 0;
}
