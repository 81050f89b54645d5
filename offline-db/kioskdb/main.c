/*
 * main.c — `kioskdb`, the publisher's content tool.
 *
 *   kioskdb build --src DIR --out FILE.db     build a content database from an export
 *   kioskdb validate --src DIR                list every problem of an export
 *   kioskdb info FILE.db                      counts per kind, version and date
 *   kioskdb gen --out DIR [--documents N] [--guides N] [--seed S]
 *                                             write a synthetic export (benchmarks)
 *   kioskdb migrate FILE.db                   upgrade an older database in place
 *   kioskdb search FILE.db QUERY [--limit N] [--explain]
 *                                             ranked search results, one a line
 *   kioskdb keygen --out PREFIX               a signing key pair: PREFIX.pub, PREFIX.key
 *   kioskdb keyring --root SECRET[,SECRET] --release PUB[,PUB] --version N --out DIR
 *           [--prev-root SECRET[,SECRET]] [--threshold T] [--expires DATE]
 *                                             DIR/keyring.N signed by its roots (and the
 *                                             previous keyring's roots when rotating)
 *   kioskdb bundle --db NEW.db --key SECRET --out DIR [--channel C] [--epoch E --seq S]
 *           [--keyring DIR] [--base OLD.db]   a signed content bundle, full or a delta from
 *                                             OLD.db (carrying the keyring chain of DIR)
 *   kioskdb verify DIR --pub KEY[,KEY] [--floor E.S] [--channel C]
 *                                             check a bundle as a kiosk does
 *   kioskdb inspect DIR                       what a bundle holds (not a verification)
 *   kioskdb site-sign --key SECRET [--serial N] [--for ID|*] [--force] site.conf
 *                                             site.conf.minisig for provisioning from a stick
 *
 * Exit status: 0 success, 1 problems found / operation failed, 2 usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/sys.h"
#include "catalog/catalog.h"
#include "catalog/catalog_build.h"
#include "catalog/delta.h"
#include "kioskdb/export.h"
#include "kioskdb/gen.h"
#include "kioskdb/html.h"
#include "sync/apply.h"
#include "sync/bundle.h"
#include "sync/keyring.h"
#include "sync/latest.h"
#include "sync/manifest.h"
#include "sync/minisign.h"
#include "sync/service.h"
#include "sync/siteconf.h"

static void usage(FILE *f)
{
	fputs("usage: kioskdb COMMAND [OPTIONS]\n"
	      "\n"
	      "  build --src DIR --out FILE.db   build a content database from an export folder\n"
	      "  validate --src DIR              check an export; print every problem as\n"
	      "                                  file:line: field: message\n"
	      "  info FILE.db                    counts per kind, content version and date\n"
	      "  gen --out DIR [--documents N] [--guides N] [--seed S]\n"
	      "                                  write a synthetic export for benchmarks\n"
	      "  migrate FILE.db                 upgrade an older database to this schema\n"
	      "  html FILE.db [ID]               print a document (default: the newest) as one\n"
	      "                                  standalone HTML page\n"
	      "  search FILE.db QUERY [--limit N] [--explain]\n"
	      "                                  search as the kiosk does; prints the ranked\n"
	      "                                  results, one a line: kind<TAB>id<TAB>title\n"
	      "                                  (--explain: the FTS5 expression on stderr)\n"
	      "  keygen --out PREFIX             a signing key pair: PREFIX.pub (for kiosks and\n"
	      "                                  minisign -V) and PREFIX.key (keep it offline)\n"
	      "  keyring --root SECRET[,SECRET] --release PUB[,PUB] --version N --out DIR\n"
	      "          [--prev-root SECRET[,SECRET]] [--threshold T] [--expires YYYY-MM-DD]\n"
	      "                                  DIR/keyring.N: the roots (public halves of\n"
	      "                                  --root) and the release keys allowed to sign\n"
	      "                                  bundles, signed by every --root and, for a\n"
	      "                                  rotation, every --prev-root (keyring N-1's\n"
	      "                                  roots) as DIR/keyring.N.K.minisig\n"
	      "  bundle --db NEW.db --key SECRET --out DIR [--channel C] [--epoch E --seq S]\n"
	      "          [--keyring KDIR] [--base OLD.db]\n"
	      "                                  a signed bundle in the new folder DIR (default\n"
	      "                                  channel stable, version from the db); --base:\n"
	      "                                  a delta from OLD.db (SQLite changeset), or a\n"
	      "                                  full bundle when the delta is over half its size;\n"
	      "                                  --keyring copies KDIR's keyring chain into it\n"
	      "  verify DIR --pub KEY[,KEY] [--floor E.S] [--channel C]\n"
	      "                                  check a bundle as a kiosk with these root keys\n"
	      "                                  and content E.S would (default 0.0, channel\n"
	      "                                  stable), walking the keyring chain it carries\n"
	      "  inspect DIR                     version, channel, type, sizes and counts of a\n"
	      "                                  bundle (unverified: use verify first)\n"
	      "  pin-hash                        read a staff PIN (4-16 digits) on stdin, print\n"
	      "                                  the staff_pin_hash line for kiosk.conf\n"
	      "  site-sign --key SECRET [--serial N] [--for ID|*] [--force] site.conf\n"
	      "                                  check site.conf as flash.sh does and write\n"
	      "                                  site.conf.minisig beside it (a ROOT key; serial\n"
	      "                                  default: now in seconds; --for default: its\n"
	      "                                  kiosk_id; * = any kiosk); a stick's kiosk-setup/\n"
	      "                                  folder with both provisions a kiosk. --force\n"
	      "                                  signs a config with problems (tests only)\n"
	      "  publish --bundle DIR --key SECRET --out WEBROOT [--channel C]\n"
	      "                                  copy a verified bundle to WEBROOT/C/E.S/ and\n"
	      "                                  point the signed WEBROOT/C/latest at it\n"
	      "\n"
	      "The export format is described in offline-db/FORMAT.md.\n",
	      f);
}

/* Find "--name value" in argv; returns the value or NULL. Marks nothing: options are few. */
static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 2; i < argc - 1; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

/* Reject options we do not know, so a typo never silently does something else. */
static int check_opts(int argc, char **argv, const char *const *known, int positional)
{
	int pos = 0;
	for (int i = 2; i < argc; i++) {
		int ok = 0;
		if (argv[i][0] != '-') {
			if (++pos > positional) {
				fprintf(stderr, "kioskdb: unexpected argument \"%s\"\n", argv[i]);
				return -1;
			}
			continue;
		}
		for (const char *const *k = known; *k; k++)
			if (!strcmp(argv[i], *k))
				ok = 1;
		if (!ok || i + 1 >= argc) {
			fprintf(stderr, "kioskdb: %s \"%s\"\n", ok ? "missing value for" : "unknown option",
				argv[i]);
			return -1;
		}
		i++;
	}
	return pos == positional ? 0 : -1;
}

