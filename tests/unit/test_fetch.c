/*
 * test_fetch.c — the pure parts of network sync (firmware/sync/latest.c): the signed `latest`
 * pointer parser and writer (caps, one spelling per value, hostile input), URL joining, the
 * retry schedule and DATA/fetch.state. The network itself is tested against real servers in
 * tests/integration/fetch.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "kt.h"
#include "sync/latest.h"

static const char good[] = "format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\n"
			   "seq = 5\nbundle = 3.5\n";

static int parse_str(const char *s, struct kk_latest *l)
{
	return kk_latest_parse(s, strlen(s), l);
}

static void test_pointer_good(void)
{
	struct kk_latest l;
	char out[KK_LATEST_MAX + 1];

	KT_REQUIRE(parse_str(good, &l) == 0);
	KT_CHECK_STR(l.product, "zwgk-kiosk");
	KT_CHECK_STR(l.channel, "stable");
	KT_CHECK_INT(l.epoch, 3);
	KT_CHECK_INT(l.seq, 5);
	KT_CHECK_INT(kk_latest_write(&l, out, sizeof out), (int)strlen(good));
	KT_CHECK_STR(out, good);
	/* the largest values */
	KT_CHECK(parse_str("format = 1\nproduct = a\nchannel = b\nepoch = 4294967295\n"
			   "seq = 9007199254740992\nbundle = 4294967295.9007199254740992\n", &l) == 0);
	KT_CHECK_INT(l.epoch, 4294967295u);
	KT_CHECK(l.seq == 9007199254740992ULL);
	KT_CHECK(parse_str("format = 1\nproduct = a\nchannel = b\nepoch = 0\nseq = 1\n"
			   "bundle = 0.1\n", &l) == 0);
}

static void test_pointer_hostile(void)
{
	static const char *const bad[] = {
		"",
		"format = 1\n",
		/* a folder that is not the version: the server may not choose the path */
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 3.4\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = ../../etc\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 3.5/x\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 03.5\n",
		/* order, spelling, extra and missing lines */
		"product = zwgk-kiosk\nformat = 1\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 3.5\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 3.5",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 3.5\n\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 3.5\nx = 1\n",
		"format = 1\r\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 3.5\n",
		"format=1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 3.5\n",
		"format = 2\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 3.5\n",
		/* numbers */
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 0\nbundle = 3.0\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 05\nbundle = 3.5\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = -3\nseq = 5\nbundle = -3.5\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 4294967296\nseq = 5\n"
		"bundle = 4294967296.5\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 9007199254740993\n"
		"bundle = 3.9007199254740993\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable\nepoch = 3\nseq = 18446744073709551616\n"
		"bundle = 3.18446744073709551616\n",
		/* names */
		"format = 1\nproduct = Zwgk\nchannel = stable\nepoch = 3\nseq = 5\nbundle = 3.5\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = \nepoch = 3\nseq = 5\nbundle = 3.5\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = stable beta\nepoch = 3\nseq = 5\nbundle = 3.5\n",
		"format = 1\nproduct = zwgk-kiosk\nchannel = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\nepoch = 3\n"
		"seq = 5\nbundle = 3.5\n",
	};
	struct kk_latest l;
	static const struct kk_latest zero;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&l, 0x5a, sizeof l);
		if (parse_str(bad[i], &l) != KK_ECORRUPT)
			KT_FAIL_("accepted bad pointer %zu", i);
		KT_CHECK(memcmp(&l, &zero, sizeof l) == 0);
	}
	/* a NUL inside: the length counts, not the terminator */
	KT_CHECK_INT(kk_latest_parse(good, sizeof good, &l), KK_ECORRUPT);
	static const char nul[] = "format = 1\nproduct = zwgk\0kiosk\nchannel = stable\nepoch = 3\n"
				  "seq = 5\nbundle = 3.5\n";
	KT_CHECK_INT(kk_latest_parse(nul, sizeof nul - 1, &l), KK_ECORRUPT); /* found by fuzzing */
	/* a truncated copy at every length: never accepted, never read past len */
	for (size_t n = 0; n + 1 < sizeof good - 1; n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, good, n);
		KT_CHECK(kk_latest_parse(copy, n, &l) != 0);
		free(copy);
	}
}

