/*
 * replay.c — run a libFuzzer target over its corpus without libFuzzer, so every saved input
 * (seeds and past crashes) is a regression test in `make test`, under ASan+UBSan, with gcc.
 * Usage: replay FILE...   (prints one "ok - replay: NAME" line per input)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf;
		long n;
		if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
			printf("not ok - replay: %s: cannot read\n", argv[i]);
			if (f)
				fclose(f);
			continue;
		}
		buf = malloc((size_t)n + 1);
		if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
			printf("not ok - replay: %s: cannot read\n", argv[i]);
		} else {
			LLVMFuzzerTestOneInput(buf, (size_t)n);
			printf("ok - replay: %s\n", argv[i]);
		}
		free(buf);
		fclose(f);
	}
	return 0;
}
