/*
 * layout.c — paragraph layout for Chinese text (see layout.h for the interface and the
 * drawing contract).
 *
 * DESIGN
 *
 * Level: W3C clreq "basic" (Requirements for Chinese Text Layout) with the GB/T 15834 line
 * start/end prohibitions. Greedy first-fit with bounded lookback; O(n) time, no allocation
 * beyond five arrays sized from the input, no global state (thread-safe).
 *
 * 1. Fold. The text is validated (strict UTF-8) and turned into items, one per output glyph:
 *    whitespace runs become one space (dropped at the paragraph ends and around newlines),
 *    newlines are recorded as forced breaks after the preceding item, invisible format
 *    characters are dropped (ZWSP leaves a break opportunity). Each item gets a class
 *    (ideograph, Latin/word, opening, closing/non-starter, glue, space, ideographic space,
 *    combining) from a compact range table modelled on UAX #14 with clreq's choices: “‘ open,
 *    ”’ close; ·・：‥々ー small kana ％℃ and the dashes/ellipses are non-starters.
 *
 * 2. Break levels. Each position between two items gets a level:
 *      0  a normal break opportunity (between ideographs, after closing punctuation, after a
 *         space, at the Han/Latin boundary, at a ZWSP);
 *      1  inside a Latin word or number ("3.14", "50%", "https://…"), and between a number and
 *         the Han character after it (2023年, 37号): last resort only, the last fitting one
 *         taken, so a cell too narrow for "1997年" breaks before 年, not inside 1997;
 *      2  forbidden by a punctuation rule (before 、。）》” …, after （《“ …, a closing
 *         bracket and the digits after it as in 〔2023〕37号): last resort only;
 *      3  never: before a space, before a combining mark, inside a ——/…… pair.
 *    Runs of items joined by levels 1..3 form the unbreakable units of the greedy fill.
 *
 * 3. Widths. Each item has its advance, a left or right cut for punctuation compression
 *    (two adjacent full-width marks: the first one is set half-width if it is a closing mark,
 *    else the second one if it is an opening mark, so the pair takes 1.5 em), and a quarter-em
 *    gap after it when it and its neighbour are a Han character and a Latin letter/digit with
 *    no space or punctuation between. At a line end the gap and a cut made for the next mark
 *    are dropped, so an item has a mid-line width, a full line-end width and a minimal line-end
 *    width (closing marks may be set half-width there: push-in).
 *
 * 4. Lines. For each line the items are scanned from its start while they fit, remembering
 *    the last fitting break of each level. The line ends at the last fitting level-0 break,
 *    with its last closing mark compressed if that is what makes it fit (push-in); when a
 *    prohibition puts the next legal break beyond the width, this pushes the last
 *    character(s) down (push-out). Only when no level-0 break fits (a unit wider than the
 *    line): one closing mark may hang into the margin by at most its compressed half-width,
 *    else the line breaks inside a word (level 1), else at a punctuation rule (level 2), else
 *    the unit overflows. A Latin word or URL too long for any line starts on the current line
 *    if at least a quarter of it is free, and is broken by characters, after / . - ? & = when
 *    that still fills half the line. The first item of a line is always taken, so every line
 *    makes progress. Each item is scanned a bounded number of times, so this is O(n).
 *    Widow: if the last line of a paragraph (or of a newline-separated part) holds a single
 *    Han character with its punctuation, the previous line gives up its last unit when both
 *    lines still fit and the previous line keeps at least two glyphs.
 *
 * 5. Placement. Lines ended by a soft break are justified (when asked): the slack is spread
 *    evenly, one extra px to the first gaps for the remainder, over the level-0 positions
 *    (between ideographs, after closing marks, at spaces, at Han/Latin boundaries); only if a
 *    line has none, also over level-1/2 positions that are not inside a Latin word (after an
 *    opening mark, before a closing mark); never inside ——/…… or before a space. The last
 *    line and lines ended by a newline are set flush left. A space or U+3000 at a line end is
 *    hidden (w 0) and does not count in the line width.
 *
 * Drawing contract: glyph.x is where the full advance box of the glyph is drawn. A compressed
 * opening mark (KK_GLYPH_CUT_LEFT) is drawn advance/2 left of its slot so its ink (right half
 * of the em box) sits in the slot; a compressed closing mark (KK_GLYPH_CUT_RIGHT) is drawn at
 * its slot and only its blank right half is given up. Renderers must not clip glyphs to w.
 * Opening marks at a line start are not compressed, so x >= the line's indent except in one
 * last-resort case (a line broken between two opening marks).
 *
 * Not done (beyond clreq basic): Knuth–Plass optimal breaking, hanging punctuation as a
 * normal (not last-resort) option, line-start opening brackets set half-width (they stay
 * full-width so the text grid is kept), expanding compressed punctuation before other gaps
 * when justifying, hyphenation, bidi, emoji ZWJ sequences, grapheme clusters beyond
 * combining marks.
 */
#include "layout.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"

/* Item classes (a condensed UAX #14 with clreq's choices). */
enum {
	C_ID,   /* ideograph, kana, hangul, CJK symbol: break on both sides */
	C_AL,   /* Latin letter, digit, other script, symbol */
	C_OP,   /* opening punctuation and prefixes: no break after */
	C_CL,   /* closing punctuation and non-starters: no break before */
	C_GL,   /* glue (straight quotes, NBSP): no break on either side */
	C_SP,   /* a folded space: break after, hidden at a line end */
	C_IDSP, /* U+3000: no break before, break after, hidden at a line end */
	C_CM    /* combining mark: never separated from what precedes it */
};

