/*
 * ui.h — the kiosk's screens: the only module that includes SDL.
 *
 * kk_ui_run() owns the SDL lifetime: it opens a window (desktop), a full-screen display
 * (board, KMSDRM) or an off-screen surface (headless), runs the event loop until the user
 * closes the window or the headless script ends, and tears everything down.
 */
#ifndef KK_UI_H
#define KK_UI_H

#include "app/script.h"
#include "base/config.h"
#include "catalog/catalog.h"

struct kk_print_service;
struct kk_sync_service;

struct kk_ui_opts {
	const struct kk_config *cfg;
	struct kk_catalog *cat;     /* NULL: content unavailable (the UI says so and keeps running) */
	int cat_err;                /* why cat is NULL (kk_err), for the log and the staff detail */
	int width, height;          /* window or surface size */
	int fullscreen;
	const struct kk_script *script; /* headless: commands to run; NULL for an interactive run */
	const char *shots_dir;      /* headless: where `shot NAME` writes NAME.png */
	struct kk_print_service *print; /* the print worker (print/job.h); NULL: no 打印 button */
	struct kk_sync_service *sync;   /* updates from a USB stick (sync/service.h); may be NULL */
	/* Open the content an update installed; the application owns it and closes the old one
	 * (the UI drops its pointer to the old at once). 0 or a kk_err. UI thread. */
	int (*reopen)(void *ctx, struct kk_catalog **cat);
	void *reopen_ctx;
	/* Called at least every 250 ms while the event loop runs (interactive only): the board's
	 * systemd watchdog keep-alive. It must be cheap and rate-limit itself. May be NULL. */
	void (*heartbeat)(void *ctx);
	void *heartbeat_ctx;
};

/* The print worker's wake hook (kk_print_service_opts.wake): pushes one SDL user event so the
 * loop redraws the print panel. Any thread. */
void kk_ui_wake(void *ctx);

/*
 * Run the UI. Blocks until the end. Returns 0, KK_EFONT (font not found: the message names
 * the path), KK_EDISPLAY (no display), KK_EINVAL (a script command failed at run time; the
 * message names the line) or KK_EIO (a screenshot could not be written).
 */
int kk_ui_run(const struct kk_ui_opts *o);

#endif
