/*
 * pwg.c — PWG Raster output (kk_print_lang_pwg, PWG 5102.4) for IPP Everywhere printers.
 *
 * A job is the sync word "RaS2"; each page is a 1796-byte header (pwg.h) and its rows. MONO
 * pages go out as black_1 (cupsColorSpace 3, bit set = black, as our raster), GREY pages as
 * sgray_8 (cupsColorSpace 18): black_1 and sgray_8 are the two grey types IPP Everywhere
 * printers must accept. Chunky order, one colour.
 *
 * Compression (the only one PWG Raster has): each group of identical lines is one byte "repeat
 * count - 1" (0..255) and the line once, the line as a run of pixel codes where a pixel is one
 * byte here (1 bit/pixel lines count whole bytes as pixels, as CUPS does):
 *   0..127    the next pixel repeated n + 1 times;
 *   129..255  257 - n literal pixels follow (2..128).
 * A lone pixel is a repeat of one. 128 is never written.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "print/lang.h"
#include "print/pwg.h"

/* The sync word: the whole job is one stream of pages after it. */
static int pwg_job_begin(struct kk_buf *out, const struct kk_print_opts *o)
{
	return kk_buf_add(out, KK_PWG_SYNC, 4);
}

/* PWG Raster has no trailer: the stream ends after the last page. */
static int pwg_job_end(struct kk_buf *out, const struct kk_print_opts *o)
{
	return 0;
}

/* Store v big-endian at h + off. */
static void pwg_put32(uint8_t *h, unsigned off, uint32_t v)
{
	h[off] = (uint8_t)(v >> 24);
	h[off + 1] = (uint8_t)(v >> 16);
	h[off + 2] = (uint8_t)(v >> 8);
	h[off + 3] = (uint8_t)v;
}

/* Store s into the 64-byte field at h + off, truncated to 63 bytes so it stays terminated. */
static void pwg_putstr(uint8_t *h, unsigned off, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	memcpy(h + off, s ? s : "", n > 63 ? 63 : n);
}

/*
 * Fill the page header. PageSize is in points (pixels * 72 / dpi, rounded); the PWG size name
 * is set when that is A4 (595 x 842), the only sheet a reading point loads.
 */
static void pwg_header(uint8_t *h, const struct kk_raster *r, const struct kk_print_opts *o,
		       unsigned copies)
{
	uint32_t pw = (uint32_t)(((uint64_t)r->width * 72u + r->dpi / 2) / r->dpi);
	uint32_t ph = (uint32_t)(((uint64_t)r->height * 72u + r->dpi / 2) / r->dpi);

	memset(h, 0, KK_PWG_HEADER_SIZE);
	pwg_putstr(h, KK_PWG_OFF_PWGRASTER, "PwgRaster");
	pwg_putstr(h, KK_PWG_OFF_MEDIA_TYPE, o ? o->media_type : NULL);
	pwg_put32(h, KK_PWG_OFF_HW_RES, r->dpi);
	pwg_put32(h, KK_PWG_OFF_HW_RES + 4, r->dpi);
	pwg_put32(h, KK_PWG_OFF_NUM_COPIES, copies);
	pwg_put32(h, KK_PWG_OFF_PAGE_SIZE, pw);
	pwg_put32(h, KK_PWG_OFF_PAGE_SIZE + 4, ph);
	pwg_put32(h, KK_PWG_OFF_WIDTH, r->width);
	pwg_put32(h, KK_PWG_OFF_HEIGHT, r->height);
	pwg_put32(h, KK_PWG_OFF_BITS_PER_COLOR, r->bits);
	pwg_put32(h, KK_PWG_OFF_BITS_PER_PIXEL, r->bits);
	pwg_put32(h, KK_PWG_OFF_BYTES_PER_LINE, kk_raster_row_bytes(r->width, r->bits));
	pwg_put32(h, KK_PWG_OFF_COLOR_ORDER, 0);
	pwg_put32(h, KK_PWG_OFF_COLOR_SPACE,
		  r->bits == KK_RASTER_MONO ? KK_PWG_CS_BLACK : KK_PWG_CS_SGRAY);
	pwg_put32(h, KK_PWG_OFF_NUM_COLORS, 1);
	pwg_put32(h, KK_PWG_OFF_TOTAL_PAGES, o ? o->total_pages : 0);
	pwg_put32(h, KK_PWG_OFF_CROSS_FEED, 1);
	pwg_put32(h, KK_PWG_OFF_FEED, 1);
	/* the image box is the whole page: the kiosk's raster already leaves the margins white */
	pwg_put32(h, KK_PWG_OFF_IMAGE_BOX + 8, r->width - 1);
	pwg_put32(h, KK_PWG_OFF_IMAGE_BOX + 12, r->height - 1);
	if (pw == 595 && ph == 842)
		pwg_putstr(h, KK_PWG_OFF_PAGE_SIZE_NAME, "iso_a4_210x297mm");
}

