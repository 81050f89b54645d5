/*
 * escpos.c — ESC/POS raster output (kk_print_lang_escpos) for 58/80 mm thermal receipt
 * printers.
 *
 * A job is ESC @ (initialise). A page goes out as bands of GS v 0 (m = 0, normal density):
 *   1D 76 30 00 xL xH yL yH  then yL+yH*256 rows of xL+xH*256 bytes, MSB = leftmost dot.
 * Bands are KK_ESCPOS_BAND_DEFAULT rows (or opts->band_rows): cheap clones (Xprinter, Gprinter)
 * drop data when one GS v 0 image is larger than their buffer, and a band of 256 rows of 72
 * bytes is 18 KiB. Blank rows are sent like any other: a receipt's white space is part of its
 * layout, and ESC J feed units differ between models. After the page, GS V 66 0 feeds the
 * paper to the cutter and cuts partially (a full cut can drop the receipt on the floor).
 * Copies repeat the page, each with its cut.
 */
#include <stdlib.h>

#include "base/err.h"
#include "print/lang.h"

/* ESC @: clears the print buffer and modes left by whoever used the printer last. */
static int escpos_job_begin(struct kk_buf *out, const struct kk_print_opts *o)
{
	return kk_buf_add(out, "\033@", 2);
}

/* Nothing to close: each page ends with its own cut. */
static int escpos_job_end(struct kk_buf *out, const struct kk_print_opts *o)
{
	return 0;
}

/* One band of rows [y0, y0 + rows) as a GS v 0 command; row is scratch of n bytes. */
static int escpos_band(struct kk_buf *out, const struct kk_raster *r, uint32_t y0, uint32_t rows,
		       uint8_t *row, size_t n)
{
	uint8_t head[8] = { 0x1d, 0x76, 0x30, 0x00, (uint8_t)(n & 0xff), (uint8_t)(n >> 8),
			    (uint8_t)(rows & 0xff), (uint8_t)(rows >> 8) };
	int rc = kk_buf_add(out, head, sizeof head);

	for (uint32_t y = y0; !rc && y < y0 + rows; y++) {
		kk_raster_row_copy(r, y, row);
		rc = kk_buf_add(out, row, n);
	}
	return rc;
}

/*
 * One page: MONO, at most KK_ESCPOS_MAX_DOTS wide (the layout makes the narrow page; the
 * encoder refuses rather than let the printer wrap or clip). The dpi is not checked: receipt
 * heads are 203 dpi (8 dots/mm) or 180 dpi and print the dots they get.
 */
static int escpos_page(struct kk_buf *out, const struct kk_raster *r,
		       const struct kk_print_opts *o)
{
	int rc = KK_EINVAL;
	unsigned copies = kk_print_opts_copies(o);
	unsigned band = o && o->band_rows ? o->band_rows : KK_ESCPOS_BAND_DEFAULT;
	size_t n;
	uint8_t *row = NULL;

	if (!r || !r->data || r->bits != KK_RASTER_MONO || r->width > KK_ESCPOS_MAX_DOTS ||
	    copies == 0 || band > KK_ESCPOS_BAND_MAX)
		goto out;
	n = kk_raster_row_bytes(r->width, r->bits);
	rc = KK_ENOMEM;
	if (!(row = malloc(n)))
		goto out;
	rc = 0;
	for (unsigned c = 0; !rc && c < copies; c++) {
		for (uint32_t y = 0; !rc && y < r->height; y += band) {
			uint32_t rows = r->height - y < band ? r->height - y : band;
			rc = escpos_band(out, r, y, rows, row, n);
		}
		if (!rc)
			rc = kk_buf_add(out, "\x1dV\x42\x00", 4);
	}
out:
	free(row);
	return rc;
}

const struct kk_print_lang kk_print_lang_escpos = {
	.name = "escpos",
	.job_begin = escpos_job_begin,
	.page = escpos_page,
	.job_end = escpos_job_end,
};
