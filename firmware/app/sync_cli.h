/*
 * sync_cli.h — the kiosk's command-line side of content updates (`kiosk --data DIR
 * --sync-from PATH`, `--sync-status`) and the choice of the database to show at start-up.
 * Kept out of app.c so app.c only parses the options and calls one of these.
 *
 * Blocking; called from the main thread before the UI starts (or instead of it).
 */
#ifndef KK_APP_SYNC_CLI_H
#define KK_APP_SYNC_CLI_H

#include <stddef.h>

#include "base/config.h"

/* Exit statuses of `kiosk --sync-from`. */
enum {
	KK_SYNC_EXIT_APPLIED = 0,
	KK_SYNC_EXIT_USAGE = 2,      /* bad options or configuration (no trusted key) */
	KK_SYNC_EXIT_UP_TO_DATE = 3,
	KK_SYNC_EXIT_REFUSED = 4,    /* the bundle: older, signature, damaged, other channel ... */
	KK_SYNC_EXIT_FAILED = 5      /* the kiosk: no space, storage error, canceled */
};

/*
 * Apply the bundle folder bundle_dir to cfg->data_dir with cfg's keys (sync_pubkey), channel
 * and kiosk id. When bundle_dir is an http:// or https:// URL it names a web root published
 * by `kioskdb publish`: the newest bundle of cfg->sync_channel is fetched (sync/fetch.h, with
 * sync_max_rate, sync_proxy, sync_stall_timeout, sync_ca_file, sync_require_https) and then
 * applied; a "fetch: ..." line on stdout says what was downloaded; network failures, TLS
 * included (a certificate that does not verify), exit KK_SYNC_EXIT_FAILED; an http:// URL
 * while sync_require_https is set exits KK_SYNC_EXIT_USAGE. Prints the result on stdout when applied, otherwise the Chinese message and
 * the English reason on stderr. Returns one of the exit statuses above.
 */
int kk_sync_cli_apply(const struct kk_config *cfg, const char *bundle_dir);

/*
 * Provision cfg->data_dir from the signed site config in dir (a stick's kiosk-setup/ folder,
 * sync/siteconf.h), trusting the roots of cfg->sync_pubkey and DATA/keys/trusted/. Prints the
 * Chinese result and the English detail (stdout when applied, stderr otherwise). Returns
 * KK_SYNC_EXIT_APPLIED, _UP_TO_DATE (this serial is installed), _REFUSED (signature, other
 * kiosk, older serial, site.conf problems), _USAGE (no trusted key) or _FAILED (I/O).
 */
int kk_sync_cli_provision(const struct kk_config *cfg, const char *dir);

/*
 * Start-up recovery of cfg->data_dir, then a full integrity check of the active slot; prints
 * "active SLOT version E.S floor E.S documents N guides M integrity ok" (or "active none
 * floor E.S" and the Chinese notice). Returns 0 when content is usable, 1 otherwise.
 */
int kk_sync_cli_status(const struct kk_config *cfg);

/*
 * The database the kiosk shows: the active slot of data_dir after kk_sync_open's recovery,
 * or "" when none is usable (the UI then shows its notice screen). When the folder was never
 * synced (no slots/) and slots_only is 0, the older single file data_dir/content.db.
 */
void kk_sync_cli_content(const char *data_dir, int slots_only, char *path, size_t cap);

#endif