/* Item flags. */
enum {
	F_WORD = 1 << 0,      /* part of a Latin word or number: no break between two of these */
	F_ALNUM = 1 << 1,     /* Latin letter/digit: takes the quarter-em gap next to Han */
	F_DIGIT = 1 << 2,     /* digit: glued to a following Han character (2023年) */
	F_HAN = 1 << 3,       /* Han/kana/hangul character */
	F_OPEN = 1 << 4,      /* compressible opening mark (ink in the right half) */
	F_CLOSE = 1 << 5,     /* compressible closing mark (ink in the left half) */
	F_BRCLOSE = 1 << 6,   /* closing bracket: glued to following digits (〔2023〕37号) */
	F_PAIR = 1 << 7,      /* dash/ellipsis: a pair of the same mark never splits */
	F_PAIRSTART = 1 << 8, /* computed: first mark of a pair */
	F_FULL = 1 << 9,      /* computed: F_OPEN/F_CLOSE mark that is full-width in this font */
	F_ZWB = 1 << 10       /* computed: a ZWSP stood before this item */
};

/* Line flags (private, one byte per line). */
enum {
	LF_PUSH = 1,       /* the last visible glyph is a closing mark set half-width */
	LF_SOFT = 0 << 1,  /* ended by a break opportunity: justified */
	LF_FORCED = 1 << 1, /* ended by a newline */
	LF_PARA = 2 << 1,  /* the paragraph's last line */
	LF_EMPTY = 3 << 1, /* an empty line between two newlines */
	LF_END_MASK = 3 << 1,
	LF_LVL_SHIFT = 3   /* break level that ended the line (0..3) */
};

struct item {
	int32_t adv;  /* advance from the metrics (clamped) */
	int32_t cutl; /* compression on the left (opening mark after an opening mark) */
	int32_t cutr; /* compression on the right (closing mark before a mark), mid-line only */
	int32_t gap;  /* quarter-em Han/Latin gap after this item, mid-line only */
	uint32_t nl;  /* newlines after this item: forced breaks */
	uint16_t fl;  /* F_* */
	uint8_t cls;  /* C_* */
	uint8_t lvl;  /* break level of the position after this item */
};

/* What one call works on; items and glyphs are parallel arrays. */
struct lay {
	struct item *it;
	struct kk_glyph *g;
	size_t n;
	int64_t width, first_indent, indent;
	int size;
	int justify;
};

/* ---- character classes ------------------------------------------------------------------ */

struct range {
	uint32_t lo, hi;
	uint8_t cls;
	uint16_t fl;
};

