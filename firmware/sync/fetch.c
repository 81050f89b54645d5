/* fetch.c — see fetch.h. The only code that includes libcurl. */
#include "sync/fetch.h"

/* libcurl is loaded when the first download starts, not when the kiosk starts: with its TLS,
 * Kerberos and LDAP libraries it is the largest part of the kiosk's start-up otherwise, and
 * most kiosks take their updates from a stick. CURL_DISABLE_TYPECHECK: the calls go through
 * the function pointers below, not through curl.h's checking macros. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dlfcn.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "sync/keyring.h"
#include "sync/sync_fs.h"

#define ETAG_MAX 200 /* an ETag we keep for If-Range, bytes */

static const struct {
	const char *name, *zh;
} outcomes[KK_FETCH_OUTCOME_COUNT] = {
	[KK_FETCH_READY] = { "READY", "更新包已下载" },
	[KK_FETCH_UP_TO_DATE] = { "UP_TO_DATE", "内容已是最新，无需更新" },
	[KK_FETCH_OLDER] = { "OLDER", "服务器上的内容比已安装的内容旧，已拒绝" },
	[KK_FETCH_BAD_SIGNATURE] = { "BAD_SIGNATURE", "更新信息的签名无效，已拒绝" },
	[KK_FETCH_DAMAGED] = { "DAMAGED", "服务器上的更新包已损坏或不完整，已拒绝" },
	[KK_FETCH_WRONG_TARGET] = { "WRONG_TARGET", "更新包不属于本机的产品或发布渠道，已拒绝" },
	[KK_FETCH_NETWORK] = { "NETWORK", "无法从服务器下载更新，稍后自动重试" },
	[KK_FETCH_CANCELED] = { "CANCELED", "下载已取消" },
	[KK_FETCH_FAILED] = { "FAILED", "本机存储出错或空间不足，下载未完成" },
	[KK_FETCH_TLS] = { "TLS", "更新服务器的证书无法验证，请联系技术人员" },
	[KK_FETCH_INSECURE] = { "INSECURE", "本机只从加密（https）地址更新，此地址未使用，请联系技术人员" },
};

/* OpenSSL's X509_V_ERR_CERT_NOT_YET_VALID and X509_V_ERR_CERT_HAS_EXPIRED (x509_vfy.h, stable
 * numbers): either may be this kiosk's clock rather than the server, so staff are told. */
#define X509_NOT_YET_VALID 9
#define X509_EXPIRED 10
#define TLS_CLOCK_ZH "更新服务器的证书已过期或尚未生效（也可能是本机时间不对），请联系技术人员"

const char *kk_fetch_outcome_name(enum kk_fetch_outcome o)
{
	return (unsigned)o < KK_FETCH_OUTCOME_COUNT ? outcomes[o].name : "UNKNOWN";
}

const char *kk_fetch_outcome_zh(enum kk_fetch_outcome o)
{
	return (unsigned)o < KK_FETCH_OUTCOME_COUNT ? outcomes[o].zh : "未知结果";
}

/* One fetch: the curl handle (reused, so requests share a connection) and where results go. */
struct fetch {
	CURL *h;
	const struct kk_fetch_opts *o;
	const char *redir; /* protocols a redirect may use: the base URL's scheme */
	kk_progress_fn progress;
	void *ctx;
	int *cancel;
	struct kk_fetch_result *res;
	char errbuf[CURL_ERROR_SIZE];
};

/* One request. Exactly one of mem (a small file) and fd >= 0 (the payload) is the target. */
struct xfer {
	struct fetch *f;
	struct kk_buf *mem;
	int fd;
	const char *etag_path; /* payload: where the ETag of the bytes in fd is kept */
	uint64_t offset;       /* payload bytes in fd before the request (Range start) */
	uint64_t total;        /* payload size from the signed manifest */
	uint64_t written;      /* payload bytes in fd now */
	int ranged;
	int decided;           /* the status was looked at (first body byte) */
	long status;
	char etag[ETAG_MAX + 1];
	char content_range[128];
	int err;               /* a kk_err set by a callback, 0 */
	char why[512];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

/* The libcurl functions this file uses, resolved from libcurl.so.4 at the first download. */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	void (*easy_reset)(CURL *h);
	const char *(*easy_strerror)(CURLcode c);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
} lc;

static void curl_init_once(void)
{
	/* the soname of Debian's libcurl4 (libcurl4-openssl-dev installs it; so do the images) */
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		kk_error("fetch", "libcurl cannot be loaded: %s", dlerror());
		return;
	}
