/*
 * devid.c — IEEE-1284 device IDs and the choice of print language (see devid.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/utf8.h"
#include "print/devid.h"

/* Copy a value into dst (size n): trimmed, unprintable bytes and invalid UTF-8 as '?', cut at
 * a character boundary. */
static void copy_value(char *dst, size_t n, const char *v, size_t len)
{
	size_t o = 0, i = 0;
	while (len && (v[0] == ' ' || v[0] == '\t'))
		v++, len--;
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	while (i < len) {
		size_t at = i;
		int32_t cp = kk_utf8_next(v, len, &i);
		size_t w = i - at;
		if (cp < 0x20 || cp == 0x7F) {
			if (cp < 0 && i == at)
				i++; /* never stall on a bad byte */
			if (o + 1 >= n)
				break;
			dst[o++] = '?';
			continue;
		}
		if (o + w >= n)
			break;
		memcpy(dst + o, v + at, w);
		o += w;
	}
	dst[o] = '\0';
}

/* Split a CMD value into upper-case tokens. */
static void split_cmd(struct kk_devid *id, const char *v, size_t len)
{
	size_t s = 0;
	for (size_t i = 0; i <= len && id->n_cmd < KK_DEVID_MAX_CMDS; i++) {
		if (i < len && v[i] != ',')
			continue;
		{
			char *t = id->cmd[id->n_cmd];
			copy_value(t, sizeof id->cmd[0], v + s, i - s);
			for (char *p = t; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			if (*t)
				id->n_cmd++;
		}
		s = i + 1;
	}
}

/* Which field a key names: pointer and size, or NULL for keys we do not keep (and CMD,
 * handled apart: *is_cmd). */
static char *field_of(struct kk_devid *id, const char *k, size_t klen, size_t *n, int *is_cmd)
{
	static const struct {
		const char *key;
		int which;
	} keys[] = {
		{ "MFG", 0 }, { "MANUFACTURER", 0 }, { "MDL", 1 },	{ "MODEL", 1 },
		{ "CLS", 2 }, { "CLASS", 2 },	     { "DES", 3 },	{ "DESCRIPTION", 3 },
		{ "SN", 4 },  { "SERN", 4 },	     { "SERIALNUMBER", 4 }, { "CMD", 5 },
		{ "COMMAND SET", 5 }, { "COMMANDSET", 5 },
	};
	while (klen && (k[0] == ' ' || k[0] == '\t'))
		k++, klen--;
	while (klen && (k[klen - 1] == ' ' || k[klen - 1] == '\t'))
		klen--;
	*is_cmd = 0;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strlen(keys[i].key) != klen || strncasecmp(keys[i].key, k, klen))
			continue;
		switch (keys[i].which) {
		case 0: *n = sizeof id->mfg; return id->mfg;
		case 1: *n = sizeof id->mdl; return id->mdl;
		case 2: *n = sizeof id->cls; return id->cls;
		case 3: *n = sizeof id->des; return id->des;
		case 4: *n = sizeof id->sn; return id->sn;
		default: *is_cmd = 1; return NULL;
		}
	}
	return NULL;
}

int kk_devid_parse(const uint8_t *buf, size_t len, enum kk_devid_len prefix, struct kk_devid *out)
{
	const char *s;
	size_t i = 0, n;
	int cmd_seen = 0;

	memset(out, 0, sizeof *out);
	if (!buf || !len)
		return KK_EINVAL;
	if (prefix == KK_DEVID_LEN_AUTO) {
		size_t be, le;
		if (len < 2)
			return KK_EINVAL;
		be = (size_t)buf[0] << 8 | buf[1];
		le = (size_t)buf[1] << 8 | buf[0];
		/* the length counts its own two bytes; take the one that fits, else what we have */
		n = be >= 2 && be <= len ? be : le >= 2 && le <= len ? le : len;
		buf += 2;
		len = n - 2;
	}
	if (len > KK_DEVID_MAX_BYTES)
		len = KK_DEVID_MAX_BYTES;
	if (!len)
		return KK_EINVAL;
	s = (const char *)buf;
	while (i < len) {
		size_t e = i, colon = (size_t)-1;
		while (e < len && s[e] != ';') {
			if (s[e] == ':' && colon == (size_t)-1)
				colon = e;
			e++;
		}
		if (colon != (size_t)-1) {
			size_t fn;
			int is_cmd;
			char *f = field_of(out, s + i, colon - i, &fn, &is_cmd);
			if (f && !*f)
				copy_value(f, fn, s + colon + 1, e - colon - 1);
			else if (is_cmd && !cmd_seen) {
				cmd_seen = 1;
				split_cmd(out, s + colon + 1, e - colon - 1);
			}
		}
		i = e + 1;
	}
	return 0;
}

