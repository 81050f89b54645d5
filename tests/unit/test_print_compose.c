/*
 * test_print_compose.c — printed pages (firmware/print/compose.c) with the real Noto CJK fonts
 * and the real layout engine: header and footer ink on every page, white margins, page numbers
 * in the footer text, table header rows repeated, the QR code read back by zbarimg, warnings on
 * every page of a 失效 document, a one-page guide checklist with tick boxes, no line starting
 * with a closing mark, receipt-printer bands. Writes PBM previews to build/print-preview/.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/body.h"
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog_build.h"
#include "kioskdb/export.h"
#include "catalog/catalog.h"
#include "kt.h"
#include "print/compose.h"
#include "print/raster.h"

#define FONT_DIR "/usr/share/fonts/opentype/noto/"
static const struct kk_print_fonts fonts = { FONT_DIR "NotoSansCJK-Regular.ttc", 2,
					     FONT_DIR "NotoSansCJK-Bold.ttc", 2,
					     "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0 };
static const struct kk_print_stamp stamp = { "示例县", "2026-11-23 16:05", "2026.11.3" };
static const char url[] = "https://www.example.gov.cn/xxgk/2026/11/t20261123_4411.html";

/* A4 at 300 dpi, printer margins 4 mm plus ours 11 mm. */
static struct kk_page_setup a4(void)
{
	struct kk_page_setup ps = { 300, 2480, 3508, 177, 177, 177, 177, 0 };
	return ps;
}

static const char para_text[] =
	"为进一步加强全县政务公开工作，提升政府信息公开质量和实效，根据《中华人民共和国政府信息公开条例》"
	"和上级有关要求，结合我县实际，现就做好2025年政务公开工作提出如下意见：一是深化重点领域信息公开，"
	"围绕稳就业、保民生、优化营商环境等重点工作，及时准确发布政策信息；二是加强政策解读，运用简明问答、"
	"图表图解等形式，让群众看得懂、用得上；三是规范政府信息公开平台建设，做好“查阅点”服务，"
	"方便群众就近查阅、免费打印。";

static struct kk_doc *doc_new(int validity, int table_rows)
{
	struct kk_doc *d = calloc(1, sizeof *d);
	struct kk_block *b;
	char cell[64];

	d->title = strdup("示例县人民政府办公室关于印发《示例县2025年政务公开工作要点》的通知（测试用长标题，"
			  "用来检查页眉中的标题会被截断并加上省略号）");
	d->index_no = strdup("11340825MB1234567X/2025-00123");
	d->doc_no = strdup("示政办〔2025〕12号");
	d->publisher = strdup("示例县人民政府办公室");
	d->written = strdup("2025-03-01");
	d->published = strdup("2025-03-05");
	d->validity = validity;
	d->url = strdup(url);
	if (validity == KK_EXPIRED)
		d->replaced_by.title = strdup("示例县2026年政务公开工作要点");
	d->body = kk_body_new();
	b = kk_body_add(d->body, KK_BLOCK_HEADING);
	b->level = 1;
	kk_block_set_marker(b, "一、");
	kk_block_set_text(b, "总体要求", strlen("总体要求"));
	for (int i = 0; i < 8; i++) {
		b = kk_body_add(d->body, KK_BLOCK_PARA);
		kk_block_set_text(b, para_text, strlen(para_text));
		if (i == 0)
			kk_block_add_emph(b, 0, 30);
	}
	for (int i = 1; i <= 4; i++) {
		b = kk_body_add(d->body, KK_BLOCK_ITEM);
		b->level = 1;
		snprintf(cell, sizeof cell, "（%d）", i);
		kk_block_set_marker(b, cell);
		kk_block_set_text(b, para_text, 150);
	}
	b = kk_body_add(d->body, KK_BLOCK_HEADING);
	b->level = 2;
	kk_block_set_marker(b, "（一）");
	kk_block_set_text(b, "重点任务分工表", strlen("重点任务分工表"));
	b = kk_body_add(d->body, KK_BLOCK_TABLE);
	kk_block_set_text(b, "表1 重点任务分工", strlen("表1 重点任务分工"));
	kk_block_add_cell(b, 0, 0, 1, 1, 1, "序号");
	kk_block_add_cell(b, 0, 1, 1, 1, 1, "任务内容");
	kk_block_add_cell(b, 0, 2, 1, 1, 1, "责任单位");
	for (int r = 1; r <= table_rows; r++) {
		b = &d->body->blocks[d->body->n - 1];
		snprintf(cell, sizeof cell, "%d", r);
		kk_block_add_cell(b, (uint16_t)r, 0, 1, 1, 0, cell);
		snprintf(cell, sizeof cell, "第%d项任务：做好政策解读和信息发布", r);
		kk_block_add_cell(b, (uint16_t)r, 1, 1, 1, 0, cell);
		kk_block_add_cell(b, (uint16_t)r, 2, 1, 1, 0, r % 3 ? "县政府办" : "县数据资源局、县融媒体中心");
	}
	b = kk_body_add(d->body, KK_BLOCK_IMAGE);
	kk_block_set_text(b, "政务公开工作流程图", strlen("政务公开工作流程图"));
	b = kk_body_add(d->body, KK_BLOCK_RULE);
	for (int i = 0; i < 6; i++) {
		b = kk_body_add(d->body, KK_BLOCK_PARA);
		kk_block_set_text(b, para_text, strlen(para_text));
	}
	return d;
}

