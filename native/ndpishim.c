/*
 * ndpishim: a flat, versioned C API over nDPI 4.2 for Tocsin. See ndpishim.h.
 *
 * Copyright (C) 2026 the Tocsin authors
 *
 * This library is free software: you can redistribute it and/or modify it under the terms of the GNU Lesser
 * General Public License as published by the Free Software Foundation, either version 3 of the License, or (at
 * your option) any later version. It is distributed WITHOUT ANY WARRANTY; see licenses/LGPL-3.0.txt and
 * licenses/GPL-3.0.txt. It links dynamically to nDPI (libndpi.so.4.2, LGPL-3.0-or-later): see licenses/nDPI.md.
 */
#include "ndpishim.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

/* The field reads below are written against 4.2's struct layouts; another release must not compile silently. */
#if NDPI_API_VERSION != 8668
#error "ndpishim needs nDPI 4.2 (NDPI_API_VERSION 8668): install Debian 12's libndpi-dev"
#endif

/* The C# mirror of ndpishim_result and the by-value ndpi_protocol the shim relies on. */
_Static_assert(sizeof(ndpishim_result) == 16, "ndpishim_result must stay 16 bytes (C# NdpiShimResult)");
_Static_assert(sizeof(ndpi_protocol) == 8, "ndpi_protocol is 8 bytes in nDPI 4.2");
_Static_assert(sizeof(ndpi_risk) == 8, "the risk bitmap is 64 bits");
_Static_assert(NDPI_MAX_RISK <= 64, "risk ids must fit the 64-bit bitmap");

struct ndpishim_module {
  struct ndpi_detection_module_struct *ndpi;
  int64_t live_flows; /* only touched by the module's own thread */
};

/* nDPI's module set-up is not thread-safe (shared tables, libgcrypt init): one at a time, process-wide. */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

/* ndpi_cipher2str names an unknown cipher in one static buffer, shared by every worker's module. */
static pthread_mutex_t cipher_name_lock = PTHREAD_MUTEX_INITIALIZER;

NDPISHIM_API uint32_t ndpishim_abi_version(void) { return NDPISHIM_ABI_VERSION; }

NDPISHIM_API uint32_t ndpishim_ndpi_api_version_runtime(void) { return ndpi_get_api_version(); }

NDPISHIM_API uint32_t ndpishim_ndpi_api_version_compiled(void) { return NDPI_API_VERSION; }

NDPISHIM_API const char *ndpishim_ndpi_revision(void) { return ndpi_revision(); }

NDPISHIM_API uint32_t ndpishim_result_size(void) { return (uint32_t)sizeof(ndpishim_result); }

static int load_list(struct ndpi_detection_module_struct *ndpi, const char *path,
                     int (*load)(struct ndpi_detection_module_struct *, const char *)) {
  return path == NULL || load(ndpi, path) >= 0;
}

NDPISHIM_API void *ndpishim_init(const char *protocols_file, const char *categories_file,
                                 const char *risky_domains_file, const char *malicious_ja3_file,
                                 const char *malicious_sha1_file, int32_t *error) {
  if (ndpi_get_api_version() != NDPI_API_VERSION) {
    *error = NDPISHIM_ERR_API_VERSION;
    return NULL;
  }
  struct ndpishim_module *m = calloc(1, sizeof(*m));
  if (m == NULL) {
    *error = NDPISHIM_ERR_INIT;
    return NULL;
  }
  pthread_mutex_lock(&init_lock);
  int32_t rc = NDPISHIM_OK;
  m->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
  if (m->ndpi == NULL) {
    rc = NDPISHIM_ERR_INIT;
  } else {
    /* Same order as ndpiReader's setupDetection, so the lists override the same defaults. */
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(m->ndpi, &all);
    if (!load_list(m->ndpi, protocols_file, ndpi_load_protocols_file))
      rc = NDPISHIM_ERR_PROTOCOLS_FILE;
    else if (!load_list(m->ndpi, categories_file, ndpi_load_categories_file))
      rc = NDPISHIM_ERR_CATEGORIES_FILE;
    else if (!load_list(m->ndpi, risky_domains_file, ndpi_load_risk_domain_file))
      rc = NDPISHIM_ERR_RISKY_DOMAINS_FILE;
    else if (!load_list(m->ndpi, malicious_ja3_file, ndpi_load_malicious_ja3_file))
      rc = NDPISHIM_ERR_MALICIOUS_JA3_FILE;
    else if (!load_list(m->ndpi, malicious_sha1_file, ndpi_load_malicious_sha1_file))
      rc = NDPISHIM_ERR_MALICIOUS_SHA1_FILE;
    else
      ndpi_finalize_initialization(m->ndpi);
    if (rc != NDPISHIM_OK)
      ndpi_exit_detection_module(m->ndpi);
  }
  pthread_mutex_unlock(&init_lock);

  *error = rc;
  if (rc != NDPISHIM_OK) {
    free(m);
    return NULL;
  }
  return m;
}

