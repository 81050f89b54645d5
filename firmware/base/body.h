/*
 * body.h — the structured body of a document or guide section.
 *
 * Bodies are imported once (HTML sanitised or plain text recognised by kioskdb), stored
 * relationally by the catalogue, and laid out by the text engine: the kiosk never parses HTML.
 * A body is a flat list of blocks; nesting is expressed by `level`.
 *
 * Ownership: a kk_body owns its blocks and every string in them. kk_body_free(NULL) is a no-op.
 * Not thread-safe; a body is built by one thread and then only read.
 */
#ifndef KK_BASE_BODY_H
#define KK_BASE_BODY_H

#include <stddef.h>
#include <stdint.h>

enum kk_block_kind {
	KK_BLOCK_PARA = 1, /* paragraph: text */
	KK_BLOCK_HEADING,  /* heading: level 1..6, optional marker ("一、"), text */
	KK_BLOCK_ITEM,     /* list item: level 1.. (nesting), marker ("1." "（1）" "•"), text */
	KK_BLOCK_TABLE,    /* table: cells; text = caption or NULL */
	KK_BLOCK_IMAGE,    /* image: src (build time) / media_id (stored), text = alt */
	KK_BLOCK_RULE      /* horizontal rule */
};

/* Emphasis as a byte range [start, end) of the owning text. */
struct kk_span {
	uint32_t start, end;
};

struct kk_cell {
	uint16_t row, col;         /* 0-based top-left position in the grid */
	uint16_t rowspan, colspan; /* >= 1 */
	uint8_t head;              /* header cell (th) */
	char *text;                /* never NULL ("" for empty cells) */
};

struct kk_block {
	enum kk_block_kind kind;
	int level;
	char *marker;
	char *text;
	struct kk_span *emph;
	size_t n_emph;
	struct kk_cell *cells;
	size_t n_cells;
	uint16_t rows, cols; /* table grid size */
	char *src;
	int64_t media_id;
};

struct kk_body {
	struct kk_block *blocks;
	size_t n, cap;
};

/* Caps that keep a hostile body from exhausting memory (import rejects beyond them). */
#define KK_BODY_MAX_BLOCKS 20000
#define KK_TABLE_MAX_CELLS 20000
#define KK_TABLE_MAX_SPAN 1000

struct kk_body *kk_body_new(void);
void kk_body_free(struct kk_body *b);

/*
 * Append a zeroed block of `kind`; returns it (valid until the next add) or NULL on
 * KK_BODY_MAX_BLOCKS / out of memory.
 */
struct kk_block *kk_body_add(struct kk_body *b, enum kk_block_kind kind);

/* Copy-in setters; return 0 or KK_ENOMEM. text may be NULL. */
int kk_block_set_text(struct kk_block *blk, const char *text, size_t len);
int kk_block_set_marker(struct kk_block *blk, const char *marker);
int kk_block_set_src(struct kk_block *blk, const char *src);
int kk_block_add_emph(struct kk_block *blk, uint32_t start, uint32_t end);
/* Append a cell (text copied); returns 0, KK_ENOMEM or KK_E2BIG. Grid size grows to fit. */
int kk_block_add_cell(struct kk_block *blk, uint16_t row, uint16_t col, uint16_t rowspan,
		      uint16_t colspan, int head, const char *text);

/* Total bytes of text in the body (for caps and statistics). */
size_t kk_body_text_bytes(const struct kk_body *b);

#endif