static int row_has_ink(const struct kk_raster *r, uint32_t y, uint32_t x0, uint32_t x1)
{
	for (uint32_t x = x0; x < x1; x++)
		if (kk_raster_mono_get(r, x, y))
			return 1;
	return 0;
}

static int band_has_ink(const struct kk_raster *r, uint32_t y0, uint32_t y1, uint32_t x0, uint32_t x1)
{
	for (uint32_t y = y0; y < y1; y++)
		if (row_has_ink(r, y, x0, x1))
			return 1;
	return 0;
}

static void write_pbm(const struct kk_raster *r, uint32_t rows, const char *name)
{
	char path[256];
	FILE *f;
	mkdir("build", 0755);
	mkdir("build/print-preview", 0755);
	snprintf(path, sizeof path, "build/print-preview/%s.pbm", name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fprintf(f, "P4\n%u %u\n", r->width, rows);
	for (uint32_t y = 0; y < rows; y++) {
		uint8_t row[KK_RASTER_MAX_DIM / 8];
		kk_raster_row_copy(r, y, row);
		fwrite(row, 1, kk_raster_row_bytes(r->width, KK_RASTER_MONO), f);
	}
	fclose(f);
}

/* The first QR code zbarimg (package zbar-tools) reads in build/print-preview/<name>.pbm, or
 * "" when it reads none. */
static void qr_read(const char *name, char *buf, size_t n)
{
	char cmd[256];
	FILE *p;
	snprintf(cmd, sizeof cmd, "timeout 30 zbarimg --quiet --raw -Sdisable -Sqrcode.enable "
		 "build/print-preview/%s.pbm 2>/dev/null", name);
	buf[0] = 0;
	p = popen(cmd, "r");
	if (!p)
		return;
	if (!fgets(buf, (int)n, p))
		buf[0] = 0;
	pclose(p);
	buf[strcspn(buf, "\r\n")] = 0;
}

/* Does any text line of the page contain s? Returns the first such line or NULL. */
static const struct kk_print_text_line *find_line(const struct kk_print_layout *l, unsigned page,
						  const char *s)
{
	const struct kk_print_text_line *lines;
	size_t n;
	if (kk_print_layout_text(l, page, &lines, &n))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strstr(lines[i].text, s))
			return &lines[i];
	return NULL;
}

static void test_doc_pages(void)
{
	struct kk_page_setup ps = a4();
	struct kk_doc *d = doc_new(KK_VALID, 70);
	struct kk_print_layout *l = NULL;
	struct kk_raster r = { 0 };
	unsigned n;

	KT_CHECK_INT(kk_print_layout_doc(d, &ps, &stamp, &fonts, &l), 0);
	KT_REQUIRE(l != NULL);
	kk_doc_free(d); /* the layout owns copies of everything */
	n = kk_print_layout_pages(l);
	KT_CHECK(n >= 4);
	KT_REQUIRE(kk_raster_init(&r, ps.width, ps.height, KK_RASTER_MONO, ps.dpi) == 0);
	for (unsigned p = 0; p < n; p++) {
		char want[64];
		const struct kk_print_text_line *fl;
		KT_CHECK_INT(kk_print_layout_page_rows(l, p), ps.height);
		KT_REQUIRE(kk_print_layout_render(l, p, &r) == 0);
		/* header band (top 0.4 inch of the printable area) and footer band */
		KT_CHECK(band_has_ink(&r, ps.margin_top, ps.margin_top + 120, ps.margin_left,
				      ps.width - ps.margin_right));
		KT_CHECK(band_has_ink(&r, ps.height - ps.margin_bottom - 240, ps.height - ps.margin_bottom,
				      ps.margin_left, ps.width - ps.margin_right));
		/* margins white */
		KT_CHECK(!band_has_ink(&r, 0, ps.margin_top, 0, ps.width));
		KT_CHECK(!band_has_ink(&r, ps.height - ps.margin_bottom, ps.height, 0, ps.width));
		KT_CHECK(!band_has_ink(&r, 0, ps.height, 0, ps.margin_left));
		KT_CHECK(!band_has_ink(&r, 0, ps.height, ps.width - ps.margin_right, ps.width));
		snprintf(want, sizeof want, "第 %u 页 / 共 %u 页", p + 1, n);
		fl = find_line(l, p, want);
		KT_CHECK(fl != NULL);
		if (fl)
			KT_CHECK(fl->y > (int32_t)(ps.height - ps.margin_bottom - 400));
		KT_CHECK(find_line(l, p, "索引号：11340825MB1234567X/2025-00123") != NULL);
		KT_CHECK(find_line(l, p, "发布机构：示例县人民政府办公室") != NULL);
		KT_CHECK(find_line(l, p, "打印自示例县政务公开查阅点 2026-11-23 16:05") != NULL);
		KT_CHECK(find_line(l, p, "内容版本 2026.11.3") != NULL);
		/* the header title is cut with an ellipsis */
		KT_CHECK(find_line(l, p, "…") != NULL);
		KT_CHECK(find_line(l, p, "本文件") == NULL);
		if (p < 3) {
			char name[32];
			snprintf(name, sizeof name, "doc-p%u", p + 1);
			write_pbm(&r, r.height, name);
		}
	}
	KT_CHECK(kk_print_layout_render(l, n, &r) == KK_EINVAL);
	kk_raster_fini(&r);
	kk_print_layout_free(l);
}

