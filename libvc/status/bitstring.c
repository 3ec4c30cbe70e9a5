/*
 * bitstring.c - W3C Bitstring Status List v1.0: bitstrings, their GZIP +
 * multibase encoding, status list credentials and status entries.
 *
 * Decoding is bounded: the base64url text by VC_MAX_INPUT_BYTES (the whole
 * credential is), the decompressed bitstring by VC_STATUS_LIST_MAX_BYTES, so a
 * small "GZIP bomb" cannot expand without limit.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "status_internal.h"

struct vc_status_list {
    uint8_t *bits;
    size_t nbytes;
};

static const char VC2[] = "https://www.w3.org/ns/credentials/v2";

const char *vc_status_purpose_name(vc_status_purpose purpose)
{
    return purpose == VC_PURPOSE_SUSPENSION ? "suspension" : "revocation";
}

vc_status vc_status_purpose_parse(const char *name, vc_status_purpose *purpose, vc_error *err)
{
    if (name && strcmp(name, "revocation") == 0)
        *purpose = VC_PURPOSE_REVOCATION;
    else if (name && strcmp(name, "suspension") == 0)
        *purpose = VC_PURPOSE_SUSPENSION;
    else
        return vc_fail(err, VC_ERR_INVALID_ARG, "statusPurpose",
                       "status purpose \"%.40s\" is not supported (revocation or suspension)", name ? name : "");
    return VC_OK;
}

static vc_status list_alloc(size_t nbytes, vc_status_list **out, vc_error *err)
{
    vc_status_list *l = calloc(1, sizeof *l);
    if (!l || !(l->bits = calloc(nbytes ? nbytes : 1, 1))) {
        free(l);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    l->nbytes = nbytes;
    *out = l;
    return VC_OK;
}

vc_status vc_status_list_new(size_t bits, vc_status_list **out, vc_error *err)
{
    if (!out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "status_list_new: NULL argument");
    if (bits < VC_STATUS_LIST_MIN_BITS)
        return vc_fail(err, VC_ERR_INVALID_ARG, "size",
                       "a status list needs at least %u entries (group privacy); %zu asked", VC_STATUS_LIST_MIN_BITS,
                       bits);
    if (bits / 8 > VC_STATUS_LIST_MAX_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, "size", "a status list holds at most %u entries",
                       VC_STATUS_LIST_MAX_BYTES * 8u);
    return list_alloc((bits + 7) / 8, out, err);
}

void vc_status_list_free(vc_status_list *list)
{
    if (!list)
        return;
    free(list->bits);
    free(list);
}

size_t vc_status_list_size(const vc_status_list *list)
{
    return list ? list->nbytes * 8 : 0;
}

vc_status vc_status_list_get(const vc_status_list *list, size_t index, int *bit, vc_error *err)
{
    if (!list || !bit)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "status_list_get: NULL argument");
    if (index / 8 >= list->nbytes)
        return vc_fail(err, VC_ERR_STATUS_LIST, "statusListIndex",
                       "status index %zu is outside the list (%zu entries)", index, list->nbytes * 8);
    *bit = (list->bits[index / 8] >> (7 - index % 8)) & 1;
    return VC_OK;
}

vc_status vc_status_list_set(vc_status_list *list, size_t index, int bit, vc_error *err)
{
    if (!list)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "status_list_set: NULL argument");
    if (index / 8 >= list->nbytes)
        return vc_fail(err, VC_ERR_STATUS_LIST, "statusListIndex",
                       "status index %zu is outside the list (%zu entries)", index, list->nbytes * 8);
    uint8_t mask = (uint8_t)(0x80u >> (index % 8));
    if (bit)
        list->bits[index / 8] |= mask;
    else
        list->bits[index / 8] &= (uint8_t)~mask;
    return VC_OK;
}

vc_status vc_status_list_encode(const vc_status_list *list, char **out, vc_error *err)
{
    if (!list || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "status_list_encode: NULL argument");
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a GZIP (RFC 1952) wrapper, as the specification requires. */
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "zlib deflateInit2 failed");
    uLong cap = deflateBound(&z, (uLong)list->nbytes) + 32;
    uint8_t *gz = malloc(cap);
    if (!gz) {
        deflateEnd(&z);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    z.next_in = list->bits;
    z.avail_in = (uInt)list->nbytes;
    z.next_out = gz;
    z.avail_out = (uInt)cap;
    int zr = deflate(&z, Z_FINISH);
    size_t gz_len = z.total_out;
    deflateEnd(&z);
    if (zr != Z_STREAM_END) {
        free(gz);
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "zlib deflate failed (%d)", zr);
    }
    char *b64 = NULL;
    vc_status st = vc_base64url_encode(gz, gz_len, &b64, err);
    free(gz);
    if (st != VC_OK)
        return st;
    size_t n = strlen(b64);
    char *o = malloc(n + 2);
    if (!o) {
        vc_free(b64);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    o[0] = 'u';
    memcpy(o + 1, b64, n + 1);
    vc_free(b64);
    *out = o;
    return VC_OK;
}

