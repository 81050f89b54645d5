/*
 * hand.c — handwriting recognition of one Chinese character with libzinnia; see ime.h.
 *
 * The strokes are kept here (bounded arrays) rather than only in zinnia's character object,
 * so that the last stroke can be taken back and so that hostile input (a stroke of 10,000
 * points, points far outside the box) is clamped and resampled before zinnia sees it: zinnia
 * splits each stroke at its corners recursively and sizes a table by 2^depth, so a long
 * zigzag stroke would make it allocate without bound (see KK_HAND_STROKE_POINTS). Each
 * recognition rebuilds zinnia's character from them: a few dozen points per stroke, cheap
 * next to the classifier (2–4 ms on x86 for the 6,763 characters of the tegaki model).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zinnia.h>

#include "base/err.h"
#include "base/log.h"
#include "ime/ime.h"

/* Debian's tegaki-zinnia-simplified-chinese package (architecture-independent data). */
#define HAND_MODEL_DEFAULT "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"

struct kk_hand {
	zinnia_recognizer_t *rec;
	zinnia_character_t *ch;
	int width, height; /* the box; 0 until kk_hand_begin */
	size_t n_strokes;
	uint16_t len[KK_HAND_MAX_STROKES]; /* points in each stroke */
	struct kk_hand_point pts[KK_HAND_MAX_STROKES][KK_HAND_STROKE_POINTS];
};

/* See ime.h. */
int kk_hand_open(struct kk_hand **out, const char *model)
{
	const char *path = model ? model : HAND_MODEL_DEFAULT;
	struct kk_hand *h = NULL;
	int rc = 0;

	*out = NULL;
	if (access(path, R_OK) != 0) {
		kk_error("ime", "handwriting model %s: %s; handwriting input is off (install Debian's "
				"tegaki-zinnia-simplified-chinese)", path, strerror(errno));
		rc = KK_ENOENT;
		goto out;
	}
	h = calloc(1, sizeof *h);
	if (!h || !(h->rec = zinnia_recognizer_new()) || !(h->ch = zinnia_character_new())) {
		rc = KK_ENOMEM;
		goto out;
	}
	if (!zinnia_recognizer_open(h->rec, path)) {
		kk_error("ime", "handwriting model %s: %s; handwriting input is off", path,
			 zinnia_recognizer_strerror(h->rec));
		rc = KK_ECORRUPT;
		goto out;
	}
	*out = h;
	h = NULL;
out:
	kk_hand_close(h);
	return rc;
}

/* See ime.h. */
void kk_hand_close(struct kk_hand *h)
{
	if (!h)
		return;
	if (h->ch)
		zinnia_character_destroy(h->ch);
	if (h->rec)
		zinnia_recognizer_destroy(h->rec);
	free(h);
}

/* See ime.h. */
int kk_hand_begin(struct kk_hand *h, int width, int height)
{
	if (width < 1 || height < 1 || width > 65535 || height > 65535)
		return KK_EINVAL;
	h->width = width;
	h->height = height;
	h->n_strokes = 0;
	return 0;
}

/* v moved into [0, max). */
static int clamp(int v, int max)
{
	return v < 0 ? 0 : v >= max ? max - 1 : v;
}

/* Point i of pts, clamped into the box (as doubles, for measuring). */
static void box_point(const struct kk_hand *h, const struct kk_hand_point *pts, size_t i,
		      double *x, double *y)
{
	*x = clamp(pts[i].x, h->width);
	*y = clamp(pts[i].y, h->height);
}

/*
 * Resample pts[0..n) (clamped into the box) to at most KK_HAND_STROKE_POINTS points evenly
 * spaced along the stroke, first and last kept; a stroke of no length is one point.
 * Returns the number written to dst.
 */
static size_t resample(const struct kk_hand *h, const struct kk_hand_point *pts, size_t n,
		       struct kk_hand_point *dst)
{
	double total = 0, walked = 0, x0, y0, x1, y1;
	size_t out = 0, i = 1, k;

	for (size_t j = 1; j < n; j++) {
		box_point(h, pts, j - 1, &x0, &y0);
		box_point(h, pts, j, &x1, &y1);
		total += sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
	}
	box_point(h, pts, 0, &x0, &y0);
	dst[out++] = (struct kk_hand_point){ (int)x0, (int)y0 };
	if (total < 1)
		return out;
	for (k = 1; k < KK_HAND_STROKE_POINTS - 1; k++) {
		double at = total * (double)k / (KK_HAND_STROKE_POINTS - 1), seg;
		/* walk to the segment [i - 1, i] that holds distance `at` */
		for (;;) {
			box_point(h, pts, i - 1, &x0, &y0);
			box_point(h, pts, i, &x1, &y1);
			seg = sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
			if (walked + seg >= at || i + 1 >= n)
				break;
			walked += seg;
			i++;
		}
		if (seg > 0) {
			double t = (at - walked) / seg;
			t = t < 0 ? 0 : t > 1 ? 1 : t;
			dst[out++] = (struct kk_hand_point){ (int)(x0 + (x1 - x0) * t + 0.5),
							     (int)(y0 + (y1 - y0) * t + 0.5) };
		}
	}
	box_point(h, pts, n - 1, &x1, &y1);
	dst[out++] = (struct kk_hand_point){ (int)x1, (int)y1 };
	return out;
}

/* See ime.h. */
int kk_hand_add_stroke(struct kk_hand *h, const struct kk_hand_point *pts, size_t n)
{
	if (n == 0 || !pts || h->width == 0)
		return KK_EINVAL;
	if (h->n_strokes >= KK_HAND_MAX_STROKES)
		return KK_E2BIG;
	h->len[h->n_strokes] = (uint16_t)resample(h, pts, n, h->pts[h->n_strokes]);
	h->n_strokes++;
	return 0;
}

/* See ime.h. */
size_t kk_hand_strokes(const struct kk_hand *h)
{
	return h->n_strokes;
}

/* See ime.h. */
int kk_hand_undo(struct kk_hand *h)
{
	if (h->n_strokes == 0)
		return KK_ENOENT;
	h->n_strokes--;
	return 0;
}

/* See ime.h. */
int kk_hand_recognize(struct kk_hand *h, struct kk_ime_cand *out, size_t max, size_t *n_out)
{
	zinnia_result_t *res = NULL;
	size_t n = 0;
	int rc = 0;

	*n_out = 0;
	if (max > KK_HAND_MAX_CANDS)
		max = KK_HAND_MAX_CANDS;
	if (h->n_strokes == 0 || max == 0)
		goto out;
	zinnia_character_clear(h->ch);
	zinnia_character_set_width(h->ch, (size_t)h->width);
	zinnia_character_set_height(h->ch, (size_t)h->height);
	for (size_t s = 0; s < h->n_strokes; s++)
		for (size_t i = 0; i < h->len[s]; i++)
			if (!zinnia_character_add(h->ch, s, h->pts[s][i].x, h->pts[s][i].y)) {
				rc = KK_ENOMEM;
				goto out;
			}
	res = zinnia_recognizer_classify(h->rec, h->ch, max);
	if (!res)
		goto out; /* zinnia found nothing to say */
	for (size_t i = 0; i < zinnia_result_size(res) && n < max; i++) {
		const char *v = zinnia_result_value(res, i);
		if (!v || !*v || strlen(v) >= sizeof out[n].text)
			continue;
		snprintf(out[n].text, sizeof out[n].text, "%s", v);
		out[n].score = zinnia_result_score(res, i);
		n++;
	}
	*n_out = n;
out:
	if (res)
		zinnia_result_destroy(res);
	return rc;
}