static int cmd_build(int argc, char **argv)
{
	static const char *const known[] = { "--src", "--out", NULL };
	const char *src = opt(argc, argv, "--src"), *out = opt(argc, argv, "--out");
	struct kk_export_stats st;
	struct kk_writer *w = NULL;
	struct kk_buf tmp;
	char *dircopy = NULL;
	int rc;

	if (check_opts(argc, argv, known, 0) || !src || !out) {
		usage(stderr);
		return 2;
	}
	/* Build next to the output and rename into place only when complete and checked. */
	kk_buf_init(&tmp, 4096);
	if (kk_buf_addf(&tmp, "%s.tmp-%ld", out, (long)getpid())) {
		fprintf(stderr, "kioskdb: output path too long\n");
		return 1;
	}
	unlink(tmp.data);
	rc = kk_writer_open(tmp.data, &w);
	if (rc) {
		fprintf(stderr, "kioskdb: cannot create %s (%s)\n", tmp.data, kk_err_name(rc));
		goto out;
	}
	rc = kk_export_read(src, w, stdout, &st);
	if (rc) {
		kk_writer_abort(w);
		if (rc == KK_EINVAL)
			fprintf(stderr, "kioskdb: %ld problem(s) in %s; nothing was written\n",
				st.problems, src);
		else
			fprintf(stderr, "kioskdb: build failed (%s); nothing was written\n",
				kk_err_name(rc));
		goto out;
	}
	rc = kk_writer_finish(w);
	if (rc) {
		fprintf(stderr, "kioskdb: the built database failed its checks (%s)\n", kk_err_name(rc));
		goto out;
	}
	dircopy = kk_strdup(out);
	if (kk_fsync_path(tmp.data, 0) || rename(tmp.data, out) != 0 ||
	    kk_fsync_path(dirname(dircopy), 1)) {
		fprintf(stderr, "kioskdb: cannot move %s into place: %s\n", out, strerror(errno));
		rc = KK_EIO;
		goto out;
	}
	printf("built %s: %ld documents, %ld guides, %ld attachments, %ld images, %ld synonym groups"
	       " (%ld warnings)\n",
	       out, st.documents, st.guides, st.attachments, st.media, st.synonym_groups, st.warnings);
out:
	if (rc)
		unlink(tmp.data);
	free(dircopy);
	kk_buf_fini(&tmp);
	return rc ? 1 : 0;
}

static int cmd_validate(int argc, char **argv)
{
	static const char *const known[] = { "--src", NULL };
	const char *src = opt(argc, argv, "--src");
	struct kk_export_stats st;
	int rc;

	if (check_opts(argc, argv, known, 0) || !src) {
		usage(stderr);
		return 2;
	}
	rc = kk_export_read(src, NULL, stdout, &st);
	printf("%s: %ld documents, %ld guides, %ld attachments: %ld problem(s), %ld warning(s)\n", src,
	       st.documents, st.guides, st.attachments, st.problems, st.warnings);
	return rc ? 1 : 0;
}

static int cmd_info(int argc, char **argv)
{
	static const char *const known[] = { NULL };
	struct kk_catalog *cat = NULL;
	struct kk_catalog_info in;
	int rc;

	if (check_opts(argc, argv, known, 1)) {
		usage(stderr);
		return 2;
	}
	rc = kk_catalog_open(argv[2], &cat);
	if (rc) {
		fprintf(stderr, "kioskdb: %s: cannot open (%s)\n", argv[2], kk_err_name(rc));
		return 1;
	}
	if ((rc = kk_catalog_verify(cat))) { /* staff ask info of a file they doubt: read it all */
		fprintf(stderr, "kioskdb: %s: damaged (%s)\n", argv[2], kk_err_name(rc));
		kk_catalog_close(cat);
		return 1;
	}
	rc = kk_catalog_info(cat, &in);
	if (rc) {
		fprintf(stderr, "kioskdb: %s: cannot read (%s)\n", argv[2], kk_err_name(rc));
		kk_catalog_close(cat);
		return 1;
	}
	printf("publisher: %s\n", in.publisher ? in.publisher : "?");
	if (in.region)
		printf("region: %s\n", in.region);
	printf("version: %lld.%lld\n", (long long)in.epoch, (long long)in.seq);
	printf("date: %s\n", in.build_date ? in.build_date : "?");
	printf("schema: %d\n", KK_SCHEMA_VERSION);
	printf("documents: %ld\n", in.n_documents);
	for (int s = 1; s <= KK_SERIES_COUNT; s++)
		printf("  %s (%s): %ld\n", kk_series_name(s), kk_series_code(s), in.n_series[s]);
	printf("validity:");
	for (int v = KK_VALID; v <= KK_AMENDED; v++)
		printf(" %s %ld", kk_validity_name(v), in.n_validity[v]);
	printf("\n");
	for (int b = KK_BOOK_HUIMIN; b <= KK_BOOK_HUIQI; b++)
		printf("%s一本通: %ld 大项, %ld 小项\n", kk_book_name(b), in.n_groups[b], in.n_guides[b]);
	printf("guide sections: %ld\n", in.n_sections);
	printf("attachments: %ld\nimages: %ld\ntopics: %ld\nsynonym groups: %ld\n", in.n_attachments,
	       in.n_media, in.n_topics, in.n_synonym_groups);
	kk_catalog_info_fini(&in);
	kk_catalog_close(cat);
	return 0;
}

static int parse_count(const char *s, long *out)
{
	char *end;
	long n;
	if (!s)
		return 0;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || n < 0 || n > 100000000)
		return -1;
	*out = n;
	return 0;
}

static int cmd_gen(int argc, char **argv)
{
	static const char *const known[] = { "--out", "--documents", "--guides", "--seed", NULL };
	struct kk_gen_opts o = { .documents = 1000, .guides = 100, .seed = 1 };
	const char *out = opt(argc, argv, "--out");
	long seed = 1;
	int rc;

	if (check_opts(argc, argv, known, 0) || !out ||
	    parse_count(opt(argc, argv, "--documents"), &o.documents) ||
	    parse_count(opt(argc, argv, "--guides"), &o.guides) ||
	    parse_count(opt(argc, argv, "--seed"), &seed)) {
		usage(stderr);
		return 2;
	}
	o.seed = (unsigned)seed;
	rc = kk_gen_export(out, &o);
	if (rc) {
		fprintf(stderr, "kioskdb: gen failed (%s)\n", kk_err_name(rc));
		return 1;
	}
	printf("wrote %s: %ld documents, %ld guides\n", out, o.documents, o.guides);
	return 0;
}

static int cmd_migrate(int argc, char **argv)
{
	static const char *const known[] = { NULL };
	int from = 0, rc;
	if (check_opts(argc, argv, known, 1)) {
		usage(stderr);
		return 2;
	}
	rc = kk_catalog_migrate(argv[2], &from);
	if (rc) {
		fprintf(stderr, "kioskdb: %s: cannot migrate from schema %d (%s)\n", argv[2], from,
			kk_err_name(rc));
		return 1;
	}
	printf("%s: schema %d -> %d\n", argv[2], from, KK_SCHEMA_VERSION);
	return 0;
}