#define KK_CURL_SYM(field, name)                                                              \
	do {                                                                                  \
		*(void **)&lc.field = dlsym(h, name);                                          \
		if (!lc.field) {                                                               \
			kk_error("fetch", "libcurl has no %s", name);                            \
			return;                                                                \
		}                                                                              \
	} while (0)
	KK_CURL_SYM(global_init, "curl_global_init");
	KK_CURL_SYM(easy_init, "curl_easy_init");
	KK_CURL_SYM(easy_setopt, "curl_easy_setopt");
	KK_CURL_SYM(easy_perform, "curl_easy_perform");
	KK_CURL_SYM(easy_getinfo, "curl_easy_getinfo");
	KK_CURL_SYM(easy_cleanup, "curl_easy_cleanup");
	KK_CURL_SYM(easy_reset, "curl_easy_reset");
	KK_CURL_SYM(easy_strerror, "curl_easy_strerror");
	KK_CURL_SYM(slist_append, "curl_slist_append");
	KK_CURL_SYM(slist_free_all, "curl_slist_free_all");
#undef KK_CURL_SYM
	curl_ok = lc.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

/* Store the outcome and a formatted English detail; the Chinese message from the table. */
static int set_outcome(struct kk_fetch_result *res, enum kk_fetch_outcome o, int rc,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int set_outcome(struct kk_fetch_result *res, enum kk_fetch_outcome o, int rc,
		       const char *fmt, ...)
{
	va_list ap;

	res->outcome = o;
	snprintf(res->message, sizeof res->message, "%s", kk_fetch_outcome_zh(o));
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof res->detail, fmt, ap);
	va_end(ap);
	return rc;
}

/* A header value (after "Name:") trimmed into out, or -1 when it is not header name. */
static int header_value(const char *line, size_t n, const char *name, char *out, size_t cap)
{
	size_t k = strlen(name), e;

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return -1;
	line += k + 1;
	n -= k + 1;
	while (n && (*line == ' ' || *line == '\t'))
		line++, n--;
	for (e = n; e && (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' ');)
		e--;
	if (e >= cap)
		return -2; /* over our cap: treated as absent */
	memcpy(out, line, e);
	out[e] = '\0';
	return 0;
}

/* libcurl header callback: the ETag and Content-Range of the final response (a new status
 * line, after a redirect, starts over). */
static size_t on_header(char *line, size_t size, size_t nitems, void *p)
{
	struct xfer *x = p;
	size_t n = size * nitems;

	if (n >= 5 && !memcmp(line, "HTTP/", 5)) {
		x->etag[0] = '\0';
		x->content_range[0] = '\0';
	} else if (header_value(line, n, "ETag", x->etag, sizeof x->etag) == -2) {
		x->etag[0] = '\0';
	} else if (header_value(line, n, "Content-Range", x->content_range,
				sizeof x->content_range) == -2) {
		x->content_range[0] = '\0';
	}
	return n;
}

/* 1 when the ETag is strong and safe to send back in a header (printable, no spaces). */
static int etag_strong(const char *e)
{
	size_t n = strlen(e);
	if (n < 2 || e[0] != '"' || e[n - 1] != '"')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (e[i] <= ' ' || e[i] >= 0x7f)
			return 0;
	return 1;
}

static int fail_x(struct xfer *x, int err, const char *why)
{
	x->err = err;
	snprintf(x->why, sizeof x->why, "%s", why);
	return 0;
}

/* The first body byte of a payload response: resume (206 with the exact Content-Range) or
 * start over (200: truncate, keep the new ETag if it is strong); anything else fails. */
static int payload_decide(struct xfer *x)
{
	char want[128];
	int rc;

	if (x->ranged && x->status == 206) {
		snprintf(want, sizeof want, "bytes %llu-%llu/%llu", (unsigned long long)x->offset,
			 (unsigned long long)(x->total - 1), (unsigned long long)x->total);
		if (strcmp(want, x->content_range) != 0) {
			snprintf(x->why, sizeof x->why, "206 with Content-Range \"%s\", expected \"%s\"",
				 x->content_range, want);
			x->err = KK_EPROTO;
			return -1;
		}
		x->f->res->resumed_from = x->offset;
		return 0;
	}
	if (x->status != 200) {
		snprintf(x->why, sizeof x->why, "HTTP status %ld for the payload", x->status);
		x->err = KK_EPROTO;
		return -1;
	}
	if (x->ranged || x->offset) {
		x->f->res->restarts++;
		kk_log(KK_LOG_INFO, "fetch", "server answered 200 to a Range request: starting over");
	}
	if ((unlink(x->etag_path) != 0 && errno != ENOENT) || ftruncate(x->fd, 0) != 0 ||
	    lseek(x->fd, 0, SEEK_SET) != 0) {
		x->err = kk_sync_errno();
		snprintf(x->why, sizeof x->why, "cannot restart the partial payload: %s",
			 strerror(errno));
		return -1;
	}
	x->offset = x->written = 0;
	if (etag_strong(x->etag) &&
	    (rc = kk_sync_write_file(x->etag_path, x->etag, strlen(x->etag))) != 0) {
		x->err = rc;
		snprintf(x->why, sizeof x->why, "cannot write the ETag file");
		return -1;
	}
	return 0;
}

