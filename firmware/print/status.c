/* status.c — printer problems from IPP reasons and USB port status, and their Chinese text. */
#include "print/status.h"

#include <stdio.h>
#include <string.h>

/* Most serious first: the one a resident is told about. */
static const struct {
	unsigned flag;
	const char *name;
	const char *text;
} problems[] = {
	{ KK_PP_GONE, "gone", "打印机没有连接，请联系工作人员。" },
	{ KK_PP_MEDIA_JAM, "media-jam", "打印机卡纸，请联系工作人员。" },
	{ KK_PP_COVER_OPEN, "cover-open", "打印机盖板打开了，请联系工作人员。" },
	{ KK_PP_MEDIA_EMPTY, "media-empty", "打印机缺纸，请联系工作人员。" },
	{ KK_PP_TONER_EMPTY, "toner-empty", "打印机墨粉用完了，请联系工作人员。" },
	{ KK_PP_OFFLINE, "offline", "打印机没有开机或处于脱机状态，请联系工作人员。" },
	{ KK_PP_ERROR, "error", "打印机出现故障，请联系工作人员。" },
	{ KK_PP_BUSY, "busy", "打印机正忙，请稍候。" },
};

const char *kk_print_problem_text(unsigned flags)
{
	for (size_t i = 0; i < sizeof problems / sizeof problems[0]; i++)
		if (flags & problems[i].flag)
			return problems[i].text;
	return "";
}

void kk_print_problem_names(unsigned flags, char *out, size_t out_size)
{
	size_t used = 0;
	if (!out || out_size == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof problems / sizeof problems[0]; i++) {
		if (!(flags & problems[i].flag))
			continue;
		int n = snprintf(out + used, out_size - used, "%s%s", used ? "," : "", problems[i].name);
		if (n < 0 || (size_t)n >= out_size - used)
			return; /* cut: out stays terminated */
		used += (size_t)n;
	}
}

/* IPP keywords (RFC 8011 section 5.4.12, PWG 5100.9) and the flag each stands for. */
static const struct {
	const char *kw;
	unsigned flag;
} ipp_reasons[] = {
	{ "media-empty", KK_PP_MEDIA_EMPTY },   { "media-needed", KK_PP_MEDIA_EMPTY },
	{ "input-tray-missing", KK_PP_MEDIA_EMPTY },
	{ "media-jam", KK_PP_MEDIA_JAM },       { "door-open", KK_PP_COVER_OPEN },
	{ "cover-open", KK_PP_COVER_OPEN },     { "interlock-open", KK_PP_COVER_OPEN },
	{ "toner-empty", KK_PP_TONER_EMPTY },   { "marker-supply-empty", KK_PP_TONER_EMPTY },
	{ "offline", KK_PP_OFFLINE },           { "shutdown", KK_PP_OFFLINE },
	{ "paused", KK_PP_OFFLINE },            { "moving-to-paused", KK_PP_OFFLINE },
	{ "other", KK_PP_ERROR },               { "fuser-over-temp", KK_PP_ERROR },
	{ "fuser-under-temp", KK_PP_ERROR },    { "spool-area-full", KK_PP_BUSY },
	{ "timed-out", KK_PP_GONE },            { "connecting-to-device", KK_PP_OFFLINE },
};

unsigned kk_print_problem_from_ipp(const char *keyword)
{
	char kw[64];
	size_t n;
	if (!keyword)
		return 0;
	n = strlen(keyword);
	if (n == 0 || n >= sizeof kw)
		return 0;
	memcpy(kw, keyword, n + 1);
	/* "-report" is information only; "-warning" and "-error" name the same condition */
	if (n > 7 && strcmp(kw + n - 7, "-report") == 0)
		return 0;
	if (n > 8 && strcmp(kw + n - 8, "-warning") == 0)
		kw[n - 8] = '\0';
	else if (n > 6 && strcmp(kw + n - 6, "-error") == 0)
		kw[n - 6] = '\0';
	for (size_t i = 0; i < sizeof ipp_reasons / sizeof ipp_reasons[0]; i++)
		if (strcmp(kw, ipp_reasons[i].kw) == 0)
			return ipp_reasons[i].flag;
	return 0;
}

unsigned kk_print_problem_from_port(unsigned char status)
{
	unsigned f = 0;
	if (status & 0x20)
		f |= KK_PP_MEDIA_EMPTY;
	if (!(status & 0x10))
		f |= KK_PP_OFFLINE;
	if (!(status & 0x08))
		f |= KK_PP_ERROR;
	return f;
}