/*
 * Encode one line of n one-byte pixels into dst. 2 * n + 2 bytes always suffice (the worst
 * case is a lone pixel, two bytes, before each run of two). Returns the size.
 *
 * Runs of three or more equal pixels are repeats. A pair inside literal pixels stays in the
 * literal (2 bytes there, against 2 for a repeat plus 1 to open the next literal), which is
 * where this differs from CUPS's encoder (the one Ghostscript's pwgraster uses): it never
 * writes more bytes than CUPS and saves one at each such pair.
 */
static size_t pwg_line(const uint8_t *src, size_t n, uint8_t *dst)
{
	size_t i = 0, o = 0;

	while (i < n) {
		size_t run = 1;
		while (i + run < n && run < 128 && src[i + run] == src[i])
			run++;
		if (run >= 3 || i + run == n) {
			dst[o++] = (uint8_t)(run - 1);
			dst[o++] = src[i];
			i += run;
			continue;
		}
		/* literal: stop before three equal pixels, which a repeat codes in two bytes */
		size_t start = i, len = 0;
		while (i < n && len < 128 &&
		       !(i + 2 < n && src[i] == src[i + 1] && src[i] == src[i + 2])) {
			i++;
			len++;
		}
		if (len == 1 || (len == 2 && src[start] == src[start + 1])) {
			/* one pixel, or one pair, before a run: a repeat */
			dst[o++] = (uint8_t)(len - 1);
			dst[o++] = src[start];
			continue;
		}
		dst[o++] = (uint8_t)(257 - len);
		memcpy(dst + o, src + start, len);
		o += len;
	}
	return o;
}

/*
 * One page: header, then groups of up to 256 identical lines. Scratch: the current line, the
 * next one, and the encoded line (bounded by the row size).
 */
static int pwg_page(struct kk_buf *out, const struct kk_raster *r, const struct kk_print_opts *o)
{
	int rc = KK_EINVAL;
	unsigned copies = kk_print_opts_copies(o);
	uint8_t *head = NULL, *cur = NULL, *next = NULL, *enc = NULL;
	size_t n;

	if (!r || !r->data || (r->bits != KK_RASTER_MONO && r->bits != KK_RASTER_GREY) ||
	    copies == 0 || r->dpi == 0)
		goto out;
	n = kk_raster_row_bytes(r->width, r->bits);
	rc = KK_ENOMEM;
	head = malloc(KK_PWG_HEADER_SIZE);
	cur = malloc(n);
	next = malloc(n);
	enc = malloc(2 * n + 2);
	if (!head || !cur || !next || !enc)
		goto out;
	pwg_header(head, r, o, copies);
	if ((rc = kk_buf_add(out, head, KK_PWG_HEADER_SIZE)))
		goto out;
	for (uint32_t y = 0; y < r->height;) {
		uint32_t rep = 1;
		uint8_t count;
		size_t len;

		kk_raster_row_copy(r, y, cur);
		while (y + rep < r->height && rep < 256) {
			kk_raster_row_copy(r, y + rep, next);
			if (memcmp(cur, next, n) != 0)
				break;
			rep++;
		}
		count = (uint8_t)(rep - 1);
		len = pwg_line(cur, n, enc);
		if ((rc = kk_buf_add(out, &count, 1)) || (rc = kk_buf_add(out, enc, len)))
			goto out;
		y += rep;
	}
	rc = 0;
out:
	free(head);
	free(cur);
	free(next);
	free(enc);
	return rc;
}

const struct kk_print_lang kk_print_lang_pwg = {
	.name = "pwg",
	.job_begin = pwg_job_begin,
	.page = pwg_page,
	.job_end = pwg_job_end,
};
