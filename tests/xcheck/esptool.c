/*
 * esptool.c: esp_encap() and esp_decap() on the command line, so that an
 * independent ESP implementation (xcheck_scapy.py drives scapy) can be
 * checked against ours one packet at a time. A test program, not installed.
 *
 *   esptool encap ENC EKEYHEX AUTH AKEYHEX SPI SEQ ESN INNERHEX [IVHEX]
 *   esptool decap ENC EKEYHEX AUTH AKEYHEX SPI SEQ ESN ESPHEX
 *
 * ENC and AUTH are spelled as setkey spells them; AUTH "-" means none (an
 * AEAD) and a key "-" means no key (null encryption). AEAD keys end with
 * their 4-byte salt, as PF_KEY carries them. SPI and SEQ are decimal or
 * 0x hex; SEQ is the full 64-bit number, at most 2^32 - 1 unless ESN is 1.
 *
 * encap prints the ESP packet (SPI to ICV) in hex. The next header comes
 * from the inner packet's IP version. Without IVHEX the IV is the one
 * tunneld would make (esp_encap); with it, that IV (esp_encap_iv), so the
 * packet can be compared byte for byte with another encoder's.
 *
 * decap checks the packet as an SA with a 64-packet window that has seen
 * SEQ - 1 would, so that with ESN the high bits inferred are SEQ's, and
 * prints three lines: "inner HEX", "next_header N" and "seq N".
 *
 * Exit status: 0 done; 1 the transform refused the packet (the enum
 * esp_err name on stderr) or the packet's SPI is not SPI; 2 bad usage.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alg.h"
#include "err.h"
#include "esp.h"
#include "replay.h"
#include "secmem.h"

#define ESPTOOL_HEADROOM	64
#define ESPTOOL_WINDOW		64
#define ESPTOOL_EXIT_REFUSED	1
#define ESPTOOL_EXIT_USAGE	2

/* The SA the command line describes. */
struct esptool_sa {
	const struct alg	*enc;
	const struct alg	*auth;		/* NULL: none */
	uint8_t			 ekey[GW_KEY_MAX];
	uint8_t			 akey[GW_KEY_MAX];
	size_t			 ekeylen;
	size_t			 akeylen;
	uint32_t		 spi;
	uint64_t		 seq;
	bool			 esn;
};

/* Room for the largest packet either way, plus head and tail room. */
static uint8_t esptool_mem[ESPTOOL_HEADROOM + ESP_MAX_LEN + ESP_TAILROOM];

static void __attribute__((noreturn))
esptool_usage(const char *why, const char *arg)
{
	if (why != NULL && arg != NULL)
		fprintf(stderr, "esptool: %s: '%s'\n", why, arg);
	else if (why != NULL)
		fprintf(stderr, "esptool: %s\n", why);
	fprintf(stderr, "usage: esptool encap ENC EKEYHEX AUTH AKEYHEX SPI SEQ ESN(0|1) "
	    "INNERHEX [IVHEX]\n"
	    "       esptool decap ENC EKEYHEX AUTH AKEYHEX SPI SEQ ESN(0|1) ESPHEX\n");
	exit(ESPTOOL_EXIT_USAGE);
}

static int
esptool_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes the hex string s into at most cap bytes at out; "-" is no bytes
 * when dash is true. Returns false on an odd length, a non-hex character
 * or more than cap bytes, with out partly written.
 */