static void test_pointer_cap(void)
{
	char big[KK_LATEST_MAX + 2];
	struct kk_latest l;

	memset(big, 'a', sizeof big);
	KT_CHECK_INT(kk_latest_parse(big, sizeof big, &l), KK_E2BIG);
	KT_CHECK_INT(kk_latest_parse(big, KK_LATEST_MAX, &l), KK_ECORRUPT);
	memset(&l, 0, sizeof l);
	strcpy(l.product, "zwgk-kiosk");
	strcpy(l.channel, "stable");
	l.seq = 1;
	KT_CHECK_INT(kk_latest_write(&l, big, 20), KK_E2BIG);
	l.seq = 0;
	KT_CHECK_INT(kk_latest_write(&l, big, sizeof big), KK_EINVAL);
	l.seq = 1;
	strcpy(l.channel, "Stable");
	KT_CHECK_INT(kk_latest_write(&l, big, sizeof big), KK_EINVAL);
}

static void test_url_join(void)
{
	char u[64];

	KT_CHECK_INT(kk_fetch_url_join(u, sizeof u, "http://h:8080/root", "stable", "latest"), 0);
	KT_CHECK_STR(u, "http://h:8080/root/stable/latest");
	KT_CHECK_INT(kk_fetch_url_join(u, sizeof u, "https://cdn.example/", "beta-2", "1.5/manifest"), 0);
	KT_CHECK_STR(u, "https://cdn.example/beta-2/1.5/manifest");
	KT_CHECK_INT(kk_fetch_url_join(u, sizeof u, "http://h", "stable", "latest.minisig"), 0);
	KT_CHECK_STR(u, "http://h/stable/latest.minisig");
	/* bad bases */
	static const char *const bases[] = { "ftp://h/", "file:///etc", "http://", "http:///x",
					     "HTTP://h/", "http://h/a b", "http://h/?q=1",
					     "http://h/#x", "http://h/\r\nX: y", "h/", "" };
	for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++)
		if (kk_fetch_url_join(u, sizeof u, bases[i], "stable", "latest") != KK_EINVAL)
			KT_FAIL_("accepted base \"%s\"", bases[i]);
	/* bad channels and names */
	KT_CHECK_INT(kk_fetch_url_join(u, sizeof u, "http://h/", "../x", "latest"), KK_EINVAL);
	KT_CHECK_INT(kk_fetch_url_join(u, sizeof u, "http://h/", "", "latest"), KK_EINVAL);
	static const char *const names[] = { "../latest", "a/../b", "/latest", "a//b", "a/",
					     "./x", "a b", "a?b", "", "a/./b" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (kk_fetch_url_join(u, sizeof u, "http://h/", "stable", names[i]) != KK_EINVAL)
			KT_FAIL_("accepted name \"%s\"", names[i]);
	KT_CHECK(kk_fetch_url_join(u, sizeof u, "http://h/", "stable", "...x") == 0);
	/* too long: refused, never truncated */
	KT_CHECK_INT(kk_fetch_url_join(u, 20, "http://h/root", "stable", "latest"), KK_E2BIG);
	KT_CHECK_STR(u, "");
}

