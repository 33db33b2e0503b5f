/*
 * crypto_kat.h: primitive test vectors, copied from the documents named
 * on each table. Byte strings are hex; a "rep" count repeats the hex
 * pattern (RFC 2202/4231 describe keys as "0xaa repeated 80 times"), and
 * "text" fields hold ASCII data as the RFCs print it.
 */
#ifndef CRYPTO_KAT_H
#define CRYPTO_KAT_H

#include <stddef.h>

#include "crypto.h"

struct hmac_kat {
	const char	*name;
	enum crypto_md	 md;
	const char	*key;
	size_t		 key_rep;	/* 0 or 1: once */
	const char	*data;		/* hex, or NULL when text is set */
	size_t		 data_rep;
	const char	*text;
	const char	*mac;		/* full HMAC output (PRF form) */
	const char	*trunc;		/* truncated authenticator, or NULL */
};

#define TEXT_HI		"Hi There"
#define TEXT_JEFE	"what do ya want for nothing?"
#define TEXT_TRUNC	"Test With Truncation"
#define TEXT_2202_6	"Test Using Larger Than Block-Size Key - Hash Key First"
#define TEXT_2202_7	"Test Using Larger Than Block-Size Key and Larger " \
			"Than One Block-Size Data"
#define TEXT_4231_6	"Test Using Larger Than Block-Size Key - Hash Key First"
#define TEXT_4231_7	"This is a test using a larger than block-size key and a larger " \
			"than block-size data. The key needs to be hashed before being " \
			"used by the HMAC algorithm."
#define KEY_01_19	"0102030405060708090a0b0c0d0e0f10111213141516171819"

