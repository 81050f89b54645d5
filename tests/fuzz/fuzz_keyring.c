/*
 * fuzz_keyring.c — libFuzzer entry point for the keyring parser (firmware/sync/keyring.c): the
 * bytes are a keyring.N carried by a bundle on a USB stick or a download. abort() marks a
 * violation: the parser must never read past len, must leave *out zeroed on failure, and what it
 * accepts must write back to exactly the same text (one spelling per value) and hold the bytes
 * it was given. The same bytes are also counted as a signature file against the parsed roots,
 * which must find no signer.
 *
 * `make test` replays tests/fuzz/corpus/keyring/ under ASan+UBSan; `make fuzz` runs libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/keyring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse, check the invariants above. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kk_keyring k, zero;
	static char text[KK_KEYRING_MAX + 1];
	char *copy, err[128];
	int n;

	copy = malloc(size ? size : 1); /* exact size: ASan catches any read past the end */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (kk_keyring_parse(copy, size, &k, err, sizeof err) == 0) {
		const char *sigs[1] = { copy };
		size_t lens[1] = { size };
		if (k.text_len != size || memcmp(k.text, copy, size) != 0)
			abort();
		n = kk_keyring_write(&k, text, sizeof text);
		if (n < 0 || (size_t)n != size || memcmp(text, copy, size) != 0)
			abort();
		if (kk_keyring_count_signers(k.root, k.n_root, copy, size, sigs, lens, 1) != 0)
			abort(); /* a keyring is not a signature of itself */
	} else if (memcmp(&k, &zero, sizeof k) != 0) {
		abort();
	}
	free(copy);
	return 0;
}
