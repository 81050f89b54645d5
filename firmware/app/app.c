/*
 * app.c — command line and start-up of the kiosk.
 *
 * Order: parse arguments, load and check the configuration (refuse to start on any problem,
 * naming every line), open the content database (a missing or damaged one is NOT fatal: the
 * UI shows a calm "content unavailable" screen and keeps running), then hand over to the UI.
 */
#include "app/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/printing.h"
#include "app/script.h"
#include "app/sdnotify.h"
#include "app/sync_cli.h"
#include "sync/service.h"
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "base/sys.h"
#include "catalog/catalog.h"
#include "print/printer.h"
#include "ui/ui.h"

#define KK_VERSION "0.1.0"

static void usage(FILE *f)
{
	fputs("usage: kiosk [--db FILE] [--window WxH | --fullscreen] [--config FILE]\n"
	      "       kiosk [--db FILE] --headless [--size WxH] --script FILE [--shots DIR] [--config FILE]\n"
	      "       kiosk [--db FILE] --print ID [--pages A-B] [--copies N] [--summary] [--printer URI]\n"
	      "       kiosk --list-printers [--printer URI] [--config FILE]\n"
	      "       kiosk [--data DIR] --sync-from DIR|URL | --sync-status [--config FILE]\n"
	      "       kiosk [--data DIR] --provision-from DIR [--config FILE]\n"
	      "       kiosk --check-config FILE\n"
	      "\n"
	      "  --db FILE           content database (default: the active slot of the data folder)\n"
	      "  --data DIR          data folder (content slots, floor, logs; overrides data_dir)\n"
	      "  --sync-from DIR     apply the signed bundle in DIR (or fetched from the web root\n"
	      "                      URL http[s]://…) and exit: 0 applied, 3 up to\n"
	      "                      date, 4 refused, 5 failed (the reason on stderr)\n"
	      "  --provision-from DIR  provision the data folder from the signed site config in\n"
	      "                      DIR (a stick's kiosk-setup/) and exit: 0 applied, 3 already\n"
	      "                      installed, 4 refused, 5 failed, 2 no trusted key\n"
	      "  --sync-status       recover the data folder, check the active content, print it\n"
	      "  --window WxH        run in a desktop window of that size\n"
	      "  --fullscreen        run full screen (the board; KMSDRM without X or Wayland)\n"
	      "  --config FILE       configuration file (key = value; see README.md)\n"
	      "  --headless          no display: run a script and write screenshots\n"
	      "  --size WxH          headless screen size (default: the config's screen)\n"
	      "  --script FILE       headless input script (tap, drag, type, key, wait, idle, shot)\n"
	      "  --shots DIR         where `shot NAME` writes NAME.png\n"
	      "  --print ID          print a document (catalogue number or export id, e.g. doc-2024-0005)\n"
	      "                      or a guide (guide:N) and exit: 0 printed, 1 failed, 2 usage, 3 refused\n"
	      "  --pages A-B         pages to print (N, A-B or all; default all)\n"
	      "  --copies N          copies (default 1; the config's print_max_copies is the cap)\n"
	      "  --summary           guides: the one-page checklist instead of the full guide\n"
	      "  --printer URI       usb://, usb://VID:PID[/SERIAL], ipp://HOST:PORT/PATH,\n"
	      "                      file:PATH?format=pwg|pcl|escpos (default: the config's printer)\n"
	      "  --list-printers     list USB printers (device ID, protocol, driver, status) and\n"
	      "                      ask an ipp:// printer what it is; 0 when one can be used\n"
	      "  --check-config FILE list every problem of a configuration file and exit\n"
	      "  --version, --help\n",
	      f);
}

static int parse_size(const char *s, int *w, int *h)
{
	char *end;
	long a, b;
	errno = 0;
	a = strtol(s, &end, 10);
	if (errno || (*end != 'x' && *end != 'X'))
		return -1;
	b = strtol(end + 1, &end, 10);
	if (errno || *end || a < 320 || b < 320 || a > 8192 || b > 8192)
		return -1;
	*w = (int)a;
	*h = (int)b;
	return 0;
}

