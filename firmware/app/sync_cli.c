/* sync_cli.c — see sync_cli.h. */
#include "app/sync_cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "catalog/catalog.h"
#include "sync/apply.h"
#include "sync/fetch.h"
#include "sync/siteconf.h"

/* A progress line on a terminal only (a test's or a script's stderr stays clean). */
static void progress_tty(void *ctx, uint64_t done, uint64_t total)
{
	int *last = ctx, pct = total ? (int)(done * 100 / total) : 100;
	if (pct != *last) {
		*last = pct;
		fprintf(stderr, "\r复制更新包 / copying: %3d%%%s", pct, pct == 100 ? "\n" : "");
	}
}

/* Print an apply result (stdout when applied, stderr otherwise); returns the exit status. */
static int report_apply(const struct kk_sync_result *res)
{
	if (res->outcome == KK_SYNC_APPLIED) {
		printf("%s\napplied: version %u.%llu in slot %c (was %u.%llu), %ld documents, "
		       "%ld guides%s\n",
		       res->message, (unsigned)res->new_version.epoch,
		       (unsigned long long)res->new_version.seq, res->slot,
		       (unsigned)res->old_version.epoch, (unsigned long long)res->old_version.seq,
		       res->n_documents, res->n_guides, res->receipt_written ? "; receipt written" : "");
		if (res->keyring_version)
			printf("keyring: version %llu\n", (unsigned long long)res->keyring_version);
		return KK_SYNC_EXIT_APPLIED;
	}
	if (res->reason)
		fprintf(stderr, "kiosk: %s — %s (bundle %s): %s\n", res->message,
			kk_sync_outcome_name(res->outcome), kk_bundle_reason_name(res->reason),
			res->detail);
	else
		fprintf(stderr, "kiosk: %s — %s: %s\n", res->message,
			kk_sync_outcome_name(res->outcome), res->detail);
	if (res->outcome == KK_SYNC_UP_TO_DATE)
		return KK_SYNC_EXIT_UP_TO_DATE;
	return kk_sync_outcome_refused(res->outcome) ? KK_SYNC_EXIT_REFUSED : KK_SYNC_EXIT_FAILED;
}

/* The URL case of kk_sync_cli_apply: fetch from the web root, then apply. */
static int cli_fetch(const struct kk_config *cfg, const char *url,
		     const struct kk_sync_keys *keys, const struct kk_sync_policy *pol, int *last)
{
	struct kk_fetch_opts o = { 0 };
	struct kk_fetch_result fres;
	struct kk_sync_result ares;
	char probe[KK_FETCH_URL_MAX];
	int applied;

	if (kk_fetch_url_join(probe, sizeof probe, url, cfg->sync_channel, KK_LATEST_NAME) != 0) {
		fprintf(stderr, "kiosk: --sync-from %s: not a usable http:// or https:// web root URL "
				"(no spaces, query or fragment)\n", url);
		return KK_SYNC_EXIT_USAGE;
	}
	if (cfg->sync_require_https && strncmp(url, "https://", 8) != 0) {
		/* a configuration matter: nothing is asked and fetch.state is left alone */
		fprintf(stderr, "kiosk: %s — INSECURE: --sync-from %s is not https:// and "
				"sync_require_https = yes\n", kk_fetch_outcome_zh(KK_FETCH_INSECURE), url);
		return KK_SYNC_EXIT_USAGE;
	}
	o.max_rate = cfg->sync_max_rate;
	o.proxy = cfg->sync_proxy[0] ? cfg->sync_proxy : NULL;
	o.stall_timeout = cfg->sync_stall_timeout;
	o.ca_file = cfg->sync_ca_file[0] ? cfg->sync_ca_file : NULL;
	o.require_https = cfg->sync_require_https;
	kk_sync_fetch_apply(url, cfg->data_dir, keys, &o, pol,
			    isatty(STDERR_FILENO) ? progress_tty : NULL, last, NULL, &fres, &ares,
			    &applied);
	printf("fetch: %s, %llu bytes received in %d requests, resumed from %llu, restarts %d\n",
	       kk_fetch_outcome_name(fres.outcome), (unsigned long long)fres.received, fres.files,
	       (unsigned long long)fres.resumed_from, fres.restarts);
	if (applied)
		return report_apply(&ares);
	fprintf(stderr, "kiosk: %s — %s: %s\n", fres.message, kk_fetch_outcome_name(fres.outcome),
		fres.detail);
	switch (fres.outcome) {
	case KK_FETCH_UP_TO_DATE:
		return KK_SYNC_EXIT_UP_TO_DATE;
	case KK_FETCH_OLDER:
	case KK_FETCH_BAD_SIGNATURE:
	case KK_FETCH_DAMAGED:
	case KK_FETCH_WRONG_TARGET:
		return KK_SYNC_EXIT_REFUSED;
	case KK_FETCH_INSECURE:
		return KK_SYNC_EXIT_USAGE;
	default:
		return KK_SYNC_EXIT_FAILED;
	}
}

