/*
 * service.c — the stick watcher and the staff PIN in front of kk_sync_apply_dir (service.h).
 *
 * DESIGN
 * One worker thread; the UI posts a PIN, a confirmation or a dismissal under the mutex, pokes
 * an eventfd, and reads a copy of the status. The worker sleeps in poll(2) on that eventfd and
 * on /proc/self/mountinfo (a mount or unmount wakes it at once, sync/mounts.h), at most
 * scan_ms; it looks for sticks after every wake while idle, checks a PIN when asked, and
 * runs the apply, which is the crash-safe part (apply.c): killing the kiosk anywhere here
 * leaves the old or the new content, never a mix. Nothing the worker keeps survives a restart
 * except what apply.c writes; a wrong-PIN lock is per run (a restart is a visible act).
 * A stick is identified by its bundle folder path and the manifest's inode and mtime, so a
 * dismissed stick is not offered again while it stays in, and another stick (or the same one
 * re-inserted with a new bundle) is.
 */
#include "sync/service.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/sys.h"
#include "sync/fetch.h"
#include "sync/latest.h"
#include "sync/mounts.h"

#define MOD "sync"
#define MAX_STICKS 16

struct kk_sync_service {
	struct kk_sync_svc_opts o;
	char *data_dir, *usb_root, *pin_hash, *pubkeys, *channel, *kiosk_id, *sources, *proxy;
	char *ca_file;
	double net_not_before; /* kk_mono_s before which no network check starts (spread) */
	int cancel_net; /* set by stop: a download in progress gives up */
	pthread_t th;
	pthread_mutex_t mu;
	int evfd;                /* eventfd: the UI and stop wake the worker's poll */
	struct kk_mount_watch mw; /* /proc/self/mountinfo, or fd -1 without /proc */
	char *screen_size, *orientation;
	int confirmed;           /* kk_sync_service_confirm: apply a site config without PIN */
	int quit;
	char pin[KK_SYNC_PIN_MAX + 1]; /* a PIN to check; wiped after */
	int have_pin;
	struct kk_sync_svc_status st;
	/* the stick last dismissed or applied: not offered again while it stays */
	char seen_path[600];
	dev_t seen_dev;
	ino_t seen_ino;
	struct timespec seen_mtime;
	time_t lock_until;
	double t_start; /* of the copy (kk_mono_s), for the estimate */
};

static void wake(struct kk_sync_service *s)
{
	if (s->o.wake)
		s->o.wake(s->o.wake_ctx);
}

/* The folder on a stick, and the file in it whose presence offers it, by kind. */
static const char *sub_dir(int kind)
{
	return kind == KK_STICK_SETUP ? KK_SITE_DIR : KK_SYNC_STICK_DIR;
}

static const char *key_file(int kind)
{
	return kind == KK_STICK_SETUP ? KK_SITE_FILE : "manifest";
}

/* Does ROOT/name ("": ROOT itself) hold a setup or an update folder? The setup wins unless
 * its config is the one data_dir was provisioned from (a stick left in after it was applied,
 * e.g. across the restart that follows). */
static int probe(const char *data_dir, const char *root, const char *name, int *kind,
		 struct stat *sb)
{
	char path[1200];
	for (int k = KK_STICK_SETUP; k >= KK_STICK_UPDATE; k--) {
		if (snprintf(path, sizeof path, "%s%s%s/%s/%s", root, name[0] ? "/" : "", name,
			     sub_dir(k), key_file(k)) >= (int)sizeof path)
			return 0;
		if (stat(path, sb) != 0 || !S_ISREG(sb->st_mode))
			continue;
		path[strlen(path) - strlen(key_file(k)) - 1] = '\0';
		if (k == KK_STICK_SETUP && kk_site_installed(data_dir, path))
			continue;
		*kind = k;
		return 1;
	}
	return 0;
}

/* Keep name as the best candidate when it offers something and sorts first. */
static void consider(const char *data_dir, const char *root, const char *name, char *best,
		     size_t cap, int *have)
{
	struct stat sb;
	int kind;
	if (strlen(name) >= cap || (*have && strcmp(name, best) >= 0) ||
	    !probe(data_dir, root, name, &kind, &sb))
		return;
	snprintf(best, cap, "%s", name);
	*have = 1;
}