NDPISHIM_API void ndpishim_exit(void *mod) {
  struct ndpishim_module *m = mod;
  if (m == NULL)
    return;
  pthread_mutex_lock(&init_lock);
  ndpi_exit_detection_module(m->ndpi);
  pthread_mutex_unlock(&init_lock);
  free(m);
}

NDPISHIM_API void *ndpishim_flow_new(void *mod) {
  struct ndpishim_module *m = mod;
  size_t size = ndpi_detection_get_sizeof_ndpi_flow_struct();
  void *flow = ndpi_flow_malloc(size);
  if (flow == NULL)
    return NULL;
  memset(flow, 0, size); /* nDPI requires a zeroed flow */
  m->live_flows++;
  return flow;
}

NDPISHIM_API void ndpishim_flow_free(void *mod, void *flow) {
  struct ndpishim_module *m = mod;
  if (flow == NULL)
    return;
  ndpi_free_flow(flow); /* the member strings, then the struct */
  m->live_flows--;
}

NDPISHIM_API int64_t ndpishim_live_flows(void *mod) { return ((struct ndpishim_module *)mod)->live_flows; }

static void fill_result(const struct ndpi_flow_struct *f, ndpi_protocol p, ndpishim_result *out) {
  out->master_protocol = p.master_protocol;
  out->app_protocol = p.app_protocol;
  out->category = (int32_t)p.category;
  out->confidence = (int32_t)f->confidence;
  out->reserved = 0;
}

NDPISHIM_API int32_t ndpishim_process_packet(void *mod, void *flow, const uint8_t *l3, uint16_t len, uint64_t ts_ms,
                                             ndpishim_result *out) {
  struct ndpishim_module *m = mod;
  struct ndpi_flow_struct *f = flow;
  ndpi_protocol p = ndpi_detection_process_packet(m->ndpi, f, l3, len, ts_ms);
  fill_result(f, p, out);
  /* Only asked once something is detected, as ndpiReader does: the answer depends on the detected protocol. */
  out->extra_dissection_possible = p.app_protocol != NDPI_PROTOCOL_UNKNOWN ? ndpi_extra_dissection_possible(m->ndpi, f) : 0;
  out->guessed = 0;
  return 0;
}

NDPISHIM_API int32_t ndpishim_giveup(void *mod, void *flow, int32_t enable_guess, ndpishim_result *out) {
  struct ndpishim_module *m = mod;
  struct ndpi_flow_struct *f = flow;
  u_int8_t guessed = 0;
  ndpi_protocol p = ndpi_detection_giveup(m->ndpi, f, enable_guess ? 1 : 0, &guessed);
  fill_result(f, p, out);
  out->extra_dissection_possible = 0;
  out->guessed = guessed;
  return 0;
}