/* Every page that carries rows of the table starts its part of the table with the header. */
static void test_table_header_repeats(void)
{
	struct kk_page_setup ps = a4();
	struct kk_doc *d = doc_new(KK_VALID, 70);
	struct kk_print_layout *l = NULL;
	unsigned with_rows = 0, n;

	KT_REQUIRE(kk_print_layout_doc(d, &ps, &stamp, &fonts, &l) == 0);
	n = kk_print_layout_pages(l);
	for (unsigned p = 0; p < n; p++) {
		const struct kk_print_text_line *row = find_line(l, p, "项任务：做好"), *head;
		if (!row)
			continue;
		with_rows++;
		head = find_line(l, p, "任务内容");
		KT_CHECK(head != NULL);
		if (head)
			KT_CHECK(head->y < row->y);
	}
	KT_CHECK(with_rows >= 2);
	/* the last row is there, once */
	{
		unsigned seen = 0;
		for (unsigned p = 0; p < n; p++)
			seen += find_line(l, p, "第70项任务") != NULL;
		KT_CHECK_INT(seen, 1);
	}
	kk_print_layout_free(l);
	kk_doc_free(d);
}

/* Page count and pixels do not change between two layouts of the same document. */
static void test_stable(void)
{
	struct kk_page_setup ps = a4();
	struct kk_doc *d = doc_new(KK_VALID, 40);
	struct kk_print_layout *a = NULL, *b = NULL;
	struct kk_raster ra = { 0 }, rb = { 0 };

	KT_REQUIRE(kk_print_layout_doc(d, &ps, &stamp, &fonts, &a) == 0);
	KT_REQUIRE(kk_print_layout_doc(d, &ps, &stamp, &fonts, &b) == 0);
	KT_CHECK_INT(kk_print_layout_pages(a), kk_print_layout_pages(b));
	KT_REQUIRE(kk_raster_init(&ra, ps.width, ps.height, KK_RASTER_MONO, ps.dpi) == 0);
	KT_REQUIRE(kk_raster_init(&rb, ps.width, ps.height, KK_RASTER_MONO, ps.dpi) == 0);
	/* b renders page 2 first, so its raster is reused: the clear must leave no trace */
	KT_REQUIRE(kk_print_layout_render(b, 2, &rb) == 0);
	KT_REQUIRE(kk_print_layout_render(a, 1, &ra) == 0);
	KT_REQUIRE(kk_print_layout_render(b, 1, &rb) == 0);
	KT_CHECK(memcmp(ra.data, rb.data, (size_t)ra.stride * ra.height) == 0);
	kk_raster_fini(&ra);
	kk_raster_fini(&rb);
	kk_print_layout_free(a);
	kk_print_layout_free(b);
	kk_doc_free(d);
}

/* The footer's QR code decodes (zbarimg, package zbar-tools) to the document's url. */
static void test_qr_decodes(void)
{
	struct kk_page_setup ps = a4();
	struct kk_doc *d = doc_new(KK_VALID, 5);
	struct kk_print_layout *l = NULL;
	struct kk_raster r = { 0 };
	char buf[512];

	KT_REQUIRE(kk_print_layout_doc(d, &ps, &stamp, &fonts, &l) == 0);
	KT_REQUIRE(kk_raster_init(&r, ps.width, ps.height, KK_RASTER_MONO, ps.dpi) == 0);
	KT_REQUIRE(kk_print_layout_render(l, 0, &r) == 0);
	write_pbm(&r, r.height, "qr-page");
	qr_read("qr-page", buf, sizeof buf);
	KT_CHECK_STR(buf, url);
	kk_raster_fini(&r);
	kk_print_layout_free(l);
	kk_doc_free(d);
}

static void test_expired_warning(void)
{
	struct kk_page_setup ps = a4();
	struct kk_doc *d = doc_new(KK_EXPIRED, 70);
	struct kk_print_layout *l = NULL;
	unsigned n;

	KT_REQUIRE(kk_print_layout_doc(d, &ps, &stamp, &fonts, &l) == 0);
	n = kk_print_layout_pages(l);
	KT_CHECK(n >= 4);
	for (unsigned p = 0; p < n; p++) {
		const struct kk_print_text_line *w = find_line(l, p, "本文件已失效，仅供参考");
		KT_CHECK(w != NULL);
		/* in the header, above the body */
		if (w)
			KT_CHECK(w->y < (int32_t)ps.margin_top + 300);
		KT_CHECK(find_line(l, p, "示例县2026年政务公开工作要点") != NULL);
	}
	if (n) {
		struct kk_raster r = { 0 };
		KT_REQUIRE(kk_raster_init(&r, ps.width, ps.height, KK_RASTER_MONO, ps.dpi) == 0);
		KT_REQUIRE(kk_print_layout_render(l, 1, &r) == 0);
		write_pbm(&r, r.height, "expired-p2");
		kk_raster_fini(&r);
	}
	kk_print_layout_free(l);
	kk_doc_free(d);
}