/* Sorted, non-overlapping. Code points not listed: C_AL | F_WORD (| F_ALNUM below U+2000). */
static const struct range ranges[] = {
	{ 0x00A0, 0x00A0, C_GL, 0 },
	{ 0x00A2, 0x00A2, C_CL, 0 },
	{ 0x00A3, 0x00A3, C_OP, F_WORD },
	{ 0x00A5, 0x00A5, C_OP, F_WORD },
	{ 0x00B0, 0x00B0, C_CL, 0 },
	{ 0x00B7, 0x00B7, C_CL, 0 },
	{ 0x0300, 0x036F, C_CM, 0 },
	{ 0x1100, 0x11FF, C_ID, F_HAN },
	{ 0x1AB0, 0x1AFF, C_CM, 0 },
	{ 0x1DC0, 0x1DFF, C_CM, 0 },
	{ 0x2000, 0x2006, C_AL, 0 },
	{ 0x2007, 0x2007, C_GL, 0 },
	{ 0x2008, 0x200F, C_AL, 0 },
	{ 0x2010, 0x2010, C_CL, F_WORD },
	{ 0x2011, 0x2011, C_GL, F_WORD },
	{ 0x2012, 0x2013, C_CL, F_WORD },
	{ 0x2014, 0x2015, C_CL, F_PAIR },
	{ 0x2016, 0x2017, C_AL, 0 },
	{ 0x2018, 0x2018, C_OP, F_OPEN },
	{ 0x2019, 0x2019, C_CL, F_CLOSE },
	{ 0x201A, 0x201A, C_OP, 0 },
	{ 0x201B, 0x201B, C_AL, 0 },
	{ 0x201C, 0x201C, C_OP, F_OPEN },
	{ 0x201D, 0x201D, C_CL, F_CLOSE },
	{ 0x201E, 0x201E, C_OP, 0 },
	{ 0x201F, 0x2023, C_AL, 0 },
	{ 0x2024, 0x2024, C_CL, 0 },
	{ 0x2025, 0x2026, C_CL, F_PAIR },
	{ 0x2027, 0x2027, C_CL, 0 },
	{ 0x2028, 0x202E, C_AL, 0 },
	{ 0x202F, 0x202F, C_GL, 0 },
	{ 0x2030, 0x2034, C_CL, 0 },
	{ 0x2035, 0x203A, C_AL, 0 },
	{ 0x203B, 0x203B, C_ID, 0 },
	{ 0x203C, 0x203D, C_CL, 0 },
	{ 0x203E, 0x2046, C_AL, 0 },
	{ 0x2047, 0x2049, C_CL, 0 },
	{ 0x204A, 0x206F, C_AL, 0 },
	{ 0x2070, 0x209F, C_AL, F_WORD | F_ALNUM },
	{ 0x20A0, 0x20CF, C_OP, F_WORD },
	{ 0x20D0, 0x20FF, C_CM, 0 },
	{ 0x2100, 0x2102, C_AL, F_WORD },
	{ 0x2103, 0x2103, C_CL, 0 },
	{ 0x2104, 0x2108, C_AL, F_WORD },
	{ 0x2109, 0x2109, C_CL, 0 },
	{ 0x210A, 0x2115, C_AL, F_WORD },
	{ 0x2116, 0x2116, C_OP, 0 },
	{ 0x2117, 0x218F, C_AL, F_WORD },
	{ 0x2190, 0x245F, C_AL, 0 },
	{ 0x2460, 0x24FF, C_ID, 0 },
	{ 0x2500, 0x2E39, C_AL, 0 },
	{ 0x2E3A, 0x2E3B, C_CL, F_PAIR },
	{ 0x2E3C, 0x2E7F, C_AL, 0 },
	{ 0x2E80, 0x2FFF, C_ID, F_HAN },
	{ 0x3000, 0x3000, C_IDSP, 0 },
	{ 0x3001, 0x3002, C_CL, F_CLOSE },
	{ 0x3003, 0x3004, C_ID, 0 },
	{ 0x3005, 0x3005, C_CL, 0 },
	{ 0x3006, 0x3006, C_ID, 0 },
	{ 0x3007, 0x3007, C_ID, F_HAN },
	{ 0x3008, 0x3008, C_OP, F_OPEN },
	{ 0x3009, 0x3009, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0x300A, 0x300A, C_OP, F_OPEN },
	{ 0x300B, 0x300B, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0x300C, 0x300C, C_OP, F_OPEN },
	{ 0x300D, 0x300D, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0x300E, 0x300E, C_OP, F_OPEN },
	{ 0x300F, 0x300F, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0x3010, 0x3010, C_OP, F_OPEN },
	{ 0x3011, 0x3011, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0x3012, 0x3013, C_ID, 0 },
	{ 0x3014, 0x3014, C_OP, F_OPEN },
	{ 0x3015, 0x3015, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0x3016, 0x3016, C_OP, F_OPEN },
	{ 0x3017, 0x3017, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0x3018, 0x3018, C_OP, F_OPEN },
	{ 0x3019, 0x3019, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0x301A, 0x301A, C_OP, F_OPEN },
	{ 0x301B, 0x301B, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0x301C, 0x301C, C_CL, 0 },
	{ 0x301D, 0x301D, C_OP, F_OPEN },
	{ 0x301E, 0x301F, C_CL, F_CLOSE },
	{ 0x3020, 0x3020, C_ID, 0 },
	{ 0x3021, 0x3029, C_ID, F_HAN },
	{ 0x302A, 0x302F, C_CM, 0 },
	{ 0x3030, 0x303A, C_ID, 0 },
	{ 0x303B, 0x303B, C_CL, 0 },
	{ 0x303C, 0x303F, C_ID, 0 },
	{ 0x3040, 0x3096, C_ID, F_HAN }, /* small kana: see cp_class */
	{ 0x3097, 0x3098, C_ID, 0 },
	{ 0x3099, 0x309A, C_CM, 0 },
	{ 0x309B, 0x309E, C_CL, 0 },
	{ 0x309F, 0x309F, C_ID, 0 },
	{ 0x30A0, 0x30A0, C_CL, 0 },
	{ 0x30A1, 0x30FA, C_ID, F_HAN }, /* small kana: see cp_class */
	{ 0x30FB, 0x30FE, C_CL, 0 },
	{ 0x30FF, 0x30FF, C_ID, 0 },
	{ 0x3100, 0x31EF, C_ID, F_HAN },
	{ 0x31F0, 0x31FF, C_CL, 0 },
	{ 0x3200, 0x33FF, C_ID, 0 },
	{ 0x3400, 0x4DBF, C_ID, F_HAN },
	{ 0x4DC0, 0x4DFF, C_ID, 0 },
	{ 0x4E00, 0x9FFF, C_ID, F_HAN },
	{ 0xA000, 0xA4CF, C_ID, F_HAN },
	{ 0xA960, 0xA97F, C_ID, F_HAN },
	{ 0xAC00, 0xD7FF, C_ID, F_HAN },
	{ 0xE000, 0xF8FF, C_ID, 0 },
	{ 0xF900, 0xFAFF, C_ID, F_HAN },
	{ 0xFE00, 0xFE0F, C_CM, 0 },
	{ 0xFE10, 0xFE1F, C_ID, 0 },
	{ 0xFE20, 0xFE2F, C_CM, 0 },
	{ 0xFE30, 0xFE4F, C_ID, 0 },
	{ 0xFE50, 0xFE52, C_CL, 0 },
	{ 0xFE53, 0xFE53, C_ID, 0 },
	{ 0xFE54, 0xFE57, C_CL, 0 },
	{ 0xFE58, 0xFE58, C_ID, 0 },
	{ 0xFE59, 0xFE59, C_OP, 0 },
	{ 0xFE5A, 0xFE5A, C_CL, F_BRCLOSE },
	{ 0xFE5B, 0xFE5B, C_OP, 0 },
	{ 0xFE5C, 0xFE5C, C_CL, F_BRCLOSE },
	{ 0xFE5D, 0xFE5D, C_OP, 0 },
	{ 0xFE5E, 0xFE5E, C_CL, F_BRCLOSE },
	{ 0xFE5F, 0xFE6F, C_ID, 0 },
	{ 0xFF01, 0xFF01, C_CL, F_CLOSE },
	{ 0xFF02, 0xFF03, C_ID, 0 },
	{ 0xFF04, 0xFF04, C_OP, 0 },
	{ 0xFF05, 0xFF05, C_CL, 0 },
	{ 0xFF06, 0xFF07, C_ID, 0 },
	{ 0xFF08, 0xFF08, C_OP, F_OPEN },
	{ 0xFF09, 0xFF09, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0xFF0A, 0xFF0B, C_ID, 0 },
	{ 0xFF0C, 0xFF0C, C_CL, F_CLOSE },
	{ 0xFF0D, 0xFF0D, C_ID, 0 },
	{ 0xFF0E, 0xFF0E, C_CL, F_CLOSE },
	{ 0xFF0F, 0xFF0F, C_ID, 0 },
	{ 0xFF10, 0xFF19, C_AL, F_WORD | F_DIGIT },
	{ 0xFF1A, 0xFF1B, C_CL, F_CLOSE },
	{ 0xFF1C, 0xFF1E, C_ID, 0 },
	{ 0xFF1F, 0xFF1F, C_CL, F_CLOSE },
	{ 0xFF20, 0xFF20, C_ID, 0 },
	{ 0xFF21, 0xFF3A, C_AL, F_WORD },
	{ 0xFF3B, 0xFF3B, C_OP, F_OPEN },
	{ 0xFF3C, 0xFF3C, C_ID, 0 },
	{ 0xFF3D, 0xFF3D, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0xFF3E, 0xFF40, C_ID, 0 },
	{ 0xFF41, 0xFF5A, C_AL, F_WORD },
	{ 0xFF5B, 0xFF5B, C_OP, F_OPEN },
	{ 0xFF5C, 0xFF5C, C_ID, 0 },
	{ 0xFF5D, 0xFF5D, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0xFF5E, 0xFF5E, C_CL, 0 },
	{ 0xFF5F, 0xFF5F, C_OP, F_OPEN },
	{ 0xFF60, 0xFF60, C_CL, F_CLOSE | F_BRCLOSE },
	{ 0xFF61, 0xFF61, C_CL, 0 },
	{ 0xFF62, 0xFF62, C_OP, 0 },
	{ 0xFF63, 0xFF65, C_CL, 0 },
	{ 0xFF66, 0xFF66, C_ID, F_HAN },
	{ 0xFF67, 0xFF70, C_CL, 0 },
	{ 0xFF71, 0xFF9D, C_ID, F_HAN },
	{ 0xFF9E, 0xFF9F, C_CL, 0 },
	{ 0xFFA0, 0xFFDC, C_ID, F_HAN },
	{ 0xFFE0, 0xFFE0, C_CL, 0 },
	{ 0xFFE1, 0xFFE1, C_OP, 0 },
	{ 0xFFE2, 0xFFE4, C_ID, 0 },
	{ 0xFFE5, 0xFFE6, C_OP, 0 },
	{ 0xFFE8, 0xFFEE, C_ID, 0 },
	{ 0xFFFC, 0xFFFD, C_ID, 0 },
	{ 0x1F000, 0x1F3FA, C_ID, 0 },
	{ 0x1F3FB, 0x1F3FF, C_CM, 0 },
	{ 0x1F400, 0x1FAFF, C_ID, 0 },
	{ 0x20000, 0x3FFFF, C_ID, F_HAN },
	{ 0xE0100, 0xE01EF, C_CM, 0 },
	{ 0xF0000, 0x10FFFF, C_ID, 0 },
};

