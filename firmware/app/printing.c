/*
 * printing.c — printing wired into the kiosk: the layouter the print worker calls (catalogue
 * + page composer), the print service's options from the configuration, and the command-line
 * entry points `kiosk --print ID --printer URI` and `kiosk --list-printers`.
 *
 * The worker (print/job.c) knows neither the catalogue nor the fonts; this file gives it a
 * layouter that opens its own read-only connection to the content database on the worker
 * thread (SQLite connections are not shared between threads here), reads the document or
 * guide, and lays it out for the printer with print/compose.c. The layout owns everything it
 * needs, so the record is freed at once.
 */
#include "app/printing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog.h"
#include "print/compose.h"
#include "print/devid.h"
#include "print/job.h"
#include "print/lang.h"
#include "print/status.h"
#include "print/usb.h"

#define MOD "print"

/* ---- the layouter ---- */

void kk_printing_glue_init(struct kk_printing_glue *g, const struct kk_config *cfg,
			   const char *db_path)
{
	memset(g, 0, sizeof *g);
	snprintf(g->db_path, sizeof g->db_path, "%s", db_path);
	snprintf(g->site, sizeof g->site, "%s", cfg->site_name);
	kk_print_fonts_from_config(cfg, &g->fonts);
}

static int render_page(void *ctx, unsigned page, struct kk_raster *r)
{
	return kk_print_layout_render(ctx, page, r);
}

static uint32_t page_rows(void *ctx, unsigned page)
{
	return kk_print_layout_page_rows(ctx, page);
}

static int glue_layout(void *ctx, const struct kk_print_req *req, const struct kk_printer_caps *caps,
		       struct kk_print_pages *pages, char *why, size_t why_size)
{
	struct kk_printing_glue *g = ctx;
	struct kk_catalog *cat = NULL;
	struct kk_catalog_info info = { 0 };
	struct kk_doc *doc = NULL;
	struct kk_guide *guide = NULL;
	struct kk_print_layout *l = NULL;
	struct kk_page_setup ps = { 0 };
	struct kk_print_stamp st = { 0 };
	char when[32], version[64] = "";
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	rc = kk_catalog_open(g->db_path, &cat);
	if (rc) {
		snprintf(why, why_size, "content database %s: %s", g->db_path, kk_err_name(rc));
		return rc;
	}
	if (kk_catalog_info(cat, &info) == 0)
		snprintf(version, sizeof version, "%lld.%lld", (long long)info.epoch,
			 (long long)info.seq);
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	st.site = g->site;
	st.when = when;
	st.content_version = version;
	ps.dpi = caps->dpi;
	ps.width = caps->width;
	ps.height = caps->height;
	/* the printer's unprintable edges plus our own white border: 15 mm on paper, none on a
	 * receipt beyond what the printer needs */
	{
		uint32_t own = caps->narrow ? 0 : (uint32_t)(10.0 * caps->dpi / 25.4);
		ps.margin_left = caps->margin[0] + own;
		ps.margin_top = caps->margin[1] + own;
		ps.margin_right = caps->margin[2] + own;
		ps.margin_bottom = caps->margin[3] + own;
	}
	ps.narrow = caps->narrow;
	if (req->kind == KK_PRINT_GUIDE) {
		rc = kk_catalog_get_guide(cat, req->id, &guide);
		if (!rc)
			rc = kk_print_layout_guide(guide, req->summary, &ps, &st, &g->fonts.fonts, &l);
	} else {
		rc = kk_catalog_get_doc(cat, req->id, &doc);
		if (!rc)
			rc = kk_print_layout_doc(doc, &ps, &st, &g->fonts.fonts, &l);
	}
	if (rc)
		snprintf(why, why_size, "%s %lld: %s", req->kind == KK_PRINT_GUIDE ? "guide" : "document",
			 (long long)req->id, kk_err_name(rc));
	kk_doc_free(doc);
	kk_guide_free(guide);
	kk_catalog_info_fini(&info);
	kk_catalog_close(cat);
	if (rc)
		return rc;
	pages->n = kk_print_layout_pages(l);
	pages->render = render_page;
	pages->rows = page_rows;
	pages->ctx = l;
	return 0;
}

static void glue_release(void *ctx, struct kk_print_pages *pages)
{
	(void)ctx;
	kk_print_layout_free(pages->ctx);
	pages->ctx = NULL;
}

