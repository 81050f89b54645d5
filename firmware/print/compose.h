/*
 * compose.h — printed pages of a document or a service guide, rasterised to 1-bit bitmaps at
 * the printer's resolution with the same text engine as the screen (text/layout.h for lines,
 * text/paginate.h for page breaks). Fonts are drawn with FreeType directly (print/glyphs.c),
 * never SDL.
 *
 * What a page carries (paper, narrow == 0):
 *   - header: the title on one line (cut with "…"), on 失效/废止/已修订 documents a warning line
 *     ("本文件已失效，仅供参考" and the replacement's title), a thin rule;
 *   - body: on page 1 the title large and bold, centred, and the dates and validity; then the
 *     blocks as on screen (firmware/ui/screens.c): headings bold and larger, paragraphs with a
 *     2-em first indent, justified, list items with hanging markers, tables ruled with equal
 *     columns, head cells bold, the header row(s) (row 0 holding head cells, with what they
 *     span) repeated at the top of every page a table continues onto; images as their alt text
 *     in a box (no image decoding yet); rules;
 *   - footer: 索引号, 文号, 发布机构, "打印自 <site> 政务公开查阅点 <when>", 内容版本, "第 N 页 / 共 M
 *     页", and a QR code of the url (level M, modules >= 0.5 mm, 4-module quiet zone) in the
 *     right corner.
 * Narrow (receipt printers, narrow != 0): one continuous strip — title, warning, body, then the
 * footer once at the end (QR centred); "pages" are consecutive bands of ps->height dots cut
 * anywhere (the paper is continuous), the last one only as tall as what is left
 * (kk_print_layout_page_rows). The strip is capped at KK_PRINT_STRIP_MAX dots.
 * Guides: full mode prints every section with its label as a heading; summary mode one page:
 * 申请材料 (each item with an empty tick box), 办理地点, 办理时间, 咨询/联系电话, 办理时限, 收费, picked
 * by label; it steps the type down (10.5, 9, 7.5 pt) to fit and, when even that does not fit,
 * keeps the first page and says so in the footer.
 *
 * Threads and ownership: a layout owns copies of everything it needs (text as glyph lists,
 * its own FreeType faces), so the kk_doc / kk_guide and the strings of the stamp may be freed
 * as soon as the layout call returns. Layout and render may run on any thread, a given layout
 * on one thread at a time (render fills a glyph cache). Nothing blocks except reading the font
 * files at layout time.
 */
#ifndef KK_PRINT_COMPOSE_H
#define KK_PRINT_COMPOSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/config.h"
#include "catalog/catalog.h"
#include "print/raster.h"

#define KK_PRINT_MAX_PAGES 999u
#define KK_PRINT_STRIP_MAX 60000u      /* narrow: dots of paper at most (~7.5 m at 203 dpi) */
#define KK_PRINT_MAX_OPS (1u << 20)    /* glyphs, rules and text lines of one layout (24 MiB) */

struct kk_page_setup {
	unsigned dpi;            /* KK_RASTER_MIN_DPI..KK_RASTER_MAX_DPI */
	uint32_t width, height;  /* dots; narrow: the band height */
	uint32_t margin_left, margin_top, margin_right, margin_bottom; /* dots, the printer's
				  * unprintable margins plus ours; nothing is drawn in them */
	int narrow;              /* receipt printer on continuous paper (see above) */
};

struct kk_print_stamp {
	const char *site;            /* "示例县" -> "打印自示例县政务公开查阅点"; a name that already says
				      * 查阅点 (the config's site_name) is printed as it is */
	const char *when;            /* "2026-11-23 16:05" */
	const char *content_version; /* version of the content bundle; NULL or "" leaves it out */
};

/* Font files (e.g. /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc, index 2 for SC).
 * bold and fallback may be NULL: headings then use regular. */
struct kk_print_fonts {
	const char *regular;
	int regular_index;
	const char *bold;
	int bold_index;
	const char *fallback;
	int fallback_index;
};

/* Font files named by the kiosk's config, with storage for the paths. */
struct kk_print_font_files {
	char regular[512], bold[512], fallback[512];
	struct kk_print_fonts fonts; /* points into this struct: do not copy it */
};

/*
 * From the config: font_path / font_index as the regular face, the "Bold" file beside it when
 * it exists (NotoSansCJK-Regular.ttc -> NotoSansCJK-Bold.ttc, same index), the first entry of
 * font_fallback (a .ttc at font_index, anything else at 0). Checks only that the bold file is
 * readable; the layout calls report unusable fonts. Any thread.
 */
void kk_print_fonts_from_config(const struct kk_config *c, struct kk_print_font_files *files);

struct kk_print_layout;

/*
 * Lay out a document. Returns 0 with *out (caller frees with kk_print_layout_free), or
 * KK_EINVAL (bad setup: dpi, sizes, margins leaving less than 2 inches of width or 1 inch of
 * height, NULL arguments), KK_EFONT (regular font unusable), KK_E2BIG (more than
 * KK_PRINT_MAX_PAGES pages, a strip over KK_PRINT_STRIP_MAX, over KK_PRINT_MAX_OPS) or
 * KK_ENOMEM. Any thread; blocks only to read the font files.
 */
int kk_print_layout_doc(const struct kk_doc *d, const struct kk_page_setup *ps,
			const struct kk_print_stamp *st, const struct kk_print_fonts *f,
			struct kk_print_layout **out);

/* Lay out a service guide: every section (summary == 0) or the one-page checklist. Same
 * returns as kk_print_layout_doc. */
int kk_print_layout_guide(const struct kk_guide *g, int summary, const struct kk_page_setup *ps,
			  const struct kk_print_stamp *st, const struct kk_print_fonts *f,
			  struct kk_print_layout **out);

/* Pages (bands when narrow), >= 1. */
unsigned kk_print_layout_pages(const struct kk_print_layout *l);

/* Rows of page `page` that carry the page: ps->height, except the last band of a narrow
 * layout (what is left of the strip). 0 for a page out of range. */
uint32_t kk_print_layout_page_rows(const struct kk_print_layout *l, unsigned page);

/*
 * Draw page `page` (0-based) into r, which the caller initialised (kk_raster_init) as MONO,
 * ps->width wide, at least kk_print_layout_page_rows() high, at ps->dpi. The printable area is
 * cleared first and nothing is drawn outside it, so one raster may be reused page after page.
 * Returns 0 or KK_EINVAL (page out of range, raster that does not match). Not reentrant on one
 * layout (glyph cache); any thread.
 */
int kk_print_layout_render(struct kk_print_layout *l, unsigned page, struct kk_raster *r);

/* One line of text the composer placed, for tests and the headless text dump. */
struct kk_print_text_line {
	int32_t x, y;     /* dots: left edge and top of the line box on the page (band) */
	int size;         /* em size, dots */
	const char *text; /* UTF-8, the visible characters of the line; owned by the layout */
};

/* The text lines of page `page`, top to bottom as placed (header, body, footer). The array
 * belongs to the layout. Returns 0 or KK_EINVAL. */
int kk_print_layout_text(const struct kk_print_layout *l, unsigned page,
			 const struct kk_print_text_line **lines, size_t *n);

/* Write every page's text lines ("== page N/M (rows)", then "y x text" per line) to f, the
 * print counterpart of the kiosk's headless .txt dump. Returns 0, KK_EINVAL or KK_EIO. */
int kk_print_layout_dump(const struct kk_print_layout *l, FILE *f);

void kk_print_layout_free(struct kk_print_layout *l);

#endif