/* Small kana (never at a line start), inside the kana ranges of the table. */
static int cp_small_kana(uint32_t cp)
{
	static const uint16_t small[] = { 0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063,
					  0x3083, 0x3085, 0x3087, 0x308E, 0x3095, 0x3096,
					  0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30C3,
					  0x30E3, 0x30E5, 0x30E7, 0x30EE, 0x30F5, 0x30F6 };
	size_t i;

	for (i = 0; i < sizeof small / sizeof small[0]; i++)
		if (small[i] == cp)
			return 1;
	return 0;
}

/* Class and flags of a printable ASCII character. */
static void cp_class_ascii(uint32_t cp, uint8_t *cls, uint16_t *fl)
{
	*cls = C_AL;
	*fl = F_WORD;
	if (cp >= '0' && cp <= '9') {
		*fl = F_WORD | F_ALNUM | F_DIGIT;
	} else if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z')) {
		*fl = F_WORD | F_ALNUM;
	} else {
		switch (cp) {
		case '(': case '[': case '{': case '$': case '#':
			*cls = C_OP;
			break;
		case ')': case ']': case '}':
			*cls = C_CL;
			*fl = F_WORD | F_BRCLOSE;
			break;
		case ',': case '.': case ';': case ':': case '!': case '?':
			*cls = C_CL;
			break;
		case '%':
			*cls = C_CL;
			*fl = F_WORD | F_ALNUM;
			break;
		case '"': case '\'':
			*cls = C_GL;
			break;
		default:
			break;
		}
	}
}

/* Class and flags of a code point that is not whitespace or an ignorable (see ws_kind). */
static void cp_class(uint32_t cp, uint8_t *cls, uint16_t *fl)
{
	size_t lo = 0, hi = sizeof ranges / sizeof ranges[0];

	if (cp < 0x80) {
		cp_class_ascii(cp, cls, fl);
		return;
	}
	if (cp >= 0x4E00 && cp <= 0x9FFF) { /* the common case: CJK Unified Ideographs */
		*cls = C_ID;
		*fl = F_HAN;
		return;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < ranges[mid].lo) {
			hi = mid;
		} else if (cp > ranges[mid].hi) {
			lo = mid + 1;
		} else {
			*cls = ranges[mid].cls;
			*fl = ranges[mid].fl;
			if (cp >= 0x3041 && cp <= 0x30F6 && cp_small_kana(cp)) {
				*cls = C_CL;
				*fl = 0;
			}
			return;
		}
	}
	*cls = C_AL;
	*fl = cp < 0x2000 ? F_WORD | F_ALNUM : F_WORD;
}

enum { WS_NONE, WS_SPACE, WS_NL, WS_IGN, WS_ZW };

/* Whether cp is folded whitespace, a newline, an ignorable format character or ZWSP. */
static int ws_kind(uint32_t cp)
{
	if ((cp > 0x20 && cp < 0x7F) || (cp >= 0x3000 && cp < 0xFEFF))
		return WS_NONE; /* fast path: printable ASCII, CJK */
	if (cp == ' ' || cp == '\t' || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A && cp != 0x2007) ||
	    cp == 0x205F)
		return WS_SPACE;
	if (cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0x85 || cp == 0x2028 ||
	    cp == 0x2029)
		return WS_NL;
	if (cp == 0x200B)
		return WS_ZW;
	if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x180E ||
	    (cp >= 0x200C && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
	    cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F))
		return WS_IGN;
	return WS_NONE;
}

/* ---- item widths ------------------------------------------------------------------------ */

/* Whether the item disappears at a line end (a space, U+3000). */
static int it_hideable(const struct item *g)
{
	return g->cls == C_SP || g->cls == C_IDSP;
}

/* Width of an item followed by another on the same line. */
static int64_t it_mid(const struct item *g)
{
	return (int64_t)g->adv - g->cutl - g->cutr + g->gap;
}

/* Width of an item ending a line, full-width. */
static int64_t it_endf(const struct item *g)
{
	return (int64_t)g->adv - g->cutl;
}

/* Width of an item ending a line, closing marks set half-width (push-in). */
static int64_t it_endm(const struct item *g)
{
	int64_t w = it_endf(g);
	if ((g->fl & (F_CLOSE | F_FULL)) == (F_CLOSE | F_FULL))
		w -= g->adv / 2;
	return w;
}

