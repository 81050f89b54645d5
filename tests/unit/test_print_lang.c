/*
 * test_print_lang.c — the print languages of firmware/print/ (PCL 5 raster, ESC/POS raster,
 * PWG Raster) and the page raster they read.
 *
 * Each language has an independent decoder here (never in the firmware): every page a test
 * encodes is decoded back and compared with the original bit for bit (padding bits past the
 * width excepted), for blank, black, striped, checkered, random and text-like pages, odd
 * widths and A4 at 300 and 600 dpi. The decoders are strict: a byte the encoder should not
 * have sent, a row past the page, a compressed run past the row, fails the test. Then the
 * features each language promises (blank-row skipping, both PCL modes in use, bands, cuts,
 * PWG header fields) and the refusals (wrong depth, dpi, width, copies, a full buffer).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "kt.h"
#include "pcl_decode.h"
#include "print/lang.h"
#include "print/pwg.h"
#include "print/raster.h"

#define OUT_CAP (64u << 20)
#define MAX_PAGES 8

/* A decoded page: rows of row_bytes each. */
struct dec_page {
	size_t row_bytes;
	uint32_t rows;
	uint8_t *data;
};

/* What a decoder saw besides the pixels. */
struct dec_info {
	int n_pages;
	struct dec_page pages[MAX_PAGES];
	unsigned dpi, copies, a4, resets, uel;
	uint32_t width_px;
	size_t rows_mode2, rows_mode3, y_skips, bands, max_band, cuts;
};

static void dec_fini(struct dec_info *d)
{
	for (int i = 0; i < d->n_pages; i++)
		free(d->pages[i].data);
	memset(d, 0, sizeof *d);
}

/* Start a page of rows x row_bytes (zero-filled); NULL when too many pages. */
static struct dec_page *dec_new_page(struct dec_info *d, size_t row_bytes, uint32_t rows)
{
	struct dec_page *p;

	if (d->n_pages >= MAX_PAGES || row_bytes == 0)
		return NULL;
	p = &d->pages[d->n_pages++];
	p->row_bytes = row_bytes;
	p->rows = rows;
	p->data = calloc(rows ? rows : 1, row_bytes);
	return p->data ? p : NULL;
}

static uint32_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* ---- PCL 5 decoder --------------------------------------------------------------------- */

/*
 * Decode a PCL job of the kind pcl.c writes; pages are `height` rows. Returns 0 or -1 with
 * the offset of the trouble in *bad.
 */
