/*
 * mllp: the Minimal Lower Layer Protocol framing of HL7 v2 over TCP (mllp.c): each
 * message is 0x0B <message> 0x1C 0x0D. A pure, incremental reader: bytes arrive in any
 * pieces (a frame split anywhere, several frames in one read) and complete messages come
 * out in order. No I/O; one reader per connection.
 */
#ifndef CARA_MLLP_H
#define CARA_MLLP_H

#include <stddef.h>

#define MLLP_SB 0x0B
#define MLLP_EB 0x1C
#define MLLP_CR 0x0D
#define MLLP_KEEP_PREFIX 4096   /* bytes of an oversized message kept for its ACK */

typedef struct mllp_reader {
    char *buf;                  /* owned */
    size_t len, cap, pos;
    size_t max;                 /* the largest message accepted (bytes between SB and EB) */
    int in_frame;
    size_t msg_len;             /* bytes of the current frame so far (also past max) */
    int oversize;               /* the current frame passed max */
    size_t junk;                /* bytes seen outside a frame, other than whitespace */
} mllp_reader;

enum {
    MLLP_NEED = 0,              /* no complete frame yet: feed more */
    MLLP_MSG = 1,               /* a message */
    MLLP_TOO_BIG = 2,           /* a frame larger than max ended: *msg holds its first
                                 * MLLP_KEEP_PREFIX bytes (for the ACK's MSH-10) */
};

void mllp_init(mllp_reader *r, size_t max_message);
void mllp_free(mllp_reader *r);

/* Append n bytes read from the connection. 0, or -1 when out of memory. */
int mllp_feed(mllp_reader *r, const char *data, size_t n);

/*
 * The next complete frame: MLLP_MSG or MLLP_TOO_BIG with *msg / *len (borrowed, valid
 * until the next mllp_feed or mllp_next), or MLLP_NEED. Bytes outside a frame are
 * skipped (whitespace silently, anything else counted in junk); a 0x1C not followed by
 * 0x0D ends the frame all the same. An SB inside a frame starts a new frame (the
 * unfinished one is dropped and its bytes, SB included, counted in junk). Memory stays
 * bounded by max + MLLP_KEEP_PREFIX + the bytes of the largest read, whatever the peer
 * sends, provided mllp_next is called until MLLP_NEED after each mllp_feed.
 */
int mllp_next(mllp_reader *r, const char **msg, size_t *len);

/* Frame len bytes of msg into out (SB msg EB CR). Returns len + 3, or -1 when it does
 * not fit. */
long mllp_frame(const char *msg, size_t len, char *out, size_t outlen);

#endif
