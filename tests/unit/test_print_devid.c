/*
 * test_print_devid.c — IEEE-1284 device IDs (firmware/print/devid.c): real IDs of printers
 * found in county offices, the length prefix in both byte orders, hostile bytes, and the
 * choice of language (IPP-over-USB, PCL 5, ESC/POS, host-based refused with the model named).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"
#include "kt.h"
#include "print/devid.h"

static int parse_str(const char *s, struct kk_devid *id)
{
	return kk_devid_parse((const uint8_t *)s, strlen(s), KK_DEVID_LEN_NONE, id);
}

/* Choose for an ID string (-1 if it does not parse). */
static int choose(const char *s, int proto, char *msg, size_t n)
{
	struct kk_devid id;
	if (parse_str(s, &id) != 0)
		return -1; /* never a language: the caller's check fails */
	return kk_print_choose(&id, proto, msg, n);
}

static void test_fields(void)
{
	struct kk_devid id;
	KT_REQUIRE(parse_str("MFG:HP;MDL:HP LaserJet Pro M404-M405;CMD:PJL,PCL,PCLXL,URF,PWGRaster;"
			     "CLS:PRINTER;DES:HP LaserJet Pro M404dn;SN:PHBQ123456;", &id) == 0);
	KT_CHECK_STR(id.mfg, "HP");
	KT_CHECK_STR(id.mdl, "HP LaserJet Pro M404-M405");
	KT_CHECK_STR(id.cls, "PRINTER");
	KT_CHECK_STR(id.sn, "PHBQ123456");
	KT_CHECK_INT(id.n_cmd, 5);
	KT_CHECK_STR(id.cmd[1], "PCL");
	KT_CHECK_STR(id.cmd[4], "PWGRASTER");
	/* long key names, lower case, spaces, repeated keys (the first wins), no final ';' */
	KT_REQUIRE(parse_str(" manufacturer : Kyocera ; Model:ECOSYS P2235dn;command set: pcl5e , PJL;"
			     "MFG:Other", &id) == 0);
	KT_CHECK_STR(id.mfg, "Kyocera");
	KT_CHECK_STR(id.mdl, "ECOSYS P2235dn");
	KT_CHECK_INT(id.n_cmd, 2);
	KT_CHECK_STR(id.cmd[0], "PCL5E");
	KT_CHECK_STR(id.cmd[1], "PJL");
}

/* The two-byte length GET_DEVICE_ID puts first: big-endian, little-endian, or too large. */
static void test_length_prefix(void)
{
	static const char body[] = "MFG:Brother;MDL:HL-L2350DW;CMD:PJL,PCL,PCLXL;";
	uint8_t buf[128];
	size_t n = strlen(body) + 2;
	struct kk_devid id;
	memcpy(buf + 2, body, n - 2);
	buf[0] = (uint8_t)(n >> 8), buf[1] = (uint8_t)n;
	KT_REQUIRE(kk_devid_parse(buf, n, KK_DEVID_LEN_AUTO, &id) == 0);
	KT_CHECK_STR(id.mdl, "HL-L2350DW");
	buf[0] = (uint8_t)n, buf[1] = (uint8_t)(n >> 8);
	KT_REQUIRE(kk_devid_parse(buf, n, KK_DEVID_LEN_AUTO, &id) == 0);
	KT_CHECK_STR(id.mdl, "HL-L2350DW");
	/* a length beyond the bytes read: what we have is parsed */
	buf[0] = 0xFF, buf[1] = 0xFF;
	KT_REQUIRE(kk_devid_parse(buf, n, KK_DEVID_LEN_AUTO, &id) == 0);
	KT_CHECK_STR(id.mfg, "Brother");
	/* a length that says only itself: nothing to parse */
	buf[0] = 0, buf[1] = 2;
	KT_CHECK_INT(kk_devid_parse(buf, n, KK_DEVID_LEN_AUTO, &id), KK_EINVAL);
	KT_CHECK_INT(kk_devid_parse(buf, 1, KK_DEVID_LEN_AUTO, &id), KK_EINVAL);
	KT_CHECK_INT(kk_devid_parse(buf, 0, KK_DEVID_LEN_NONE, &id), KK_EINVAL);
	KT_CHECK_INT(kk_devid_parse(NULL, 5, KK_DEVID_LEN_NONE, &id), KK_EINVAL);
}

