/*
 * test_print_gs.c — our PCL 5 encoder (firmware/print/pcl.c) against Ghostscript's `ljet4`
 * driver, the PCL that CUPS would send a LaserJet, and our PWG Raster against its `pwgraster`,
 * on the same bitmap.
 *
 * A text-like A4 page at 600 dpi (lines of "characters", a ruled table, a QR-like block) is
 * encoded by pcl.c, and also written as a raw bitmap that a small PostScript program draws
 * with `image` at 600 dpi for `gs -sDEVICE=ljet4`. Both PCL streams are read back by one
 * lenient decoder written here (it knows the escapes both emit: modes 0/2/3, ESC*b#Y,
 * ESC*p#Y, PJL) and compared:
 *   - rows: the same rows carry ink, with the same number of black dots in each (Ghostscript
 *     moves the page by its unprintable margin, so rows are compared from the first ink row
 *     and dots are counted rather than compared by position);
 *   - size: our page is no larger than Ghostscript's (the goal), printed as figures.
 * Ghostscript comes from Debian (`ghostscript`, installed by `make test`); a missing `gs` is
 * a failure, not a skip.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "kt.h"
#include "pcl_decode.h"
#include "print/lang.h"
#include "print/raster.h"

#define ROW_MAX 2048 /* bytes: 16384 dots */

struct ink_rows {
	uint32_t *dots; /* black dots per row, from the top of the raster area */
	uint32_t n, cap;
	uint32_t first_ink, last_ink; /* rows with ink, inclusive; first > last when none */
	unsigned pages;
};

static int rows_set(struct ink_rows *r, uint32_t y, uint32_t dots)
{
	if (y >= 40000)
		return -1;
	if (y >= r->cap) {
		uint32_t cap = r->cap ? r->cap : 1024;
		while (cap <= y)
			cap *= 2;
		uint32_t *d = realloc(r->dots, cap * sizeof *d);
		if (!d)
			return -1;
		memset(d + r->cap, 0, (cap - r->cap) * sizeof *d);
		r->dots = d;
		r->cap = cap;
	}
	r->dots[y] = dots;
	if (y + 1 > r->n)
		r->n = y + 1;
	if (dots) {
		if (r->first_ink > r->last_ink || y < r->first_ink)
			r->first_ink = y;
		if (r->first_ink > r->last_ink || y > r->last_ink)
			r->last_ink = y;
	}
	return 0;
}

static uint32_t popcount_row(const uint8_t *row, size_t n)
{
	uint32_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += (uint32_t)__builtin_popcount(row[i]);
	return c;
}

/*
 * Read the first page of a PCL stream into per-row dot counts. Lenient about escapes that do
 * not move the raster (they are skipped), strict about data: a bad compressed row fails.
 */
