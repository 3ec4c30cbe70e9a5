/*
 * cli.h - shared declarations of untpcred: exit codes, helpers (util.c) and the
 * commands (one cmd_*.c file each). untpcred uses libvc's public API only.
 */
#ifndef UNTPCRED_CLI_H
#define UNTPCRED_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <vc/vc.h>

#define EXIT_INVALID 1 /* invalid credential, or input refused */
#define EXIT_USAGE 2   /* usage, I/O or configuration error */
#define MAX_DOCS 64    /* repeatable file options (--did-doc, --vm, ...) */

extern const char *prog;

/* "untpcred: WHAT: VC_ERR_...: message (at path)" on standard error. */
void print_error(const char *what, const vc_error *e);

/* A usage message for `cmd` (fmt takes one %s) and a pointer to --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, const char *arg);

/* Read a whole file ('-' is standard input) of at most max bytes; prints the error. Caller vc_free()s. */
char *read_all(const char *path, size_t max, size_t *len);

/* Write len bytes (plus a newline when asked) to path, or standard output for NULL or '-'.
 * Files go through a temporary name and a rename (or link, when overwrite == 0, which
 * refuses an existing file), so a failure never leaves a partial file. Returns 0 or EXIT_USAGE. */
int write_bytes(const char *path, const char *text, size_t len, int newline, int overwrite);
int write_out(const char *path, const char *text, int newline, int overwrite);

/* Load a key file; prints the error. Returns 0 or EXIT_USAGE. */
int load_key(const char *path, vc_key **key);

/* A resolver with the offline DID documents and verification methods given. Returns 0 or EXIT_USAGE. */
int make_resolver(char **docs, int ndocs, char **vms, int nvms, vc_resolver **out);

/* Print a report: JSON (pretty) or text (VALID/INVALID line, one line per check). 0 or EXIT_USAGE. */
int print_report(const vc_report *rep, int json);

/* Read path, run fn on it (vc_verify or vc_validate through a wrapper), print the
 * report (unless quiet). Returns 0 valid, EXIT_INVALID, or EXIT_USAGE (printed). */
typedef vc_status (*report_fn)(void *obj, const char *text, size_t len, vc_report **rep, vc_error *err);
int report_file(const char *cmd, const char *path, report_fn fn, void *obj, int json, int quiet);

/* A growing string; oom is set (and further appends ignored) when memory runs out. */
typedef struct strbuf {
    char *p;
    size_t len, cap;
    int oom;
} strbuf;
void sb_append(strbuf *b, const char *s);
/* Append s as a JSON string literal (quoted, escaped). */
void sb_append_json(strbuf *b, const char *s);

/* 1 when argv holds --help or -h before "--". */
int wants_help(int argc, char **argv);

/* Bitstring Status List entries given on the command line (cmd_sign.c; used by sign and issue):
 * --status-list URL starts an entry, --status-index N (required) and --status-purpose
 * revocation|suspension (default revocation) complete the latest one. */
#define MAX_STATUS_ENTRIES 8 /* the verifier examines at most 8 entries per credential */
enum { OPT_STATUS_LIST = 1200, OPT_STATUS_INDEX, OPT_STATUS_PURPOSE };
extern const struct option status_entry_options[]; /* the 3 options, then a zero entry */
#define STATUS_ENTRY_OPTION_COUNT 3
extern const char status_entry_help[];
typedef struct cli_status_entries {
    struct {
        const char *url;
        size_t index;
        int has_index;
        vc_status_purpose purpose;
    } e[MAX_STATUS_ENTRIES];
    int n;
} cli_status_entries;
/* Handle option code with its argument: 1 handled, 0 not one of these, -1 usage error (printed). */
int status_entry_option(cli_status_entries *s, const char *cmd, int code, const char *arg);
/* Add the entries to unsigned JSON text (every entry must have its index: EXIT_USAGE otherwise).
 * With no entries *out is a copy. Returns 0 (*out new, vc_free) or EXIT_USAGE (printed). */
int status_entries_apply(const cli_status_entries *s, const char *cmd, const char *json, size_t len, char **out,
                         size_t *out_len);

/* The commands: each takes argv from its own name on, and has a --help text. */
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_issue(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_resolve_id(int argc, char **argv);
int cmd_conformance(int argc, char **argv);
extern const char keygen_help[], sign_help[], verify_help[], resolve_help[], issue_help[], template_help[],
    validate_help[], status_help[], resolve_id_help[], conformance_help[];

#endif
