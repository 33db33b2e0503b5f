/*
 * ike_wire.h: IKEv2 (RFC 7296) numbers and wire layouts.
 *
 * Constants follow the IANA "Internet Key Exchange Version 2 (IKEv2)
 * Parameters" registry. The packed structs below document the layouts
 * and pin their sizes with _Static_assert; code never casts packet bytes
 * to them: ike_pld.c reads every field through lib/buf.h.
 * All multi-octet fields are in network byte order.
 */
#ifndef IKD_IKE_WIRE_H
#define IKD_IKE_WIRE_H

#include <stddef.h>
#include <stdint.h>

/*
 * RFC 7296 3.1: the IKE header.
 *
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Initiator's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       IKE SA Responder's SPI                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          Message ID                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                            Length                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_wire_hdr {
	uint8_t	spi_i[8];
	uint8_t	spi_r[8];
	uint8_t	next;
	uint8_t	version;	/* major in the high nibble */
	uint8_t	exch;
	uint8_t	flags;
	uint8_t	msgid[4];
	uint8_t	length[4];	/* whole message, header included */
} __attribute__((packed));

#define IKE_HDR_LEN		28
#define IKE_HDR_NEXT_OFF	16	/* offset of the first Next Payload */
#define IKE_HDR_LEN_OFF		24	/* offset of the Length field */
#define IKE_VERSION_2		0x20	/* major 2, minor 0 */
#define IKE_MAJOR(v)		((uint8_t)((v) >> 4))
#define IKE_MINOR(v)		((uint8_t)((v) & 0x0f))

/* Flags: |X|X|R|V|I|X|X|X|; the X bits are ignored on receipt. */
#define IKE_FLAG_I		0x08	/* sent by the original initiator */
#define IKE_FLAG_V		0x10	/* sender speaks a higher major version */
#define IKE_FLAG_R		0x20	/* this is a response */

/* Exchange types. */
#define IKE_EXCH_SA_INIT		34
#define IKE_EXCH_AUTH			35
#define IKE_EXCH_CREATE_CHILD_SA	36
#define IKE_EXCH_INFORMATIONAL		37
#define IKE_EXCH_SESSION_RESUME		38	/* RFC 5723 */
#define IKE_EXCH_INTERMEDIATE		43	/* RFC 9242 */
#define IKE_EXCH_FOLLOWUP_KE		44	/* RFC 9370 */

/*
 * RFC 7296 3.2: the generic payload header.
 *
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Payload Length counts the generic header. C asks a receiver that does
 * not understand the payload type to reject the whole message.
 */
struct ike_wire_gen {
	uint8_t	next;
	uint8_t	flags;
	uint8_t	length[2];
} __attribute__((packed));

#define IKE_GEN_HDR_LEN		4
#define IKE_PLD_CRITICAL	0x80

/* Payload types. */
#define IKE_PT_NONE		0
#define IKE_PT_SA		33
#define IKE_PT_KE		34
#define IKE_PT_IDI		35
#define IKE_PT_IDR		36
#define IKE_PT_CERT		37
#define IKE_PT_CERTREQ		38
#define IKE_PT_AUTH		39
#define IKE_PT_NONCE		40	/* Ni and Nr */
#define IKE_PT_NOTIFY		41
#define IKE_PT_DELETE		42
#define IKE_PT_VENDOR		43
#define IKE_PT_TSI		44
#define IKE_PT_TSR		45
#define IKE_PT_SK		46
#define IKE_PT_CP		47
#define IKE_PT_EAP		48
#define IKE_PT_GSPM		49	/* RFC 6467 */
#define IKE_PT_IDG		50	/* group key management */
#define IKE_PT_GSA		51
#define IKE_PT_KD		52
#define IKE_PT_SKF		53	/* RFC 7383 */
#define IKE_PT_PS		54	/* RFC 7249 puzzle solution */