static int cmd_html(int argc, char **argv)
{
	static const char *const known[] = { NULL };
	struct kk_catalog *cat = NULL;
	struct kk_doc *d = NULL;
	int64_t id = 0;
	int rc, status = 1;

	if (argc < 3 || argc > 4 || check_opts(argc, argv, known, argc - 2)) {
		usage(stderr);
		return 2;
	}
	if ((rc = kk_catalog_open(argv[2], &cat))) {
		fprintf(stderr, "kioskdb: %s: cannot open (%s)\n", argv[2], kk_err_name(rc));
		return 1;
	}
	if (argc == 4) {
		rc = kk_catalog_find_doc(cat, argv[3], &id);
	} else {
		struct kk_doc_query q = { 0 };
		struct kk_doc_list l = { 0 };
		q.limit = 1;
		rc = kk_catalog_list_docs(cat, &q, &l);
		if (!rc && l.n)
			id = l.items[0].id;
		else if (!rc)
			rc = KK_ENOENT;
		kk_doc_list_fini(&l);
	}
	if (!rc)
		rc = kk_catalog_get_doc(cat, id, &d);
	if (rc) {
		fprintf(stderr, "kioskdb: %s: no such document%s%s (%s)\n", argv[2], argc == 4 ? " " : "",
			argc == 4 ? argv[3] : "", kk_err_name(rc));
		goto out;
	}
	if (kk_doc_write_html(d, stdout) || fflush(stdout)) {
		fprintf(stderr, "kioskdb: cannot write the page: %s\n", strerror(errno));
		goto out;
	}
	status = 0;
out:
	kk_doc_free(d);
	kk_catalog_close(cat);
	return status;
}

static const char *hit_kind_name(int kind)
{
	switch (kind) {
	case KK_HIT_GUIDE:
		return "guide";
	case KK_HIT_INTERPRETATION:
		return "interpretation";
	default:
		return "document";
	}
}

/*
 * `kioskdb search FILE.db QUERY`: the query may start with "-" (only "--limit" and
 * "--explain" are options), so that any text a resident could type can be tried.
 */
static int cmd_search(int argc, char **argv)
{
	struct kk_search_query q = { 0 };
	struct kk_search_results res = { 0 };
	struct kk_catalog *cat = NULL;
	const char *pos[2] = { NULL, NULL };
	int n_pos = 0, explain = 0, rc;
	long limit = KK_SEARCH_LIMIT;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--limit")) {
			if (i + 1 >= argc || parse_count(argv[++i], &limit) || limit < 1 ||
			    limit > KK_SEARCH_LIMIT_MAX) {
				fprintf(stderr, "kioskdb: --limit wants 1..%d\n", KK_SEARCH_LIMIT_MAX);
				return 2;
			}
		} else if (!strcmp(argv[i], "--explain")) {
			explain = 1;
		} else if (!strncmp(argv[i], "--", 2) || n_pos == 2) {
			fprintf(stderr, "kioskdb: unexpected argument \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		} else {
			pos[n_pos++] = argv[i];
		}
	}
	if (n_pos != 2) {
		usage(stderr);
		return 2;
	}
	rc = kk_catalog_open(pos[0], &cat);
	if (rc) {
		fprintf(stderr, "kioskdb: %s: cannot open (%s)\n", pos[0], kk_err_name(rc));
		return 1;
	}
	if (explain) {
		char *expr = NULL;
		int task = 0;
		if (!kk_catalog_search_expr(cat, pos[1], &expr, &task))
			fprintf(stderr, "expr: %s\ntask: %d\n", expr, task);
		free(expr);
	}
	q.text = pos[1];
	q.limit = (size_t)limit;
	rc = kk_catalog_search(cat, &q, &res);
	if (rc)
		fprintf(stderr, "kioskdb: search failed (%s)\n", kk_err_name(rc));
	for (size_t i = 0; i < res.n; i++)
		printf("%s\t%s\t%s\n", hit_kind_name(res.items[i].kind), res.items[i].ext_id,
		       res.items[i].title);
	if (!rc && res.n == 0)
		fprintf(stderr, "kioskdb: no results\n");
	kk_search_results_fini(&res);
	kk_catalog_close(cat);
	return rc ? 1 : 0;
}

/* --- signed bundles (firmware/sync/) ---------------------------------------------------- */

/* Join prefix and suffix into out (cap bytes). Returns 0, or -1 when it does not fit. */
static int path_join(char *out, size_t cap, const char *a, const char *b)
{
	return (size_t)snprintf(out, cap, "%s%s", a, b) >= cap ? -1 : 0;
}

/* keygen: PREFIX.pub and PREFIX.key, never overwriting either. */
static int cmd_keygen(int argc, char **argv)
{
	static const char *const known[] = { "--out", NULL };
	const char *prefix = opt(argc, argv, "--out");
	char pub_path[4096], sec_path[4096];
	struct kk_ms_pub pub;
	struct kk_ms_sec sec;
	int rc, status = 1;

	if (check_opts(argc, argv, known, 0) || !prefix || !prefix[0]) {
		usage(stderr);
		return 2;
	}
	if (path_join(pub_path, sizeof pub_path, prefix, ".pub") ||
	    path_join(sec_path, sizeof sec_path, prefix, ".key")) {
		fprintf(stderr, "kioskdb: %s: path too long\n", prefix);
		return 2;
	}
	rc = kk_ms_keygen(&pub, &sec);
	if (!rc && (rc = kk_ms_sec_write(&sec, sec_path)))
		fprintf(stderr, "kioskdb: %s: cannot create (exists?)\n", sec_path);
	else if (!rc && (rc = kk_ms_pub_write(&pub, pub_path))) {
		fprintf(stderr, "kioskdb: %s: cannot create (exists?)\n", pub_path);
		unlink(sec_path);
	}
	if (!rc) {
		printf("public key: %s\nsecret key: %s (unencrypted: keep it on the offline machine)\n",
		       pub_path, sec_path);
		status = 0;
	}
	memset(&sec, 0, sizeof sec);
	return status;
}

/* Copy src to the new file dst (O_EXCL), fsynced. Returns 0 or KK_EIO. */
static int copy_new_file(const char *src, const char *dst)
{
	char chunk[65536];
	int in = -1, out = -1, rc = KK_EIO;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		goto out;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0)
		goto out;
	while ((n = read(in, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, chunk + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto out;
			done += w;
		}
	}
	if (fsync(out) != 0)
		goto out;
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0)
		rc = KK_EIO;
	return rc;
}

/* Write n bytes to the new file path (O_EXCL), fsynced. Returns 0 or KK_EIO. */
static int write_new(const char *path, const char *data, size_t n)
{
	FILE *f = NULL;
	int fd, rc = KK_EIO;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return KK_EIO;
	f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		return KK_EIO;
	}
	if (fwrite(data, 1, n, f) == n && fflush(f) == 0 && fsync(fd) == 0)
		rc = 0;
	if (fclose(f) != 0)
		rc = KK_EIO;
	return rc;
}

/* A decimal number in [0, max] with nothing around it. */
static int parse_u64_opt(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Split a comma-separated list into at most max parts (no empty parts). Returns the count, or
 * -1 when there are too many, one is empty or too long. */
static int split_list(const char *list, char parts[][1024], int max)
{
	int n = 0;
	const char *p = list;

	while (p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= 1024 || n == max)
			return -1;
		memcpy(parts[n], p, len);
		parts[n][len] = '\0';
		n++;
		p = comma ? comma + 1 : NULL;
	}
	return n;
}

/* The public half of a secret key. */
static void sec_public(const struct kk_ms_sec *sec, struct kk_ms_pub *pub)
{
	memcpy(pub->id, sec->id, sizeof pub->id);
	memcpy(pub->pk, sec->sk + 32, sizeof pub->pk);
}

/*
 * keyring: DIR/keyring.N and one signature file per distinct signing key (every --root, then
 * every --prev-root not already among them). Nothing is replaced: keyring.N must be new.
 */