vc_status vc_status_list_decode(const char *encoded, vc_status_list **out, vc_error *err)
{
    if (!encoded || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "status_list_decode: NULL argument");
    *out = NULL;
    if (encoded[0] != 'u')
        return vc_fail(err, VC_ERR_MULTIBASE, "encodedList",
                       "encodedList must be multibase base64url (starting with 'u')");
    uint8_t *gz = NULL;
    size_t gz_len = 0;
    vc_error e;
    if (vc_base64url_decode(encoded + 1, strlen(encoded + 1), &gz, &gz_len, &e) != VC_OK)
        return vc_fail(err, e.code, "encodedList", "encodedList: %s", e.message);

    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK) { /* GZIP only, no zlib/raw autodetection */
        free(gz);
        return vc_fail(err, VC_ERR_INTERNAL, NULL, "zlib inflateInit2 failed");
    }
    size_t cap = 64 * 1024, used = 0;
    uint8_t *buf = malloc(cap);
    vc_status st = VC_OK;
    if (!buf) {
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }
    z.next_in = gz;
    z.avail_in = (uInt)gz_len;
    for (;;) {
        if (used == cap) {
            if (cap >= VC_STATUS_LIST_MAX_BYTES) {
                st = vc_fail(err, VC_ERR_LIMIT, "encodedList",
                             "encodedList decompresses to more than %u bytes", VC_STATUS_LIST_MAX_BYTES);
                goto done;
            }
            size_t ncap = cap * 2 > VC_STATUS_LIST_MAX_BYTES ? VC_STATUS_LIST_MAX_BYTES : cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
                goto done;
            }
            buf = nb;
            cap = ncap;
        }
        z.next_out = buf + used;
        z.avail_out = (uInt)(cap - used);
        int zr = inflate(&z, Z_NO_FLUSH);
        used = cap - z.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_OK)
            continue;
        if (zr == Z_BUF_ERROR && z.avail_out == 0)
            continue; /* output full: grow */
        st = vc_fail(err, VC_ERR_STATUS_LIST, "encodedList", "encodedList is not a valid GZIP stream (%s)",
                     z.msg ? z.msg : zr == Z_BUF_ERROR ? "truncated" : "corrupt");
        goto done;
    }
    if (z.avail_in != 0) {
        st = vc_fail(err, VC_ERR_STATUS_LIST, "encodedList", "encodedList has %u bytes after the GZIP stream",
                     z.avail_in);
        goto done;
    }
    if (used == 0) {
        st = vc_fail(err, VC_ERR_STATUS_LIST, "encodedList", "encodedList decompresses to an empty bitstring");
        goto done;
    }
    vc_status_list *l = calloc(1, sizeof *l);
    if (!l) {
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
        goto done;
    }
    l->bits = buf;
    l->nbytes = used;
    buf = NULL;
    *out = l;
done:
    inflateEnd(&z);
    free(buf);
    free(gz);
    return st;
}