/* Protocol IDs (SA proposals, Notify, Delete). */
#define IKE_PROTO_IKE		1
#define IKE_PROTO_AH		2
#define IKE_PROTO_ESP		3

/*
 * RFC 7296 3.3.1: proposal substructure.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |         Proposal Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SPI (variable)                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        <Transforms>                           ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_wire_prop {
	uint8_t	last;		/* IKE_SUBSTRUC_LAST or IKE_SUBSTRUC_PROP */
	uint8_t	reserved;
	uint8_t	length[2];
	uint8_t	num;
	uint8_t	proto;
	uint8_t	spi_size;
	uint8_t	nxforms;
} __attribute__((packed));

#define IKE_PROP_HDR_LEN	8
#define IKE_SUBSTRUC_LAST	0
#define IKE_SUBSTRUC_PROP	2
#define IKE_SUBSTRUC_XFORM	3

/*
 * RFC 7296 3.3.2: transform substructure.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |        Transform Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Transform Type |   RESERVED    |          Transform ID         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Transform Attributes                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_wire_xform {
	uint8_t	last;		/* IKE_SUBSTRUC_LAST or IKE_SUBSTRUC_XFORM */
	uint8_t	reserved;
	uint8_t	length[2];
	uint8_t	type;
	uint8_t	reserved2;
	uint8_t	id[2];
} __attribute__((packed));

#define IKE_XFORM_HDR_LEN	8

/*
 * RFC 7296 3.3.5: transform attribute. With AF = 1 (TV) the second
 * half-word is the value; with AF = 0 (TLV) it is the length of the
 * value that follows.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |A|       Attribute Type        |    AF=0  Attribute Length     |
 * |F|                             |    AF=1  Attribute Value      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   AF=0  Attribute Value                       |
 * |                   AF=1  Not Transmitted                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_wire_attr {
	uint8_t	type[2];	/* AF bit and type */
	uint8_t	len_or_val[2];
} __attribute__((packed));

#define IKE_ATTR_HDR_LEN	4
#define IKE_ATTR_AF		0x8000
#define IKE_ATTR_KEY_LENGTH	14	/* TV, key size in bits */

/* Transform types. */
#define IKE_XF_ENCR		1
#define IKE_XF_PRF		2
#define IKE_XF_INTEG		3
#define IKE_XF_DH		4	/* "Key Exchange Method" since RFC 9370 */
#define IKE_XF_ESN		5
#define IKE_XF_ADDKE1		6	/* RFC 9370: ADDKE1..ADDKE7 = 6..12 */
#define IKE_XF_ADDKE7		12

/* Transform type 1: encryption algorithms. */
#define IKE_ENCR_DES_IV64		1
#define IKE_ENCR_DES			2
#define IKE_ENCR_3DES			3
#define IKE_ENCR_RC5			4
#define IKE_ENCR_IDEA			5
#define IKE_ENCR_CAST			6
#define IKE_ENCR_BLOWFISH		7
#define IKE_ENCR_3IDEA			8
#define IKE_ENCR_DES_IV32		9
#define IKE_ENCR_NULL			11
#define IKE_ENCR_AES_CBC		12
#define IKE_ENCR_AES_CTR		13
#define IKE_ENCR_AES_CCM_8		14
#define IKE_ENCR_AES_CCM_12		15
#define IKE_ENCR_AES_CCM_16		16
#define IKE_ENCR_AES_GCM_8		18
#define IKE_ENCR_AES_GCM_12		19
#define IKE_ENCR_AES_GCM_16		20
#define IKE_ENCR_NULL_AUTH_AES_GMAC	21
#define IKE_ENCR_CAMELLIA_CBC		23
#define IKE_ENCR_CAMELLIA_CTR		24
#define IKE_ENCR_CAMELLIA_CCM_8		25
#define IKE_ENCR_CAMELLIA_CCM_12	26
#define IKE_ENCR_CAMELLIA_CCM_16	27
#define IKE_ENCR_CHACHA20_POLY1305	28

