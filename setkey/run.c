/*
 * run.c: sending a parsed script to tunneld and reading the answers.
 *
 * Undoable commands (add, getspi, spdadd) are pipelined, up to RUN_WINDOW
 * in flight, each reply matched to its command by seq. Any other command
 * waits until everything before it is answered and is itself answered
 * before the next one goes out, so a refusal never leaves an
 * irreversible command sent behind it. On a refusal setkey stops and
 * undoes, newest first, what this run applied.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "cmd.h"
#include "err.h"
#include "log.h"
#include "run.h"
#include "secmem.h"
#include "snapshot.h"

struct flight {
	uint32_t		 seq;
	uint8_t			 type;
	size_t			 idx;	/* position in the script */
	const struct setkey_cmd	*c;
};

struct done {
	size_t			 idx;
	const struct setkey_cmd	*c;
	uint32_t		 spi;	/* the SA's SPI (chosen by tunneld for getspi) */
};

struct script {
	struct run		*r;
	const struct setkey_cmds *cmds;
	struct flight		 fl[RUN_WINDOW];
	size_t			 nfl;
	struct done		*done;
	size_t			 ndone;
	size_t			 cap;
	size_t			 nundone;	/* undone without trouble */
	bool			 failed;
	struct snap		 snap;		/* before the first destructive command */
};

/* Successful undos listed one by one; problems are always listed. */
#define RUN_UNDO_SHOWN	20

void
run_init(struct run *r, const struct run_io *io, uint32_t pid, FILE *out, FILE *err)
{
	memset(r, 0, sizeof(*r));
	r->io = *io;
	r->pid = pid;
	r->out = out;
	r->err = err;
	r->timeout_ms = RUN_TIMEOUT_MS;
	r->popts.now = time(NULL);
	if ((r->sbuf = malloc(PFK_MSG_MAX)) == NULL || (r->rbuf = malloc(PFK_MSG_MAX)) == NULL)
		fatal("run_init");
}

void
run_free(struct run *r)
{
	secure_free(r->sbuf, PFK_MSG_MAX);
	secure_free(r->rbuf, PFK_MSG_MAX);
	r->sbuf = r->rbuf = NULL;
}

static void
run_lost(struct run *r, int err)
{
	if (r->dead)
		return;
	r->dead = true;
	if (err == -ETIMEDOUT)
		fprintf(r->err, "setkey: no reply from tunneld within %d s\n",
		    r->timeout_ms / 1000);
	else if (err == -ECONNRESET)
		fprintf(r->err, "setkey: tunneld closed the connection\n");
	else
		fprintf(r->err, "setkey: talking to tunneld: %s\n", strerror(-err));
}

/* Stamps m with our pid and the next seq, encodes and sends it. */
static bool
run_send(struct run *r, struct pfk_msg *m)
{
	struct wr w = wr_init(r->sbuf, PFK_MSG_MAX);
	int rc;

	if (r->dead)
		return false;
	m->seq = ++r->seq;
	m->pid = r->pid;
	if ((rc = pfk_encode(m, &w)) != 0) {
		secure_wipe(r->sbuf, w.off);
		fprintf(r->err, "setkey: cannot encode the %s message: %s\n",
		    pfk_type_name(m->type), gw_strerror(rc));
		return false;
	}
	if (r->verbose)
		print_debug(r->out, m);
	rc = r->io.send(r->io.ctx, r->sbuf, w.off);
	secure_wipe(r->sbuf, w.off);
	if (rc != 0) {
		run_lost(r, rc);
		return false;
	}
	return true;
}

/*
 * Reads one message into m (views into rbuf). Returns 1, 0 for a message
 * to skip (undecodable), -1 when the connection is gone.
 */
static int
run_recv(struct run *r, struct pfk_msg *m)
{
	ssize_t n;
	int rc;

	if (r->dead)
		return -1;
	n = r->io.recv(r->io.ctx, r->rbuf, PFK_MSG_MAX, r->timeout_ms);
	if (n < 0) {
		run_lost(r, (int)n);
		return -1;
	}
	if ((rc = pfk_decode(r->rbuf, (size_t)n, m)) != 0) {
		fprintf(r->err, "setkey: ignoring an invalid message from tunneld (%zd bytes): "
		    "%s\n", n, strerror(-rc));
		return 0;
	}
	if (r->verbose)
		print_debug(r->out, m);
	return 1;
}

