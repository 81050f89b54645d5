/*
 * kt.h — the unit-test harness: one executable per tests/unit/test_*.c file.
 *
 * A test is a `static void f(void)`; KT_CHECK records a failure and goes on, KT_REQUIRE
 * records it and returns from the test. KT_MAIN(f, g, ...) runs them in order and prints one
 * TAP-like line per test ("ok - file: name" / "not ok - …") that tests/run.sh totals.
 * The exit status is 1 if any test failed.
 */
#ifndef KT_H
#define KT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int kt_failed_now;
static const char *kt_file_name = "";

#define KT_FAIL_(fmt, ...)                                                                    \
	do {                                                                                  \
		fprintf(stdout, "#   %s:%d: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__);       \
		kt_failed_now = 1;                                                            \
	} while (0)

#define KT_CHECK(cond)                                                                        \
	do {                                                                                  \
		if (!(cond))                                                                  \
			KT_FAIL_("check failed: %s", #cond);                                  \
	} while (0)

#define KT_REQUIRE(cond)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			KT_FAIL_("requirement failed: %s", #cond);                            \
			return;                                                               \
		}                                                                             \
	} while (0)

#define KT_CHECK_INT(a, b)                                                                    \
	do {                                                                                  \
		long long kt_a_ = (long long)(a), kt_b_ = (long long)(b);                     \
		if (kt_a_ != kt_b_)                                                           \
			KT_FAIL_("%s == %s: %lld != %lld", #a, #b, kt_a_, kt_b_);             \
	} while (0)

#define KT_CHECK_STR(a, b)                                                                    \
	do {                                                                                  \
		const char *kt_a_ = (a), *kt_b_ = (b);                                        \
		if (!kt_a_ || !kt_b_ || strcmp(kt_a_, kt_b_) != 0)                           \
			KT_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, kt_a_ ? kt_a_ : "(null)", \
				 kt_b_ ? kt_b_ : "(null)");                                   \
	} while (0)

/* Remove a scratch folder made with mkdtemp (and everything in it); returns system()'s status. */
static inline int kt_rmtree(const char *dir)
{
	char cmd[600];
	if (!dir[0] || strstr(dir, "/tmp/") != dir)
		return -1; /* only ever below /tmp */
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

struct kt_case {
	const char *name;
	void (*fn)(void);
};

static int kt_run(const char *file, const struct kt_case *cases, size_t n)
{
	int failed = 0;
	const char *base = strrchr(file, '/');
	kt_file_name = base ? base + 1 : file;
	for (size_t i = 0; i < n; i++) {
		kt_failed_now = 0;
		cases[i].fn();
		printf("%s - %s: %s\n", kt_failed_now ? "not ok" : "ok", kt_file_name, cases[i].name);
		fflush(stdout);
		failed += kt_failed_now;
	}
	return failed ? 1 : 0;
}

#define KT_CASE(f) { #f, f }
#define KT_MAIN(...)                                                                          \
	int main(void)                                                                        \
	{                                                                                     \
		static const struct kt_case cases[] = { __VA_ARGS__ };                        \
		return kt_run(__FILE__, cases, sizeof cases / sizeof cases[0]);               \
	}

#endif
