/* utf8.c — see utf8.h. */
#include "utf8.h"

int32_t kk_utf8_next(const char *str, size_t len, size_t *i)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t p = *i;
	uint32_t cp, min;
	unsigned n, k;

	if (p >= len)
		return -1;
	if (s[p] < 0x80) {
		*i = p + 1;
		return s[p];
	}
	if ((s[p] & 0xE0) == 0xC0) {
		n = 1; cp = s[p] & 0x1F; min = 0x80;
	} else if ((s[p] & 0xF0) == 0xE0) {
		n = 2; cp = s[p] & 0x0F; min = 0x800;
	} else if ((s[p] & 0xF8) == 0xF0) {
		n = 3; cp = s[p] & 0x07; min = 0x10000;
	} else {
		goto bad;
	}
	if (len - p <= n)
		goto bad;
	for (k = 1; k <= n; k++) {
		if ((s[p + k] & 0xC0) != 0x80)
			goto bad;
		cp = (cp << 6) | (s[p + k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		goto bad;
	*i = p + n + 1;
	return (int32_t)cp;
bad:
	*i = p + 1;
	return -1;
}

size_t kk_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp <= 0x10FFFF) {
		out[0] = (char)(0xF0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		return 4;
	}
	return 0;
}

int kk_utf8_valid(const char *s, size_t len, size_t *bad)
{
	size_t i = 0;
	while (i < len) {
		size_t at = i;
		if (kk_utf8_next(s, len, &i) < 0) {
			if (bad)
				*bad = at;
			return 0;
		}
	}
	return 1;
}

size_t kk_utf8_count(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	while (i < len) {
		kk_utf8_next(s, len, &i);
		n++;
	}
	return n;
}
