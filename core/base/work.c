/*
 * work.c: see work.h.
 */
#include "work.h"

#include <stdlib.h>
#include <uv.h>

typedef struct work_req {
    uv_work_t req;
    char *item;
    size_t index;
    work_fn fn;
    void *ud;
} work_req;

static void work_cb(uv_work_t *req)
{
    work_req *w = (work_req *)req;
    w->fn(w->item, w->index, w->ud);
}

static void after_cb(uv_work_t *req, int status) { (void)req; (void)status; }

int work_run(void *items, size_t item_size, size_t n, work_fn fn, void *ud)
{
    if (n == 0) return 0;
    work_req *reqs = calloc(n, sizeof *reqs);
    uv_loop_t loop;
    int rc = reqs ? uv_loop_init(&loop) : UV_ENOMEM;
    size_t started = 0;
    if (rc == 0) {
        for (; started < n; started++) {
            work_req *w = &reqs[started];
            *w = (work_req){.item = (char *)items + started * item_size, .index = started,
                            .fn = fn, .ud = ud};
            rc = uv_queue_work(&loop, &w->req, work_cb, after_cb);
            if (rc != 0) break;
        }
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
    }
    for (size_t i = started; i < n; i++) fn((char *)items + i * item_size, i, ud);
    free(reqs);
    return rc;
}
