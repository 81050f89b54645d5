/*
 * paginate.c — page breaks over a run of boxes (see paginate.h for the rules).
 *
 * Greedy, one page at a time: fill the page as far as the heights allow, then walk the break
 * back until it is legal (not after a keep-with-next box, not leaving fewer than `orphans`
 * lines of a paragraph above it or fewer than `widows` below it). Walking back never goes past
 * the page's first box, so every page holds at least one box and the loop always ends; if no
 * legal break exists on the page, the fullest one is kept. Linear in boxes times the longest
 * walk back, which the rules bound by a page's worth of boxes.
 */
#include <stdlib.h>

#include "base/err.h"
#include "text/paginate.h"

/* Lines of b's group before index at (within the group's run), and from at to the run's end. */
static void group_split(const struct kk_box *b, size_t n, size_t at, size_t *before, size_t *after)
{
	size_t s = at, e = at;
	while (s > 0 && b[s - 1].group == b[at].group)
		s--;
	while (e < n && b[e].group == b[at].group)
		e++;
	*before = at - s;
	*after = e - at;
}

/* May a page end before box at (0 < at < n)? */
static int legal_break(const struct kk_box *b, size_t n, size_t at, int orphans, int widows)
{
	if (b[at - 1].flags & KK_BOX_KEEP_WITH_NEXT)
		return 0;
	if (b[at].group && b[at - 1].group == b[at].group) {
		size_t before, after;
		group_split(b, n, at, &before, &after);
		if (before < (size_t)orphans || after < (size_t)widows)
			return 0;
	}
	return 1;
}

int kk_text_paginate(const struct kk_box *boxes, size_t n, int page_height, int orphans, int widows,
		     size_t **starts, size_t *n_pages)
{
	size_t *out = NULL, cap = 16, np = 0, s = 0;

	*starts = NULL;
	*n_pages = 0;
	if (page_height < 1 || orphans < 1 || widows < 1 || (n && !boxes))
		return KK_EINVAL;
	if (n > KK_PAGINATE_MAX_BOXES)
		return KK_E2BIG;
	for (size_t i = 0; i < n; i++)
		if (boxes[i].height < 0 || boxes[i].gap_before < 0)
			return KK_EINVAL;
	if (!(out = malloc(cap * sizeof *out)))
		return KK_ENOMEM;
	do {
		size_t e = s, b;
		long long used = 0;
		if (np == cap) {
			size_t *p = realloc(out, (cap *= 2) * sizeof *out);
			if (!p) {
				free(out);
				return KK_ENOMEM;
			}
			out = p;
		}
		out[np++] = s;
		/* as many boxes as fit; at least one */
		while (e < n) {
			long long h = boxes[e].height + (e > s ? boxes[e].gap_before : 0);
			if (e > s && used + h > page_height)
				break;
			used += h;
			e++;
		}
		if (e >= n)
			break;
		for (b = e; b > s + 1 && !legal_break(boxes, n, b, orphans, widows); b--)
			;
		s = legal_break(boxes, n, b, orphans, widows) ? b : e;
	} while (s < n);
	*starts = out;
	*n_pages = np;
	return 0;
}