/* Transform type 2: pseudorandom functions. */
#define IKE_PRF_HMAC_MD5		1
#define IKE_PRF_HMAC_SHA1		2
#define IKE_PRF_HMAC_TIGER		3
#define IKE_PRF_AES128_XCBC		4
#define IKE_PRF_HMAC_SHA2_256		5
#define IKE_PRF_HMAC_SHA2_384		6
#define IKE_PRF_HMAC_SHA2_512		7
#define IKE_PRF_AES128_CMAC		8

/* Transform type 3: integrity algorithms. */
#define IKE_INTEG_NONE			0
#define IKE_INTEG_HMAC_MD5_96		1
#define IKE_INTEG_HMAC_SHA1_96		2
#define IKE_INTEG_DES_MAC		3
#define IKE_INTEG_KPDK_MD5		4
#define IKE_INTEG_AES_XCBC_96		5
#define IKE_INTEG_HMAC_MD5_128		6
#define IKE_INTEG_HMAC_SHA1_160		7
#define IKE_INTEG_AES_CMAC_96		8
#define IKE_INTEG_AES_128_GMAC		9
#define IKE_INTEG_AES_192_GMAC		10
#define IKE_INTEG_AES_256_GMAC		11
#define IKE_INTEG_HMAC_SHA2_256_128	12
#define IKE_INTEG_HMAC_SHA2_384_192	13
#define IKE_INTEG_HMAC_SHA2_512_256	14

/* Transform type 4: Diffie-Hellman groups (key exchange methods). */
#define IKE_DH_NONE		0
#define IKE_DH_MODP_768		1
#define IKE_DH_MODP_1024	2
#define IKE_DH_MODP_1536	5
#define IKE_DH_MODP_2048	14
#define IKE_DH_MODP_3072	15
#define IKE_DH_MODP_4096	16
#define IKE_DH_MODP_6144	17
#define IKE_DH_MODP_8192	18
#define IKE_DH_ECP_256		19
#define IKE_DH_ECP_384		20
#define IKE_DH_ECP_521		21
#define IKE_DH_MODP_1024_160	22
#define IKE_DH_MODP_2048_224	23
#define IKE_DH_MODP_2048_256	24
#define IKE_DH_ECP_192		25
#define IKE_DH_ECP_224		26
#define IKE_DH_BRAINPOOL_224	27
#define IKE_DH_BRAINPOOL_256	28
#define IKE_DH_BRAINPOOL_384	29
#define IKE_DH_BRAINPOOL_512	30
#define IKE_DH_CURVE25519	31
#define IKE_DH_CURVE448		32

/* Transform type 5: extended sequence numbers. */
#define IKE_ESN_NO		0
#define IKE_ESN_YES		1

/*
 * RFC 7296 3.4: Key Exchange payload body.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Diffie-Hellman Group Num    |           RESERVED            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Key Exchange Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_wire_ke {
	uint8_t	group[2];
	uint8_t	reserved[2];
} __attribute__((packed));

#define IKE_KE_HDR_LEN		4

/* RFC 7296 3.9: Nonce Data is 16..256 octets. */
#define IKE_NONCE_MIN		16
#define IKE_NONCE_MAX		256

/*
 * RFC 7296 3.5: Identification payload body (IDi, IDr); 3.8:
 * Authentication payload body has the same shape with Auth Method in
 * place of ID Type.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   ID Type     |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                   Identification Data                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_wire_id {
	uint8_t	type;
	uint8_t	reserved[3];
} __attribute__((packed));

#define IKE_ID_HDR_LEN		4
#define IKE_AUTH_HDR_LEN	4

/* ID types. */
#define IKE_ID_IPV4_ADDR	1
#define IKE_ID_FQDN		2
#define IKE_ID_RFC822_ADDR	3
#define IKE_ID_IPV6_ADDR	5
#define IKE_ID_DER_ASN1_DN	9
#define IKE_ID_DER_ASN1_GN	10
#define IKE_ID_KEY_ID		11
#define IKE_ID_FC_NAME		12	/* RFC 4595 */
#define IKE_ID_NULL		13	/* RFC 7619 */