static int pcl_decode(const uint8_t *p, size_t n, uint32_t height, struct dec_info *d,
		      size_t *bad)
{
	static const char uel[] = "\033%-12345X";
	struct dec_page *pg = NULL;
	uint8_t *seed = NULL;
	size_t i = 0, rb = 0;
	uint32_t y = 0;
	int mode = 0, raster = 0, rc = -1;

	memset(d, 0, sizeof *d);
	while (i < n) {
		if (n - i >= 9 && memcmp(p + i, uel, 9) == 0) {
			d->uel++;
			i += 9;
			continue;
		}
		if (p[i] == '\f') {
			if (!pg || raster)
				goto out;
			pg = NULL;
			i++;
			continue;
		}
		if (p[i] != 0x1b || i + 1 >= n)
			goto out;
		if (p[i + 1] == 'E') {
			d->resets++;
			i += 2;
			continue;
		}
		/* ESC c1 g (value param)+ */
		uint8_t c1 = p[i + 1], g;
		if (i + 2 >= n || c1 < 0x21 || c1 > 0x2f)
			goto out;
		g = p[i + 2];
		i += 3;
		for (;;) {
			long v = 0;
			uint8_t par;
			int digits = 0;
			while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 9) {
				v = v * 10 + (p[i++] - '0');
				digits++;
			}
			if (i >= n)
				goto out;
			par = p[i++];
			int last = par >= 0x40 && par <= 0x5e;
			if (!last && !(par >= 0x60 && par <= 0x7e))
				goto out;
			par = (uint8_t)(last ? par : par - 0x20);
			if (c1 == '&' && g == 'l' && par == 'A') {
				d->a4 = v == 26;
			} else if (c1 == '&' && g == 'l' && (par == 'O' || par == 'E')) {
				if (v != 0)
					goto out;
			} else if (c1 == '&' && g == 'l' && par == 'X') {
				d->copies = (unsigned)v;
			} else if (c1 == '*' && g == 't' && par == 'R') {
				d->dpi = (unsigned)v;
			} else if (c1 == '*' && g == 'r' && par == 'S') {
				d->width_px = (uint32_t)v;
			} else if (c1 == '*' && g == 'p' && (par == 'X' || par == 'Y')) {
				if (v != 0)
					goto out;
			} else if (c1 == '*' && g == 'r' && par == 'A') {
				if (raster || pg || !d->width_px || !d->dpi)
					goto out;
				rb = (d->width_px + 7) / 8;
				free(seed);
				if (!(seed = calloc(1, rb)) || !(pg = dec_new_page(d, rb, height)))
					goto out;
				raster = 1;
				y = 0;
			} else if (c1 == '*' && g == 'r' && par == 'B') {
				if (!raster)
					goto out;
				raster = 0;
			} else if (c1 == '*' && g == 'b' && par == 'M') {
				if (v != 2 && v != 3)
					goto out;
				mode = (int)v;
			} else if (c1 == '*' && g == 'b' && par == 'Y') {
				if (!raster || v <= 0)
					goto out;
				y += (uint32_t)v;
				memset(seed, 0, rb);
				d->y_skips++;
			} else if (c1 == '*' && g == 'b' && par == 'W' && last) {
				if (!raster || y >= height || (size_t)v > n - i)
					goto out;
				if (mode == 2 ? pcl_unpack2(p + i, (size_t)v, seed, rb)
				    : mode == 3 ? pcl_unpack3(p + i, (size_t)v, seed, rb) : -1)
					goto out;
				memcpy(pg->data + (size_t)y * rb, seed, rb);
				y++;
				i += (size_t)v;
				if (mode == 2)
					d->rows_mode2++;
				else
					d->rows_mode3++;
			} else {
				goto out;
			}
			if (last)
				break;
		}
	}
	rc = raster || pg ? -1 : 0; /* every page ended with ESC*rB and a form feed */
out:
	free(seed);
	*bad = i;
	return rc;
}

/* ---- ESC/POS decoder ------------------------------------------------------------------- */

/* Decode ESC @, GS v 0 bands and GS V 66 0 cuts; each cut ends a page. Returns 0 or -1. */
static int escpos_decode(const uint8_t *p, size_t n, struct dec_info *d)
{
	uint8_t *rows = NULL;
	size_t i = 0, rb = 0, nrows = 0;
	int rc = -1;

	memset(d, 0, sizeof *d);
	while (i < n) {
		if (n - i >= 2 && p[i] == 0x1b && p[i + 1] == '@') {
			d->resets++;
			i += 2;
		} else if (n - i >= 8 && p[i] == 0x1d && p[i + 1] == 'v' && p[i + 2] == '0' &&
			   p[i + 3] == 0) {
			size_t x = p[i + 4] | (size_t)p[i + 5] << 8, h = p[i + 6] | (size_t)p[i + 7] << 8;
			uint8_t *nr;
			i += 8;
			if (x == 0 || h == 0 || (rb && x != rb) || x * h > n - i)
				goto out;
			rb = x;
			if (!(nr = realloc(rows, (nrows + h) * rb)))
				goto out;
			rows = nr;
			memcpy(rows + nrows * rb, p + i, h * rb);
			nrows += h;
			i += h * rb;
			d->bands++;
			if (h > d->max_band)
				d->max_band = h;
		} else if (n - i >= 4 && memcmp(p + i, "\x1dV\x42\x00", 4) == 0) {
			struct dec_page *pg = dec_new_page(d, rb, (uint32_t)nrows);
			if (!nrows || !pg)
				goto out;
			memcpy(pg->data, rows, nrows * rb);
			nrows = 0;
			rb = 0;
			d->cuts++;
			i += 4;
		} else {
			goto out;
		}
	}
	rc = nrows ? -1 : 0; /* rows after the last cut would be lost paper */
out:
	free(rows);
	return rc;
}