/* v clamped to int32_t (positions are computed in 64 bits). */
static int32_t sat32(int64_t v)
{
	if (v > INT32_MAX)
		return INT32_MAX;
	if (v < INT32_MIN)
		return INT32_MIN;
	return (int32_t)v;
}

/* ---- step 1: fold the text into items --------------------------------------------------- */

/*
 * Append one item for cp at byte `byte`. c->it and c->g have room (the caller sized them by
 * the code point count). Calls the metrics callback once.
 */
static void item_push(struct lay *c, const struct kk_font_metrics *m, uint32_t cp, uint32_t byte,
		      uint8_t cls, uint16_t fl)
{
	struct item *g = &c->it[c->n];
	struct kk_glyph *o = &c->g[c->n];
	int adv = m->advance(m->ctx, cp);

	if (adv < 0)
		adv = 0;
	if (adv > KK_TEXT_MAX_ADVANCE)
		adv = KK_TEXT_MAX_ADVANCE;
	g->adv = adv;
	g->cutl = g->cutr = g->gap = 0;
	g->nl = 0;
	g->lvl = 0;
	g->cls = cls;
	if ((fl & (F_OPEN | F_CLOSE)) && (int64_t)adv * 4 >= (int64_t)m->size * 3)
		fl |= F_FULL;
	if ((fl & F_PAIR) && c->n > 0 && c->g[c->n - 1].cp == cp && c->it[c->n - 1].nl == 0 &&
	    (c->it[c->n - 1].fl & F_PAIRSTART))
		fl &= (uint16_t)~F_PAIRSTART;
	else if (fl & F_PAIR)
		fl |= F_PAIRSTART;
	g->fl = fl;
	o->cp = cp;
	o->byte = byte;
	o->x = o->w = 0;
	o->flags = 0;
	c->n++;
}

/* Number of bytes of s[0..len) that are not UTF-8 continuation bytes (8 at a time). */
static size_t utf8_lead_bytes(const char *s, size_t len)
{
	const uint64_t hi = 0x8080808080808080u;
	size_t i = 0, n = len;

	for (; i + 8 <= len; i += 8) {
		uint64_t w, cont;
		memcpy(&w, s + i, 8);
		cont = (w & ~((w & ~hi) << 1) & hi) >> 7; /* 1 per byte with bit 7 set, bit 6 clear */
		cont += cont >> 8;
		cont += cont >> 16;
		cont += cont >> 32;
		n -= (size_t)(cont & 0xFF);
	}
	for (; i < len; i++)
		n -= ((unsigned char)s[i] & 0xC0) == 0x80;
	return n;
}

/*
 * Decode one code point at text[*i] like kk_utf8_next (strict), with the two common cases
 * (ASCII, a three-byte BMP character) inline. Returns the code point or -1.
 */
static int32_t utf8_decode(const char *text, size_t len, size_t *i)
{
	const unsigned char *s = (const unsigned char *)text + *i;
	uint32_t cp;

	if (s[0] < 0x80) {
		*i += 1;
		return s[0];
	}
	if ((s[0] & 0xF0) == 0xE0 && len - *i >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
		if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
			*i += 3;
			return (int32_t)cp;
		}
	}
	return kk_utf8_next(text, len, i);
}

/*
 * Decode and validate the text into items: fold whitespace, record newlines, drop ignorables.
 * c->it and c->g must have room for one item per UTF-8 lead byte (each item consumes at least
 * one). Sets c->n and *nl_total (newlines recorded); returns 0 or KK_EINVAL (invalid UTF-8).
 */
static int text_fold(struct lay *c, const struct kk_font_metrics *m, const char *text, size_t len,
		     size_t *nl_total)
{
	size_t i = 0;
	uint32_t pend_nl = 0, sp_byte = 0;
	int have_sp = 0, zw = 0, prev_cr = 0;

	c->n = 0;
	*nl_total = 0;
	while (i < len) {
		size_t at = i;
		int32_t d = utf8_decode(text, len, &i);
		uint32_t cp;
		uint8_t cls;
		uint16_t fl;
		int k;

		if (d < 0)
			return KK_EINVAL;
		cp = (uint32_t)d;
		k = ws_kind(cp);
		if (k == WS_NL) {
			if (!(cp == '\n' && prev_cr) && pend_nl < UINT32_MAX)
				pend_nl++;
			prev_cr = cp == '\r';
			have_sp = 0; /* spaces before a newline are dropped */
			continue;
		}
		prev_cr = 0;
		if (k == WS_SPACE) {
			if (!have_sp && !pend_nl) {
				have_sp = 1;
				sp_byte = (uint32_t)at;
			}
			continue;
		}
		if (k == WS_ZW) {
			zw = 1;
			continue;
		}
		if (k == WS_IGN)
			continue;
		if (c->n > 0) {
			if (pend_nl) {
				c->it[c->n - 1].nl = pend_nl;
				*nl_total += pend_nl;
			} else if (have_sp) {
				item_push(c, m, ' ', sp_byte, C_SP, 0);
			}
		}
		pend_nl = 0;
		have_sp = 0;
		cp_class(cp, &cls, &fl);
		if (zw && c->n > 0)
			fl |= F_ZWB;
		zw = 0;
		item_push(c, m, cp, (uint32_t)at, cls, fl);
	}
	return 0;
}

/* ---- step 2 and 3: break levels, compression, gaps -------------------------------------- */

/* Break level of the position between items a and b (b not a space; a not a space). */
static uint8_t pair_level(const struct item *a, const struct item *b)
{
	uint8_t lvl = 0;

	if (b->cls == C_CM)
		return 3;
	if ((a->fl & F_PAIR) && (a->fl & F_PAIRSTART) && (b->fl & F_PAIR) && !(b->fl & F_PAIRSTART))
		return 3;
	if (b->fl & F_ZWB)
		return 0;
	if ((a->fl & F_WORD) && (b->fl & F_WORD))
		lvl = 1;
	if (a->cls == C_OP || b->cls == C_CL || b->cls == C_IDSP || a->cls == C_GL || b->cls == C_GL)
		lvl = 2;
	if ((a->fl & F_DIGIT) && (b->fl & F_HAN) && lvl < 2)
		lvl = 1; /* 2023年 stays together like a word; when a narrow cell must part them, they
			  * part before 年 rather than inside the number */
	if ((a->fl & F_BRCLOSE) && (b->fl & F_DIGIT))
		lvl = 2;
	return lvl;
}

