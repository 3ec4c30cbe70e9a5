/* verify/test_datamodel.c - placeholder, being written. */
#include "testutil.h"
#include "internal.h"

START_TEST(placeholder) { ck_assert_int_eq(vc_init(), VC_OK); }
END_TEST

int main(void)
{
    Suite *s = suite_create("placeholder");
    TCase *tc = tcase_create("placeholder");
    tcase_add_test(tc, placeholder);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
