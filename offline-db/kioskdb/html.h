/*
 * html.h — a document as one standalone, escaped HTML page (see html.c).
 */
#ifndef KK_KIOSKDB_HTML_H
#define KK_KIOSKDB_HTML_H

#include <stdio.h>

#include "catalog/catalog.h"

/* Write d as a complete HTML page to out. Returns 0 or KK_EIO. */
int kk_doc_write_html(const struct kk_doc *d, FILE *out);

#endif
