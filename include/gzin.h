/*
 * gzin.h - streaming input of one dump file, plain or gzip-compressed.
 *
 * A file that starts with the gzip magic (1f 8b) is inflated; several gzip
 * members concatenated read as one stream, as with zcat.  Any other file is
 * read as it is (plain CSV).  A gzip file is inflated ahead on a thread
 * of its own, so that inflating overlaps with what the caller does with
 * the bytes.  Memory is bounded: one 256 KiB read buffer, zlib's window
 * and three 1 MiB blocks inflated ahead, whatever the file size.
 *
 * Errors name the file by the path given to gzin_open():
 *     'opendata_donations000.gz': gzip data is cut short (after N bytes)
 *     'opendata_donations000.gz': corrupt gzip data: invalid block type
 *     'opendata_donations000.gz': trailing garbage after gzip data (at byte N)
 * An error is final: every later gzin_read() returns -1 again.  Data
 * inflated before an error is returned first, so a caller sees every byte
 * up to the damage.
 */
#ifndef DC_GZIN_H
#define DC_GZIN_H

#include <stddef.h>
#include <stdint.h>

typedef struct gzin gzin;

/* Open path for reading; NULL with a message in err (DC_ERR_MAX bytes).
 * The caller closes the result with gzin_close(). */
gzin *gzin_open(const char *path, char *err);

/* Up to n bytes of the (inflated) content into dst: the count (> 0), 0 at
 * the end of the file, -1 on error (see gzin_errmsg()). */
ptrdiff_t gzin_read(gzin *g, char *dst, size_t n);

/* Bytes of the file consumed so far (compressed bytes, for progress). */
uint64_t gzin_bytes_in(const gzin *g);

/* The file's size in bytes, as it was when opened. */
uint64_t gzin_size(const gzin *g);

/* Why the last gzin_read() failed; owned by g. */
const char *gzin_errmsg(const gzin *g);

/* Close the file and free g; NULL is accepted. */
void gzin_close(gzin *g);

#endif
