/*
 * glyphs.h — FreeType faces and a cache of 1-bit glyph bitmaps for the print composer
 * (internal to firmware/print/; the only place besides glyphs.c that knows about FreeType is
 * nothing: FreeType types do not leak out of glyphs.c).
 *
 * A kk_glyphs holds its own FT_Library and faces (regular, bold, fallback) and a cache keyed by
 * (face, pixel size, code point) of the advance and the thresholded 1-bit bitmap. Faces are
 * opened from file paths; the bold face is optional (headings then use regular). A code point
 * missing from the face asked for is looked up in the others, then drawn as U+25A1's box or
 * left blank.
 *
 * Threads: a kk_glyphs is used by one thread at a time (its FT_Library is not shared), so a
 * print layout that owns one may be rendered on a worker thread. Nothing here blocks except
 * the font file reads in kk_glyphs_new.
 */
#ifndef KK_PRINT_GLYPHS_H
#define KK_PRINT_GLYPHS_H

#include <stddef.h>
#include <stdint.h>

enum kk_glyph_face { KK_FACE_REGULAR = 0, KK_FACE_BOLD = 1, KK_FACE_COUNT = 2 };

/* Largest pixel size cached (a 72 pt title at 1200 dpi is 1200 px). */
#define KK_GLYPHS_MAX_SIZE 1200
/* Bitmap bytes the cache holds before it is emptied and refilled. */
#define KK_GLYPHS_MAX_BYTES (48u << 20)

struct kk_glyph_bitmap {
	int32_t left, top;   /* ink box relative to the pen: x = pen + left, y = baseline - top */
	uint32_t width, rows;
	uint32_t pitch;      /* bytes per bitmap row */
	const uint8_t *bits; /* 1 bit per pixel, MSB first, bit set = ink; owned by the cache */
	int32_t advance;     /* px */
};

struct kk_glyphs;

/*
 * Open the faces. regular is required; bold and fallback may be NULL. Index is the face index
 * in a .ttc collection (2 is Simplified Chinese in Noto Sans CJK). Returns 0, KK_EINVAL,
 * KK_EFONT (a file that FreeType cannot open as a face) or KK_ENOMEM. Caller owns *out.
 */
int kk_glyphs_new(const char *regular, int regular_index, const char *bold, int bold_index,
		  const char *fallback, int fallback_index, struct kk_glyphs **out);
void kk_glyphs_free(struct kk_glyphs *g);

/* 1 if a real bold face was opened. */
int kk_glyphs_have_bold(const struct kk_glyphs *g);

/* Advance in px of cp at size px in face (cached; 0 size or errors give size / 2). */
int kk_glyphs_advance(struct kk_glyphs *g, int face, int size, uint32_t cp);

/*
 * The bitmap of cp at size px in face. The pointer stays valid until the next call on g (the
 * cache may be emptied when it passes KK_GLYPHS_MAX_BYTES). Returns NULL on errors.
 */
const struct kk_glyph_bitmap *kk_glyphs_get(struct kk_glyphs *g, int face, int size, uint32_t cp);

#endif
