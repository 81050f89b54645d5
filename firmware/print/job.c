/*
 * job.c — the print worker thread, its journal and the page limits (see job.h).
 *
 * DESIGN
 * One worker thread owns the printer and the page source; the UI thread only posts a command
 * (prepare, print, cancel) under the mutex and reads a copy of the status. The worker wakes
 * the UI through opts.wake after every change; it never touches SDL.
 *
 * What can crash where, and why that is safe:
 *   - before the "start" line of a job is on disk: nothing was sent; the job simply never
 *     happened (the resident sees the kiosk restart and can tap 打印 again);
 *   - after "start", before "done"/"failed": some pages may have come out. At the next start
 *     the job is closed as "interrupted" and logged for staff; it is NOT printed again (a
 *     second copy of half a job is worse than asking the resident to tap again);
 *   - the day counter is written to a temporary file, fsync'd and renamed over the old one:
 *     after a crash it holds the old or the new count, and a torn write is never read.
 * The journal is append-only text; a torn last line (power cut) is ignored when read. It is
 * rotated to journal.1 when it passes JOURNAL_MAX at start-up.
 */
#include "print/job.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/sys.h"
#include "print/devid.h"
#include "print/lang.h"
#include "print/status.h"

#define MOD "print"
#define JOURNAL_MAX (1u << 20)
#define JOURNAL_LINE_MAX 512
#define OPEN_JOBS_MAX 64
#define NO_LIMIT 0xffffffffu

enum cmd { CMD_NONE = 0, CMD_PREPARE, CMD_PRINT, CMD_RELEASE };

struct kk_print_service {
	struct kk_print_service_opts o;
	char *spool, *uri_text;
	struct kk_printer_uri uri;
	int uri_err;

	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int quit;
	enum cmd cmd;
	struct kk_print_req req;
	unsigned first, last, copies;
	atomic_int cancel;
	struct kk_print_status st;
	unsigned session_pages, day_pages;
	char day[16];
	uint64_t next_job;
	double confirm_t; /* when 开始打印 was tapped (monotonic s), for the tap-to-first-byte time */

	/* worker-only: held from a successful prepare until the job ends or is cancelled */
	struct kk_printer *prn;
	struct kk_printer_caps caps;
	struct kk_print_pages pages;
	int have_pages;
};

/* ---- small helpers ---- */

static void today(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d", &tm);
}

/* Append one line to the journal and fsync it. The line is cut at JOURNAL_LINE_MAX. */
static int journal_add(struct kk_print_service *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int journal_add(struct kk_print_service *s, const char *fmt, ...)
{
	char path[600], line[JOURNAL_LINE_MAX];
	va_list ap;
	int fd, n, rc = 0;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return KK_EINVAL;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	snprintf(path, sizeof path, "%s/journal", s->spool);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return KK_EIO;
	if (write(fd, line, (size_t)n) != n || fsync(fd) != 0)
		rc = KK_EIO;
	close(fd);
	if (rc)
		kk_error(MOD, "journal %s: write failed: %s", path, strerror(errno));
	return rc;
}

/* Titles go into one journal line: no newlines, tabs or control bytes. */
static void clean_title(const char *in, char *out, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; in[i] && j + 1 < n; i++)
		out[j++] = (unsigned char)in[i] < 0x20 ? ' ' : in[i];
	out[j] = '\0';
}

/*
 * Read the journal: the next job id, and every job that started and never ended, which is
 * closed now as interrupted. Lines are "<id> <word> ..."; anything else (a torn line) is
 * skipped. The file is ours, but a power cut can cut it anywhere.
 */
