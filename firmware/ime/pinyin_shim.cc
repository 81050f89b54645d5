/*
 * pinyin_shim.cc — extern "C" wrappers around libgooglepinyin's C++ API (see pinyin_shim.h).
 *
 * Every entry point catches all exceptions: C code above must never see one unwind through
 * it. libgooglepinyin allocates with new[] when it opens (std::bad_alloc is the exception that
 * can happen); searching works in preallocated buffers. Text crosses as UTF-8; the engine's
 * char16 strings are UTF-16 (surrogate pairs are decoded, though its dictionary is all BMP).
 */
#include <cstring>
#include <exception>

#include <pinyinime.h>

extern "C" {
#include "base/utf8.h"
}
#include "ime/pinyin_shim.h"

using namespace ime_pinyin;

namespace {

/* Predictions of the last kk_gp_predict: they point into the library's static buffer. */
char16 (*pred_buf)[kMaxPredictSize + 1];
size_t pred_n;

/*
 * UTF-16 s (NUL-terminated), minus its first skip code points, as UTF-8 into out (n bytes,
 * NUL-terminated). Returns 1, or 0 if it does not fit or s holds an unpaired surrogate.
 */
int utf16_to_utf8(const char16 *s, size_t skip, char *out, size_t n)
{
	size_t o = 0;
	if (n == 0)
		return 0;
	for (size_t i = 0; s[i]; i++) {
		uint32_t cp = s[i];
		char enc[4];
		size_t len;
		if (cp >= 0xD800 && cp <= 0xDBFF && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (s[i + 1] - 0xDC00u);
			i++;
		}
		if (skip > 0) {
			skip--;
			continue;
		}
		len = kk_utf8_encode(cp, enc);
		if (len == 0 || o + len >= n)
			goto fail;
		memcpy(out + o, enc, len);
		o += len;
	}
	out[o] = '\0';
	return 1;
fail:
	out[0] = '\0';
	return 0;
}

/*
 * The last max code points of UTF-8 text as UTF-16 into out (cap units, NUL-terminated;
 * BMP only: a character beyond it ends the history there). Returns the units written.
 */
size_t utf8_tail_to_utf16(const char *text, size_t max, char16 *out, size_t cap)
{
	size_t len = strlen(text), i = 0, n = 0;
	while (i < len && n + 1 < cap) {
		int32_t cp = kk_utf8_next(text, len, &i);
		if (cp <= 0 || cp > 0xFFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			n = 0; /* only what follows an unusable character is history */
			continue;
		}
		out[n++] = (char16)cp;
	}
	if (n > max) {
		memmove(out, out + (n - max), max * sizeof *out);
		n = max;
	}
	out[n] = 0;
	return n;
}

} // namespace

extern "C" {

/* See pinyin_shim.h. */
int kk_gp_open(const char *sys_dict, const char *user_dict, size_t max_letters,
	       size_t max_hanzi)
{
	try {
		/* a user dictionary the engine cannot open (""), leaves it without one */
		/* after a refusal the half-built decoder is left alone: im_close_decoder would
		 * crash in it (UserDict::flush_cache on a user dictionary never opened) */
		if (!im_open_decoder(sys_dict, user_dict))
			return 0;
		im_set_max_lens(max_letters, max_hanzi);
		pred_buf = nullptr;
		pred_n = 0;
		return 1;
	} catch (...) {
		return 0;
	}
}

/* See pinyin_shim.h. */
void kk_gp_flush(void)
{
	try {
		im_flush_cache();
	} catch (...) {
	}
}

/* See pinyin_shim.h. */
size_t kk_gp_search(const char *letters, size_t len)
{
	try {
		return im_search(letters, len);
	} catch (...) {
		return 0;
	}
}

/* See pinyin_shim.h. */
size_t kk_gp_delete_letter(size_t pos)
{
	try {
		/* position in the letters, not in the syllables; keep earlier choices */
		return im_delsearch(pos, false, false);
	} catch (...) {
		return 0;
	}
}

/* See pinyin_shim.h. */
void kk_gp_reset(void)
{
	try {
		im_reset_search();
	} catch (...) {
	}
}

/* See pinyin_shim.h. */
const char *kk_gp_letters(size_t *parsed)
{
	const char *s = nullptr;
	size_t dummy = 0;
	try {
		s = im_get_sps_str(parsed ? parsed : &dummy);
	} catch (...) {
	}
	return s ? s : "";
}

/* See pinyin_shim.h. */
size_t kk_gp_syllables(const uint16_t **starts)
{
	try {
		const uint16 *st = nullptr;
		size_t n = im_get_spl_start_pos(st);
		*starts = st;
		return st ? n : 0;
	} catch (...) {
		*starts = nullptr;
		return 0;
	}
}

/* See pinyin_shim.h. */
int kk_gp_candidate(size_t k, size_t skip, char *out, size_t n)
{
	try {
		char16 buf[kMaxSearchSteps + 1];
		if (!im_get_candidate(k, buf, kMaxSearchSteps + 1))
			return 0;
		buf[kMaxSearchSteps] = 0;
		return utf16_to_utf8(buf, skip, out, n);
	} catch (...) {
		return 0;
	}
}

/* See pinyin_shim.h. */
size_t kk_gp_choose(size_t k)
{
	try {
		return im_choose(k);
	} catch (...) {
		return 0;
	}
}

/* See pinyin_shim.h. */
size_t kk_gp_fixed(void)
{
	try {
		return im_get_fixed_len();
	} catch (...) {
		return 0;
	}
}

/* See pinyin_shim.h. */
size_t kk_gp_predict(const char *history, size_t max)
{
	try {
		char16 his[kMaxPredictSize + 2];
		pred_buf = nullptr;
		pred_n = 0;
		if (utf8_tail_to_utf16(history, kMaxPredictSize, his, sizeof his / sizeof *his) == 0)
			return 0;
		pred_n = im_get_predicts(his, pred_buf);
		if (!pred_buf)
			pred_n = 0;
		if (pred_n > max)
			pred_n = max;
		return pred_n;
	} catch (...) {
		pred_buf = nullptr;
		pred_n = 0;
		return 0;
	}
}

/* See pinyin_shim.h. */
int kk_gp_prediction(size_t k, char *out, size_t n)
{
	if (k >= pred_n || !pred_buf)
		return 0;
	return utf16_to_utf8(pred_buf[k], 0, out, n);
}

} // extern "C"