vc_status vc_status_list_credential(const vc_status_list *list, const char *list_url, const char *issuer,
                                    vc_status_purpose purpose, int64_t valid_from, char **out, vc_error *err)
{
    if (!list || !list_url || !issuer || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "status_list_credential: NULL argument");
    if (!vc_is_url(list_url) || strchr(list_url, '#'))
        return vc_fail(err, VC_ERR_INVALID_ARG, "url", "the status list URL \"%.100s\" must be a URL without fragment",
                       list_url);
    if (!vc_is_url(issuer))
        return vc_fail(err, VC_ERR_INVALID_ARG, "issuer", "the issuer \"%.100s\" is not a URL or DID", issuer);
    char when[32];
    if (vc_datetime_format(valid_from, when, sizeof when) != VC_OK)
        return vc_fail(err, VC_ERR_INVALID_ARG, "validFrom", "validFrom out of range");
    char *encoded = NULL;
    vc_status st = vc_status_list_encode(list, &encoded, err);
    if (st != VC_OK)
        return st;
    size_t n = strlen(list_url) + 6;
    char *subject_id = malloc(n);
    if (!subject_id) {
        vc_free(encoded);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    snprintf(subject_id, n, "%s#list", list_url);
    json_t *c = json_pack("{s:[s], s:s, s:[s,s], s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "@context", VC2, "id", list_url,
                          "type", "VerifiableCredential", "BitstringStatusListCredential", "issuer", issuer,
                          "validFrom", when, "credentialSubject", "id", subject_id, "type", "BitstringStatusList",
                          "statusPurpose", vc_status_purpose_name(purpose), "encodedList", encoded);
    free(subject_id);
    vc_free(encoded);
    if (!c)
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    *out = json_dumps(c, JSON_PRESERVE_ORDER | JSON_INDENT(2));
    json_decref(c);
    return *out ? VC_OK : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
}

static int type_has(const json_t *t, const char *name)
{
    if (json_is_string(t))
        return strcmp(json_string_value(t), name) == 0;
    size_t i;
    json_t *x;
    json_array_foreach(t, i, x) if (json_is_string(x) && strcmp(json_string_value(x), name) == 0) return 1;
    return 0;
}

vc_status vc_status_list_from_credential(const char *json, size_t len, vc_status_list **list,
                                         vc_status_purpose *purpose, char **list_url, vc_error *err)
{
    if (!json || !list || !purpose)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "status_list_from_credential: NULL argument");
    *list = NULL;
    if (list_url)
        *list_url = NULL;
    json_t *c = NULL;
    vc_status st = vc_json_parse_object(json, len, &c, err);
    if (st != VC_OK)
        return st;
    json_t *subject = json_object_get(c, "credentialSubject");
    const char *id = vc_json_str(c, "id");
    const char *encoded = vc_json_str(subject, "encodedList");
    json_t *size = json_object_get(subject, "statusSize");
    if (!type_has(json_object_get(c, "type"), "BitstringStatusListCredential"))
        st = vc_fail(err, VC_ERR_STATUS_LIST, "/type", "not a BitstringStatusListCredential");
    else if (!json_is_object(subject) || !type_has(json_object_get(subject, "type"), "BitstringStatusList"))
        st = vc_fail(err, VC_ERR_STATUS_LIST, "/credentialSubject/type",
                     "the status list credential's subject is not a BitstringStatusList");
    else if (size && !(json_is_integer(size) && json_integer_value(size) == 1))
        st = vc_fail(err, VC_ERR_STATUS_LIST, "/credentialSubject/statusSize", "only statusSize 1 is supported");
    else if (!encoded)
        st = vc_fail(err, VC_ERR_STATUS_LIST, "/credentialSubject/encodedList", "the status list has no encodedList");
    else if (vc_status_purpose_parse(vc_json_str(subject, "statusPurpose"), purpose, NULL) != VC_OK)
        st = vc_fail(err, VC_ERR_STATUS_LIST, "/credentialSubject/statusPurpose",
                     "statusPurpose must be \"revocation\" or \"suspension\"");
    else if ((st = vc_status_list_decode(encoded, list, err)) != VC_OK) {
        if (err)
            snprintf(err->path, sizeof err->path, "/credentialSubject/encodedList");
    } else if (list_url && id && !(*list_url = vc_strdup(id))) {
        vc_status_list_free(*list);
        *list = NULL;
        st = vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    json_decref(c);
    return st;
}

vc_status vc_status_entry_add(const char *json, size_t len, const char *list_url, size_t index,
                              vc_status_purpose purpose, char **out, vc_error *err)
{
    if (!json || !list_url || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "status_entry_add: NULL argument");
    if (!vc_is_url(list_url) || strchr(list_url, '#'))
        return vc_fail(err, VC_ERR_INVALID_ARG, "status-list",
                       "the status list URL \"%.100s\" must be a URL without fragment", list_url);
    json_t *c = NULL;
    vc_status st = vc_json_parse_object(json, len, &c, err);
    if (st != VC_OK)
        return st;
    char idx[32], *entry_id = NULL;
    snprintf(idx, sizeof idx, "%zu", index);
    size_t n = strlen(list_url) + strlen(idx) + 2;
    entry_id = malloc(n);
    json_t *entry = NULL;
    if (entry_id) {
        snprintf(entry_id, n, "%s#%s", list_url, idx);
        entry = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", entry_id, "type", "BitstringStatusListEntry",
                          "statusPurpose", vc_status_purpose_name(purpose), "statusListIndex", idx,
                          "statusListCredential", list_url);
    }
    free(entry_id);
    if (!entry) {
        json_decref(c);
        return vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
    }
    json_t *cur = json_object_get(c, "credentialStatus");
    if (!cur)
        json_object_set_new(c, "credentialStatus", entry);
    else if (json_is_array(cur))
        json_array_append_new(cur, entry);
    else {
        json_t *arr = json_array();
        json_array_append(arr, cur);
        json_array_append_new(arr, entry);
        json_object_set_new(c, "credentialStatus", arr);
    }
    *out = json_dumps(c, JSON_PRESERVE_ORDER | JSON_INDENT(2));
    json_decref(c);
    return *out ? VC_OK : vc_fail(err, VC_ERR_NOMEM, NULL, "out of memory");
}

