/*
 * service.h — updates from a USB stick while the kiosk runs: a worker thread that notices a
 * stick carrying a bundle, lets staff unlock it with their PIN, applies the bundle with
 * progress, and reports the result. The UI shows the staff panel from this status.
 *
 * Sticks: the board mounts each USB stick read-only under `sync_usb_root` (one folder per
 * stick, e.g. /run/kiosk/usb/KINGSTON); in development any folder with sub-folders works. A
 * stick offers an update when it holds `kiosk-update/` with a bundle in it (the files
 * `kioskdb bundle` writes: manifest, manifest.minisig, the payload …), and a new site
 * configuration when it holds `kiosk-setup/site.conf` (sync/siteconf.h; a stick with both
 * offers the configuration first). The worker sleeps in poll(2) on /proc/self/mountinfo
 * (sync/mounts.h), so a stick mounted or unmounted under the root is seen at once; it also
 * looks every two seconds, for development folders that are not mount points and for systems
 * without /proc. It reads nothing but the manifest's presence until staff unlock it, and the
 * apply itself reads the stick once (sync/apply.c). The stick may be pulled out at any time:
 * before unlocking the panel simply goes away, during the copy the apply fails closed and the
 * old content stays.
 *
 * The staff PIN is checked against `staff_pin_hash` (libsodium crypto_pwhash_str, argon2id) on
 * the worker (it takes a fraction of a second by design). Five wrong PINs lock the panel for
 * five minutes. Without a PIN hash in the config, update sticks are never applied from the
 * screen; a site configuration is (a fresh image has no PIN yet) after staff confirm it on the
 * panel, and only when its signature checks against the kiosk's root keys.
 *
 * Network updates run on the same worker, in the background and without a panel: while one
 * downloads, sticks wait (a download can be long; the stick is offered when it ends).
 *
 * Threads: kk_sync_service_* may be called from the UI thread; they only post a request or
 * copy the status under a mutex. The worker calls opts.wake after every change.
 */
#ifndef KK_SYNC_SERVICE_H
#define KK_SYNC_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "sync/apply.h"
#include "sync/siteconf.h"

#define KK_SYNC_STICK_DIR "kiosk-update" /* the folder on a stick that holds the bundle */
#define KK_SYNC_PIN_TRIES 5
#define KK_SYNC_PIN_LOCK_S 300
#define KK_SYNC_PIN_MAX 16               /* digits */

enum kk_sync_stick_kind {
	KK_STICK_UPDATE = 0, /* kiosk-update/: a content bundle */
	KK_STICK_SETUP = 1   /* kiosk-setup/: a signed site configuration */
};

enum kk_sync_svc_state {
	KK_SS_IDLE = 0,  /* nothing to do */
	KK_SS_STICK,     /* a stick with an update is in: the panel asks for the staff PIN */
	KK_SS_CHECKING,  /* the PIN is being checked */
	KK_SS_APPLYING,  /* copying, checking, switching */
	KK_SS_RESULT     /* result.message says how it went */
};

struct kk_sync_svc_opts {
	const char *data_dir;
	const char *usb_root;   /* where sticks are mounted (or a development folder) */
	const char *pin_hash;   /* argon2id string; "" or NULL: no updates from the screen */
	const char *pubkeys;    /* config sync_pubkey */
	const char *channel;
	const char *kiosk_id;
	int scan_ms;            /* between looks for a stick; 0 = 2000 */
	const char *screen_size; /* "1920x1080": kiosk.conf's when a site.conf names none */
	const char *orientation; /* "landscape" or "portrait" */
	/* Network: the http:// and https:// entries of sync_sources are web roots checked every
	 * `interval` seconds (with backoff and jitter, DATA/fetch.state; the first check after
	 * start waits a random 0..start_spread s on the monotonic clock); an update found is
	 * applied in the background and the UI switches when nobody is reading. */
	const char *sources;    /* config sync_sources ("usb, https://…") */
	int interval;           /* config sync_interval, seconds */
	long max_rate;          /* config sync_max_rate */
	const char *proxy;      /* config sync_proxy */
	long stall_timeout;     /* config sync_stall_timeout */
	const char *ca_file;    /* config sync_ca_file ("" or NULL: the system store) */
	int require_https;      /* config sync_require_https */
	int start_spread;       /* config sync_start_spread: the first check waits 0..N s */
	void (*wake)(void *ctx);
	void *wake_ctx;
};

struct kk_sync_svc_status {
	int state;                /* enum kk_sync_svc_state */
	char stick[600];          /* the bundle (or kiosk-setup) folder on the stick */
	int kind;                 /* enum kk_sync_stick_kind of that folder */
	int has_pin;              /* a staff PIN is configured */
	int tries_left;           /* wrong PINs before the lock */
	unsigned locked_s;        /* seconds left of a lock after too many wrong PINs */
	char message[256];        /* Chinese, for the panel (wrong PIN, locked …) */
	uint64_t done, total;     /* bytes copied of the payload */
	double eta_s;             /* seconds left, estimated from the rate so far (0: unknown) */
	struct kk_sync_result result; /* in KK_SS_RESULT, kind KK_STICK_UPDATE */
	struct kk_site_result site;   /* in KK_SS_RESULT, kind KK_STICK_SETUP */
	unsigned provisioned;     /* counts applied site configurations: the kiosk must restart */
	unsigned mount_events;    /* mount table changes seen (sticks mounted or unmounted) */
	unsigned applied;         /* counts applied updates: the UI reloads its content when it moves */
	int net_busy;             /* a web root is being checked or downloaded (no panel) */
	char net_last[256];       /* Chinese: the last network check's result, for staff */
};

struct kk_sync_service;

/* The staff_pin_hash string for pin (4 to KK_SYNC_PIN_MAX digits): argon2id with libsodium's
 * interactive limits. Returns 0, KK_EINVAL (not 4-16 digits, out too small) or KK_ENOMEM. */
int kk_sync_pin_hash(const char *pin, char *out, size_t n);

/* Start the worker. Returns 0, KK_EINVAL or KK_ENOMEM. */
int kk_sync_service_start(const struct kk_sync_svc_opts *o, struct kk_sync_service **out);
/* Stop and free; waits for an apply in progress to finish or fail (the apply is crash-safe,
 * but stopping mid-copy is cleaner than killing). NULL is a no-op. */
void kk_sync_service_stop(struct kk_sync_service *s);
void kk_sync_service_status(struct kk_sync_service *s, struct kk_sync_svc_status *out);
/* Check pin (digits only) and, when right, apply the stick's bundle. Non-blocking. */
int kk_sync_service_unlock(struct kk_sync_service *s, const char *pin);
/* A kiosk without a staff PIN: staff confirmed the site configuration on the panel; check its
 * signature and apply it. KK_EBUSY when no such stick is offered or a PIN is set. */
int kk_sync_service_confirm(struct kk_sync_service *s);
/* Close the panel: a stick that stays in is not offered again until it is taken out. */
void kk_sync_service_dismiss(struct kk_sync_service *s);

#endif
