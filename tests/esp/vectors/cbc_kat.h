/*
 * cbc_kat.h: ESP packets with AES-CBC or NULL encryption and HMAC, as
 * computed by a third implementation (Python's "cryptography" AES and its
 * standard hmac module) from RFC 3602, RFC 2404, RFC 4868, RFC 2410 and
 * RFC 4303 (minimal 1, 2, 3... padding; ESN high bits appended to the ICV
 * input only). No RFC publishes complete CBC+HMAC ESP packets.
 */
#ifndef CBC_KAT_H
#define CBC_KAT_H

#include <stdbool.h>
#include <stdint.h>

struct cbc_esp_kat {
	const char	*name;
	uint8_t		 enc;		/* SADB_*EALG_* */
	uint8_t		 auth;		/* SADB_*AALG_* */
	const char	*key;		/* hex; "" for NULL encryption */
	const char	*akey;		/* hex */
	uint32_t	 spi;
	uint64_t	 seq;
	bool		 esn;
	const char	*iv;		/* hex; "" for NULL encryption */
	const char	*payload;	/* hex */
	uint8_t		 next_header;
	const char	*packet;	/* hex, SPI to ICV */
};

static const struct cbc_esp_kat cbc_esp_kats[] = {
	{
		.name = "AES-128-CBC, HMAC-SHA1-96",
		.enc = 12, .auth = 3,
		.key = "101112131415161718191a1b1c1d1e1f",
		.akey = "404142434445464748494a4b4c4d4e4f50515253",
		.spi = 0x12345678, .seq = 1, .esn = false,
		.iv = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
		.payload = "45000054000040004001f8c3c0a80001c0a800020800f7ff0000000065737067"
		    "656e206b6e6f776e20616e73776572",
		.next_header = 4,
		.packet = "1234567800000001a0a1a2a3a4a5a6a7a8a9aaabacadaeaf2b06eea525cc5c6d"
		    "5ae2a6bb40434a93b216c279a1bade8b9bd1cf6e6acdb3206f6151f3c2a4e715"
		    "7a9b0e4537f48d71ee3b9e8c1abb16aef6a02ec905525dcddc9a5962f617f4cf"
		    "dd8eeac3",
	},
	{
		.name = "AES-256-CBC, HMAC-SHA2-256-128, ESN",
		.enc = 12, .auth = 5,
		.key = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
		.akey = "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f",
		.spi = 0xdeadbeef, .seq = UINT64_C(0x0000000700000003), .esn = true,
		.iv = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf",
		.payload = "45000054000040004001f8c3c0a80001c0a800020800f7ff0000000065737067"
		    "65",
		.next_header = 41,
		.packet = "deadbeef00000003c0c1c2c3c4c5c6c7c8c9cacbcccdcecfb28b9ab0cccd3ec5"
		    "50522a9ccd490e935e67e49dd872aa7063bb202871dcfb826c1fa34494116877"
		    "f878e0a773972d59829cfaff6e774189db6a414026cd4906",
	},
	{
		.name = "NULL, HMAC-SHA2-512-256, ESN",
		.enc = 11, .auth = 7,
		.key = "",
		.akey = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
		    "2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40",
		.spi = 0x00000101, .seq = UINT64_C(0x00000001fffffffe), .esn = true,
		.iv = "",
		.payload = "45000054000040004001f8c3c0a80001c0a8000208",
		.next_header = 4,
		.packet = "00000101fffffffe45000054000040004001f8c3c0a80001c0a8000208010104"
		    "0ea771ecb173d829d7cf3482fcce1119ba530662054d6f028dccf425885d3ada",
	},
};

#endif