/* No line of any page starts with a mark that must not start a line (clreq). */
static void test_line_starts(void)
{
	static const char *const bad[] = { "。", "，", "、", "；", "：", "！", "？", "）", "》", "”" };
	struct kk_page_setup ps = a4();
	struct kk_doc *d = doc_new(KK_VALID, 20);
	struct kk_print_layout *l = NULL;
	size_t total = 0;

	KT_REQUIRE(kk_print_layout_doc(d, &ps, &stamp, &fonts, &l) == 0);
	for (unsigned p = 0; p < kk_print_layout_pages(l); p++) {
		const struct kk_print_text_line *lines;
		size_t n;
		KT_REQUIRE(kk_print_layout_text(l, p, &lines, &n) == 0);
		total += n;
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
				if (strncmp(lines[i].text, bad[k], strlen(bad[k])) == 0) {
					printf("#   page %u line \"%s\"\n", p + 1, lines[i].text);
					KT_CHECK(0);
				}
	}
	KT_CHECK(total > 50);
	kk_print_layout_free(l);
	kk_doc_free(d);
}

static struct kk_body *text_body(const char *const *items, size_t n, int as_items)
{
	struct kk_body *b = kk_body_new();
	for (size_t i = 0; i < n; i++) {
		struct kk_block *blk = kk_body_add(b, as_items ? KK_BLOCK_ITEM : KK_BLOCK_PARA);
		char mk[32];
		if (as_items) {
			blk->level = 1;
			snprintf(mk, sizeof mk, "%zu.", i + 1);
			kk_block_set_marker(blk, mk);
		}
		kk_block_set_text(blk, items[i], strlen(items[i]));
	}
	return b;
}

static struct kk_guide *guide_new(void)
{
	static const char *const labels[] = { "事项名称", "实施主体", "设定依据", "受理条件", "申请材料",
					      "办理流程", "办理时限", "收费标准", "办理地点", "办理时间",
					      "咨询电话", "监督投诉电话" };
	static const char *const materials[] = {
		"居民户口簿原件1本（交验后当场退还）。",
		"未满十六周岁的，提交监护人居民身份证原件1张，由监护人在《居民身份证申领登记表》上签字。",
		"享受工本费免收的，提交最低生活保障证明或特困人员救助供养证明原件1份（已纳入民政信息系统的，窗口在线核验，免于提交）。",
		"相片由受理窗口现场免费拍摄；已在公安机关认定的照相馆拍摄的，可提交数码相片回执1张。",
	};
	static const char *const other[] = { "示例县公安局户政管理大队。" };
	struct kk_guide *g = calloc(1, sizeof *g);
	g->title = strdup("居民身份证首次申领");
	g->group = strdup("户籍与身份证");
	g->url = strdup("https://www.example.gov.cn/bszn/hm-01-01.html");
	g->updated = strdup("2026-10-08");
	g->n_sections = sizeof labels / sizeof labels[0];
	g->sections = calloc(g->n_sections, sizeof *g->sections);
	for (size_t i = 0; i < g->n_sections; i++) {
		g->sections[i].label = strdup(labels[i]);
		if (!strcmp(labels[i], "申请材料"))
			g->sections[i].body = text_body(materials, 4, 1);
		else if (!strcmp(labels[i], "办理地点"))
			g->sections[i].body = text_body((const char *const[]){ "示例县政务服务中心一楼户籍窗口（城关镇人民路88号）。" }, 1, 0);
		else if (!strcmp(labels[i], "咨询电话"))
			g->sections[i].body = text_body((const char *const[]){ "0556-1234567" }, 1, 0);
		else if (!strcmp(labels[i], "收费标准"))
			g->sections[i].body = text_body((const char *const[]){ "居民身份证工本费20元；低保、特困人员免收。" }, 1, 0);
		else
			g->sections[i].body = text_body(other, 1, 0);
	}
	return g;
}

