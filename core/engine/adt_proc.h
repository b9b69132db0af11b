/*
 * adt_proc: hospital ADT messages taken into the store (adt_proc.c; docs/adt.md). One
 * message at a time, in the caller's transaction: parse it (feeds hl7.h, adt.h), refuse
 * what cara does not take (AR) or cannot read (AE), take a resend once, match the
 * patient by MBI through the crosswalk (unmatched patients are kept), keep the visit up
 * to date, and apply the templates' event triggers: open provisional episodes, priced as
 * a run would price them, with their care-coordination tasks; cancels (A11, A13) undo
 * what their event did; A40 merges two patients. The acknowledgement is built here, to
 * be sent only after the caller's commit.
 *
 * One processor per thread (it holds a store connection's statements, a catalog and a
 * Lua sandbox).
 */
#ifndef CARA_ADT_PROC_H
#define CARA_ADT_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "feeds/feeds.h"
#include "rules/rules.h"
#include "store/store.h"

typedef struct adt_proc adt_proc;

/*
 * Open a processor on store s (borrowed; the caller owns its transactions) with the
 * templates of episodes_dir and the plugins of plugins_dir (NULL limits: the Lua
 * defaults). 0 with *out (adt_proc_close), or a negative code with err.
 */
int adt_proc_open(store *s, const char *episodes_dir, const char *plugins_dir,
                  const rules_limits *lim, adt_proc **out, char *err, size_t errlen);
void adt_proc_close(adt_proc *p);

/* Read the arrangements and networks again (EBRAs offered since the open). */
int adt_proc_refresh(adt_proc *p, char *err, size_t errlen);

/* What one message did. */
typedef struct adt_result {
    char ack[3];                 /* "AA", "AE" or "AR" */
    hl7_error e;                 /* for AE and AR */
    int duplicate;               /* a resend: acknowledged again, stored once */
    int64_t message_id;          /* the stored message (0 for AE, AR, and a resend's
                                  * own id for a resend) */
    int matched;                 /* the patient is a known beneficiary */
    int opened, cancelled;       /* provisional episodes opened (or reopened), cancelled */
    int tasks;                   /* care tasks created */
    char outcome[256];           /* what it did, for the log and the message listing */
} adt_result;

/*
 * Take one message (len bytes of raw, without MLLP framing) in the caller's transaction
 * and write its ACK into ack (NUL-terminated, ackcap bytes; *acklen its length; the
 * ACK's own MSH-10 is ack_control_id). Returns 0 with *r (an AE or AR has written only
 * its reject row), or -EIO / -ENOMEM with err when the store failed: the caller rolls
 * back what this call wrote and answers AR (hl7_ack with code 207).
 */
int adt_proc_take(adt_proc *p, const char *raw, size_t len, const char *ack_control_id,
                  char *ack, size_t ackcap, size_t *acklen, adt_result *r, char *err,
                  size_t errlen);

/* The current time as HL7 DTM "YYYYMMDDHHMMSS" (UTC) into out[15]. */
void adt_proc_now(char out[15]);

#endif