static int cmd_keyring(int argc, char **argv)
{
	static const char *const known[] = { "--root", "--release", "--version", "--prev-root",
					     "--threshold", "--expires", "--out", NULL };
	const char *roots_s = opt(argc, argv, "--root"), *rel_s = opt(argc, argv, "--release");
	const char *ver_s = opt(argc, argv, "--version"), *prev_s = opt(argc, argv, "--prev-root");
	const char *thr_s = opt(argc, argv, "--threshold"), *exp_s = opt(argc, argv, "--expires");
	const char *dir = opt(argc, argv, "--out");
	static char names[KK_KEYRING_KEYS_MAX][1024];
	struct kk_ms_sec signers[KK_KEYRING_SIGS_MAX];
	struct kk_keyring *k = calloc(1, sizeof *k);
	char path[4096], text[KK_KEYRING_MAX + 1], tc[128];
	unsigned long long ver = 0, thr = 1;
	struct kk_buf sig;
	int n, n_sign = 0, status = 2, rc;

	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	if (!k || check_opts(argc, argv, known, 0) || !roots_s || !rel_s || !ver_s || !dir ||
	    parse_u64_opt(ver_s, KK_MANIFEST_SEQ_MAX, &ver) || ver == 0 ||
	    (thr_s && parse_u64_opt(thr_s, KK_KEYRING_KEYS_MAX, &thr))) {
		usage(stderr);
		goto out;
	}
	k->version = ver;
	k->threshold = (unsigned)thr;
	if (exp_s) { /* a date, or a whole YYYY-MM-DDTHH:MM:SSZ */
		if (snprintf(k->expires, sizeof k->expires, strlen(exp_s) == 10 ? "%sT00:00:00Z" : "%s",
			     exp_s) >= (int)sizeof k->expires) {
			fprintf(stderr, "kioskdb: --expires: YYYY-MM-DD\n");
			goto out;
		}
	}
	status = 1;
	for (int pass = 0; pass < 2; pass++) { /* --root, then --prev-root */
		const char *list = pass ? prev_s : roots_s;
		if (!list)
			continue;
		if ((n = split_list(list, names, KK_KEYRING_KEYS_MAX)) < 0) {
			fprintf(stderr, "kioskdb: at most %d keys per list\n", KK_KEYRING_KEYS_MAX);
			goto out;
		}
		for (int i = 0; i < n; i++) {
			struct kk_ms_sec sec;
			int dup = 0;
			if ((rc = kk_ms_sec_read(names[i], &sec))) {
				fprintf(stderr, "kioskdb: %s: not a usable secret key (%s)\n", names[i],
					kk_err_name(rc));
				goto out;
			}
			if (!pass)
				sec_public(&sec, &k->root[k->n_root++]);
			for (int j = 0; j < n_sign; j++)
				dup |= !memcmp(signers[j].id, sec.id, sizeof sec.id);
			if (!dup && n_sign == KK_KEYRING_SIGS_MAX) {
				fprintf(stderr, "kioskdb: at most %d signing keys\n", KK_KEYRING_SIGS_MAX);
				goto out;
			}
			if (!dup)
				signers[n_sign++] = sec;
			memset(&sec, 0, sizeof sec);
		}
	}
	if ((n = split_list(rel_s, names, KK_KEYRING_KEYS_MAX)) < 0) {
		fprintf(stderr, "kioskdb: at most %d release keys\n", KK_KEYRING_KEYS_MAX);
		goto out;
	}
	for (int i = 0; i < n; i++)
		if ((rc = kk_ms_pub_read(names[i], &k->release[k->n_release++]))) {
			fprintf(stderr, "kioskdb: %s: not a minisign public key (%s)\n", names[i],
				kk_err_name(rc));
			goto out;
		}
	if ((n = kk_keyring_write(k, text, sizeof text)) < 0) {
		fprintf(stderr, "kioskdb: not a valid keyring (threshold over the roots, a key twice, "
				"or a bad date): %s\n", kk_err_name(n));
		status = 2;
		goto out;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "kioskdb: %s: cannot create (%s)\n", dir, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof path, "%s/keyring.%llu", dir, ver);
	if (write_new(path, text, (size_t)n)) {
		fprintf(stderr, "kioskdb: %s: cannot create (exists?)\n", path);
		goto out;
	}
	snprintf(tc, sizeof tc, "%s keyring %llu", KK_SYNC_PRODUCT, ver);
	for (int i = 0; i < n_sign; i++) {
		sig.len = 0;
		snprintf(path, sizeof path, "%s/keyring.%llu.%d.minisig", dir, ver, i + 1);
		if ((rc = kk_ms_sign(&signers[i], text, (size_t)n, tc, &sig)) ||
		    (rc = write_new(path, sig.data, sig.len))) {
			fprintf(stderr, "kioskdb: %s: cannot sign or write (%s)\n", path,
				kk_err_name(rc));
			goto out;
		}
	}
	printf("keyring: %s/keyring.%llu\nroots: %zu (threshold %u)\nrelease keys: %zu\n"
	       "signatures: %d\n", dir, ver, k->n_root, k->threshold, k->n_release, n_sign);
	status = 0;
out:
	memset(signers, 0, sizeof signers);
	kk_buf_fini(&sig);
	free(k);
	return status;
}

/* Copy the keyring chain of kdir (keyring.V and keyring.V.K.minisig, every V present up to
 * KK_KEYRING_VERSIONS_SCAN) into the bundle folder dir. Returns the number of keyrings, or -1. */
#define KK_KEYRING_VERSIONS_SCAN 4096
static int copy_keyrings(const char *kdir, const char *dir)
{
	char src[4096], dst[4096];
	struct stat sb;
	int count = 0;

	for (unsigned v = 1; v <= KK_KEYRING_VERSIONS_SCAN; v++) {
		snprintf(src, sizeof src, "%s/keyring.%u", kdir, v);
		if (stat(src, &sb) != 0)
			continue;
		snprintf(dst, sizeof dst, "%s/keyring.%u", dir, v);
		if (copy_new_file(src, dst))
			return -1;
		for (int k = 1; k <= KK_KEYRING_SIGS_MAX; k++) {
			snprintf(src, sizeof src, "%s/keyring.%u.%d.minisig", kdir, v, k);
			snprintf(dst, sizeof dst, "%s/keyring.%u.%d.minisig", dir, v, k);
			if (stat(src, &sb) == 0 && copy_new_file(src, dst))
				return -1;
		}
		count++;
	}
	return count;
}

/* Put the keyring chain of a bundle folder beside a channel's pointer (replacing files of the
 * same name: a keyring version is immutable once signed). Returns the count, or -1. */
static int replace_file(const char *dir, const char *name, const char *data, size_t n);

static int publish_keyrings(const char *bdir, const char *chdir_)
{
	char src[4096], name[64];
	struct kk_buf b;
	struct stat sb;
	int count = 0, rc = 0;

	kk_buf_init(&b, KK_KEYRING_MAX + KK_MS_SIGFILE_MAX);
	for (unsigned v = 1; v <= KK_KEYRING_VERSIONS_SCAN && !rc; v++) {
		for (int k = 0; k <= KK_KEYRING_SIGS_MAX && !rc; k++) {
			if (k == 0)
				snprintf(name, sizeof name, "keyring.%u", v);
			else
				snprintf(name, sizeof name, "keyring.%u.%d.minisig", v, k);
			snprintf(src, sizeof src, "%s/%s", bdir, name);
			if (stat(src, &sb) != 0) {
				if (k == 0)
					break;
				continue;
			}
			kk_buf_reset(&b);
			if (kk_buf_read_file(&b, src) || replace_file(chdir_, name, b.data, b.len))
				rc = -1;
			count += k == 0;
		}
	}
	kk_buf_fini(&b);
	return rc ? -1 : count;
}