/* ---- PWG Raster decoder ---------------------------------------------------------------- */

static uint32_t be32(const uint8_t *h, unsigned off)
{
	return (uint32_t)h[off] << 24 | (uint32_t)h[off + 1] << 16 | (uint32_t)h[off + 2] << 8 |
	       h[off + 3];
}

/* Decode "RaS2" and pages; headers go to hdr[page] (caller's array). Returns 0 or -1. */
static int pwg_decode(const uint8_t *p, size_t n, struct dec_info *d,
		      uint8_t (*hdr)[KK_PWG_HEADER_SIZE])
{
	size_t i = 4;

	memset(d, 0, sizeof *d);
	if (n < 4 || memcmp(p, "RaS2", 4) != 0)
		return -1;
	while (i < n) {
		const uint8_t *h = p + i;
		struct dec_page *pg;
		uint32_t w, hgt, bpl, y = 0;

		if (n - i < KK_PWG_HEADER_SIZE || d->n_pages >= MAX_PAGES)
			return -1;
		memcpy(hdr[d->n_pages], h, KK_PWG_HEADER_SIZE);
		w = be32(h, KK_PWG_OFF_WIDTH);
		hgt = be32(h, KK_PWG_OFF_HEIGHT);
		bpl = be32(h, KK_PWG_OFF_BYTES_PER_LINE);
		i += KK_PWG_HEADER_SIZE;
		if (!w || !hgt || bpl != (be32(h, KK_PWG_OFF_BITS_PER_PIXEL) * w + 7) / 8 ||
		    !(pg = dec_new_page(d, bpl, hgt)))
			return -1;
		while (y < hgt) {
			uint8_t *line = pg->data + (size_t)y * bpl;
			uint32_t rep, x = 0;
			if (i >= n)
				return -1;
			rep = (uint32_t)p[i++] + 1;
			while (x < bpl) {
				uint8_t c;
				if (i >= n)
					return -1;
				c = p[i++];
				if (c <= 127) {
					if (i >= n || x + c + 1u > bpl)
						return -1;
					memset(line + x, p[i++], c + 1u);
					x += c + 1u;
				} else if (c > 128) {
					uint32_t k = 257u - c;
					if (k > n - i || x + k > bpl)
						return -1;
					memcpy(line + x, p + i, k);
					i += k;
					x += k;
				} else {
					return -1;
				}
			}
			if (y + rep > hgt)
				return -1;
			for (uint32_t k = 1; k < rep; k++)
				memcpy(line + (size_t)k * bpl, line, bpl);
			y += rep;
		}
	}
	return 0;
}

/* ---- pages ------------------------------------------------------------------------------ */

enum pattern { P_BLANK, P_BLACK, P_HSTRIPES, P_VSTRIPES, P_CHECKER, P_RANDOM, P_TEXT, P_CORNERS,
	       P_COUNT };

/* Fill a page with a pattern; `grey` pages get levels, MONO pages bits. */
static void fill(struct kk_raster *r, enum pattern pat)
{
	for (uint32_t y = 0; y < r->height; y++) {
		uint8_t *row = kk_raster_row(r, y);
		int line_on = (y / 40) % 3 != 2 && (y % 40) < 28; /* a text line band */
		for (uint32_t x = 0; x < r->width; x++) {
			int ink = 0;
			switch (pat) {
			case P_BLANK: break;
			case P_BLACK: ink = 1; break;
			case P_HSTRIPES: ink = (y / 3) % 2; break;
			case P_VSTRIPES: ink = (x / 5) % 2; break;
			case P_CHECKER: ink = (x + y) % 2; break;
			case P_RANDOM: ink = (rng() % 100) < (y % 100); break;
			case P_TEXT: ink = line_on && (rng() % 7) == 0 && (x / 30) % 4 != 3; break;
			case P_CORNERS:
				ink = (x == 0 || x + 1 == r->width) && (y == 0 || y + 1 == r->height);
				break;
			case P_COUNT: break;
			}
			if (r->bits == KK_RASTER_MONO)
				kk_raster_mono_set(r, x, y, ink);
			else
				row[x] = ink ? (uint8_t)(rng() % 128) : (pat == P_RANDOM ? 255 - (uint8_t)(rng() % 3) : 255);
		}
		if (r->bits == KK_RASTER_MONO && r->width % 8)
			row[r->stride - 1] |= (uint8_t)(0xffu >> (r->width % 8)); /* dirty padding */
	}
}

