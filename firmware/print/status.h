/*
 * status.h — what is wrong with a printer, in one set of flags every transport fills in.
 *
 * IPP gives printer-state-reasons (media-empty, media-jam, door-open …); a USB printer gives
 * the one-byte port status (paper empty, not selected, error) and errors on its endpoints.
 * Both end up as these flags, so the job worker and the UI speak of one thing. The text for a
 * resident is short, calm and says whom to ask; the log keeps the raw reasons.
 */
#ifndef KK_PRINT_STATUS_H
#define KK_PRINT_STATUS_H

#include <stddef.h>

enum kk_print_problem {
	KK_PP_MEDIA_EMPTY = 1 << 0, /* 缺纸 */
	KK_PP_MEDIA_JAM = 1 << 1,   /* 卡纸 */
	KK_PP_COVER_OPEN = 1 << 2,  /* 盖板打开 */
	KK_PP_OFFLINE = 1 << 3,     /* 脱机 / 未选中 / 关机 */
	KK_PP_TONER_EMPTY = 1 << 4, /* 墨粉/碳粉用完 */
	KK_PP_ERROR = 1 << 5,       /* other error the printer reports */
	KK_PP_GONE = 1 << 6,        /* unplugged / not answering */
	KK_PP_BUSY = 1 << 7         /* printing something else / stopped for a while */
};

/* The sentence for a resident for the most serious problem in flags, e.g.
 * "打印机缺纸，请联系工作人员。"; "" when flags is 0. Static string. */
const char *kk_print_problem_text(unsigned flags);

/* Short English names of every flag set, comma-separated, for logs ("media-empty,offline"). */
void kk_print_problem_names(unsigned flags, char *out, size_t out_size);

/* Flags from one IPP printer-state-reasons keyword (suffixes -error/-warning/-report are
 * ignored for matching; "-report" alone gives 0). Unknown keywords give 0. */
unsigned kk_print_problem_from_ipp(const char *keyword);

/* Flags from the IEEE-1284 port status byte of USB GET_PORT_STATUS: 0x20 paper empty,
 * 0x10 selected, 0x08 not-error (active low). Many printers report it badly: inform only. */
unsigned kk_print_problem_from_port(unsigned char status);

#endif