static int pcl_rows(const uint8_t *p, size_t n, struct ink_rows *out)
{
	uint8_t seed[ROW_MAX];
	uint32_t y = 0;
	size_t i = 0;
	int mode = 0, raster = 0;

	memset(out, 0, sizeof *out);
	out->first_ink = 1;
	memset(seed, 0, sizeof seed);
	while (i < n) {
		if (n - i >= 9 && memcmp(p + i, "\033%-12345X", 9) == 0) {
			i += 9;
			continue;
		}
		if (n - i >= 4 && memcmp(p + i, "@PJL", 4) == 0) {
			while (i < n && p[i] != '\n')
				i++;
			i++;
			continue;
		}
		if (p[i] == '\f') {
			out->pages++;
			if (out->pages == 1)
				return 0; /* the first page is all we compare */
			i++;
			continue;
		}
		if (p[i] != 0x1b || i + 1 >= n)
			return -1;
		if (p[i + 1] == 'E') {
			i += 2;
			continue;
		}
		uint8_t c1 = p[i + 1], g;
		if (i + 2 >= n || c1 < 0x21 || c1 > 0x2f)
			return -1;
		g = p[i + 2];
		i += 3;
		for (;;) {
			long v = 0;
			int sign = 0;
			uint8_t par;
			if (i < n && (p[i] == '+' || p[i] == '-'))
				sign = p[i++] == '-' ? -1 : 1;
			while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.')) {
				if (p[i] != '.')
					v = v * 10 + (p[i] - '0');
				i++;
			}
			if (i >= n)
				return -1;
			par = p[i++];
			int last = par >= 0x40 && par <= 0x5e;
			par = (uint8_t)(last ? par : par - 0x20);
			if (c1 == '*' && g == 'b' && par == 'M') {
				mode = (int)v;
			} else if (c1 == '*' && g == 'r' && par == 'A') {
				raster = 1;
				memset(seed, 0, sizeof seed);
			} else if (c1 == '*' && g == 'r' && (par == 'B' || par == 'C')) {
				raster = 0;
			} else if (c1 == '*' && g == 'p' && par == 'Y') {
				/* cursor moves between raster blocks: absolute or relative, in dots */
				y = sign ? (uint32_t)((long)y + sign * v) : (uint32_t)v;
			} else if (c1 == '*' && g == 'b' && par == 'Y') {
				y += (uint32_t)v;
				memset(seed, 0, sizeof seed);
			} else if (c1 == '*' && g == 'b' && par == 'W' && last) {
				if ((size_t)v > n - i || !raster)
					return -1;
				if (mode == 0) {
					if ((size_t)v > sizeof seed)
						return -1;
					memset(seed, 0, sizeof seed);
					memcpy(seed, p + i, (size_t)v);
				} else if (mode == 2) {
					if (pcl_unpack2(p + i, (size_t)v, seed, sizeof seed))
						return -1;
				} else if (mode == 3) {
					if (pcl_unpack3(p + i, (size_t)v, seed, sizeof seed))
						return -1;
				} else {
					return -1; /* a mode neither side should use */
				}
				if (rows_set(out, y, popcount_row(seed, sizeof seed)))
					return -1;
				y++;
				i += (size_t)v;
			} else if (c1 == '*' && g == 'b' && par == 'W') {
				return -1;
			}
			if (last)
				break;
		}
	}
	return out->pages ? 0 : -1;
}