/* libcurl write callback: into the capped memory buffer or the payload file. Returning less
 * than n stops the transfer (CURLE_WRITE_ERROR) with x->err saying why. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *p)
{
	struct xfer *x = p;
	size_t n = size * nmemb;

	if (!x->decided) {
		x->decided = 1;
		lc.easy_getinfo(x->f->h, CURLINFO_RESPONSE_CODE, &x->status);
		if (x->mem && x->status != 200) {
			snprintf(x->why, sizeof x->why, "HTTP status %ld", x->status);
			x->err = KK_EPROTO;
		} else if (!x->mem && payload_decide(x) != 0) {
			return 0;
		}
	}
	if (x->err)
		return 0;
	if (x->mem) {
		if (kk_buf_add(x->mem, data, n) != 0)
			return fail_x(x, KK_E2BIG, "file over its cap");
	} else {
		if (n > x->total - x->written)
			return fail_x(x, KK_E2BIG, "payload larger than the signed manifest says");
		for (size_t done = 0; done < n;) {
			ssize_t w = write(x->fd, data + done, n - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				x->err = kk_sync_errno();
				snprintf(x->why, sizeof x->why, "writing the payload: %s",
					 strerror(errno));
				return 0;
			}
			done += (size_t)w;
		}
		x->written += n;
	}
	x->f->res->received += n;
	return n;
}

/* libcurl progress callback: the cancel flag and the payload progress. */
static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct xfer *x = p;

	if (x->f->cancel && *x->f->cancel)
		return 1;
	if (!x->mem && x->f->progress)
		x->f->progress(x->f->ctx, x->written, x->total);
	return 0;
}

/* Set up the handle for one GET of url into x, perform it and map the result. extra: request
 * headers (may be NULL). Returns 0 or a negative kk_err with res->detail set by the caller. */
static int perform(struct fetch *f, struct xfer *x, const char *url, struct curl_slist *extra,
		   int small)
{
	const struct kk_fetch_opts *o = f->o;
	CURLcode c;
	CURL *h = f->h;

	lc.easy_reset(h);
	f->errbuf[0] = '\0';
	x->f = f;
	lc.easy_setopt(h, CURLOPT_URL, url);
	lc.easy_setopt(h, CURLOPT_PROTOCOLS_STR, o->require_https ? "https" : "http,https");
	lc.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, f->redir);
	lc.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	lc.easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
	lc.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	lc.easy_setopt(h, CURLOPT_ERRORBUFFER, f->errbuf);
	lc.easy_setopt(h, CURLOPT_USERAGENT, "zwgk-kiosk/1 (content sync)");
	/* verification always on (the defaults, said out loud); see fetch.h, TLS */
	lc.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	lc.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	lc.easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (o->ca_file && o->ca_file[0]) {
		lc.easy_setopt(h, CURLOPT_CAINFO, o->ca_file);
		lc.easy_setopt(h, CURLOPT_CAPATH, (char *)NULL); /* that bundle alone */
	}
	lc.easy_setopt(h, CURLOPT_PROXY, o->proxy ? o->proxy : "");
	lc.easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
			 o->connect_timeout > 0 ? o->connect_timeout : (long)KK_FETCH_CONNECT_TIMEOUT);
	lc.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	lc.easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
			 o->stall_timeout > 0 ? o->stall_timeout : (long)KK_FETCH_STALL_TIMEOUT);
	if (small)
		lc.easy_setopt(h, CURLOPT_TIMEOUT, (long)KK_FETCH_SMALL_TIMEOUT);
	else
		lc.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->total);
	if (o->max_rate > 0)
		lc.easy_setopt(h, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)o->max_rate);
	if (extra)
		lc.easy_setopt(h, CURLOPT_HTTPHEADER, extra);
	lc.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	lc.easy_setopt(h, CURLOPT_HEADERDATA, x);
	lc.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	lc.easy_setopt(h, CURLOPT_WRITEDATA, x);
	lc.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	lc.easy_setopt(h, CURLOPT_XFERINFODATA, x);
	lc.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);

	f->res->files++;
	c = lc.easy_perform(h);
	if (!x->decided)
		lc.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x->status);
	f->res->http_status = x->status;
	if (c == CURLE_OK && !x->decided && x->status != 200) {
		snprintf(x->why, sizeof x->why, "HTTP status %ld", x->status);
		return KK_EPROTO;
	}
	if (c == CURLE_OK)
		return 0;
	if (x->err)
		return x->err;
	if (c == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(x->why, sizeof x->why, "canceled");
		return KK_ECANCELED;
	}
	if (c == CURLE_FILESIZE_EXCEEDED) {
		snprintf(x->why, sizeof x->why, "the server announced more bytes than the signed "
						 "manifest says");
		return KK_E2BIG;
	}
	if (c == CURLE_PEER_FAILED_VERIFICATION || c == CURLE_SSL_CACERT_BADFILE ||
	    c == CURLE_SSL_ISSUER_ERROR || c == CURLE_SSL_CRL_BADFILE ||
	    c == CURLE_SSL_INVALIDCERTSTATUS || c == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
		long v = 0;
		lc.easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &v);
		f->res->tls_failed = 1;
		f->res->tls_verify = v;
		snprintf(x->why, sizeof x->why, "TLS: %s (curl %d, X509 verify result %ld)",
			 f->errbuf[0] ? f->errbuf : lc.easy_strerror(c), (int)c, v);
		return KK_EPROTO;
	}
	if (c == CURLE_OPERATION_TIMEDOUT) {
		snprintf(x->why, sizeof x->why, "timed out (server stalled or unreachable): %s",
			 f->errbuf[0] ? f->errbuf : lc.easy_strerror(c));
		return KK_ETIMEDOUT;
	}
	snprintf(x->why, sizeof x->why, "%s", f->errbuf[0] ? f->errbuf : lc.easy_strerror(c));
	return KK_EPROTO;
}

