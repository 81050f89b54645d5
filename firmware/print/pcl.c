/*
 * pcl.c — PCL 5 raster output (kk_print_lang_pcl), for USB lasers whose CMD: lists PCL.
 *
 * A job is UEL + ESC E, pages, ESC E + UEL. A page selects A4, portrait, copies and the raster
 * resolution, sets the source width, moves to the top left and starts raster graphics; each
 * row then goes out as ESC*b#W in whichever of two compressions is smaller for that row, the
 * mode switch included:
 *   mode 2  TIFF PackBits, trailing zero bytes dropped (the printer fills the row with zeros);
 *   mode 3  delta row: only the bytes that differ from the seed row (the previous row sent).
 * Runs of blank rows are not sent: ESC*b#Y moves down instead. The printer zeroes its seed
 * row on a Y offset and at the start of raster graphics, so the encoder does the same.
 * ESC*rB ends raster graphics and a form feed ejects the page; trailing blank rows cost
 * nothing. The tests decode all of this back bit for bit (tests/unit/test_print_lang.c).
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "print/lang.h"

#define PCL_UEL "\033%-12345X"

/* Index of the first byte at or after i where a and b differ (n when none); eight bytes at
 * a time, as long stretches of a row are equal to the seed or blank. */
static size_t pcl_same_until(const uint8_t *a, const uint8_t *b, size_t i, size_t n)
{
	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			break;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static const uint8_t pcl_zeros[128];

/*
 * PackBits (PCL compression mode 2): a control byte n of 0..127 copies the next n+1 bytes,
 * 129..255 repeats the next byte 257-n times, 128 is a no-op we never emit. Runs of three or
 * more equal bytes are repeated; anything else goes into literals of up to 128 bytes. dst
 * needs n + n / 128 + 1 bytes. Returns the encoded size.
 */
static size_t pcl_packbits(const uint8_t *src, size_t n, uint8_t *dst)
{
	size_t i = 0, o = 0;

	while (i < n) {
		size_t run = 1;
		if (src[i] == 0) { /* white: the commonest run, measured a word at a time */
			size_t m = n - i < 128 ? n - i : 128;
			run = pcl_same_until(src + i, pcl_zeros, 0, m);
		} else {
			while (i + run < n && run < 128 && src[i + run] == src[i])
				run++;
		}
		if (run >= 3) {
			dst[o++] = (uint8_t)(257 - run);
			dst[o++] = src[i];
			i += run;
			continue;
		}
		/* a literal: up to 128 bytes, stopping before a run of three */
		size_t start = i, len = 0;
		while (i < n && len < 128) {
			if (i + 2 < n && src[i] == src[i + 1] && src[i] == src[i + 2])
				break;
			i++;
			len++;
		}
		dst[o++] = (uint8_t)(len - 1);
		memcpy(dst + o, src + start, len);
		o += len;
	}
	return o;
}

/*
 * Delta row (PCL compression mode 3) of row against seed, n bytes each. Each command byte is
 * (count - 1) << 5 | offset, count 1..8 replacement bytes following, offset counted from the
 * byte after the previous replacement; an offset of 31 or more is 31 in the command plus
 * extra bytes that add up to the rest, 255 meaning "another follows". Bytes equal to the seed
 * are never sent. dst needs 2 * n + 8 bytes (worst case 9 per 8 changed bytes, plus offset
 * bytes that only occur after 31 unchanged ones). Returns the encoded size.
 */
static size_t pcl_delta(const uint8_t *row, const uint8_t *seed, size_t n, uint8_t *dst)
{
	size_t i = 0, o = 0, pos = 0;

	while (i < n) {
		i = pcl_same_until(row, seed, i, n);
		if (i >= n)
			break;
		size_t start = i, count, off;
		while (i < n && row[i] != seed[i] && i - start < 8)
			i++;
		count = i - start;
		off = start - pos;
		dst[o++] = (uint8_t)(((count - 1) << 5) | (off < 31 ? off : 31));
		if (off >= 31) {
			off -= 31;
			while (off >= 255) {
				dst[o++] = 255;
				off -= 255;
			}
			dst[o++] = (uint8_t)off;
		}
		memcpy(dst + o, row + start, count);
		o += count;
		pos = i;
	}
	return o;
}

/* UEL then a printer reset: whatever the last job left (PJL, another PCL job) is gone. */
static int pcl_job_begin(struct kk_buf *out, const struct kk_print_opts *o)
{
	return kk_buf_add(out, PCL_UEL "\033E", sizeof PCL_UEL - 1 + 2);
}

/* Reset again so the next job starts clean, and UEL to hand the printer back to PJL. */
static int pcl_job_end(struct kk_buf *out, const struct kk_print_opts *o)
{
	return kk_buf_add(out, "\033E" PCL_UEL, 2 + sizeof PCL_UEL - 1);
}

/*
 * One page. Scratch: the current row, the seed row and one output area per mode, each bounded
 * by the row size (at most 2048 bytes at KK_RASTER_MAX_DIM). Blank rows accumulate in `skip`
 * and go out as one Y offset before the next row with ink.
 */
static int pcl_page(struct kk_buf *out, const struct kk_raster *r, const struct kk_print_opts *o)
{
	int rc = KK_EINVAL, mode = -1;
	unsigned copies = kk_print_opts_copies(o);
	size_t n, skip = 0;
	uint8_t *row = NULL, *seed = NULL, *m2 = NULL, *m3 = NULL;

	if (!r || !r->data || r->bits != KK_RASTER_MONO || (r->dpi != 300 && r->dpi != 600) ||
	    copies == 0)
		goto out;
	n = kk_raster_row_bytes(r->width, r->bits);
	rc = KK_ENOMEM;
	row = malloc(n);
	seed = calloc(1, n);
	m2 = malloc(2 * n + 2); /* PackBits never needs more than n + n / 128 + 1 */
	m3 = malloc(2 * n + 8);
	if (!row || !seed || !m2 || !m3)
		goto out;
	/* A4, portrait, no top margin, copies, resolution, width, top left, start at the cursor */
	rc = kk_buf_addf(out, "\033&l26A\033&l0o0E\033&l%uX\033*t%uR\033*r%uS\033*p0x0Y\033*r1A",
			 copies, r->dpi, (unsigned)r->width);
	if (rc)
		goto out;
	for (uint32_t y = 0; y < r->height; y++) {
		size_t l2, l3, c2, c3;
		int want;

		kk_raster_row_copy(r, y, row);
		if (kk_raster_row_blank(row, n, r->bits)) {
			skip++;
			continue;
		}
		if (skip) {
			if ((rc = kk_buf_addf(out, "\033*b%zuY", skip)))
				goto out;
			memset(seed, 0, n); /* the printer zeroes its seed on a Y offset */
			skip = 0;
		}
		l3 = pcl_delta(row, seed, n, m3);
		if (l3 == 0 || (l3 <= 2 && mode == 3)) {
			/* the row is (nearly) the seed: no PackBits row can be smaller */
			l2 = (size_t)-1 / 4;
		} else {
			l2 = n;
			while (l2 > 0 && row[l2 - 1] == 0)
				l2--;
			l2 = pcl_packbits(row, l2, m2);
		}
		c2 = l2 + (mode == 2 ? 0 : 2); /* "2m" inside the ESC*b group */
		c3 = l3 + (mode == 3 ? 0 : 2);
		want = c3 < c2 || (c3 == c2 && mode == 3) ? 3 : 2;
		if (want != mode)
			rc = kk_buf_addf(out, "\033*b%dm%zuW", want, want == 2 ? l2 : l3);
		else
			rc = kk_buf_addf(out, "\033*b%zuW", want == 2 ? l2 : l3);
		if (rc || (rc = kk_buf_add(out, want == 2 ? m2 : m3, want == 2 ? l2 : l3)))
			goto out;
		mode = want;
		memcpy(seed, row, n);
	}
	rc = kk_buf_add(out, "\033*rB\f", 5);
out:
	free(row);
	free(seed);
	free(m2);
	free(m3);
	return rc;
}

const struct kk_print_lang kk_print_lang_pcl = {
	.name = "pcl",
	.job_begin = pcl_job_begin,
	.page = pcl_page,
	.job_end = pcl_job_end,
};
