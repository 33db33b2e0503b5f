/*
 * fuzz_ike_pld.c: libFuzzer entry for ike_parse and ike_parse_inner.
 *
 * A message that parses has its SK body treated as the seeds write it
 * (inner payloads, padding, Pad Length; see samples.h) and parsed again
 * as inner payloads. Every view a successful parse returns must lie
 * inside the input; anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>

#include "samples.h"

static const uint8_t	*in_p;
static size_t		 in_len;

static void
inside(const struct view *v)
{
	if (v->len == 0)
		return;
	if (v->p < in_p || v->len > in_len || (size_t)(v->p - in_p) > in_len - v->len)
		abort();
}

static void
check_views(const struct ike_msg *m)
{
	size_t	 i;

	inside(&m->ke.data);
	inside(&m->nonce);
	inside(&m->idi.body);
	inside(&m->idr.body);
	inside(&m->auth.data);
	inside(&m->cp.attrs);
	inside(&m->eap);
	inside(&m->sk.body);
	for (i = 0; i < m->nnotify; i++) {
		inside(&m->notify[i].spi);
		inside(&m->notify[i].data);
	}
	for (i = 0; i < m->ndelete; i++)
		inside(&m->del[i].spis);
	for (i = 0; i < m->nvendor; i++)
		inside(&m->vendor[i]);
	for (i = 0; i < m->tsi.n; i++)
		inside(&m->tsi.ts[i].raw);
	for (i = 0; i < m->tsr.n; i++)
		inside(&m->tsr.ts[i].raw);
	if (m->sa.nprop > IKE_MAX_PROPS || m->tsi.n > IKE_MAX_TS || m->tsr.n > IKE_MAX_TS)
		abort();
	for (i = 0; i < m->sa.nprop; i++)
		if (m->sa.prop[i].nxf == 0 || m->sa.prop[i].nxf > IKE_MAX_XFORMS)
			abort();
	if (m->sk.type != 0 && m->sk.aad_len > in_len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg	 m;
	struct view		 inner;
	uint32_t		 spi;
	size_t			 i;

	in_p = data;
	in_len = size;
	if (ike_parse(data, size, &m) != 0)
		return 0;
	check_views(&m);
	for (i = 0; i < m.ndelete; i++)
		if (m.del[i].spi_size == 4 && m.del[i].nspi > 0 &&
		    ike_delete_spi(&m.del[i], m.del[i].nspi - 1u, &spi) != 0)
			abort();
	if (m.sk.type == IKE_PT_SK && sample_inner(&m, &inner) == 0 &&
	    ike_parse_inner(inner.p, inner.len, m.sk.first, &m) == 0)
		check_views(&m);
	return 0;
}
