/*
 * raster.h — a page bitmap as the print languages consume it (no libusb, no SDL here).
 *
 * Two depths only, the two a printer of a reading point needs:
 *   KK_RASTER_MONO  1 bit per pixel, MSB first, bit set = ink (black). This is the order of
 *                   PCL raster, ESC/POS GS v 0, PBM and PWG "black_1", so rows go to the wire
 *                   without bit twiddling.
 *   KK_RASTER_GREY  8 bits per pixel, 0 = black, 255 = white (PWG "sgray_8").
 * Rows are `stride` bytes apart; the bits of a MONO row past `width` are padding that the
 * encoders mask off, so a caller drawing straight into `data` cannot print garbage at the edge.
 * dpi is the same across and down (300 or 600 on lasers, 203 on receipt printers).
 *
 * A kk_raster owns its data (kk_raster_init/kk_raster_fini). Not thread-safe; a page belongs
 * to the one worker that rasterises and encodes it.
 */
#ifndef KK_PRINT_RASTER_H
#define KK_PRINT_RASTER_H

#include <stddef.h>
#include <stdint.h>

enum kk_raster_depth { KK_RASTER_MONO = 1, KK_RASTER_GREY = 8 };

/* Largest width or height in pixels: A4 at 1200 dpi is 9921 x 14031. */
#define KK_RASTER_MAX_DIM 16384u
#define KK_RASTER_MIN_DPI 72u
#define KK_RASTER_MAX_DPI 1200u

struct kk_raster {
	uint32_t width, height; /* pixels */
	uint32_t stride;        /* bytes from one row to the next */
	unsigned bits;          /* enum kk_raster_depth */
	unsigned dpi;
	uint8_t *data;          /* height * stride bytes, owned */
};

/*
 * Allocate a white page of width x height pixels at the given depth and resolution; stride is
 * the packed row size. Returns 0, KK_EINVAL (zero or over KK_RASTER_MAX_DIM, bad depth or dpi)
 * or KK_ENOMEM; on error *r is left empty and kk_raster_fini(r) is still safe. The caller owns
 * r->data and frees it with kk_raster_fini().
 */
int kk_raster_init(struct kk_raster *r, uint32_t width, uint32_t height, unsigned bits,
		   unsigned dpi);

/* Free the pixels; r is left empty. Safe on a zeroed or already finished raster. */
void kk_raster_fini(struct kk_raster *r);

/* Bytes a packed row of `width` pixels at `bits` per pixel takes (0 for a bad depth). */
uint32_t kk_raster_row_bytes(uint32_t width, unsigned bits);

/* Row y (y < height); the pointer belongs to r. */
uint8_t *kk_raster_row(const struct kk_raster *r, uint32_t y);

/* MONO only: set (ink != 0) or clear the pixel (x, y); out-of-page pixels are ignored. */
void kk_raster_mono_set(struct kk_raster *r, uint32_t x, uint32_t y, int ink);

/* MONO only: 1 if the pixel carries ink, 0 if not or outside the page. */
int kk_raster_mono_get(const struct kk_raster *r, uint32_t x, uint32_t y);

/*
 * Copy row y into dst (kk_raster_row_bytes(width, bits) bytes) with the MONO padding bits past
 * width cleared. Encoders read rows through this so they never emit the padding.
 */
void kk_raster_row_copy(const struct kk_raster *r, uint32_t y, uint8_t *dst);

/* 1 if the n bytes of a row copied with kk_raster_row_copy are all white (0 MONO, 255 GREY). */
int kk_raster_row_blank(const uint8_t *row, size_t n, unsigned bits);

#endif
