/*
 * pad.c — first-letter input and the digit/symbol pad: data and small helpers, no engine.
 *
 * First-letter mode needs no dictionary: the search index stores the initials of every
 * reading (身份证 → sfz, 长 → c and z), so the keyboard only types letters. The pad holds
 * what 文号 and dates are written with: 郯政办字〔2023〕37号, 2024年3月, 第十二条.
 */
#include <string.h>

#include "base/utf8.h"
#include "ime/ime.h"

const char *const kk_ime_pad[KK_IME_PAD_ROWS][KK_IME_PAD_COLS] = {
	{ "1", "2", "3", "4", "5", "6", "7", "8", "9", "0" },
	{ "〔", "〕", "年", "月", "日", "号", "字", "第", "-", "·" },
	{ "（", "）", "、", "/", ".", "条", "期", NULL, NULL, NULL },
};

/* See ime.h. */
int kk_ime_letter(int ch)
{
	if (ch >= 'a' && ch <= 'z')
		return ch;
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 'a';
	return 0;
}

/* See ime.h. */
size_t kk_ime_letters_normalize(const char *in, char *out, size_t n)
{
	size_t i = 0, len = strlen(in), o = 0;
	int gap = 0; /* a space is pending between two groups of letters */

	if (n == 0)
		return 0;
	while (i < len && o + 1 < n) {
		int32_t cp = kk_utf8_next(in, len, &i);
		int c;
		if (cp >= 0xFF21 && cp <= 0xFF3A)
			cp = cp - 0xFF21 + 'A'; /* full-width Ａ–Ｚ */
		else if (cp >= 0xFF41 && cp <= 0xFF5A)
			cp = cp - 0xFF41 + 'a'; /* full-width ａ–ｚ */
		if (cp == ' ' || cp == 0x3000) {
			gap = o > 0;
			continue;
		}
		c = cp > 0 && cp < 0x80 ? kk_ime_letter(cp) : 0;
		if (!c)
			continue;
		if (gap) {
			if (o + 2 >= n)
				break; /* no room for the space and a letter */
			out[o++] = ' ';
		}
		gap = 0;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}
