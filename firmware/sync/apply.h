/*
 * apply.h — the kiosk side of a content bundle: install it atomically, survive a crash at any
 * moment, refuse anything doubtful, and find usable content again at start-up.
 *
 * Data directory (config `data_dir`, or `kiosk --data DIR`):
 *
 *   DATA/slots/a/   content.db, manifest, manifest.minisig   one complete, verified install
 *   DATA/slots/b/   the same for the other slot
 *   DATA/active     "a\n" or "b\n": the slot the kiosk shows
 *   DATA/floor      "EPOCH.SEQ\n": the anti-rollback floor, the newest version ever shown
 *   DATA/keyring    the newest keyring accepted (keyring.h), exactly as its roots signed it;
 *                   absent until a bundle carried one. Only ever replaced by a newer version
 *                   (write temp + fsync + rename + fsync of DATA), never by an older one.
 *   DATA/staging/   work space of an apply; emptied by kk_sync_open
 *   DATA/log/sync.log   one line per apply (rotated to sync.log.1 past 256 KiB)
 *
 * A slot folder is only ever created whole: it is assembled and fsynced in staging/ and then
 * renamed into slots/. `active` and `floor` are replaced by write temp + fsync + rename + fsync
 * of DATA. The manifest in a slot is the signed text exactly as it came, next to its signature,
 * so `minisign -V -p KEY.pub -m DATA/slots/a/manifest` still checks it.
 *
 * The floor rule: the kiosk never shows, and never installs, content older than the floor.
 *   - An apply accepts a bundle strictly above the floor. One equal to the floor is "already
 *     up to date" when the active slot holds it and opens; when it does not (the active copy
 *     was damaged), the same version may be installed again, since that is not a rollback.
 *   - At start-up the active slot is used if it opens and is not below the floor; otherwise
 *     the other slot, under the same condition (it then becomes active). A slot below the
 *     floor is never shown, even if it is the only one that opens: the screen says
 *     "内容暂时无法显示，请联系工作人员" and staff apply the current bundle again.
 *   - The floor is written last in an apply; at start-up, if the active slot is above the
 *     floor (a crash between switching and writing the floor), the floor is raised to it.
 *     So the floor never exceeds what the active slot holds after kk_sync_open, and it only
 *     ever rises.
 *   - A floor file that exists but does not parse is replaced by the highest version any
 *     slot's manifest names (never lower than what could have been installed).
 *
 * Fault injection (tests/integration/crash.sh): every write, fsync, rename, mkdir and unlink of
 * this module counts as one step. With KK_FAULT_AT=N in the environment, step N raises
 * SIGKILL (KK_FAULT_MODE=kill, the default) or fails with EIO (eio) or ENOSPC (enospc).
 * Without the variable the hook is one integer comparison.
 *
 * Threads: blocking file I/O and signature checks; call from a worker thread, never from the
 * UI thread. One apply at a time per data directory (the caller serialises).
 */
#ifndef KK_SYNC_APPLY_H
#define KK_SYNC_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "catalog/delta.h"
#include "sync/bundle.h"
#include "sync/keyring.h"
#include "sync/minisign.h"

#define KK_SYNC_KEYS_MAX 4
#define KK_SYNC_PATH_MAX 1024                   /* data_dir and bundle paths, bytes */
#define KK_SYNC_PAYLOAD_CAP (8ULL << 30)        /* default payload cap: 8 GiB */
#define KK_SYNC_SPACE_MARGIN (32ULL << 20)      /* free space kept beyond the payload */
#define KK_SYNC_STATE_FILE_MAX 64               /* `active` and `floor` files, bytes */
#define KK_SYNC_LOG_MAX (256 * 1024)
#define KK_SYNC_KEYRING_FILE "keyring"
#define KK_SYNC_MSG_ZH_NONE "内容暂时无法显示，请联系工作人员"

/* A content version; (0, 0) means "nothing installed yet". */
struct kk_sync_version {
	uint32_t epoch;
	uint64_t seq;
};

/* -1, 0, 1 as a is below, equal to, above b. */
int kk_sync_version_cmp(const struct kk_sync_version *a, const struct kk_sync_version *b);

/* The floor file's text: "EPOCH.SEQ\n", decimal, no sign or leading zero, epoch <= 2^32-1,
 * seq <= 2^53, at most KK_SYNC_STATE_FILE_MAX bytes. Returns 0, KK_E2BIG or KK_ECORRUPT. */
int kk_sync_version_parse(const char *text, size_t len, struct kk_sync_version *out);
/* Format into buf (NUL-terminated); returns the length or KK_E2BIG. */
int kk_sync_version_format(const struct kk_sync_version *v, char *buf, size_t cap);