static void test_guide_summary(void)
{
	struct kk_page_setup ps = a4();
	struct kk_guide *g = guide_new();
	struct kk_print_layout *l = NULL;
	struct kk_raster r = { 0 };
	const struct kk_print_text_line *lines;
	size_t n, boxes = 0;

	KT_REQUIRE(kk_print_layout_guide(g, 1, &ps, &stamp, &fonts, &l) == 0);
	KT_CHECK_INT(kk_print_layout_pages(l), 1);
	KT_CHECK(find_line(l, 0, "申请材料") != NULL);
	KT_CHECK(find_line(l, 0, "办理地点") != NULL);
	KT_CHECK(find_line(l, 0, "办理时间") != NULL);
	KT_CHECK(find_line(l, 0, "咨询电话") != NULL);
	KT_CHECK(find_line(l, 0, "办理时限") != NULL);
	KT_CHECK(find_line(l, 0, "收费标准") != NULL);
	KT_CHECK(find_line(l, 0, "设定依据") == NULL); /* not on a checklist */
	KT_CHECK(find_line(l, 0, "第 1 页 / 共 1 页") != NULL);
	KT_REQUIRE(kk_raster_init(&r, ps.width, ps.height, KK_RASTER_MONO, ps.dpi) == 0);
	KT_REQUIRE(kk_print_layout_render(l, 0, &r) == 0);
	write_pbm(&r, r.height, "guide-summary");
	/* every material line that starts an item has a hollow square left of its marker */
	KT_REQUIRE(kk_print_layout_text(l, 0, &lines, &n) == 0);
	for (size_t i = 0; i < n; i++) {
		int s = lines[i].size, x0, y0, ink = 0, hollow;
		if (!(lines[i].text[0] >= '1' && lines[i].text[0] <= '4' && lines[i].text[1] == '.'))
			continue;
		x0 = lines[i].x - s * 3 / 2;
		y0 = lines[i].y;
		for (int y = y0; y < y0 + s; y++)
			ink += row_has_ink(&r, (uint32_t)y, (uint32_t)x0, (uint32_t)(lines[i].x - s / 5));
		/* the centre of the box is white */
		hollow = !band_has_ink(&r, (uint32_t)(y0 + s * 4 / 10), (uint32_t)(y0 + s * 6 / 10),
				       (uint32_t)(x0 + s * 3 / 10), (uint32_t)(x0 + s * 5 / 10));
		KT_CHECK(ink > s / 2);
		KT_CHECK(hollow);
		boxes++;
	}
	KT_CHECK_INT(boxes, 4);
	kk_raster_fini(&r);
	kk_print_layout_free(l);

	/* full mode: every section with its label */
	KT_REQUIRE(kk_print_layout_guide(g, 0, &ps, &stamp, &fonts, &l) == 0);
	{
		int seen = 0;
		for (unsigned p = 0; p < kk_print_layout_pages(l); p++)
			seen += find_line(l, p, "监督投诉电话") != NULL;
		KT_CHECK_INT(seen, 1);
	}
	kk_print_layout_free(l);
	kk_guide_free(g);
}

/* An 80 mm receipt printer: 576 dots at 203 dpi, bands of 2000 dots, footer once at the end. */
static void test_narrow(void)
{
	struct kk_page_setup ps = { 203, 576, 2000, 16, 24, 16, 40, 1 };
	struct kk_doc *d = doc_new(KK_REPEALED, 12);
	struct kk_print_layout *l = NULL;
	struct kk_raster r = { 0 };
	unsigned n, stamps = 0;

	KT_REQUIRE(kk_print_layout_doc(d, &ps, &stamp, &fonts, &l) == 0);
	n = kk_print_layout_pages(l);
	KT_CHECK(n >= 3);
	KT_CHECK(find_line(l, 0, "本文件已废止，仅供参考") != NULL);
	for (unsigned p = 0; p < n; p++) {
		stamps += find_line(l, p, "打印自示例县") != NULL;
		KT_CHECK(p + 1 == n ? kk_print_layout_page_rows(l, p) <= ps.height
				    : kk_print_layout_page_rows(l, p) == ps.height);
	}
	KT_CHECK_INT(stamps, 1);
	KT_CHECK(find_line(l, n - 1, "打印自示例县") != NULL);
	KT_CHECK(find_line(l, 0, "第 1 页") == NULL);
	KT_REQUIRE(kk_raster_init(&r, ps.width, ps.height, KK_RASTER_MONO, ps.dpi) == 0);
	for (unsigned p = 0; p < n; p++) {
		uint32_t rows = kk_print_layout_page_rows(l, p);
		KT_REQUIRE(kk_print_layout_render(l, p, &r) == 0);
		KT_CHECK(!band_has_ink(&r, 0, rows, 0, ps.margin_left));
		KT_CHECK(!band_has_ink(&r, 0, rows, ps.width - ps.margin_right, ps.width));
		if (p == 0) {
			KT_CHECK(!band_has_ink(&r, 0, ps.margin_top, 0, ps.width));
			write_pbm(&r, rows, "narrow-band1");
		}
		if (p + 1 == n) {
			/* the QR code at the end of the strip reads back */
			char buf[512];
			write_pbm(&r, rows, "narrow-last");
			qr_read("narrow-last", buf, sizeof buf);
			KT_CHECK_STR(buf, url);
		}
	}
	kk_raster_fini(&r);
	kk_print_layout_free(l);
	kk_doc_free(d);
}

/* Does every page of l carry its page number, and (warn) the validity warning? */
static int pages_ok(const struct kk_print_layout *l, const char *warn)
{
	unsigned n = kk_print_layout_pages(l);
	for (unsigned p = 0; p < n; p++) {
		char want[64];
		snprintf(want, sizeof want, "第 %u 页 / 共 %u 页", p + 1, n);
		if (!find_line(l, p, want) || (warn && !find_line(l, p, warn)))
			return 0;
	}
	return n > 0;
}

