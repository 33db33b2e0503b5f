/*
 * daemon_int.h: what daemon.c (the loop) and keying.c (PF_KEY events,
 * negotiation on demand, rekey and operator commands) share.
 */
#ifndef IKD_DAEMON_INT_H
#define IKD_DAEMON_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "daemon.h"
#include "datapath.h"
#include "ike_sa.h"
#include "psk.h"
#include "sadb_client.h"

struct event;
struct event_base;
struct net;
struct ctl;

enum job_kind {
	JOB_ACQUIRE,
	JOB_EXPIRE,
	JOB_REMOVED,		/* another client removed one of our SAs */
};

struct job {
	enum job_kind		kind;
	struct gw_addr		src;	/* ACQUIRE: tunnel endpoints; EXPIRE: the SA's */
	struct gw_addr		dst;
	uint32_t		spi;
	bool			hard;
	uint32_t		policy_id;
	struct ike_child_req	req;
};

struct daemon {
	struct daemon_opts	 opt;
	struct event_base	*base;
	struct ikd_conf		*conf;
	struct psk_table	*psk;
	struct sadb_client	*sc;
	struct event		*sc_ev;		/* its socket */
	bool			 sc_up;
	bool			 sc_was_lost;	/* reconnecting: old SAs are gone */
	struct datapath		 dp;
	struct net		*net;
	struct ike_sa_table	*t;
	struct ctl		*ctl;
	struct event		*timer;		/* the exchanges' next deadline */
	struct event		*tick;		/* one second */
	struct event		*work;		/* runs the job queue */
	struct event		*sig[3];	/* TERM, INT, HUP */
	struct job		 jobs[DAEMON_JOBS];
	size_t			 njobs;
	uint64_t		 jobs_dropped;
	uint64_t		 last_keepalive_ms;
	struct ike_cfg_peer	 cfgbuf;	/* peer_by_addr's answer */
	char			 relay_path[256];
};

/* keying.c */
void keying_acquire(void *arg, const struct sadbc_acquire *a);
void keying_expire(void *arg, const struct sadbc_expire *e);
void keying_sa_removed(void *arg, uint32_t spi, const struct gw_addr *dst);
/* Runs every queued job. */
void keying_run_jobs(struct daemon *d);
/* The peer configuration for local/remote, or NULL (logged). */
const struct ike_cfg_peer *keying_peer(struct daemon *d, const struct gw_addr *local,
    const struct gw_addr *remote);
/* Starts an IKE SA for policy p (an outbound tunnel policy). 0 or -1 (logged). */
int keying_initiate(struct daemon *d, const struct sadbc_policy *p);
/* Operator commands (ctl.h). */
int keying_cmd_initiate(void *ctx, const char *peer, char *err, size_t errlen);
int keying_cmd_terminate(void *ctx, const char *peer, char *err, size_t errlen);

/* daemon.c */
/* Re-arms the deadline timer after anything that may have moved it. */
void daemon_arm(struct daemon *d);
uint64_t daemon_now_ms(void);
/* ike_psk_fn over the psk.txt loaded now (ctx: the daemon). */
int daemon_psk(void *ctx, const struct ike_idv *id, const struct gw_addr *addr,
    struct view *key);

#endif