/* Bytes from a device: control characters, invalid UTF-8, NULs, endless values and lists. */
static void test_hostile(void)
{
	struct kk_devid id;
	char big[4000];
	uint8_t raw[] = "MFG:\x01\xff\xfeZ\x00Q;MDL:\xe6\xb1\x89\xe5;CMD:" ;
	KT_REQUIRE(kk_devid_parse(raw, sizeof raw - 1, KK_DEVID_LEN_NONE, &id) == 0);
	KT_CHECK(kk_utf8_valid(id.mfg, strlen(id.mfg), NULL));
	KT_CHECK(kk_utf8_valid(id.mdl, strlen(id.mdl), NULL));
	KT_CHECK(strchr(id.mfg, 'Z') != NULL);
	KT_CHECK_INT(id.n_cmd, 0);
	/* a 3,900-byte model: cut to its field, at a character */
	strcpy(big, "MDL:");
	for (int i = 0; i < 1300; i++)
		strcat(big, "汉");
	KT_REQUIRE(parse_str(big, &id) == 0);
	KT_CHECK(strlen(id.mdl) < sizeof id.mdl);
	KT_CHECK(kk_utf8_valid(id.mdl, strlen(id.mdl), NULL));
	KT_CHECK(strlen(id.mdl) % 3 == 0);
	/* 200 CMD tokens: the first KK_DEVID_MAX_CMDS kept */
	strcpy(big, "CMD:");
	for (int i = 0; i < 200; i++)
		strcat(big, "PCL,");
	KT_REQUIRE(parse_str(big, &id) == 0);
	KT_CHECK_INT(id.n_cmd, KK_DEVID_MAX_CMDS);
	/* no colon anywhere, only separators */
	KT_REQUIRE(parse_str(";;;;", &id) == 0);
	KT_CHECK_INT(id.n_cmd, 0);
	KT_CHECK_STR(id.mfg, "");
}

static void test_choice(void)
{
	char msg[512];
	/* IPP-over-USB wins whatever CMD says */
	KT_CHECK_INT(choose("MFG:HP;MDL:HP LaserJet MFP M232;CMD:PWGRaster,URF;", 4, msg, sizeof msg),
		     KK_LANG_IPP);
	KT_CHECK_STR(msg, "");
	/* PCL 5 lasers */
	KT_CHECK_INT(choose("MFG:HP;MDL:HP LaserJet Pro M404;CMD:PJL,PCL,PCLXL,POSTSCRIPT;", 2, msg,
			    sizeof msg), KK_LANG_PCL);
	KT_CHECK_INT(choose("MFG:Kyocera;MDL:ECOSYS P2235dn;CMD:PCL5E,PJL;", 2, msg, sizeof msg),
		     KK_LANG_PCL);
	/* PCL XL alone is PCL 6: not ours */
	KT_CHECK_INT(choose("MFG:Acme;MDL:X1;CMD:PCLXL,PJL;", 2, msg, sizeof msg), KK_LANG_NONE);
	KT_CHECK(strstr(msg, "Acme X1") != NULL);
	/* receipt printers */
	KT_CHECK_INT(choose("MFG:EPSON;MDL:TM-T20II;CMD:ESCPOS;", 2, msg, sizeof msg), KK_LANG_ESCPOS);
	KT_CHECK_INT(choose("MFG:EPSON;MDL:TM-T82;", 2, msg, sizeof msg), KK_LANG_ESCPOS);
	KT_CHECK_INT(choose("MFG:Xprinter;MDL:XP-58IIH;", 1, msg, sizeof msg), KK_LANG_ESCPOS);
	/* host-based: by CMD, and by model whatever CMD claims */
	KT_CHECK_INT(choose("MFG:Pantum;MDL:P2206;CMD:ACL,CMD,ZJS,PJL;", 2, msg, sizeof msg),
		     KK_LANG_HOSTBASED);
	KT_CHECK(strstr(msg, "Pantum P2206") != NULL && strstr(msg, "PCL") != NULL);
	KT_CHECK_INT(choose("MFG:Canon;MDL:LBP2900;CMD:CAPT;", 2, msg, sizeof msg), KK_LANG_HOSTBASED);
	KT_CHECK_INT(choose("MFG:Hewlett-Packard;MDL:HP LaserJet 1020;CMD:PCL;", 2, msg, sizeof msg),
		     KK_LANG_HOSTBASED);
	KT_CHECK(strstr(msg, "LaserJet 1020") != NULL);
	KT_CHECK(kk_utf8_valid(msg, strlen(msg), NULL));
	/* a message buffer too small is cut at a character, still valid UTF-8 */
	{
		char small[20];
		KT_CHECK_INT(choose("MFG:Canon;MDL:LBP2900;CMD:CAPT;", 2, small, sizeof small),
			     KK_LANG_HOSTBASED);
		KT_CHECK(kk_utf8_valid(small, strlen(small), NULL));
		KT_CHECK_INT(choose("MFG:Canon;MDL:LBP2900;CMD:CAPT;", 2, NULL, 0), KK_LANG_HOSTBASED);
	}
	KT_CHECK_STR(kk_print_lang_name(KK_LANG_PCL), "pcl");
	KT_CHECK_STR(kk_print_lang_name(99), "none");
}

KT_MAIN(KT_CASE(test_fields), KT_CASE(test_length_prefix), KT_CASE(test_hostile),
	KT_CASE(test_choice))
