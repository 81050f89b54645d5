/*
 * siteconf.h — provisioning a kiosk from a signed site configuration on a USB stick: the same
 * site.conf a technician gives `flash.sh --site`, signed with a root key by `kioskdb
 * site-sign`, applied by the running kiosk (staff panel) or by `kiosk --provision-from DIR`.
 *
 * A stick carries the folder KK_SITE_DIR ("kiosk-setup") with
 *   site.conf           key = value lines, exactly flash.sh's format and rules (the parser here
 *                       mirrors flash.sh section "site.conf": same keys, limits and messages,
 *                       "site.conf:LINE: key: message"; line 0 for a missing key)
 *   site.conf.minisig   a minisign `ED` signature of site.conf (`minisign -V` accepts it) whose
 *                       trusted comment is exactly
 *                         kiosk-site serial=N kiosk_id=TARGET
 *                       N: 1..2^63-1, a new config must carry a higher serial than the one
 *                       installed (kioskdb uses the signing time); TARGET: the kiosk_id of the
 *                       kiosk it is for, or `*` for any kiosk.
 *
 * Checks, failing closed, on one read of each file (never re-read from the stick): sizes
 * (KK_SITE_MAX, KK_MS_SIGFILE_MAX); the signature by one of the ROOT keys the kiosk trusts —
 * the keys of its config `sync_pubkey` plus DATA/keys/trusted/root-*.pub (the files flash.sh
 * provisions); `ED` only; the trusted comment; the exact config installed already (serial and
 * SHA-256 of site.conf as recorded in DATA/site/provisioned: "already installed"); the target
 * (`*`, or the kiosk's id: the `kiosk_id=` of DATA/site/provisioned — the last provisioning that
 * completed —, else config `kiosk_id`, else DATA/site/kiosk-id; a kiosk with none has never
 * been provisioned and takes any target); the serial above DATA/site/provisioned's `serial=`;
 * every key of site.conf.
 *
 * Applying writes what flash.sh section 7 writes, each file by temp + fsync + rename + fsync of
 * its folder: DATA/keys/trusted/root-N.pub (and removes other root-*.pub), DATA/site/kiosk-id,
 * DATA/site/screen-schedule (removed without open_hours), DATA/kiosk.conf (checked with the
 * kiosk's own config parser before anything is written) and last DATA/site/provisioned with the
 * serial, the kiosk id and the SHA-256 of site.conf and of its signature. DESIGN: a power cut part-way leaves some files new and some old but the serial not
 * yet recorded, so the same stick applies again in full; each file is whole, old or new.
 *
 * Blocking (small reads, fsyncs); any thread; one provisioning per data folder at a time.
 */
#ifndef KK_SYNC_SITECONF_H
#define KK_SYNC_SITECONF_H

#include <stddef.h>
#include <stdint.h>

#define KK_SITE_DIR "kiosk-setup"
#define KK_SITE_FILE "site.conf"
#define KK_SITE_SIG "site.conf.minisig"
#define KK_SITE_MAX 65536           /* bytes of site.conf, as flash.sh */
#define KK_SITE_KEYS_MAX 4          /* trusted_key lines */
#define KK_SITE_PROBLEMS_MAX 32
#define KK_SITE_PROBLEM_LEN 320
#define KK_SITE_COMMENT_PREFIX "kiosk-site serial="

struct kk_site_conf {
	char site_name[256];
	char kiosk_id[33];
	char sync_url[401];
	char trusted_key[KK_SITE_KEYS_MAX][57];
	size_t n_keys;
	char staff_pin_hash[256];
	char printer[160];
	char screen_size[10];
	char orientation[10];
	char idle_timeout[6];
	char open_hours[12];
	char open_days[256];
	size_t n_settings; /* keys other than trusted_key */
};

struct kk_site_problems {
	char text[KK_SITE_PROBLEMS_MAX][KK_SITE_PROBLEM_LEN]; /* "NAME:LINE: key: message" */
	int line[KK_SITE_PROBLEMS_MAX];                      /* 0: the whole file */
	size_t n, dropped;
};