/* Remove a bundle folder this run created (flat: only files). */
static void remove_flat_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    (size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path)
			unlink(path);
	if (d)
		closedir(d);
	rmdir(dir);
}

/*
 * bundle: DIR/content.db (a copy of the checked database), DIR/manifest, DIR/manifest.minisig.
 * The folder must not exist; on any failure it is removed again with what was written.
 */
static int cmd_bundle(int argc, char **argv)
{
	static const char *const known[] = { "--db", "--key", "--out", "--channel", "--epoch",
					     "--seq", "--keyring", "--base", NULL };
	const char *kdir = opt(argc, argv, "--keyring"), *base = opt(argc, argv, "--base");
	char cspath[4096];
	struct kk_catalog_info bin;
	int have_bin = 0;
	const char *db = opt(argc, argv, "--db"), *key = opt(argc, argv, "--key");
	const char *dir = opt(argc, argv, "--out"), *channel = opt(argc, argv, "--channel");
	const char *e_s = opt(argc, argv, "--epoch"), *s_s = opt(argc, argv, "--seq");
	char payload[4096], manpath[4096], sigpath[4096], text[KK_MANIFEST_MAX], tc[256];
	struct kk_catalog *cat = NULL;
	struct kk_catalog_info in;
	struct kk_manifest m;
	struct kk_ms_sec sec;
	struct kk_buf sig;
	unsigned long long e = 0, sq = 0;
	int rc, n, status = 1, made_dir = 0, have_info = 0;
	time_t now = time(NULL);
	struct tm tm;

	memset(&m, 0, sizeof m);
	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	if (check_opts(argc, argv, known, 0) || !db || !key || !dir || (!e_s != !s_s) ||
	    (e_s && (parse_u64_opt(e_s, UINT32_MAX, &e) ||
		     parse_u64_opt(s_s, KK_MANIFEST_SEQ_MAX, &sq) || sq == 0))) {
		usage(stderr);
		status = 2;
		goto out;
	}
	if (path_join(payload, sizeof payload, dir, "/content.db") ||
	    path_join(manpath, sizeof manpath, dir, "/" KK_BUNDLE_MANIFEST) ||
	    path_join(sigpath, sizeof sigpath, dir, "/" KK_BUNDLE_SIGNATURE) ||
	    path_join(cspath, sizeof cspath, dir, "/" KK_DELTA_PAYLOAD)) {
		fprintf(stderr, "kioskdb: %s: path too long\n", dir);
		status = 2;
		goto out;
	}
	if ((rc = kk_ms_sec_read(key, &sec))) {
		fprintf(stderr, "kioskdb: %s: not a usable secret key (%s)\n", key, kk_err_name(rc));
		goto out;
	}
	if ((rc = kk_catalog_open(db, &cat)) || (rc = kk_catalog_verify(cat)) ||
	    (rc = kk_catalog_info(cat, &in))) {
		fprintf(stderr, "kioskdb: %s: not a sound content database (%s)\n", db,
			kk_err_name(rc));
		goto out;
	}
	have_info = 1;
	if (!e_s) { /* the database's own content version */
		if (in.epoch < 0 || in.epoch > UINT32_MAX || in.seq < 1 ||
		    (unsigned long long)in.seq > KK_MANIFEST_SEQ_MAX) {
			fprintf(stderr, "kioskdb: %s: version %lld.%lld unusable: give --epoch and --seq\n",
				db, (long long)in.epoch, (long long)in.seq);
			goto out;
		}
		e = (unsigned long long)in.epoch;
		sq = (unsigned long long)in.seq;
	}
	m.format = 1;
	snprintf(m.product, sizeof m.product, "%s", KK_SYNC_PRODUCT);
	if (snprintf(m.channel, sizeof m.channel, "%s", channel ? channel : "stable") >=
	    (int)sizeof m.channel) {
		fprintf(stderr, "kioskdb: channel too long\n");
		status = 2;
		goto out;
	}
	m.epoch = (uint32_t)e;
	m.seq = sq;
	m.type = KK_BUNDLE_FULL;
	snprintf(m.payload, sizeof m.payload, "content.db");
	gmtime_r(&now, &tm);
	strftime(m.created, sizeof m.created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (mkdir(dir, 0755) != 0) {
		fprintf(stderr, "kioskdb: %s: cannot create (%s)\n", dir, strerror(errno));
		goto out;
	}
	made_dir = 1;
	if (base) { /* a delta when it is worth it; a full bundle otherwise */
		struct kk_catalog *bcat = NULL;
		uint64_t cs_size = 0, full_size = 0, base_size = 0;
		uint8_t full_hash[32];
		if ((rc = kk_catalog_open(base, &bcat)) || (rc = kk_catalog_info(bcat, &bin))) {
			fprintf(stderr, "kioskdb: %s: not a readable content database (%s)\n", base,
				kk_err_name(rc));
			kk_catalog_close(bcat);
			goto out;
		}
		kk_catalog_close(bcat);
		have_bin = 1;
		if (bin.epoch != (int64_t)e || bin.seq < 1 || (unsigned long long)bin.seq >= sq) {
			fprintf(stderr, "kioskdb: %s: base version %lld.%lld is not below %llu.%llu of "
					"the same epoch\n", base, (long long)bin.epoch,
				(long long)bin.seq, e, sq);
			status = 2;
			goto out;
		}
		if ((rc = kk_delta_make(db, base, cspath, &cs_size)) ||
		    (rc = kk_sha256_file(db, full_hash, &full_size)) ||
		    (rc = kk_sha256_file(base, m.base_sha256, &base_size))) {
			fprintf(stderr, "kioskdb: cannot make the delta (%s)\n", kk_err_name(rc));
			goto out;
		}
		if (cs_size * 2 > full_size) {
			printf("delta: %llu bytes, over half of the full %llu: a full bundle instead\n",
			       (unsigned long long)cs_size, (unsigned long long)full_size);
			unlink(cspath);
			memset(m.base_sha256, 0, sizeof m.base_sha256);
		} else {
			m.type = KK_BUNDLE_DELTA;
			m.base_seq = (uint64_t)bin.seq;
			snprintf(m.payload, sizeof m.payload, "%s", KK_DELTA_PAYLOAD);
			m.payload_size = cs_size;
			if ((rc = kk_sha256_file(cspath, m.payload_sha256, &cs_size))) {
				fprintf(stderr, "kioskdb: %s: cannot read (%s)\n", cspath,
					kk_err_name(rc));
				goto out;
			}
		}
	}
	if (m.type == KK_BUNDLE_FULL &&
	    (copy_new_file(db, payload) || kk_sha256_file(payload, m.payload_sha256, &m.payload_size))) {
		fprintf(stderr, "kioskdb: %s: cannot copy the database\n", payload);
		goto out;
	}
	n = kk_manifest_write(&m, text, sizeof text);
	if (n < 0) {
		fprintf(stderr, "kioskdb: bad manifest (channel must be [a-z0-9-]): %s\n",
			kk_err_name(n));
		status = 2;
		goto out;
	}
	snprintf(tc, sizeof tc, "%s %s %u.%llu %s %s", m.product, m.channel, (unsigned)m.epoch,
		 (unsigned long long)m.seq, m.type == KK_BUNDLE_DELTA ? "delta" : "full", m.created);
	if ((rc = kk_ms_sign(&sec, text, (size_t)n, tc, &sig)) ||
	    (rc = write_new(manpath, text, (size_t)n)) || (rc = write_new(sigpath, sig.data, sig.len))) {
		fprintf(stderr, "kioskdb: %s: cannot sign or write (%s)\n", dir, kk_err_name(rc));
		goto out;
	}
	if (kdir && (n = copy_keyrings(kdir, dir)) <= 0) {
		fprintf(stderr, "kioskdb: %s: no keyring.N to copy, or cannot copy\n", kdir);
		goto out;
	}
	printf("bundle: %s\nversion: %u.%llu\nchannel: %s\ntype: %s\npayload: %llu bytes\n", dir,
	       (unsigned)m.epoch, (unsigned long long)m.seq, m.channel,
	       m.type == KK_BUNDLE_DELTA ? "delta" : "full", (unsigned long long)m.payload_size);
	if (m.type == KK_BUNDLE_DELTA)
		printf("base: %u.%llu\n", (unsigned)m.epoch, (unsigned long long)m.base_seq);
	if (kdir)
		printf("keyrings: %d\n", n);
	status = 0;
out:
	if (status != 0 && made_dir)
		remove_flat_dir(dir);
	if (have_info)
		kk_catalog_info_fini(&in);
	if (have_bin)
		kk_catalog_info_fini(&bin);
	kk_catalog_close(cat);
	memset(&sec, 0, sizeof sec);
	kk_buf_fini(&sig);
	return status;
}

/* verify: the kiosk's check, in its order; the refusal in Chinese and the detail in English. */
static int cmd_verify(int argc, char **argv)
{
	static const char *const known[] = { "--pub", "--floor", "--channel", NULL };
	const char *pubp = opt(argc, argv, "--pub"), *floor_s = opt(argc, argv, "--floor");
	const char *channel = opt(argc, argv, "--channel");
	const char *dir = argc > 2 && argv[2][0] != '-' ? argv[2] : NULL;
	struct kk_bundle_expect exp = { KK_SYNC_PRODUCT, channel ? channel : "stable", 0, 0, 0, 1 };
	enum kk_bundle_reason why;
	struct kk_manifest m;
	struct kk_sync_keys roots;
	struct kk_keyring *kr = NULL;
	char detail[512];
	int rc, advanced = 0, status = 1;

	if (check_opts(argc, argv, known, 1) || !dir || !pubp) {
		usage(stderr);
		return 2;
	}
	if (floor_s) {
		char e_part[16];
		const char *dot = strchr(floor_s, '.');
		unsigned long long e, sq;
		if (!dot || (size_t)(dot - floor_s) >= sizeof e_part) {
			usage(stderr);
			return 2;
		}
		memcpy(e_part, floor_s, (size_t)(dot - floor_s));
		e_part[dot - floor_s] = '\0';
		if (parse_u64_opt(e_part, UINT32_MAX, &e) ||
		    parse_u64_opt(dot + 1, KK_MANIFEST_SEQ_MAX, &sq)) {
			usage(stderr);
			return 2;
		}
		exp.floor_epoch = (uint32_t)e;
		exp.floor_seq = sq;
	}
	if ((rc = kk_sync_keys_load(&roots, pubp))) {
		fprintf(stderr, "kioskdb: %s: not minisign public keys (%s)\n", pubp, kk_err_name(rc));
		return 1;
	}
	if (!(kr = malloc(sizeof *kr)))
		return 1;
	kk_keyring_from_roots(kr, roots.pub, roots.n);
	/* as a kiosk: the chain first, then the bundle signed by a release key of the result */
	if ((rc = kk_keyring_advance(dir, kr, &advanced, detail, sizeof detail)) != KK_KEYRING_OK) {
		fprintf(stderr, "kioskdb: %s: %s (%s: %s)\n", dir,
			kk_bundle_reason_zh(KK_BUNDLE_KEYRING), kk_keyring_status_name(rc), detail);
		goto out;
	}
	rc = kk_bundle_check_manifest(dir, kr->release, kr->n_release, &exp, &m, NULL, &why,
				      detail, sizeof detail);
	if (!rc)
		rc = kk_bundle_copy_payload(dir, &m, 0, NULL, NULL, &why, detail, sizeof detail);
	if (rc) {
		fprintf(stderr, "kioskdb: %s: %s (%s: %s)\n", dir, kk_bundle_reason_zh(why),
			kk_bundle_reason_name(why), detail);
		goto out;
	}
	printf("ok: %s version %u.%llu channel %s, %llu bytes", dir, (unsigned)m.epoch,
	       (unsigned long long)m.seq, m.channel, (unsigned long long)m.payload_size);
	if (kr->version)
		printf(", keyring %llu", (unsigned long long)kr->version);
	printf("\n");
	status = 0;
out:
	free(kr);
	return status;
}

/* inspect: the manifest's fields and the payload database's counts; verifies nothing. */
static int cmd_inspect(int argc, char **argv)
{
	static const char *const known[] = { NULL };
	char path[4096], err[128];
	struct kk_buf text;
	struct kk_manifest m;
	struct kk_catalog *cat = NULL;
	struct kk_catalog_info in;
	int rc, status = 1;

	kk_buf_init(&text, KK_MANIFEST_MAX);
	if (check_opts(argc, argv, known, 1) || argc != 3) {
		usage(stderr);
		status = 2;
		goto out;
	}
	if (path_join(path, sizeof path, argv[2], "/" KK_BUNDLE_MANIFEST) ||
	    (rc = kk_buf_read_file(&text, path))) {
		fprintf(stderr, "kioskdb: %s: no readable manifest\n", argv[2]);
		goto out;
	}
	if ((rc = kk_manifest_parse(text.data, text.len, &m, err, sizeof err))) {
		fprintf(stderr, "kioskdb: %s: %s\n", path, err);
		goto out;
	}
	printf("version: %u.%llu\nproduct: %s\nchannel: %s\ntype: %s\ncreated: %s\n",
	       (unsigned)m.epoch, (unsigned long long)m.seq, m.product, m.channel,
	       m.type == KK_BUNDLE_FULL ? "full" : "delta", m.created);
	printf("manifest: %zu bytes\npayload: %s, %llu bytes\n", text.len, m.payload,
	       (unsigned long long)m.payload_size);
	if (m.type == KK_BUNDLE_DELTA) {
		struct kk_delta_summary sum;
		char hex[65];
		kk_hex32(m.base_sha256, hex);
		printf("base: %u.%llu sha256 %s\n", (unsigned)m.epoch, (unsigned long long)m.base_seq,
		       hex);
		if (path_join(path, sizeof path, argv[2], "/") ||
		    path_join(path + strlen(path), sizeof path - strlen(path), m.payload, "") ||
		    kk_delta_summarize(path, &sum)) {
			fprintf(stderr, "kioskdb: %s: payload is not a readable changeset\n", argv[2]);
			goto out;
		}
		printf("documents: %ld added, %ld changed, %ld removed\n"
		       "guides: %ld added, %ld changed, %ld removed\n"
		       "bodies changed: %ld\nrows changed: %ld\n",
		       sum.docs_added, sum.docs_changed, sum.docs_removed, sum.guides_added,
		       sum.guides_changed, sum.guides_removed, sum.bodies_changed, sum.rows);
		status = 0;
		goto out;
	}
	if (path_join(path, sizeof path, argv[2], "/") ||
	    path_join(path + strlen(path), sizeof path - strlen(path), m.payload, "") ||
	    (rc = kk_catalog_open(path, &cat)) || (rc = kk_catalog_info(cat, &in))) {
		fprintf(stderr, "kioskdb: %s: payload is not a readable content database\n", argv[2]);
		goto out;
	}
	printf("documents: %ld\nguides: %ld\n", in.n_documents,
	       in.n_guides[KK_BOOK_HUIMIN] + in.n_guides[KK_BOOK_HUIQI]);
	kk_catalog_info_fini(&in);
	status = 0;
out:
	kk_catalog_close(cat);
	kk_buf_fini(&text);
	return status;
}

/* The staff PIN comes on stdin, never on the command line (it would be in the shell history
 * and in ps). */
static int cmd_pinhash(int argc, char **argv)
{
	char pin[64] = "", hash[256];
	size_t n;
	(void)argv;
	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	if (!fgets(pin, sizeof pin, stdin)) {
		fprintf(stderr, "kioskdb pin-hash: type the PIN on standard input\n");
		return 2;
	}
	n = strcspn(pin, "\r\n");
	pin[n] = '\0';
	if (kk_sync_pin_hash(pin, hash, sizeof hash)) {
		fprintf(stderr, "kioskdb pin-hash: a staff PIN is 4 to 16 digits\n");
		return 2;
	}
	memset(pin, 0, sizeof pin);
	printf("staff_pin_hash = %s\n", hash);
	return 0;
}

/* The first positional argument after the command (not an option or its value). */
static const char *positional(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		if (argv[i][0] == '-') {
			if (strcmp(argv[i], "--force"))
				i++;
			continue;
		}
		return argv[i];
	}
	return NULL;
}

