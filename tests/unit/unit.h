/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A minimal unit test harness: each tests/unit/test_*.c file defines
 * UNIT_TEST(name) functions; the runner (tests/unit/main.c) runs all of
 * them, or those whose name contains argv[1], and prints "N passed, N failed".
 */
#ifndef IA_UNIT_H
#define IA_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(int *failed);
};

#define UNIT_TEST(n)                                                         \
	static void n(int *failed);                                          \
	static const struct unit_test ut_##n                                 \
		__attribute__((used, section("unit_tests"), aligned(8))) = { #n, n }; \
	static void n(int *failed)

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",       \
				__FILE__, __LINE__, #cond);                  \
			(*failed)++;                                         \
		}                                                            \
	} while (0)

#define CHECK_INT(a, b)                                                      \
	do {                                                                 \
		long long _a = (long long)(a), _b = (long long)(b);          \
		if (_a != _b) {                                              \
			fprintf(stderr, "  %s:%d: %s == %lld, want %lld\n",  \
				__FILE__, __LINE__, #a, _a, _b);             \
			(*failed)++;                                         \
		}                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                      \
	do {                                                                 \
		const char *_a = (a), *_b = (b);                             \
		if (!_a || !_b || strcmp(_a, _b)) {                          \
			fprintf(stderr, "  %s:%d: %s == \"%s\", want \"%s\"\n", \
				__FILE__, __LINE__, #a, _a ? _a : "(null)",  \
				_b ? _b : "(null)");                         \
			(*failed)++;                                         \
		}                                                            \
	} while (0)

#endif /* IA_UNIT_H */
