/* tests/fuzz/replay.c: run a fuzz target over files, without libFuzzer: how "make check"
 * replays the seed corpora and every input that once found a bug (tests/fuzz/corpus/).
 *
 *   replay_TARGET FILE...   exit 0 when every input ran through */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *data;
		long size;

		if (!f || fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) < 0) {
			perror(argv[i]);
			return 1;
		}
		data = malloc((size_t)size + 1);
		if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
			perror(argv[i]);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(data, (size_t)size);
		free(data);
	}
	printf("%s: %d inputs\n", argv[0], argc - 1);
	return 0;
}
