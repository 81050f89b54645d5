/*
 * html.c — a document of the content database as one standalone HTML page.
 *
 * What a browser-based reading terminal would show for the same record: the catalogue card
 * (索引号, 文号, 发布机构, dates, validity, topics) and the body with its headings, list items
 * and tables. `make bench` opens it in headless Chromium beside the kiosk; staff can also use
 * it to look at a record on a desktop. Images are left as their alt text (the page must not
 * depend on files beside it), everything else is escaped text: nothing from the database is
 * ever written as markup.
 */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "kioskdb/html.h"

/* Write s HTML-escaped; NULL writes nothing. */
static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out); break;
		}
	}
}

static void card_row(FILE *out, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	fprintf(out, "<tr><th>%s</th><td>", label);
	esc(out, value);
	fputs("</td></tr>\n", out);
}

/* A table block: the grid's cells in row order, with their spans. */
static void table_html(FILE *out, const struct kk_block *b)
{
	fputs("<table class=\"grid\">\n", out);
	if (b->text) {
		fputs("<caption>", out);
		esc(out, b->text);
		fputs("</caption>\n", out);
	}
	for (unsigned r = 0; r < b->rows; r++) {
		fputs("<tr>", out);
		for (size_t i = 0; i < b->n_cells; i++) {
			const struct kk_cell *c = &b->cells[i];
			const char *tag = c->head ? "th" : "td";
			if (c->row != r)
				continue;
			fprintf(out, "<%s", tag);
			if (c->rowspan > 1)
				fprintf(out, " rowspan=\"%u\"", (unsigned)c->rowspan);
			if (c->colspan > 1)
				fprintf(out, " colspan=\"%u\"", (unsigned)c->colspan);
			fputc('>', out);
			esc(out, c->text);
			fprintf(out, "</%s>", tag);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void body_html(FILE *out, const struct kk_body *body)
{
	for (size_t i = 0; body && i < body->n; i++) {
		const struct kk_block *b = &body->blocks[i];
		switch (b->kind) {
		case KK_BLOCK_PARA:
			fputs("<p>", out);
			esc(out, b->text);
			fputs("</p>\n", out);
			break;
		case KK_BLOCK_HEADING: {
			int lv = b->level < 1 ? 2 : b->level > 5 ? 6 : b->level + 1;
			fprintf(out, "<h%d>", lv);
			esc(out, b->marker);
			esc(out, b->text);
			fprintf(out, "</h%d>\n", lv);
			break;
		}
		case KK_BLOCK_ITEM:
			fprintf(out, "<p class=\"item\" style=\"margin-left:%dem\">",
				2 * (b->level < 1 ? 1 : b->level > 6 ? 6 : b->level));
			esc(out, b->marker);
			esc(out, b->text);
			fputs("</p>\n", out);
			break;
		case KK_BLOCK_TABLE:
			table_html(out, b);
			break;
		case KK_BLOCK_IMAGE:
			fputs("<p class=\"figure\">［图］", out);
			esc(out, b->text);
			fputs("</p>\n", out);
			break;
		case KK_BLOCK_RULE:
			fputs("<hr>\n", out);
			break;
		}
	}
}

int kk_doc_write_html(const struct kk_doc *d, FILE *out)
{
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n<title>", out);
	esc(out, d->title);
	fputs("</title>\n<style>\n"
	      "body{margin:0;background:#f4f1ea;color:#1a1a1a;font-family:'Noto Sans CJK SC',sans-serif}\n"
	      "header{background:#a3201a;color:#fff;padding:24px 48px;font-size:36px}\n"
	      "main{padding:24px 48px;font-size:28px;line-height:1.6}\n"
	      "h1{font-size:40px;font-weight:normal}\n"
	      ".card{background:#faf8f3;border:1px solid #ccc;font-size:22px;margin-bottom:24px}\n"
	      ".card th{color:#666;font-weight:normal;text-align:left;padding:2px 24px 2px 12px}\n"
	      "p{text-indent:2em;margin:0 0 .6em;text-align:justify}\n"
	      "p.item,p.figure{text-indent:0}\n"
	      "table.grid{border-collapse:collapse;margin:12px 0;font-size:24px}\n"
	      "table.grid td,table.grid th{border:1px solid #444;padding:4px 10px}\n"
	      "</style></head>\n<body>\n<header>政府信息公开查阅点</header>\n<main>\n<h1>",
	      out);
	esc(out, d->title);
	fputs("</h1>\n<table class=\"card\">\n", out);
	card_row(out, "索引号", d->index_no);
	card_row(out, "文号", d->doc_no);
	card_row(out, "发布机构", d->publisher);
	card_row(out, "成文日期", d->written);
	card_row(out, "公开日期", d->published);
	card_row(out, "有效性", kk_validity_name(d->validity));
	for (size_t i = 0; i < d->n_topics; i++)
		card_row(out, "主题分类", d->topics[i]);
	card_row(out, "体裁", d->genre);
	fputs("</table>\n", out);
	body_html(out, d->body);
	fputs("</main>\n</body></html>\n", out);
	return ferror(out) ? KK_EIO : 0;
}
