/* cmd_template.c - `untpcred template`: a minimal valid credentialSubject per UNTP type. */
#include <stdio.h>
#include <string.h>

#include <getopt.h>

#include "cli.h"

const char template_help[] =
    "Usage: untpcred template --type dpp|dcc|dte|dfr|dia\n"
    "\n"
    "Print a minimal credentialSubject that validates against the UNTP 0.6.1 schema\n"
    "of the type: a starting point for `untpcred issue`. Replace the example.com\n"
    "identifiers and names with your own.\n";

/* Our own minimal subjects (not taken from the UNTP samples); a test issues each one
 * and validates it against the pinned schema. */
static const struct {
    const char *type, *json;
} templates[] = {
    {"dpp", "{\n"
            "  \"type\": [\"ProductPassport\"],\n"
            "  \"id\": \"https://id.example.com/01/09520000000000/10/BATCH-1\",\n"
            "  \"product\": {\n"
            "    \"type\": [\"Product\"],\n"
            "    \"id\": \"https://id.example.com/01/09520000000000\",\n"
            "    \"name\": \"Example product\"\n"
            "  }\n"
            "}\n"},
    {"dcc", "{\n"
            "  \"type\": [\"ConformityAttestation\", \"Attestation\"],\n"
            "  \"id\": \"https://certifier.example.com/attestations/1\",\n"
            "  \"name\": \"Example conformity attestation\",\n"
            "  \"assessorLevel\": \"3rdParty\",\n"
            "  \"assessmentLevel\": \"Accredited\",\n"
            "  \"attestationType\": \"certification\",\n"
            "  \"issuedToParty\": {\n"
            "    \"id\": \"https://register.example.com/entities/1\",\n"
            "    \"name\": \"Example Producer Ltd\"\n"
            "  }\n"
            "}\n"},
    {"dte", "[\n"
            "  {\n"
            "    \"type\": [\"ObjectEvent\", \"Event\"],\n"
            "    \"id\": \"https://events.example.com/1\",\n"
            "    \"eventTime\": \"2026-01-01T00:00:00Z\",\n"
            "    \"action\": \"observe\",\n"
            "    \"bizStep\": \"https://ref.gs1.org/cbv/BizStep-shipping\",\n"
            "    \"epcList\": [\n"
            "      { \"type\": [\"Item\"], \"id\": \"https://id.example.com/01/09520000000000/21/1\", \"name\": \"Example item\" }\n"
            "    ]\n"
            "  }\n"
            "]\n"},
    {"dfr", "{\n"
            "  \"type\": [\"FacilityRecord\"],\n"
            "  \"id\": \"https://facilities.example.com/1\",\n"
            "  \"facility\": {\n"
            "    \"type\": [\"Facility\"],\n"
            "    \"id\": \"https://facilities.example.com/1\",\n"
            "    \"name\": \"Example facility\"\n"
            "  }\n"
            "}\n"},
    {"dia", "{\n"
            "  \"type\": [\"RegisteredIdentity\"],\n"
            "  \"id\": \"did:web:entity.example.com\",\n"
            "  \"name\": \"Example Entity Ltd\",\n"
            "  \"registeredId\": \"123456789\",\n"
            "  \"registerType\": \"Business\"\n"
            "}\n"},
};

/* The template for a type, or NULL (used by issue's tests too). */
const char *template_for(const char *type);

const char *template_for(const char *type)
{
    for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++)
        if (strcmp(templates[i].type, type) == 0)
            return templates[i].json;
    return NULL;
}

int cmd_template(int argc, char **argv)
{
    const char *type = NULL;
    static const struct option opts[] = {{"type", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
        switch (c) {
        case 't': type = optarg; break;
        case 'h': fputs(template_help, stdout); return 0;
        default: return usage_error("template", "%s", "bad option");
        }
    }
    if (optind != argc)
        return usage_error("template", "unexpected argument '%s'", argv[optind]);
    if (!type)
        return usage_error("template", "%s", "--type is required (dpp, dcc, dte, dfr or dia)");
    const char *t = template_for(type);
    if (!t)
        return usage_error("template", "unknown --type '%s' (dpp, dcc, dte, dfr or dia)", type);
    fputs(t, stdout);
    return 0;
}
