/*
 * fuzz_bodyimport.c — libFuzzer entry point for kioskdb/bodyimport: the same bytes go to
 * kk_import_html, kk_import_text and kk_text_fold_space. Besides the sanitizers, every body is
 * checked against the invariants the text engine relies on, and abort() marks a violation:
 * valid UTF-8 everywhere, no empty text blocks, emphasis inside its text on character
 * boundaries and in order, table cells inside the grid and never overlapping, notes short and
 * free of control characters. Folding must be idempotent and leave no double or edge spaces.
 *
 * Build with clang -g -O1 -fsanitize=fuzzer,address,undefined -Ifirmware -Ioffline-db and
 * libxml-2.0's pkg-config flags, from this file, offline-db/kioskdb/bodyimport.c and every .c
 * file of firmware/base; run it on a copy of tests/fuzz/corpus/bodyimport (libFuzzer adds new
 * inputs to the corpus directory it is given), e.g. -max_total_time=60.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/body.h"
#include "base/err.h"
#include "base/utf8.h"
#include "kioskdb/bodyimport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_note(void *ctx, const char *msg)
{
	size_t n;

	(void)ctx;
	check(msg != NULL);
	n = strlen(msg);
	check(n > 0 && n < 256);
	for (size_t i = 0; i < n; i++)
		check((unsigned char)msg[i] >= 0x20 && msg[i] != 0x7F);
}

static void check_text(const char *s)
{
	check(s != NULL);
	check(kk_utf8_valid(s, strlen(s), NULL));
}

/* A normalised local path: relative, segments neither empty nor "." nor "..", no backslash. */
static void check_path(const char *p)
{
	check_text(p);
	check(p[0] != '\0' && !strchr(p, '\\'));
	for (const char *s = p;;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		check(n > 0 && !(n == 1 && s[0] == '.') && !(n == 2 && s[0] == '.' && s[1] == '.'));
		if (!e)
			break;
		s = e + 1;
	}
}

static void check_body(int rc, const struct kk_body *b)
{
	if (rc) {
		check(b == NULL);
		check(rc == KK_EINVAL || rc == KK_EUTF8 || rc == KK_E2BIG || rc == KK_ENOMEM);
		return;
	}
	check(b != NULL);
	check(b->n <= KK_BODY_MAX_BLOCKS);
	for (size_t i = 0; i < b->n; i++) {
		const struct kk_block *k = &b->blocks[i];
		size_t len = k->text ? strlen(k->text) : 0;

		check(k->kind >= KK_BLOCK_PARA && k->kind <= KK_BLOCK_RULE);
		if (k->text)
			check_text(k->text);
		if (k->marker)
			check_text(k->marker);
		switch (k->kind) {
		case KK_BLOCK_PARA:
			check(len > 0 && k->level == 0);
			break;
		case KK_BLOCK_HEADING:
			check(len > 0 && k->level >= 1 && k->level <= 6);
			break;
		case KK_BLOCK_ITEM:
			check(len > 0 && k->level >= 1 && k->level <= KK_IMPORT_MAX_LIST_LEVEL);
			break;
		case KK_BLOCK_IMAGE:
			check(k->src != NULL);
			check_path(k->src);
			break;
		default:
			break;
		}
		if (len) /* folded: no edge spaces */
			check(k->text[0] != ' ' && k->text[len - 1] != ' ');
		for (size_t e = 0; e < k->n_emph; e++) {
			const struct kk_span *s = &k->emph[e];
			check(s->start < s->end && s->end <= len);
			check(!e || s->start > k->emph[e - 1].end);
			check(((unsigned char)k->text[s->start] & 0xC0) != 0x80);
			check(s->end == len || ((unsigned char)k->text[s->end] & 0xC0) != 0x80);
		}
		if (k->kind == KK_BLOCK_TABLE) {
			unsigned char *grid;
			int any = 0;
			check(k->n_cells > 0 && k->n_cells <= KK_TABLE_MAX_CELLS);
			grid = calloc((size_t)k->rows * k->cols, 1);
			check(grid != NULL);
			for (size_t c = 0; c < k->n_cells; c++) {
				const struct kk_cell *cl = &k->cells[c];
				check_text(cl->text);
				any |= cl->text[0] != '\0';
				check(cl->rowspan >= 1 && cl->colspan >= 1);
				check(cl->rowspan <= KK_TABLE_MAX_SPAN &&
				      cl->colspan <= KK_TABLE_MAX_SPAN);
				check(cl->row + cl->rowspan <= k->rows &&
				      cl->col + cl->colspan <= k->cols);
				for (unsigned r = cl->row; r < cl->row + cl->rowspan; r++)
					for (unsigned q = cl->col; q < cl->col + cl->colspan; q++)
						check(grid[(size_t)r * k->cols + q]++ == 0);
			}
			check(any);
			free(grid);
		} else {
			check(k->n_cells == 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kk_body *b = NULL;
	char *copy;
	int rc;

	rc = kk_import_html((const char *)data, size, check_note, NULL, &b);
	check_body(rc, b);
	kk_body_free(b);
	b = NULL;

	rc = kk_import_text((const char *)data, size, &b);
	check_body(rc, b);
	if (!rc)
		for (size_t i = 0; i < b->n; i++)
			check(!b->blocks[i].text || !strchr(b->blocks[i].text, '\n'));
	kk_body_free(b);

	if (!size || !kk_utf8_valid((const char *)data, size, NULL))
		return 0;
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	{
		size_t n = kk_text_fold_space(copy, size), again;
		copy[n] = '\0';
		check(n <= size);
		check(kk_utf8_valid(copy, n, NULL));
		check(!n || (copy[0] != ' ' && copy[n - 1] != ' '));
		check(!strstr(copy, "  "));
		again = kk_text_fold_space(copy, n);
		check(again == n);
	}
	free(copy);
	return 0;
}
