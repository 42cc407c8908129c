/* tests/fuzz/fuzz_layer.c: a layer tar (plain or compressed, any bytes at all) unpacked into
 * a scratch directory the way an import unpacks it. Whatever the tar says, nothing may crash,
 * and nothing may be written outside the scratch directory. Without privileges the unpacker
 * stops at the first owner it cannot set: run it as root (make fuzz does) to reach far. */
#include <archive.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/store.h"
#include "image/error.h"
#include "image/unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char scratch[] = "/tmp/carrel-fuzz-layer.XXXXXX";
	struct image_error e;
	struct unpack_opts o = {.lower_fd = -1, .max_bytes = 16 * 1024 * 1024};
	struct archive *tar = archive_read_new();
	uint64_t bytes = 0;
	int parent_fd;

	if (!tar || !mkdtemp(scratch))
		abort();
	archive_read_support_filter_all(tar);
	archive_read_support_format_tar(tar);
	o.root_fd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o.root_fd < 0)
		abort();
	if (archive_read_open_memory(tar, data, size) == ARCHIVE_OK)
		(void)unpack_layer(tar, &o, &bytes, &e);
	archive_read_free(tar);
	close(o.root_fd);
	/* Remove the scratch tree by the same rules as the store: no symlink followed. */
	parent_fd = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (parent_fd < 0 || store_remove_tree(parent_fd, scratch + 5) < 0)
		abort();
	close(parent_fd);
	return 0;
}
