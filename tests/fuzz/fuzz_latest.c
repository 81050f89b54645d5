/*
 * fuzz_latest.c — libFuzzer entry point for the `latest` pointer parser (firmware/sync/
 * latest.c): the bytes come from a web server, a cache or a proxy. abort() marks a violation:
 * the parser must never read past len, must zero *out on refusal, an accepted pointer must
 * write back to exactly the same bytes and parse again to the same struct, and its folder
 * name must be "EPOCH.SEQ". The same bytes also go through the fetch.state parser (an accepted
 * state must format and parse back to the same values) and, as a
 * URL base, through kk_fetch_url_join (which must produce a bounded http(s) URL or refuse).
 *
 * `make test` replays tests/fuzz/corpus/latest/ under ASan+UBSan; `make fuzz` runs libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/latest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kk_latest zero;
	static const struct kk_fetch_state zero_state;
	struct kk_latest l, again;
	struct kk_fetch_state st;
	char *copy, text[KK_LATEST_MAX + 1], url[KK_FETCH_URL_MAX], *base;
	int n;

	copy = malloc(size ? size : 1); /* exact size: ASan catches any read past the end */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (kk_latest_parse(copy, size, &l) == 0) {
		n = kk_latest_write(&l, text, sizeof text);
		if (n < 0 || (size_t)n != size || memcmp(text, copy, size) != 0)
			abort();
		if (kk_latest_parse(text, (size_t)n, &again) != 0 || memcmp(&l, &again, sizeof l))
			abort();
	} else if (memcmp(&l, &zero, sizeof l) != 0) {
		abort();
	}
	if (kk_fetch_state_parse(copy, size, &st) != 0) {
		if (memcmp(&st, &zero_state, sizeof st))
			abort();
	} else { /* what parses writes back and parses to the same schedule */
		struct kk_fetch_state st2;
		n = kk_fetch_state_format(&st, text, sizeof text);
		if (n < 0 || kk_fetch_state_parse(text, (size_t)n, &st2) != 0 ||
		    st2.failures != st.failures || st2.last != st.last || st2.jitter != st.jitter)
			abort();
	}
	base = malloc(size + 1);
	if (base) {
		memcpy(base, data, size);
		base[size] = '\0';
		if (kk_fetch_url_join(url, sizeof url, base, "stable", "1.5/manifest") == 0 &&
		    (strncmp(url, "http", 4) != 0 || strlen(url) >= sizeof url ||
		     strchr(url, ' ') || strchr(url, '\n')))
			abort();
		free(base);
	}
	free(copy);
	return 0;
}