static int journal_replay(struct kk_print_service *s)
{
	char path[600], line[JOURNAL_LINE_MAX + 2];
	uint64_t open_ids[OPEN_JOBS_MAX], max_id = 0;
	size_t n_open = 0;
	struct stat sb;
	FILE *f;

	snprintf(path, sizeof path, "%s/journal", s->spool);
	if (stat(path, &sb) == 0 && (uint64_t)sb.st_size > JOURNAL_MAX) {
		char old[610];
		snprintf(old, sizeof old, "%s.1", path);
		if (rename(path, old) != 0)
			kk_warn(MOD, "journal rotation failed: %s", strerror(errno));
	}
	f = fopen(path, "re");
	if (!f) {
		s->next_job = 1;
		return errno == ENOENT ? 0 : KK_EIO;
	}
	while (fgets(line, sizeof line, f)) {
		unsigned long long id;
		char word[16];
		size_t len = strlen(line);
		if (len == 0 || line[len - 1] != '\n') { /* torn or over-long: skip the rest */
			int c;
			while (len && line[len - 1] != '\n' && (c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (sscanf(line, "%llu %15s", &id, word) != 2 || id == 0)
			continue;
		if (id > max_id)
			max_id = id;
		if (!strcmp(word, "start")) {
			if (n_open < OPEN_JOBS_MAX)
				open_ids[n_open++] = id;
		} else {
			for (size_t i = 0; i < n_open; i++)
				if (open_ids[i] == id) {
					open_ids[i] = open_ids[--n_open];
					break;
				}
		}
	}
	fclose(f);
	s->next_job = max_id + 1;
	if (s->next_job == 0)
		s->next_job = 1;
	for (size_t i = 0; i < n_open; i++) {
		kk_error(MOD, "job %llu was interrupted (kiosk restarted while printing); not printed "
			      "again", (unsigned long long)open_ids[i]);
		journal_add(s, "%llu interrupted", (unsigned long long)open_ids[i]);
	}
	return 0;
}

/* SPOOL/day holds "YYYY-MM-DD N". Another day or a damaged file means 0 today. */
static void day_load(struct kk_print_service *s)
{
	char path[600], buf[64], d[16];
	unsigned long n;
	FILE *f;

	today(s->day, sizeof s->day);
	s->day_pages = 0;
	snprintf(path, sizeof path, "%s/day", s->spool);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, sizeof buf, f) && sscanf(buf, "%15s %lu", d, &n) == 2 &&
	    !strcmp(d, s->day) && n < 1000000)
		s->day_pages = (unsigned)n;
	fclose(f);
}

static int day_save(struct kk_print_service *s)
{
	char path[600], tmp[610];
	int fd, n, rc = 0;
	char buf[64];

	snprintf(path, sizeof path, "%s/day", s->spool);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	n = snprintf(buf, sizeof buf, "%s %u\n", s->day, s->day_pages);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return KK_EIO;
	if (write(fd, buf, (size_t)n) != n || fsync(fd) != 0)
		rc = KK_EIO;
	close(fd);
	if (!rc && rename(tmp, path) != 0)
		rc = KK_EIO;
	if (!rc)
		rc = kk_fsync_path(s->spool, 1);
	if (rc)
		kk_error(MOD, "day counter %s not saved: %s", path, strerror(errno));
	return rc;
}

static unsigned left_of(unsigned limit, unsigned used)
{
	if (limit == 0)
		return NO_LIMIT;
	return used >= limit ? 0 : limit - used;
}

/* Refresh the limits in st; the day rolls over at local midnight. Under the mutex. */
static void limits_refresh(struct kk_print_service *s)
{
	char d[16];
	today(d, sizeof d);
	if (strcmp(d, s->day)) {
		snprintf(s->day, sizeof s->day, "%s", d);
		s->day_pages = 0;
	}
	s->st.session_left = left_of(s->o.pages_per_session, s->session_pages);
	s->st.day_left = left_of(s->o.pages_per_day, s->day_pages);
}

static void wake(struct kk_print_service *s)
{
	if (s->o.wake)
		s->o.wake(s->o.wake_ctx);
}

unsigned kk_print_estimate(unsigned pages, unsigned seconds_per_page)
{
	/* the first page of a cold laser takes about 10 s (fuser warm-up) */
	return 10 + pages * (seconds_per_page ? seconds_per_page : 4);
}

int kk_print_range_parse(const char *s, unsigned n, unsigned *first, unsigned *last)
{
	unsigned long a, b;
	char *e;

	if (n == 0)
		return KK_EINVAL;
	if (!s || !*s || !strcmp(s, "all")) {
		*first = 0;
		*last = n - 1;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return KK_EINVAL;
	errno = 0;
	a = strtoul(s, &e, 10);
	b = a;
	if (!errno && *e == '-') {
		const char *q = e + 1;
		if (*q < '0' || *q > '9')
			return KK_EINVAL;
		b = strtoul(q, &e, 10);
	}
	if (errno || *e || a < 1 || b < a || b > n)
		return KK_EINVAL;
	*first = (unsigned)(a - 1);
	*last = (unsigned)(b - 1);
	return 0;
}

/* The resident's sentence for an error of opening or printing. */
static const char *message_for(int err, unsigned problems)
{
	if (problems && *kk_print_problem_text(problems))
		return kk_print_problem_text(problems);
	switch (err) {
	case KK_ENODEV: return "没有找到打印机，或打印机连接已断开，请联系工作人员。";
	case KK_ETIMEDOUT: return "打印机没有响应，请联系工作人员。";
	case KK_ECANCELED: return "已取消打印。";
	case KK_EPROTO: return "打印机出现故障，请联系工作人员。";
	case KK_ENOMEM:
	case KK_E2BIG: return "文件太大，暂时无法打印，请联系工作人员。";
	}
	return "打印没有完成，请联系工作人员。";
}

/* ---- the worker ---- */

static void release_job(struct kk_print_service *s)
{
	if (s->have_pages && s->o.layouter.release)
		s->o.layouter.release(s->o.layouter.ctx, &s->pages);
	memset(&s->pages, 0, sizeof s->pages);
	s->have_pages = 0;
	kk_printer_close(s->prn);
	s->prn = NULL;
}

/* Finish the current job in state `state` with err/message/detail; under the mutex. */
static void finish(struct kk_print_service *s, int state, int err, const char *msg,
		   const char *detail)
{
	s->st.state = state;
	s->st.err = err;
	snprintf(s->st.message, sizeof s->st.message, "%s", msg ? msg : "");
	snprintf(s->st.detail, sizeof s->st.detail, "%s", detail ? detail : "");
}

static void do_prepare(struct kk_print_service *s, const struct kk_print_req *req)
{
	char why[256] = "", msg[256] = "";
	struct kk_printer_caps caps = { 0 };
	struct kk_print_pages pages = { 0 };
	struct kk_printer *prn = NULL;
	int rc, timeout = s->o.probe_timeout_ms ? s->o.probe_timeout_ms : 8000;
	double t0 = kk_mono_s();

	release_job(s);
	if (s->uri_err || s->uri.scheme == KK_PRN_NONE) {
		pthread_mutex_lock(&s->mu);
		finish(s, KK_PJ_REFUSED, KK_ENODEV, "本机没有配置打印机，请联系工作人员。",
		       s->uri_err ? "printer URI in the configuration is invalid" : "printer = none");
		pthread_mutex_unlock(&s->mu);
		return;
	}
	rc = kk_printer_open(&s->uri, timeout, &prn, &caps, why, sizeof why);
	if (rc) {
		kk_warn(MOD, "printer %s: %s (%s)", s->uri_text, why, kk_err_name(rc));
		pthread_mutex_lock(&s->mu);
		if (rc == KK_EPERM) /* why is the Chinese sentence for staff naming the model */
			finish(s, KK_PJ_REFUSED, rc, why, "printer cannot be driven");
		else
			finish(s, KK_PJ_FAILED, rc, message_for(rc, caps.problems), why);
		pthread_mutex_unlock(&s->mu);
		return;
	}
	rc = s->o.layouter.layout(s->o.layouter.ctx, req, &caps, &pages, msg, sizeof msg);
	if (rc || pages.n == 0) {
		kk_error(MOD, "layout of %s %lld failed: %s %s",
			 req->kind == KK_PRINT_GUIDE ? "guide" : "document", (long long)req->id,
			 kk_err_name(rc), msg);
		kk_printer_close(prn);
		if (!rc && s->o.layouter.release)
			s->o.layouter.release(s->o.layouter.ctx, &pages);
		pthread_mutex_lock(&s->mu);
		finish(s, KK_PJ_FAILED, rc ? rc : KK_EINVAL, message_for(rc, 0), msg);
		pthread_mutex_unlock(&s->mu);
		return;
	}
	s->prn = prn;
	s->caps = caps;
	s->pages = pages;
	s->have_pages = 1;
	pthread_mutex_lock(&s->mu);
	if (s->cancel) { /* went back while we were preparing */
		pthread_mutex_unlock(&s->mu);
		release_job(s);
		pthread_mutex_lock(&s->mu);
		s->st.state = KK_PJ_IDLE;
	} else {
		s->st.state = KK_PJ_READY;
		s->st.prepare_s = kk_mono_s() - t0;
		s->st.pages = pages.n;
		s->st.first = 0;
		s->st.last = pages.n - 1;
		s->st.copies = 1;
		s->st.problems = caps.problems;
		s->st.est_seconds = kk_print_estimate(pages.n, s->o.seconds_per_page);
		snprintf(s->st.printer, sizeof s->st.printer, "%s", caps.model);
		snprintf(s->st.message, sizeof s->st.message, "%s",
			 kk_print_problem_text(caps.problems));
	}
	pthread_mutex_unlock(&s->mu);
}

static void on_progress(void *ctx, unsigned done, unsigned total, unsigned problems)
{
	struct kk_print_service *s = ctx;
	pthread_mutex_lock(&s->mu);
	s->st.done = done;
	s->st.total = total;
	s->st.problems |= problems;
	if (problems)
		snprintf(s->st.message, sizeof s->st.message, "%s", kk_print_problem_text(problems));
	pthread_mutex_unlock(&s->mu);
	wake(s);
}

static void do_print(struct kk_print_service *s, unsigned first, unsigned last, unsigned copies)
{
	struct kk_print_send snd = { 0 };
	struct kk_print_outcome res = { 0 };
	char title[200];
	uint64_t job;
	unsigned used;
	double t_send;
	int rc;

	pthread_mutex_lock(&s->mu);
	job = s->next_job++;
	s->st.job = job;
	pthread_mutex_unlock(&s->mu);
	clean_title(s->req.title, title, sizeof title);
	if (journal_add(s, "%llu start %lld %s %lld %u-%u x%u %s", (unsigned long long)job,
			(long long)time(NULL), s->req.kind == KK_PRINT_GUIDE ? "guide" : "doc",
			(long long)s->req.id, first + 1, last + 1, copies, title)) {
		/* without the journal a crash could print this twice: refuse */
		pthread_mutex_lock(&s->mu);
		finish(s, KK_PJ_FAILED, KK_EIO, "打印暂时不可用，请联系工作人员。",
		       "cannot write the print journal");
		pthread_mutex_unlock(&s->mu);
		release_job(s);
		return;
	}
	kk_info(MOD, "job %llu: %s %lld \"%s\" pages %u-%u x%u on %s", (unsigned long long)job,
		s->req.kind == KK_PRINT_GUIDE ? "guide" : "doc", (long long)s->req.id, title,
		first + 1, last + 1, copies, s->caps.model);
	snd.first = first;
	snd.last = last;
	snd.copies = copies;
	snd.title = s->req.title;
	snd.cancel = &s->cancel;
	snd.progress = on_progress;
	snd.ctx = s;
	t_send = kk_mono_s();
	rc = kk_printer_send(s->prn, &s->pages, &snd, &res);
	used = res.pages_sent;

	pthread_mutex_lock(&s->mu);
	s->session_pages += used;
	s->day_pages += used;
	s->st.problems |= res.problems;
	s->st.print_s = kk_mono_s() - s->confirm_t;
	s->st.first_byte_s = res.bytes || res.first_byte_s > 0 ? (t_send - s->confirm_t) + res.first_byte_s : 0;
	s->st.first_page_s = res.pages_sent ? (t_send - s->confirm_t) + res.first_page_s : 0;
	s->st.bytes = res.bytes;
	if (rc == 0) {
		finish(s, KK_PJ_DONE, 0, "请在打印机出纸口取走文件。", res.detail);
	} else if (rc == KK_ECANCELED) {
		finish(s, KK_PJ_CANCELED, rc, "已取消打印。", res.detail);
	} else {
		finish(s, KK_PJ_FAILED, rc, message_for(rc, res.problems), res.detail);
	}
	limits_refresh(s);
	pthread_mutex_unlock(&s->mu);

	if (used)
		day_save(s);
	if (rc == 0) {
		journal_add(s, "%llu done %u %llu", (unsigned long long)job, used,
			    (unsigned long long)res.bytes);
		kk_info(MOD, "job %llu done: %u page(s), %llu bytes, first byte after %.3f s",
			(unsigned long long)job, used, (unsigned long long)res.bytes,
			res.first_byte_s);
	} else {
		char names[128];
		kk_print_problem_names(res.problems, names, sizeof names);
		journal_add(s, "%llu %s %s %u", (unsigned long long)job,
			    rc == KK_ECANCELED ? "canceled" : "failed", kk_err_name(rc), used);
		kk_error(MOD, "job %llu %s after %u page(s): %s %s [%s]", (unsigned long long)job,
			 rc == KK_ECANCELED ? "canceled" : "failed", used, kk_err_name(rc),
			 res.detail, names);
	}
	release_job(s);
}

static void *worker(void *arg)
{
	struct kk_print_service *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		enum cmd c;
		struct kk_print_req req;
		unsigned first, last, copies;
		while (!s->quit && s->cmd == CMD_NONE)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->quit)
			break;
		c = s->cmd;
		s->cmd = CMD_NONE;
		req = s->req;
		first = s->first;
		last = s->last;
		copies = s->copies;
		pthread_mutex_unlock(&s->mu);
		if (c == CMD_PREPARE)
			do_prepare(s, &req);
		else if (c == CMD_PRINT)
			do_print(s, first, last, copies);
		else if (c == CMD_RELEASE)
			release_job(s);
		wake(s);
		pthread_mutex_lock(&s->mu);
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	release_job(s);
	return NULL;
}

/* ---- the API the UI calls ---- */

int kk_print_service_start(const struct kk_print_service_opts *o, struct kk_print_service **out)
{
	struct kk_print_service *s;
	char err[256];
	int rc;

	*out = NULL;
	if (!o || !o->spool_dir || !*o->spool_dir || !o->layouter.layout || o->max_copies < 1 ||
	    o->max_copies > KK_PRINT_MAX_COPIES)
		return KK_EINVAL;
	s = calloc(1, sizeof *s);
	if (!s)
		return KK_ENOMEM;
	s->o = *o;
	s->spool = strdup(o->spool_dir);
	s->uri_text = strdup(o->printer_uri ? o->printer_uri : "none");
	if (!s->spool || !s->uri_text) {
		rc = KK_ENOMEM;
		goto fail;
	}
	s->o.spool_dir = s->spool;
	s->o.printer_uri = s->uri_text;
	s->uri_err = kk_printer_uri_parse(s->uri_text, &s->uri, err, sizeof err);
	if (s->uri_err)
		kk_error(MOD, "printer: %s", err);
	if (kk_mkdir_p(s->spool, 0755) != 0) { /* DATA_DIR may not exist yet on a fresh board */
		kk_error(MOD, "spool %s: %s", s->spool, strerror(errno));
		rc = KK_EIO;
		goto fail;
	}
	rc = journal_replay(s);
	if (rc) {
		kk_error(MOD, "journal in %s unreadable", s->spool);
		goto fail;
	}
	day_load(s);
	limits_refresh(s);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->th, NULL, worker, s) != 0) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		rc = KK_ENOMEM;
		goto fail;
	}
	s->started = 1;
	*out = s;
	return 0;
