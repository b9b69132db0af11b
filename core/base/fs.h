/*
 * fs: whole folders: copy a tree, remove a tree.
 */
#ifndef CARA_FS_H
#define CARA_FS_H
#include <stddef.h>

/* Copy folder `from` to `to` (created; regular files and folders, skipping dot and
 * editor backup files (*~, *.swp, *.tmp), at most 8 levels down; files of at most
 * 64 MiB). Symlinks are followed, dangling ones skipped. 0, or a negative errno-style
 * code with the reason (naming the path) in err. */
int fs_copy_tree(const char *from, const char *to, char *err, size_t errlen);

/* 1 when a file named n is skipped by fs_copy_tree: dot files and editor backups
 * (*~, *.swp, *.tmp); else 0. */
int fs_skip_name(const char *n);

/* Remove path and everything under it (nftw, depth first, not crossing into other file
 * systems; symlinks are removed, never followed). A missing path is not an error.
 * 0, or -1 when something could not be removed (the first such path and the reason in
 * err, which may be NULL). */
int fs_remove_tree(const char *path, char *err, size_t errlen);

/* A new unnamed file in folder dir, open for reading and writing (O_TMPFILE, else
 * created with a random name and unlinked at once): gone when its last descriptor
 * closes, however the process ends. The descriptor (close-on-exec; the caller's), or -1
 * with errno set. */
int fs_unnamed(const char *dir);
#endif
