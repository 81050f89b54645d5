/*
 * pwg.h — byte offsets of the PWG Raster page header (PWG 5102.4, section 4.3) that
 * pwg.c writes; shared with the tests' decoder so both read one table.
 *
 * The header is 1796 bytes, big-endian integers, NUL-padded strings of 64 bytes; every field
 * not listed is written as zero (the spec's "reserved" and the ones left at default).
 */
#ifndef KK_PRINT_PWG_H
#define KK_PRINT_PWG_H

#define KK_PWG_SYNC "RaS2"
#define KK_PWG_HEADER_SIZE 1796u

enum kk_pwg_offset {
	KK_PWG_OFF_PWGRASTER = 0,     /* "PwgRaster" */
	KK_PWG_OFF_MEDIA_TYPE = 128,  /* media-type keyword, "stationery" */
	KK_PWG_OFF_HW_RES = 276,      /* two uint32: dpi across, down */
	KK_PWG_OFF_NUM_COPIES = 340,
	KK_PWG_OFF_PAGE_SIZE = 352,   /* two uint32: width, height in points */
	KK_PWG_OFF_WIDTH = 372,       /* pixels */
	KK_PWG_OFF_HEIGHT = 376,
	KK_PWG_OFF_BITS_PER_COLOR = 384,
	KK_PWG_OFF_BITS_PER_PIXEL = 388,
	KK_PWG_OFF_BYTES_PER_LINE = 392,
	KK_PWG_OFF_COLOR_ORDER = 396, /* 0 = chunky */
	KK_PWG_OFF_COLOR_SPACE = 400,
	KK_PWG_OFF_NUM_COLORS = 420,
	KK_PWG_OFF_TOTAL_PAGES = 452,
	KK_PWG_OFF_CROSS_FEED = 456,  /* CrossFeedTransform, 1 = identity */
	KK_PWG_OFF_FEED = 460,        /* FeedTransform, 1 = identity */
	KK_PWG_OFF_IMAGE_BOX = 464,   /* four uint32: ImageBoxLeft, Top, Right, Bottom (pixels,
					 inclusive); PAPPL-based printers clip to it, so a zero box
					 would print nothing there */
	KK_PWG_OFF_PAGE_SIZE_NAME = 1732
};

/* cupsColorSpace values PWG Raster allows that the kiosk uses. */
#define KK_PWG_CS_BLACK 3  /* black_1: 1 = black */
#define KK_PWG_CS_SGRAY 18 /* sgray_8: 0 = black, 255 = white */

#endif
