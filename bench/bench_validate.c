/*
 * bench_validate.c - UNTP validation of a DPP as the verifier runs it: the data
 * model, the W3C VC schema, the UNTP 0.6.1 DPP schema and the JSON-LD vocabulary
 * check on the parsed credential, schemas compiled and contexts processed once
 * (the validator's steady state). Prints validations/s on one core; target
 * (issue #7): >= 20,000/s. Printed, not asserted.
 *
 * Reads $VC_SHARED_DIR/untp/v0.6.1/dpp/untp-dpp-instance.json and the data
 * directory ($UNTPCRED_DATA_DIR). VC_BENCH_SECONDS (default 2) sets the time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "verify/verify_internal.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* this thread's CPU time: load elsewhere does not count */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    if (vc_init() != VC_OK)
        return 1;
    const char *secs = getenv("VC_BENCH_SECONDS");
    double seconds = secs ? atof(secs) : 2.0;
    const char *dir = getenv("VC_SHARED_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/untp/v0.6.1/dpp/untp-dpp-instance.json", dir && *dir ? dir : "../shared");
    char *text = NULL;
    size_t len = 0;
    vc_error e;
    vc_data *data = NULL;
    vc_validator *val = NULL;
    json_t *doc = NULL;
    if (vc_read_file(path, VC_MAX_INPUT_BYTES, &text, &len, &e) != VC_OK || vc_data_open(NULL, &data, &e) != VC_OK ||
        vc_validator_new(data, &val, &e) != VC_OK || vc_json_parse_object(text, len, &doc, &e) != VC_OK) {
        fprintf(stderr, "bench_validate: %s\n", e.message);
        return 1;
    }
    /* warm up: compile the schemas, process the contexts; and check it is valid */
    vc_report *rep = vc_report_new();
    vc_status st = vc_dm_check(doc, VC_CHECK_UNSIGNED, rep, &e);
    if (st == VC_OK)
        st = vc_validator_check_json(val, doc, rep, &e);
    vc_report_free(rep);
    if (st != VC_OK) {
        fprintf(stderr, "bench_validate: the sample does not validate: %s\n", e.message);
        return 1;
    }
    long n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 64; i++) {
            rep = vc_report_new();
            if (vc_dm_check(doc, VC_CHECK_UNSIGNED, rep, &e) != VC_OK ||
                vc_validator_check_json(val, doc, rep, &e) != VC_OK) {
                fprintf(stderr, "bench_validate: failed: %s\n", e.message);
                return 1;
            }
            vc_report_free(rep);
        }
        n += 64;
        t = now();
    } while (t - t0 < seconds);
    double r = (double)n / (t - t0);
    printf("UNTP DPP validation (data model + W3C schema + DPP 0.6.1 schema + vocabulary, parsed, %zu-byte "
           "sample): %.0f/s on one core (target >= 20,000/s: %s)\n",
           len, r, r >= 20000 ? "met" : "NOT met");
    json_decref(doc);
    vc_validator_free(val);
    vc_data_free(data);
    free(text);
    return 0;
}