/* A page that looks like a printed document: lines of glyph-like blobs, a table, a QR. */
static void draw_page(struct kk_raster *r)
{
	uint32_t s = 12345;
	for (uint32_t line = 0; line < 60; line++) {
		uint32_t y0 = 700 + line * 100;
		for (uint32_t ch = 0; ch < 40; ch++) {
			/* a "character": three horizontal and two vertical strokes, 6 dots thick
			 * (10.5 pt CJK at 600 dpi is about 87 dots a side) */
			uint32_t x0 = 600 + ch * 90, hy[3], vx[2];
			for (int k = 0; k < 3; k++) {
				s = s * 1103515245u + 12345u;
				hy[k] = (s >> 16) % 64;
			}
			for (int k = 0; k < 2; k++) {
				s = s * 1103515245u + 12345u;
				vx[k] = (s >> 16) % 64;
			}
			for (uint32_t y = 0; y < 70; y++)
				for (uint32_t x = 0; x < 70; x++) {
					int ink = 0;
					for (int k = 0; k < 3; k++)
						ink |= y >= hy[k] && y < hy[k] + 6 && x > 4 && x < 66;
					for (int k = 0; k < 2; k++)
						ink |= x >= vx[k] && x < vx[k] + 6 && y > 2 && y < 68;
					if (ink)
						kk_raster_mono_set(r, x0 + x, y0 + y, 1);
				}
		}
	}
	for (uint32_t y = 6800; y < 6810; y++) /* a rule above the footer */
		for (uint32_t x = 600; x < 4400; x++)
			kk_raster_mono_set(r, x, y, 1);
	for (uint32_t y = 0; y < 300; y++) /* a QR-like block of 12-dot modules */
		for (uint32_t x = 0; x < 300; x++)
			if ((((x / 12) * 7 + (y / 12) * 13) % 5) < 2)
				kk_raster_mono_set(r, 4000 + x, 6300 + y, 1);
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(p, 1, n, f) == n;
	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

/*
 * Encode our test page with lang into *ours, and the same bitmap through Ghostscript's device
 * (raw rows drawn by `image` on a page of the bitmap's size) into *gs. dir is a scratch folder.
 * Returns 0, or -1 when a step failed.
 */
static int encode_both(const struct kk_print_lang *lang, const char *device, const char *dir,
		       struct kk_raster *r, struct kk_buf *ours, struct kk_buf *gs)
{
	struct kk_print_opts o = { .copies = 1 };
	char path[256], cmd[1024];
	FILE *f;

	if (kk_raster_init(r, 4960, 7016, KK_RASTER_MONO, 600))
		return -1;
	draw_page(r);
	if (lang->job_begin(ours, &o) || lang->page(ours, r, &o) || lang->job_end(ours, &o))
		return -1;
	snprintf(path, sizeof path, "%s/page.raw", dir);
	if (write_file(path, r->data, (size_t)r->stride * r->height))
		return -1;
	snprintf(path, sizeof path, "%s/page.ps", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fprintf(f, "%%!PS\n<< /PageSize [%.4f %.4f] >> setpagedevice\n"
		   "%.4f %.4f scale\n"
		   "<< /ImageType 1 /Width %u /Height %u /BitsPerComponent 1 /Decode [1 0]\n"
		   "   /ImageMatrix [%u 0 0 -%u 0 %u] /DataSource (%s/page.raw) (r) file >> image\n"
		   "showpage\n",
		r->width * 72.0 / 600, r->height * 72.0 / 600, r->width * 72.0 / 600,
		r->height * 72.0 / 600, r->stride * 8, r->height, r->stride * 8, r->height,
		r->height, dir);
	if (fclose(f))
		return -1;
	snprintf(cmd, sizeof cmd,
		 "gs -q -dNOPAUSE -dBATCH -dSAFER --permit-file-read=%s/ -sDEVICE=%s -r600 "
		 "-sOutputFile=%s/gs.out %s/page.ps >%s/gs.log 2>&1",
		 dir, device, dir, dir, dir);
	if (system(cmd) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/gs.out", dir);
	return kk_buf_read_file(gs, path) == 0 ? 0 : -1;
}

static void test_pcl_against_ljet4(void)
{
	struct kk_raster r = { 0 };
	struct kk_buf ours, gs;
	struct ink_rows a = { 0 }, b = { 0 };
	char dir[] = "/tmp/kk-gs-XXXXXX";
	uint32_t ink_rows = 0;

	kk_buf_init(&ours, 64u << 20);
	kk_buf_init(&gs, 64u << 20);
	KT_REQUIRE(mkdtemp(dir));
	KT_REQUIRE(encode_both(&kk_print_lang_pcl, "ljet4", dir, &r, &ours, &gs) == 0);

	KT_REQUIRE(pcl_rows((const uint8_t *)ours.data, ours.len, &a) == 0);
	KT_REQUIRE(pcl_rows((const uint8_t *)gs.data, gs.len, &b) == 0);
	KT_REQUIRE(a.first_ink <= a.last_ink && b.first_ink <= b.last_ink);
	/* the same rows carry ink, each with the same number of black dots */
	KT_CHECK_INT(a.last_ink - a.first_ink, b.last_ink - b.first_ink);
	for (uint32_t k = 0; k <= a.last_ink - a.first_ink && a.first_ink + k < a.n &&
			     b.first_ink + k < b.n; k++) {
		if (a.dots[a.first_ink + k] != b.dots[b.first_ink + k]) {
			KT_CHECK_INT(a.dots[a.first_ink + k], b.dots[b.first_ink + k]);
			break;
		}
		ink_rows += a.dots[a.first_ink + k] != 0;
	}
	KT_CHECK(ink_rows > 4000);
	/* our page is no larger than Ghostscript's */
	printf("# PCL page at 600 dpi: ours %zu bytes, Ghostscript ljet4 %zu bytes (%.2fx), "
	       "%u ink rows\n",
	       ours.len, gs.len, (double)gs.len / (double)(ours.len ? ours.len : 1), ink_rows);
	KT_CHECK(ours.len <= gs.len);

	free(a.dots);
	free(b.dots);
	kk_raster_fini(&r);
	kk_buf_fini(&ours);
	kk_buf_fini(&gs);
	kt_rmtree(dir);
}

/*
 * Decode the first page of a PWG Raster stream (sync word, 1796-byte header, compressed lines
 * of one-byte pixels) into *bitmap (malloc'd, stride *bpl), checking every count against the
 * header's geometry. Returns 0 or -1 on a malformed stream.
 */
static int pwg_decode(const uint8_t *p, size_t n, uint8_t **bitmap, uint32_t *w, uint32_t *h,
		      uint32_t *bpl)
{
	size_t i = 4 + 1796;
	uint32_t y = 0;
	uint8_t *bm;

	if (n < i || memcmp(p, "RaS2", 4) != 0)
		return -1;
#define GET32(off) ((uint32_t)p[4 + (off)] << 24 | (uint32_t)p[5 + (off)] << 16 | \
		    (uint32_t)p[6 + (off)] << 8 | p[7 + (off)])
	*w = GET32(372);
	*h = GET32(376);
	*bpl = GET32(392);
	if (GET32(388) != 1 || *bpl != (*w + 7) / 8 || *bpl > ROW_MAX || *h > 40000)
		return -1;
#undef GET32
	bm = calloc((size_t)*bpl * *h, 1);
	if (!bm)
		return -1;
	while (y < *h) {
		uint32_t rep, x = 0;
		uint8_t *row = bm + (size_t)y * *bpl;
		if (i >= n)
			goto bad;
		rep = p[i++] + 1u;
		while (x < *bpl) {
			if (i >= n)
				goto bad;
			uint8_t c = p[i++];
			if (c < 128) {
				if (i >= n || x + c + 1u > *bpl)
					goto bad;
				memset(row + x, p[i++], c + 1u);
				x += c + 1u;
			} else {
				uint32_t len = 257u - c;
				if (c == 128 || i + len > n || x + len > *bpl)
					goto bad;
				memcpy(row + x, p + i, len);
				i += len;
				x += len;
			}
		}
		for (uint32_t k = 1; k < rep && y + k < *h; k++)
			memcpy(bm + (size_t)(y + k) * *bpl, row, *bpl);
		y += rep;
	}
	*bitmap = bm;
	return 0;
bad:
	free(bm);
	return -1;
}

/*
 * The same bitmap as PWG Raster black_1: ours against Ghostscript's `pwgraster` (the filter
 * CUPS runs for IPP Everywhere printers). Both decode to exactly our bitmap, and ours is no
 * larger.
 */
static void test_pwg_against_pwgraster(void)
{
	struct kk_raster r = { 0 };
	struct kk_buf ours, gs;
	char dir[] = "/tmp/kk-gs-XXXXXX";
	uint8_t *a = NULL, *b = NULL;
	uint32_t aw, ah, abpl, bw, bh, bbpl;

	kk_buf_init(&ours, 64u << 20);
	kk_buf_init(&gs, 64u << 20);
	KT_REQUIRE(mkdtemp(dir));
	KT_REQUIRE(encode_both(&kk_print_lang_pwg, "pwgraster -dcupsColorSpace=3 -dcupsBitsPerColor=1", dir, &r, &ours, &gs) == 0);

	KT_REQUIRE(pwg_decode((const uint8_t *)ours.data, ours.len, &a, &aw, &ah, &abpl) == 0);
	KT_REQUIRE(pwg_decode((const uint8_t *)gs.data, gs.len, &b, &bw, &bh, &bbpl) == 0);
	KT_CHECK_INT(aw, r.width);
	KT_CHECK_INT(ah, r.height);
	KT_CHECK_INT(bw, aw);
	KT_CHECK_INT(bh, ah);
	if (aw == bw && ah == bh) {
		/* Ghostscript may place the image a row lower (the page is 841.92 pt, which it
		 * rounds): the dots must be the same, row for row, at one vertical offset */
		uint32_t best = UINT32_MAX, differ = 0;
		int best_d = 0;
		for (int d = -2; d <= 2; d++) {
			uint32_t n = 0;
			for (uint32_t y = 2; y + 2 < ah; y++)
				n += memcmp(a + (size_t)y * abpl, b + (size_t)((int)y + d) * bbpl, abpl) != 0;
			if (n < best) {
				best = n;
				best_d = d;
			}
		}
		printf("# PWG: Ghostscript's page is %d row(s) lower\n", best_d);
		KT_CHECK_INT(best, 0); /* the same dots, row for row */
		for (uint32_t y = 0; y < ah; y++)
			differ += memcmp(a + (size_t)y * abpl, r.data + (size_t)y * r.stride, abpl) != 0;
		KT_CHECK_INT(differ, 0); /* and ours is exactly our raster */
	}
	printf("# PWG page at 600 dpi: ours %zu bytes, Ghostscript pwgraster %zu bytes (%.3fx)\n",
	       ours.len, gs.len, (double)ours.len / (double)(gs.len ? gs.len : 1));
	KT_CHECK(ours.len <= gs.len);

	free(a);
	free(b);
	kk_raster_fini(&r);
	kk_buf_fini(&ours);
	kk_buf_fini(&gs);
	kt_rmtree(dir);
}

KT_MAIN(KT_CASE(test_pcl_against_ljet4), KT_CASE(test_pwg_against_pwgraster))