/* The `active` file: "a\n" or "b\n" exactly. Returns 0 with *slot 'a'/'b', or KK_ECORRUPT. */
int kk_sync_slot_parse(const char *text, size_t len, char *slot);
/* 'b' for 'a', 'a' for 'b', 0 otherwise. */
char kk_sync_slot_other(char slot);
/* DATA/slots/X[/name] into buf; name may be NULL. Returns 0 or KK_E2BIG (or KK_EINVAL for a
 * slot that is not 'a'/'b'). */
int kk_sync_slot_path(const char *data_dir, char slot, const char *name, char *buf, size_t cap);

/* What kk_sync_open found. */
struct kk_sync_state {
	char active;                          /* 'a', 'b', or 0: nothing usable */
	struct kk_sync_version version;       /* of the active slot ((0,0) if none) */
	struct kk_sync_version floor;         /* after any repair */
	char content[KK_SYNC_PATH_MAX + 32];  /* DATA/slots/X/content.db, "" if none */
	long n_documents, n_guides;           /* of the active slot */
	int fell_back;                        /* 1: the named slot was unusable, the other used */
	int floor_raised;                     /* 1: an interrupted apply's floor was completed */
	int degraded;                         /* 1: staging/ or a sub-folder could not be made
					       * clean (read-only, full): applies are refused */
	const char *message_zh;               /* static; KK_SYNC_MSG_ZH_NONE when nothing */
};

/*
 * Start-up recovery for data_dir (created with its sub-folders if missing): empty staging/
 * (if that fails, st->degraded is set and the content is still chosen),
 * read `floor` and `active`, probe both slots (manifest parse and a cheap kk_catalog_open, no
 * full check), pick the slot by the floor rule above, and persist what changed (`active` after
 * a fall-back, `floor` after an interrupted apply). Returns 0 with st filled, KK_ENOENT when no
 * slot is usable (st->active == 0, st->message_zh set for the screen; not an error to crash
 * on), or KK_EIO / KK_E2BIG when the folder itself cannot be used. Blocking.
 */
int kk_sync_open(const char *data_dir, struct kk_sync_state *st);

/* The root keys of the image (config `sync_pubkey`: comma-separated minisign .pub files).
 * Until a keyring has been accepted they may also sign bundles directly (keyring.h). */
struct kk_sync_keys {
	struct kk_ms_pub pub[KK_SYNC_KEYS_MAX];
	size_t n;
};

/* Read every file of the comma-separated list (spaces around names ignored). Returns 0,
 * KK_EINVAL (empty list or more than KK_SYNC_KEYS_MAX), or the first kk_ms_pub_read error. */
int kk_sync_keys_load(struct kk_sync_keys *k, const char *paths);

/* The keyring the kiosk trusts now: DATA/keyring, or keyring 0 made of roots when there is
 * none. Returns 0, KK_ECORRUPT (DATA/keyring exists but is unreadable or does not parse: fail
 * closed, every bundle is refused), KK_ENOMEM. Blocking (one small read). */
int kk_sync_keyring_load(const char *data_dir, const struct kk_sync_keys *roots,
			 struct kk_keyring *out);

/* What this kiosk accepts. Zero-initialise and set what you need. */
struct kk_sync_policy {
	const char *product;   /* NULL: KK_SYNC_PRODUCT */
	const char *channel;   /* NULL: "stable" */
	uint64_t max_payload;  /* 0: KK_SYNC_PAYLOAD_CAP */
	uint64_t space_margin; /* 0: KK_SYNC_SPACE_MARGIN */
	const char *kiosk_id;  /* for the receipt and the log; NULL: the host name */
	int payload_owned;     /* 1: bundle_dir is the kiosk's own download folder on the data
				* file system (kk_sync_fetch_apply), never a stick: its payload is
				* moved into staging and read (hashed) once there instead of copied;
				* the folder loses the payload whatever the outcome */
};

/* Called from the applying thread with bytes copied so far and the payload size. */
typedef void (*kk_progress_fn)(void *ctx, uint64_t done, uint64_t total);