/*
 * The real sample export (offline-db/sample) built into a catalogue: every document prints
 * with its page numbers (and the warning on 失效/废止 ones), every guide's checklist fits on
 * one page with a tick box per material and all six sections found by their labels.
 */
static void test_sample_content(void)
{
	char dir[] = "/tmp/kk-compose-XXXXXX", db[256];
	struct kk_writer *w = NULL;
	struct kk_export_stats est;
	struct kk_catalog *cat = NULL;
	struct kk_doc_query q = { 0 };
	struct kk_doc_list dl = { 0 };
	struct kk_page_setup ps = a4();
	FILE *devnull = fopen("/dev/null", "w");
	size_t docs = 0, guides = 0, tables = 0;

	KT_REQUIRE(devnull && mkdtemp(dir) != NULL);
	kk_log_set_level(KK_LOG_ERROR);
	snprintf(db, sizeof db, "%s/sample.db", dir);
	KT_REQUIRE(kk_writer_open(db, &w) == 0);
	KT_REQUIRE(kk_export_read("offline-db/sample", w, devnull, &est) == 0);
	KT_REQUIRE(kk_writer_finish(w) == 0);
	fclose(devnull);
	KT_REQUIRE(kk_catalog_open(db, &cat) == 0);
	KT_REQUIRE(kk_catalog_list_docs(cat, &q, &dl) == 0);
	KT_CHECK(dl.n > 20);
	for (size_t i = 0; i < dl.n; i++) {
		struct kk_doc *d = NULL;
		struct kk_print_layout *l = NULL;
		const char *warn = NULL;
		if (kk_catalog_get_doc(cat, dl.items[i].id, &d) != 0) {
			KT_CHECK(0);
			continue;
		}
		if (d->validity == KK_EXPIRED)
			warn = "本文件已失效，仅供参考";
		else if (d->validity == KK_REPEALED)
			warn = "本文件已废止，仅供参考";
		for (size_t b = 0; d->body && b < d->body->n; b++)
			tables += d->body->blocks[b].kind == KK_BLOCK_TABLE;
		KT_CHECK_INT(kk_print_layout_doc(d, &ps, &stamp, &fonts, &l), 0);
		if (l) {
			if (!pages_ok(l, warn))
				printf("#   %s: a page lacks its number or warning\n", d->title);
			KT_CHECK(pages_ok(l, warn));
			docs++;
			if (d->series == KK_SERIES_ANNUAL_REPORT && tables) {
				struct kk_raster r = { 0 };
				if (kk_raster_init(&r, ps.width, ps.height, KK_RASTER_MONO, ps.dpi) == 0 &&
				    kk_print_layout_render(l, kk_print_layout_pages(l) > 1 ? 1 : 0, &r) == 0)
					write_pbm(&r, r.height, "sample-annual-report");
				kk_raster_fini(&r);
			}
		}
		kk_print_layout_free(l);
		kk_doc_free(d);
	}
	kk_doc_list_fini(&dl);
	KT_CHECK(tables > 0);
	for (int book = KK_BOOK_HUIMIN; book <= KK_BOOK_HUIQI; book++) {
		struct kk_group_list gl = { 0 };
		KT_REQUIRE(kk_catalog_list_groups(cat, book, &gl) == 0);
		for (size_t gi = 0; gi < gl.n; gi++) {
			struct kk_guide_list list = { 0 };
			KT_REQUIRE(kk_catalog_list_guides(cat, gl.items[gi].id, &list) == 0);
			for (size_t k = 0; k < list.n; k++) {
				struct kk_guide *g = NULL;
				struct kk_print_layout *l = NULL;
				static const char *const want[] = { "申请材料", "办理地点", "办理时间",
								    "咨询电话", "办理时限", "收费标准" };
				if (kk_catalog_get_guide(cat, list.items[k].id, &g) != 0) {
					KT_CHECK(0);
					continue;
				}
				KT_CHECK_INT(kk_print_layout_guide(g, 1, &ps, &stamp, &fonts, &l), 0);
				if (l) {
					KT_CHECK_INT(kk_print_layout_pages(l), 1);
					KT_CHECK(find_line(l, 0, "内容较多未能全部列出") == NULL);
					for (size_t s = 0; s < sizeof want / sizeof want[0]; s++)
						KT_CHECK(find_line(l, 0, want[s]) != NULL);
					if (guides == 0) {
						struct kk_raster r = { 0 };
						if (kk_raster_init(&r, ps.width, ps.height, KK_RASTER_MONO, ps.dpi) == 0 &&
						    kk_print_layout_render(l, 0, &r) == 0)
							write_pbm(&r, r.height, "sample-guide-summary");
						kk_raster_fini(&r);
					}
					guides++;
				}
				kk_print_layout_free(l);
				l = NULL;
				KT_CHECK_INT(kk_print_layout_guide(g, 0, &ps, &stamp, &fonts, &l), 0);
				if (l)
					KT_CHECK(pages_ok(l, NULL));
				kk_print_layout_free(l);
				kk_guide_free(g);
			}
			kk_guide_list_fini(&list);
		}
		kk_group_list_fini(&gl);
	}
	KT_CHECK(guides > 50);
	printf("# printed %zu sample documents, %zu guide checklists\n", docs, guides);
	kk_catalog_close(cat);
	kt_rmtree(dir);
}

