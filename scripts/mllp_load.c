/*
 * scripts/mllp_load.c: a load generator for an MLLP listener of HL7 v2 ADT messages
 * (issue 17; `make bench` runs it through scripts/bench_mllp.sh). Plain C11 and POSIX
 * sockets, no cara code, no library beyond libc.
 *
 * It opens C connections and keeps up to W messages unacknowledged on each (pipelined),
 * reads the ACKs (MLLP frames 0x0B ... 0x1C 0x0D; MSA-1 the code, MSA-2 the control id
 * of the message acknowledged) and matches each ACK to its message by MSA-2: every
 * message sent carries a control id (MSH-10) of its own, "<prefix>-<n>", n counting from
 * 0, so that a rerun is never taken for a resend. The time of a message is from its
 * write (the message is queued and written in the same step) to the read of its ACK,
 * CLOCK_MONOTONIC in nanoseconds.
 *
 * Messages: those of --file (HL7 segments ended by "\r", messages separated by "\n", as
 * `cara synth` writes DIR/adt.hl7), taken in turn, their MSH-10 rewritten; or generated
 * ADT^A04 / ADT^A03 of HL7 2.5.1 (MSH, EVN, PID with an MBI in PID-3 as ^^^CMS^MC, PV1
 * with a visit number in PV1-19, PV2, 2 or 3 DG1; 600 to 900 bytes).
 *
 * At the end it prints the messages sent and acknowledged, the AA / AE / AR counts, the
 * ACKs missing (none within --timeout of the last progress), elapsed seconds, messages
 * per second and the p50 / p90 / p99 / max time to ACK in ms: one line of text, or with
 * --json one JSON object.
 *
 * Exit status: 0 every message acknowledged AA; 1 an ACK missing, unknown or
 * unreadable, or (without --allow-errors) an AE / AR; 2 bad usage, a file that cannot
 * be read, or no connection.
 *
 * Build: cc -std=c11 -O2 -Wall -Wextra -Werror -o build/mllp_load scripts/mllp_load.c
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define SB 0x0B
#define EB 0x1C
#define CR 0x0D
#define MAX_ACK (1u << 20)   /* an ACK frame larger than this is an error */
#define N_GEN 509            /* generated templates (a prime: no beat with C or W) */

static void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mllp_load: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die(2, "out of memory (%zu bytes)", n);
    return q;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- a growable byte buffer ---------------------------------------------------------- */
typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void buf_add(buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_str(buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* ---- message templates: the bytes before and after MSH-10 ---------------------------- */
typedef struct tmpl {
    char *pre, *post;
    size_t pre_len, post_len;
} tmpl;

static tmpl *g_tmpl;
static size_t g_ntmpl;

/*
 * Split one message (len bytes, starting "MSH") around its MSH-10 into a template. When
 * MSH has fewer than 10 fields, the missing field separators are added. 0, or -1 when it
 * does not start with MSH and a field separator.
 */
static int tmpl_add(const char *m, size_t len)
{
    if (len < 8 || memcmp(m, "MSH", 3) != 0 || m[3] == '\r' || m[3] == '\n')
        return -1;
    char sep = m[3];
    size_t i = 3, count = 0;
    while (i < len && m[i] != '\r' && m[i] != '\n') {
        if (m[i] == sep && ++count == 9)
            break;
        i++;
    }
    tmpl t;
    buf pre = {0}, post = {0};
    if (count == 9) {                       /* m[i] is the separator before MSH-10 */
        buf_add(&pre, m, i + 1);
        size_t j = i + 1;
        while (j < len && m[j] != sep && m[j] != '\r' && m[j] != '\n')
            j++;
        buf_add(&post, m + j, len - j);
    } else {                                /* MSH ends at i with count fields after 1 */
        buf_add(&pre, m, i);
        while (count++ < 9)
            buf_add(&pre, &sep, 1);
        buf_add(&post, m + i, len - i);
    }
    t.pre = pre.p;
    t.pre_len = pre.len;
    t.post = post.p ? post.p : xrealloc(NULL, 1);
    t.post_len = post.len;
    g_tmpl = xrealloc(g_tmpl, (g_ntmpl + 1) * sizeof *g_tmpl);
    g_tmpl[g_ntmpl++] = t;
    return 0;
}

/* Messages of a file: separated by "\n", segments ended by "\r"; blank lines skipped. */
static void load_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(2, "--file %s: %s", path, strerror(errno));
    buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    if (ferror(f))
        die(2, "--file %s: read error: %s", path, strerror(errno));
    fclose(f);
    size_t line = 1, start = 0;
    for (size_t i = 0; i <= b.len; i++) {
        if (i < b.len && b.p[i] != '\n')
            continue;
        size_t s = start, e = i;
        while (s < e && (b.p[s] == '\r' || b.p[s] == ' ' || b.p[s] == '\t'))
            s++;
        if (s < e) {
            if (tmpl_add(b.p + s, e - s) != 0)
                die(2, "--file %s line %zu: a message must start with \"MSH\" and its field "
                       "separator, not \"%.*s\"", path, line, (int)((e - s) < 20 ? (e - s) : 20),
                    b.p + s);
            /* the last segment must end with \r */
            if (b.p[e - 1] != '\r') {
                tmpl *t = &g_tmpl[g_ntmpl - 1];
                t->post = xrealloc(t->post, t->post_len + 1);
                t->post[t->post_len++] = '\r';
            }
        }
        line++;
        start = i + 1;
    }
    free(b.p);
    if (g_ntmpl == 0)
        die(2, "--file %s holds no message (expected lines starting with MSH)", path);
}

/* ---- generated ADT messages ---------------------------------------------------------- */
static uint64_t g_rng = 0x9E3779B97F4A7C15u;
static uint32_t rnd(uint32_t n) /* 0 .. n-1 (xorshift64*) */
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return (uint32_t)(((g_rng * 0x2545F4914F6CDD1Du) >> 32) % n);
}
#define PICK(a) (a[rnd((uint32_t)(sizeof a / sizeof a[0]))])