/* Authentication methods. */
#define IKE_AUTH_RSA_SIG		1
#define IKE_AUTH_SHARED_KEY_MIC		2
#define IKE_AUTH_DSS_SIG		3
#define IKE_AUTH_ECDSA_256		9	/* RFC 4754 */
#define IKE_AUTH_ECDSA_384		10
#define IKE_AUTH_ECDSA_521		11
#define IKE_AUTH_GSPAM			12	/* RFC 6467 */
#define IKE_AUTH_NULL			13	/* RFC 7619 */
#define IKE_AUTH_DIGITAL_SIGNATURE	14	/* RFC 7427 */

/* RFC 7296 3.6/3.7: Certificate encodings (CERT, CERTREQ). */
#define IKE_CERT_X509_SIG	4
#define IKE_CERT_CRL		7
#define IKE_CERT_RAW_RSA	11
#define IKE_CERT_HASH_URL_CERT	12
#define IKE_CERT_HASH_URL_BUNDLE 13
#define IKE_CERT_RAW_PUBKEY	15	/* RFC 7670 */

/*
 * RFC 7296 3.10: Notify payload body.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Protocol ID  |   SPI Size    |      Notify Message Type      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                Security Parameter Index (SPI)                 ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       Notification Data                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_wire_notify {
	uint8_t	proto;
	uint8_t	spi_size;
	uint8_t	type[2];
} __attribute__((packed));

#define IKE_NOTIFY_HDR_LEN	4
#define IKE_N_ERROR_MAX		16383	/* 1..16383 are errors, 16384.. status */

/* Notify error types. */
#define IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD	1
#define IKE_N_INVALID_IKE_SPI			4
#define IKE_N_INVALID_MAJOR_VERSION		5
#define IKE_N_INVALID_SYNTAX			7
#define IKE_N_INVALID_MESSAGE_ID		9
#define IKE_N_INVALID_SPI			11
#define IKE_N_NO_PROPOSAL_CHOSEN		14
#define IKE_N_INVALID_KE_PAYLOAD		17
#define IKE_N_AUTHENTICATION_FAILED		24
#define IKE_N_SINGLE_PAIR_REQUIRED		34
#define IKE_N_NO_ADDITIONAL_SAS			35
#define IKE_N_INTERNAL_ADDRESS_FAILURE		36
#define IKE_N_FAILED_CP_REQUIRED		37
#define IKE_N_TS_UNACCEPTABLE			38
#define IKE_N_INVALID_SELECTORS			39
#define IKE_N_UNACCEPTABLE_ADDRESSES		40	/* RFC 4555 */
#define IKE_N_UNEXPECTED_NAT_DETECTED		41	/* RFC 4555 */
#define IKE_N_USE_ASSIGNED_HOA			42	/* RFC 5026 */
#define IKE_N_TEMPORARY_FAILURE			43
#define IKE_N_CHILD_SA_NOT_FOUND		44
#define IKE_N_INVALID_GROUP_ID			45
#define IKE_N_AUTHORIZATION_FAILED		46
#define IKE_N_STATE_NOT_FOUND			47	/* RFC 9370 */