/*
 * site-sign: FILE.minisig (new; never replaced) over FILE with the trusted comment
 * "kiosk-site serial=N kiosk_id=TARGET" (siteconf.h). FILE is checked with the kiosk's parser
 * first: a config with problems is not signed unless --force (tests make refused ones so).
 */
static int cmd_site_sign(int argc, char **argv)
{
	static const char *const known[] = { "--key", "--serial", "--for", NULL };
	const char *key = opt(argc, argv, "--key"), *serial_s = opt(argc, argv, "--serial");
	const char *target = opt(argc, argv, "--for"), *file = NULL;
	struct kk_site_problems *probs = malloc(sizeof *probs);
	struct kk_site_conf *conf = malloc(sizeof *conf);
	struct kk_site_tag tag = { 0 };
	struct kk_ms_sec sec;
	struct kk_buf text, sig;
	char comment[128], out[4096];
	unsigned long long serial = (unsigned long long)time(NULL);
	int force = 0, status = 1, rc, rest = 0;
	char **args = calloc((size_t)argc + 1, sizeof *args);

	kk_buf_init(&text, KK_SITE_MAX + 1);
	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	memset(&sec, 0, sizeof sec);
	if (!probs || !conf || !args)
		goto out;
	for (int i = 0; i < argc; i++) /* --force takes no value: check the rest */
		if (strcmp(argv[i], "--force"))
			args[rest++] = argv[i];
		else
			force = 1;
	if (check_opts(rest, args, known, 1) || !key || !(file = positional(argc, argv))) {
		usage(stderr);
		status = 2;
		goto out;
	}
	if (serial_s && (parse_u64_opt(serial_s, 0x7fffffffffffffffULL, &serial) || serial == 0)) {
		fprintf(stderr, "kioskdb: --serial takes a number from 1 to 2^63-1\n");
		status = 2;
		goto out;
	}
	if ((rc = kk_buf_read_file(&text, file)) != 0) {
		fprintf(stderr, "kioskdb: %s: %s\n", file,
			rc == KK_E2BIG ? "larger than 64 KiB" : kk_err_name(rc));
		goto out;
	}
	rc = kk_site_conf_parse(text.data, text.len, file, conf, probs);
	for (size_t i = 0; i < probs->n; i++)
		fprintf(stderr, "  %s\n", probs->text[i]);
	if (rc && !force) {
		fprintf(stderr, "kioskdb: %s has problems (listed above): not signed\n", file);
		goto out;
	}
	if (!target && !conf->kiosk_id[0]) {
		fprintf(stderr, "kioskdb: site.conf names no usable kiosk_id: give --for ID or --for '*'\n");
		status = 2;
		goto out;
	}
	tag.serial = serial;
	snprintf(tag.target, sizeof tag.target, "%s", target ? target : conf->kiosk_id);
	if (kk_site_tag_format(&tag, comment, sizeof comment)) {
		fprintf(stderr, "kioskdb: --for needs a kiosk_id (1-32 of A-Z a-z 0-9 . _ -) or *\n");
		status = 2;
		goto out;
	}
	if ((rc = kk_ms_sec_read(key, &sec)) != 0) {
		fprintf(stderr, "kioskdb: %s: not a usable secret key (%s)\n", key, kk_err_name(rc));
		goto out;
	}
	if (path_join(out, sizeof out, file, ".minisig") ||
	    kk_ms_sign(&sec, text.data, text.len, comment, &sig) != 0) {
		fprintf(stderr, "kioskdb: signing %s failed\n", file);
		goto out;
	}
	if (write_new(out, sig.data, sig.len)) {
		fprintf(stderr, "kioskdb: %s: cannot create (exists? remove it to sign again)\n", out);
		goto out;
	}
	printf("%s\ntrusted comment: %s\n", out, comment);
	status = 0;
out:
	memset(&sec, 0, sizeof sec);
	kk_buf_fini(&text);
	kk_buf_fini(&sig);
	free(probs);
	free(conf);
	free(args);
	return status;
}