NDPISHIM_API uint64_t ndpishim_flow_risk(void *mod, void *flow, int32_t validate_url) {
  (void)mod;
  struct ndpi_flow_struct *f = flow;
  ndpi_risk risk = f->risk;
  if (validate_url && f->http.url != NULL && f->http.url[0] != '\0') {
    ndpi_risk_enum r = ndpi_validate_url(f->http.url); /* works on a copy: the URL is not modified */
    if (r != NDPI_NO_RISK)
      NDPI_SET_BIT(risk, r);
  }
  return risk;
}

static ndpi_protocol make_protocol(uint16_t master, uint16_t app) {
  ndpi_protocol p;
  memset(&p, 0, sizeof(p));
  p.master_protocol = master;
  p.app_protocol = app;
  return p;
}

NDPISHIM_API int32_t ndpishim_protocol2name(void *mod, uint16_t master, uint16_t app, char *buf, int32_t buflen) {
  if (buf == NULL || buflen <= 0)
    return -1;
  ndpi_protocol2name(((struct ndpishim_module *)mod)->ndpi, make_protocol(master, app), buf, (u_int)buflen);
  return (int32_t)strlen(buf);
}

NDPISHIM_API const char *ndpishim_category_name(void *mod, int32_t category) {
  return ndpi_category_get_name(((struct ndpishim_module *)mod)->ndpi, (ndpi_protocol_category_t)category);
}

NDPISHIM_API const char *ndpishim_confidence_name(int32_t confidence) {
  return ndpi_confidence_get_name((ndpi_confidence_t)confidence);
}

NDPISHIM_API int32_t ndpishim_is_encrypted(void *mod, uint16_t master, uint16_t app) {
  return ndpi_is_encrypted_proto(((struct ndpishim_module *)mod)->ndpi, make_protocol(master, app));
}

NDPISHIM_API int32_t ndpishim_protocol_category(void *mod, uint16_t master, uint16_t app) {
  return (int32_t)ndpi_get_proto_category(((struct ndpishim_module *)mod)->ndpi, make_protocol(master, app));
}

NDPISHIM_API int32_t ndpishim_protocol_breed(void *mod, uint16_t master, uint16_t app, const char **name) {
  struct ndpi_detection_module_struct *ndpi = ((struct ndpishim_module *)mod)->ndpi;
  ndpi_protocol_breed_t breed = ndpi_get_proto_breed(ndpi, app != NDPI_PROTOCOL_UNKNOWN ? app : master);
  if (name != NULL)
    *name = ndpi_get_proto_breed_name(ndpi, breed);
  return (int32_t)breed;
}

NDPISHIM_API int32_t ndpishim_max_risk(void) { return NDPI_MAX_RISK; }

NDPISHIM_API const char *ndpishim_risk_info(int32_t risk, int32_t *severity, const char **severity_name,
                                            uint16_t *score, uint16_t *client_score, uint16_t *server_score) {
  if (risk <= NDPI_NO_RISK || risk >= NDPI_MAX_RISK)
    return NULL;
  ndpi_risk_info *info = ndpi_risk2severity((ndpi_risk_enum)risk);
  if (info == NULL)
    return NULL;
  *severity = (int32_t)info->severity;
  *severity_name = ndpi_severity2str(info->severity);
  ndpi_risk bit = 0;
  NDPI_SET_BIT(bit, risk);
  *score = ndpi_risk2score(bit, client_score, server_score);
  return ndpi_risk2str((ndpi_risk_enum)risk);
}

/* Protocol guards for the protos union: the same tests nDPI uses before touching (or freeing) a member. */
static int stack_has(const struct ndpi_flow_struct *f, uint16_t proto) {
  return f->detected_protocol_stack[0] == proto || f->detected_protocol_stack[1] == proto;
}

/* The members ndpi_free_flow_data frees for these protocols only (TLS, QUIC, DTLS, SMTPS, POPS, IMAPS). */
static int is_tls_family(const struct ndpi_flow_struct *f) {
  return stack_has(f, NDPI_PROTOCOL_TLS) || stack_has(f, NDPI_PROTOCOL_QUIC) || stack_has(f, NDPI_PROTOCOL_DTLS)
      || stack_has(f, NDPI_PROTOCOL_MAIL_SMTPS) || stack_has(f, NDPI_PROTOCOL_MAIL_POPS)
      || stack_has(f, NDPI_PROTOCOL_MAIL_IMAPS);
}