const char *kk_print_lang_name(int lang)
{
	switch (lang) {
	case KK_LANG_IPP: return "ipp";
	case KK_LANG_PCL: return "pcl";
	case KK_LANG_ESCPOS: return "escpos";
	case KK_LANG_HOSTBASED: return "host-based";
	default: return "none";
	}
}

static int has_cmd(const struct kk_devid *id, const char *const *names)
{
	for (int k = 0; k < id->n_cmd; k++)
		for (const char *const *p = names; *p; p++)
			if (!strcmp(id->cmd[k], *p))
				return 1;
	return 0;
}

/* Case-insensitive substring. */
static int contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

/* After a snprintf that may have cut msg, drop a partial UTF-8 character at its end. */
static void msg_cut(char *msg, size_t msg_size)
{
	size_t n = strnlen(msg, msg_size), bad;
	while (n && !kk_utf8_valid(msg, n, &bad))
		msg[n = bad] = '\0';
}

/* Write the refusal (fmt takes the maker and the model) into msg, whole characters only;
 * returns lang. */
static int refuse(int lang, char *msg, size_t msg_size, const char *mfg, const char *model,
		  const char *fmt)
{
	if (msg && msg_size) {
		snprintf(msg, msg_size, fmt, mfg, model);
		msg_cut(msg, msg_size);
	}
	return lang;
}

int kk_print_choose(const struct kk_devid *id, int usb_protocol, char *msg, size_t msg_size)
{
	/* languages that mean "the maker's driver renders every page on the host" */
	static const char *const host_cmds[] = { "ZJS",	 "ZJSTREAM", "ZJ",   "CAPT", "LIDIL",
						 "GDI",	 "HBP",	     "QPDL", "SPL",  "SPLC",
						 "LAVAFLOW", "OPL", "XQX",   "HIPERC", "CPCA",
						 NULL };
	/* models sold in county offices that are host-based whatever their CMD says */
	static const char *const host_models[] = { "LaserJet 1018", "LaserJet 1020", "LaserJet 1022",
						   "LaserJet P1005", "LaserJet P1006", "LaserJet P1102",
						   "LaserJet M1005", "LaserJet M1136", "LBP2900",
						   "LBP3000", "LBP6000", "ML-2160", "ML-2165",
						   "M7206", "LJ2205", "HL-1110", "P2206", NULL };
	static const char *const pcl_cmds[] = { "PCL", "PCL5", "PCL5E", "PCL5C", "PCL3GUI", "PCL3", NULL };
	static const char *const pos_cmds[] = { "ESC/POS", "ESCPOS", "ESC POS", NULL };
	static const char *const pos_makers[] = { "XPRINTER", "GPRINTER", "ZJIANG", "RONGTA",
						  "HPRT", "SPRT", "BIXOLON", NULL };
	const char *model = id->mdl[0] ? id->mdl : id->des[0] ? id->des : "（型号未知）";
	int hostbased = has_cmd(id, host_cmds);

	if (msg && msg_size)
		msg[0] = '\0';
	for (const char *const *p = host_models; !hostbased && *p; p++)
		hostbased = contains(id->mdl, *p) || contains(id->des, *p);
	if (usb_protocol == 4)
		return KK_LANG_IPP; /* IPP-over-USB: the printer renders PWG Raster itself */
	if (has_cmd(id, pcl_cmds) && !hostbased)
		return KK_LANG_PCL;
	if (!hostbased && (has_cmd(id, pos_cmds) || (contains(id->mfg, "EPSON") && !strncasecmp(id->mdl, "TM-", 3))))
		return KK_LANG_ESCPOS;
	for (const char *const *p = pos_makers; !hostbased && *p; p++)
		if (contains(id->mfg, *p))
			return KK_LANG_ESCPOS;
	if (hostbased)
		return refuse(KK_LANG_HOSTBASED, msg, msg_size, id->mfg, model,
			      "打印机“%s %s”需要厂家专用驱动，本查阅点无法使用。请换用支持 PCL 或"
			      "“免驱动打印”（IPP）的打印机，例如惠普、京瓷、兄弟的商用激光打印机。");
	return refuse(KK_LANG_NONE, msg, msg_size, id->mfg, model,
		      "无法识别打印机“%s %s”使用的打印语言，本查阅点暂时不能使用它。请换用支持 PCL 或"
		      "“免驱动打印”（IPP）的打印机。");
}
