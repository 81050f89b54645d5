/*
 * pcl_decode.h — the two PCL 5 raster decompressions, written from the PCL 5 manual, for the
 * tests' independent decoders (test_print_lang.c, test_print_gs.c). Never used by the firmware.
 */
#ifndef KK_TESTS_PCL_DECODE_H
#define KK_TESTS_PCL_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Mode 2 (PackBits) into row (n bytes, zero-filled first); -1 on a run past the row. */
static inline int pcl_unpack2(const uint8_t *s, size_t len, uint8_t *row, size_t n)
{
	size_t i = 0, o = 0;

	memset(row, 0, n);
	while (i < len) {
		uint8_t c = s[i++];
		if (c < 128) {
			size_t k = (size_t)c + 1;
			if (i + k > len || o + k > n)
				return -1;
			memcpy(row + o, s + i, k);
			i += k;
			o += k;
		} else if (c > 128) {
			size_t k = 257 - (size_t)c;
			if (i >= len || o + k > n)
				return -1;
			memset(row + o, s[i++], k);
			o += k;
		}
	}
	return 0;
}

/* Mode 3 (delta row) applied to the seed in row; -1 on anything past the row or data. */
static inline int pcl_unpack3(const uint8_t *s, size_t len, uint8_t *row, size_t n)
{
	size_t i = 0, pos = 0;

	while (i < len) {
		uint8_t c = s[i++];
		size_t count = (size_t)(c >> 5) + 1, off = c & 31u;
		if (off == 31) {
			uint8_t more;
			do {
				if (i >= len)
					return -1;
				more = s[i++];
				off += more;
			} while (more == 255);
		}
		pos += off;
		if (i + count > len || pos + count > n)
			return -1;
		memcpy(row + pos, s + i, count);
		i += count;
		pos += count;
	}
	return 0;
}

#endif
