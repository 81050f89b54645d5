/* raster.c — the page bitmap of raster.h. */
#include "raster.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"

/*
 * Bytes of a packed row. Checked by kk_raster_init against KK_RASTER_MAX_DIM first, so the
 * product never overflows 32 bits.
 */
uint32_t kk_raster_row_bytes(uint32_t width, unsigned bits)
{
	if (bits == KK_RASTER_MONO)
		return (width + 7u) / 8u;
	if (bits == KK_RASTER_GREY)
		return width;
	return 0;
}

/*
 * Validate the geometry and allocate a white page. MONO white is all zero bits, GREY white
 * all 255. One allocation of at most 16384 * 16384 bytes (GREY at the caps, 256 MiB); a real
 * A4 page at 600 dpi is 4.4 MB MONO.
 */
int kk_raster_init(struct kk_raster *r, uint32_t width, uint32_t height, unsigned bits,
		   unsigned dpi)
{
	int rc = KK_EINVAL;
	size_t size;

	memset(r, 0, sizeof *r);
	if (width == 0 || height == 0 || width > KK_RASTER_MAX_DIM || height > KK_RASTER_MAX_DIM)
		goto out;
	if (bits != KK_RASTER_MONO && bits != KK_RASTER_GREY)
		goto out;
	if (dpi < KK_RASTER_MIN_DPI || dpi > KK_RASTER_MAX_DPI)
		goto out;
	r->stride = kk_raster_row_bytes(width, bits);
	size = (size_t)r->stride * height;
	r->data = malloc(size);
	if (!r->data) {
		rc = KK_ENOMEM;
		goto out;
	}
	memset(r->data, bits == KK_RASTER_MONO ? 0x00 : 0xff, size);
	r->width = width;
	r->height = height;
	r->bits = bits;
	r->dpi = dpi;
	rc = 0;
out:
	if (rc)
		memset(r, 0, sizeof *r);
	return rc;
}

/* Free the pixels and zero the struct so a second call is harmless. */
void kk_raster_fini(struct kk_raster *r)
{
	if (!r)
		return;
	free(r->data);
	memset(r, 0, sizeof *r);
}

/* Row pointer; callers keep y < height (an encoder loop bound), not re-checked here. */
uint8_t *kk_raster_row(const struct kk_raster *r, uint32_t y)
{
	return r->data + (size_t)y * r->stride;
}

/* Set or clear one MONO pixel; ignored outside the page or on a GREY raster. */
void kk_raster_mono_set(struct kk_raster *r, uint32_t x, uint32_t y, int ink)
{
	uint8_t *p, m;

	if (r->bits != KK_RASTER_MONO || x >= r->width || y >= r->height)
		return;
	p = kk_raster_row(r, y) + x / 8u;
	m = (uint8_t)(0x80u >> (x % 8u));
	if (ink)
		*p |= m;
	else
		*p &= (uint8_t)~m;
}

/* Read one MONO pixel; 0 outside the page or on a GREY raster. */
int kk_raster_mono_get(const struct kk_raster *r, uint32_t x, uint32_t y)
{
	if (r->bits != KK_RASTER_MONO || x >= r->width || y >= r->height)
		return 0;
	return (kk_raster_row(r, y)[x / 8u] >> (7u - x % 8u)) & 1;
}

/* Copy a row and clear the MONO padding bits of its last byte. */
void kk_raster_row_copy(const struct kk_raster *r, uint32_t y, uint8_t *dst)
{
	uint32_t n = kk_raster_row_bytes(r->width, r->bits);

	memcpy(dst, kk_raster_row(r, y), n);
	if (r->bits == KK_RASTER_MONO && r->width % 8u)
		dst[n - 1] &= (uint8_t)(0xffu << (8u - r->width % 8u));
}

/* All-white test of a copied row. */
int kk_raster_row_blank(const uint8_t *row, size_t n, unsigned bits)
{
	uint8_t white = bits == KK_RASTER_MONO ? 0x00 : 0xff;
	uint64_t w8 = white ? ~(uint64_t)0 : 0, w;
	size_t i = 0;

	/* eight bytes at a time: most rows of a printed page are blank (margins, line gaps) */
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, row + i, 8);
		if (w != w8)
			return 0;
	}
	for (; i < n; i++)
		if (row[i] != white)
			return 0;
	return 1;
}