static int load_config(struct kk_config *cfg, const char *path)
{
	struct kk_config_problems p = { 0 };
	int rc;
	kk_config_defaults(cfg);
	if (!path)
		return 0;
	rc = kk_config_load(cfg, path, &p);
	for (size_t i = 0; i < p.n; i++)
		fprintf(stderr, "%s\n", p.lines[i]);
	if (p.dropped)
		fprintf(stderr, "%s: %zu more problem(s) not shown\n", path, p.dropped);
	kk_config_problems_fini(&p);
	return rc;
}

/* What the UI needs to switch to content a stick update installed. */
struct reopen_ctx {
	const struct kk_config *cfg;
	struct kk_printing_glue *glue; /* NULL without printing */
	struct kk_catalog *cat;        /* the content the UI shows; the app owns it */
	char path[600];
};

/* Open the active slot's content (UI thread). The print glue then lays out from it too; no
 * job runs meanwhile, as the staff panel only closes while the print panel is closed. */
static int reopen_content(void *ctx, struct kk_catalog **cat)
{
	struct reopen_ctx *r = ctx;
	int rc;
	kk_sync_cli_content(r->cfg->data_dir, 1, r->path, sizeof r->path);
	if (!r->path[0])
		return KK_ENOENT;
	rc = kk_catalog_open(r->path, cat);
	if (rc)
		return rc;
	/* the UI switches to *cat and never touches the old one again */
	kk_catalog_close(r->cat);
	r->cat = *cat;
	if (r->glue)
		snprintf(r->glue->db_path, sizeof r->glue->db_path, "%s", r->path);
	return 0;
}

/* systemd: READY=1 once the first frame is up, WATCHDOG=1 every half WatchdogSec. */
struct beat {
	int ready;
	double every, last; /* seconds; every 0: no watchdog asked for */
};

static void heartbeat(void *ctx)
{
	struct beat *b = ctx;
	double now = kk_mono_s();
	if (!b->ready) {
		b->ready = 1;
		kk_sd_notify("READY=1");
		b->last = now;
	}
	if (b->every > 0 && now - b->last >= b->every) {
		kk_sd_notify("WATCHDOG=1");
		b->last = now;
	}
}