/* 1 if the decoded page is the raster, padding bits aside. */
static int same_page(const struct kk_raster *r, const struct dec_page *pg)
{
	size_t n = kk_raster_row_bytes(r->width, r->bits);
	uint8_t *row = malloc(n);
	int ok = row && pg->row_bytes == n && pg->rows == r->height;

	for (uint32_t y = 0; ok && y < r->height; y++) {
		kk_raster_row_copy(r, y, row);
		ok = memcmp(row, pg->data + (size_t)y * n, n) == 0;
	}
	free(row);
	return ok;
}

/* Encode pages as one job of lang into out. */
static int encode_job(const struct kk_print_lang *lang, struct kk_buf *out, struct kk_raster *pages,
		      int n, const struct kk_print_opts *o)
{
	int rc = lang->job_begin(out, o);
	for (int i = 0; !rc && i < n; i++)
		rc = lang->page(out, &pages[i], o);
	return rc ? rc : lang->job_end(out, o);
}

struct size { uint32_t w, h; };
static const struct size sizes[] = { { 1, 1 }, { 7, 3 }, { 8, 8 }, { 9, 5 }, { 13, 40 },
				     { 64, 300 }, { 333, 101 }, { 576, 260 } };

/* Every pattern at every size through one language and its decoder, one page per job. */
static void roundtrip_all(const struct kk_print_lang *lang, unsigned bits, unsigned dpi)
{
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		for (int pat = 0; pat < P_COUNT; pat++) {
			struct kk_raster r;
			struct kk_buf out;
			struct dec_info d;
			uint8_t(*hdr)[KK_PWG_HEADER_SIZE] = malloc(MAX_PAGES * KK_PWG_HEADER_SIZE);
			size_t bad = 0;
			int rc;

			rng_state = 0x9e3779b9u + (uint32_t)(s * 31 + (size_t)pat);
			KT_REQUIRE(hdr && kk_raster_init(&r, sizes[s].w, sizes[s].h, bits, dpi) == 0);
			fill(&r, (enum pattern)pat);
			kk_buf_init(&out, OUT_CAP);
			KT_CHECK_INT(encode_job(lang, &out, &r, 1, NULL), 0);
			if (lang == &kk_print_lang_pcl)
				rc = pcl_decode((uint8_t *)out.data, out.len, r.height, &d, &bad);
			else if (lang == &kk_print_lang_escpos)
				rc = escpos_decode((uint8_t *)out.data, out.len, &d);
			else
				rc = pwg_decode((uint8_t *)out.data, out.len, &d, hdr);
			if (rc || d.n_pages != 1 || !same_page(&r, &d.pages[0]))
				KT_FAIL_("%s %ux%u pattern %d bits %u: rc %d pages %d at byte %zu",
					 lang->name, sizes[s].w, sizes[s].h, pat, bits, rc, d.n_pages,
					 bad);
			dec_fini(&d);
			kk_buf_fini(&out);
			kk_raster_fini(&r);
			free(hdr);
		}
	}
}

