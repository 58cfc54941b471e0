/*
 * ndpishim: a flat, versioned C API over nDPI 4.2 for Tocsin (loaded from C# with [LibraryImport]).
 *
 * Copyright (C) 2026 the Tocsin authors
 *
 * This library is free software: you can redistribute it and/or modify it under the terms of the GNU Lesser
 * General Public License as published by the Free Software Foundation, either version 3 of the License, or (at
 * your option) any later version. It is distributed WITHOUT ANY WARRANTY; see licenses/LGPL-3.0.txt and
 * licenses/GPL-3.0.txt. It links dynamically to nDPI (libndpi.so.4.2, LGPL-3.0-or-later): see licenses/nDPI.md.
 *
 * Why a shim: the metadata alerts need (user agent, JA3, certificate fields, SSH banners, DNS answers) lives
 * inside struct ndpi_flow_struct, whose layout changes between nDPI releases. Every struct read happens here,
 * compiled against the installed headers; the C# side sees only fixed-width integers, ids, names and bitmaps.
 * Everything is single-threaded per module except ndpishim_init/ndpishim_exit, which serialise themselves.
 */
#ifndef NDPISHIM_H
#define NDPISHIM_H

#include <stdint.h>

#define NDPISHIM_ABI_VERSION 2u

#define NDPISHIM_API __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/* What one call into nDPI concluded; 16 bytes, blittable (mirrored by NdpiShimResult in C#). The risks are read
   once the flow is concluded (ndpishim_flow_risk), with the URL checks the result cannot carry. */
typedef struct ndpishim_result {
  uint16_t master_protocol;           /* carrier, e.g. 91 TLS for TLS.Google; 0 when none */
  uint16_t app_protocol;              /* most specific protocol; 0 = Unknown */
  int32_t category;                   /* ndpi_protocol_category_t */
  int32_t confidence;                 /* ndpi_confidence_t */
  uint8_t extra_dissection_possible;  /* nDPI wants more packets (certificate, HTTP response...) */
  uint8_t guessed;                    /* set by ndpishim_giveup when the protocol is a guess */
  uint16_t reserved;
} ndpishim_result;

/* ndpishim_init error codes (*error). */
enum {
  NDPISHIM_OK = 0,
  NDPISHIM_ERR_API_VERSION = 1,       /* the loaded libndpi is not the one the shim was compiled against */
  NDPISHIM_ERR_INIT = 2,              /* ndpi_init_detection_module failed (out of memory) */
  NDPISHIM_ERR_PROTOCOLS_FILE = 3,
  NDPISHIM_ERR_CATEGORIES_FILE = 4,
  NDPISHIM_ERR_RISKY_DOMAINS_FILE = 5,
  NDPISHIM_ERR_MALICIOUS_JA3_FILE = 6,
  NDPISHIM_ERR_MALICIOUS_SHA1_FILE = 7
};

/* String fields (ndpishim_get_str). Reads of the protos union are guarded by the protocol that owns the member. */
enum {
  NDPISHIM_STR_HOST = 1,              /* host_server_name: SNI, HTTP Host, DNS query, DHCP/NetBIOS name */
  NDPISHIM_STR_HTTP_URL = 2,          /* Host + path, as nDPI stores it */
  NDPISHIM_STR_HTTP_USER_AGENT = 3,
  NDPISHIM_STR_HTTP_CONTENT_TYPE = 4, /* of the response */
  NDPISHIM_STR_HTTP_METHOD = 5,       /* "GET", "POST"...; n/a when no request was seen */
  NDPISHIM_STR_TLS_VERSION = 10,      /* "TLSv1.2" */
  NDPISHIM_STR_TLS_JA3_CLIENT = 11,
  NDPISHIM_STR_TLS_JA3_SERVER = 12,
  NDPISHIM_STR_TLS_ALPN = 13,
  NDPISHIM_STR_TLS_SUPPORTED_VERSIONS = 14,
  NDPISHIM_STR_TLS_ISSUER_DN = 15,
  NDPISHIM_STR_TLS_SUBJECT_DN = 16,
  NDPISHIM_STR_TLS_SERVER_NAMES = 17, /* certificate SAN list, comma separated */
  NDPISHIM_STR_TLS_CERT_SHA1 = 18,    /* "4E:2A:...", as ndpiReader prints it */
  NDPISHIM_STR_TLS_CIPHER = 19,       /* server cipher name */
  NDPISHIM_STR_SSH_CLIENT_BANNER = 30,
  NDPISHIM_STR_SSH_SERVER_BANNER = 31,
  NDPISHIM_STR_SSH_HASSH_CLIENT = 32,
  NDPISHIM_STR_SSH_HASSH_SERVER = 33,
  NDPISHIM_STR_DNS_ANSWER = 40        /* first A/AAAA address of the response */
};

