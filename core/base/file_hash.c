/*
 * file_hash.c: see file_hash.h.
 */
#define _GNU_SOURCE /* gettid */
#include "file_hash.h"

#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "sha256.h"

enum { CHUNK = 1 << 20, HASH_NICE = 10 };

struct file_hasher {
    pthread_t th;
    int fd;
    size_t len;
    atomic_int stop;            /* file_hash_cancel: leave at the next chunk */
    int rc;                     /* the thread's result, read after the join */
    char hex[65];
};

static void *hash_main(void *arg)
{
    file_hasher *h = arg;
    /* below the loading threads: on two cores the claims writer is the load's critical
     * path, and a third thread at its priority took a third of its core (the hash
     * then cost the load about as much as hashing before it); at nice 10 it runs in the
     * loading thread's idle time. A failure only leaves the thread at its priority. */
    (void)setpriority(PRIO_PROCESS, (id_t)gettid(), HASH_NICE);
    char *buf = malloc(CHUNK);
    if (!buf) {
        h->rc = -ENOMEM;
        return NULL;
    }
    sha256_ctx c;
    unsigned char digest[32];
    sha256_init(&c);
    size_t at = 0;
    while (at < h->len && !atomic_load(&h->stop)) {
        size_t want = h->len - at < CHUNK ? h->len - at : CHUNK;
        ssize_t n = pread(h->fd, buf, want, (off_t)at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            h->rc = n < 0 ? -errno : -EIO; /* an error, or the file got shorter */
            break;
        }
        sha256_update(&c, buf, (size_t)n);
        at += (size_t)n;
    }
    sha256_final(&c, digest);
    free(buf);
    if (h->rc == 0 && at == h->len) {
        static const char X[] = "0123456789abcdef";
        for (int i = 0; i < 32; i++) {
            h->hex[2 * i] = X[digest[i] >> 4];
            h->hex[2 * i + 1] = X[digest[i] & 15];
        }
        h->hex[64] = '\0';
    } else if (h->rc == 0) {
        h->rc = -ECANCELED;
    }
    return NULL;
}

int file_hash_start(int fd, size_t len, file_hasher **out)
{
    *out = NULL;
    file_hasher *h = calloc(1, sizeof *h);
    if (!h) return -ENOMEM;
    h->fd = fd;
    h->len = len;
    atomic_init(&h->stop, 0);
    if (pthread_create(&h->th, NULL, hash_main, h) != 0) {
        free(h);
        return -EAGAIN;
    }
    *out = h;
    return 0;
}

int file_hash_join(file_hasher *h, char hex[65])
{
    pthread_join(h->th, NULL);
    int rc = h->rc;
    for (int i = 0; i < 65; i++) hex[i] = rc == 0 ? h->hex[i] : '\0';
    free(h);
    return rc;
}

void file_hash_cancel(file_hasher *h)
{
    if (!h) return;
    atomic_store(&h->stop, 1);
    pthread_join(h->th, NULL);
    free(h);
}
