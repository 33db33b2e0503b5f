/* sad.c: the Security Association Database; see sad.h. */
#include <linux/ipsec.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sad.h"

_Static_assert(SA_MATURE == SADB_SASTATE_MATURE && SA_DEAD == SADB_SASTATE_DEAD,
    "enum sa_state mirrors SADB_SASTATE_*");

/* Every SA is a tunnel-mode SA; "any" is stored as sent but means tunnel. */
static uint8_t
sad_mode(uint8_t mode)
{
	return mode == IPSEC_MODE_ANY ? IPSEC_MODE_TUNNEL : mode;
}

static uint32_t
sad_hash_in(const struct sad *sad, uint8_t satype, const struct gw_addr *dst, uint32_t spi)
{
	uint32_t	h = addr_hash(dst, sad->seed);

	h = htab_mix(h, spi);
	h = htab_mix(h, satype);
	return htab_final(h);
}

static uint32_t
sad_hash_any(const struct sad *sad, uint8_t satype, const struct gw_addr *src,
    const struct gw_addr *dst, uint8_t mode)
{
	uint32_t	h = addr_hash(src, sad->seed);

	h = htab_mix(h, addr_hash(dst, sad->seed));
	h = htab_mix(h, satype);
	h = htab_mix(h, sad_mode(mode));
	return h;
}

static uint32_t
sad_hash_out(const struct sad *sad, uint8_t satype, const struct gw_addr *src,
    const struct gw_addr *dst, uint8_t mode, uint32_t reqid)
{
	return htab_final(htab_mix(sad_hash_any(sad, satype, src, dst, mode), reqid));
}

int
sad_init(struct sad *sad, uint32_t seed, const struct sad_sink *sink)
{
	memset(sad, 0, sizeof(*sad));
	sad->seed = seed;
	sad->sink = sink;
	TAILQ_INIT(&sad->list);
	TAILQ_INIT(&sad->dead);
	if (htab_init(&sad->by_spi) == -1 || htab_init(&sad->by_out) == -1 ||
	    htab_init(&sad->by_any) == -1) {
		htab_free(&sad->by_spi);
		htab_free(&sad->by_out);
		htab_free(&sad->by_any);
		return -1;
	}
	return 0;
}

/* Wipes the keys, lets the data path release its state, frees. */
static void
sad_destroy(const struct sad *sad, struct sa *sa)
{
	gw_key_clear(&sa->cfg.enc_key);
	gw_key_clear(&sa->cfg.auth_key);
	if (sad->sink != NULL && sad->sink->release != NULL)
		sad->sink->release(sad->sink->arg, sa);
	secure_free(sa, sizeof(*sa));
}

static void
sad_reap(struct sad *sad)
{
	struct sa	*sa;

	while ((sa = TAILQ_FIRST(&sad->dead)) != NULL) {
		TAILQ_REMOVE(&sad->dead, sa, entry);
		sad_destroy(sad, sa);
	}
}

void
sad_free(struct sad *sad)
{
	sad_flush(sad, SADB_SATYPE_UNSPEC);
	sad_reap(sad);
	htab_free(&sad->by_spi);
	htab_free(&sad->by_out);
	htab_free(&sad->by_any);
}

/* Makes sa visible to sad_lookup_out as the newest of its kind. */
static void
sad_link_out(struct sad *sad, struct sa *sa)
{
	const struct sa_cfg	*c = &sa->cfg;

	sa->serial = ++sad->serial;
	htab_insert(&sad->by_any, &sa->any_node,
	    htab_final(sad_hash_any(sad, c->satype, &c->src, &c->dst, c->mode)));
	if (c->reqid != 0)
		htab_insert(&sad->by_out, &sa->out_node,
		    sad_hash_out(sad, c->satype, &c->src, &c->dst, c->mode, c->reqid));
	sa->out_linked = true;
}

static void
sad_unlink_out(struct sad *sad, struct sa *sa)
{
	if (!sa->out_linked)
		return;
	htab_remove(&sad->by_any, &sa->any_node);
	if (sa->cfg.reqid != 0)
		htab_remove(&sad->by_out, &sa->out_node);
	sa->out_linked = false;
}

int
sad_add(struct sad *sad, const struct sa_cfg *cfg, enum sa_state state, uint64_t now,
    uint32_t msg_seq, uint32_t msg_pid, struct sa **out)
{
	struct sa	*sa;

	if (sad_find(sad, cfg->satype, &cfg->dst, cfg->spi) != NULL)
		return -EEXIST;
	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		return -ENOMEM;
	sa->cfg = *cfg;
	sa->state = state;
	sa->cur.addtime = now;
	sa->msg_seq = msg_seq;
	sa->msg_pid = msg_pid;
	if (state == SA_LARVAL) {
		memset(&sa->cfg.soft, 0, sizeof(sa->cfg.soft));
		memset(&sa->cfg.hard, 0, sizeof(sa->cfg.hard));
		sa->cfg.hard.addtime = SAD_LARVAL_LIFETIME;
	}
	htab_insert(&sad->by_spi, &sa->in_node,
	    sad_hash_in(sad, cfg->satype, &cfg->dst, cfg->spi));
	TAILQ_INSERT_TAIL(&sad->list, sa, entry);
	sad->count[cfg->satype <= SADB_SATYPE_MAX ? cfg->satype : 0]++;
	sad->total++;
	if (state != SA_LARVAL)
		sad_link_out(sad, sa);
	*out = sa;
	return 0;
}