/* An MBI: CMS's 11-character pattern (no S L O I B Z). */
static void gen_mbi(char out[12])
{
    static const char *alpha = "ACDEFGHJKMNPQRTUVWXY";   /* 20 */
    static const char *alnum = "0123456789ACDEFGHJKMNPQRTUVWXY"; /* 30 */
    static const char kind[] = "NAXNAXNAANN"; /* N digit (1st 1-9), A alpha, X either */
    for (int i = 0; i < 11; i++) {
        switch (kind[i]) {
        case 'N': out[i] = (char)(i == 0 ? '1' + rnd(9) : '0' + rnd(10)); break;
        case 'A': out[i] = alpha[rnd(20)]; break;
        default: out[i] = alnum[rnd(30)]; break;
        }
    }
    out[11] = 0;
}

/* An NPI with a valid check digit (Luhn over "80840" + the first nine digits). */
static void gen_npi(char out[11])
{
    int sum = 24; /* the prefix 80840's contribution */
    out[0] = (char)('1' + rnd(2));
    for (int i = 1; i < 9; i++)
        out[i] = (char)('0' + rnd(10));
    for (int i = 0; i < 9; i++) {
        int d = out[i] - '0';
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    out[9] = (char)('0' + (10 - sum % 10) % 10);
    out[10] = 0;
}

/* One segment from fields 1..n (f[0] unused; NULL or "" empty). */
static void seg(buf *b, const char *id, const char **f, int n)
{
    buf_str(b, id);
    for (int i = 1; i <= n; i++) {
        buf_add(b, "|", 1);
        if (f[i])
            buf_str(b, f[i]);
    }
    buf_add(b, "\r", 1);
}

static void dtm(char out[15], int y, int mo, int d, int h, int mi, int s)
{
    snprintf(out, 15, "%04u%02u%02u%02u%02u%02u", (unsigned)y % 10000u, (unsigned)mo % 100u,
             (unsigned)d % 100u, (unsigned)h % 100u, (unsigned)mi % 100u, (unsigned)s % 100u);
}

static void gen_message(uint32_t k)
{
    static const char *last[] = {"SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA",
                                 "MILLER", "DAVIS", "RODRIGUEZ", "MARTINEZ", "HERNANDEZ",
                                 "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS"};
    static const char *first_f[] = {"MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH",
                                    "JENNIFER", "MARGARET", "DOROTHY", "HELEN", "RUTH"};
    static const char *first_m[] = {"JAMES", "JOHN", "ROBERT", "MICHAEL", "WILLIAM", "DAVID",
                                    "RICHARD", "JOSEPH", "CHARLES", "THOMAS"};
    static const char *street[] = {"MAIN ST", "OAK AVE", "MAPLE DR", "CEDAR LN", "ELM ST",
                                   "PINE RD", "LAKE VIEW BLVD", "WASHINGTON AVE"};
    static const char *city[][2] = {{"SPRINGFIELD", "IL"}, {"COLUMBUS", "OH"},
                                    {"DAYTON", "OH"}, {"PEORIA", "IL"}, {"MADISON", "WI"},
                                    {"AKRON", "OH"}, {"GREEN BAY", "WI"}};
    static const char *fac[][2] = {{"GENHOSP", "140010"}, {"STMARYS", "360032"},
                                   {"MERCYMED", "520098"}, {"RIVERVLY", "140088"}};
    static const char *dx[][2] = {
        {"W19.XXXA", "Unspecified fall, initial encounter"},
        {"S72.001A", "Fx neck of right femur, init"},
        {"S72.002A", "Fx neck of left femur, init"},
        {"R29.6", "Repeated falls"},
        {"Z91.81", "History of falling"},
        {"I10", "Essential hypertension"},
        {"E11.9", "Type 2 diabetes mellitus"},
        {"M81.0", "Age-related osteoporosis"},
        {"N39.0", "Urinary tract infection"},
        {"I48.91", "Unspecified atrial fibrillation"},
        {"R55", "Syncope and collapse"},
        {"S32.009A", "Fx lumbar vertebra, init"}};
    static const char *doc_last[] = {"WELBY", "KILDARE", "HOUSE", "QUINN", "GREY", "SHEPHERD"};
    static const char *doc_first[] = {"MARCUS", "JAMES", "GREGORY", "MICHAELA", "MEREDITH"};
    static const char *svc[] = {"MED", "SUR", "ORT", "CAR"};
    static const char *disp[] = {"01", "06", "03", "62"};

    int a03 = (k % 2) == 1;
    int mo = 1 + (int)rnd(12), d = 1 + (int)rnd(28), h = (int)rnd(24), mi = (int)rnd(60);
    char ts[15], evts[15], adm[15], dis[15], dob[40], mbi[12], npi[11];
    int stay = 1 + (int)rnd(6);
    dtm(ts, 2026, mo, d, h, mi, (int)rnd(60));
    dtm(evts, 2026, mo, d, h, mi > 4 ? mi - 5 : 0, 0);
    dtm(adm, 2026, mo, d > stay ? d - stay : 1, (h + 7) % 24, mi, 0);
    dtm(dis, 2026, mo, d, h, mi, 0);
    snprintf(dob, sizeof dob, "%04d%02d%02d", 1930 + (int)rnd(30), 1 + (int)rnd(12),
             1 + (int)rnd(28));
    gen_mbi(mbi);
    gen_npi(npi);
    int female = (int)rnd(2);
    const char **fc = fac[rnd(4)];
    const char **ct = city[rnd(7)];
    char mrn[16], acct[16], visit[16], msh4[40], msh9[24], evn5[40], pid3[80], pid5[64];
    char pid11[96], pid13[48], pid18[48], pv1_3[48], pv1_7[80], pv1_19[48], pv2_3[96];
    snprintf(mrn, sizeof mrn, "M%07u", rnd(10000000));
    snprintf(acct, sizeof acct, "A%08u", rnd(100000000));
    snprintf(visit, sizeof visit, "V%09u", rnd(1000000000));
    snprintf(msh4, sizeof msh4, "%s^%s^CMS", fc[0], fc[1]);
    snprintf(msh9, sizeof msh9, a03 ? "ADT^A03^ADT_A03" : "ADT^A04^ADT_A01");
    snprintf(evn5, sizeof evn5, "U%04u^REGISTRAR^PAT", rnd(10000));
    snprintf(pid3, sizeof pid3, "%s^^^%s^MR~%s^^^CMS^MC", mrn, fc[0], mbi);
    snprintf(pid5, sizeof pid5, "%s^%s^%c^^^^L", PICK(last),
             female ? PICK(first_f) : PICK(first_m), (char)('A' + rnd(26)));
    snprintf(pid11, sizeof pid11, "%u %s^^%s^%s^%05u^USA^H", 10 + rnd(9000), PICK(street),
             ct[0], ct[1], 10000 + rnd(89999));
    snprintf(pid13, sizeof pid13, "^PRN^PH^^1^%03u^%07u", 200 + rnd(700), rnd(10000000));
    snprintf(pid18, sizeof pid18, "%s^^^%s^AN", acct, fc[0]);
    snprintf(pv1_3, sizeof pv1_3, a03 ? "4W^4%02u^A^%s" : "ED^ER%02u^A^%s", rnd(40), fc[0]);
    snprintf(pv1_7, sizeof pv1_7, "%s^%s^%s^^^DR^MD^^CMS^L^^^NPI", npi, PICK(doc_last),
             PICK(doc_first));
    snprintf(pv1_19, sizeof pv1_19, "%s^^^%s^VN", visit, fc[0]);
    unsigned d0 = rnd(5); /* the principal diagnosis: a fall or an injury of one */
    snprintf(pv2_3, sizeof pv2_3, "%s^%s^I10", dx[d0][0], dx[d0][1]);

    buf b = {0};
    const char *msh[16] = {0};
    /* MSH-1 and MSH-2 are written by hand; f[] here holds MSH-3 .. MSH-18 at 3 .. 18 */
    buf_str(&b, "MSH|^~\\&");
    msh[3] = "ADTSYS";
    msh[4] = msh4;
    msh[5] = "CARA";
    msh[6] = "LEADACO";
    msh[7] = ts;
    msh[9] = msh9;
    msh[10] = "0"; /* replaced by tmpl_add */
    msh[11] = "P";
    msh[12] = "2.5.1";
    msh[15] = "AL";
    for (int i = 3; i <= 15; i++) {
        buf_add(&b, "|", 1);
        if (msh[i])
            buf_str(&b, msh[i]);
    }
    buf_add(&b, "\r", 1);

    const char *evn[8] = {0};
    evn[1] = a03 ? "A03" : "A04";
    evn[2] = ts;
    evn[5] = evn5;
    evn[6] = evts;
    seg(&b, "EVN", evn, 6);

    const char *pid[31] = {0};
    pid[1] = "1";
    pid[3] = pid3;
    pid[5] = pid5;
    pid[7] = dob;
    pid[8] = female ? "F" : "M";
    pid[10] = "2106-3^White^CDCREC";
    pid[11] = pid11;
    pid[13] = pid13;
    pid[15] = "ENG^English^ISO639";
    pid[16] = rnd(2) ? "M^Married^HL70002" : "W^Widowed^HL70002";
    pid[18] = pid18;
    pid[30] = "N";
    seg(&b, "PID", pid, 30);

    const char *pv1[46] = {0};
    pv1[1] = "1";
    pv1[2] = a03 ? "I" : "E";
    pv1[3] = pv1_3;
    pv1[4] = a03 ? "U" : "E";
    pv1[7] = pv1_7;
    pv1[10] = PICK(svc);
    pv1[14] = "7";
    pv1[18] = a03 ? "IP" : "ER";
    pv1[19] = pv1_19;
    pv1[20] = "MC";
    pv1[44] = a03 ? adm : ts;
    if (a03) {
        pv1[36] = PICK(disp);
        pv1[45] = dis;
    }
    seg(&b, "PV1", pv1, a03 ? 45 : 44);

    const char *pv2[4] = {0};
    pv2[3] = pv2_3;
    seg(&b, "PV2", pv2, 3);

    int ndx = 2 + (int)rnd(2);
    unsigned used = 1u << d0;
    for (int i = 1; i <= ndx; i++) {
        unsigned c = d0;
        if (i > 1)
            do
                c = rnd(12);
            while (used & (1u << c));
        used |= 1u << c;
        char set[16], code[96], prio[16];
        snprintf(set, sizeof set, "%d", i);
        snprintf(code, sizeof code, "%s^%s^I10", dx[c][0], dx[c][1]);
        snprintf(prio, sizeof prio, "%d", i);
        const char *dg[16] = {0};
        dg[1] = set;
        dg[3] = code;
        dg[5] = ts;
        dg[6] = a03 ? "F" : "W";
        dg[15] = prio;
        seg(&b, "DG1", dg, 15);
    }
    if (tmpl_add(b.p, b.len) != 0)
        die(2, "internal: a generated message does not start with MSH");
    free(b.p);
}

/* ---- connections and the bookkeeping of each message --------------------------------- */
enum { S_NONE = 0, S_SENT = 1, S_ACKED = 2 };
typedef struct slot {
    uint64_t t;        /* sent at (ns); once acknowledged, the time to ACK (ns) */
    int32_t conn;
    uint8_t state;
} slot;

typedef struct conn {
    int fd;            /* -1 closed */
    buf w;             /* bytes to write, from woff */
    size_t woff;
    buf r;             /* bytes read, not yet a whole frame */
    long outstanding;
} conn;

static struct {
    const char *host, *port, *file, *prefix;
    long conns, window;
    uint64_t messages;
    double seconds, rate;
    long timeout_ms;
    int json, allow_errors;
} opt = {.host = "127.0.0.1", .conns = 8, .window = 16, .timeout_ms = 10000};

static slot *g_slot;
static uint64_t g_nslot, g_next;      /* slots allocated, messages sent */
static conn *g_conn;
static char g_prefix[64];
static size_t g_prefix_len;
static struct {
    uint64_t acked, aa, ae, ar, other, unknown, duplicate, wrong_conn, bad, bytes;
    uint64_t first_send, last_send, last_ack;
    long outstanding;
} st;

static void slot_grow(uint64_t n)
{
    if (n <= g_nslot)
        return;
    uint64_t cap = g_nslot ? g_nslot : 65536;
    while (cap < n)
        cap *= 2;
    g_slot = xrealloc(g_slot, cap * sizeof *g_slot);
    memset(g_slot + g_nslot, 0, (cap - g_nslot) * sizeof *g_slot);
    g_nslot = cap;
}

/* Queue message g_next on connection ci (written by the flush that follows). */
static void queue_message(int ci, uint64_t t)
{
    conn *c = &g_conn[ci];
    uint64_t n = g_next++;
    const tmpl *tp = &g_tmpl[n % g_ntmpl];
    char id[96];
    int idn = snprintf(id, sizeof id, "%s-%" PRIu64, g_prefix, n);
    char sb = SB, end[2] = {EB, CR};
    size_t before = c->w.len;
    buf_add(&c->w, &sb, 1);
    buf_add(&c->w, tp->pre, tp->pre_len);
    buf_add(&c->w, id, (size_t)idn);
    buf_add(&c->w, tp->post, tp->post_len);
    buf_add(&c->w, end, 2);
    st.bytes += c->w.len - before;
    slot_grow(n + 1);
    g_slot[n].t = t;
    g_slot[n].conn = ci;
    g_slot[n].state = S_SENT;
    c->outstanding++;
    st.outstanding++;
    if (!st.first_send)
        st.first_send = t;
    st.last_send = t;
}

static void conn_close(int ci, const char *why)
{
    conn *c = &g_conn[ci];
    if (c->fd < 0)
        return;
    if (c->outstanding)
        fprintf(stderr, "mllp_load: connection %d %s with %ld messages unacknowledged\n", ci,
                why, c->outstanding);
    else if (strcmp(why, "closed by the server") != 0)
        fprintf(stderr, "mllp_load: connection %d %s\n", ci, why);
    close(c->fd);
    c->fd = -1;
}

/* Write what is queued on ci, as much as the socket takes. */
static void flush(int ci)
{
    conn *c = &g_conn[ci];
    while (c->fd >= 0 && c->woff < c->w.len) {
        ssize_t n = send(c->fd, c->w.p + c->woff, c->w.len - c->woff, MSG_NOSIGNAL);
        if (n > 0) {
            c->woff += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            char why[128];
            snprintf(why, sizeof why, "failed to write: %s", strerror(errno));
            conn_close(ci, why);
            return;
        }
    }
    if (c->woff == c->w.len)
        c->woff = c->w.len = 0;
}

/* The value of field `field` (1-based) of a segment s..e with separator sep. */
static int seg_field(const char *s, const char *e, char sep, int field, const char **v,
                     size_t *vl)
{
    const char *p = s + 3;
    for (int f = 1; p < e; f++) {
        if (*p != sep)
            return 0;
        p++;
        const char *q = p;
        while (q < e && *q != sep)
            q++;
        if (f == field) {
            *v = p;
            *vl = (size_t)(q - p);
            return 1;
        }
        p = q;
    }
    return 0;
}

/* One ACK frame (without SB / EB CR) read on connection ci at time t. */
static void on_ack(int ci, const char *m, size_t len, uint64_t t)
{
    char sep = (len > 3 && memcmp(m, "MSH", 3) == 0) ? m[3] : '|';
    const char *end = m + len, *s = m;
    while (s < end) {
        const char *e = s;
        while (e < end && *e != '\r' && *e != '\n')
            e++;
        if (e - s >= 4 && memcmp(s, "MSA", 3) == 0 && s[3] == sep) {
            const char *code, *id;
            size_t code_len, id_len;
            if (!seg_field(s, e, sep, 1, &code, &code_len) ||
                !seg_field(s, e, sep, 2, &id, &id_len))
                break;
            /* the control id: "<prefix>-<n>" */
            uint64_t n = 0;
            int ok = id_len > g_prefix_len + 1 && memcmp(id, g_prefix, g_prefix_len) == 0 &&
                     id[g_prefix_len] == '-' && id_len - g_prefix_len - 1 <= 19;
            for (size_t i = g_prefix_len + 1; ok && i < id_len; i++) {
                if (id[i] < '0' || id[i] > '9')
                    ok = 0;
                else
                    n = n * 10 + (uint64_t)(id[i] - '0');
            }
            if (!ok || n >= g_next) {
                if (st.unknown++ < 5)
                    fprintf(stderr, "mllp_load: an ACK for a control id this run did not "
                                    "send: \"%.*s\"\n", (int)(id_len > 60 ? 60 : id_len), id);
                return;
            }
            slot *sl = &g_slot[n];
            if (sl->state == S_ACKED) {
                st.duplicate++;
                return;
            }
            if (sl->conn != ci) {
                st.wrong_conn++;
                return;
            }
            sl->state = S_ACKED;
            sl->t = t - sl->t;
            g_conn[ci].outstanding--;
            st.outstanding--;
            st.acked++;
            st.last_ack = t;
            if (code_len == 2 && (code[0] == 'A' || code[0] == 'C') && code[1] == 'A')
                st.aa++;
            else if (code_len == 2 && (code[0] == 'A' || code[0] == 'C') && code[1] == 'E')
                st.ae++;
            else if (code_len == 2 && (code[0] == 'A' || code[0] == 'C') && code[1] == 'R')
                st.ar++;
            else
                st.other++;
            return;
        }
        s = e + 1;
    }
    if (st.bad++ < 5)
        fprintf(stderr, "mllp_load: an ACK without a readable MSA segment: \"%.*s\"\n",
                (int)(len > 80 ? 80 : len), m);
}

/* Read what ci has; hand every whole frame to on_ack. */
static void on_readable(int ci)
{
    conn *c = &g_conn[ci];
    for (;;) {
        char tmp[65536];
        ssize_t n = recv(c->fd, tmp, sizeof tmp, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            char why[128];
            if (n == 0)
                snprintf(why, sizeof why, "closed by the server");
            else
                snprintf(why, sizeof why, "failed to read: %s", strerror(errno));
            conn_close(ci, why);
            return;
        }
        uint64_t t = now_ns();
        buf_add(&c->r, tmp, (size_t)n);
        size_t pos = 0;
        for (;;) {
            char *sb = memchr(c->r.p + pos, SB, c->r.len - pos);
            if (!sb) {
                pos = c->r.len;     /* bytes outside a frame are dropped */
                break;
            }
            size_t from = (size_t)(sb - c->r.p) + 1, i = from;
            while (i + 1 < c->r.len && !(c->r.p[i] == EB && c->r.p[i + 1] == CR))
                i++;
            if (i + 1 >= c->r.len) {  /* no EB CR yet */
                pos = (size_t)(sb - c->r.p);
                if (c->r.len - pos > MAX_ACK) {
                    conn_close(ci, "sent an ACK frame of more than 1 MiB");
                    return;
                }
                break;
            }
            on_ack(ci, c->r.p + from, i - from, t);
            pos = i + 2;
        }
        memmove(c->r.p, c->r.p + pos, c->r.len - pos);
        c->r.len -= pos;
        if ((size_t)n < sizeof tmp)
            break;
    }
}

static int open_conn(const char *host, const char *port)
{
    struct addrinfo hints = {0}, *ai, *a;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0)
        die(2, "--host %s --port %s: %s", host, port, gai_strerror(rc));
    int fd = -1, err = 0;
    for (a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0)
        die(2, "cannot connect to %s:%s: %s", host, port, strerror(err));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* ---- the run ------------------------------------------------------------------------- */
static uint64_t g_t0, g_deadline;

/* May another message go out at t? */
static int may_send(uint64_t t)
{
    if (opt.messages ? g_next >= opt.messages : t >= g_deadline)
        return 0;
    if (opt.rate > 0 && (double)g_next >= opt.rate * (double)(t - g_t0) / 1e9 + 1)
        return 0;
    return 1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void usage(FILE *f)
{
    fputs("usage: mllp_load --host H --port P [--connections C] [--window W]\n"
          "                 [--messages N | --seconds S] [--rate R] [--file FILE]\n"
          "                 [--unique-prefix X] [--timeout MS] [--seed N] [--json]\n"
          "                 [--allow-errors]\n"
          "  --connections C  connections (default 8)\n"
          "  --window W       unacknowledged messages per connection (default 16)\n"
          "  --messages N     send N messages in all (default 10000)\n"
          "  --seconds S      or send for S seconds\n"
          "  --rate R         at most R messages a second in all (default: as fast as the\n"
          "                   windows allow)\n"
          "  --file FILE      messages of FILE (segments ended by \\r, one message a line),\n"
          "                   in turn; default: generated ADT^A04 / A03 of HL7 2.5.1\n"
          "  --unique-prefix X  MSH-10 of message n is X-n (default: one of this run)\n"
          "  --timeout MS     wait at most MS ms for the last ACKs (default 10000)\n"
          "  --json           print one JSON object instead of a line of text\n"
          "  --allow-errors   exit 0 even when some ACKs are AE or AR\n"
          "exit status: 0 all acknowledged AA; 1 ACKs missing, unknown, or AE/AR;\n"
          "2 bad usage or no connection\n", f);
}

static double num_arg(const char *name, const char *v, double min)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !(d >= min))
        die(2, "%s must be a number >= %g, not '%s'", name, min, v);
    return d;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--json")) {
            opt.json = 1;
            continue;
        }
        if (!strcmp(a, "--allow-errors")) {
            opt.allow_errors = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "mllp_load: %s: unknown option, or its value is missing\n", a);
            usage(stderr);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--host"))
            opt.host = v;
        else if (!strcmp(a, "--port"))
            opt.port = v;
        else if (!strcmp(a, "--connections"))
            opt.conns = (long)num_arg(a, v, 1);
        else if (!strcmp(a, "--window"))
            opt.window = (long)num_arg(a, v, 1);
        else if (!strcmp(a, "--messages"))
            opt.messages = (uint64_t)num_arg(a, v, 1);
        else if (!strcmp(a, "--seconds"))
            opt.seconds = num_arg(a, v, 0.001);
        else if (!strcmp(a, "--rate"))
            opt.rate = num_arg(a, v, 0);
        else if (!strcmp(a, "--file"))
            opt.file = v;
        else if (!strcmp(a, "--unique-prefix"))
            opt.prefix = v;
        else if (!strcmp(a, "--timeout"))
            opt.timeout_ms = (long)num_arg(a, v, 1);
        else if (!strcmp(a, "--seed"))
            seed = (uint64_t)num_arg(a, v, 0);
        else {
            fprintf(stderr, "mllp_load: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!opt.port)
        die(2, "--port is required (the MLLP listener's TCP port)");
    if (opt.messages && opt.seconds > 0)
        die(2, "give --messages or --seconds, not both");
    if (!opt.messages && !(opt.seconds > 0))
        opt.messages = 10000;
    if (opt.conns > 4096)
        die(2, "--connections must be at most 4096, not %ld", opt.conns);
    if (opt.prefix) {
        if (!*opt.prefix || strlen(opt.prefix) > 40 || strpbrk(opt.prefix, "|^~\\&\r\n"))
            die(2, "--unique-prefix must be 1 to 40 characters without | ^ ~ \\ & or a "
                   "line break, not '%s'", opt.prefix);
        snprintf(g_prefix, sizeof g_prefix, "%s", opt.prefix);
    } else {
        /* this run's: the wall clock in base 36 and the process id */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t v = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
        char tmp[32];
        int k = 0;
        do {
            tmp[k++] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v % 36];
            v /= 36;
        } while (v);
        int o = snprintf(g_prefix, sizeof g_prefix, "L");
        while (k)
            g_prefix[o++] = tmp[--k];
        snprintf(g_prefix + o, sizeof g_prefix - (size_t)o, "P%ld", (long)getpid() % 100000);
    }
    g_prefix_len = strlen(g_prefix);
    signal(SIGPIPE, SIG_IGN);

    if (opt.file) {
        load_file(opt.file);
    } else {
        g_rng ^= seed * 0xD1B54A32D192ED03u;
        if (!g_rng)
            g_rng = 1;
        for (uint32_t k = 0; k < N_GEN; k++)
            gen_message(k);
    }
    if (opt.messages)
        slot_grow(opt.messages);

    g_conn = xrealloc(NULL, (size_t)opt.conns * sizeof *g_conn);
    memset(g_conn, 0, (size_t)opt.conns * sizeof *g_conn);
    for (long i = 0; i < opt.conns; i++)
        g_conn[i].fd = open_conn(opt.host, opt.port);

    struct pollfd *pf = xrealloc(NULL, (size_t)opt.conns * sizeof *pf);
    int *pci = xrealloc(NULL, (size_t)opt.conns * sizeof *pci);
    g_t0 = now_ns();
    g_deadline = g_t0 + (uint64_t)(opt.seconds * 1e9);
    uint64_t stopped = 0; /* when sending ended */
    long rr = 0;
    for (;;) {
        uint64_t t = now_ns();
        /* hand out messages one at a time, round robin over connections with room */
        int more = may_send(t);
        for (int progress = 1; more && progress;) {
            progress = 0;
            for (long k = 0; k < opt.conns && more; k++) {
                long ci = (rr + k) % opt.conns;
                if (g_conn[ci].fd >= 0 && g_conn[ci].outstanding < opt.window) {
                    queue_message((int)ci, t);
                    progress = 1;
                    more = may_send(t);
                }
            }
            rr = (rr + 1) % opt.conns;
        }
        int open = 0;
        for (long ci = 0; ci < opt.conns; ci++) {
            flush((int)ci);
            open += g_conn[ci].fd >= 0;
        }
        int sending = opt.messages ? g_next < opt.messages : t < g_deadline;
        if (!sending && !stopped)
            stopped = t;
        if (!open || (!sending && st.outstanding == 0))
            break;
        /* no ACK for --timeout ms while some are due: give up on them */
        uint64_t last = st.last_ack > st.last_send ? st.last_ack : st.last_send;
        if (stopped > last)
            last = stopped;
        if (st.outstanding > 0 && t - last > (uint64_t)opt.timeout_ms * 1000000u) {
            fprintf(stderr, "mllp_load: no ACK for %ld ms: %ld messages left unacknowledged%s\n",
                    opt.timeout_ms, st.outstanding, sending ? ", stopping before the end" : "");
            break;
        }
        int npf = 0;
        for (long ci = 0; ci < opt.conns; ci++) {
            if (g_conn[ci].fd < 0)
                continue;
            pf[npf].fd = g_conn[ci].fd;
            pf[npf].events = POLLIN | (g_conn[ci].woff < g_conn[ci].w.len ? POLLOUT : 0);
            pf[npf].revents = 0;
            pci[npf++] = (int)ci;
        }
        int wait_ms = 100;
        if (opt.rate > 0 && sending)
            wait_ms = 1;
        else if (opt.seconds > 0 && sending) {
            uint64_t left = (g_deadline - t) / 1000000u + 1;
            if (left < (uint64_t)wait_ms)
                wait_ms = (int)left;
        }
        int n = poll(pf, (nfds_t)npf, wait_ms);
        if (n < 0 && errno != EINTR)
            die(2, "poll: %s", strerror(errno));
        for (int k = 0; n > 0 && k < npf; k++) {
            if (pf[k].revents & (POLLIN | POLLHUP | POLLERR))
                on_readable(pci[k]);
            if (g_conn[pci[k]].fd >= 0 && (pf[k].revents & POLLOUT))
                flush(pci[k]);
        }
    }
    uint64_t t_end = now_ns();

    /* the times to ACK, sorted */
    uint64_t *lat = xrealloc(NULL, (size_t)(st.acked ? st.acked : 1) * sizeof *lat);
    uint64_t nl = 0;
    for (uint64_t i = 0; i < g_next; i++)
        if (g_slot[i].state == S_ACKED)
            lat[nl++] = g_slot[i].t;
    qsort(lat, (size_t)nl, sizeof *lat, cmp_u64);
    double p[4] = {0, 0, 0, 0};
    const double q[3] = {50, 90, 99};
    for (int i = 0; i < 3 && nl; i++) {
        uint64_t r = (uint64_t)((q[i] / 100.0) * (double)nl + 0.999999); /* nearest rank */
        if (r < 1)
            r = 1;
        p[i] = (double)lat[r - 1] / 1e6;
    }
    if (nl)
        p[3] = (double)lat[nl - 1] / 1e6;
    uint64_t missing = g_next - st.acked;
    uint64_t last = st.last_ack ? st.last_ack : t_end;
    double elapsed = st.first_send ? (double)(last - st.first_send) / 1e9 : 0;
    double rate = elapsed > 0 ? (double)st.acked / elapsed : 0;
    double avg = g_next ? (double)st.bytes / (double)g_next : 0;

    if (opt.json) {
        printf("{\"sent\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"aa\":%" PRIu64 ",\"ae\":%" PRIu64
               ",\"ar\":%" PRIu64 ",\"other\":%" PRIu64 ",\"missing\":%" PRIu64
               ",\"unknown\":%" PRIu64 ",\"duplicate\":%" PRIu64 ",\"wrong_connection\":%" PRIu64
               ",\"unreadable\":%" PRIu64 ",\"elapsed_s\":%.3f,\"msg_per_s\":%.1f,"
               "\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
               "\"connections\":%ld,\"window\":%ld,\"rate\":%.0f,\"avg_bytes\":%.0f,"
               "\"prefix\":\"%s\"}\n",
               g_next, st.acked, st.aa, st.ae, st.ar, st.other, missing, st.unknown,
               st.duplicate, st.wrong_conn, st.bad, elapsed, rate, p[0], p[1], p[2], p[3],
               opt.conns, opt.window, opt.rate, avg, g_prefix);
    } else {
        printf("sent %" PRIu64 " acked %" PRIu64 " (AA %" PRIu64 " AE %" PRIu64 " AR %" PRIu64
               " other %" PRIu64 ") missing %" PRIu64 " unknown %" PRIu64 " duplicate %" PRIu64
               " in %.3f s: %.1f msg/s; ack p50 %.3f ms p90 %.3f ms p99 %.3f ms max %.3f ms"
               " (%ld connections x window %ld, %.0f bytes a message)\n",
               g_next, st.acked, st.aa, st.ae, st.ar, st.other, missing, st.unknown,
               st.duplicate, elapsed, rate, p[0], p[1], p[2], p[3], opt.conns, opt.window, avg);
    }
    fflush(stdout);
    free(lat);
    free(pf);
    free(pci);
    int fail = missing || st.unknown || st.duplicate || st.wrong_conn || st.bad || st.other ||
               (!opt.allow_errors && (st.ae || st.ar));
    return fail ? 1 : 0;
}