/* Notify status types. */
#define IKE_N_INITIAL_CONTACT			16384
#define IKE_N_SET_WINDOW_SIZE			16385
#define IKE_N_ADDITIONAL_TS_POSSIBLE		16386
#define IKE_N_IPCOMP_SUPPORTED			16387
#define IKE_N_NAT_DETECTION_SOURCE_IP		16388
#define IKE_N_NAT_DETECTION_DESTINATION_IP	16389
#define IKE_N_COOKIE				16390
#define IKE_N_USE_TRANSPORT_MODE		16391
#define IKE_N_HTTP_CERT_LOOKUP_SUPPORTED	16392
#define IKE_N_REKEY_SA				16393
#define IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED	16394
#define IKE_N_NON_FIRST_FRAGMENTS_ALSO		16395
#define IKE_N_MOBIKE_SUPPORTED			16396	/* RFC 4555 */
#define IKE_N_ADDITIONAL_IP4_ADDRESS		16397
#define IKE_N_ADDITIONAL_IP6_ADDRESS		16398
#define IKE_N_NO_ADDITIONAL_ADDRESSES		16399
#define IKE_N_UPDATE_SA_ADDRESSES		16400
#define IKE_N_COOKIE2				16401
#define IKE_N_NO_NATS_ALLOWED			16402
#define IKE_N_AUTH_LIFETIME			16403	/* RFC 4478 */
#define IKE_N_MULTIPLE_AUTH_SUPPORTED		16404	/* RFC 4739 */
#define IKE_N_ANOTHER_AUTH_FOLLOWS		16405
#define IKE_N_REDIRECT_SUPPORTED		16406	/* RFC 5685 */
#define IKE_N_REDIRECT				16407
#define IKE_N_REDIRECTED_FROM			16408
#define IKE_N_EAP_ONLY_AUTHENTICATION		16417	/* RFC 5998 */
#define IKE_N_CHILDLESS_IKEV2_SUPPORTED		16418	/* RFC 6023 */
#define IKE_N_QUICK_CRASH_DETECTION		16419	/* RFC 6290 */
#define IKE_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED	16420	/* RFC 6311 */
#define IKE_N_IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED 16421
#define IKE_N_IKEV2_MESSAGE_ID_SYNC		16422
#define IKE_N_IPSEC_REPLAY_COUNTER_SYNC		16423
#define IKE_N_IKEV2_FRAGMENTATION_SUPPORTED	16430	/* RFC 7383 */
#define IKE_N_SIGNATURE_HASH_ALGORITHMS		16431	/* RFC 7427 */
#define IKE_N_CLONE_IKE_SA_SUPPORTED		16432	/* RFC 7791 */
#define IKE_N_CLONE_IKE_SA			16433
#define IKE_N_PUZZLE				16434	/* RFC 8019 */
#define IKE_N_USE_PPK				16435	/* RFC 8784 */
#define IKE_N_PPK_IDENTITY			16436
#define IKE_N_NO_PPK_AUTH			16437
#define IKE_N_INTERMEDIATE_EXCHANGE_SUPPORTED	16438	/* RFC 9242 */
#define IKE_N_IP4_ALLOWED			16439	/* RFC 8983 */
#define IKE_N_IP6_ALLOWED			16440
#define IKE_N_ADDITIONAL_KEY_EXCHANGE		16441	/* RFC 9370 */
#define IKE_N_USE_AGGFRAG			16442	/* RFC 9347 */

/* Data sizes the RFCs fix for some notifications. */
#define IKE_NAT_HASH_LEN	20	/* SHA-1 of SPIs, address and port (2.23) */
#define IKE_COOKIE_MIN		1	/* 2.6 */
#define IKE_COOKIE_MAX		64

/*
 * RFC 7296 3.11: Delete payload body.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Protocol ID   |   SPI Size    |          Num of SPIs          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~               Security Parameter Index(es) (SPI)              ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_wire_delete {
	uint8_t	proto;
	uint8_t	spi_size;	/* 0 for IKE, 4 for AH and ESP */
	uint8_t	nspi[2];
} __attribute__((packed));

#define IKE_DELETE_HDR_LEN	4