static bool
esptool_hex(const char *s, bool dash, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(s), i;
	int hi, lo;

	if (dash && strcmp(s, "-") == 0) {
		*len = 0;
		return true;
	}
	if (n == 0 || n % 2 != 0 || n / 2 > cap)
		return false;
	for (i = 0; i < n; i += 2) {
		if ((hi = esptool_nibble(s[i])) < 0 || (lo = esptool_nibble(s[i + 1])) < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return true;
}

/*
 * Parses s, decimal or 0x hex with nothing before or after the digits,
 * into *out. Returns false if it is not such a number or exceeds max.
 */
static bool
esptool_num(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	const char *digits = s;
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		digits = s + 2;
		base = 16;
	}
	/* strtoull would take a sign or leading blanks; refuse them. */
	if (base == 16 ? !isxdigit((unsigned char)digits[0]) : !isdigit((unsigned char)digits[0]))
		return false;
	errno = 0;
	v = strtoull(digits, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* Fills sa from argv[0..6]: ENC EKEYHEX AUTH AKEYHEX SPI SEQ ESN. */
static void
esptool_parse_sa(char **argv, struct esptool_sa *sa)
{
	uint64_t v;

	if ((sa->enc = alg_by_name(ALG_ENC, argv[0])) == NULL)
		esptool_usage("unknown encryption algorithm", argv[0]);
	if (!esptool_hex(argv[1], true, sa->ekey, sizeof(sa->ekey), &sa->ekeylen))
		esptool_usage("encryption key is not hex of at most 256 bytes", NULL);
	sa->auth = NULL;
	if (strcmp(argv[2], "-") != 0 &&
	    (sa->auth = alg_by_name(ALG_AUTH, argv[2])) == NULL)
		esptool_usage("unknown authentication algorithm", argv[2]);
	if (!esptool_hex(argv[3], true, sa->akey, sizeof(sa->akey), &sa->akeylen))
		esptool_usage("authentication key is not hex of at most 256 bytes", NULL);
	if (!esptool_num(argv[4], UINT32_MAX, &v))
		esptool_usage("SPI is not a number of 32 bits", argv[4]);
	sa->spi = (uint32_t)v;
	if (strcmp(argv[6], "0") != 0 && strcmp(argv[6], "1") != 0)
		esptool_usage("ESN is neither 0 nor 1", argv[6]);
	sa->esn = argv[6][0] == '1';
	if (!esptool_num(argv[5], sa->esn ? UINT64_MAX : UINT32_MAX, &sa->seq) || sa->seq == 0)
		esptool_usage("SEQ is not a number from 1 to 2^32 - 1 (2^64 - 1 with ESN)",
		    argv[5]);
}

static void
esptool_xform(struct esptool_sa *sa, struct esp_xform *x)
{
	int rc;

	rc = esp_xform_init(x, sa->enc, sa->ekey, sa->ekeylen, sa->auth, sa->akey,
	    sa->akeylen);
	secure_wipe(sa->ekey, sizeof(sa->ekey));
	secure_wipe(sa->akey, sizeof(sa->akey));
	if (rc != 0) {
		fprintf(stderr, "esptool: esp_xform_init: %s\n", gw_strerror(rc));
		exit(ESPTOOL_EXIT_USAGE);
	}
}

/* The enum esp_err name of err, which the caller's test matches on. */
static const char *
esptool_errname(int err)
{
	switch (err) {
	case ESP_E_MALFORMED:	return "ESP_E_MALFORMED";
	case ESP_E_REPLAY:	return "ESP_E_REPLAY";
	case ESP_E_ICV:		return "ESP_E_ICV";
	case ESP_E_PAD:		return "ESP_E_PAD";
	case ESP_E_OVERSIZE:	return "ESP_E_OVERSIZE";
	case ESP_E_SEQ:		return "ESP_E_SEQ";
	case ESP_E_CRYPTO:	return "ESP_E_CRYPTO";
	}
	return "ESP_E_UNKNOWN";
}

static int
esptool_refused(const char *op, int err)
{
	fprintf(stderr, "esptool: %s: %s (%s)\n", op, esptool_errname(err), esp_strerror(err));
	return ESPTOOL_EXIT_REFUSED;
}

static void
esptool_print_hex(const char *label, const uint8_t *p, size_t len)
{
	size_t i;

	if (label != NULL)
		printf("%s ", label);
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

/* argv: INNERHEX [IVHEX]. */
static int
esptool_encap(struct esp_xform *x, const struct esptool_sa *sa, int argc, char **argv)
{
	uint8_t iv[ESP_IV_MAX], nh;
	struct pkt_buf b;
	size_t len, ivlen;
	int rc;

	pkt_init(&b, esptool_mem, sizeof(esptool_mem), ESPTOOL_HEADROOM);
	if (!esptool_hex(argv[0], false, pkt_data(&b), ESP_MAX_LEN, &len))
		esptool_usage("inner packet is not hex of 1 to 65535 bytes", NULL);
	pkt_put(&b, len);
	switch (pkt_data(&b)[0] >> 4) {
	case 4:
		nh = 4;		/* IPPROTO_IPIP */
		break;
	case 6:
		nh = 41;	/* IPPROTO_IPV6 */
		break;
	default:
		esptool_usage("inner packet is neither IPv4 nor IPv6", NULL);
	}
	if (argc == 1)
		rc = esp_encap(x, sa->spi, sa->seq, sa->esn, nh, &b);
	else {
		if (!esptool_hex(argv[1], true, iv, sizeof(iv), &ivlen) || ivlen != x->ivlen)
			esptool_usage("IV is not hex of the cipher's IV length", argv[1]);
		rc = esp_encap_iv(x, sa->spi, sa->seq, sa->esn, nh, ivlen ? iv : NULL, &b);
	}
	if (rc != 0)
		return esptool_refused("encap", rc);
	esptool_print_hex(NULL, pkt_data(&b), b.len);
	return 0;
}

/* argv: ESPHEX. */
static int
esptool_decap(struct esp_xform *x, const struct esptool_sa *sa, char **argv)
{
	struct replay rp;
	struct pkt_buf b;
	uint64_t seq;
	size_t len;
	uint32_t spi;
	uint8_t nh;
	int rc;

	pkt_init(&b, esptool_mem, sizeof(esptool_mem), ESPTOOL_HEADROOM);
	if (!esptool_hex(argv[0], false, pkt_data(&b), ESP_MAX_LEN, &len))
		esptool_usage("ESP packet is not hex of 1 to 65535 bytes", NULL);
	pkt_put(&b, len);
	/* The SA lookup the data path does before esp_decap(). */
	if (len >= 4) {
		spi = (uint32_t)pkt_data(&b)[0] << 24 | (uint32_t)pkt_data(&b)[1] << 16 |
		    (uint32_t)pkt_data(&b)[2] << 8 | pkt_data(&b)[3];
		if (spi != sa->spi) {
			fprintf(stderr, "esptool: decap: SPI 0x%08" PRIx32 " is not the SA's "
			    "0x%08" PRIx32 "\n", spi, sa->spi);
			return ESPTOOL_EXIT_REFUSED;
		}
	}
	if ((rc = replay_init(&rp, ESPTOOL_WINDOW, sa->esn)) != 0) {
		fprintf(stderr, "esptool: replay_init: %s\n", gw_strerror(rc));
		return ESPTOOL_EXIT_USAGE;
	}
	if (sa->seq > 1)
		replay_update(&rp, sa->seq - 1);
	rc = esp_decap(x, &rp, &b, &nh, &seq);
	replay_free(&rp);
	if (rc != 0)
		return esptool_refused("decap", rc);
	esptool_print_hex("inner", pkt_data(&b), b.len);
	printf("next_header %u\nseq %" PRIu64 "\n", nh, seq);
	return 0;
}

int
main(int argc, char **argv)
{
	struct esptool_sa sa;
	struct esp_xform x;
	bool encap;
	int rc;

	if (argc < 2)
		esptool_usage(NULL, NULL);
	encap = strcmp(argv[1], "encap") == 0;
	if (!encap && strcmp(argv[1], "decap") != 0)
		esptool_usage("unknown command", argv[1]);
	if (argc != 10 && !(encap && argc == 11))
		esptool_usage("wrong number of arguments for", argv[1]);
	esptool_parse_sa(argv + 2, &sa);
	esptool_xform(&sa, &x);
	if (encap)
		rc = esptool_encap(&x, &sa, argc - 9, argv + 9);
	else
		rc = esptool_decap(&x, &sa, argv + 9);
	esp_xform_free(&x);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "esptool: writing the result failed\n");
		return ESPTOOL_EXIT_USAGE;
	}
	return rc;
}
