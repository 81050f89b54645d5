/*
 * paginate.h — cutting laid-out content into pages of a given height.
 *
 * The same engine lays out text for the screen and for paper (text/layout.h); this is the
 * part paper needs on top: where each page starts. The caller turns its content into a run of
 * boxes in reading order — one per line of a paragraph, per table row, per image, per rule —
 * and gets back the index of the first box of every page. No SDL, no fonts: heights are px
 * (or dots) of whatever device the caller lays out for.
 *
 * Rules, in the order they give way when a page cannot satisfy them all:
 *   - a box never starts a page with its gap (gap_before is dropped at the top of a page);
 *   - a box marked KK_BOX_KEEP_WITH_NEXT (a heading, a table's caption or header row) is not
 *     left at the bottom of a page without the box after it;
 *   - a paragraph split across pages leaves at least `orphans` lines at the bottom of the
 *     first page and `widows` lines at the top of the next (clreq and print practice: 2 and 2);
 *   - a box taller than a page gets a page of its own (the caller scales or clips it).
 * When no break on a page satisfies the rules, the fullest legal-by-size break is taken: the
 * rules shape pages, they never make one overflow.
 */
#ifndef KK_TEXT_PAGINATE_H
#define KK_TEXT_PAGINATE_H

#include <stddef.h>
#include <stdint.h>

enum kk_box_flags {
	KK_BOX_KEEP_WITH_NEXT = 1 << 0, /* do not break between this box and the next */
};

struct kk_box {
	int height;       /* >= 0 */
	int gap_before;   /* space above this box when it does not start a page, >= 0 */
	uint32_t group;   /* boxes of one paragraph share a group id; 0 = not splittable lines */
	uint32_t flags;   /* enum kk_box_flags */
};

#define KK_PAGINATE_MAX_BOXES (1u << 22)

/*
 * Cut boxes[0..n) into pages of page_height. On success *starts (malloc'd, caller frees) holds
 * *n_pages indexes, starts[0] == 0 and strictly increasing; page k is boxes
 * [starts[k], starts[k + 1]) (the last page ends at n). n == 0 gives one empty page.
 * Returns 0, KK_EINVAL (page_height < 1, a negative height/gap, orphans/widows < 1),
 * KK_E2BIG (n over KK_PAGINATE_MAX_BOXES) or KK_ENOMEM.
 */
int kk_text_paginate(const struct kk_box *boxes, size_t n, int page_height, int orphans, int widows,
		     size_t **starts, size_t *n_pages);

#endif
