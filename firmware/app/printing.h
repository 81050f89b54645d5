/*
 * printing.h — printing wired into the kiosk (see printing.c): the print service built from
 * the configuration, and `kiosk --print` / `kiosk --list-printers`.
 */
#ifndef KK_APP_PRINTING_H
#define KK_APP_PRINTING_H

#include "base/config.h"
#include "print/compose.h"
#include "print/job.h"

/* What the layouter needs on the worker thread; lives as long as the service. */
struct kk_printing_glue {
	char db_path[600];
	char site[256];
	struct kk_print_font_files fonts; /* points into itself: the glue is never copied */
};

/* Fill g from the configuration: the content database, the site name, the fonts (the bold
 * face of Noto Sans CJK when it is installed, the first fallback font). */
void kk_printing_glue_init(struct kk_printing_glue *g, const struct kk_config *cfg,
			   const char *db_path);

/* Start the print worker for printer `uri` (NULL: the config's `printer`), spool in
 * DATA_DIR/spool, limits from the config. wake may be NULL. Returns as
 * kk_print_service_start. UI thread. */
int kk_printing_start(struct kk_printing_glue *g, const struct kk_config *cfg, const char *uri,
		      void (*wake)(void *), struct kk_print_service **out);

/*
 * `kiosk --print ID [--pages A-B] [--copies N] [--summary] --printer URI`: print one document
 * (catalogue id or export id) or guide ("guide:N") and wait for the end. Progress and the
 * result go to stderr, one line per second. Returns the exit status: 0 printed, 1 failed,
 * 2 usage (no such document, bad range), 3 refused (limit, printing off, unsupported printer).
 */
int kk_printing_cli(const struct kk_config *cfg, const char *db, const char *id_text,
		    const char *pages, unsigned copies, int summary, const char *uri);

/* `kiosk --list-printers`: every USB printer interface (device ID, interface protocol, the
 * driver chosen, port status; the reason for a refused one) and, for an ipp:// printer, what
 * it says. Returns 0 when at least one printer can be used, 1 otherwise. */
int kk_printing_list(const struct kk_config *cfg, const char *uri);

#endif
