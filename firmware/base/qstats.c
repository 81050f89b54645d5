/*
 * qstats.c — see qstats.h.
 *
 * DESIGN: a record is built in memory and written with one write(2) on an O_APPEND file, so a
 * crash leaves at most one partial last line (readers skip a line without its LF). Rotation
 * renames the full file to FILE.1 first; a crash between rename and the next write loses
 * nothing but the record in flight. Disk use is bounded by twice KK_QSTATS_FILE_MAX.
 */
#include "base/qstats.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/utf8.h"

/* Copy the cleaned query into out (room for n bytes + NUL); returns its length. */
static size_t clean_query(const char *q, char *out, size_t n)
{
	size_t len = strlen(q), i = 0, o = 0;
	int space = 0;
	while (i < len) {
		size_t at = i;
		int32_t cp = kk_utf8_next(q, len, &i);
		if (cp < 0)
			continue;
		if (cp < 0x20 || cp == 0x7F || cp == ' ' || cp == 0x3000) {
			space = o > 0;
			continue;
		}
		if (o + (space ? 1 : 0) + (i - at) > n)
			break;
		if (space)
			out[o++] = ' ';
		space = 0;
		memcpy(out + o, q + at, i - at);
		o += i - at;
	}
	out[o] = '\0';
	return o;
}

/* 1 if d is "YYYY-MM-DD" (digits and dashes in place; the calendar is not checked). */
static int valid_date(const char *d)
{
	for (int k = 0; k < 10; k++)
		if (k == 4 || k == 7 ? d[k] != '-' : (d[k] < '0' || d[k] > '9'))
			return 0;
	return d[10] == '\0';
}

int kk_qstats_miss(const char *dir, const char *query, const char *date)
{
	char path[4096], old[4200], line[KK_QSTATS_QUERY_MAX + 32], q[KK_QSTATS_QUERY_MAX + 1];
	char today[16];
	struct stat sb;
	int fd = -1, rc = 0, n;

	if (!dir || !*dir || !query)
		return KK_EINVAL;
	if (!date) {
		time_t t = time(NULL);
		struct tm tm;
		if (!localtime_r(&t, &tm) || !strftime(today, sizeof today, "%Y-%m-%d", &tm))
			return KK_EIO;
		date = today;
	}
	if (!valid_date(date))
		return KK_EINVAL;
	if (clean_query(query, q, KK_QSTATS_QUERY_MAX) == 0)
		return 0;
	if (snprintf(path, sizeof path, "%s/%s", dir, KK_QSTATS_FILE) >= (int)sizeof path)
		return KK_EINVAL;
	if (stat(path, &sb) == 0 && sb.st_size >= KK_QSTATS_FILE_MAX) {
		snprintf(old, sizeof old, "%s.1", path);
		if (rename(path, old) != 0)
			return KK_EIO;
	}
	n = snprintf(line, sizeof line, "%s\t%s\n", date, q);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return KK_EIO;
	if (write(fd, line, (size_t)n) != n)
		rc = KK_EIO;
	if (close(fd) != 0)
		rc = KK_EIO;
	return rc;
}