/* GET base/channel/name into b (capped at cap bytes). */
static int get_small(struct fetch *f, const char *base, const char *channel, const char *name,
		     struct kk_buf *b, size_t cap, char *why, size_t why_cap)
{
	char url[KK_FETCH_URL_MAX];
	struct xfer x;
	int rc;

	memset(&x, 0, sizeof x);
	x.fd = -1;
	kk_buf_fini(b);
	kk_buf_init(b, cap);
	x.mem = b;
	if ((rc = kk_fetch_url_join(url, sizeof url, base, channel, name)) != 0) {
		snprintf(why, why_cap, "bad URL for %s (base \"%s\")", name, base);
		return KK_EINVAL;
	}
	rc = perform(f, &x, url, NULL, 1);
	if (rc)
		snprintf(why, why_cap, "GET %s: %s", url, x.why);
	return rc;
}

/* Map a network/local error of a download to an outcome. */
static int net_fail(struct kk_fetch_result *res, int rc, const char *why)
{
	enum kk_fetch_outcome o = KK_FETCH_NETWORK;

	if (rc == KK_ECANCELED)
		o = KK_FETCH_CANCELED;
	else if (res->tls_failed)
		o = KK_FETCH_TLS;
	else if (rc == KK_EIO || rc == KK_ENOSPC || rc == KK_EINVAL)
		o = KK_FETCH_FAILED;
	else if (rc == KK_E2BIG)
		o = KK_FETCH_DAMAGED;
	set_outcome(res, o, rc, "%s", why);
	if (o == KK_FETCH_TLS &&
	    (res->tls_verify == X509_NOT_YET_VALID || res->tls_verify == X509_EXPIRED))
		snprintf(res->message, sizeof res->message, "%s", TLS_CLOCK_ZH);
	return rc;
}

/* Verify the pointer signature with any of the keys. Returns a kk_ms_status (the most telling
 * refusal when none verifies: anything but KEYID). */
static int verify_any(const struct kk_sync_keys *keys, const struct kk_buf *msg,
		      const struct kk_buf *sig)
{
	int st = KK_MS_KEYID;

	for (size_t i = 0; i < keys->n; i++) {
		int s = kk_ms_verify(&keys->pub[i], msg->data, msg->len, sig->data, sig->len, NULL, 0);
		if (s == KK_MS_OK)
			return s;
		if (s != KK_MS_KEYID)
			st = s;
	}
	return st;
}

/* Remove every entry of DATA/downloads except keep. */
static void downloads_prune(const char *dir, const char *keep)
{
	char path[KK_SYNC_PATH_MAX + 64];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, keep))
			continue;
		if (!kk_sync_join(path, sizeof path, dir, e->d_name) && kk_sync_rmtree(path) != 0)
			kk_log(KK_LOG_WARN, "fetch", "cannot remove %s", path);
	}
	closedir(d);
}

