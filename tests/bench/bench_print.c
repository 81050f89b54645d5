/*
 * bench_print.c — printed pages of a 12-page document at 600 dpi on A4: layout, render (cold
 * glyph cache, then warm) and render + encode in PCL 5 and PWG Raster, per page, with bytes per
 * page. Prints figures; never fails on timing. Usage: bench_print REGULAR.ttc BOLD.ttc [FACE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/body.h"
#include "base/buf.h"
#include "catalog/catalog.h"
#include "print/compose.h"
#include "print/lang.h"
#include "print/raster.h"

static const char text[] =
	"各乡镇人民政府，县政府各部门、各直属机构：为深入贯彻落实《中华人民共和国政府信息公开条例》，"
	"进一步提升政务公开标准化规范化水平，县政府决定在县政务服务中心、县档案馆、县图书馆和各乡镇便民"
	"服务中心设立政府信息公开查阅点，配备查阅终端和打印设备，免费为群众提供政府信息查阅、下载和打印"
	"服务。各查阅点要建立健全查阅登记制度，做好来访群众的引导和服务工作，定期分析群众关注的热点问题，"
	"及时向有关部门反馈，推动政务公开工作与群众需求有效对接。";

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A document of n_para paragraphs, one heading per 4, and a 40-row table in the middle. */
static struct kk_doc *bench_doc(int n_para)
{
	struct kk_doc *d = calloc(1, sizeof *d);
	char cell[96];
	if (!d)
		return NULL;
	d->title = strdup("示例县人民政府关于设立政府信息公开查阅点的通知");
	d->index_no = strdup("11340825MB1234567X/2026-00456");
	d->doc_no = strdup("示政〔2026〕8号");
	d->publisher = strdup("示例县人民政府");
	d->published = strdup("2026-11-01");
	d->validity = KK_VALID;
	d->url = strdup("https://www.example.gov.cn/xxgk/2026/11/t20261101_5120.html");
	d->body = kk_body_new();
	for (int i = 0; i < n_para; i++) {
		struct kk_block *b;
		if (i % 4 == 0) {
			b = kk_body_add(d->body, KK_BLOCK_HEADING);
			b->level = 1;
			snprintf(cell, sizeof cell, "第%d部分　工作要求", i / 4 + 1);
			kk_block_set_text(b, cell, strlen(cell));
		}
		b = kk_body_add(d->body, KK_BLOCK_PARA);
		kk_block_set_text(b, text, strlen(text));
		if (i == n_para / 2) {
			b = kk_body_add(d->body, KK_BLOCK_TABLE);
			kk_block_add_cell(b, 0, 0, 1, 1, 1, "查阅点");
			kk_block_add_cell(b, 0, 1, 1, 1, 1, "地址");
			kk_block_add_cell(b, 0, 2, 1, 1, 1, "开放时间");
			for (uint16_t r = 1; r <= 40; r++) {
				snprintf(cell, sizeof cell, "第%u便民服务中心", r);
				kk_block_add_cell(b, r, 0, 1, 1, 0, cell);
				kk_block_add_cell(b, r, 1, 1, 1, 0, "示例县城关镇人民路88号政务服务中心一楼");
				kk_block_add_cell(b, r, 2, 1, 1, 0, "工作日 8:30—12:00，14:30—17:30");
			}
		}
	}
	return d;
}

int main(int argc, char **argv)
{
	struct kk_page_setup ps = { 600, 4960, 7016, 354, 354, 354, 354, 0 }; /* A4, 15 mm */
	struct kk_print_stamp st = { "示例县", "2026-11-23 16:05", "2026.11.3" };
	struct kk_print_fonts f = { NULL, 2, NULL, 2, NULL, 0 };
	struct kk_print_layout *l = NULL;
	struct kk_raster r = { 0 };
	struct kk_doc *d = NULL;
	struct kk_buf out;
	const struct kk_print_lang *langs[] = { &kk_print_lang_pcl, &kk_print_lang_pwg };
	double t0, lay_ms = 0, cold = 0, warm = 0;
	unsigned n = 0;
	int n_para = 40, rc = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_print REGULAR.ttc BOLD.ttc [FACE]\n");
		return 2;
	}
	f.regular = argv[1];
	f.bold = argv[2];
	if (argc > 3)
		f.regular_index = f.bold_index = atoi(argv[3]);
	kk_buf_init(&out, 64u << 20);
	/* grow the document until it prints on 12 pages */
	for (;;) {
		kk_doc_free(d);
		kk_print_layout_free(l);
		l = NULL;
		d = bench_doc(n_para);
		t0 = now_ms();
		if (!d || kk_print_layout_doc(d, &ps, &st, &f, &l)) {
			fprintf(stderr, "bench_print: layout failed\n");
			goto out;
		}
		lay_ms = now_ms() - t0;
		n = kk_print_layout_pages(l);
		if (n >= 12 || n_para > 400)
			break;
		n_para += 4;
	}
	if (kk_raster_init(&r, ps.width, ps.height, KK_RASTER_MONO, ps.dpi))
		goto out;
	t0 = now_ms();
	for (unsigned p = 0; p < n; p++)
		kk_print_layout_render(l, p, &r);
	cold = now_ms() - t0;
	t0 = now_ms();
	for (unsigned p = 0; p < n; p++)
		kk_print_layout_render(l, p, &r);
	warm = now_ms() - t0;
	printf("bench print: %u pages A4 at 600 dpi (%u x %u dots), %d paragraphs + a 41-row table\n",
	       n, ps.width, ps.height, n_para);
	printf("  layout (fonts opened, cold advances)         : %8.2f ms/page (%.1f ms)\n", lay_ms / n, lay_ms);
	printf("  render, cold glyph cache                     : %8.2f ms/page\n", cold / n);
	printf("  render, warm glyph cache                     : %8.2f ms/page\n", warm / n);
	printf("  layout + render (first print of a document)  : %8.2f ms/page\n", (lay_ms + cold) / n);
	for (size_t k = 0; k < sizeof langs / sizeof langs[0]; k++) {
		struct kk_print_opts o = { .copies = 1, .total_pages = n };
		size_t bytes = 0;
		double enc = 0;
		t0 = now_ms();
		for (unsigned p = 0; p < n; p++) {
			double e0;
			kk_buf_reset(&out);
			kk_print_layout_render(l, p, &r);
			e0 = now_ms();
			if (langs[k]->page(&out, &r, &o)) {
				fprintf(stderr, "bench_print: %s page failed\n", langs[k]->name);
				goto out;
			}
			enc += now_ms() - e0;
			bytes += out.len;
		}
		printf("  render + encode %-4s                         : %8.2f ms/page (encode %.2f), %7zu bytes/page\n",
		       langs[k]->name, (now_ms() - t0) / n, enc / n, bytes / n);
	}
	rc = 0;
out:
	kk_raster_fini(&r);
	kk_buf_fini(&out);
	kk_print_layout_free(l);
	kk_doc_free(d);
	return rc;
}
