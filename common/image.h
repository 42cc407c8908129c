/* common/image.h: checks on the images a config names. */
#pragma once

#include <stddef.h>

/* Open the directory of a "dir" image as an O_PATH fd, refusing a symlink or anything that
 * is not a directory owned by root and not writable by group or others (whoever can write
 * the image can change every session made from it). Returns the fd, or -errno with @why
 * saying what is wrong. */
int image_open_dir(const char *path, char *why, size_t why_size);
