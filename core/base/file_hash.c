/*
 * file_hash.c: see file_hash.h.
 */
#define _GNU_SOURCE /* gettid */
#include "file_hash.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sha256.h"
#include "util.h"

enum { CHUNK = 1 << 20, HASH_NICE = 10 };

struct file_hasher {
    pthread_t th;
    int fd;
    size_t len;
    atomic_int stop;            /* file_hash_cancel: leave at the next chunk */
    atomic_int handoff;         /* file_hash_join: leave at the next chunk, the rest is the
                                 * joiner's */
    /* the thread's until it is joined, then the joiner's */
    sha256_ctx c;
    char *buf;                  /* CHUNK bytes */
    size_t at;                  /* bytes hashed */
    int rc;                     /* 0, or a failed read's -errno */
};

/* Hash chunks from h->at until the end, a failed read, or *quit set. */
static void hash_chunks(file_hasher *h, atomic_int *quit)
{
    while (h->at < h->len && h->rc == 0 && !(quit && atomic_load(quit)) &&
           !atomic_load(&h->stop)) {
        size_t want = h->len - h->at < CHUNK ? h->len - h->at : CHUNK;
        ssize_t n = pread(h->fd, h->buf, want, (off_t)h->at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            h->rc = n < 0 ? -errno : -EIO; /* an error, or the file got shorter */
            break;
        }
        sha256_update(&h->c, h->buf, (size_t)n);
        h->at += (size_t)n;
    }
}

static void *hash_main(void *arg)
{
    util_thread_name("cara-hash");
    file_hasher *h = arg;
    /* below the loading threads: on two cores the claims writer is the load's critical
     * path, and a third thread at its priority took a third of its core (the hash then
     * cost the load about as much as hashing before it); 10 below the process's own
     * priority it runs in the loading thread's idle time. What it has not hashed when
     * the load joins it, the joining thread hashes at its own priority (file_hash_join),
     * so a busy machine does not keep the load's transaction waiting on it. A failure
     * only leaves the thread at its priority. */
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, (id_t)gettid());
    if (errno == 0)
        (void)setpriority(PRIO_PROCESS, (id_t)gettid(),
                          nice + HASH_NICE > 19 ? 19 : nice + HASH_NICE);
    hash_chunks(h, &h->handoff);
    return NULL;
}

int file_hash_start(int fd, size_t len, file_hasher **out)
{
    *out = NULL;
    file_hasher *h = calloc(1, sizeof *h);
    if (!h || !(h->buf = malloc(CHUNK))) {
        free(h);
        return -ENOMEM;
    }
    h->fd = fd;
    h->len = len;
    atomic_init(&h->stop, 0);
    atomic_init(&h->handoff, 0);
    sha256_init(&h->c);
    if (pthread_create(&h->th, NULL, hash_main, h) != 0) {
        unsigned char d[32];
        sha256_final(&h->c, d);
        free(h->buf);
        free(h);
        return -EAGAIN;
    }
    *out = h;
    return 0;
}

int file_hash_join(file_hasher *h, char hex[65])
{
    atomic_store(&h->handoff, 1);
    pthread_join(h->th, NULL);
    hash_chunks(h, NULL); /* what the thread had not reached */
    unsigned char digest[32];
    sha256_final(&h->c, digest);
    int rc = h->rc;
    static const char X[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = rc == 0 ? X[digest[i] >> 4] : '\0';
        hex[2 * i + 1] = rc == 0 ? X[digest[i] & 15] : '\0';
    }
    hex[64] = '\0';
    free(h->buf);
    free(h);
    return rc;
}

void file_hash_cancel(file_hasher *h)
{
    if (!h) return;
    atomic_store(&h->stop, 1);
    pthread_join(h->th, NULL);
    unsigned char d[32];
    sha256_final(&h->c, d); /* releases the digest context */
    free(h->buf);
    free(h);
}