int kk_app_main(int argc, char **argv)
{
	const char *db = NULL, *config = NULL, *script_path = NULL, *shots = NULL, *window = NULL,
		   *size = NULL, *print_id = NULL, *pages = NULL, *printer = NULL, *data = NULL,
		   *sync_from = NULL, *provision_from = NULL;
	unsigned copies = 1;
	int summary = 0, list_printers = 0, sync_status = 0;
	struct kk_printing_glue glue;
	struct kk_print_service *print = NULL;
	struct kk_sync_service *sync = NULL;
	struct reopen_ctx reo = { 0 };
	struct beat beat = { 0 };
	struct kk_printer_uri puri;
	int fullscreen = -1, headless = 0, w = 0, h = 0, rc, status = 0;
	struct kk_config cfg;
	struct kk_script script = { 0 };
	struct kk_catalog *cat = NULL;
	struct kk_ui_opts o = { 0 };
	char dbpath[600], err[512], screen[32];
	enum kk_log_level lv;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has = i + 1 < argc;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("kiosk %s (content schema %d)\n", KK_VERSION, KK_SCHEMA_VERSION);
			return 0;
		} else if (!strcmp(a, "--check-config") && has) {
			rc = load_config(&cfg, argv[i + 1]);
			if (!rc)
				printf("%s: ok\n", argv[i + 1]);
			return rc ? 2 : 0;
		} else if (!strcmp(a, "--db") && has) {
			db = argv[++i];
		} else if (!strcmp(a, "--data") && has) {
			data = argv[++i];
		} else if (!strcmp(a, "--sync-from") && has) {
			sync_from = argv[++i];
		} else if (!strcmp(a, "--provision-from") && has) {
			provision_from = argv[++i];
		} else if (!strcmp(a, "--sync-status")) {
			sync_status = 1;
		} else if (!strcmp(a, "--config") && has) {
			config = argv[++i];
		} else if (!strcmp(a, "--window") && has) {
			window = argv[++i];
			fullscreen = 0;
		} else if (!strcmp(a, "--fullscreen")) {
			fullscreen = 1;
		} else if (!strcmp(a, "--headless")) {
			headless = 1;
		} else if (!strcmp(a, "--size") && has) {
			size = argv[++i];
		} else if (!strcmp(a, "--script") && has) {
			script_path = argv[++i];
		} else if (!strcmp(a, "--shots") && has) {
			shots = argv[++i];
		} else if (!strcmp(a, "--print") && has) {
			print_id = argv[++i];
		} else if (!strcmp(a, "--pages") && has) {
			pages = argv[++i];
		} else if (!strcmp(a, "--copies") && has) {
			char *e;
			long n = strtol(argv[++i], &e, 10);
			if (*e || n < 1 || n > 99) {
				fprintf(stderr, "kiosk: --copies takes a number from 1 to 99\n");
				return 2;
			}
			copies = (unsigned)n;
		} else if (!strcmp(a, "--list-printers")) {
			list_printers = 1;
		} else if (!strcmp(a, "--summary")) {
			summary = 1;
		} else if (!strcmp(a, "--printer") && has) {
			printer = argv[++i];
		} else {
			fprintf(stderr, "kiosk: unknown or incomplete option \"%s\"\n\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (headless != (script_path != NULL) || (size && !headless) || (window && headless)) {
		fprintf(stderr, "kiosk: --headless and --script go together; --size is for --headless, "
				"--window is not\n");
		return 2;
	}
	if (load_config(&cfg, config)) {
		fprintf(stderr, "kiosk: fix the configuration above and start again\n");
		return 2;
	}
	if (!kk_log_level_parse(cfg.log_level, &lv))
		kk_log_set_level(lv);
	if (kk_printer_uri_parse(printer ? printer : cfg.printer, &puri, err, sizeof err)) {
		fprintf(stderr, "kiosk: %s: %s\n", printer ? "--printer" : "printer", err);
		return 2;
	}
	if ((pages || summary || copies != 1) && !print_id) {
		fprintf(stderr, "kiosk: --pages, --copies and --summary go with --print ID\n");
		return 2;
	}
	if (data && snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", data) >= (int)sizeof cfg.data_dir) {
		fprintf(stderr, "kiosk: --data: path too long\n");
		return 2;
	}
	if (provision_from)
		return kk_sync_cli_provision(&cfg, provision_from);
	if (sync_from || sync_status)
		return sync_from ? kk_sync_cli_apply(&cfg, sync_from) : kk_sync_cli_status(&cfg);
	kk_config_screen(&cfg, &w, &h);
	if ((window && parse_size(window, &w, &h)) || (size && parse_size(size, &w, &h))) {
		fprintf(stderr, "kiosk: expected WIDTHxHEIGHT (320 to 8192), e.g. 1920x1080\n");
		return 2;
	}
	if (headless) {
		rc = kk_script_load(script_path, &script, err, sizeof err);
		if (rc) {
			fprintf(stderr, "kiosk: %s\n", err);
			return 2;
		}
		if (shots && mkdir(shots, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "kiosk: cannot create %s: %s\n", shots, strerror(errno));
			kk_script_fini(&script);
			return 1;
		}
	}
	if (!db) {
		kk_sync_cli_content(cfg.data_dir, data != NULL, dbpath, sizeof dbpath);
		db = dbpath;
	}
	if (list_printers)
		return kk_printing_list(&cfg, printer);
	if (print_id)
		return kk_printing_cli(&cfg, db, print_id, pages, copies, summary, printer);
	rc = kk_catalog_open(db, &cat);
	if (rc) {
		kk_error("app", "content database %s unavailable (%s): showing the notice screen", db,
			 kk_err_name(rc));
	} else {
		/* one line per start saying what is shown: staff, technicians and the image
		 * test (board/image-test.sh) read it from the journal */
		struct kk_catalog_info ci = { 0 };
		if (kk_catalog_info(cat, &ci) == 0)
			kk_info("app", "showing content %lld.%lld from %s: %ld documents", (long long)ci.epoch,
				(long long)ci.seq, db, ci.n_documents);
		kk_catalog_info_fini(&ci);
	}
	o.cfg = &cfg;
	o.cat = cat;
	o.cat_err = rc;
	o.width = w;
	o.height = h;
	o.fullscreen = fullscreen < 0 ? cfg.fullscreen : fullscreen;
	o.script = headless ? &script : NULL;
	o.shots_dir = shots;
	if (puri.scheme != KK_PRN_NONE) {
		/* printing switched off: no 打印 button */
		kk_printing_glue_init(&glue, &cfg, db);
		rc = kk_printing_start(&glue, &cfg, printer, kk_ui_wake, &print);
		if (rc)
			kk_error("app", "printing unavailable: print service did not start (%s)",
				 kk_err_name(rc));
	}
	o.print = print;
	if (strstr(cfg.sync_sources, "usb") || strstr(cfg.sync_sources, "http")) {
		struct kk_sync_svc_opts so = { 0 };
		so.data_dir = cfg.data_dir;
		so.usb_root = strstr(cfg.sync_sources, "usb") ? cfg.sync_usb_root : "";
		so.sources = cfg.sync_sources;
		so.interval = cfg.sync_interval;
		so.max_rate = cfg.sync_max_rate;
		so.proxy = cfg.sync_proxy;
		so.stall_timeout = cfg.sync_stall_timeout;
		so.ca_file = cfg.sync_ca_file;
		so.require_https = cfg.sync_require_https;
		so.start_spread = cfg.sync_start_spread;
		so.pin_hash = cfg.staff_pin_hash;
		so.pubkeys = cfg.sync_pubkey;
		so.channel = cfg.sync_channel;
		so.kiosk_id = cfg.kiosk_id;
		snprintf(screen, sizeof screen, "%dx%d", cfg.screen_width, cfg.screen_height);
		so.screen_size = screen;
		so.orientation = cfg.orientation == KK_PORTRAIT ? "portrait" : "landscape";
		so.wake = kk_ui_wake;
		if (kk_sync_service_start(&so, &sync))
			kk_error("app", "updates from USB sticks unavailable (out of memory)");
	}
	reo.cfg = &cfg;
	reo.cat = cat;
	reo.glue = print ? &glue : NULL;
	o.sync = sync;
	o.reopen = reopen_content;
	o.reopen_ctx = &reo;
	beat.every = (double)kk_sd_watchdog_usec() / 2e6;
	o.heartbeat = heartbeat;
	o.heartbeat_ctx = &beat;
	rc = kk_ui_run(&o);
	if (sync) { /* a site configuration was applied: start again on the new kiosk.conf */
		struct kk_sync_svc_status sst;
		kk_sync_service_status(sync, &sst);
		if (sst.provisioned && !rc) {
			kk_info("app", "exiting with %d: the new site configuration is read at start",
				KK_APP_EXIT_RESTART);
			status = KK_APP_EXIT_RESTART;
		}
	}
	kk_sync_service_stop(sync);
	kk_print_service_stop(print);
	if (rc == KK_EINVAL)
		status = 2;
	else if (rc)
		status = 1;
	kk_catalog_close(reo.cat); /* the content last shown (cat, or what an update installed) */
	kk_script_fini(&script);
	return status;
}
