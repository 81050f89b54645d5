/*
 * export.h — reading a publisher export folder (offline-db/FORMAT.md).
 *
 * One pass reads site.json, documents.jsonl, guides.jsonl and synonyms.txt, checks every record
 * and, when a writer is given, stores it. Problems are printed to `out` as
 * "file:line: field: message" (warnings as "file:line: field: warning: message") the moment they
 * are found, so a publisher sees every problem of an export in one run.
 */
#ifndef KK_KIOSKDB_EXPORT_H
#define KK_KIOSKDB_EXPORT_H

#include <stdio.h>

#include "catalog/catalog_build.h"

struct kk_export_stats {
	long documents, guides, groups, synonym_groups, attachments, media;
	long problems, warnings;
};

/*
 * Read the export in dir. With w == NULL only validates (attachments are checked, not
 * rendered). Returns 0 when there were no problems, KK_EINVAL when problems were printed, or
 * another error (KK_ENOMEM, KK_EDB, KK_EIO) that stopped the run.
 */
int kk_export_read(const char *dir, struct kk_writer *w, FILE *out, struct kk_export_stats *st);

/* Normalise a date (YYYY-MM-DD, YYYY年M月D日, YYYY/M/D, YYYY.M.D) to YYYY-MM-DD in out[11].
 * Returns 0 or KK_EINVAL for anything else, including impossible days. */
int kk_date_normalise(const char *in, char out[11]);

#endif