/* RFC 2202 section 3: HMAC-SHA-1 test cases 1 to 7 (case 5 also -96). */
static const struct hmac_kat hmac_rfc2202[] = {
	{ "RFC 2202 1", CRYPTO_SHA1, "0b", 20, NULL, 0, TEXT_HI,
	  "b617318655057264e28bc0b6fb378c8ef146be00", NULL },
	{ "RFC 2202 2", CRYPTO_SHA1, "4a656665", 1, NULL, 0, TEXT_JEFE,
	  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", NULL },
	{ "RFC 2202 3", CRYPTO_SHA1, "aa", 20, "dd", 50, NULL,
	  "125d7342b9ac11cd91a39af48aa17b4f63f175d3", NULL },
	{ "RFC 2202 4", CRYPTO_SHA1, KEY_01_19, 1, "cd", 50, NULL,
	  "4c9007f4026250c6bc8414f9bf50c86c2d7235da", NULL },
	{ "RFC 2202 5", CRYPTO_SHA1, "0c", 20, NULL, 0, TEXT_TRUNC,
	  "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04", "4c1a03424b55e07fe7f27be1" },
	{ "RFC 2202 6", CRYPTO_SHA1, "aa", 80, NULL, 0, TEXT_2202_6,
	  "aa4ae5e15272d00e95705637ce8a3b55ed402112", NULL },
	{ "RFC 2202 7", CRYPTO_SHA1, "aa", 80, NULL, 0, TEXT_2202_7,
	  "e8e99d0f45237d786d6bbaa7965c7808bbff1a91", NULL },
};

/*
 * RFC 4231 section 4: HMAC-SHA-256/384/512 test cases 1 to 7; case 5 is
 * truncated to 128 bits there. RFC 4868 section 2.7.1 reuses cases 1-4,
 * 6 and 7 as PRF-1 to PRF-6 with the same outputs.
 */
static const struct hmac_kat hmac_rfc4231[] = {
	{ "RFC 4231 1 / RFC 4868 PRF-1", CRYPTO_SHA256, "0b", 20, NULL, 0, TEXT_HI,
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", NULL },
	{ "RFC 4231 1 / RFC 4868 PRF-1", CRYPTO_SHA384, "0b", 20, NULL, 0, TEXT_HI,
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6", NULL },
	{ "RFC 4231 1 / RFC 4868 PRF-1", CRYPTO_SHA512, "0b", 20, NULL, 0, TEXT_HI,
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854", NULL },
	{ "RFC 4231 2 / RFC 4868 PRF-2", CRYPTO_SHA256, "4a656665", 1, NULL, 0, TEXT_JEFE,
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", NULL },
	{ "RFC 4231 2 / RFC 4868 PRF-2", CRYPTO_SHA384, "4a656665", 1, NULL, 0, TEXT_JEFE,
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649", NULL },
	{ "RFC 4231 2 / RFC 4868 PRF-2", CRYPTO_SHA512, "4a656665", 1, NULL, 0, TEXT_JEFE,
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737", NULL },
	{ "RFC 4231 3 / RFC 4868 PRF-3", CRYPTO_SHA256, "aa", 20, "dd", 50, NULL,
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", NULL },
	{ "RFC 4231 3 / RFC 4868 PRF-3", CRYPTO_SHA384, "aa", 20, "dd", 50, NULL,
	  "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	  "2a5ab39dc13814b94e3ab6e101a34f27", NULL },
	{ "RFC 4231 3 / RFC 4868 PRF-3", CRYPTO_SHA512, "aa", 20, "dd", 50, NULL,
	  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb", NULL },
	{ "RFC 4231 4 / RFC 4868 PRF-4", CRYPTO_SHA256, KEY_01_19, 1, "cd", 50, NULL,
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", NULL },
	{ "RFC 4231 4 / RFC 4868 PRF-4", CRYPTO_SHA384, KEY_01_19, 1, "cd", 50, NULL,
	  "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	  "6801dd23c4a7d679ccf8a386c674cffb", NULL },
	{ "RFC 4231 4 / RFC 4868 PRF-4", CRYPTO_SHA512, KEY_01_19, 1, "cd", 50, NULL,
	  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	  "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd", NULL },
	{ "RFC 4231 5 (truncated)", CRYPTO_SHA256, "0c", 20, NULL, 0, TEXT_TRUNC,
	  NULL, "a3b6167473100ee06e0c796c2955552b" },
	{ "RFC 4231 5 (truncated)", CRYPTO_SHA384, "0c", 20, NULL, 0, TEXT_TRUNC,
	  NULL, "3abf34c3503b2a23a46efc619baef897" },
	{ "RFC 4231 5 (truncated)", CRYPTO_SHA512, "0c", 20, NULL, 0, TEXT_TRUNC,
	  NULL, "415fad6271580a531d4179bc891d87a6" },
	{ "RFC 4231 6 / RFC 4868 PRF-5", CRYPTO_SHA256, "aa", 131, NULL, 0, TEXT_4231_6,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", NULL },
	{ "RFC 4231 6 / RFC 4868 PRF-5", CRYPTO_SHA384, "aa", 131, NULL, 0, TEXT_4231_6,
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952", NULL },
	{ "RFC 4231 6 / RFC 4868 PRF-5", CRYPTO_SHA512, "aa", 131, NULL, 0, TEXT_4231_6,
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598", NULL },
	{ "RFC 4231 7 / RFC 4868 PRF-6", CRYPTO_SHA256, "aa", 131, NULL, 0, TEXT_4231_7,
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", NULL },
	{ "RFC 4231 7 / RFC 4868 PRF-6", CRYPTO_SHA384, "aa", 131, NULL, 0, TEXT_4231_7,
	  "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	  "a678cc31e799176d3860e6110c46523e", NULL },
	{ "RFC 4231 7 / RFC 4868 PRF-6", CRYPTO_SHA512, "aa", 131, NULL, 0, TEXT_4231_7,
	  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	  "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58", NULL },
};

#define KEY_JEFE8	"4a6566654a6566654a6566654a6566654a6566654a6566654a6566654a656665"
#define KEY_01_20	"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"

/*
 * RFC 4868 section 2.7.2: authenticator test vectors, keys as long as the
 * digest, with the PRF output and the truncated ICV. AUTH384-4 uses the
 * key as printed in the RFC (errata 5507 is held for update and does not
 * match the printed output); AUTH512-4 uses the verified errata 1785 key.
 */
static const struct hmac_kat hmac_rfc4868_auth[] = {
	{ "RFC 4868 AUTH256-1", CRYPTO_SHA256, "0b", 32, NULL, 0, TEXT_HI,
	  "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7",
	  "198a607eb44bfbc69903a0f1cf2bbdc5" },
	{ "RFC 4868 AUTH256-2", CRYPTO_SHA256, KEY_JEFE8, 1, NULL, 0, TEXT_JEFE,
	  "167f928588c5cc2eef8e3093caa0e87c9ff566a14794aa61648d81621a2a40c6",
	  "167f928588c5cc2eef8e3093caa0e87c" },
	{ "RFC 4868 AUTH256-3", CRYPTO_SHA256, "aa", 32, "dd", 50, NULL,
	  "cdcb1220d1ecccea91e53aba3092f962e549fe6ce9ed7fdc43191fbde45c30b0",
	  "cdcb1220d1ecccea91e53aba3092f962" },
	{ "RFC 4868 AUTH256-4", CRYPTO_SHA256, KEY_01_20, 1, "cd", 50, NULL,
	  "372efcf9b40b35c2115b1346903d2ef42fced46f0846e7257bb156d3d7b30d3f",
	  "372efcf9b40b35c2115b1346903d2ef4" },
	{ "RFC 4868 AUTH384-1", CRYPTO_SHA384, "0b", 48, NULL, 0, TEXT_HI,
	  "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee9737a959796489bddbc"
	  "4c5df61d5b3297b4fb68dab9f1b582c2",
	  "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973" },
	{ "RFC 4868 AUTH384-2", CRYPTO_SHA384, KEY_JEFE8 "4a6566654a6566654a6566654a656665", 1,
	  NULL, 0, TEXT_JEFE,
	  "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184da86a368e9b8e16f5"
	  "349524ca4e82400cbde0686d403371c9",
	  "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d" },
	{ "RFC 4868 AUTH384-3", CRYPTO_SHA384, "aa", 48, "dd", 50, NULL,
	  "809f439be00274321d4a538652164b53554a508184a0c3160353e3428597003d"
	  "35914a18770f9443987054944b7c4b4a",
	  "809f439be00274321d4a538652164b53554a508184a0c316" },
	{ "RFC 4868 AUTH384-4", CRYPTO_SHA384, KEY_01_20 "0a0b0c0d0e0f10111213141516171819", 1,
	  "cd", 50, NULL,
	  "5b540085c6e6358096532b2493609ed1cb298f774f87bb5c2ebf182c83cc7428"
	  "707fb92eab2536a5812258228bc96687",
	  "5b540085c6e6358096532b2493609ed1cb298f774f87bb5c" },
	{ "RFC 4868 AUTH512-1", CRYPTO_SHA512, "0b", 64, NULL, 0, TEXT_HI,
	  "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"
	  "ac2878ebd5803f6f0b61dbce5e251ff8789a4722c1be65aea45fd464e89f8f5b",
	  "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8" },
	{ "RFC 4868 AUTH512-2", CRYPTO_SHA512, KEY_JEFE8 KEY_JEFE8, 1, NULL, 0, TEXT_JEFE,
	  "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454"
	  "6aa334ae9fb9afc2184932d8695e397bfa0ffb93466cfcceaae38c833b7dba38",
	  "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454" },
	{ "RFC 4868 AUTH512-3", CRYPTO_SHA512, "aa", 64, "dd", 50, NULL,
	  "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8"
	  "623c7b55cebefccf02d5581acc1c9d5fb1ff68a1de45509fbe4da9a433922655",
	  "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8" },
	{ "RFC 4868 AUTH512-4", CRYPTO_SHA512,
	  KEY_01_20 "2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40", 1,
	  "cd", 50, NULL,
	  "5e6688e5a3daec826ca32eaea224eff5e700628947470e13ad01302561bab108"
	  "b8c48cbc6b807dcfbd850521a685babc7eae4a2a2e660dc0e86b931d65503fd2",
	  "5e6688e5a3daec826ca32eaea224eff5e700628947470e13ad01302561bab108" },
};

struct aead_kat {
	const char		*name;
	enum crypto_aead_alg	 alg;
	const char		*key;
	const char		*nonce;
	const char		*aad;
	const char		*pt;	/* hex, or NULL when text is set */
	const char		*text;
	const char		*ct;
	const char		*tag;
};

#define GCM_P	"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
		"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define GCM_A	"feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define GCM_K	"feffe9928665731c6d6a8f9467308308"

/*
 * McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", revised
 * spec, appendix B test cases 2, 4 and 16; RFC 8439 section 2.8.2.
 */
static const struct aead_kat aead_kats[] = {
	{ "GCM spec test case 2", CRYPTO_AES_GCM,
	  "00000000000000000000000000000000", "000000000000000000000000", "",
	  "00000000000000000000000000000000", NULL,
	  "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf" },
	{ "GCM spec test case 4", CRYPTO_AES_GCM,
	  GCM_K, "cafebabefacedbaddecaf888", GCM_A, GCM_P, NULL,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ "GCM spec test case 16", CRYPTO_AES_GCM,
	  GCM_K GCM_K, "cafebabefacedbaddecaf888", GCM_A, GCM_P, NULL,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
	{ "RFC 8439 2.8.2", CRYPTO_CHACHA20_POLY1305,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	  "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7", NULL,
	  "Ladies and Gentlemen of the class of '99: If I could offer you only one "
	  "tip for the future, sunscreen would be it.",
	  "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	  "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	  "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	  "3ff4def08e4b7a9de576d26586cec64b6116",
	  "1ae10b594f09e26a7e902ecbd0600691" },
};

struct cbc_kat {
	const char	*name;
	const char	*key;
	const char	*iv;
	const char	*pt;	/* hex, or NULL when text is set */
	const char	*text;
	const char	*ct;
};

/* RFC 3602 section 4, cases 1 to 4 (AES-128-CBC). */
static const struct cbc_kat cbc_kats[] = {
	{ "RFC 3602 case 1", "06a9214036b8a15b512e03d534120006",
	  "3dafba429d9eb430b422da802c9fac41", NULL, "Single block msg",
	  "e353779c1079aeb82708942dbe77181a" },
	{ "RFC 3602 case 2", "c286696d887c9aa0611bbb3e2025a45a",
	  "562e17996d093d28ddb3ba695a2e6f58",
	  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", NULL,
	  "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1" },
	{ "RFC 3602 case 3", "6c3ea0477630ce21a2ce334aa746c2cd",
	  "c782dc4c098c66cbd9cd27d825682c81", NULL,
	  "This is a 48-byte message (exactly 3 AES blocks)",
	  "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
	  "021c19216bad525c8579695d83ba2684" },
	{ "RFC 3602 case 4", "56e47a38c5598974bc46903dba290349",
	  "8ce82eefbea0da3c44699ed7db51b7d9",
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf", NULL,
	  "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
	  "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55" },
};

/* FIPS 197 appendix C.1 and C.3: one AES block. */
static const struct cbc_kat aes_block_kats[] = {
	{ "FIPS 197 C.1", "000102030405060708090a0b0c0d0e0f", NULL,
	  "00112233445566778899aabbccddeeff", NULL, "69c4e0d86a7b0430d8cdb78070b4c55a" },
	{ "FIPS 197 C.3", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  NULL, "00112233445566778899aabbccddeeff", NULL, "8ea2b7ca516745bfeafc49904b496089" },
};

#endif
