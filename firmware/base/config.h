/*
 * config.h — the kiosk's configuration file: `key = value` lines.
 *
 * Syntax: one setting per line; `#` starts a comment line; blank lines are ignored; spaces
 * around the key and the value are trimmed; a value may be wrapped in double quotes. Keys and
 * their defaults are listed in README.md ("Configuration") and in kk_config_defaults().
 *
 * Every problem (unknown key, bad value, repeated key, line too long, invalid UTF-8) is reported
 * as "FILE:LINE: key: message" through kk_config_load's problem list; the kiosk refuses to start
 * on a config with problems rather than guess, and `kiosk --check-config` lists them all.
 */
#ifndef KK_BASE_CONFIG_H
#define KK_BASE_CONFIG_H

#include <stddef.h>

#define KK_CONFIG_MAX_BYTES (64 * 1024)
#define KK_CONFIG_MAX_LINE 1024
#define KK_CONFIG_MAX_PROBLEMS 64

enum kk_orientation { KK_LANDSCAPE = 0, KK_PORTRAIT = 1 };

struct kk_config {
	char site_name[256];        /* shown on every screen and printed pages */
	int screen_width;           /* panel size in landscape terms, px */
	int screen_height;
	enum kk_orientation orientation;
	int fullscreen;             /* 1: full screen (board); 0: window (desktop) */
	int idle_timeout;           /* seconds without input before returning home; 0 = never */
	char data_dir[512];         /* content slots, logs, stats, spool */
	char font_path[512];        /* main CJK font file */
	int font_index;             /* face index in a .ttc collection */
	char font_fallback[1024];   /* comma-separated font files tried for missing glyphs */
	char printer[256];          /* auto | none | usb://VID:PID[/SERIAL] | ipp://host/path | file:PATH?format=… */
	int print_max_copies;       /* copies a resident may ask for */
	int print_pages_per_session;/* sheets per visitor (until the idle reset); 0 = no limit */
	int print_pages_per_day;    /* sheets per day on this kiosk; 0 = no limit */
	char sync_sources[512];     /* comma-separated: usb, https://… or http://… */
	int sync_interval;          /* seconds between network checks */
	char sync_pubkey[1024];     /* comma-separated minisign .pub files: the root keys (keyring.h) */
	char sync_channel[33];      /* the bundle channel this kiosk follows */
	char sync_usb_root[512];    /* where USB sticks are mounted (one folder per stick) */
	int sync_max_rate;          /* download bandwidth cap, bytes/s; 0 = no cap */
	char sync_proxy[256];       /* proxy URL for downloads (libcurl syntax); empty = none */
	int sync_stall_timeout;     /* seconds a download may stay below 1 byte/s before it fails */
	char sync_ca_file[512];     /* PEM CAs trusted for https instead of the system store; empty = system */
	int sync_require_https;     /* 1: refuse http:// web roots */
	int sync_start_spread;      /* the first network check after start waits 0..N s (random) */
	char kiosk_id[65];          /* names this kiosk in receipts; empty = the host name */
	char staff_pin_hash[256];   /* libsodium crypto_pwhash_str() output; empty = staff panel off */
	char log_level[16];         /* error | warn | info | debug */
};

/* Fill c with the safe defaults. */
void kk_config_defaults(struct kk_config *c);

struct kk_config_problems {
	char *lines[KK_CONFIG_MAX_PROBLEMS]; /* "FILE:LINE: key: message", owned */
	size_t n;
	size_t dropped;                      /* problems past the cap, not listed */
};
void kk_config_problems_fini(struct kk_config_problems *p);

/*
 * Parse text (len bytes; `name` is used in messages) over the values already in c.
 * Returns 0 if there were no problems, KK_EINVAL otherwise (c then holds defaults or the
 * valid values for every key that had a problem, never a half-parsed value).
 */
int kk_config_parse(struct kk_config *c, const char *name, const char *text, size_t len,
		    struct kk_config_problems *p);
/* Read and parse a file; KK_ENOENT / KK_EIO / KK_E2BIG are reported as a problem too. */
int kk_config_load(struct kk_config *c, const char *path, struct kk_config_problems *p);

/* Screen size after orientation is applied (portrait swaps to tall). */
void kk_config_screen(const struct kk_config *c, int *w, int *h);

#endif
