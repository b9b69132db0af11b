/*
 * mllp.c: see mllp.h.
 *
 * The buffer holds, from its start, the kept bytes of the current frame (all of them up
 * to max; of an oversized frame only the first MLLP_KEEP_PREFIX), then at buf[pos..len)
 * the bytes fed but not yet scanned. Scanning moves a frame's bytes down to the kept
 * part (a no-op while nothing was dropped) and forgets the rest, so that after
 * mllp_next has answered MLLP_NEED the buffer holds at most max (or MLLP_KEEP_PREFIX)
 * bytes, and a feed of n bytes grows it to at most that + n.
 */
#include "mllp.h"

#include <stdlib.h>
#include <string.h>

void mllp_init(mllp_reader *r, size_t max_message)
{
    memset(r, 0, sizeof *r);
    r->max = max_message;
}

void mllp_free(mllp_reader *r)
{
    if (!r) return;
    free(r->buf);
    memset(r, 0, sizeof *r);
}

/* How many bytes of the current frame are kept at buf[0..). */
static size_t kept(const mllp_reader *r)
{
    if (!r->in_frame) return 0;
    if (r->oversize) return r->msg_len < MLLP_KEEP_PREFIX ? r->msg_len : MLLP_KEEP_PREFIX;
    return r->msg_len;
}

/* Drop the scanned bytes that are not kept: the unscanned ones move down after the kept. */
static void compact(mllp_reader *r)
{
    size_t k = kept(r);
    if (r->pos == k) return;
    memmove(r->buf + k, r->buf + r->pos, r->len - r->pos);
    r->len = k + (r->len - r->pos);
    r->pos = k;
}

int mllp_feed(mllp_reader *r, const char *data, size_t n)
{
    if (n == 0) return 0;
    compact(r);
    if (r->len + n > r->cap) {
        size_t want = r->len + n;
        size_t cap = r->cap * 2;
        size_t limit = (r->max > MLLP_KEEP_PREFIX ? r->max : MLLP_KEEP_PREFIX) + n;
        if (cap > limit) cap = limit;
        if (cap < want) cap = want;
        char *b = realloc(r->buf, cap);
        if (!b) return -1;
        r->buf = b;
        r->cap = cap;
    }
    memcpy(r->buf + r->len, data, n);
    r->len += n;
    return 0;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int mllp_next(mllp_reader *r, const char **msg, size_t *len)
{
    *msg = NULL;
    *len = 0;
    for (;;) {
        if (r->pos >= r->len) {
            compact(r);
            return MLLP_NEED;
        }
        if (!r->in_frame) {
            unsigned char c = (unsigned char)r->buf[r->pos];
            if (c != MLLP_SB) {
                r->pos++;
                if (!is_space(c)) r->junk++;
                continue;
            }
            /* the usual case: the whole frame is here, answered in place */
            size_t q = r->pos + 1;
            while (q < r->len && r->buf[q] != MLLP_SB && r->buf[q] != MLLP_EB) q++;
            if (q < r->len && r->buf[q] == MLLP_EB && q - r->pos - 1 <= r->max) {
                *msg = r->buf + r->pos + 1;
                *len = q - r->pos - 1;
                r->pos = q + 1;
                if (r->pos < r->len && (unsigned char)r->buf[r->pos] == MLLP_CR) r->pos++;
                return MLLP_MSG;
            }
            r->pos++;
            compact(r); /* drop what preceded: the frame's bytes will start at buf[0] */
            r->in_frame = 1;
            r->msg_len = 0;
            r->oversize = 0;
            continue;
        }
        /* in a frame: take the bytes up to the next SB or EB */
        size_t q = r->pos;
        while (q < r->len && r->buf[q] != MLLP_SB && r->buf[q] != MLLP_EB) q++;
        size_t n = q - r->pos, before = kept(r);
        r->msg_len += n;
        if (!r->oversize && r->msg_len > r->max) r->oversize = 1;
        size_t after = kept(r);
        if (after > before && before != r->pos)
            memmove(r->buf + before, r->buf + r->pos, after - before);
        r->pos = q;
        if (q == r->len) continue; /* compacts and asks for more */
        if (r->buf[q] == MLLP_SB) { /* a new frame: the unfinished one (SB included) is dropped */
            r->junk += r->msg_len + 1;
            r->in_frame = 0;
            continue; /* the SB is read again outside a frame */
        }
        /* EB: the frame ends; a CR after it is skipped here or later as whitespace */
        r->pos = q + 1;
        if (r->pos < r->len && (unsigned char)r->buf[r->pos] == MLLP_CR) r->pos++;
        int rc = r->oversize ? MLLP_TOO_BIG : MLLP_MSG;
        *len = kept(r);
        *msg = r->buf;
        r->in_frame = 0; /* the bytes stay at buf[0..*len) until the next call */
        return rc;
    }
}

long mllp_frame(const char *msg, size_t len, char *out, size_t outlen)
{
    if (!out || len > (size_t)0x7fffffff - 3 || outlen < len + 3) return -1;
    out[0] = MLLP_SB;
    if (len) memmove(out + 1, msg, len);
    out[len + 1] = MLLP_EB;
    out[len + 2] = MLLP_CR;
    return (long)(len + 3);
}