/*
 * Fill lvl, cutl, cutr and gap of every item. A combining mark takes the part of the
 * character it belongs to (UAX #14 LB9), so "re\u0301sume\u0301" stays one word.
 */
static void items_relate(struct lay *c)
{
	struct item *it = c->it;
	int32_t quarter = c->size / 4;
	size_t i, base = 0;

	for (i = 0; i < c->n; i++) {
		struct item *a = &it[i], *b;
		const struct item *ab;
		if (a->cls != C_CM)
			base = i;
		ab = &it[base];
		if (i + 1 == c->n || a->nl) {
			a->lvl = 0;
			continue;
		}
		b = &it[i + 1];
		if (b->cls == C_SP) {
			a->lvl = 3; /* never break before a space: it ends the line instead */
		} else if (a->cls == C_SP) {
			/* the break after a space still obeys the marks around it (UAX #14 LB13/14) */
			const struct item *p = i > 0 ? &it[i - 1] : a;
			a->lvl = 0;
			if (b->cls == C_CM)
				a->lvl = 3;
			else if (p->cls == C_OP || b->cls == C_CL || b->cls == C_IDSP)
				a->lvl = 2;
		} else {
			a->lvl = pair_level(ab, b);
		}
		/* punctuation compression of two adjacent full-width marks */
		if ((a->fl & F_FULL) && (b->fl & F_FULL)) {
			if (a->fl & F_CLOSE)
				a->cutr = a->adv / 2;
			else if ((a->fl & F_OPEN) && (b->fl & F_OPEN))
				b->cutl = b->adv / 2;
		}
		/* quarter-em gap between Han and Latin letters/digits */
		if (((ab->fl & F_HAN) && (b->fl & F_ALNUM)) || ((ab->fl & F_ALNUM) && (b->fl & F_HAN)))
			a->gap = quarter;
	}
}

/* ---- step 4: choose line ends ----------------------------------------------------------- */

/*
 * Whether the unit (run of items up to the next level-0 break) starting at item u fits on a
 * fresh, non-first line. Stops at the first item that overflows, so it costs at most a line.
 */
static int unit_fits_fresh(const struct lay *c, size_t u, size_t e)
{
	const struct item *it = c->it;
	int64_t cur = c->indent;
	size_t j;

	for (j = u;; j++) {
		if (!it_hideable(&it[j]) && cur + it_endm(&it[j]) > c->width)
			return 0;
		cur += it_mid(&it[j]);
		if (j == e || it[j].lvl == 0)
			return 1;
	}
}

/* Characters after which a long word or URL is preferably broken (still a last resort). */
static int cp_url_delim(uint32_t cp)
{
	return cp == '/' || cp == '.' || cp == '-' || cp == '_' || cp == '?' || cp == '&' ||
	       cp == '=' || cp == '#' || cp == ',' || cp == ';';
}

/* A remembered break candidate while scanning a line. */
struct cand {
	size_t at;   /* last item before the break */
	int64_t end; /* line end (full width) if broken there */
	int have, push;
};

/* Remember a break after item `at` whose line would end at `end` (push-in if past w). */
static void cand_set(struct cand *k, size_t at, int64_t end, int64_t w)
{
	k->at = at;
	k->end = end;
	k->have = 1;
	k->push = end > w;
}

/*
 * Choose the last item of the line that starts at item p, within the segment ending at item
 * e (a newline or the paragraph end), the line starting at x0. Sets *lf to LF_PUSH and the
 * break level. Always takes at least item p.
 */
static size_t line_choose(const struct lay *c, size_t p, size_t e, int64_t x0, unsigned *lf)
{
	const struct item *it = c->it;
	int64_t w = c->width, cur = x0, vf = x0;
	struct cand best[3], delim, *pick;
	size_t i, s, b;
	unsigned blvl;

	memset(best, 0, sizeof best);
	memset(&delim, 0, sizeof delim);
	/* the first item always fits, however narrow the line */
	if (!it_hideable(&it[p]) && x0 + it_endm(&it[p]) > w)
		w = x0 + it_endm(&it[p]);
	for (i = p;; i++) {
		const struct item *g = &it[i];
		if (!it_hideable(g)) {
			if (cur + it_endm(g) > w)
				break;
			vf = cur + it_endf(g);
		}
		cur += it_mid(g);
		if (i == e) {
			*lf = vf > w ? LF_PUSH : 0;
			return e;
		}
		if (g->lvl < 3)
			cand_set(&best[g->lvl], i, vf, w);
		if (g->lvl == 1 && cp_url_delim(c->g[i].cp))
			cand_set(&delim, i, vf, w);
	}
	s = i; /* the first item that does not fit */
	/* inside a word, break after / . - … if that still fills half the line */
	if (delim.have && delim.end - x0 >= (w - x0) / 2)
		best[1] = delim;
	if (best[0].have) {
		pick = &best[0];
		blvl = 0;
		/* a word too long for any line starts on this one if a quarter of it is left */
		if (best[1].have && best[1].at > best[0].at && w - best[0].end >= (w - x0) / 4 &&
		    !unit_fits_fresh(c, best[0].at + 1, e)) {
			pick = &best[1];
			blvl = 1;
		}
		b = pick->at;
		*lf = (pick->push ? LF_PUSH : 0) | blvl << LF_LVL_SHIFT;
		return b;
	}
	if ((it[s].fl & (F_CLOSE | F_FULL)) == (F_CLOSE | F_FULL) && s > p &&
	    (s == e || it[s].lvl == 0) && cur <= w) {
		/* last resort: hang one closing mark, set half-width, into the margin */
		*lf = LF_PUSH;
		return s;
	}
	for (blvl = 1; blvl <= 2; blvl++) {
		if (best[blvl].have) {
			*lf = (best[blvl].push ? LF_PUSH : 0) | blvl << LF_LVL_SHIFT;
			return best[blvl].at;
		}
	}
	/* nothing breakable fits: the unbreakable cluster overflows */
	for (b = p; b < e && it[b].lvl == 3; b++)
		;
	*lf = 3u << LF_LVL_SHIFT;
	return b;
}