static void test_backoff(void)
{
	/* a success waits the interval; failures retry after 60 s, doubling, capped at 8x */
	KT_CHECK_INT(kk_fetch_backoff(3600, 0), 3600);
	KT_CHECK_INT(kk_fetch_backoff(3600, 1), 60);
	KT_CHECK_INT(kk_fetch_backoff(3600, 2), 120);
	KT_CHECK_INT(kk_fetch_backoff(3600, 3), 240);
	KT_CHECK_INT(kk_fetch_backoff(3600, 9), 15360);
	KT_CHECK_INT(kk_fetch_backoff(3600, 10), 28800);
	KT_CHECK_INT(kk_fetch_backoff(3600, 11), 28800);
	KT_CHECK_INT(kk_fetch_backoff(3600, UINT32_MAX), 28800);
	KT_CHECK_INT(kk_fetch_backoff(60, 1), 60);
	KT_CHECK_INT(kk_fetch_backoff(60, 4), 480);
	KT_CHECK_INT(kk_fetch_backoff(60, 5), 480);
	KT_CHECK_INT(kk_fetch_backoff(0, 0), 1);
	KT_CHECK_INT(kk_fetch_backoff(-5, 3), 8);
	/* never shrinks as failures grow */
	for (uint32_t k = 1; k < 100; k++)
		KT_CHECK(kk_fetch_backoff(600, k + 1) >= kk_fetch_backoff(600, k));

	struct kk_fetch_state s = { 0, 0, 0 };
	KT_CHECK_INT(kk_fetch_next_due(&s, 3600, 1000000), 1000000); /* never tried: now */
	s.last = 1000000;
	KT_CHECK_INT(kk_fetch_next_due(&s, 3600, 1000010), 1003600);
	s.failures = 2;
	KT_CHECK_INT(kk_fetch_next_due(&s, 3600, 1000010), 1000120);
	/* the clock went back a little: still the schedule; far back (a 1970 clock): now */
	KT_CHECK_INT(kk_fetch_next_due(&s, 3600, 999990), 1000120);
	KT_CHECK_INT(kk_fetch_next_due(&s, 3600, 86400), 86400);
	/* the jitter recorded with the attempt moves the delay, within +-15% */
	s.jitter = -150;
	KT_CHECK_INT(kk_fetch_next_due(&s, 3600, 1000010), 1000102);
	s.jitter = 150;
	KT_CHECK_INT(kk_fetch_next_due(&s, 3600, 1000010), 1000138);
	s.failures = 0;
	KT_CHECK_INT(kk_fetch_next_due(&s, 3600, 1000010), 1004140);
}