fail:
	free(s->spool);
	free(s->uri_text);
	free(s);
	return rc;
}

void kk_print_service_stop(struct kk_print_service *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->quit = 1;
	s->cancel = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->spool);
	free(s->uri_text);
	free(s);
}

static int busy(const struct kk_print_service *s)
{
	return s->cmd != CMD_NONE || s->st.state == KK_PJ_PREPARING ||
	       s->st.state == KK_PJ_PRINTING;
}

int kk_print_prepare(struct kk_print_service *s, const struct kk_print_req *req)
{
	int rc = 0;
	pthread_mutex_lock(&s->mu);
	if (busy(s)) {
		rc = KK_EBUSY;
	} else {
		s->req = *req;
		s->req.title[sizeof s->req.title - 1] = '\0';
		s->cancel = 0;
		memset(&s->st.req, 0, sizeof s->st.req);
		s->st.req = s->req;
		s->st.state = KK_PJ_PREPARING;
		s->st.prepare_seq++;
		s->st.pages = s->st.done = s->st.total = s->st.problems = 0;
		s->st.err = 0;
		s->st.message[0] = s->st.detail[0] = s->st.printer[0] = '\0';
		limits_refresh(s);
		s->cmd = CMD_PREPARE;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	wake(s);
	return rc;
}

int kk_print_confirm(struct kk_print_service *s, unsigned first, unsigned last, unsigned copies)
{
	unsigned want;
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	limits_refresh(s);
	if (s->st.state != KK_PJ_READY || s->cmd != CMD_NONE) {
		rc = KK_EBUSY;
		goto out;
	}
	if (first > last || last >= s->st.pages || copies < 1) {
		rc = KK_EINVAL;
		goto out;
	}
	want = (last - first + 1) * copies;
	if (copies > s->o.max_copies) {
		snprintf(s->st.message, sizeof s->st.message, "每次最多打印 %u 份。",
			 s->o.max_copies);
		rc = KK_EPERM;
	} else if (want > s->st.day_left) {
		snprintf(s->st.message, sizeof s->st.message,
			 s->st.day_left ? "今天还可以打印 %u 页，请减少页数，或联系工作人员。"
					: "今天的打印量已经用完，请明天再来，或联系工作人员。",
			 s->st.day_left);
		rc = KK_EPERM;
	} else if (want > s->st.session_left) {
		snprintf(s->st.message, sizeof s->st.message,
			 s->st.session_left
				 ? "每位读者每次最多打印 %u 页，您还可以打印 %u 页，请减少页数。"
				 : "每位读者每次最多打印 %u 页，您已经用完了。如需更多，请联系工作人员。",
			 s->o.pages_per_session, s->st.session_left);
		rc = KK_EPERM;
	}
	if (rc) { /* stay READY: the resident can choose fewer pages */
		s->st.err = rc;
		goto out;
	}
	s->first = first;
	s->last = last;
	s->copies = copies;
	s->cancel = 0;
	s->st.state = KK_PJ_PRINTING;
	s->st.first = first;
	s->st.last = last;
	s->st.copies = copies;
	s->st.done = 0;
	s->st.total = (last - first + 1) * copies;
	s->st.est_seconds = kk_print_estimate(s->st.total, s->o.seconds_per_page);
	s->st.err = 0;
	s->st.message[0] = '\0';
	s->cmd = CMD_PRINT;
	s->confirm_t = kk_mono_s();
	pthread_cond_broadcast(&s->cv);
out:
	pthread_mutex_unlock(&s->mu);
	wake(s);
	return rc;
}

void kk_print_cancel(struct kk_print_service *s)
{
	pthread_mutex_lock(&s->mu);
	s->cancel = 1;
	if (s->st.state == KK_PJ_READY && s->cmd == CMD_NONE) {
		/* the worker holds the printer and the layout of the preview: let it free them */
		s->st.state = KK_PJ_IDLE;
		s->cmd = CMD_RELEASE;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	wake(s);
}

void kk_print_dismiss(struct kk_print_service *s)
{
	pthread_mutex_lock(&s->mu);
	if (s->st.state == KK_PJ_DONE || s->st.state == KK_PJ_FAILED ||
	    s->st.state == KK_PJ_CANCELED || s->st.state == KK_PJ_REFUSED)
		s->st.state = KK_PJ_IDLE;
	pthread_mutex_unlock(&s->mu);
	wake(s);
}

void kk_print_session_reset(struct kk_print_service *s)
{
	pthread_mutex_lock(&s->mu);
	s->session_pages = 0;
	limits_refresh(s);
	pthread_mutex_unlock(&s->mu);
}

void kk_print_status_get(struct kk_print_service *s, struct kk_print_status *out)
{
	pthread_mutex_lock(&s->mu);
	limits_refresh(s);
	*out = s->st;
	pthread_mutex_unlock(&s->mu);
}

int kk_print_wait(struct kk_print_service *s, int timeout_ms)
{
	struct timespec dl;
	int rc = 0;
	kk_deadline_ms(&dl, timeout_ms);
	pthread_mutex_lock(&s->mu);
	while (busy(s) && rc == 0)
		if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) == ETIMEDOUT)
			rc = busy(s) ? KK_ETIMEDOUT : 0;
	pthread_mutex_unlock(&s->mu);
	return rc;
}