/* Ends of the line [first, last] from x0: full and with the last closing mark compressed. */
static void line_measure(const struct lay *c, size_t first, size_t last, int64_t x0, int64_t *vf,
			 int64_t *vm)
{
	int64_t cur = x0;
	size_t i;

	*vf = *vm = x0;
	for (i = first; i <= last; i++) {
		const struct item *g = &c->it[i];
		if (!it_hideable(g)) {
			*vf = cur + it_endf(g);
			*vm = cur + it_endm(g);
		}
		cur += it_mid(g);
	}
}

/* Whether the line holds one Han character with its punctuation only (a widow). */
static int line_is_widow(const struct lay *c, size_t first, size_t count)
{
	const struct item *it = c->it;
	size_t i = first, end = first + count;

	while (end > first && it_hideable(&it[end - 1]))
		end--;
	while (i < end && it[i].cls == C_OP)
		i++;
	if (i == end || !(it[i].fl & F_HAN))
		return 0;
	for (i++; i < end; i++)
		if (it[i].cls != C_CL && it[i].cls != C_CM)
			return 0;
	return 1;
}

/*
 * Widow avoidance for the segment whose lines are ln[ls..le]: move the last unit of the
 * previous line down to a lone last character when both lines stay legal and fit.
 */
static void segment_widow(const struct lay *c, struct kk_line *ln, unsigned char *lf, size_t ls,
			  size_t le)
{
	struct kk_line *p, *l;
	size_t pl, j, k, vis = 0;
	int64_t x0p, vf, vm, vf2, vm2;

	if (le == ls)
		return;
	p = &ln[le - 1];
	l = &ln[le];
	if ((lf[le - 1] & LF_END_MASK) != LF_SOFT || (lf[le - 1] >> LF_LVL_SHIFT) != 0)
		return;
	if (!line_is_widow(c, l->first, l->count))
		return;
	pl = p->first + p->count - 1;
	for (j = pl; j > p->first; j--)
		if (c->it[j - 1].lvl == 0)
			break;
	if (j == p->first)
		return;
	j--; /* new last item of the previous line */
	for (k = p->first; k <= j; k++)
		vis += !it_hideable(&c->it[k]);
	if (vis < 2)
		return;
	x0p = le - 1 == 0 ? c->first_indent : c->indent;
	line_measure(c, p->first, j, x0p, &vf, &vm);
	line_measure(c, j + 1, l->first + l->count - 1, c->indent, &vf2, &vm2);
	if (vm > c->width || vm2 > c->width)
		return;
	l->count += p->first + p->count - (j + 1);
	l->first = j + 1;
	p->count = j + 1 - p->first;
	lf[le - 1] = (unsigned char)(LF_SOFT | (vf > c->width ? LF_PUSH : 0));
	lf[le] = (unsigned char)((lf[le] & LF_END_MASK) | (vf2 > c->width ? LF_PUSH : 0));
}

/* ---- step 5: place glyphs --------------------------------------------------------------- */

/*
 * Whether the gap after item i (followed by i+1 on the line) takes justification space:
 * 2 always (level-0 positions), 1 only on a line without any 2, 0 never.
 */
static int gap_kind(const struct lay *c, size_t i)
{
	const struct item *a = &c->it[i], *b = &c->it[i + 1];

	if (a->lvl == 3)
		return 0; /* before a space (it gets its own share), a combining mark, inside —— */
	if ((a->fl & F_WORD) && (b->fl & F_WORD))
		return 0; /* inside a Latin word or number */
	if (a->lvl != 0)
		return 1; /* keep punctuation on its text, 2023年 and 〔2023〕37号 together */
	return 2;
}

/*
 * Position the glyphs of one line starting at x0: widths, optional justification, the x of
 * each glyph (full-box drawing position) and ln->width. Two passes over the line.
 */
static void line_place(const struct lay *c, struct kk_line *ln, unsigned lf, int64_t x0, int justify)
{
	const struct item *it = c->it;
	struct kk_glyph *g = c->g;
	size_t first = ln->first, nvis = ln->count, i, lv, ng[3] = { 0, 0, 0 }, k = 0;
	int64_t slot = x0, end, base = 0, rem = 0;
	int tier = 3;

	while (nvis > 0 && it_hideable(&it[first + nvis - 1]))
		nvis--;
	if (nvis > 0) {
		lv = first + nvis - 1;
		for (i = first; i < lv; i++) {
			int64_t w = it_mid(&it[i]);
			g[i].w = sat32(w);
			slot += w;
			if (justify)
				ng[gap_kind(c, i)]++;
		}
		{
			int64_t w = (lf & LF_PUSH) ? it_endm(&it[lv]) : it_endf(&it[lv]);
			g[lv].w = sat32(w);
			slot += w;
		}
		if (justify && slot < c->width && ng[1] + ng[2] > 0) {
			int64_t extra = c->width - slot, n = (int64_t)(ng[2] ? ng[2] : ng[1]);
			tier = ng[2] ? 2 : 1;
			base = extra / n;
			rem = extra % n;
		}
		slot = x0;
		for (i = first; i <= lv; i++) {
			uint32_t f = 0;
			g[i].x = sat32(slot - it[i].cutl);
			if (it[i].cutl)
				f |= KK_GLYPH_CUT_LEFT;
			if ((i < lv && it[i].cutr) ||
			    (i == lv && (lf & LF_PUSH) && it_endm(&it[i]) < it_endf(&it[i])))
				f |= KK_GLYPH_CUT_RIGHT;
			g[i].flags = f;
			if (tier < 3 && i < lv && gap_kind(c, i) >= tier) {
				g[i].w = sat32((int64_t)g[i].w + base + ((int64_t)k < rem));
				k++;
			}
			slot += g[i].w;
		}
	}
	end = slot;
	for (i = first + nvis; i < first + ln->count; i++) {
		g[i].x = sat32(end);
		g[i].w = 0;
		g[i].flags = KK_GLYPH_HIDDEN;
	}
	ln->width = nvis > 0 ? sat32(end) : 0;
}

