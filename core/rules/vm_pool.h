/*
 * vm_pool: the small blocks of one Lua state, from slabs the state owns.
 *
 * A rule run allocates and frees millions of small objects (tables, strings, closures)
 * per shard; libc's malloc and free were 7% of a run's time (docs/performance.md). The
 * pool keeps a free list per 16-byte size class up to VM_POOL_MAX bytes and carves new
 * blocks from 64 KB slabs; nothing is returned to the system until vm_pool_release.
 * Lua tells the allocator each block's size when it frees or resizes it, so a block
 * needs no header: its size class says it is the pool's.
 *
 * Not thread-safe: one pool per Lua state, used by the thread running that state.
 */
#ifndef CARA_RULES_VM_POOL_H
#define CARA_RULES_VM_POOL_H

#include <stddef.h>

enum { VM_POOL_MAX = 256, VM_POOL_CLASSES = VM_POOL_MAX / 16, VM_POOL_ADOPTED = 32 };

typedef struct vm_pool {
    void *free[VM_POOL_CLASSES]; /* per class: the free blocks, linked through their start */
    void *slabs;                 /* the slabs, linked through their first word */
    char *cur;                   /* the unused tail of the newest slab */
    size_t left;
    size_t slab_bytes;           /* what the slabs hold in all */
    void *adopted[VM_POOL_ADOPTED]; /* libc blocks the pool took over (vm_pool_adopt) */
    size_t n_adopted, lost;
} vm_pool;

/* A block of n bytes (1 <= n <= VM_POOL_MAX), or NULL when a new slab cannot be had. */
void *vm_pool_alloc(vm_pool *p, size_t n);
/* Give back block b, allocated with size n (1 <= n <= VM_POOL_MAX). */
void vm_pool_free(vm_pool *p, void *b, size_t n);
/* 1 when blocks of sizes a and b (both at most VM_POOL_MAX) share a size class. */
int vm_pool_same_class(size_t a, size_t b);
/* Take over libc block b (at least n bytes, n <= VM_POOL_MAX), which Lua will from now
 * on treat as a block of n: when a shrink cannot get a pool block (a new slab failed),
 * the block stays where it is and becomes the pool's. Freed at release (up to
 * VM_POOL_ADOPTED of them; past that, counted in lost and left to the system). */
void vm_pool_adopt(vm_pool *p, void *b);
/* Free every slab and adopted block; p is empty afterwards. */
void vm_pool_release(vm_pool *p);

#endif