/* Hostile bodies: absurd tables, invalid UTF-8, empty everything. Layout succeeds or refuses
 * with a cap error; nothing crashes; margins stay white. */
static void test_hostile(void)
{
	struct kk_page_setup ps = a4();
	struct kk_doc *d = calloc(1, sizeof *d);
	struct kk_print_layout *l = NULL;
	struct kk_block *b;
	struct kk_raster r = { 0 };
	static const char bad_utf8[] = "正常文字\xff\xfe\xc3(断开";
	int rc;

	KT_REQUIRE(d != NULL);
	d->body = kk_body_new();
	b = kk_body_add(d->body, KK_BLOCK_TABLE); /* 300 columns, cells spanning past the grid */
	for (uint16_t c = 0; c < 300; c++)
		kk_block_add_cell(b, 0, c, 1, 1, 1, "很长的表头文字");
	kk_block_add_cell(b, 1, 0, 900, 900, 0, "跨越一切");
	kk_block_add_cell(b, 2, 299, 1, 1, 0, "");
	b = kk_body_add(d->body, KK_BLOCK_PARA);
	kk_block_set_text(b, bad_utf8, sizeof bad_utf8 - 1);
	b = kk_body_add(d->body, KK_BLOCK_HEADING);
	b->level = 99;
	b = kk_body_add(d->body, KK_BLOCK_ITEM);
	b->level = 1000;
	kk_block_set_marker(b, "\xe4\xb8");
	kk_block_set_text(b, "项目", strlen("项目"));
	b = kk_body_add(d->body, KK_BLOCK_IMAGE);
	b = kk_body_add(d->body, KK_BLOCK_TABLE); /* a table with no cells */
	b = kk_body_add(d->body, KK_BLOCK_HEADING); /* 90 KB: cut on a character boundary */
	{
		size_t n = 30000 * 3;
		char *big = malloc(n + 1);
		KT_REQUIRE(big != NULL);
		for (size_t i = 0; i < n; i += 3)
			memcpy(big + i, "题", 3);
		kk_block_set_marker(b, "一、");
		kk_block_set_text(b, big, n);
		free(big);
	}
	rc = kk_print_layout_doc(d, &ps, &stamp, &fonts, &l);
	KT_CHECK_INT(rc, 0);
	if (l) {
		unsigned seen = 0;
		for (unsigned p = 0; p < kk_print_layout_pages(l); p++)
			seen += find_line(l, p, "题题题题") != NULL;
		KT_CHECK(seen > 3);
		KT_REQUIRE(kk_raster_init(&r, ps.width, ps.height, KK_RASTER_MONO, ps.dpi) == 0);
		for (unsigned p = 0; p < kk_print_layout_pages(l); p++) {
			KT_CHECK(kk_print_layout_render(l, p, &r) == 0);
			KT_CHECK(!band_has_ink(&r, 0, ps.margin_top, 0, ps.width));
			KT_CHECK(!band_has_ink(&r, 0, ps.height, 0, ps.margin_left));
			KT_CHECK(!band_has_ink(&r, 0, ps.height, ps.width - ps.margin_right, ps.width));
		}
		/* a raster of the wrong size is refused */
		kk_raster_fini(&r);
		KT_REQUIRE(kk_raster_init(&r, ps.width / 2, ps.height, KK_RASTER_MONO, ps.dpi) == 0);
		KT_CHECK(kk_print_layout_render(l, 0, &r) == KK_EINVAL);
		kk_raster_fini(&r);
	}
	kk_print_layout_free(l);
	l = NULL;
	/* a body of some 3000 pages passes the caps (ops, pages): refused, not truncated */
	kk_body_free(d->body);
	d->body = kk_body_new();
	for (int i = 0; i < 18000; i++) {
		b = kk_body_add(d->body, KK_BLOCK_PARA);
		kk_block_set_text(b, para_text, strlen(para_text));
	}
	KT_CHECK_INT(kk_print_layout_doc(d, &ps, &stamp, &fonts, &l), KK_E2BIG);
	KT_CHECK(l == NULL);
	kk_doc_free(d);
}