void
sad_update(struct sad *sad, struct sa *sa, const struct sa_cfg *cfg, uint64_t now)
{
	sad_unlink_out(sad, sa);
	gw_key_clear(&sa->cfg.enc_key);
	gw_key_clear(&sa->cfg.auth_key);
	sa->cfg = *cfg;
	sa->state = SA_MATURE;
	sa->cur.addtime = now;
	sad_link_out(sad, sa);
}

/* Takes sa out of every index and the DUMP list; the caller frees it. */
static void
sad_unlink(struct sad *sad, struct sa *sa)
{
	uint8_t	t = sa->cfg.satype <= SADB_SATYPE_MAX ? sa->cfg.satype : 0;

	sad_unlink_out(sad, sa);
	htab_remove(&sad->by_spi, &sa->in_node);
	TAILQ_REMOVE(&sad->list, sa, entry);
	sad->count[t]--;
	sad->total--;
}

void
sad_remove(struct sad *sad, struct sa *sa)
{
	sad_unlink(sad, sa);
	sad_destroy(sad, sa);
}

size_t
sad_flush(struct sad *sad, uint8_t satype)
{
	struct sa	*sa, *next;
	size_t		 n = 0;

	for (sa = TAILQ_FIRST(&sad->list); sa != NULL; sa = next) {
		next = TAILQ_NEXT(sa, entry);
		if (satype != SADB_SATYPE_UNSPEC && sa->cfg.satype != satype)
			continue;
		sad_remove(sad, sa);
		n++;
	}
	return n;
}

struct sa *
sad_find(const struct sad *sad, uint8_t satype, const struct gw_addr *dst, uint32_t spi)
{
	uint32_t	 h = sad_hash_in(sad, satype, dst, spi);
	struct hnode	*n;
	struct sa	*sa;

	for (n = htab_bucket(&sad->by_spi, h); n != NULL; n = n->next) {
		if (n->hash != h)
			continue;
		sa = htab_entry(n, struct sa, in_node);
		if (sa->cfg.spi == spi && sa->cfg.satype == satype && addr_eq(&sa->cfg.dst, dst))
			return sa;
	}
	return NULL;
}

struct sa *
sad_lookup_in(const struct sad *sad, uint8_t satype, const struct gw_addr *dst, uint32_t spi)
{
	struct sa	*sa = sad_find(sad, satype, dst, spi);

	if (sa == NULL || (sa->state != SA_MATURE && sa->state != SA_DYING))
		return NULL;
	return sa;
}

/* Keeps the better of best and sa: MATURE over DYING, then the newer. */
static struct sa *
sad_prefer(struct sa *best, struct sa *sa)
{
	if (best == NULL)
		return sa;
	if (sa->state != best->state)
		return sa->state == SA_MATURE ? sa : best;
	return sa->serial > best->serial ? sa : best;
}

static bool
sad_out_match(const struct sa *sa, uint8_t satype, const struct gw_addr *src,
    const struct gw_addr *dst, uint8_t mode)
{
	return sa->cfg.satype == satype && sad_mode(sa->cfg.mode) == sad_mode(mode) &&
	    addr_eq(&sa->cfg.src, src) && addr_eq(&sa->cfg.dst, dst);
}

struct sa *
sad_lookup_out(const struct sad *sad, uint8_t satype, const struct gw_addr *src,
    const struct gw_addr *dst, uint8_t mode, uint32_t reqid)
{
	const struct htab	*t = reqid != 0 ? &sad->by_out : &sad->by_any;
	struct hnode		*n;
	struct sa		*sa, *best = NULL;
	uint32_t		 h;

	if (reqid != 0)
		h = sad_hash_out(sad, satype, src, dst, mode, reqid);
	else
		h = htab_final(sad_hash_any(sad, satype, src, dst, mode));
	for (n = htab_bucket(t, h); n != NULL; n = n->next) {
		if (n->hash != h)
			continue;
		sa = reqid != 0 ? htab_entry(n, struct sa, out_node) :
		    htab_entry(n, struct sa, any_node);
		if (!sad_out_match(sa, satype, src, dst, mode) ||
		    (reqid != 0 && sa->cfg.reqid != reqid))
			continue;
		if (sa->state == SA_MATURE || sa->state == SA_DYING)
			best = sad_prefer(best, sa);
	}
	return best;
}

