/*
 * test_theme.c — the colours the screens use, checked against WCAG 2 contrast: body text and
 * every text a resident must read at least 7:1 (AAA, as the issue asks of body text), smaller
 * secondary text (dates, counts, footers) at least 4.5:1.
 */
#include <math.h>
#include <stdint.h>

#include "kt.h"
#include "ui/ui_internal.h"

static double channel(uint32_t c, int shift)
{
	double v = (double)((c >> shift) & 0xFF) / 255.0;
	return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(uint32_t rgba)
{
	return 0.2126 * channel(rgba, 24) + 0.7152 * channel(rgba, 16) + 0.0722 * channel(rgba, 8);
}

static double contrast(uint32_t a, uint32_t b)
{
	double la = luminance(a), lb = luminance(b);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static void test_contrast(void)
{
	static const struct {
		const char *what;
		uint32_t fg, bg;
		double min;
	} pairs[] = {
		{ "body text on the page", COL_TEXT, COL_BG, 7.0 },
		{ "body text on a card or list row", COL_TEXT, COL_CARD, 7.0 },
		{ "bar title on the bar", COL_BAR_TEXT, COL_BAR, 7.0 },
		{ "返回/首页 labels on their buttons", COL_BAR, COL_BUTTON, 7.0 },
		{ "banner text on 废止", 0xFFFFFFFFu, COL_REPEALED, 7.0 },
		{ "banner text on 失效", 0xFFFFFFFFu, COL_EXPIRED, 4.5 },
		{ "banner text on 已修订", 0xFFFFFFFFu, COL_AMENDED, 4.5 },
		{ "validity badge 有效", 0xFFFFFFFFu, COL_VALID, 4.5 },
		{ "secondary text (dates, counts)", COL_MUTED, COL_BG, 4.5 },
		{ "secondary text on a card", COL_MUTED, COL_CARD, 4.5 },
		{ "headings and links", COL_ACCENT, COL_BG, 7.0 },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		double c = contrast(pairs[i].fg, pairs[i].bg);
		if (c < pairs[i].min)
			printf("#   %s: %.2f:1, below %.1f:1\n", pairs[i].what, c, pairs[i].min);
		KT_CHECK(c >= pairs[i].min);
	}
	/* the formula itself: black on white is 21:1, a colour on itself 1:1 */
	KT_CHECK(fabs(contrast(0x000000FFu, 0xFFFFFFFFu) - 21.0) < 0.01);
	KT_CHECK(fabs(contrast(COL_BG, COL_BG) - 1.0) < 1e-9);
}

KT_MAIN(KT_CASE(test_contrast))
