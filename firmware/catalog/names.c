/* names.c — Chinese names and parsing of the catalogue's enums (no SQL here). */
#include <string.h>

#include "catalog/catalog.h"

static const char *const validity_names[] = { NULL, "有效", "失效", "废止", "已修订" };
static const char *const series_names[] = { NULL, "行政规范性文件", "政策解读", "政府信息公开指南",
					    "政府信息公开工作年度报告", "政府公报", "其他文件" };
static const char *const series_codes[] = { NULL, "regulation", "interpretation", "guide",
					    "annual_report", "gazette", "general" };

const char *kk_validity_name(int v)
{
	return v >= KK_VALID && v <= KK_AMENDED ? validity_names[v] : "未知";
}

const char *kk_series_name(int s)
{
	return s >= 1 && s <= KK_SERIES_COUNT ? series_names[s] : "未知";
}

const char *kk_series_code(int s)
{
	return s >= 1 && s <= KK_SERIES_COUNT ? series_codes[s] : "unknown";
}

const char *kk_book_name(int b)
{
	return b == KK_BOOK_HUIMIN ? "惠民" : b == KK_BOOK_HUIQI ? "惠企" : "未知";
}

int kk_validity_parse(const char *s)
{
	static const struct {
		const char *name;
		int v;
	} aliases[] = { { "有效中", KK_VALID }, { "现行有效", KK_VALID }, { "valid", KK_VALID },
			{ "expired", KK_EXPIRED }, { "repealed", KK_REPEALED },
			{ "amended", KK_AMENDED }, { "已修改", KK_AMENDED } };
	for (int v = KK_VALID; v <= KK_AMENDED; v++)
		if (strcmp(s, validity_names[v]) == 0)
			return v;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(s, aliases[i].name) == 0)
			return aliases[i].v;
	return 0;
}

int kk_series_parse(const char *s)
{
	for (int i = 1; i <= KK_SERIES_COUNT; i++)
		if (strcmp(s, series_names[i]) == 0 || strcmp(s, series_codes[i]) == 0)
			return i;
	if (strcmp(s, "规范性文件") == 0)
		return KK_SERIES_REGULATION;
	if (strcmp(s, "公开指南") == 0)
		return KK_SERIES_GUIDE;
	if (strcmp(s, "年度报告") == 0)
		return KK_SERIES_ANNUAL_REPORT;
	return 0;
}

int kk_book_parse(const char *s)
{
	if (strcmp(s, "惠民") == 0 || strcmp(s, "huimin") == 0)
		return KK_BOOK_HUIMIN;
	if (strcmp(s, "惠企") == 0 || strcmp(s, "huiqi") == 0)
		return KK_BOOK_HUIQI;
	return 0;
}

const char *kk_facet_name(int facet)
{
	switch (facet) {
	case KK_FACET_TOPIC: return "主题分类";
	case KK_FACET_PUBLISHER: return "发布机构";
	case KK_FACET_GENRE: return "体裁";
	case KK_FACET_YEAR: return "年份";
	}
	return "分类";
}