static void test_raster(void)
{
	struct kk_raster r;

	KT_CHECK_INT(kk_raster_init(&r, 0, 10, KK_RASTER_MONO, 300), KK_EINVAL);
	KT_CHECK_INT(kk_raster_init(&r, 10, KK_RASTER_MAX_DIM + 1, KK_RASTER_MONO, 300), KK_EINVAL);
	KT_CHECK_INT(kk_raster_init(&r, 10, 10, 4, 300), KK_EINVAL);
	KT_CHECK_INT(kk_raster_init(&r, 10, 10, KK_RASTER_MONO, 20), KK_EINVAL);
	KT_CHECK(r.data == NULL);
	kk_raster_fini(&r);
	KT_REQUIRE(kk_raster_init(&r, 13, 4, KK_RASTER_MONO, 600) == 0);
	KT_CHECK_INT(r.stride, 2);
	kk_raster_mono_set(&r, 12, 3, 1);
	kk_raster_mono_set(&r, 13, 3, 1); /* outside: ignored */
	KT_CHECK_INT(kk_raster_mono_get(&r, 12, 3), 1);
	KT_CHECK_INT(kk_raster_mono_get(&r, 11, 3), 0);
	KT_CHECK_INT(kk_raster_row(&r, 3)[1], 0x08);
	kk_raster_row(&r, 2)[1] = 0x07; /* padding only */
	{
		uint8_t row[2];
		kk_raster_row_copy(&r, 2, row);
		KT_CHECK_INT(row[1], 0);
		KT_CHECK(kk_raster_row_blank(row, 2, KK_RASTER_MONO));
		kk_raster_row_copy(&r, 3, row);
		KT_CHECK(!kk_raster_row_blank(row, 2, KK_RASTER_MONO));
	}
	kk_raster_mono_set(&r, 12, 3, 0);
	KT_CHECK_INT(kk_raster_mono_get(&r, 12, 3), 0);
	kk_raster_fini(&r);
	kk_raster_fini(&r); /* twice is harmless */
	KT_REQUIRE(kk_raster_init(&r, 5, 2, KK_RASTER_GREY, 300) == 0);
	KT_CHECK_INT(r.stride, 5);
	KT_CHECK(kk_raster_row_blank(kk_raster_row(&r, 1), 5, KK_RASTER_GREY));
	kk_raster_fini(&r);
}

static void test_lang_find(void)
{
	KT_CHECK(kk_print_lang_find("pcl") == &kk_print_lang_pcl);
	KT_CHECK(kk_print_lang_find("escpos") == &kk_print_lang_escpos);
	KT_CHECK(kk_print_lang_find("pwg") == &kk_print_lang_pwg);
	KT_CHECK(kk_print_lang_find("PCL") == NULL);
	KT_CHECK(kk_print_lang_find(NULL) == NULL);
}

static void test_pcl_roundtrip(void)
{
	roundtrip_all(&kk_print_lang_pcl, KK_RASTER_MONO, 300);
	roundtrip_all(&kk_print_lang_pcl, KK_RASTER_MONO, 600);
}

static void test_escpos_roundtrip(void)
{
	roundtrip_all(&kk_print_lang_escpos, KK_RASTER_MONO, 203);
}

static void test_pwg_roundtrip(void)
{
	roundtrip_all(&kk_print_lang_pwg, KK_RASTER_MONO, 300);
	roundtrip_all(&kk_print_lang_pwg, KK_RASTER_GREY, 600);
}

/* A4 pages at 300 and 600 dpi, three in one job, each decoded and compared. */
static void test_a4_jobs(void)
{
	static const unsigned dpis[] = { 300, 600 };
	const struct kk_print_lang *langs[] = { &kk_print_lang_pcl, &kk_print_lang_pwg };

	for (int di = 0; di < 2; di++) {
		for (int li = 0; li < 2; li++) {
			struct kk_raster pg[3] = { 0 };
			struct kk_buf out;
			struct dec_info d;
			uint8_t(*hdr)[KK_PWG_HEADER_SIZE] = malloc(MAX_PAGES * KK_PWG_HEADER_SIZE);
			uint32_t w = dpis[di] == 300 ? 2480 : 4960, h = dpis[di] == 300 ? 3508 : 7016;
			size_t bad = 0;
			int rc;

			rng_state = 7;
			KT_REQUIRE(hdr != NULL);
			for (int k = 0; k < 3; k++) {
				KT_REQUIRE(kk_raster_init(&pg[k], w, h, KK_RASTER_MONO, dpis[di]) == 0);
				fill(&pg[k], k == 0 ? P_TEXT : k == 1 ? P_BLANK : P_CORNERS);
			}
			kk_buf_init(&out, OUT_CAP);
			KT_CHECK_INT(encode_job(langs[li], &out, pg, 3, NULL), 0);
			rc = li == 0 ? pcl_decode((uint8_t *)out.data, out.len, h, &d, &bad)
				     : pwg_decode((uint8_t *)out.data, out.len, &d, hdr);
			KT_CHECK_INT(rc, 0);
			KT_CHECK_INT(d.n_pages, 3);
			for (int k = 0; k < 3 && k < d.n_pages; k++)
				if (!same_page(&pg[k], &d.pages[k]))
					KT_FAIL_("%s A4 %u dpi page %d differs", langs[li]->name,
						 dpis[di], k);
			/* far smaller than the raw 1-bit pages (1.1 MB / 4.35 MB each) */
			KT_CHECK(out.len < (size_t)3 * pg[0].stride * h / 4);
			if (li == 0) {
				KT_CHECK_INT(d.dpi, dpis[di]);
				KT_CHECK_INT(d.width_px, w);
				KT_CHECK(d.a4);
				KT_CHECK_INT(d.copies, 1);
				KT_CHECK_INT(d.uel, 2);
				KT_CHECK_INT(d.resets, 2);
				KT_CHECK(d.y_skips > 0);
			}
			dec_fini(&d);
			kk_buf_fini(&out);
			for (int k = 0; k < 3; k++)
				kk_raster_fini(&pg[k]);
			free(hdr);
		}
	}
}