int kk_sync_cli_apply(const struct kk_config *cfg, const char *bundle_dir)
{
	struct kk_sync_keys keys;
	struct kk_sync_policy pol = { 0 };
	struct kk_sync_result res;
	int rc, last = -1;

	if ((rc = kk_sync_keys_load(&keys, cfg->sync_pubkey)) != 0) {
		fprintf(stderr, "kiosk: 未配置可信的更新密钥 / no usable trusted key in sync_pubkey "
				"(\"%s\": %s)\n", cfg->sync_pubkey, kk_err_name(rc));
		return KK_SYNC_EXIT_USAGE;
	}
	pol.channel = cfg->sync_channel;
	pol.kiosk_id = cfg->kiosk_id[0] ? cfg->kiosk_id : NULL;
	if (!strncmp(bundle_dir, "http://", 7) || !strncmp(bundle_dir, "https://", 8))
		return cli_fetch(cfg, bundle_dir, &keys, &pol, &last);
	kk_sync_apply_dir(cfg->data_dir, bundle_dir, &keys, &pol,
			  isatty(STDERR_FILENO) ? progress_tty : NULL, &last, NULL, &res);
	return report_apply(&res);
}

/* "1920x1080" / "landscape" of cfg, for a kiosk.conf whose site.conf names no screen. */
static void screen_of(const struct kk_config *cfg, char *size, size_t cap)
{
	snprintf(size, cap, "%dx%d", cfg->screen_width, cfg->screen_height);
}

int kk_sync_cli_provision(const struct kk_config *cfg, const char *dir)
{
	struct kk_site_env env = { 0 };
	struct kk_site_result res;
	char size[32];

	screen_of(cfg, size, sizeof size);
	env.data_dir = cfg->data_dir;
	env.pubkeys = cfg->sync_pubkey;
	env.kiosk_id = cfg->kiosk_id;
	env.screen_size = size;
	env.orientation = cfg->orientation == KK_PORTRAIT ? "portrait" : "landscape";
	kk_site_provision(&env, dir, &res);
	if (res.outcome == KK_SITE_APPLIED) {
		printf("%s\n%s%s\n", res.message, res.detail,
		       res.receipt_written ? "; receipt written" : "");
		return KK_SYNC_EXIT_APPLIED;
	}
	fprintf(stderr, "kiosk: %s — %s: %s\n", res.message, kk_site_outcome_name(res.outcome),
		res.detail);
	switch (res.outcome) {
	case KK_SITE_SAME:
		return KK_SYNC_EXIT_UP_TO_DATE;
	case KK_SITE_NO_KEYS:
		return KK_SYNC_EXIT_USAGE;
	case KK_SITE_FAILED:
		return KK_SYNC_EXIT_FAILED;
	default:
		return KK_SYNC_EXIT_REFUSED;
	}
}

int kk_sync_cli_status(const struct kk_config *cfg)
{
	struct kk_sync_state st;
	struct kk_catalog *cat = NULL;
	int rc = kk_sync_open(cfg->data_dir, &st), integrity = KK_ENOENT;

	if (rc == 0 && (integrity = kk_catalog_open(st.content, &cat)) == 0)
		integrity = kk_catalog_check_integrity(cat);
	kk_catalog_close(cat);
	if (rc || !st.active) {
		printf("active none floor %u.%llu\n%s\n", (unsigned)st.floor.epoch,
		       (unsigned long long)st.floor.seq, st.message_zh);
		return 1;
	}
	printf("active %c version %u.%llu floor %u.%llu documents %ld guides %ld integrity %s%s%s\n",
	       st.active, (unsigned)st.version.epoch, (unsigned long long)st.version.seq,
	       (unsigned)st.floor.epoch, (unsigned long long)st.floor.seq, st.n_documents,
	       st.n_guides, integrity ? kk_err_name(integrity) : "ok",
	       st.fell_back ? " fell-back" : "", st.floor_raised ? " floor-raised" : "");
	return integrity ? 1 : 0;
}

void kk_sync_cli_content(const char *data_dir, int slots_only, char *path, size_t cap)
{
	struct kk_sync_state st;
	struct stat sb;
	char slots[1100];

	snprintf(slots, sizeof slots, "%s/slots", data_dir);
	if (!slots_only && stat(slots, &sb) != 0) {
		snprintf(path, cap, "%s/content.db", data_dir);
		return;
	}
	if (kk_sync_open(data_dir, &st) == 0 && st.active &&
	    (size_t)snprintf(path, cap, "%s", st.content) < cap)
		return;
	path[0] = '\0';
}
