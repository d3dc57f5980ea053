// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Runs every UNIT_TEST linked in (the "unit_tests" section). */
#include <stdio.h>
#include <string.h>
#include "unit.h"

extern const struct unit_test __start_unit_tests[];
extern const struct unit_test __stop_unit_tests[];

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;

	for (const struct unit_test *t = __start_unit_tests; t < __stop_unit_tests; t++) {
		int f = 0;

		if (filter && !strstr(t->name, filter))
			continue;
		t->fn(&f);
		printf("%s %s\n", f ? "FAIL" : "ok  ", t->name);
		if (f)
			failed++;
		else
			passed++;
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;
}