int kk_printing_start(struct kk_printing_glue *g, const struct kk_config *cfg, const char *uri,
		      void (*wake)(void *), struct kk_print_service **out)
{
	struct kk_print_service_opts o = { 0 };
	char spool[600];
	snprintf(spool, sizeof spool, "%s/spool", cfg->data_dir);
	o.printer_uri = uri ? uri : cfg->printer;
	o.spool_dir = spool;
	o.max_copies = (unsigned)cfg->print_max_copies;
	o.pages_per_session = (unsigned)cfg->print_pages_per_session;
	o.pages_per_day = (unsigned)cfg->print_pages_per_day;
	o.layouter.layout = glue_layout;
	o.layouter.release = glue_release;
	o.layouter.ctx = g;
	o.wake = wake;
	return kk_print_service_start(&o, out);
}

/* ---- kiosk --print ---- */

static const char *state_name(int s)
{
	switch (s) {
	case KK_PJ_DONE: return "done";
	case KK_PJ_FAILED: return "failed";
	case KK_PJ_CANCELED: return "canceled";
	case KK_PJ_REFUSED: return "refused";
	case KK_PJ_READY: return "ready";
	}
	return "idle";
}

/* What a job ended as, for a terminal: English then the resident's Chinese. 0/1/3. */
static int report(const struct kk_print_status *st)
{
	fprintf(stderr, "kiosk: print %s: %s%s%s\n", state_name(st->state), st->detail,
		st->detail[0] ? " — " : "", st->message);
	if (st->state == KK_PJ_DONE)
		return 0;
	return st->state == KK_PJ_REFUSED ? 3 : 1;
}

int kk_printing_cli(const struct kk_config *cfg, const char *db, const char *id_text,
		    const char *pages, unsigned copies, int summary, const char *uri)
{
	struct kk_printing_glue g;
	struct kk_print_service *svc = NULL;
	struct kk_print_req req = { 0 };
	struct kk_print_status st;
	struct kk_catalog *cat = NULL;
	unsigned first, last;
	int rc, status = 1;

	rc = kk_catalog_open(db, &cat);
	if (rc) {
		fprintf(stderr, "kiosk: content database %s: %s\n", db, kk_err_name(rc));
		return 1;
	}
	/* ID: a catalogue number, an export id, or guide:N */
	if (!strncmp(id_text, "guide:", 6)) {
		char *e;
		req.kind = KK_PRINT_GUIDE;
		req.id = strtoll(id_text + 6, &e, 10);
		rc = *e || req.id <= 0 ? KK_EINVAL : 0;
	} else {
		char *e;
		req.kind = KK_PRINT_DOC;
		req.id = strtoll(id_text, &e, 10);
		if (*e || req.id <= 0)
			rc = kk_catalog_find_doc(cat, id_text, &req.id);
	}
	if (!rc && req.kind == KK_PRINT_DOC) {
		struct kk_doc *d = NULL;
		rc = kk_catalog_get_doc(cat, req.id, &d);
		if (!rc)
			snprintf(req.title, sizeof req.title, "%s", d->title ? d->title : "");
		kk_doc_free(d);
	} else if (!rc) {
		struct kk_guide *gd = NULL;
		rc = kk_catalog_get_guide(cat, req.id, &gd);
		if (!rc)
			snprintf(req.title, sizeof req.title, "%s", gd->title ? gd->title : "");
		kk_guide_free(gd);
	}
	kk_catalog_close(cat);
	if (rc) {
		fprintf(stderr, "kiosk: no document or guide \"%s\" in %s (%s)\n", id_text, db,
			kk_err_name(rc));
		return 2;
	}
	req.summary = summary;
	kk_printing_glue_init(&g, cfg, db);
	rc = kk_printing_start(&g, cfg, uri, NULL, &svc);
	if (rc) {
		fprintf(stderr, "kiosk: print service: %s (spool %s/spool)\n", kk_err_name(rc),
			cfg->data_dir);
		return 1;
	}
	kk_print_prepare(svc, &req);
	kk_print_wait(svc, 120000);
	kk_print_status_get(svc, &st);
	if (st.state != KK_PJ_READY) {
		status = report(&st);
		goto out;
	}
	if (kk_print_range_parse(pages, st.pages, &first, &last)) {
		fprintf(stderr, "kiosk: --pages \"%s\": the document has %u page(s); use N or A-B\n",
			pages ? pages : "", st.pages);
		status = 2;
		goto out;
	}
	fprintf(stderr, "kiosk: \"%s\": %u page(s) on %s; printing %u-%u x%u\n", req.title,
		st.pages, st.printer, first + 1, last + 1, copies);
	rc = kk_print_confirm(svc, first, last, copies);
	if (rc) {
		kk_print_status_get(svc, &st);
		fprintf(stderr, "kiosk: print refused: %s\n", st.message);
		status = 3;
		goto out;
	}
	while (kk_print_wait(svc, 1000) == KK_ETIMEDOUT) {
		kk_print_status_get(svc, &st);
		fprintf(stderr, "kiosk: printing %u of %u%s%s\n", st.done, st.total,
			st.message[0] ? ": " : "", st.message);
	}
	kk_print_status_get(svc, &st);
	status = report(&st);
	if (st.state == KK_PJ_DONE) {
		printf("printed %u sheet(s) of \"%s\" (job %llu)\n", st.done, req.title,
		       (unsigned long long)st.job);
		/* for staff checking a printer, and for the benchmark */
		printf("timing: pages %u, layout %.3f s, tap to first byte %.3f s, to first page "
		       "%.3f s, job %.3f s, %llu bytes\n",
		       last - first + 1, st.prepare_s, st.first_byte_s, st.first_page_s, st.print_s,
		       (unsigned long long)st.bytes);
	}
out:
	kk_print_service_stop(svc);
	return status;
}