/*
 * Look for a stick offering something: every folder ROOT/<name> (a development folder or a
 * board's mount point) and every file system mounted at or under ROOT (mountinfo: a stick
 * mounted deeper, or at ROOT itself). The first by name wins, for a stable choice. out gets
 * the offering folder (…/kiosk-setup or …/kiosk-update), *kind its kind, *sb the stat of its
 * key file. Returns 1 when found.
 */
static int find_stick(const char *data_dir, const char *root, char *out, size_t n, int *kind,
		      struct stat *sb)
{
	struct kk_mounts mm; /* about 18 KiB: the worker's stack (or start's) */
	char best[KK_MOUNTS_PATH_MAX] = "", real[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(root);
	int seen = 0, have = 0;

	if (d) {
		while ((e = readdir(d)) && seen < 256) {
			seen++;
			if (e->d_name[0] != '.')
				consider(data_dir, root, e->d_name, best, sizeof best, &have);
		}
		closedir(d);
	}
	if (realpath(root, real) && kk_mounts_read(NULL, real, &mm) == 0) {
		size_t rl = strlen(real);
		for (size_t i = 0; i < mm.n; i++) {
			const char *rel = mm.m[i].point + rl;
			consider(data_dir, root, *rel == '/' ? rel + 1 : rel, best, sizeof best, &have);
		}
	}
	if (!have || !probe(data_dir, root, best, kind, sb))
		return 0;
	snprintf(out, n, "%s%s%s/%s", root, best[0] ? "/" : "", best, sub_dir(*kind));
	return 1;
}

static int same_stick(const struct kk_sync_service *s, const char *path, const struct stat *sb)
{
	return !strcmp(path, s->seen_path) && sb->st_dev == s->seen_dev &&
	       sb->st_ino == s->seen_ino && sb->st_mtim.tv_sec == s->seen_mtime.tv_sec &&
	       sb->st_mtim.tv_nsec == s->seen_mtime.tv_nsec;
}

static void remember_stick(struct kk_sync_service *s)
{
	char m[700];
	struct stat sb;
	snprintf(m, sizeof m, "%s/%s", s->st.stick, key_file(s->st.kind));
	snprintf(s->seen_path, sizeof s->seen_path, "%s", s->st.stick);
	if (stat(m, &sb) == 0) {
		s->seen_dev = sb.st_dev;
		s->seen_ino = sb.st_ino;
		s->seen_mtime = sb.st_mtim;
	}
}

/* Idle or showing a stick: notice arrivals and removals. Under the mutex. */
static void scan(struct kk_sync_service *s)
{
	char path[600];
	struct stat sb;
	int kind = KK_STICK_UPDATE;
	int found = s->usb_root[0] &&
		    find_stick(s->data_dir, s->usb_root, path, sizeof path, &kind, &sb);
	if (s->st.state == KK_SS_IDLE && found && !same_stick(s, path, &sb)) {
		snprintf(s->st.stick, sizeof s->st.stick, "%s", path);
		s->st.kind = kind;
		s->st.state = KK_SS_STICK;
		s->st.message[0] = '\0';
		kk_info(MOD, "%s stick found: %s", kind == KK_STICK_SETUP ? "site config" : "update",
			path);
		wake(s);
	} else if (s->st.state == KK_SS_STICK && (!found || strcmp(path, s->st.stick))) {
		kk_info(MOD, "stick taken out before it was unlocked");
		s->st.state = KK_SS_IDLE;
		s->st.stick[0] = '\0';
		wake(s);
	} else if (!found && s->seen_path[0]) {
		s->seen_path[0] = '\0'; /* taken out: the next insertion is offered again */
	}
}

static void progress(void *ctx, uint64_t done, uint64_t total)
{
	struct kk_sync_service *s = ctx;
	double el;
	pthread_mutex_lock(&s->mu);
	if (s->st.done == 0)
		s->t_start = kk_mono_s();
	s->st.done = done;
	s->st.total = total;
	el = kk_mono_s() - s->t_start;
	s->st.eta_s = done > 0 && el > 0.5 && total > done ? el * (double)(total - done) / done : 0;
	pthread_mutex_unlock(&s->mu);
	wake(s);
}

/* The panel shows the result of a bundle (res) or of a site config (site); the stick is
 * remembered so it is not offered again while it stays in. Called without the mutex. */
static void show_result(struct kk_sync_service *s, const struct kk_sync_result *res,
			const struct kk_site_result *site)
{
	pthread_mutex_lock(&s->mu);
	if (res) {
		s->st.result = *res;
		s->st.applied += res->outcome == KK_SYNC_APPLIED;
	} else {
		s->st.site = *site;
		s->st.provisioned += site->outcome == KK_SITE_APPLIED;
	}
	s->st.state = KK_SS_RESULT;
	remember_stick(s);
	pthread_mutex_unlock(&s->mu);
	wake(s);
}

static void apply_stick(struct kk_sync_service *s, const char *stick)
{
	struct kk_sync_keys keys;
	struct kk_sync_policy pol = { 0 };
	struct kk_sync_result res;
	int rc;

	memset(&res, 0, sizeof res);
	rc = kk_sync_keys_load(&keys, s->pubkeys);
	if (rc) {
		res.outcome = KK_SYNC_FAILED;
		snprintf(res.message, sizeof res.message,
			 "本机没有配置可信的更新密钥，无法更新。请技术人员检查配置。");
		snprintf(res.detail, sizeof res.detail, "sync_pubkey \"%s\": %s", s->pubkeys,
			 kk_err_name(rc));
	} else {
		pol.channel = s->channel[0] ? s->channel : NULL;
		pol.kiosk_id = s->kiosk_id[0] ? s->kiosk_id : NULL;
		kk_sync_apply_dir(s->data_dir, stick, &keys, &pol, progress, s, NULL, &res);
	}
	kk_info(MOD, "stick %s: %s — %s", stick, kk_sync_outcome_name(res.outcome), res.detail);
	show_result(s, &res, NULL);
}

/* Provision DATA from the stick's kiosk-setup/ folder (siteconf.h). Called without the mutex. */
static void apply_setup(struct kk_sync_service *s, const char *dir)
{
	struct kk_site_env env = { 0 };
	struct kk_site_result res;

	env.data_dir = s->data_dir;
	env.pubkeys = s->pubkeys;
	env.kiosk_id = s->kiosk_id;
	env.screen_size = s->screen_size[0] ? s->screen_size : "1920x1080";
	env.orientation = s->orientation[0] ? s->orientation : "landscape";
	kk_site_provision(&env, dir, &res);
	show_result(s, NULL, &res);
}

/* Wake the worker from its poll (the UI posted something, or stop). Any thread. */
static void poke(struct kk_sync_service *s)
{
	uint64_t one = 1;
	if (write(s->evfd, &one, sizeof one) < 0 && errno != EAGAIN)
		kk_warn(MOD, "cannot wake the stick watcher: %s", strerror(errno));
}

/* Check the PIN (slow on purpose: argon2id). Called without the mutex. */
static int pin_ok(const char *hash, const char *pin)
{
	if (!hash[0] || !pin[0])
		return 0;
	if (sodium_init() < 0)
		return 0;
	return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}

int kk_sync_pin_hash(const char *pin, char *out, size_t n)
{
	size_t len = pin ? strlen(pin) : 0;
	if (len < 4 || len > KK_SYNC_PIN_MAX || n < crypto_pwhash_STRBYTES)
		return KK_EINVAL;
	for (size_t i = 0; i < len; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return KK_EINVAL;
	if (sodium_init() < 0)
		return KK_ENOMEM;
	if (crypto_pwhash_str(out, pin, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return KK_ENOMEM;
	return 0;
}

/* The k-th http(s) entry of a comma-separated source list into url; 1 if there is one. */
static int next_url(const char *sources, int k, char *url, size_t n)
{
	const char *p = sources;
	int i = 0;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len < n && (!strncmp(p, "http://", 7) || !strncmp(p, "https://", 8))) {
			if (i++ == k) {
				memcpy(url, p, len);
				url[len] = '\0';
				return 1;
			}
		}
		p = e ? e + 1 : NULL;
	}
	return 0;
}

static int interval_of(const struct kk_sync_service *s)
{
	return s->o.interval > 0 ? s->o.interval : 3600;
}

/* Check the web roots when due and apply what they offer. Called without the mutex. */
static void network_check(struct kk_sync_service *s)
{
	char url[KK_FETCH_URL_MAX];
	int64_t now = (int64_t)time(NULL);
	if (!next_url(s->sources, 0, url, sizeof url) || kk_mono_s() < s->net_not_before ||
	    kk_sync_fetch_due(s->data_dir, interval_of(s), now) > now) {
		pthread_mutex_lock(&s->mu);
		s->st.net_busy = 0;
		pthread_mutex_unlock(&s->mu);
		return;
	}
	pthread_mutex_lock(&s->mu);
	s->st.net_busy = 1;
	pthread_mutex_unlock(&s->mu);
	for (int k = 0; next_url(s->sources, k, url, sizeof url) && !s->cancel_net; k++) {
		struct kk_sync_keys keys;
		struct kk_sync_policy pol = { 0 };
		struct kk_fetch_opts fo = { 0 };
		struct kk_fetch_result fres;
		struct kk_sync_result ares;
		int applied = 0;
		if (kk_sync_keys_load(&keys, s->pubkeys)) {
			kk_error(MOD, "network update skipped: no usable key in sync_pubkey");
			break;
		}
		pol.channel = s->channel[0] ? s->channel : NULL;
		pol.kiosk_id = s->kiosk_id[0] ? s->kiosk_id : NULL;
		fo.max_rate = s->o.max_rate;
		fo.proxy = s->proxy[0] ? s->proxy : NULL;
		fo.stall_timeout = s->o.stall_timeout;
		fo.ca_file = s->ca_file[0] ? s->ca_file : NULL;
		fo.require_https = s->o.require_https;
		memset(&ares, 0, sizeof ares);
		kk_sync_fetch_apply(url, s->data_dir, &keys, &fo, &pol, NULL, NULL, &s->cancel_net,
				    &fres, &ares, &applied);
		kk_info(MOD, "network %s: %s %s", url, kk_fetch_outcome_name(fres.outcome),
			applied ? kk_sync_outcome_name(ares.outcome) : fres.detail);
		pthread_mutex_lock(&s->mu);
		snprintf(s->st.net_last, sizeof s->st.net_last, "%s",
			 applied ? ares.message : fres.message);
		if (applied && ares.outcome == KK_SYNC_APPLIED)
			s->st.applied++;
		pthread_mutex_unlock(&s->mu);
		wake(s);
		if (applied || fres.outcome == KK_FETCH_UP_TO_DATE)
			break; /* one web root answered: the others are mirrors */
	}
	pthread_mutex_lock(&s->mu);
	s->st.net_busy = 0;
	pthread_mutex_unlock(&s->mu);
	wake(s);
}

static void *worker(void *arg)
{
	struct kk_sync_service *s = arg;
	int scan_ms = s->o.scan_ms > 0 ? s->o.scan_ms : 2000;

	pthread_mutex_lock(&s->mu);
	while (!s->quit) {
		int w;
		if ((s->have_pin || s->confirmed) && s->st.state == KK_SS_CHECKING) {
			char pin[sizeof s->pin], stick[sizeof s->st.stick];
			int ok, confirmed = s->confirmed, kind = s->st.kind;
			memcpy(pin, s->pin, sizeof pin);
			sodium_memzero(s->pin, sizeof s->pin);
			s->have_pin = 0;
			s->confirmed = 0;
			snprintf(stick, sizeof stick, "%s", s->st.stick);
			pthread_mutex_unlock(&s->mu);
			wake(s);
			/* confirmed: a site config on a kiosk without a PIN (kk_sync_service_confirm) */
			ok = confirmed ? 1 : pin_ok(s->pin_hash, pin);
			sodium_memzero(pin, sizeof pin);
			pthread_mutex_lock(&s->mu);
			if (ok) {
				s->st.tries_left = KK_SYNC_PIN_TRIES;
				s->st.state = KK_SS_APPLYING;
				s->st.done = s->st.total = 0;
				s->st.eta_s = 0;
				s->st.message[0] = '\0';
				pthread_mutex_unlock(&s->mu);
				kk_info(MOD, "%s: applying %s", confirmed ? "confirmed on the panel"
								       : "staff PIN accepted", stick);
				wake(s);
				if (kind == KK_STICK_SETUP)
					apply_setup(s, stick);
				else
					apply_stick(s, stick);
				pthread_mutex_lock(&s->mu);
			} else {
				s->st.state = KK_SS_STICK;
				if (--s->st.tries_left <= 0) {
					s->lock_until = time(NULL) + KK_SYNC_PIN_LOCK_S;
					s->st.tries_left = KK_SYNC_PIN_TRIES;
					snprintf(s->st.message, sizeof s->st.message,
						 "密码错误次数过多，请 %d 分钟后再试。",
						 KK_SYNC_PIN_LOCK_S / 60);
				} else {
					snprintf(s->st.message, sizeof s->st.message,
						 "密码不正确，还可以再试 %d 次。", s->st.tries_left);
				}
				kk_warn(MOD, "wrong staff PIN (%d tries left)", s->st.tries_left);
				wake(s);
			}
			continue;
		}
		s->have_pin = 0;
		s->confirmed = 0;
		if (s->st.state == KK_SS_IDLE || s->st.state == KK_SS_STICK)
			scan(s);
		if (s->st.state == KK_SS_IDLE && !s->quit) {
			pthread_mutex_unlock(&s->mu);
			network_check(s);
			pthread_mutex_lock(&s->mu);
			if (s->quit)
				break;
		}
		{
			time_t now = time(NULL);
			unsigned left = s->lock_until > now ? (unsigned)(s->lock_until - now) : 0;
			if (left != s->st.locked_s) {
				s->st.locked_s = left;
				if (!left)
					s->st.message[0] = '\0';
				wake(s);
			}
		}
		if (s->quit || s->have_pin || s->confirmed)
			continue;
		/* sleep until a mount or unmount, a post from the UI, or the next look */
		pthread_mutex_unlock(&s->mu);
		w = kk_mount_watch_wait(&s->mw, s->evfd, scan_ms);
		if (w > 0 && (w & KK_MW_POKED)) {
			uint64_t n;
			if (read(s->evfd, &n, sizeof n) < 0 && errno != EAGAIN)
				kk_warn(MOD, "eventfd: %s", strerror(errno));
		}
		pthread_mutex_lock(&s->mu);
		if (w > 0 && (w & KK_MW_CHANGED)) {
			s->st.mount_events++;
			kk_info(MOD, "mount table changed (%u): looking under %s", s->st.mount_events,
				s->usb_root[0] ? s->usb_root : "(no usb root)");
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Free the option strings and s itself. */
static void free_copies(struct kk_sync_service *s)
{
	free(s->screen_size);
	free(s->orientation);
	free(s->data_dir);
	free(s->usb_root);
	free(s->pin_hash);
	free(s->pubkeys);
	free(s->channel);
	free(s->kiosk_id);
	free(s->sources);
	free(s->proxy);
	free(s->ca_file);
	free(s);
}

static char *dup_or_empty(const char *v)
{
	return strdup(v ? v : "");
}

int kk_sync_service_start(const struct kk_sync_svc_opts *o, struct kk_sync_service **out)
{
	struct kk_sync_service *s;
	*out = NULL;
	if (!o || !o->data_dir)
		return KK_EINVAL;
	s = calloc(1, sizeof *s);
	if (!s)
		return KK_ENOMEM;
	s->o = *o;
	s->evfd = -1;
	s->mw.fd = -1;
	s->data_dir = dup_or_empty(o->data_dir);
	s->usb_root = dup_or_empty(o->usb_root);
	s->pin_hash = dup_or_empty(o->pin_hash);
	s->pubkeys = dup_or_empty(o->pubkeys);
	s->channel = dup_or_empty(o->channel);
	s->kiosk_id = dup_or_empty(o->kiosk_id);
	s->sources = dup_or_empty(o->sources);
	s->proxy = dup_or_empty(o->proxy);
	s->ca_file = dup_or_empty(o->ca_file);
	if (!s->data_dir || !s->usb_root || !s->pin_hash || !s->pubkeys || !s->channel ||
	    !s->kiosk_id || !s->sources || !s->proxy || !s->ca_file)
		goto fail;
	/* kiosks switched on together do not all ask at once (latest.h, jitter); monotonic, so
	 * a clock corrected after boot cannot push the first check years away */
	s->net_not_before = kk_mono_s() + (double)kk_fetch_spread_draw(o->start_spread);
	/* a check due at start-up is reported busy from the first frame (tests wait on it) */
	{
		char url[KK_FETCH_URL_MAX];
		if (next_url(s->sources, 0, url, sizeof url) && s->net_not_before <= kk_mono_s() &&
		    kk_sync_fetch_due(s->data_dir, interval_of(s), (int64_t)time(NULL)) <=
			    (int64_t)time(NULL))
			s->st.net_busy = 1;
	}
	/* the stick watcher: screen defaults for a site config, the UI's wake-up, the mount table */
	s->screen_size = dup_or_empty(o->screen_size);
	s->orientation = dup_or_empty(o->orientation);
	if (!s->screen_size || !s->orientation)
		goto fail;
	s->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->evfd < 0)
		goto fail;
	if (s->usb_root[0] && kk_mount_watch_open(&s->mw, NULL) != 0)
		kk_warn(MOD, "no %s: sticks are found by looking every %d ms", KK_MOUNTINFO_PATH,
			o->scan_ms > 0 ? o->scan_ms : 2000);
	s->st.has_pin = s->pin_hash[0] != '\0';
	s->st.tries_left = KK_SYNC_PIN_TRIES;
	scan(s); /* a stick already in at start-up is offered at once */
	pthread_mutex_init(&s->mu, NULL);
	if (pthread_create(&s->th, NULL, worker, s) != 0) {
		pthread_mutex_destroy(&s->mu);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->evfd >= 0)
		close(s->evfd);
	kk_mount_watch_close(&s->mw);
	free_copies(s);
	return KK_ENOMEM;
}

void kk_sync_service_stop(struct kk_sync_service *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->quit = 1;
	s->cancel_net = 1;
	poke(s);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	pthread_mutex_destroy(&s->mu);
	close(s->evfd);
	kk_mount_watch_close(&s->mw);
	sodium_memzero(s->pin, sizeof s->pin);
	free_copies(s);
}

void kk_sync_service_status(struct kk_sync_service *s, struct kk_sync_svc_status *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->st;
	pthread_mutex_unlock(&s->mu);
}

int kk_sync_service_unlock(struct kk_sync_service *s, const char *pin)
{
	size_t n = pin ? strlen(pin) : 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return KK_EINVAL;
	if (n == 0 || n > KK_SYNC_PIN_MAX)
		return KK_EINVAL;
	pthread_mutex_lock(&s->mu);
	if (s->st.state != KK_SS_STICK || !s->st.has_pin) {
		rc = KK_EBUSY;
	} else if (s->lock_until > time(NULL)) {
		rc = KK_EPERM;
	} else {
		memcpy(s->pin, pin, n + 1);
		s->have_pin = 1;
		s->st.state = KK_SS_CHECKING; /* at once, so the panel never shows the PIN pad idle */
		poke(s);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int kk_sync_service_confirm(struct kk_sync_service *s)
{
	int rc = 0;
	pthread_mutex_lock(&s->mu);
	if (s->st.state != KK_SS_STICK || s->st.kind != KK_STICK_SETUP || s->st.has_pin) {
		rc = KK_EBUSY;
	} else {
		s->confirmed = 1;
		s->st.state = KK_SS_CHECKING;
		poke(s);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

void kk_sync_service_dismiss(struct kk_sync_service *s)
{
	/* done here, not by the worker, so the panel is gone in the very next frame */
	pthread_mutex_lock(&s->mu);
	if (s->st.state == KK_SS_STICK)
		remember_stick(s);
	if (s->st.state == KK_SS_STICK || s->st.state == KK_SS_RESULT) {
		s->st.state = KK_SS_IDLE;
		s->st.stick[0] = '\0';
	}
	pthread_mutex_unlock(&s->mu);
}
