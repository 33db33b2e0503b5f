/*
 * key_impl.h: what key.c, key_sa.c, key_spd.c and acquire.c share inside
 * the PF_KEY engine. Nothing outside those files includes it.
 */
#ifndef TUNNELD_KEY_IMPL_H
#define TUNNELD_KEY_IMPL_H

#include "key.h"
#include "pfkey.h"

/* One request being handled. */
struct key_req {
	struct key		*k;
	struct key_client	*c;
	const struct pfk_msg	*m;
	uint64_t		 mono;
	uint64_t		 wall;
};

/*
 * A handler returns 0 after it has sent its replies, or a positive errno
 * that key_input turns into an error reply; on error nothing was changed.
 */
typedef int key_handler(struct key_req *r);

key_handler key_sa_getspi, key_sa_update, key_sa_add, key_sa_delete, key_sa_get;
key_handler key_sa_flush, key_sa_dump;
key_handler key_spd_add, key_spd_delete, key_spd_delete2, key_spd_get, key_spd_flush;
key_handler key_spd_dump;

/* Recipients of key_emit, or-ed. */
#define KEY_TO_SENDER		0x1	/* the requesting client, as a reply */
#define KEY_TO_LISTENERS	0x2	/* every other client that REGISTERed anything */
#define KEY_TO_SATYPE		0x4	/* every client REGISTERed for m->satype */

/*
 * Encodes m once and sends it to the recipients in to (sender may be NULL
 * without KEY_TO_SENDER), then a wrapped copy to every X_PROMISC client.
 * Returns how many clients other than the sender got it, or -1 when m
 * could not be encoded (logged; nothing sent).
 */
int key_emit(struct key *k, const struct pfk_msg *m, struct key_client *sender, unsigned to);

/* Starts a reply to r: header fields echoed from the request, no extension. */
void key_reply_init(const struct key_req *r, struct pfk_msg *out);

#endif
