/*
 * qstats.h — anonymous counting of searches that found nothing, so the 政务公开 office learns
 * what residents look for and do not find (issue 4). The content database is read-only, so
 * these go to a small capped file under the data directory instead.
 *
 * Record: one line "YYYY-MM-DD<TAB>query<LF>" in DIR/search-misses.tsv: no time of day, no
 * session, nothing about the visitor. Not thread-safe for concurrent writers to one DIR (the
 * kiosk has one UI thread); each call opens, appends with one write(2) and closes.
 */
#ifndef KK_BASE_QSTATS_H
#define KK_BASE_QSTATS_H

#include <stddef.h>

#define KK_QSTATS_FILE "search-misses.tsv"
#define KK_QSTATS_QUERY_MAX 200        /* bytes of a query kept (cut at a character) */
#define KK_QSTATS_FILE_MAX (256 << 10) /* then the file becomes FILE.1 and a new one starts */

/*
 * Append a query that found nothing. date is "YYYY-MM-DD", or NULL for today (local time).
 * The query is cleaned: control characters become spaces, invalid UTF-8 is dropped, runs of
 * spaces are kept single, ends trimmed; an empty result records nothing. Returns 0, KK_EINVAL
 * (bad date or dir) or KK_EIO. Blocks for one small file write.
 */
int kk_qstats_miss(const char *dir, const char *query, const char *date);

#endif
