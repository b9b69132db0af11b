/*
 * vm_pool.c: see vm_pool.h.
 */
#include "vm_pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { SLAB = 64 * 1024, SLAB_HEAD = 16 };

static size_t class_of(size_t n) { return (n - 1) / 16; }

int vm_pool_same_class(size_t a, size_t b) { return class_of(a) == class_of(b); }

void *vm_pool_alloc(vm_pool *p, size_t n)
{
    size_t c = class_of(n);
    void *b = p->free[c];
    if (b) {
        memcpy(&p->free[c], b, sizeof(void *)); /* the next free block */
        return b;
    }
    size_t size = (c + 1) * 16;
    if (p->left < size) {
        char *slab = malloc(SLAB);
        if (!slab) return NULL;
        memcpy(slab, &p->slabs, sizeof(void *));
        p->slabs = slab;
        p->cur = slab + SLAB_HEAD; /* keeps blocks 16-byte aligned, as malloc's are */
        p->left = SLAB - SLAB_HEAD;
        p->slab_bytes += SLAB;
    }
    b = p->cur;
    p->cur += size;
    p->left -= size;
    return b;
}

void vm_pool_free(vm_pool *p, void *b, size_t n)
{
    size_t c = class_of(n);
    memcpy(b, &p->free[c], sizeof(void *));
    p->free[c] = b;
}

void vm_pool_adopt(vm_pool *p, void *b)
{
    if (p->n_adopted < VM_POOL_ADOPTED) p->adopted[p->n_adopted++] = b;
    else p->lost++;
}

void vm_pool_release(vm_pool *p)
{
    void *s = p->slabs;
    while (s) {
        void *next;
        memcpy(&next, s, sizeof next);
        free(s);
        s = next;
    }
    for (size_t i = 0; i < p->n_adopted; i++) free(p->adopted[i]);
    memset(p, 0, sizeof *p);
}
