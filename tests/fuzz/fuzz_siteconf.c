/*
 * fuzz_siteconf.c — libFuzzer entry point for the site.conf parser and the signature's trusted
 * comment parser (firmware/sync/siteconf.c): a site.conf comes from a USB stick. abort() marks
 * a violation: a refused config leaves *out zeroed and lists at least one problem, each
 * NUL-terminated; an accepted one has a site name, a kiosk id, 1..4 trusted keys and every field
 * NUL-terminated. The same bytes (cut at the first newline) are tried as a trusted comment;
 * what it accepts must format back to exactly the same text.
 *
 * `make test` replays tests/fuzz/corpus/siteconf/ under ASan+UBSan; `make fuzz` runs libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/siteconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kk_site_conf zero;
	static struct kk_site_conf c;
	static struct kk_site_problems p;
	struct kk_site_tag tag;
	char *copy = malloc(size ? size : 1), line[256], back[256];
	size_t n;
	int rc;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rc = kk_site_conf_parse(copy, size, "site.conf", &c, &p);
	if (rc == 0) {
		if (!c.site_name[0] || !c.kiosk_id[0] || c.n_keys < 1 || c.n_keys > KK_SITE_KEYS_MAX ||
		    p.n != 0)
			abort();
		if (strnlen(c.site_name, sizeof c.site_name) == sizeof c.site_name ||
		    strnlen(c.open_days, sizeof c.open_days) == sizeof c.open_days ||
		    strnlen(c.sync_url, sizeof c.sync_url) == sizeof c.sync_url)
			abort();
	} else {
		if (memcmp(&c, &zero, sizeof c) != 0 || (rc == -3 && p.n == 0 && p.dropped == 0))
			abort();
		for (size_t i = 0; i < p.n; i++)
			if (strnlen(p.text[i], sizeof p.text[i]) == sizeof p.text[i])
				abort();
	}
	n = size < sizeof line - 1 ? size : sizeof line - 1;
	memcpy(line, data, n);
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (kk_site_tag_parse(line, &tag) == 0) {
		if (kk_site_tag_format(&tag, back, sizeof back) != 0 || strcmp(back, line) != 0)
			abort();
	}
	free(copy);
	return 0;
}