static int is_dns(const struct ndpi_flow_struct *f) {
  return stack_has(f, NDPI_PROTOCOL_DNS) || stack_has(f, NDPI_PROTOCOL_LLMNR);
}

static int32_t put_n(const char *s, size_t n, char *buf, int32_t buflen) {
  if (n == 0)
    return -1;
  if (buf != NULL && buflen > 0) {
    size_t copy = n < (size_t)buflen - 1 ? n : (size_t)buflen - 1;
    memcpy(buf, s, copy);
    buf[copy] = '\0';
  }
  return (int32_t)n;
}

static int32_t put_str(const char *s, char *buf, int32_t buflen) { return s == NULL ? -1 : put_n(s, strlen(s), buf, buflen); }

/* Fixed-size arrays filled by dissectors may lack their NUL: at most sizeof(array) bytes are read. */
#define PUT_ARRAY(array) put_n((array), strnlen((array), sizeof(array)), buf, buflen)

static int32_t put_sha1(const struct ndpi_flow_struct *f, char *buf, int32_t buflen) {
  char hex[20 * 3]; /* 20 "XX" joined by 19 colons, and the NUL */
  char *p = hex;
  for (int i = 0; i < 20; i++)
    p += snprintf(p, (size_t)(hex + sizeof(hex) - p), "%s%02X", i > 0 ? ":" : "",
                  f->protos.tls_quic.sha1_certificate_fingerprint[i]);
  return put_str(hex, buf, buflen);
}

static int32_t put_dns_answer(const struct ndpi_flow_struct *f, char *buf, int32_t buflen) {
  char text[INET6_ADDRSTRLEN];
  const void *addr;
  int family;
  if (f->protos.dns.rsp_type == 1) { /* A */
    family = AF_INET;
    addr = &f->protos.dns.rsp_addr.ipv4;
  } else if (f->protos.dns.rsp_type == 28) { /* AAAA */
    family = AF_INET6;
    addr = &f->protos.dns.rsp_addr.ipv6;
  } else {
    return -1;
  }
  if (inet_ntop(family, addr, text, sizeof(text)) == NULL)
    return -1;
  return put_str(text, buf, buflen);
}

