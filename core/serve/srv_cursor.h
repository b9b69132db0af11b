/*
 * srv_cursor: the `after` cursor of GET /v1/episodes (docs/api.md): an opaque token
 * naming the last row of a page by its key in the list order (template, person, day 0,
 * episode id), the run and a hash of the list's filters after the caller's scope was
 * applied, so that a cursor is only taken by the list it came from. It grants nothing:
 * a made-up cursor positions a list the caller may read anyway. Text: "e1", the run,
 * the filters' hash and the four key parts joined by 0x1f, in unpadded base64url.
 */
#ifndef CARA_SRV_CURSOR_H
#define CARA_SRV_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#define SRV_CURSOR_MAX 1024  /* the longest cursor taken, in characters */

/* The filters' hash: FNV-1a 64 of the n values (NULL and "" differ). */
uint64_t srv_cursor_filters(const char *const *values, size_t n);

/* The cursor of key (template, person, trigger date, episode id) of run in the list
 * with filters hash: malloc'ed, NULL when out of memory. */
char *srv_cursor_make(int64_t run, uint64_t filters, const char *const key[4]);

/*
 * Parse cursor for run and filters hash: 0 with the key parts in key[] (pointers into
 * buf, at least SRV_CURSOR_MAX bytes), -1 when it is not a cursor (not base64url, not
 * this format), -2 when it is one of another run or other filters.
 */
int srv_cursor_parse(const char *cursor, int64_t run, uint64_t filters, char *buf,
                     const char *key[4]);

#endif