bool
run_request(struct run *r, struct pfk_msg *m, struct pfk_msg *reply)
{
	uint32_t seq;
	uint8_t type = m->type;
	int rc;

	if (!run_send(r, m))
		return false;
	seq = m->seq;
	while ((rc = run_recv(r, reply)) >= 0)
		if (rc == 1 && reply->pid == r->pid && reply->seq == seq && reply->type == type)
			return true;
	return false;
}

/* REGISTER, then every add/update algorithm against the SUPPORTED lists. */
static bool
run_check_algs(struct run *r, const struct setkey_cmds *cmds)
{
	struct pfk_msg *m, *reply;
	bool ok;

	if ((m = calloc(2, sizeof(*m))) == NULL)
		fatal("run_check_algs");
	reply = m + 1;
	m->type = SADB_REGISTER;
	m->satype = SADB_SATYPE_UNSPEC;
	if (!(ok = run_request(r, m, reply)))
		goto out;
	if (reply->errnum != 0) {
		fprintf(r->err, "setkey: tunneld refused REGISTER: %s\n", strerror(reply->errnum));
		ok = false;
		goto out;
	}
	ok = cmd_check_supported(cmds, reply, r->err) == 0;
out:
	free(m);
	return ok;
}

static void
done_add(struct script *s, size_t idx, const struct setkey_cmd *c, uint32_t spi)
{
	struct done *d;

	if (s->ndone == s->cap) {
		s->cap = s->cap != 0 ? s->cap * 2 : 64;
		if ((d = reallocarray(s->done, s->cap, sizeof(*d))) == NULL)
			fatal("done_add");
		s->done = d;
	}
	s->done[s->ndone++] = (struct done){ idx, c, spi };
	snap_note(&s->snap, c, spi);
}

static void
refused(struct script *s, const struct setkey_cmd *c, int errnum)
{
	char d[256];

	fprintf(s->r->err, "%s:%u: %s refused: %s\n", s->cmds->file, c->line,
	    cmd_describe(c, d, sizeof(d)), strerror(errnum));
	s->failed = true;
}

/* The reply to in-flight command k. */
static void
script_reply(struct script *s, size_t k, const struct pfk_msg *m)
{
	struct flight f = s->fl[k];
	uint32_t spi = f.c->u.sa.spi;

	s->fl[k] = s->fl[--s->nfl];
	if (m->errnum != 0) {
		refused(s, f.c, m->errnum);
		return;
	}
	if (f.c->op == SK_GET)
		print_sa(s->r->out, m, &s->r->popts);
	if (f.c->op == SK_GETSPI && pfk_has(m, SADB_EXT_SA))
		spi = m->sa.spi;
	done_add(s, f.idx, f.c, spi);
}

/* Waits for the reply to one in-flight command. */
static void
script_wait(struct script *s)
{
	struct pfk_msg *m;
	size_t k;
	int rc;

	if ((m = malloc(sizeof(*m))) == NULL)
		fatal("script_wait");
	while ((rc = run_recv(s->r, m)) >= 0) {
		if (rc == 0 || m->pid != s->r->pid)
			continue;
		for (k = 0; k < s->nfl; k++)
			if (s->fl[k].seq == m->seq && s->fl[k].type == m->type)
				break;
		if (k < s->nfl) {
			script_reply(s, k, m);
			break;
		}
	}
	free(m);
}

static void
script_drain(struct script *s)
{
	while (s->nfl > 0 && !s->r->dead)
		script_wait(s);
}

static void
script_send(struct script *s, const struct setkey_cmd *c, size_t idx)
{
	struct pfk_msg *m;

	if ((m = malloc(sizeof(*m))) == NULL)
		fatal("script_send");
	cmd_build(c, m);
	if (run_send(s->r, m))
		s->fl[s->nfl++] = (struct flight){ m->seq, m->type, idx, c };
	else
		s->failed = true;
	free(m);
}

int
run_dump_each(struct run *r, uint8_t type, uint8_t satype, run_dump_fn *fn, void *arg)
{
	struct pfk_msg *m;
	unsigned entry_ext = type == SADB_X_SPDDUMP ? SADB_X_EXT_POLICY : SADB_EXT_SA;
	int rc, ret = -1;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		fatal("dump_each");
	m->type = type;
	m->satype = satype;
	if (!run_send(r, m))
		goto out;
	while ((rc = run_recv(r, m)) >= 0) {
		if (rc == 0 || m->pid != r->pid || m->type != type)
			continue;
		if (m->errnum != 0) {
			ret = m->errnum;
			break;
		}
		/* A bare last message only closes the dump. */
		if (pfk_has(m, entry_ext))
			fn(arg, m);
		if (m->seq == 0) {
			ret = 0;
			break;
		}
	}
out:
	free(m);
	return ret;
}