/* Count occurrences of a byte string. */
static size_t count_str(const struct kk_buf *b, const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i + n <= b->len; i++)
		c += memcmp(b->data + i, s, n) == 0;
	return c;
}

/*
 * PCL specifics: one inked row far down is a Y move and a few bytes; a blank page sends no
 * row; text-like rows use both modes; copies are set on the page.
 */
static void test_pcl_features(void)
{
	struct kk_raster r;
	struct kk_buf out;
	struct dec_info d;
	struct kk_print_opts o = { .copies = 3 };
	size_t bad;

	KT_REQUIRE(kk_raster_init(&r, 2480, 3508, KK_RASTER_MONO, 300) == 0);
	kk_buf_init(&out, OUT_CAP);
	KT_REQUIRE(kk_print_lang_pcl.page(&out, &r, NULL) == 0);
	KT_CHECK_INT(count_str(&out, "W", 1), 0); /* no row transfer at all */
	KT_CHECK(out.len < 80);
	kk_buf_reset(&out);
	for (uint32_t x = 100; x < 200; x++)
		kk_raster_mono_set(&r, x, 1000, 1);
	KT_REQUIRE(kk_print_lang_pcl.page(&out, &r, &o) == 0);
	KT_CHECK_INT(count_str(&out, "\033*b1000Y", 8), 1);
	KT_CHECK_INT(count_str(&out, "\033&l3X", 5), 1);
	KT_CHECK(out.len < 120);
	KT_REQUIRE(pcl_decode((uint8_t *)out.data, out.len, r.height, &d, &bad) == 0);
	KT_CHECK_INT(d.copies, 3);
	KT_CHECK(d.n_pages == 1 && same_page(&r, &d.pages[0]));
	dec_fini(&d);
	kk_buf_reset(&out);
	rng_state = 42;
	fill(&r, P_TEXT);
	/* a scanned-looking block: rows that each differ from the one before in a few bytes */
	for (uint32_t y = 2000; y < 2400; y++)
		for (uint32_t x = 0; x < 2480; x += 1 + rng() % 3)
			kk_raster_mono_set(&r, x, y, y == 2000 ? 1 : rng() % 50 != 0);
	KT_REQUIRE(kk_print_lang_pcl.page(&out, &r, NULL) == 0);
	KT_REQUIRE(pcl_decode((uint8_t *)out.data, out.len, r.height, &d, &bad) == 0);
	KT_CHECK(d.n_pages == 1 && same_page(&r, &d.pages[0]));
	KT_CHECK(d.rows_mode2 > 0);
	KT_CHECK(d.rows_mode3 > 0);
	dec_fini(&d);
	kk_buf_fini(&out);
	kk_raster_fini(&r);
}