/* Numeric fields (ndpishim_get_num). */
enum {
  NDPISHIM_NUM_HTTP_RESPONSE_CODE = 1,
  NDPISHIM_NUM_TLS_VERSION = 10,      /* 0x0303 for TLS 1.2 */
  NDPISHIM_NUM_TLS_NOT_BEFORE = 11,   /* certificate validity, Unix seconds */
  NDPISHIM_NUM_TLS_NOT_AFTER = 12,
  NDPISHIM_NUM_TLS_CIPHER = 13,       /* server cipher suite id */
  NDPISHIM_NUM_TLS_UNSAFE_CIPHER = 14,/* ndpi_cipher_weakness: 0 safe, 1 weak, 2 insecure */
  NDPISHIM_NUM_DNS_QUERY_TYPE = 20,
  NDPISHIM_NUM_DNS_REPLY_CODE = 21
};

/* Versions: the ABI of this shim, nDPI's API version at run time and at compile time, nDPI's revision. */
NDPISHIM_API uint32_t ndpishim_abi_version(void);
NDPISHIM_API uint32_t ndpishim_ndpi_api_version_runtime(void);
NDPISHIM_API uint32_t ndpishim_ndpi_api_version_compiled(void);
NDPISHIM_API const char *ndpishim_ndpi_revision(void);
NDPISHIM_API uint32_t ndpishim_result_size(void);

/* A detection module with every dissector on and the optional list files (NULL = none) loaded. Returns NULL and
   sets *error (NDPISHIM_ERR_*) when the API version differs, memory runs out or a list file cannot be read. */
NDPISHIM_API void *ndpishim_init(const char *protocols_file, const char *categories_file,
                                 const char *risky_domains_file, const char *malicious_ja3_file,
                                 const char *malicious_sha1_file, int32_t *error);
NDPISHIM_API void ndpishim_exit(void *mod);

/* Flows of one module: allocated zeroed, freed with their member strings. live_flows counts the unfreed ones. */
NDPISHIM_API void *ndpishim_flow_new(void *mod);
NDPISHIM_API void ndpishim_flow_free(void *mod, void *flow);
NDPISHIM_API int64_t ndpishim_live_flows(void *mod);

/* Feeds one IP packet (l3 = the IPv4/IPv6 header, len = captured bytes from there, ts_ms monotonic). */
NDPISHIM_API int32_t ndpishim_process_packet(void *mod, void *flow, const uint8_t *l3, uint16_t len, uint64_t ts_ms,
                                             ndpishim_result *out);
/* Concludes a flow nDPI could not classify: port/IP guesses when enable_guess, and the risks giveup adds. */
NDPISHIM_API int32_t ndpishim_giveup(void *mod, void *flow, int32_t enable_guess, ndpishim_result *out);
/* The flow's risks; with validate_url, also the URL risks nDPI 4.2 leaves to the caller (XSS, SQLi, "..") */
NDPISHIM_API uint64_t ndpishim_flow_risk(void *mod, void *flow, int32_t validate_url);

/* Names (owned by nDPI or static: never freed by the caller). */
NDPISHIM_API int32_t ndpishim_protocol2name(void *mod, uint16_t master, uint16_t app, char *buf, int32_t buflen);
NDPISHIM_API const char *ndpishim_category_name(void *mod, int32_t category);
NDPISHIM_API const char *ndpishim_confidence_name(int32_t confidence);
NDPISHIM_API int32_t ndpishim_is_encrypted(void *mod, uint16_t master, uint16_t app);
/* The protocol's own category (ndpi_get_proto_category): what a result carries as 0 when it came from nDPI's caches. */
NDPISHIM_API int32_t ndpishim_protocol_category(void *mod, uint16_t master, uint16_t app);
/* nDPI's breed (ndpi_protocol_breed_t: 0 safe ... 3 unsafe, 4 potentially dangerous, 5 dangerous, 7 unrated) of the
   most specific protocol, and its name. */
NDPISHIM_API int32_t ndpishim_protocol_breed(void *mod, uint16_t master, uint16_t app, const char **name);

/* Risks 1..max_risk-1: name, severity (0 low .. 3 severe) and its name, score and the client/server split. */
NDPISHIM_API int32_t ndpishim_max_risk(void);
NDPISHIM_API const char *ndpishim_risk_info(int32_t risk, int32_t *severity, const char **severity_name,
                                            uint16_t *score, uint16_t *client_score, uint16_t *server_score);

/* Flow metadata. get_str: snprintf semantics (length without the NUL, truncated to buflen - 1), -1 when the
   field does not apply to this flow or is absent. get_num: dflt when it does not apply. */
NDPISHIM_API int32_t ndpishim_get_str(void *mod, void *flow, int32_t field, char *buf, int32_t buflen);
NDPISHIM_API int64_t ndpishim_get_num(void *mod, void *flow, int32_t field, int64_t dflt);

#ifdef __cplusplus
}
#endif

#endif