/*
 * RFC 7296 3.13: Traffic Selector payload body (TSi, TSr), then
 * 3.13.1: one Traffic Selector of type 7 (IPv4) or 8 (IPv6).
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Number of TSs |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       <Traffic Selectors>                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   TS Type     |IP Protocol ID*|       Selector Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Start Port*         |           End Port*           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Starting Address*                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Ending Address*                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Selector Length counts the whole selector. Protocol 0 means any;
 * ports 0..65535 mean any, 65535..0 mean OPAQUE.
 */
struct ike_wire_ts_hdr {
	uint8_t	count;
	uint8_t	reserved[3];
} __attribute__((packed));

struct ike_wire_ts4 {
	uint8_t	type;
	uint8_t	proto;
	uint8_t	length[2];
	uint8_t	sport[2];
	uint8_t	eport[2];
	uint8_t	start[4];
	uint8_t	end[4];
} __attribute__((packed));

struct ike_wire_ts6 {
	uint8_t	type;
	uint8_t	proto;
	uint8_t	length[2];
	uint8_t	sport[2];
	uint8_t	eport[2];
	uint8_t	start[16];
	uint8_t	end[16];
} __attribute__((packed));

#define IKE_TS_HDR_LEN		4
#define IKE_TS_SEL_HDR_LEN	4	/* type, protocol, length */
#define IKE_TS4_LEN		16
#define IKE_TS6_LEN		40
#define IKE_TS_IPV4_ADDR_RANGE	7
#define IKE_TS_IPV6_ADDR_RANGE	8
#define IKE_TS_FC_ADDR_RANGE	9	/* RFC 4595 */
#define IKE_TS_SECLABEL		10	/* RFC 9478 */

/* RFC 7296 3.15: Configuration payload types. */
#define IKE_CFG_REQUEST		1
#define IKE_CFG_REPLY		2
#define IKE_CFG_SET		3
#define IKE_CFG_ACK		4
#define IKE_CP_HDR_LEN		4

/*
 * RFC 7383 2.5: Encrypted Fragment payload body, before the IV.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Fragment Number        |        Total Fragments        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct ike_wire_skf {
	uint8_t	num[2];
	uint8_t	total[2];
} __attribute__((packed));

#define IKE_SKF_HDR_LEN		4

_Static_assert(sizeof(struct ike_wire_hdr) == IKE_HDR_LEN, "IKE header");
_Static_assert(sizeof(struct ike_wire_gen) == IKE_GEN_HDR_LEN, "generic header");
_Static_assert(sizeof(struct ike_wire_prop) == IKE_PROP_HDR_LEN, "proposal");
_Static_assert(sizeof(struct ike_wire_xform) == IKE_XFORM_HDR_LEN, "transform");
_Static_assert(sizeof(struct ike_wire_attr) == IKE_ATTR_HDR_LEN, "attribute");
_Static_assert(sizeof(struct ike_wire_ke) == IKE_KE_HDR_LEN, "KE");
_Static_assert(sizeof(struct ike_wire_id) == IKE_ID_HDR_LEN, "ID");
_Static_assert(sizeof(struct ike_wire_notify) == IKE_NOTIFY_HDR_LEN, "Notify");
_Static_assert(sizeof(struct ike_wire_delete) == IKE_DELETE_HDR_LEN, "Delete");
_Static_assert(sizeof(struct ike_wire_ts_hdr) == IKE_TS_HDR_LEN, "TS header");
_Static_assert(sizeof(struct ike_wire_ts4) == IKE_TS4_LEN, "TS IPv4");
_Static_assert(sizeof(struct ike_wire_ts6) == IKE_TS6_LEN, "TS IPv6");
_Static_assert(sizeof(struct ike_wire_skf) == IKE_SKF_HDR_LEN, "SKF");
_Static_assert(offsetof(struct ike_wire_hdr, next) == IKE_HDR_NEXT_OFF, "next");
_Static_assert(offsetof(struct ike_wire_hdr, length) == IKE_HDR_LEN_OFF, "length");

#endif