static void test_jitter(void)
{
	int64_t lo = INT64_MAX, hi = 0;
	int seen_neg = 0, seen_pos = 0, draws = 2000;

	/* the arithmetic: clamped to +-KK_FETCH_JITTER_PM, never below 1 s */
	KT_CHECK_INT(kk_fetch_jittered(3600, 0), 3600);
	KT_CHECK_INT(kk_fetch_jittered(3600, 100), 3960);
	KT_CHECK_INT(kk_fetch_jittered(3600, -100), 3240);
	KT_CHECK_INT(kk_fetch_jittered(3600, 5000), 4140);
	KT_CHECK_INT(kk_fetch_jittered(3600, -5000), 3060);
	KT_CHECK_INT(kk_fetch_jittered(1, -150), 1);
	KT_CHECK_INT(kk_fetch_jittered(7 * 86400 * 8, 150), 5564160); /* 8 x 7 days + 15%: no overflow */
	/* draws: within bounds, both sides of zero, and spread over the range (2000 uniform
	 * draws of 301 values: all in one third of the range has probability ~3^-2000) */
	for (int i = 0; i < draws; i++) {
		int j = kk_fetch_jitter_draw();
		int64_t d = kk_fetch_jittered(3600, j);
		if (j < -KK_FETCH_JITTER_PM || j > KK_FETCH_JITTER_PM)
			KT_FAIL_("jitter %d out of bounds", j);
		if (d < 3060 || d > 4140)
			KT_FAIL_("delay %lld out of bounds", (long long)d);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		seen_neg |= j < 0;
		seen_pos |= j > 0;
	}
	KT_CHECK(seen_neg && seen_pos);
	KT_CHECK(hi - lo > 2 * (4140 - 3060) / 3);
	/* the start-up spread: 0..max, not all equal; none at all for 0 */
	lo = INT64_MAX;
	hi = -1;
	for (int i = 0; i < draws; i++) {
		int64_t d = kk_fetch_spread_draw(300);
		if (d < 0 || d > 300)
			KT_FAIL_("spread %lld out of bounds", (long long)d);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	KT_CHECK(hi - lo > 200);
	KT_CHECK_INT(kk_fetch_spread_draw(0), 0);
	KT_CHECK_INT(kk_fetch_spread_draw(-3), 0);
}

/* The due time read back from dir lies within +-15% of base + delay. */
static void check_due_near(const char *dir, int64_t now, int64_t last, int64_t delay)
{
	int64_t due = kk_sync_fetch_due(dir, 3600, now);
	if (due < last + delay * 850 / 1000 || due > last + delay * 1150 / 1000)
		KT_FAIL_("due %lld, expected %lld +- 15%% of %lld", (long long)due, (long long)last,
			 (long long)delay);
	/* asked again: the same answer (the jitter is in the file, not drawn per call) */
	KT_CHECK_INT(kk_sync_fetch_due(dir, 3600, now), due);
}

static void test_state(void)
{
	struct kk_fetch_state s;
	char buf[KK_FETCH_STATE_MAX], dir[] = "/tmp/kk-fetch-XXXXXX", path[64];
	FILE *f;

	static const char st[] = "failures = 3\nlast = 1795450000\njitter = -42\n";
	KT_CHECK(kk_fetch_state_parse(st, sizeof st - 1, &s) == 0);
	KT_CHECK_INT(s.failures, 3);
	KT_CHECK_INT(s.last, 1795450000);
	KT_CHECK_INT(s.jitter, -42);
	KT_CHECK_INT(kk_fetch_state_format(&s, buf, sizeof buf), (int)sizeof st - 1);
	KT_CHECK_STR(buf, st);
	/* the two-line file of a kiosk from before jitter: no jitter */
	KT_CHECK(kk_fetch_state_parse("failures = 3\nlast = 1\n", 22, &s) == 0);
	KT_CHECK_INT(s.jitter, 0);
	KT_CHECK(kk_fetch_state_parse("failures = 3\nlast = 1\njitter = 150\n", 35, &s) == 0);
	KT_CHECK_INT(s.jitter, 150);
	static const char *const bad[] = {
		"failures = 3\nlast = 1\n\n", "failures = -1\nlast = 1\n",
		"last = 1\nfailures = 1\n", "failures = 3\nlast = 1\njitter = 151\n",
		"failures = 3\nlast = 1\njitter = -151\n", "failures = 3\nlast = 1\njitter = -0\n",
		"failures = 3\nlast = 1\njitter = --1\n", "failures = 3\nlast = 1\njitter = -\n",
		"failures = 3\nlast = 1\njitter = 1\nx = 1\n", "failures = 3\nlast = 1\njitter = 1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (kk_fetch_state_parse(bad[i], strlen(bad[i]), &s) == 0)
			KT_FAIL_("accepted \"%s\"", bad[i]);
		KT_CHECK_INT(s.failures + s.jitter + (int)s.last, 0);
	}

	KT_REQUIRE(mkdtemp(dir) != NULL);
	KT_CHECK_INT(kk_sync_fetch_due(dir, 3600, 5000), 5000);        /* no file */
	KT_CHECK_INT(kk_sync_fetch_record(dir, 0, 5000), 0);
	check_due_near(dir, 5001, 5000, 60);                           /* 1 failure */
	KT_CHECK_INT(kk_sync_fetch_record(dir, 0, 5060), 0);
	check_due_near(dir, 5061, 5060, 120);                          /* 2 failures */
	KT_CHECK_INT(kk_sync_fetch_record(dir, 1, 5200), 0);
	check_due_near(dir, 5201, 5200, 3600);                         /* success */
	snprintf(path, sizeof path, "%s/fetch.state", dir);
	f = fopen(path, "w");
	KT_REQUIRE(f != NULL);
	fputs("garbage\n", f);
	fclose(f);
	KT_CHECK_INT(kk_sync_fetch_due(dir, 3600, 9000), 9000);        /* unreadable: due now */
	KT_CHECK_INT(kk_sync_fetch_record(dir, 0, 9000), 0);           /* and starts again */
	check_due_near(dir, 9001, 9000, 60);
	kt_rmtree(dir);
}

KT_MAIN(KT_CASE(test_pointer_good), KT_CASE(test_pointer_hostile), KT_CASE(test_pointer_cap),
	KT_CASE(test_url_join), KT_CASE(test_backoff), KT_CASE(test_jitter),
	KT_CASE(test_state))
