/*
 * layout.h — paragraph layout for Chinese (and mixed Chinese/Latin) text: line breaking with
 * the clreq/GB/T 15834 prohibition rules, punctuation compression, the Han–Latin gap,
 * justification and widow avoidance. Pure libc: the caller supplies glyph advances through
 * struct kk_font_metrics (the UI wraps SDL_ttf; tests use a fixed-width fake).
 *
 * The result is a flat list of positioned glyphs grouped into lines; the caller turns it into
 * draw calls. See the design comment at the top of layout.c for the algorithm.
 *
 * DRAWING CONTRACT (what a renderer must do with a struct kk_glyph):
 *   - Skip glyphs with KK_GLYPH_HIDDEN (a space or U+3000 at a line end; w is 0).
 *   - Draw every other glyph with the left edge of its full advance box (its pen origin) at
 *     paragraph_x + g.x. Do not clip it to [x, x + w): a compressed glyph's blank half overlaps
 *     its neighbour or the margin, and nothing is drawn there.
 *   - x already includes compression: a compressed opening mark (（《「“ …, flag
 *     KK_GLYPH_CUT_LEFT) has x = slot - advance/2, so its ink (right half of the em box) lands
 *     at the start of its slot; a compressed closing mark (，。）”…, flag KK_GLYPH_CUT_RIGHT)
 *     is drawn at its slot and its blank right half is overlapped by what follows.
 *   - The glyph's slot (its share of the line, for hit testing, selection and emphasis dots)
 *     is [slot, slot + w) with slot = x + (flags & KK_GLYPH_CUT_LEFT ? advance(cp)/2 : 0)
 *     (integer division). Within a line, the next visible glyph's slot is slot + w. w includes
 *     any quarter-em Han–Latin gap and any justification space after the glyph, so centre an
 *     emphasis dot on the ink (x + advance/2), not on the slot.
 *   - A line's glyphs end within the width, except when the line could not be broken
 *     legally (a character or unbreakable cluster wider than the line, or, as a last resort,
 *     one closing mark set half-width hanging into the margin).
 *   - x is never left of the line's indent, except for a compressed opening mark at a line
 *     start (only after a last-resort break between two opening marks), whose blank half
 *     falls into the margin.
 */
#ifndef KK_TEXT_LAYOUT_H
#define KK_TEXT_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "base/body.h" /* struct kk_span */

/* Caps: input beyond them is refused (KK_E2BIG / KK_EINVAL), never truncated silently. */
#define KK_TEXT_MAX_BYTES (1u << 20)    /* paragraph text */
#define KK_TEXT_MAX_SPANS (1u << 16)    /* emphasis ranges per paragraph */
#define KK_TEXT_MAX_WIDTH (1 << 20)     /* width, indents (px) */
#define KK_TEXT_MAX_SIZE 4096           /* em size (px) */
#define KK_TEXT_MAX_ADVANCE 65535       /* advance() results are clamped to [0, this] */

/* Metrics of one font face at one pixel size, supplied by the caller (the UI wraps SDL_ttf;
 * tests use a fixed-width fake). */
struct kk_font_metrics {
	void *ctx;
	/* Advance width in px of code point cp at this size (> 0). Called once per glyph (and for
	 * U+0020 when a space is kept), from the thread that calls kk_text_layout_para. */
	int (*advance)(void *ctx, uint32_t cp);
	int size; /* em size in px */
};

struct kk_para_style {
	int width;        /* line width in px (> 0) */
	int first_indent; /* px added before the first line (2 em = 2*size for body paragraphs; 0 for headings) */
	int indent;       /* px before every other line (hanging indent for list items; usually 0) */
	int justify;      /* 1: justify every line but the last */
};

enum kk_glyph_flags {
	KK_GLYPH_EMPH = 1,
	KK_GLYPH_HIDDEN = 2,    /* e.g. a space swallowed at a line break */
	KK_GLYPH_CUT_LEFT = 4,  /* informational: set half-width, blank left half removed */
	KK_GLYPH_CUT_RIGHT = 8  /* informational: set half-width, blank right half removed */
};

struct kk_glyph {
	uint32_t cp;    /* code point to draw */
	uint32_t byte;  /* byte offset of the code point in the paragraph text */
	int32_t x;      /* left edge in px, relative to the paragraph's left edge (indent included):
			 * where to draw the full glyph box (see the drawing contract above) */
	int32_t w;      /* advance after compression/justification, px */
	uint32_t flags; /* enum kk_glyph_flags */
};

struct kk_line {
	size_t first;  /* index of the first glyph of the line in kk_para_layout.glyphs */
	size_t count;  /* glyphs on the line (0 for the empty line between two newlines) */
	int32_t width; /* px from the paragraph's left edge to the end of the last visible glyph
			* (0 when the line has no visible glyph) */
};

struct kk_para_layout {
	struct kk_glyph *glyphs;
	size_t n_glyphs;
	struct kk_line *lines;
	size_t n_lines;
};

/*
 * Lay out one paragraph of valid UTF-8. Returns 0, KK_EINVAL (bad args / invalid UTF-8),
 * KK_E2BIG (over KK_TEXT_MAX_BYTES = 1 MiB, or more than KK_TEXT_MAX_SPANS spans) or
 * KK_ENOMEM. The caller owns out and frees it with kk_para_layout_fini (which is a no-op on a
 * zeroed struct); on error out is left zeroed. Pure function, thread-safe, does not block.
 *
 * Text handling: leading and trailing whitespace is dropped; a run of ASCII or Unicode spaces
 * inside the text becomes one U+0020 glyph at the byte of its first character; newlines
 * (LF, CR, CRLF, VT, FF, NEL, U+2028, U+2029) force a line break, and the whitespace around
 * them is dropped (k newlines in a row give k-1 empty lines); control and invisible format
 * characters (ZWSP, ZWJ, BOM, soft hyphen, bidi controls …) produce no glyph, ZWSP marks a
 * break opportunity. Everything else, including U+3000 and U+00A0, is one glyph.
 * emph: byte ranges [start, end); a glyph whose byte lies in one gets KK_GLYPH_EMPH. Ranges
 * past the text are clamped, empty or inverted ones ignored. emph may be NULL if n_emph is 0.
 */
int kk_text_layout_para(const char *text, size_t len, const struct kk_span *emph, size_t n_emph,
			const struct kk_font_metrics *m, const struct kk_para_style *st,
			struct kk_para_layout *out);

/* Free what kk_text_layout_para allocated and zero l. No-op on a zeroed struct or NULL. */
void kk_para_layout_fini(struct kk_para_layout *l);

#endif
