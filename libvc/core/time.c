/* time.c - XML Schema dateTimeStamp parsing and formatting. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../internal.h"

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

vc_status vc_datetime_parse(const char *s, int64_t *unix_seconds, vc_error *err)
{
    if (!s || !unix_seconds)
        return vc_fail(err, VC_ERR_INVALID_ARG, NULL, "datetime_parse: NULL argument");
    int y, mo, d, h, mi, sec;
    size_t n = strlen(s);
    /* YYYY-MM-DDTHH:MM:SS is 19 chars; 4-digit years only (years > 9999 are not used by credentials). */
    if (n < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d) || s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
        !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
        goto bad;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || mi > 59 || sec > 59)
        goto bad;
    if (h > 24 || (h == 24 && (mi || sec)))
        goto bad;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            goto bad;
        int nonzero = 0;
        while (isdigit((unsigned char)*p))
            nonzero |= *p++ != '0';
        if (h == 24 && nonzero)
            goto bad;
    }
    int offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || om > 59 || oh > 14 ||
            (oh == 14 && om))
            goto bad;
        offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        p += 6;
    } else
        goto bad; /* dateTimeStamp: the timezone is required */
    if (*p)
        goto bad;
    *unix_seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    return VC_OK;
bad:
    return vc_fail(err, VC_ERR_DATETIME, NULL,
                   "'%.64s' is not an XML Schema dateTimeStamp (e.g. 2025-01-31T12:00:00Z)", s);
}

vc_status vc_datetime_format(int64_t t, char *buf, size_t buf_len)
{
    if (!buf || buf_len < 21)
        return VC_ERR_INVALID_ARG;
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    /* civil_from_days */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    if (y < 0 || y > 9999)
        return VC_ERR_INVALID_ARG;
    snprintf(buf, buf_len, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
    return VC_OK;
}