uint32_t
sad_alloc_spi(const struct sad *sad, uint8_t satype, const struct gw_addr *dst,
    uint32_t min, uint32_t max, uint32_t (*rnd)(void *), void *arg)
{
	uint64_t	span;
	uint32_t	spi;
	int		i;

	if (min > max)
		return 0;
	span = (uint64_t)max - min + 1;
	for (i = 0; i < SAD_SPI_TRIES; i++) {
		spi = min + (uint32_t)(rnd(arg) % span);
		if (spi != 0 && sad_find(sad, satype, dst, spi) == NULL)
			return spi;
		if (span == 1)
			break;
	}
	return 0;
}

/* True when now is at or past a time limit of lt. */
static bool
sad_time_hit(const struct sa_lifetime *lt, const struct sa_current *cur, uint64_t now)
{
	if (lt->addtime != 0 && now >= cur->addtime && now - cur->addtime >= lt->addtime)
		return true;
	return lt->usetime != 0 && cur->usetime != 0 && now >= cur->usetime &&
	    now - cur->usetime >= lt->usetime;
}

static void
sad_report(const struct sad *sad, const struct sa *sa, enum sa_expire kind)
{
	if (sad->sink != NULL && sad->sink->expire != NULL)
		sad->sink->expire(sad->sink->arg, sa, kind);
}

/* Soft limit: report once; the SA stays usable but is no longer preferred. */
static void
sad_soft(struct sad *sad, struct sa *sa)
{
	sa->soft_expire_sent = true;
	if (sa->state == SA_MATURE)
		sa->state = SA_DYING;
	sad_report(sad, sa, SA_EXPIRE_SOFT);
}

void
sad_tick(struct sad *sad, uint64_t now)
{
	struct sa	*sa, *next;

	sad_reap(sad);
	for (sa = TAILQ_FIRST(&sad->list); sa != NULL; sa = next) {
		next = TAILQ_NEXT(sa, entry);
		if (sad_time_hit(&sa->cfg.hard, &sa->cur, now)) {
			sa->state = SA_DEAD;
			sad_report(sad, sa, SA_EXPIRE_HARD);
			sad_remove(sad, sa);
		} else if (!sa->soft_expire_sent && sa->state != SA_LARVAL &&
		    sad_time_hit(&sa->cfg.soft, &sa->cur, now))
			sad_soft(sad, sa);
	}
}

/* True if one more packet of len bytes would go past a limit of lt. */
static bool
sad_would_pass(const struct sa_lifetime *lt, const struct sa_current *cur, size_t len)
{
	if (lt->bytes != 0 && (cur->bytes > lt->bytes || len > lt->bytes - cur->bytes))
		return true;
	return lt->allocations != 0 && cur->packets >= lt->allocations;
}

static bool
sad_reached(const struct sa_lifetime *lt, const struct sa_current *cur)
{
	return (lt->bytes != 0 && cur->bytes >= lt->bytes) ||
	    (lt->allocations != 0 && cur->packets >= lt->allocations);
}

void
sad_retire(struct sad *sad, struct sa *sa)
{
	sa->state = SA_DEAD;
	sad_report(sad, sa, SA_EXPIRE_HARD);
	sad_unlink(sad, sa);
	TAILQ_INSERT_TAIL(&sad->dead, sa, entry);
}

int
sad_account(struct sad *sad, struct sa *sa, enum sa_dir dir, size_t len, uint64_t now)
{
	/*
	 * The hard limit is a ceiling the SA never crosses: a packet that
	 * would take it past retires the SA instead of being counted.
	 */
	if (sad_would_pass(&sa->cfg.hard, &sa->cur, len)) {
		sad_retire(sad, sa);
		return -1;
	}
	if (sa->cur.usetime == 0)
		sa->cur.usetime = now;
	sa->cur.bytes += len;
	sa->cur.packets++;
	sa->stats[dir == SA_DIR_IN ? GWSTAT_PACKETS_IN : GWSTAT_PACKETS_OUT]++;
	sa->stats[dir == SA_DIR_IN ? GWSTAT_BYTES_IN : GWSTAT_BYTES_OUT] += len;
	if (!sa->soft_expire_sent && sad_reached(&sa->cfg.soft, &sa->cur))
		sad_soft(sad, sa);
	return 0;
}

struct sa *
sad_first(const struct sad *sad)
{
	return TAILQ_FIRST(&sad->list);
}

struct sa *
sad_next(const struct sa *sa)
{
	return TAILQ_NEXT(sa, entry);
}

size_t
sad_count(const struct sad *sad, uint8_t satype)
{
	if (satype == SADB_SATYPE_UNSPEC)
		return sad->total;
	return satype <= SADB_SATYPE_MAX ? sad->count[satype] : 0;
}

uint8_t
sa_replay_bytes(const struct sa *sa)
{
	uint32_t	b = sa->cfg.replay_window / 8 + (sa->cfg.replay_window % 8 != 0);

	return b > 255 ? 255 : (uint8_t)b;
}
