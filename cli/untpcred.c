#include <vc/vc.h>
int main(void) { return vc_init() == VC_OK ? 0 : 1; }