struct dump_out {
	struct run	*r;
	size_t		 n;	/* entries printed */
};

static void
dump_print_sa(void *arg, const struct pfk_msg *m)
{
	struct dump_out *d = arg;

	if (print_sa(d->r->out, m, &d->r->popts))
		d->n++;
}

static void
dump_print_spd(void *arg, const struct pfk_msg *m)
{
	struct dump_out *d = arg;

	print_spd(d->r->out, m, &d->r->popts);
	d->n++;
}

/* Prints a whole SAD or SPD dump; returns as dump_each(). */
static int
dump_print(struct run *r, bool spd, uint8_t satype)
{
	struct dump_out d = { .r = r };
	int rc;

	r->popts.now = time(NULL);
	rc = run_dump_each(r, spd ? SADB_X_SPDDUMP : SADB_DUMP, satype,
	    spd ? dump_print_spd : dump_print_sa, &d);
	if (rc == ENOENT)
		rc = 0;
	if (rc == 0 && d.n == 0)
		fprintf(r->out, "No %s entries.\n", spd ? "SPD" : "SAD");
	fflush(r->out);
	return rc;
}

struct victims {
	const struct setkey_sa	*sel;
	struct pfk_msg		*v;	/* DELETE messages, one per matching SA */
	size_t			 n;
	size_t			 cap;
};

static void
victim_add(void *arg, const struct pfk_msg *m)
{
	struct victims *vs = arg;
	struct pfk_msg *d;

	if (!pfk_has(m, SADB_EXT_ADDRESS_SRC) || !pfk_has(m, SADB_EXT_ADDRESS_DST) ||
	    !addr_eq(&m->src.addr, &vs->sel->src) || !addr_eq(&m->dst.addr, &vs->sel->dst))
		return;
	if (vs->n == vs->cap) {
		vs->cap = vs->cap != 0 ? vs->cap * 2 : 16;
		if ((d = reallocarray(vs->v, vs->cap, sizeof(*d))) == NULL)
			fatal("victim_add");
		vs->v = d;
	}
	d = &vs->v[vs->n++];
	memset(d, 0, sizeof(*d));
	d->type = SADB_DELETE;
	d->satype = m->satype;
	d->sa.spi = m->sa.spi;
	d->src = m->src;
	d->dst = m->dst;
	pfk_set(d, SADB_EXT_SA);
	pfk_set(d, SADB_EXT_ADDRESS_SRC);
	pfk_set(d, SADB_EXT_ADDRESS_DST);
}

/* deleteall, the Linux way: DUMP the satype, DELETE each SA of the pair. */
static void
script_deleteall(struct script *s, const struct setkey_cmd *c, size_t idx)
{
	struct victims vs = { .sel = &c->u.sa };
	struct pfk_msg *reply;
	size_t i;
	int rc;

	rc = run_dump_each(s->r, SADB_DUMP, c->u.sa.satype, victim_add, &vs);
	if (rc > 0 && rc != ENOENT)
		refused(s, c, rc);
	if ((reply = malloc(sizeof(*reply))) == NULL)
		fatal("script_deleteall");
	for (i = 0; i < vs.n && rc >= 0 && !s->failed; i++) {
		if (!run_request(s->r, &vs.v[i], reply))
			break;
		/* An SA that expired meanwhile is as good as deleted. */
		if (reply->errnum != 0 && reply->errnum != ENOENT)
			refused(s, c, reply->errnum);
	}
	if (i > 0)
		done_add(s, idx, c, 0);
	free(reply);
	free(vs.v);
}

static void
script_dump(struct script *s, const struct setkey_cmd *c)
{
	int rc;

	rc = dump_print(s->r, c->op == SK_SPDDUMP, c->op == SK_DUMP ? c->u.satype : 0);
	if (rc > 0)
		refused(s, c, rc);
}

static void
script_step(struct script *s, const struct setkey_cmd *c, size_t idx)
{
	switch (c->op) {
	case SK_ADD:
	case SK_GETSPI:
	case SK_SPDADD:
		if (s->nfl == RUN_WINDOW)
			script_wait(s);
		if (!s->failed && !s->r->dead)
			script_send(s, c, idx);
		return;
	default:
		break;
	}
	script_drain(s);
	if (s->failed || s->r->dead)
		return;
	if (!snap_before(&s->snap, s->r, s->cmds->file, c)) {
		s->failed = true;
		return;
	}
	switch (c->op) {
	case SK_DUMP:
	case SK_SPDDUMP:
		script_dump(s, c);
		break;
	case SK_DELETEALL:
		script_deleteall(s, c, idx);
		break;
	default:
		script_send(s, c, idx);
		script_drain(s);
		break;
	}
}