NDPISHIM_API int32_t ndpishim_get_str(void *mod, void *flow, int32_t field, char *buf, int32_t buflen) {
  (void)mod;
  const struct ndpi_flow_struct *f = flow;
  char version[32];
  u_int8_t unknown_version;
  switch (field) {
  case NDPISHIM_STR_HOST: return PUT_ARRAY(f->host_server_name);
  /* http is outside the union: always safe to read. */
  case NDPISHIM_STR_HTTP_URL: return put_str(f->http.url, buf, buflen);
  case NDPISHIM_STR_HTTP_USER_AGENT: return put_str(f->http.user_agent, buf, buflen);
  case NDPISHIM_STR_HTTP_CONTENT_TYPE: return put_str(f->http.content_type, buf, buflen);
  case NDPISHIM_STR_HTTP_METHOD:
    return f->http.method == NDPI_HTTP_METHOD_UNKNOWN ? -1 : put_str(ndpi_http_method2str(f->http.method), buf, buflen);
  case NDPISHIM_STR_SSH_CLIENT_BANNER: return stack_has(f, NDPI_PROTOCOL_SSH) ? PUT_ARRAY(f->protos.ssh.client_signature) : -1;
  case NDPISHIM_STR_SSH_SERVER_BANNER: return stack_has(f, NDPI_PROTOCOL_SSH) ? PUT_ARRAY(f->protos.ssh.server_signature) : -1;
  case NDPISHIM_STR_SSH_HASSH_CLIENT: return stack_has(f, NDPI_PROTOCOL_SSH) ? PUT_ARRAY(f->protos.ssh.hassh_client) : -1;
  case NDPISHIM_STR_SSH_HASSH_SERVER: return stack_has(f, NDPI_PROTOCOL_SSH) ? PUT_ARRAY(f->protos.ssh.hassh_server) : -1;
  case NDPISHIM_STR_DNS_ANSWER: return is_dns(f) ? put_dns_answer(f, buf, buflen) : -1;
  default: break;
  }

  /* Pointer members of tls_quic are only valid for the protocols whose free path owns them. */
  if (!is_tls_family(f))
    return -1;
  switch (field) {
  case NDPISHIM_STR_TLS_VERSION:
    if (f->protos.tls_quic.ssl_version == 0)
      return -1;
    return put_str(ndpi_ssl_version2str(version, sizeof(version), f->protos.tls_quic.ssl_version, &unknown_version),
                   buf, buflen);
  case NDPISHIM_STR_TLS_JA3_CLIENT: return PUT_ARRAY(f->protos.tls_quic.ja3_client);
  case NDPISHIM_STR_TLS_JA3_SERVER: return PUT_ARRAY(f->protos.tls_quic.ja3_server);
  case NDPISHIM_STR_TLS_ALPN: return put_str(f->protos.tls_quic.alpn, buf, buflen);
  case NDPISHIM_STR_TLS_SUPPORTED_VERSIONS: return put_str(f->protos.tls_quic.tls_supported_versions, buf, buflen);
  case NDPISHIM_STR_TLS_ISSUER_DN: return put_str(f->protos.tls_quic.issuerDN, buf, buflen);
  case NDPISHIM_STR_TLS_SUBJECT_DN: return put_str(f->protos.tls_quic.subjectDN, buf, buflen);
  case NDPISHIM_STR_TLS_SERVER_NAMES: return put_str(f->protos.tls_quic.server_names, buf, buflen);
  /* The TLS dissector sets fingerprint_set through l4.tcp even for DTLS, so it is read the same way; QUIC never
     shows a certificate, and there l4 holds UDP state. */
  case NDPISHIM_STR_TLS_CERT_SHA1:
    return !stack_has(f, NDPI_PROTOCOL_QUIC) && f->l4.tcp.tls.fingerprint_set ? put_sha1(f, buf, buflen) : -1;
  case NDPISHIM_STR_TLS_CIPHER: {
    if (f->protos.tls_quic.server_cipher == 0)
      return -1;
    pthread_mutex_lock(&cipher_name_lock);
    int32_t n = put_str(ndpi_cipher2str(f->protos.tls_quic.server_cipher), buf, buflen);
    pthread_mutex_unlock(&cipher_name_lock);
    return n;
  }
  default: return -1;
  }
}

NDPISHIM_API int64_t ndpishim_get_num(void *mod, void *flow, int32_t field, int64_t dflt) {
  (void)mod;
  const struct ndpi_flow_struct *f = flow;
  switch (field) {
  case NDPISHIM_NUM_HTTP_RESPONSE_CODE: return f->http.response_status_code;
  case NDPISHIM_NUM_DNS_QUERY_TYPE: return is_dns(f) ? f->protos.dns.query_type : dflt;
  case NDPISHIM_NUM_DNS_REPLY_CODE: return is_dns(f) ? f->protos.dns.reply_code : dflt;
  default: break;
  }
  if (!is_tls_family(f))
    return dflt;
  switch (field) {
  case NDPISHIM_NUM_TLS_VERSION: return f->protos.tls_quic.ssl_version;
  case NDPISHIM_NUM_TLS_NOT_BEFORE: return f->protos.tls_quic.notBefore;
  case NDPISHIM_NUM_TLS_NOT_AFTER: return f->protos.tls_quic.notAfter;
  case NDPISHIM_NUM_TLS_CIPHER: return f->protos.tls_quic.server_cipher;
  case NDPISHIM_NUM_TLS_UNSAFE_CIPHER: return f->protos.tls_quic.server_unsafe_cipher;
  default: return dflt;
  }
}