/* ---- emphasis --------------------------------------------------------------------------- */

/* Index of the first glyph whose byte is >= byte. */
static size_t glyph_lower_bound(const struct kk_glyph *g, size_t n, uint32_t byte)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g[mid].byte < byte)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Set KK_GLYPH_EMPH from the spans with a difference array: O(n + spans log n). */
static int glyphs_emphasise(struct kk_glyph *g, size_t n, size_t len, const struct kk_span *emph,
			    size_t n_emph)
{
	int32_t *d, run = 0;
	size_t i;

	d = calloc(n + 1, sizeof *d);
	if (!d)
		return KK_ENOMEM;
	for (i = 0; i < n_emph; i++) {
		uint32_t s = emph[i].start, e = emph[i].end;
		if (e > len)
			e = (uint32_t)len;
		if (s >= e)
			continue;
		d[glyph_lower_bound(g, n, s)]++;
		d[glyph_lower_bound(g, n, e)]--;
	}
	for (i = 0; i < n; i++) {
		run += d[i];
		if (run > 0)
			g[i].flags |= KK_GLYPH_EMPH;
	}
	free(d);
	return 0;
}

/* ---- public ----------------------------------------------------------------------------- */

/*
 * See layout.h. Allocates the glyph and line arrays (owned by out) and two scratch arrays
 * (freed here). All widths are computed in 64 bits and saturated to 32 when stored.
 */
int kk_text_layout_para(const char *text, size_t len, const struct kk_span *emph, size_t n_emph,
			const struct kk_font_metrics *m, const struct kk_para_style *st,
			struct kk_para_layout *out)
{
	struct lay c;
	unsigned char *lf = NULL;
	struct kk_line *ln = NULL;
	size_t i, ncp = 0, nl_total, nlines = 0, cap, s0, e;
	int rc;

	memset(&c, 0, sizeof c);
	if (!out)
		return KK_EINVAL;
	memset(out, 0, sizeof *out);
	if ((!text && len) || !m || !m->advance || !st || (!emph && n_emph))
		return KK_EINVAL;
	if (len > KK_TEXT_MAX_BYTES)
		return KK_E2BIG;
	if (n_emph > KK_TEXT_MAX_SPANS)
		return KK_E2BIG;
	if (m->size <= 0 || m->size > KK_TEXT_MAX_SIZE || st->width <= 0 ||
	    st->width > KK_TEXT_MAX_WIDTH || st->first_indent < 0 ||
	    st->first_indent > KK_TEXT_MAX_WIDTH || st->indent < 0 || st->indent > KK_TEXT_MAX_WIDTH)
		return KK_EINVAL;
	if (len == 0)
		return 0;
	ncp = utf8_lead_bytes(text, len); /* an upper bound on the glyph count */

	c.width = st->width;
	c.first_indent = st->first_indent;
	c.indent = st->indent;
	c.size = m->size;
	c.justify = st->justify != 0;
	rc = KK_ENOMEM;
	c.it = malloc((ncp + 1) * sizeof *c.it);
	c.g = malloc((ncp + 1) * sizeof *c.g);
	if (!c.it || !c.g)
		goto out;
	rc = text_fold(&c, m, text, len, &nl_total);
	if (rc)
		goto out;
	if (c.n == 0) {
		rc = 0;
		goto out;
	}
	items_relate(&c);

	cap = c.n + nl_total; /* every line but the empty ones holds a glyph */
	rc = KK_ENOMEM;
	ln = calloc(cap, sizeof *ln); /* zeroed: padding too, so outputs compare bytewise */
	lf = malloc(cap);
	if (!ln || !lf)
		goto out;
	for (s0 = 0; s0 < c.n; s0 = e + 1) {
		size_t ls = nlines, p = s0;
		for (e = s0; e + 1 < c.n && c.it[e].nl == 0; e++)
			;
		while (p <= e) {
			unsigned f;
			int64_t x0 = nlines == 0 ? c.first_indent : c.indent;
			size_t b = line_choose(&c, p, e, x0, &f);
			if (b == e)
				f = (f & LF_PUSH) | (e + 1 == c.n ? LF_PARA : LF_FORCED);
			ln[nlines].first = p;
			ln[nlines].count = b + 1 - p;
			lf[nlines] = (unsigned char)f;
			nlines++;
			p = b + 1;
		}
		segment_widow(&c, ln, lf, ls, nlines - 1);
		for (i = 1; i < c.it[e].nl && nlines < cap; i++) {
			ln[nlines].first = e + 1;
			ln[nlines].count = 0;
			lf[nlines] = LF_EMPTY;
			nlines++;
		}
	}
	for (i = 0; i < nlines; i++) {
		int64_t x0 = i == 0 ? c.first_indent : c.indent;
		line_place(&c, &ln[i], lf[i], x0, c.justify && (lf[i] & LF_END_MASK) == LF_SOFT);
	}
	if (n_emph) {
		rc = glyphs_emphasise(c.g, c.n, len, emph, n_emph);
		if (rc)
			goto out;
	}
	out->glyphs = c.g;
	out->n_glyphs = c.n;
	out->lines = ln;
	out->n_lines = nlines;
	c.g = NULL;
	ln = NULL;
	rc = 0;
out:
	free(c.it);
	free(c.g);
	free(ln);
	free(lf);
	return rc;
}

/* See layout.h: frees both arrays, leaves l zeroed. */
void kk_para_layout_fini(struct kk_para_layout *l)
{
	if (!l)
		return;
	free(l->glyphs);
	free(l->lines);
	memset(l, 0, sizeof *l);
}