/* What each language refuses, and a buffer cap that is reached. */
static void test_refusals(void)
{
	struct kk_raster mono, grey, wide, odd;
	struct kk_buf out;
	struct kk_print_opts many = { .copies = KK_PRINT_MAX_COPIES + 1 };
	struct kk_print_opts band = { .band_rows = KK_ESCPOS_BAND_MAX + 1 };

	KT_REQUIRE(kk_raster_init(&mono, 100, 100, KK_RASTER_MONO, 300) == 0);
	KT_REQUIRE(kk_raster_init(&grey, 100, 100, KK_RASTER_GREY, 300) == 0);
	KT_REQUIRE(kk_raster_init(&wide, KK_ESCPOS_MAX_DOTS + 1, 10, KK_RASTER_MONO, 203) == 0);
	KT_REQUIRE(kk_raster_init(&odd, 100, 100, KK_RASTER_MONO, 203) == 0);
	kk_buf_init(&out, OUT_CAP);
	KT_CHECK_INT(kk_print_lang_pcl.page(&out, &grey, NULL), KK_EINVAL);
	KT_CHECK_INT(kk_print_lang_pcl.page(&out, &odd, NULL), KK_EINVAL);
	KT_CHECK_INT(kk_print_lang_pcl.page(&out, &mono, &many), KK_EINVAL);
	KT_CHECK_INT(kk_print_lang_pcl.page(&out, NULL, NULL), KK_EINVAL);
	KT_CHECK_INT(kk_print_lang_escpos.page(&out, &grey, NULL), KK_EINVAL);
	KT_CHECK_INT(kk_print_lang_escpos.page(&out, &wide, NULL), KK_EINVAL);
	KT_CHECK_INT(kk_print_lang_escpos.page(&out, &odd, &band), KK_EINVAL);
	KT_CHECK_INT(kk_print_lang_pwg.page(&out, &mono, &many), KK_EINVAL);
	KT_CHECK_INT(out.len, 0);
	kk_buf_fini(&out);
	kk_buf_init(&out, 1000); /* smaller than one PWG header */
	KT_CHECK_INT(kk_print_lang_pwg.page(&out, &mono, NULL), KK_E2BIG);
	kk_buf_fini(&out);
	kk_buf_init(&out, 40);
	fill(&mono, P_RANDOM);
	KT_CHECK_INT(kk_print_lang_pcl.page(&out, &mono, NULL), KK_E2BIG);
	kk_buf_fini(&out);
	kk_raster_fini(&mono);
	kk_raster_fini(&grey);
	kk_raster_fini(&wide);
	kk_raster_fini(&odd);
}

/* ESC/POS: bands never taller than asked, copies repeat the page with a cut each. */
static void test_escpos_bands(void)
{
	struct kk_raster r;
	struct kk_buf out;
	struct dec_info d;
	struct kk_print_opts o = { .copies = 2, .band_rows = 24 };

	KT_REQUIRE(kk_raster_init(&r, 384, 1000, KK_RASTER_MONO, 203) == 0);
	rng_state = 5;
	fill(&r, P_TEXT);
	kk_buf_init(&out, OUT_CAP);
	KT_REQUIRE(encode_job(&kk_print_lang_escpos, &out, &r, 1, &o) == 0);
	KT_REQUIRE(escpos_decode((uint8_t *)out.data, out.len, &d) == 0);
	KT_CHECK_INT(d.resets, 1);
	KT_CHECK_INT(d.cuts, 2);
	KT_CHECK_INT(d.max_band, 24);
	KT_CHECK_INT(d.bands, 2 * ((1000 + 23) / 24));
	KT_CHECK(d.n_pages == 2 && same_page(&r, &d.pages[0]) && same_page(&r, &d.pages[1]));
	dec_fini(&d);
	kk_buf_reset(&out);
	KT_REQUIRE(kk_print_lang_escpos.page(&out, &r, NULL) == 0);
	KT_REQUIRE(escpos_decode((uint8_t *)out.data, out.len, &d) == 0);
	KT_CHECK_INT(d.max_band, KK_ESCPOS_BAND_DEFAULT);
	KT_CHECK_INT(d.bands, 4);
	dec_fini(&d);
	kk_buf_fini(&out);
	kk_raster_fini(&r);
}

