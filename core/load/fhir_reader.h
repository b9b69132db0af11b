/*
 * fhir_reader: a FHIR file's resources parsed on a thread of its own and handed to the
 * caller in file order (core/load/load_fhir.c's first pass). The JSON parse and the
 * resource conversion are most of a FHIR load's work on its loading thread; with them on
 * a second thread the loading thread only applies what they give. The caller sees
 * exactly what fhir_each_mapped would hand its callback, in the same order (good
 * resources and bad records), so a load is the same with or without it. NDJSON of more
 * than one part is parsed by two threads, a part each in turn, and handed over in file
 * order. Memory: a ring of FHIR_READER_SLOTS resources a parser (it waits when its ring
 * is full).
 */
#ifndef CARA_LOAD_FHIR_READER_H
#define CARA_LOAD_FHIR_READER_H

#include <stddef.h>

#include "feeds/feeds.h"

#define FHIR_READER_SLOTS 256

/* NDJSON is read by two parsers in parts of about this many bytes (fhir_reader.c). */
#define FHIR_READER_PART ((size_t)512 << 10)

typedef struct fhir_reader fhir_reader;

/* Start parsing buf[0..len) (a read-only file mapping, as fhir_each_mapped: the pages of
 * what was parsed are given back) on a new thread. The mapping must outlive the reader.
 * 0, -ENOMEM or -EAGAIN (no thread). */
int fhir_reader_start(const char *buf, size_t len, fhir_reader **out);

/* fhir_reader_start with NDJSON read in parts of about part bytes (0: FHIR_READER_PART;
 * tests use a few hundred to cross parts). */
int fhir_reader_start_parts(const char *buf, size_t len, size_t part, fhir_reader **out);

/* The next record in file order: 1 with *r the resource (or *r NULL and *msg the bad
 * record's message) and *number its record number, both borrowed until the next call
 * or fhir_reader_finish; 0 after the last. */
int fhir_reader_next(fhir_reader *rd, const fhir_resource **r, size_t *number,
                     const char **msg);

/* Stop the parser (at its next record, when the caller stops early), wait for it, free
 * rd. Returns what fhir_each_mapped returned: the records seen, or a negative errno (a
 * document that is not JSON: -EINVAL, after its error was handed over as a bad record). */
long fhir_reader_finish(fhir_reader *rd);

#endif