/*
 * Parse len bytes of site.conf (name: the file name in messages) with flash.sh's rules.
 * Returns 0, or KK_EINVAL with every problem in p (the first KK_SITE_PROBLEMS_MAX; *out then
 * holds no usable values), or KK_E2BIG over KK_SITE_MAX. Pure; never reads past len.
 */
int kk_site_conf_parse(const char *text, size_t len, const char *name, struct kk_site_conf *out,
		       struct kk_site_problems *p);

/* What the trusted comment says. */
struct kk_site_tag {
	uint64_t serial;
	char target[33]; /* a kiosk_id, or "*" */
};

/* Parse a trusted comment "kiosk-site serial=N kiosk_id=TARGET". 0 or KK_EINVAL. Pure. */
int kk_site_tag_parse(const char *comment, struct kk_site_tag *out);
/* Write it (the form kk_site_tag_parse accepts) into out. Returns 0 or KK_EINVAL/KK_E2BIG. */
int kk_site_tag_format(const struct kk_site_tag *t, char *out, size_t cap);

/* Where and for whom to provision. */
struct kk_site_env {
	const char *data_dir;    /* DATA */
	const char *pubkeys;     /* config sync_pubkey (comma-separated .pub files), may be "" */
	const char *kiosk_id;    /* config kiosk_id, may be "": then DATA/site/kiosk-id */
	const char *screen_size; /* kiosk.conf's when site.conf has none, e.g. "1920x1080" */
	const char *orientation; /* "landscape" or "portrait" */
};

enum kk_site_outcome {
	KK_SITE_APPLIED = 0,
	KK_SITE_SAME,          /* this serial is installed already */
	KK_SITE_OLDER,         /* refused: a lower serial than installed (a replay) */
	KK_SITE_BAD_SIGNATURE, /* refused: missing, damaged, legacy or untrusted signature */
	KK_SITE_WRONG_KIOSK,   /* refused: signed for another kiosk_id */
	KK_SITE_INVALID,       /* refused: site.conf has problems (or is too big) */
	KK_SITE_NO_KEYS,       /* the kiosk trusts no root key: nothing can be checked */
	KK_SITE_FAILED         /* reading the stick or writing DATA failed */
};

struct kk_site_result {
	int outcome;               /* enum kk_site_outcome */
	char message[512];         /* Chinese, for the staff panel and stderr */
	char detail[512];          /* English, for the log */
	char site_name[256];       /* of the offered config (when it parsed) */
	char kiosk_id[33];
	uint64_t serial, old_serial;
	int problem_line;          /* KK_SITE_INVALID: the first problem's line (0: whole file) */
	int receipt_written;
};

/* 1 when setup_dir's site.conf and signature are byte for byte those DATA was last
 * provisioned from (their SHA-256 in DATA/site/provisioned), so a stick left in after its config was applied is not
 * offered again (and a kiosk-update/ beside it is). Reads at most KK_SITE_MAX bytes; checks no
 * signature (nothing is applied on its word). Blocking. */
int kk_site_installed(const char *data_dir, const char *setup_dir);

/* A stable English name ("APPLIED", "OLDER" ...); never NULL. */
const char *kk_site_outcome_name(int outcome);
/* 1 for the refusals (OLDER .. INVALID). */
int kk_site_outcome_refused(int outcome);

/*
 * Check the signed site config in setup_dir (a stick's kiosk-setup/ folder) and, when every
 * check passes, provision env->data_dir from it. res is always filled; a receipt
 * (receipt-KIOSKID.txt) is written back into setup_dir when it is writable. Returns 0 when
 * res->outcome is KK_SITE_APPLIED, otherwise a kk_err (KK_EPERM for refusals). Blocking.
 */
int kk_site_provision(const struct kk_site_env *env, const char *setup_dir,
		      struct kk_site_result *res);

#endif