/* statusListIndex: a decimal string without sign or leading zeros, within size_t. */
static int parse_index(const char *s, size_t *out)
{
    if (!s || !*s || (s[0] == '0' && s[1]) || strlen(s) > 12)
        return 0;
    size_t v = 0;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return 0;
        v = v * 10 + (size_t)(*p - '0');
    }
    *out = v;
    return 1;
}

vc_status vc_status_entries(const json_t *credential, vc_status_entry *out, size_t max, size_t *n, size_t *other,
                            vc_error *err)
{
    *n = 0;
    if (other)
        *other = 0;
    json_t *cs = json_object_get(credential, "credentialStatus");
    if (!cs)
        return VC_OK;
    size_t count = json_is_array(cs) ? json_array_size(cs) : 1;
    for (size_t i = 0; i < count; i++) {
        json_t *e = json_is_array(cs) ? json_array_get(cs, i) : cs;
        char path[48];
        if (json_is_array(cs))
            snprintf(path, sizeof path, "/credentialStatus/%zu", i);
        else
            snprintf(path, sizeof path, "/credentialStatus");
        if (!type_has(json_object_get(e, "type"), "BitstringStatusListEntry")) {
            if (other)
                (*other)++;
            continue;
        }
        if (*n == max)
            return vc_fail(err, VC_ERR_LIMIT, path, "more than %zu status entries", max);
        vc_status_entry *se = &out[*n];
        memset(se, 0, sizeof *se);
        snprintf(se->path, sizeof se->path, "%s", path);
        json_t *size = json_object_get(e, "statusSize");
        if (size && !(json_is_integer(size) && json_integer_value(size) == 1))
            return vc_fail(err, VC_ERR_STATUS_LIST, path, "only statusSize 1 is supported");
        if (vc_status_purpose_parse(vc_json_str(e, "statusPurpose"), &se->purpose, NULL) != VC_OK)
            return vc_fail(err, VC_ERR_STATUS_LIST, path,
                           "statusPurpose must be \"revocation\" or \"suspension\" (statusSize 1)");
        if (!parse_index(vc_json_str(e, "statusListIndex"), &se->index))
            return vc_fail(err, VC_ERR_STATUS_LIST, path, "statusListIndex must be a decimal string such as \"42\"");
        se->list_url = vc_json_str(e, "statusListCredential");
        if (!se->list_url || !vc_is_url(se->list_url))
            return vc_fail(err, VC_ERR_STATUS_LIST, path, "statusListCredential must be a URL");
        (*n)++;
    }
    return VC_OK;
}