/* ---- kiosk --list-printers ---- */

int kk_printing_list(const struct kk_config *cfg, const char *uri)
{
	struct kk_usb_printer p[KK_USB_MAX_PRINTERS];
	struct kk_printer_uri u;
	size_t n = 0;
	int usable = 0, rc;
	char err[256];

	printf("configured printer: %s\n", uri ? uri : cfg->printer);
	rc = kk_usb_init();
	if (!rc)
		rc = kk_usb_list(p, KK_USB_MAX_PRINTERS, &n);
	if (rc)
		printf("USB: cannot read the bus (%s)\n", kk_err_name(rc));
	else if (n == 0)
		printf("USB: no printer plugged in\n");
	for (size_t i = 0; i < n; i++) {
		char problems[128] = "";
		char cmds[256] = "";
		size_t used = 0;
		if (p[i].port_status >= 0)
			kk_print_problem_names(kk_print_problem_from_port((unsigned char)p[i].port_status),
					       problems, sizeof problems);
		for (int k = 0; k < p[i].id.n_cmd && used + 26 < sizeof cmds; k++)
			used += (size_t)snprintf(cmds + used, sizeof cmds - used, "%s%s", k ? "," : "",
						 p[i].id.cmd[k]);
		printf("usb://%04x:%04x%s%s  interface %d protocol %d  driver %s  status %s\n"
		       "    %s %s  CMD:%s\n",
		       p[i].vid, p[i].pid, p[i].serial[0] ? "/" : "", p[i].serial, p[i].iface,
		       p[i].protocol, kk_print_lang_name(p[i].lang),
		       p[i].port_status < 0 ? "unknown" : problems[0] ? problems : "ready",
		       p[i].id.mfg, p[i].id.mdl, cmds);
		if (p[i].lang == KK_LANG_NONE || p[i].lang == KK_LANG_HOSTBASED)
			printf("    %s\n", p[i].why);
		else
			usable++;
	}
	kk_usb_exit();
	/* a network printer is asked what it is */
	if (!kk_printer_uri_parse(uri ? uri : cfg->printer, &u, err, sizeof err) &&
	    u.scheme == KK_PRN_IPP) {
		struct kk_printer *prn = NULL;
		struct kk_printer_caps caps;
		char why[256];
		rc = kk_printer_open(&u, 8000, &prn, &caps, why, sizeof why);
		if (rc) {
			printf("%s  unavailable: %s\n", uri ? uri : cfg->printer, why);
		} else {
			char problems[128];
			kk_print_problem_names(caps.problems, problems, sizeof problems);
			printf("%s  driver ipp  %u dpi%s  status %s\n    %s\n", uri ? uri : cfg->printer,
			       caps.dpi, caps.grey ? " grey" : "", problems[0] ? problems : "ready",
			       caps.model);
			usable++;
		}
		kk_printer_close(prn);
	}
	return usable ? 0 : 1;
}