/* Write data to dir/name.tmp (fsynced) and rename it over dir/name. Returns 0 or -1. */
static int replace_file(const char *dir, const char *name, const char *data, size_t n)
{
	char tmp[4096], dst[4096];

	if ((size_t)snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name) >= sizeof tmp ||
	    (size_t)snprintf(dst, sizeof dst, "%s/%s", dir, name) >= sizeof dst)
		return -1;
	unlink(tmp);
	if (write_new(tmp, data, n) || rename(tmp, dst) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * publish: WEBROOT/CHANNEL/E.S/ (the bundle's three files, assembled in a hidden folder and
 * renamed into place) and then WEBROOT/CHANNEL/latest + latest.minisig, signed with the key
 * that signed the bundle. The bundle is verified first (with that key's public half); a
 * version at or below what `latest` already names is refused, so the pointer only moves up.
 */
static int cmd_publish(int argc, char **argv)
{
	static const char *const known[] = { "--bundle", "--key", "--out", "--channel", NULL };
	const char *bdir = opt(argc, argv, "--bundle"), *key = opt(argc, argv, "--key");
	const char *root = opt(argc, argv, "--out"), *channel = opt(argc, argv, "--channel");
	static const char *const files[] = { KK_BUNDLE_MANIFEST, KK_BUNDLE_SIGNATURE, NULL };
	char chdir_[4096], tmpdir[4096], dst[4096], src[4096], to[4096], folder[48];
	char text[KK_LATEST_MAX + 1], tc[256], detail[512];
	struct kk_bundle_expect exp = { .product = KK_SYNC_PRODUCT }; /* full bundles only */
	struct kk_buf old, sig;
	struct kk_latest l, cur;
	struct kk_manifest m;
	struct kk_ms_sec sec;
	struct kk_ms_pub pub;
	enum kk_bundle_reason why;
	int rc, n, status = 1;

	memset(&m, 0, sizeof m);
	kk_buf_init(&old, KK_LATEST_MAX);
	kk_buf_init(&sig, KK_MS_SIGFILE_MAX);
	tmpdir[0] = '\0';
	if (check_opts(argc, argv, known, 0) || !bdir || !key || !root ||
	    (channel && !kk_latest_name_ok(channel))) {
		usage(stderr);
		status = 2;
		goto out;
	}
	if ((rc = kk_ms_sec_read(key, &sec))) {
		fprintf(stderr, "kioskdb: %s: not a usable secret key (%s)\n", key, kk_err_name(rc));
		goto out;
	}
	memcpy(pub.id, sec.id, sizeof pub.id);
	memcpy(pub.pk, sec.sk + 32, sizeof pub.pk);
	exp.channel = channel ? channel : "stable";
	if ((rc = kk_bundle_verify(bdir, &pub, &exp, -1, &m, &why, detail, sizeof detail))) {
		fprintf(stderr, "kioskdb: %s: not publishable with this key and channel: %s (%s: %s)\n",
			bdir, kk_bundle_reason_zh(why), kk_bundle_reason_name(why), detail);
		goto out;
	}
	memset(&l, 0, sizeof l);
	snprintf(l.product, sizeof l.product, "%s", m.product);
	snprintf(l.channel, sizeof l.channel, "%s", m.channel);
	l.epoch = m.epoch;
	l.seq = m.seq;
	if (kk_latest_folder(m.epoch, m.seq, folder, sizeof folder) < 0 ||
	    (size_t)snprintf(chdir_, sizeof chdir_, "%s/%s", root, m.channel) >= sizeof chdir_ ||
	    (size_t)snprintf(dst, sizeof dst, "%s/%s", chdir_, folder) >= sizeof dst ||
	    (size_t)snprintf(tmpdir, sizeof tmpdir, "%s/.%s.tmp", chdir_, folder) >= sizeof tmpdir) {
		fprintf(stderr, "kioskdb: %s: path too long\n", root);
		tmpdir[0] = '\0';
		status = 2;
		goto out;
	}
	if ((mkdir(root, 0755) != 0 && errno != EEXIST) || (mkdir(chdir_, 0755) != 0 && errno != EEXIST)) {
		fprintf(stderr, "kioskdb: %s: cannot create (%s)\n", chdir_, strerror(errno));
		goto out;
	}
	if ((size_t)snprintf(src, sizeof src, "%s/%s", chdir_, KK_LATEST_NAME) < sizeof src &&
	    kk_buf_read_file(&old, src) == 0 && kk_latest_parse(old.data, old.len, &cur) == 0 &&
	    (cur.epoch > l.epoch || (cur.epoch == l.epoch && cur.seq >= l.seq))) {
		fprintf(stderr, "kioskdb: %s already names %u.%llu; the pointer never goes back or "
				"stays (publish a higher --seq)\n",
			src, (unsigned)cur.epoch, (unsigned long long)cur.seq);
		goto out;
	}
	if (access(dst, F_OK) == 0) {
		fprintf(stderr, "kioskdb: %s exists already\n", dst);
		goto out;
	}
	if (mkdir(tmpdir, 0755) != 0) {
		fprintf(stderr, "kioskdb: %s: cannot create (%s)\n", tmpdir, strerror(errno));
		tmpdir[0] = '\0';
		goto out;
	}
	for (int i = 0; i < 3; i++) {
		const char *f = i < 2 ? files[i] : m.payload;
		if ((size_t)snprintf(src, sizeof src, "%s/%s", bdir, f) >= sizeof src ||
		    (size_t)snprintf(to, sizeof to, "%s/%s", tmpdir, f) >= sizeof to ||
		    copy_new_file(src, to)) {
			fprintf(stderr, "kioskdb: cannot copy %s to %s\n", src, tmpdir);
			goto out;
		}
	}
	/* the keyring chain the bundle carries, in its folder (for a stick-like copy) and beside
	 * the pointer, where a kiosk reads it before it trusts the pointer */
	if (copy_keyrings(bdir, tmpdir) < 0 || publish_keyrings(bdir, chdir_) < 0) {
		fprintf(stderr, "kioskdb: cannot copy the keyring chain of %s\n", bdir);
		remove_flat_dir(tmpdir);
		tmpdir[0] = '\0';
		goto out;
	}
	if (kk_fsync_path(tmpdir, 1) || rename(tmpdir, dst) != 0 || kk_fsync_path(chdir_, 1)) {
		fprintf(stderr, "kioskdb: %s: cannot move into place (%s)\n", dst, strerror(errno));
		goto out;
	}
	tmpdir[0] = '\0';
	n = kk_latest_write(&l, text, sizeof text);
	snprintf(tc, sizeof tc, "%s %s latest %s", l.product, l.channel, folder);
	if (n < 0 || (rc = kk_ms_sign(&sec, text, (size_t)n, tc, &sig)) ||
	    replace_file(chdir_, KK_LATEST_SIG, sig.data, sig.len) ||
	    replace_file(chdir_, KK_LATEST_NAME, text, (size_t)n) || kk_fsync_path(chdir_, 1)) {
		fprintf(stderr, "kioskdb: %s: cannot sign or write the latest pointer\n", chdir_);
		goto out;
	}
	printf("published: %s\nlatest: %s/%s -> %s\n", dst, chdir_, KK_LATEST_NAME, folder);
	status = 0;
out:
	if (tmpdir[0])
		remove_flat_dir(tmpdir);
	memset(&sec, 0, sizeof sec);
	kk_buf_fini(&old);
	kk_buf_fini(&sig);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	kk_log_set_level(KK_LOG_WARN);
	if (!strcmp(argv[1], "build"))
		return cmd_build(argc, argv);
	if (!strcmp(argv[1], "validate"))
		return cmd_validate(argc, argv);
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc, argv);
	if (!strcmp(argv[1], "gen"))
		return cmd_gen(argc, argv);
	if (!strcmp(argv[1], "migrate"))
		return cmd_migrate(argc, argv);
	if (!strcmp(argv[1], "html"))
		return cmd_html(argc, argv);
	if (!strcmp(argv[1], "search"))
		return cmd_search(argc, argv);
	if (!strcmp(argv[1], "keygen"))
		return cmd_keygen(argc, argv);
	if (!strcmp(argv[1], "keyring"))
		return cmd_keyring(argc, argv);
	if (!strcmp(argv[1], "bundle"))
		return cmd_bundle(argc, argv);
	if (!strcmp(argv[1], "verify"))
		return cmd_verify(argc, argv);
	if (!strcmp(argv[1], "inspect"))
		return cmd_inspect(argc, argv);
	if (!strcmp(argv[1], "pin-hash"))
		return cmd_pinhash(argc, argv);
	if (!strcmp(argv[1], "publish"))
		return cmd_publish(argc, argv);
	if (!strcmp(argv[1], "site-sign"))
		return cmd_site_sign(argc, argv);
	fprintf(stderr, "kioskdb: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return 2;
}