/* Download the payload m names into dir, resuming a partial copy when its ETag allows. */
static int get_payload(struct fetch *f, const char *base, const char *channel,
		       const char *folder, const char *dir, const struct kk_manifest *m)
{
	char url[KK_FETCH_URL_MAX], rel[160], path[KK_SYNC_PATH_MAX + 160];
	char etag_path[KK_SYNC_PATH_MAX + 170], etag[ETAG_MAX + 2], range[64];
	char ifrange[ETAG_MAX + 16];
	struct curl_slist *hdr = NULL, *t;
	struct statvfs vfs;
	struct stat sb;
	struct xfer x;
	size_t elen = 0;
	int rc;

	memset(&x, 0, sizeof x);
	x.fd = -1;
	x.total = m->payload_size;
	x.etag_path = etag_path;
	if (snprintf(rel, sizeof rel, "%s/%s", folder, m->payload) >= (int)sizeof rel ||
	    kk_fetch_url_join(url, sizeof url, base, channel, rel) ||
	    kk_sync_join(path, sizeof path, dir, m->payload) ||
	    snprintf(etag_path, sizeof etag_path, "%s.etag", path) >= (int)sizeof etag_path)
		return set_outcome(f->res, KK_FETCH_FAILED, KK_E2BIG, "payload URL or path too long");
	x.fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (x.fd < 0 || fstat(x.fd, &sb) != 0) {
		rc = set_outcome(f->res, KK_FETCH_FAILED, kk_sync_errno(), "%s: %s", path,
				 strerror(errno));
		goto out;
	}
	if ((uint64_t)sb.st_size == x.total) { /* whole from an earlier run; apply checks it */
		rc = 0;
		goto out;
	}
	if (statvfs(dir, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < x.total - (uint64_t)sb.st_size + KK_SYNC_SPACE_MARGIN) {
		rc = set_outcome(f->res, KK_FETCH_FAILED, KK_ENOSPC,
				 "not enough space in %s for a %llu-byte payload", dir,
				 (unsigned long long)x.total);
		goto out;
	}
	if (sb.st_size > 0 && (uint64_t)sb.st_size < x.total &&
	    kk_sync_read_small(etag_path, etag, sizeof etag, &elen) == 0 && etag_strong(etag)) {
		x.ranged = 1;
		x.offset = x.written = (uint64_t)sb.st_size;
		snprintf(range, sizeof range, "Range: bytes=%llu-", (unsigned long long)x.offset);
		snprintf(ifrange, sizeof ifrange, "If-Range: %s", etag);
		if (!(t = lc.slist_append(hdr, range)) || !(hdr = t) ||
		    !(t = lc.slist_append(hdr, ifrange)) || !(hdr = t)) {
			rc = set_outcome(f->res, KK_FETCH_FAILED, KK_ENOMEM, "out of memory");
			goto out;
		}
	} else if (sb.st_size > 0) {
		kk_log(KK_LOG_INFO, "fetch", "partial payload without a strong ETag: starting over");
		f->res->restarts++;
	}
	if (!x.ranged && (ftruncate(x.fd, 0) != 0 || (unlink(etag_path) != 0 && errno != ENOENT))) {
		rc = set_outcome(f->res, KK_FETCH_FAILED, kk_sync_errno(), "%s: %s", path,
				 strerror(errno));
		goto out;
	}
	if (lseek(x.fd, (off_t)x.offset, SEEK_SET) < 0) {
		rc = set_outcome(f->res, KK_FETCH_FAILED, KK_EIO, "%s: seek", path);
		goto out;
	}
	rc = perform(f, &x, url, hdr, 0);
	if (!rc && x.written != x.total) {
		snprintf(x.why, sizeof x.why, "payload ended after %llu of %llu bytes",
			 (unsigned long long)x.written, (unsigned long long)x.total);
		rc = KK_EPROTO;
	}
	if (rc) {
		char why[KK_FETCH_URL_MAX + 600];
		snprintf(why, sizeof why, "GET %s: %s", url, x.why);
		net_fail(f->res, rc, why);
		if (rc == KK_E2BIG) { /* never resume past the cap */
			if (ftruncate(x.fd, 0) != 0)
				kk_log(KK_LOG_WARN, "fetch", "cannot truncate %s", path);
			unlink(etag_path);
		}
	}
out:
	lc.slist_free_all(hdr);
	if (x.fd >= 0)
		close(x.fd);
	return rc;
}

/* The manifest check's reason as a fetch outcome. */
static enum kk_fetch_outcome outcome_of_reason(enum kk_bundle_reason r)
{
	switch (r) {
	case KK_BUNDLE_SIG_MALFORMED:
	case KK_BUNDLE_SIG_ALGORITHM:
	case KK_BUNDLE_SIG_KEY:
	case KK_BUNDLE_SIG_INVALID:
		return KK_FETCH_BAD_SIGNATURE;
	case KK_BUNDLE_WRONG_PRODUCT:
	case KK_BUNDLE_WRONG_CHANNEL:
		return KK_FETCH_WRONG_TARGET;
	case KK_BUNDLE_UP_TO_DATE:
		return KK_FETCH_UP_TO_DATE;
	case KK_BUNDLE_OLDER:
		return KK_FETCH_OLDER;
	default:
		return KK_FETCH_DAMAGED;
	}
}

/* DATA/downloads/E.S for the pointer's version, made; other versions' leftovers go. */
static int prepare_dirs(const char *data_dir, const struct kk_latest *l, char *folder,
			size_t folder_cap, char *dl, size_t dl_cap, char *dir, size_t dir_cap,
			struct kk_fetch_result *res)
{
	int rc;
	if (kk_latest_folder(l->epoch, l->seq, folder, folder_cap) < 0 ||
	    kk_sync_join(dl, dl_cap, data_dir, "downloads") ||
	    kk_sync_join(dir, dir_cap, dl, folder))
		return set_outcome(res, KK_FETCH_FAILED, KK_E2BIG, "data folder path too long");
	if ((rc = kk_sync_mkdir(dl)) != 0)
		return set_outcome(res, KK_FETCH_FAILED, rc, "cannot create %s", dl);
	downloads_prune(dl, folder);
	if ((rc = kk_sync_mkdir(dir)) != 0)
		return set_outcome(res, KK_FETCH_FAILED, rc, "cannot create %s", dir);
	return 0;
}

/*
 * Download the keyrings after version `have` that the channel publishes beside its pointer
 * (CHANNEL/keyring.V and keyring.V.K.minisig, `kioskdb publish`) into dir, stopping at the
 * first V the server does not have (404). Nothing here depends on the pointer, which is not
 * verified yet. Each file is capped. Returns 0 or a transport error (why says what).
 */
static int get_keyrings(struct fetch *f, const char *base, const char *channel,
			const char *dir, uint64_t have, char *why, size_t why_cap)
{
	struct kk_buf b;
	char name[128], path[KK_SYNC_PATH_MAX + 160];
	int rc = 0;

	kk_buf_init(&b, KK_KEYRING_MAX);
	for (uint64_t v = have + 1; v <= have + KK_KEYRING_CHAIN_MAX; v++) {
		snprintf(name, sizeof name, "keyring.%llu", (unsigned long long)v);
		rc = get_small(f, base, channel, name, &b, KK_KEYRING_MAX, why, why_cap);
		if (rc) {
			if (f->res->http_status == 404)
				rc = 0; /* the end of the chain */
			break;
		}
		snprintf(path, sizeof path, "%s/keyring.%llu", dir, (unsigned long long)v);
		if ((rc = kk_sync_write_file(path, b.data, b.len)))
			break;
		for (int k = 1; k <= KK_KEYRING_SIGS_MAX; k++) {
			snprintf(name, sizeof name, "keyring.%llu.%d.minisig", (unsigned long long)v,
				 k);
			rc = get_small(f, base, channel, name, &b, KK_MS_SIGFILE_MAX, why, why_cap);
			if (rc) {
				if (f->res->http_status == 404)
					rc = 0; /* fewer signatures */
				break;
			}
			snprintf(path, sizeof path, "%s/keyring.%llu.%d.minisig", dir,
				 (unsigned long long)v, k);
			if ((rc = kk_sync_write_file(path, b.data, b.len)))
				break;
		}
		if (rc)
			break;
	}
	kk_buf_fini(&b);
	return rc;
}

int kk_sync_fetch(const char *base_url, const char *channel, const char *data_dir,
		  const struct kk_sync_keys *keys, const struct kk_fetch_opts *o,
		  kk_progress_fn progress, void *ctx, int *cancel, char *bundle_dir_out, size_t n,
		  struct kk_fetch_result *res)
{
	static const struct kk_fetch_opts no_opts;
	const char *product;
	char folder[48], dl[KK_SYNC_PATH_MAX + 32], dir[KK_SYNC_PATH_MAX + 96];
	char path[KK_SYNC_PATH_MAX + 128], why[KK_FETCH_URL_MAX + 600], detail[256];
	struct kk_buf ptr, sig, man, msig;
	struct kk_sync_state st;
	struct kk_sync_version offered;
	struct kk_bundle_expect exp;
	struct kk_keyring *kr = NULL;
	struct kk_sync_keys signers;
	struct kk_latest l;
	struct kk_manifest m;
	enum kk_bundle_reason reason = KK_BUNDLE_OK;
	struct fetch f;
	int rc, s, cmp;

	memset(res, 0, sizeof *res);
	memset(&f, 0, sizeof f);
	kk_buf_init(&ptr, KK_LATEST_MAX);
	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	kk_buf_init(&man, KK_MANIFEST_MAX);
	kk_buf_init(&msig, KK_MS_SIGFILE_MAX);
	if (n)
		bundle_dir_out[0] = '\0';
	o = o ? o : &no_opts;
	product = o->product ? o->product : KK_SYNC_PRODUCT;
	f.o = o;
	f.progress = progress;
	f.ctx = ctx;
	f.cancel = cancel;
	f.res = res;
	f.redir = !strncmp(base_url, "https://", 8) ? "https" : "http,https";
	if (!keys || keys->n == 0) {
		rc = set_outcome(res, KK_FETCH_FAILED, KK_EINVAL, "no trusted key");
		goto out;
	}
	if (o->require_https && strncmp(base_url, "https://", 8) != 0) {
		rc = set_outcome(res, KK_FETCH_INSECURE, KK_EPERM,
				 "%s is not an https:// web root and sync_require_https is set: "
				 "nothing requested", base_url);
		goto out;
	}
	rc = kk_sync_open(data_dir, &st);
	if (rc && rc != KK_ENOENT) {
		rc = set_outcome(res, KK_FETCH_FAILED, rc, "data folder %s unusable: %s", data_dir,
				 kk_err_name(rc));
		goto out;
	}
	res->floor = st.floor;
	kr = malloc(sizeof *kr);
	if (!kr) {
		rc = set_outcome(res, KK_FETCH_FAILED, KK_ENOMEM, "out of memory");
		goto out;
	}
	if (kk_sync_keyring_load(data_dir, keys, kr)) {
		rc = set_outcome(res, KK_FETCH_FAILED, KK_ECORRUPT,
				 "the kiosk's keyring is damaged: updates are refused until it is repaired");
		goto out;
	}
	pthread_once(&curl_once, curl_init_once);
	if (!curl_ok || !(f.h = lc.easy_init())) {
		rc = set_outcome(res, KK_FETCH_FAILED, KK_EIO, "libcurl cannot start");
		goto out;
	}

	/* 1. the signed pointer */
	if ((rc = get_small(&f, base_url, channel, KK_LATEST_NAME, &ptr, KK_LATEST_MAX, why,
			    sizeof why)) ||
	    (rc = get_small(&f, base_url, channel, KK_LATEST_SIG, &sig, KK_MS_SIGFILE_MAX, why,
			    sizeof why))) {
		rc = net_fail(res, rc, why);
		goto out;
	}
	/*
	 * Which keys may sign: the release keys of the keyring this kiosk holds (keyring 0: the
	 * image's roots), advanced along the chain the bundle folder carries. The pointer names
	 * that folder before it is verified; the chain is self-authenticating (each keyring is
	 * signed by the roots of the one before), so reading it from an unverified name is safe:
	 * a forged name can only offer keyrings that fail, and then the pointer fails too.
	 */
	if (kk_latest_parse(ptr.data, ptr.len, &l) != 0) {
		rc = set_outcome(res, verify_any(keys, &ptr, &sig) == KK_MS_OK ? KK_FETCH_DAMAGED
										: KK_FETCH_BAD_SIGNATURE,
				 KK_ECORRUPT, "latest pointer: not a pointer we understand");
		goto out;
	}
	memset(&signers, 0, sizeof signers);
	for (size_t i = 0; i < kr->n_release && i < KK_SYNC_KEYS_MAX; i++)
		signers.pub[signers.n++] = kr->release[i];
	keys = &signers;
	if (verify_any(keys, &ptr, &sig) != KK_MS_OK) {
		/* not by a key we hold: a key rotation? walk the chain the channel publishes */
		int adv = 0, kst;
		if ((rc = prepare_dirs(data_dir, &l, folder, sizeof folder, dl, sizeof dl, dir,
				       sizeof dir, res)) != 0)
			goto out;
		if ((rc = get_keyrings(&f, base_url, channel, dir, kr->version, why, sizeof why)) !=
		    0) {
			rc = net_fail(res, rc, why);
			goto out;
		}
		kst = kk_keyring_advance(dir, kr, &adv, detail, sizeof detail);
		if (kst < 0) {
			rc = set_outcome(res, KK_FETCH_BAD_SIGNATURE, KK_ECORRUPT,
					 "keyring chain of %s: %s (%s)", channel,
					 kk_keyring_status_name(kst), detail);
			goto out;
		}
		memset(&signers, 0, sizeof signers);
		for (size_t i = 0; i < kr->n_release && i < KK_SYNC_KEYS_MAX; i++)
			signers.pub[signers.n++] = kr->release[i];
		if ((s = verify_any(keys, &ptr, &sig)) != KK_MS_OK) {
			rc = set_outcome(res, KK_FETCH_BAD_SIGNATURE, KK_ECORRUPT,
					 "latest pointer: signature %s", kk_ms_status_name(s));
			goto out;
		}
	}
	if (strcmp(l.product, product) || strcmp(l.channel, channel)) {
		rc = set_outcome(res, KK_FETCH_WRONG_TARGET, KK_EPERM,
				 "latest pointer for %s/%s, this kiosk is %s/%s", l.product,
				 l.channel, product, channel);
		goto out;
	}
	offered.epoch = l.epoch;
	offered.seq = l.seq;
	res->offered = offered;
	cmp = kk_sync_version_cmp(&offered, &st.floor);
	if (cmp < 0) {
		rc = set_outcome(res, KK_FETCH_OLDER, KK_EVERSION,
				 "server offers %u.%llu, below the floor %u.%llu: nothing downloaded",
				 (unsigned)offered.epoch, (unsigned long long)offered.seq,
				 (unsigned)st.floor.epoch, (unsigned long long)st.floor.seq);
		goto out;
	}
	if (cmp == 0 && st.active && kk_sync_version_cmp(&st.version, &st.floor) == 0) {
		rc = set_outcome(res, KK_FETCH_UP_TO_DATE, KK_EVERSION,
				 "server offers %u.%llu, installed: nothing downloaded",
				 (unsigned)offered.epoch, (unsigned long long)offered.seq);
		goto out;
	}

	/* 2. the download folder (made above already when a keyring chain was read) */
	if ((rc = prepare_dirs(data_dir, &l, folder, sizeof folder, dl, sizeof dl, dir, sizeof dir,
			       res)) != 0)
		goto out;

	/* 3. manifest and signature, checked before the payload */
	snprintf(path, sizeof path, "%s/" KK_BUNDLE_MANIFEST, folder);
	if ((rc = get_small(&f, base_url, channel, path, &man, KK_MANIFEST_MAX, why, sizeof why))) {
		rc = net_fail(res, rc, why);
		goto out;
	}
	snprintf(path, sizeof path, "%s/" KK_BUNDLE_SIGNATURE, folder);
	if ((rc = get_small(&f, base_url, channel, path, &msig, KK_MS_SIGFILE_MAX, why,
			    sizeof why))) {
		rc = net_fail(res, rc, why);
		goto out;
	}
	if ((rc = kk_sync_join(path, sizeof path, dir, KK_BUNDLE_MANIFEST)) ||
	    (rc = kk_sync_write_file(path, man.data, man.len)) ||
	    (rc = kk_sync_join(path, sizeof path, dir, KK_BUNDLE_SIGNATURE)) ||
	    (rc = kk_sync_write_file(path, msig.data, msig.len))) {
		rc = set_outcome(res, KK_FETCH_FAILED, rc, "cannot write %s", path);
		goto out;
	}
	memset(&exp, 0, sizeof exp);
	exp.product = product;
	exp.channel = channel;
	exp.floor_epoch = st.floor.epoch;
	exp.floor_seq = st.floor.seq;
	exp.accept_equal = !(st.active && kk_sync_version_cmp(&st.version, &st.floor) == 0);
	rc = kk_bundle_check_manifest(dir, keys->pub, keys->n, &exp, &m, NULL, &reason, detail,
				      sizeof detail);
	res->reason = reason;
	if (rc) {
		rc = set_outcome(res, outcome_of_reason(reason), rc, "manifest: %s (%s)",
				 kk_bundle_reason_name(reason), detail);
		goto out;
	}
	if (m.epoch != l.epoch || m.seq != l.seq) {
		rc = set_outcome(res, KK_FETCH_DAMAGED, KK_ECORRUPT,
				 "manifest of %u.%llu in the folder of %s (mix-and-match)",
				 (unsigned)m.epoch, (unsigned long long)m.seq, folder);
		goto out;
	}
	res->payload_size = m.payload_size;
	if (m.payload_size > (o->max_payload ? o->max_payload : KK_SYNC_PAYLOAD_CAP)) {
		rc = set_outcome(res, KK_FETCH_DAMAGED, KK_E2BIG, "payload of %llu bytes over the cap",
				 (unsigned long long)m.payload_size);
		goto out;
	}

	/* 4. the payload */
	if ((rc = get_payload(&f, base_url, channel, folder, dir, &m)) != 0)
		goto out;
	if ((size_t)snprintf(bundle_dir_out, n, "%s", dir) >= n) {
		rc = set_outcome(res, KK_FETCH_FAILED, KK_E2BIG, "bundle_dir_out too small");
		goto out;
	}
	rc = set_outcome(res, KK_FETCH_READY, 0, "downloaded %u.%llu into %s (%llu bytes received%s)",
			 (unsigned)l.epoch, (unsigned long long)l.seq, dir,
			 (unsigned long long)res->received, res->resumed_from ? ", resumed" : "");
out:
	if (f.h)
		lc.easy_cleanup(f.h);
	kk_buf_fini(&ptr);
	kk_buf_fini(&sig);
	kk_buf_fini(&man);
	kk_buf_fini(&msig);
	free(kr);
	if (rc)
		kk_log(res->outcome == KK_FETCH_UP_TO_DATE ? KK_LOG_INFO : KK_LOG_WARN, "fetch",
		       "%s: %s", kk_fetch_outcome_name(res->outcome), res->detail);
	return rc;
}

int kk_sync_fetch_apply(const char *base_url, const char *data_dir,
			const struct kk_sync_keys *keys, const struct kk_fetch_opts *o,
			const struct kk_sync_policy *pol, kk_progress_fn progress, void *ctx,
			int *cancel, struct kk_fetch_result *fres, struct kk_sync_result *ares,
			int *applied)
{
	struct kk_fetch_opts fo = o ? *o : (struct kk_fetch_opts){ 0 };
	struct kk_sync_policy own = *pol;
	char dir[KK_SYNC_PATH_MAX + 96];
	int rc, ok;

	*applied = 0;
	memset(ares, 0, sizeof *ares);
	if (pol->product)
		fo.product = pol->product;
	if (pol->max_payload)
		fo.max_payload = pol->max_payload;
	rc = kk_sync_fetch(base_url, pol->channel ? pol->channel : "stable", data_dir, keys, &fo,
			   progress, ctx, cancel, dir, sizeof dir, fres);
	ok = rc == 0 || fres->outcome == KK_FETCH_UP_TO_DATE;
	if (rc == 0) {
		*applied = 1;
		/* the download is the kiosk's own file on its data file system: the apply moves the
		 * payload into staging and hashes it there instead of writing a second copy */
		own.payload_owned = 1;
		rc = kk_sync_apply_dir(data_dir, dir, keys, &own, progress, ctx, cancel, ares);
		ok = ares->outcome == KK_SYNC_APPLIED || ares->outcome == KK_SYNC_UP_TO_DATE;
		if (ok || kk_sync_outcome_refused(ares->outcome))
			kk_sync_rmtree(dir);
	}
	if (kk_sync_fetch_record(data_dir, ok, (int64_t)time(NULL)) != 0)
		kk_log(KK_LOG_WARN, "fetch", "cannot record the attempt in %s/fetch.state", data_dir);
	return rc;
}