enum kk_sync_outcome {
	KK_SYNC_APPLIED = 0,
	KK_SYNC_UP_TO_DATE,    /* equal to what is installed and shown */
	KK_SYNC_OLDER,         /* below the floor: refused */
	KK_SYNC_BAD_SIGNATURE, /* signature malformed, other algorithm, unknown key, invalid */
	KK_SYNC_DAMAGED,       /* missing files, sizes, hashes, manifest, a payload that is not a
				* sound database, a payload over the cap */
	KK_SYNC_NO_SPACE,      /* not enough space in DATA */
	KK_SYNC_WRONG_TARGET,  /* another product or channel */
	KK_SYNC_UNSUPPORTED,   /* a delta bundle */
	KK_SYNC_CANCELED,      /* *cancel was set before the switch */
	KK_SYNC_FAILED,        /* the kiosk's own storage failed (I/O) */
	KK_SYNC_WRONG_BASE,    /* a delta bundle whose base is not the installed content */
	KK_SYNC_OUTCOME_COUNT
};

/* Stable English name ("APPLIED" ...) and a short Chinese line for staff; static, never NULL. */
const char *kk_sync_outcome_name(enum kk_sync_outcome o);
const char *kk_sync_outcome_zh(enum kk_sync_outcome o);
/* 1 for the outcomes that refuse the bundle itself (OLDER, BAD_SIGNATURE, DAMAGED,
 * WRONG_TARGET, UNSUPPORTED, WRONG_BASE), 0 otherwise. */
int kk_sync_outcome_refused(enum kk_sync_outcome o);

struct kk_sync_result {
	enum kk_sync_outcome outcome;
	enum kk_bundle_reason reason;      /* the bundle check's reason when it refused */
	struct kk_sync_version old_version; /* shown before ((0,0): nothing) */
	struct kk_sync_version new_version; /* shown after (== old unless APPLIED) */
	struct kk_sync_version offered;     /* the bundle's, once its manifest verified */
	char slot;                          /* the slot written, APPLIED only */
	uint64_t keyring_version;           /* trusted after the keyring walk (0: roots only) */
	long n_documents, n_guides;         /* of the new content, APPLIED only */
	int delta;                          /* 1: the bundle was a delta */
	struct kk_delta_summary changes;    /* what a delta changed (APPLIED deltas only) */
	char message[256];                  /* Chinese for staff, with versions and counts */
	char detail[512];                   /* English for the log */
	int receipt_written;                /* 1: DIR/receipt-KIOSKID.txt was written */
};

/*
 * Verify the bundle in folder bundle_dir and install it into the inactive slot of data_dir,
 * in this order, failing closed at the first problem: kk_sync_open's recovery; the keyring
 * chain the bundle carries, walked from DATA/keyring (or from the roots in keys), the newest
 * accepted keyring persisted; manifest and signature caps; the signature (`ED` only, by a
 * release key of the current keyring); product, channel, (epoch, seq)
 * against the floor; for a delta, the active slot holding exactly its base version; the payload
 * size against pol->max_payload; free space (payload + margin, plus the active database for a
 * delta; the inactive slot is given up first if that makes room); the payload copied into
 * staging while it is hashed, so the bytes checked are the bytes installed and the stick is
 * never read again (pol->payload_owned: the kiosk's own download is moved into staging and
 * hashed there instead). A delta then copies the active database into staging while hashing
 * it (it must have the manifest's base_sha256, else WRONG_BASE) and applies the changeset to
 * that copy (kk_delta_apply_scratch: ABORT on any conflict, search index rebuilt; a conflict
 * is WRONG_BASE too). Then the staged database is fsynced while it is opened read-only and
 * checked (rollback journal header, schema, quick_check). Then, the install (each step safe
 * to crash after, see apply.c): the slot folder renamed into place, `active` switched,
 * `floor` written last. Starts and joins up to two helper threads of its own (apply.c).
 *
 * progress (may be NULL) is called per 1 MiB chunk, on the calling thread; cancel (may be
 * NULL) is polled between chunks and before the install starts, never after. A receipt is written to bundle_dir
 * (failure logged, not fatal), a line to DATA/log/sync.log. Returns 0 when res->outcome is
 * APPLIED, otherwise a negative kk_err (KK_EVERSION, KK_ECORRUPT, KK_EPERM, KK_EINVAL,
 * KK_ENOSPC, KK_ECANCELED, KK_EIO). Blocking; worker thread.
 */
int kk_sync_apply_dir(const char *data_dir, const char *bundle_dir,
		      const struct kk_sync_keys *keys, const struct kk_sync_policy *pol,
		      kk_progress_fn progress, void *ctx, int *cancel, struct kk_sync_result *res);

/* ---- the step hook (apply.c), shared with slots.c -------------------------------------- */

/* Count one I/O step named what; returns 0, or -1 with errno set when the injected fault is
 * an error (kills the process when it is SIGKILL). */
int kk_sync_fault_step(const char *what);
/* Re-read KK_FAULT_AT / KK_FAULT_MODE and reset the step counter (start of an apply). */
void kk_sync_fault_reset(void);

#endif
