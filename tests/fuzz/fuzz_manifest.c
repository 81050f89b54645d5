/*
 * fuzz_manifest.c — libFuzzer entry point for the bundle manifest parser (firmware/sync/
 * manifest.c): the bytes are a manifest from a USB stick or a download. abort() marks a
 * violation: the parser must never read past len, must leave *out zeroed on failure, and what it
 * accepts must write back to exactly the same text (the format has one spelling per value) and
 * parse again to the same struct. The same bytes are also given to the signature verifier
 * as a signature file, which must refuse them without a crash.
 *
 * `make test` replays tests/fuzz/corpus/manifest/ under ASan+UBSan; `make fuzz` runs libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/manifest.h"
#include "sync/minisign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse, check the invariants above, and try the bytes as a signature file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kk_manifest zero;
	struct kk_manifest m, again;
	struct kk_ms_pub pub;
	char *copy, text[KK_MANIFEST_MAX + 1], err[128];
	int n;

	copy = malloc(size ? size : 1); /* exact size: ASan catches any read past the end */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (kk_manifest_parse(copy, size, &m, err, sizeof err) == 0) {
		n = kk_manifest_write(&m, text, sizeof text);
		if (n < 0 || (size_t)n != size || memcmp(text, copy, size) != 0)
			abort();
		if (kk_manifest_parse(text, (size_t)n, &again, NULL, 0) != 0 ||
		    memcmp(&m, &again, sizeof m) != 0)
			abort();
	} else if (memcmp(&m, &zero, sizeof m) != 0) {
		abort();
	}
	memset(&pub, 0, sizeof pub);
	if (kk_ms_verify(&pub, copy, size, copy, size, NULL, 0) == 0)
		abort(); /* the all-zero key verifies nothing */
	free(copy);
	return 0;
}