static int
done_cmp(const void *a, const void *b)
{
	const struct done *x = a, *y = b;

	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void
undo_one(struct script *s, const struct done *d, struct pfk_msg *m)
{
	struct run *r = s->r;
	char desc[256];
	const char *file = s->cmds->file;

	cmd_describe(d->c, desc, sizeof(desc));
	if (d->c->op == SK_GETSPI && d->c->u.sa.spi == 0) {
		size_t n = strlen(desc);

		/* Name the SPI tunneld chose, not the 0 that was asked for. */
		snprintf(desc + n, sizeof(desc) - n, " (got 0x%x)", d->spi);
	}
	if (snap_covers(&s->snap, d->c))
		return;		/* snap_restore() puts back what it destroyed */
	if (cmd_undo_kind(d->c) == CMD_UNDO_NEVER) {
		fprintf(r->err, "%s:%u: %s was applied and cannot be undone\n", file, d->c->line,
		    desc);
		return;
	}
	cmd_build_undo(d->c, d->spi, m);
	if (!run_request(r, m, m))
		fprintf(r->err, "%s:%u: %s could not be undone\n", file, d->c->line, desc);
	else if (m->errnum == ENOENT)	/* a later command of the run removed it */
		fprintf(r->err, "%s:%u: %s: already gone\n", file, d->c->line, desc);
	else if (m->errnum != 0)
		fprintf(r->err, "%s:%u: %s could not be undone: %s\n", file, d->c->line, desc,
		    strerror(m->errnum));
	else if (++s->nundone <= RUN_UNDO_SHOWN)
		fprintf(r->err, "%s:%u: %s undone\n", file, d->c->line, desc);
}

/* Undoes, newest first, what this run applied. */
static void
script_rollback(struct script *s)
{
	struct pfk_msg *m;
	size_t i, n = 0;

	for (i = 0; i < s->ndone; i++)
		if (cmd_undo_kind(s->done[i].c) != CMD_UNDO_NONE)
			n++;
	if (n == 0)
		return;
	if (s->nfl > 0)
		fprintf(s->r->err, "setkey: %zu commands sent before the connection was lost "
		    "have an unknown outcome\n", s->nfl);
	fprintf(s->r->err, "setkey: rolling back what this run applied, newest first\n");
	qsort(s->done, s->ndone, sizeof(*s->done), done_cmp);
	if ((m = malloc(sizeof(*m))) == NULL)
		fatal("script_rollback");
	for (i = s->ndone; i-- > 0;)
		if (cmd_undo_kind(s->done[i].c) != CMD_UNDO_NONE)
			undo_one(s, &s->done[i], m);
	if (s->nundone > RUN_UNDO_SHOWN)
		fprintf(s->r->err, "setkey: and %zu more commands undone\n",
		    s->nundone - RUN_UNDO_SHOWN);
	free(m);
	snap_restore(&s->snap, s->r, s->cmds->file);
}

int
run_script(struct run *r, const struct setkey_cmds *cmds)
{
	struct script s = { .r = r, .cmds = cmds };
	const struct setkey_cmd *c;
	size_t idx;

	if (cmd_check(cmds, r->err) != 0 || !run_check_algs(r, cmds))
		return 1;
	for (c = cmds->head, idx = 0; c != NULL && !s.failed && !r->dead; c = c->next, idx++)
		script_step(&s, c, idx);
	script_drain(&s);
	if (r->dead)
		s.failed = true;
	if (s.failed)
		script_rollback(&s);
	snap_free(&s.snap);
	free(s.done);
	fflush(r->out);
	return s.failed ? 1 : 0;
}

int
run_dump(struct run *r, bool spd, uint8_t satype)
{
	int rc;

	rc = dump_print(r, spd, satype);
	if (rc > 0)
		fprintf(r->err, "setkey: %s refused: %s\n", spd ? "spddump" : "dump",
		    strerror(rc));
	return rc == 0 ? 0 : 1;
}

int
run_flush(struct run *r, bool spd)
{
	struct pfk_msg *m;
	int ret = 1;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		fatal("run_flush");
	m->type = spd ? SADB_X_SPDFLUSH : SADB_FLUSH;
	m->satype = SADB_SATYPE_UNSPEC;
	if (run_request(r, m, m)) {
		if (m->errnum != 0)
			fprintf(r->err, "setkey: %s refused: %s\n", spd ? "spdflush" : "flush",
			    strerror(m->errnum));
		else
			ret = 0;
	}
	free(m);
	return ret;
}

/* One SA of setkey -s: who, which, and its counters. */
static void
status_print_sa(void *arg, const struct pfk_msg *m)
{
	static const char *const states[] = { "larval", "mature", "dying", "dead" };
	struct run	*r = arg;
	char		 src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	if (!pfk_has(m, SADB_EXT_ADDRESS_SRC) || !pfk_has(m, SADB_EXT_ADDRESS_DST))
		return;
	fprintf(r->out, "%s %s spi=%" PRIu32 "(0x%08" PRIx32 ") reqid=%" PRIu32 " %s\n",
	    addr_ntop(&m->src.addr, src, sizeof(src)), addr_ntop(&m->dst.addr, dst, sizeof(dst)),
	    m->sa.spi, m->sa.spi, pfk_has(m, SADB_X_EXT_SA2) ? m->sa2.reqid : 0,
	    m->sa.state < 4 ? states[m->sa.state] : "unknown");
	print_sa_stats(r->out, m);
}

int
run_status(struct run *r)
{
	struct pfk_msg	*m;
	int		 rc = 1;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		fatal("run_status");
	m->type = PFK_X_STATUS;
	if (!run_request(r, m, m))
		goto out;
	if (m->errnum != 0) {
		fprintf(r->err, "setkey: tunneld refused the status request: %s\n",
		    strerror(m->errnum));
		goto out;
	}
	fputs("global:\n", r->out);
	print_sa_stats(r->out, m);
	rc = run_dump_each(r, SADB_DUMP, SADB_SATYPE_UNSPEC, status_print_sa, r);
	if (rc == ENOENT) {
		fputs("No SAD entries.\n", r->out);
		rc = 0;
	} else if (rc > 0)
		fprintf(r->err, "setkey: dump refused: %s\n", strerror(rc));
	rc = rc == 0 ? 0 : 1;
out:
	fflush(r->out);
	free(m);
	return rc;
}

static void
monitor_stamp(FILE *out)
{
	struct timeval tv;
	struct tm tm;
	char hms[16];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	fprintf(out, "%s.%06ld\n", hms, (long)tv.tv_usec);
}

/*
 * Copies of other sockets' traffic come wrapped, as KAME does: an outer
 * X_PROMISC header whose length covers the original message after it.
 * Decodes the original in that case, the message itself otherwise.
 */
static int
monitor_decode(const uint8_t *buf, size_t n, struct pfk_msg *m)
{
	struct rd r = rd_init(buf, n), hdr, body;
	struct view rest, v;
	uint8_t type = 0;
	uint16_t units = 0;

	rd_skip(&r, 1);
	rd_u8(&r, &type);
	if (r.err != 0 || type != SADB_X_PROMISC || n <= sizeof(struct sadb_msg))
		return pfk_decode(buf, n, m);
	rd_skip(&r, sizeof(struct sadb_msg) - 2);
	rd_bytes(&r, rd_left(&r), &rest);
	/* The inner header's own length, without the outer padding. */
	hdr = rd_init(rest.p, rest.len);
	rd_skip(&hdr, 4);
	rd_u16he(&hdr, &units);
	body = rd_init(rest.p, rest.len);
	if (r.err != 0 || hdr.err != 0 || rd_bytes(&body, (size_t)units * 8, &v) != 0)
		return -EMSGSIZE;
	return pfk_decode(v.p, v.len, m);
}

int
run_monitor(struct run *r)
{
	struct pfk_msg *m;
	ssize_t n;
	int rc;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		fatal("run_monitor");
	m->type = SADB_X_PROMISC;
	m->satype = 1;	/* KAME: 1 turns promiscuous mode on */
	if (!run_send(r, m)) {
		free(m);
		return 1;
	}
	while ((n = r->io.recv(r->io.ctx, r->rbuf, PFK_MSG_MAX, -1)) >= 0) {
		monitor_stamp(r->out);
		if ((rc = monitor_decode(r->rbuf, (size_t)n, m)) == 0)
			print_debug(r->out, m);
		else
			fprintf(r->out, "invalid message of %zd bytes: %s\n", n, strerror(-rc));
		secure_wipe(r->rbuf, (size_t)n);
		fflush(r->out);
	}
	run_lost(r, (int)n);
	free(m);
	return 1;
}
