/* body.c — see body.h. */
#include "body.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"

struct kk_body *kk_body_new(void)
{
	return calloc(1, sizeof(struct kk_body));
}

static void block_fini(struct kk_block *blk)
{
	free(blk->marker);
	free(blk->text);
	free(blk->emph);
	for (size_t i = 0; i < blk->n_cells; i++)
		free(blk->cells[i].text);
	free(blk->cells);
	free(blk->src);
}

void kk_body_free(struct kk_body *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		block_fini(&b->blocks[i]);
	free(b->blocks);
	free(b);
}

struct kk_block *kk_body_add(struct kk_body *b, enum kk_block_kind kind)
{
	struct kk_block *blk;

	if (b->n >= KK_BODY_MAX_BLOCKS)
		return NULL;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct kk_block *p = realloc(b->blocks, cap * sizeof *p);
		if (!p)
			return NULL;
		b->blocks = p;
		b->cap = cap;
	}
	blk = &b->blocks[b->n++];
	memset(blk, 0, sizeof *blk);
	blk->kind = kind;
	return blk;
}

int kk_block_set_text(struct kk_block *blk, const char *text, size_t len)
{
	char *p = NULL;
	if (text) {
		p = kk_strndup(text, len);
		if (!p)
			return KK_ENOMEM;
	}
	free(blk->text);
	blk->text = p;
	return 0;
}

static int set_str(char **dst, const char *s)
{
	char *p = NULL;
	if (s && !(p = kk_strdup(s)))
		return KK_ENOMEM;
	free(*dst);
	*dst = p;
	return 0;
}

int kk_block_set_marker(struct kk_block *blk, const char *marker)
{
	return set_str(&blk->marker, marker);
}

int kk_block_set_src(struct kk_block *blk, const char *src)
{
	return set_str(&blk->src, src);
}

int kk_block_add_emph(struct kk_block *blk, uint32_t start, uint32_t end)
{
	struct kk_span *p;
	if (end <= start)
		return 0;
	p = realloc(blk->emph, (blk->n_emph + 1) * sizeof *p);
	if (!p)
		return KK_ENOMEM;
	blk->emph = p;
	p[blk->n_emph].start = start;
	p[blk->n_emph].end = end;
	blk->n_emph++;
	return 0;
}

int kk_block_add_cell(struct kk_block *blk, uint16_t row, uint16_t col, uint16_t rowspan,
		      uint16_t colspan, int head, const char *text)
{
	struct kk_cell *p, *c;
	unsigned r_end, c_end;

	if (blk->n_cells >= KK_TABLE_MAX_CELLS)
		return KK_E2BIG;
	if (rowspan < 1)
		rowspan = 1;
	if (colspan < 1)
		colspan = 1;
	if (rowspan > KK_TABLE_MAX_SPAN || colspan > KK_TABLE_MAX_SPAN)
		return KK_E2BIG;
	r_end = (unsigned)row + rowspan;
	c_end = (unsigned)col + colspan;
	if (r_end > 0xFFFF || c_end > 0xFFFF)
		return KK_E2BIG;
	p = realloc(blk->cells, (blk->n_cells + 1) * sizeof *p);
	if (!p)
		return KK_ENOMEM;
	blk->cells = p;
	c = &p[blk->n_cells];
	c->text = kk_strdup(text ? text : "");
	if (!c->text)
		return KK_ENOMEM;
	c->row = row;
	c->col = col;
	c->rowspan = rowspan;
	c->colspan = colspan;
	c->head = head ? 1 : 0;
	blk->n_cells++;
	if (r_end > blk->rows)
		blk->rows = (uint16_t)r_end;
	if (c_end > blk->cols)
		blk->cols = (uint16_t)c_end;
	return 0;
}

size_t kk_body_text_bytes(const struct kk_body *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->n; i++) {
		const struct kk_block *blk = &b->blocks[i];
		if (blk->text)
			n += strlen(blk->text);
		for (size_t k = 0; k < blk->n_cells; k++)
			n += strlen(blk->cells[k].text);
	}
	return n;
}
