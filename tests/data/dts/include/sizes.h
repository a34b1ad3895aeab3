/* cpp header found through include_dirs (angle brackets) */
#define SZ_1M	0x00100000
#define SZ_256M	0x10000000
#define SZ_512M	0x20000000
