# pinyin.awk — turn Unihan_Readings.txt (Debian unicode-data) into the pinyin table of the
# tokenizer, at build time: the kiosk never reads raw Unihan.
#
#   bzcat Unihan_Readings.txt.bz2 | awk -v stage=1 -f pinyin.awk | LC_ALL=C sort -u |
#       awk -v stage=2 -f pinyin.awk > pinyin_table.c
#
# Stage 1 keeps kMandarin, kHanyuPinyin, kXHC1983 and kTGHZ2013, strips the tones (ü becomes v)
# and prints "C <6 hex digits> <syllable>" per reading and "S <syllable>" per syllable.
# Stage 2 (input sorted, so code points ascend and syllables are in byte order) prints C:
# kk_py_chars[] (code point, offset of its readings in kk_py_pool, reading count),
# kk_py_pool (NUL-terminated syllables), kk_py_syllables[] (every syllable, sorted).
# Works byte-wise, so any POSIX awk (mawk on Debian) will do.

function untone(s) {
	gsub(/ā|á|ǎ|à/, "a", s)
	gsub(/ē|é|ě|è|ế|ề|ê/, "e", s)
	gsub(/ī|í|ǐ|ì/, "i", s)
	gsub(/ō|ó|ǒ|ò/, "o", s)
	gsub(/ū|ú|ǔ|ù/, "u", s)
	gsub(/ǖ|ǘ|ǚ|ǜ|ü/, "v", s)
	gsub(/ḿ/, "m", s)
	gsub(/ń|ň|ǹ/, "n", s)
	gsub(/\314[\200-\217]/, "", s)   # combining grave..combining caron (U+0300..U+030F)
	return s
}

function emit(cp, r) {
	r = untone(r)
	if (r !~ /^[a-z]+$/ || length(r) > 6)
		return
	printf "C %06s %s\n", cp, r
	print "S " r
}

stage == 1 && $1 ~ /^U\+[0-9A-F]+$/ {
	cp = substr($1, 3)
	if ($2 == "kMandarin") {
		for (i = 3; i <= NF; i++)
			emit(cp, $i)
	} else if ($2 == "kHanyuPinyin" || $2 == "kXHC1983" || $2 == "kTGHZ2013") {
		for (i = 3; i <= NF; i++) {
			f = $i
			sub(/^[^:]*:/, "", f)
			n = split(f, rs, ",")
			for (k = 1; k <= n; k++)
				emit(cp, rs[k])
		}
	}
}

stage == 2 && $1 == "C" {
	if ($2 != last) {
		if (last != "")
			printf "\t{ 0x%s, %d, %d },\n", last, start, count
		last = $2; start = off; count = 0
	}
	pool = pool "\t\"" $3 "\\0\"\n"
	off += length($3) + 1
	count++
	nchars += ($2 != prevcp); prevcp = $2
}
stage == 2 && $1 == "S" {
	syl = syl "\t\"" $2 "\",\n"
	nsyl++
}
stage == 2 {
	next
}
END {
	if (stage != 2)
		exit 0
	if (last != "")
		printf "\t{ 0x%s, %d, %d },\n", last, start, count
	printf "};\nconst size_t kk_py_n_chars = %d;\n\n", nchars
	printf "const char kk_py_pool[] =\n%s;\n\n", pool
	printf "const char *const kk_py_syllables[] = {\n%s};\nconst size_t kk_py_n_syllables = %d;\n", syl, nsyl
}
BEGIN {
	if (stage == 2) {
		print "/* generated from Unihan_Readings.txt by firmware/text/pinyin.awk; do not edit */"
		print "#include \"text/pinyin_data.h\""
		print ""
		print "const struct kk_py_char kk_py_chars[] = {"
	}
}
