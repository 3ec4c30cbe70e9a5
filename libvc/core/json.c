/* json.c - strict JSON parsing on jansson with named limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../internal.h"

/* Depth of nesting outside strings; stops early past the limit. Returns
 * 0 ok, 1 too deep. Malformed text is left for jansson to report. */
static int too_deep(const char *t, size_t len, size_t *where)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"')
            in_str = 1;
        else if (c == '{' || c == '[') {
            if (++depth > VC_MAX_JSON_DEPTH) {
                *where = i;
                return 1;
            }
        } else if (c == '}' || c == ']')
            depth--;
    }
    return 0;
}

vc_status vc_json_parse(const char *text, size_t len, json_t **out, vc_error *err)
{
    if (!text || !out)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "json_parse: NULL argument");
    if (len > VC_MAX_INPUT_BYTES)
        return vc_fail(err, VC_ERR_LIMIT, NULL, "JSON input of %zu bytes exceeds the %u-byte limit", len,
                       VC_MAX_INPUT_BYTES);
    size_t where = 0;
    if (too_deep(text, len, &where))
        return vc_fail(err, VC_ERR_JSON_DEPTH, NULL, "JSON nested deeper than %d levels (at byte %zu)",
                       VC_MAX_JSON_DEPTH, where);
    json_error_t je;
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        vc_status code = VC_ERR_JSON;
        if (json_error_code(&je) == json_error_duplicate_key)
            code = VC_ERR_JSON_DUPKEY;
        else if (json_error_code(&je) == json_error_out_of_memory)
            code = VC_ERR_NOMEM;
        return vc_fail(err, code, NULL, "JSON: %s (line %d, column %d)", je.text, je.line, je.column);
    }
    *out = v;
    return VC_OK;
}

vc_status vc_json_parse_object(const char *text, size_t len, json_t **out, vc_error *err)
{
    json_t *v = NULL;
    vc_status st = vc_json_parse(text, len, &v, err);
    if (st != VC_OK)
        return st;
    if (!json_is_object(v)) {
        json_decref(v);
        return vc_fail(err, VC_ERR_JSON_TYPE, "", "expected a JSON object");
    }
    *out = v;
    return VC_OK;
}

char *vc_json_dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

const char *vc_json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

void vc_path_append(char *path, size_t cap, const char *token)
{
    size_t n = strlen(path);
    if (n + 1 >= cap)
        return;
    path[n++] = '/';
    for (const char *p = token; *p && n + 2 < cap; p++) {
        if (*p == '~') {
            path[n++] = '~';
            path[n++] = '0';
        } else if (*p == '/') {
            path[n++] = '~';
            path[n++] = '1';
        } else
            path[n++] = *p;
    }
    path[n] = '\0';
}

void vc_path_append_index(char *path, size_t cap, size_t index)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", index);
    vc_path_append(path, cap, buf);
}