/* The fonts named by assets/kiosk.conf; the dump; a site name that is already a 查阅点. */
static void test_config_fonts_and_dump(void)
{
	struct kk_config cfg;
	struct kk_config_problems pr = { 0 };
	struct kk_print_font_files ff;
	struct kk_print_stamp st = { NULL, "2026-11-23 16:05", NULL };
	struct kk_page_setup ps = a4();
	struct kk_doc *d = doc_new(KK_VALID, 3);
	struct kk_print_layout *l = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	kk_config_defaults(&cfg);
	KT_REQUIRE(kk_config_load(&cfg, "assets/kiosk.conf", &pr) == 0);
	kk_config_problems_fini(&pr);
	kk_print_fonts_from_config(&cfg, &ff);
	KT_CHECK_STR(ff.fonts.regular, FONT_DIR "NotoSansCJK-Regular.ttc");
	KT_CHECK_STR(ff.fonts.bold, FONT_DIR "NotoSansCJK-Bold.ttc");
	KT_CHECK_INT(ff.fonts.bold_index, 2);
	KT_CHECK_STR(ff.fonts.fallback, FONT_DIR "NotoSerifCJK-Regular.ttc");
	KT_CHECK_INT(ff.fonts.fallback_index, 2);
	st.site = cfg.site_name;
	KT_REQUIRE(kk_print_layout_doc(d, &ps, &st, &ff.fonts, &l) == 0);
	KT_CHECK(find_line(l, 0, "打印自示例县政务服务中心政府信息公开查阅点 2026-11-23 16:05") != NULL);
	KT_CHECK(find_line(l, 0, "内容版本") == NULL);
	f = open_memstream(&text, &len);
	KT_REQUIRE(f != NULL);
	KT_CHECK(kk_print_layout_dump(l, f) == 0);
	fclose(f);
	KT_CHECK(text && strstr(text, "== page 1/") != NULL);
	KT_CHECK(text && strstr(text, "第 1 页 / 共 ") != NULL);
	free(text);
	kk_print_layout_free(l);
	kk_doc_free(d);
}

struct render_job {
	struct kk_print_layout *l;
	unsigned pages;
	uint8_t *pixels; /* every page, one after the other */
	size_t page_bytes;
	int rc;
};

static void *render_all(void *arg)
{
	struct render_job *j = arg;
	struct kk_page_setup ps = a4();
	struct kk_raster r = { 0 };
	j->rc = kk_raster_init(&r, ps.width, ps.height, KK_RASTER_MONO, ps.dpi);
	for (unsigned p = 0; !j->rc && p < j->pages; p++) {
		j->rc = kk_print_layout_render(j->l, p, &r);
		memcpy(j->pixels + (size_t)p * j->page_bytes, r.data, j->page_bytes);
	}
	kk_raster_fini(&r);
	return NULL;
}

/* Two layouts rendered at once on two worker threads give the pixels of a serial render. */
static void test_threads(void)
{
	struct kk_page_setup ps = a4();
	struct kk_doc *d = doc_new(KK_EXPIRED, 30);
	struct render_job j[3] = { { 0 } };
	pthread_t th[2];
	size_t page_bytes = (size_t)kk_raster_row_bytes(ps.width, KK_RASTER_MONO) * ps.height;

	for (int i = 0; i < 3; i++) {
		KT_REQUIRE(kk_print_layout_doc(d, &ps, &stamp, &fonts, &j[i].l) == 0);
		j[i].pages = kk_print_layout_pages(j[i].l) < 4 ? kk_print_layout_pages(j[i].l) : 4;
		j[i].page_bytes = page_bytes;
		j[i].pixels = malloc(page_bytes * j[i].pages);
		KT_REQUIRE(j[i].pixels != NULL);
	}
	kk_doc_free(d); /* the layouts outlive the document */
	render_all(&j[2]);
	KT_REQUIRE(pthread_create(&th[0], NULL, render_all, &j[0]) == 0);
	KT_REQUIRE(pthread_create(&th[1], NULL, render_all, &j[1]) == 0);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	for (int i = 0; i < 2; i++) {
		KT_CHECK_INT(j[i].rc, 0);
		KT_CHECK(j[i].pages == j[2].pages &&
			 memcmp(j[i].pixels, j[2].pixels, page_bytes * j[2].pages) == 0);
	}
	for (int i = 0; i < 3; i++) {
		free(j[i].pixels);
		kk_print_layout_free(j[i].l);
	}
}

static void test_bad_args(void)
{
	struct kk_page_setup ps = a4();
	struct kk_doc *d = doc_new(KK_VALID, 1);
	struct kk_print_layout *l = NULL;
	struct kk_print_fonts nofont = { "/nonexistent/font.ttc", 0, NULL, 0, NULL, 0 };

	KT_CHECK(kk_print_layout_doc(d, &ps, &stamp, &nofont, &l) == KK_EFONT);
	KT_CHECK(l == NULL);
	ps.margin_left = ps.width;
	KT_CHECK(kk_print_layout_doc(d, &ps, &stamp, &fonts, &l) == KK_EINVAL);
	ps = a4();
	ps.dpi = 5;
	KT_CHECK(kk_print_layout_doc(d, &ps, &stamp, &fonts, &l) == KK_EINVAL);
	KT_CHECK(kk_print_layout_doc(NULL, &ps, &stamp, &fonts, &l) == KK_EINVAL);
	kk_print_layout_free(NULL);
	kk_doc_free(d);
}

KT_MAIN(KT_CASE(test_doc_pages), KT_CASE(test_table_header_repeats), KT_CASE(test_stable), KT_CASE(test_qr_decodes), KT_CASE(test_expired_warning), KT_CASE(test_line_starts), KT_CASE(test_guide_summary), KT_CASE(test_narrow), KT_CASE(test_hostile), KT_CASE(test_config_fonts_and_dump), KT_CASE(test_threads), KT_CASE(test_bad_args), KT_CASE(test_sample_content))