/* PWG header fields of an A4 black_1 page and a grey page; compression of a blank page. */
static void test_pwg_header(void)
{
	struct kk_raster r;
	struct kk_buf out;
	struct dec_info d;
	uint8_t(*hdr)[KK_PWG_HEADER_SIZE] = malloc(MAX_PAGES * KK_PWG_HEADER_SIZE);
	struct kk_print_opts o = { .copies = 2, .media_type = "stationery", .total_pages = 5 };
	const uint8_t *h;

	KT_REQUIRE(hdr != NULL);
	KT_REQUIRE(kk_raster_init(&r, 2480, 3508, KK_RASTER_MONO, 300) == 0);
	kk_buf_init(&out, OUT_CAP);
	KT_REQUIRE(encode_job(&kk_print_lang_pwg, &out, &r, 1, &o) == 0);
	KT_CHECK(out.len < 4 + KK_PWG_HEADER_SIZE + 200); /* 14 groups of 256 blank lines */
	KT_REQUIRE(pwg_decode((uint8_t *)out.data, out.len, &d, hdr) == 0);
	h = hdr[0];
	KT_CHECK_STR((const char *)h + KK_PWG_OFF_PWGRASTER, "PwgRaster");
	KT_CHECK_STR((const char *)h + KK_PWG_OFF_MEDIA_TYPE, "stationery");
	KT_CHECK_STR((const char *)h + KK_PWG_OFF_PAGE_SIZE_NAME, "iso_a4_210x297mm");
	KT_CHECK_INT(be32(h, KK_PWG_OFF_HW_RES), 300);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_HW_RES + 4), 300);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_NUM_COPIES), 2);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_PAGE_SIZE), 595);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_PAGE_SIZE + 4), 842);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_WIDTH), 2480);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_HEIGHT), 3508);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_BITS_PER_COLOR), 1);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_BITS_PER_PIXEL), 1);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_BYTES_PER_LINE), 310);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_COLOR_ORDER), 0);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_COLOR_SPACE), KK_PWG_CS_BLACK);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_NUM_COLORS), 1);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_TOTAL_PAGES), 5);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_CROSS_FEED), 1);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_FEED), 1);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_IMAGE_BOX), 0);          /* left */
	KT_CHECK_INT(be32(h, KK_PWG_OFF_IMAGE_BOX + 4), 0);      /* top */
	KT_CHECK_INT(be32(h, KK_PWG_OFF_IMAGE_BOX + 8), 2479);   /* right, inclusive */
	KT_CHECK_INT(be32(h, KK_PWG_OFF_IMAGE_BOX + 12), 3507);  /* bottom */
	KT_CHECK(d.n_pages == 1 && same_page(&r, &d.pages[0]));
	dec_fini(&d);
	kk_raster_fini(&r);
	kk_buf_reset(&out);
	KT_REQUIRE(kk_raster_init(&r, 850, 1100, KK_RASTER_GREY, 100) == 0); /* US letter */
	KT_REQUIRE(encode_job(&kk_print_lang_pwg, &out, &r, 1, NULL) == 0);
	KT_REQUIRE(pwg_decode((uint8_t *)out.data, out.len, &d, hdr) == 0);
	h = hdr[0];
	KT_CHECK_INT(be32(h, KK_PWG_OFF_COLOR_SPACE), KK_PWG_CS_SGRAY);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_BITS_PER_PIXEL), 8);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_BYTES_PER_LINE), 850);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_NUM_COPIES), 1);
	KT_CHECK_INT(be32(h, KK_PWG_OFF_PAGE_SIZE), 612);
	KT_CHECK_STR((const char *)h + KK_PWG_OFF_MEDIA_TYPE, "");
	KT_CHECK_STR((const char *)h + KK_PWG_OFF_PAGE_SIZE_NAME, "");
	dec_fini(&d);
	kk_buf_fini(&out);
	kk_raster_fini(&r);
	free(hdr);
}

KT_MAIN(KT_CASE(test_raster), KT_CASE(test_lang_find), KT_CASE(test_pcl_roundtrip),
	KT_CASE(test_escpos_roundtrip), KT_CASE(test_pwg_roundtrip), KT_CASE(test_a4_jobs),
	KT_CASE(test_pcl_features), KT_CASE(test_refusals), KT_CASE(test_escpos_bands),
	KT_CASE(test_pwg_header))
