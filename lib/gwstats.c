/* gwstats.c: counter names; see gwstats.h. */
#include "gwstats.h"

static const struct {
	const char	*name;
	bool		 drop;
} gwstats_tab[GWSTAT_MAX] = {
	[GWSTAT_NO_POLICY] =		{ "no_policy", true },
	[GWSTAT_NO_SA] =		{ "no_sa", true },
	[GWSTAT_UNKNOWN_SPI] =		{ "unknown_spi", true },
	[GWSTAT_REPLAY] =		{ "replay", true },
	[GWSTAT_ICV_FAIL] =		{ "icv_fail", true },
	[GWSTAT_BAD_PAD] =		{ "bad_pad", true },
	[GWSTAT_POLICY_MISMATCH] =	{ "policy_mismatch", true },
	[GWSTAT_PLAINTEXT_REQUIRED] =	{ "plaintext_required", true },
	[GWSTAT_OVERSIZE] =		{ "oversize", true },
	[GWSTAT_MALFORMED] =		{ "malformed", true },
	[GWSTAT_PACKETS_IN] =		{ "packets_in", false },
	[GWSTAT_BYTES_IN] =		{ "bytes_in", false },
	[GWSTAT_PACKETS_OUT] =		{ "packets_out", false },
	[GWSTAT_BYTES_OUT] =		{ "bytes_out", false },
	[GWSTAT_DISCARDED] =		{ "discarded", true },
	[GWSTAT_ECN_DROP] =		{ "ecn_drop", true },
	[GWSTAT_FOREIGN] =		{ "foreign", true },
	[GWSTAT_IKE] =			{ "ike_not_relayed", true },
	[GWSTAT_SEND_ERROR] =		{ "send_error", true },
	[GWSTAT_TUN_ERROR] =		{ "tun_error", true },
	[GWSTAT_INTERNAL] =		{ "internal", true },
	[GWSTAT_BYPASS_OUT] =		{ "bypass_out", false },
	[GWSTAT_BYPASS_IN] =		{ "bypass_in", false },
	[GWSTAT_HELD] =			{ "held", false },
	[GWSTAT_DUMMY] =		{ "dummy", false },
	[GWSTAT_KEEPALIVE] =		{ "keepalive", false },
	[GWSTAT_TTL_EXPIRED] =		{ "ttl_expired", true },
	[GWSTAT_IKE_RELAYED] =		{ "ike_relayed", false },
	[GWSTAT_IKE_RELAY_TX] =		{ "ike_relay_tx", false },
	[GWSTAT_IKE_RELAY_BAD] =	{ "ike_relay_bad", true },
	[GWSTAT_TUN_JOINED] =		{ "tun_joined", false },
};

const char *
gwstats_name(size_t i)
{
	return i < GWSTAT_MAX ? gwstats_tab[i].name : NULL;
}

bool
gwstats_is_drop(size_t i)
{
	return i < GWSTAT_MAX && gwstats_tab[i].drop;
}
