/*
 * lang.h — the print languages the kiosk emits from its own raster, as one backend table.
 *
 * Each language is a `const struct kk_print_lang` of three hooks writing into a caller-owned
 * kk_buf whose cap bounds the output (KK_E2BIG when a job or page would pass it). A job is
 * job_begin, then page once per page, then job_end; the caller sends the buffer to the
 * transport whenever it likes (after each page, say) and may kk_buf_reset() it in between: the
 * encoders keep no state across calls, everything a page needs is in its arguments.
 *
 * Contract for every hook: pure computation, no I/O, no global state, so any worker thread may
 * call it; returns 0 or a negative kk_err; on error the buffer may hold a partial page, which
 * the caller must drop with the job.
 *
 *   kk_print_lang_pcl     PCL 5 raster (lasers whose IEEE-1284 CMD lists PCL). MONO only,
 *                         300 or 600 dpi, A4.
 *   kk_print_lang_escpos  ESC/POS GS v 0 raster for 58/80 mm receipt printers. MONO only,
 *                         at most KK_ESCPOS_MAX_DOTS wide.
 *   kk_print_lang_pwg     PWG Raster (PWG 5102.4) for IPP Everywhere: MONO as black_1,
 *                         GREY as sgray_8.
 */
#ifndef KK_PRINT_LANG_H
#define KK_PRINT_LANG_H

#include "base/buf.h"
#include "print/raster.h"

/* The widest ESC/POS raster: 80 mm paper at 203 dpi (72 mm printable) is 576 dots. */
#define KK_ESCPOS_MAX_DOTS 576u
/* Rows per GS v 0 band: the command allows up to 2303, small printers buffer less. */
#define KK_ESCPOS_BAND_DEFAULT 256u
#define KK_ESCPOS_BAND_MAX 2303u
#define KK_PRINT_MAX_COPIES 99u

struct kk_print_opts {
	unsigned copies;        /* 1..KK_PRINT_MAX_COPIES; 0 means 1 */
	const char *media_type; /* PWG MediaType keyword ("stationery"); NULL or "" leaves it empty */
	unsigned total_pages;   /* PWG TotalPageCount; 0 = not known */
	unsigned band_rows;     /* ESC/POS rows per band, 1..KK_ESCPOS_BAND_MAX; 0 = default */
};

struct kk_print_lang {
	const char *name; /* "pcl", "escpos", "pwg" */
	/* Bytes that open a job (reset, sync word). */
	int (*job_begin)(struct kk_buf *out, const struct kk_print_opts *o);
	/* One page. KK_EINVAL when the raster does not suit the language (depth, dpi, width). */
	int (*page)(struct kk_buf *out, const struct kk_raster *r, const struct kk_print_opts *o);
	/* Bytes that close a job (reset, UEL); may be none. */
	int (*job_end)(struct kk_buf *out, const struct kk_print_opts *o);
};

extern const struct kk_print_lang kk_print_lang_pcl;
extern const struct kk_print_lang kk_print_lang_escpos;
extern const struct kk_print_lang kk_print_lang_pwg;

/* The language named name ("pcl", "escpos", "pwg"), or NULL. */
const struct kk_print_lang *kk_print_lang_find(const char *name);

/* Copies asked for by o: 1 for NULL or 0, the number if 1..KK_PRINT_MAX_COPIES, else 0 (the
 * hooks then return KK_EINVAL). */
unsigned kk_print_opts_copies(const struct kk_print_opts *o);

#endif
