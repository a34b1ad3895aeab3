"""hugetlb_cma= asks for less than (or not a multiple of) one gigantic page.

**What the kernel does.** `hugetlb_cma_reserve` (mm/hugetlb.c, 6.15+ mm/hugetlb_cma.c)
reserves whole gigantic pages: on arm64 1 GiB with 4K and 16K pages (PUD / contiguous PMD),
16 GiB with 64K pages.  Up to 6.14 a total or per-node size below one gigantic page is
dropped with `hugetlb_cma: cma area should be at least 1024 MiB` (per node: `cma area of node
N should be at least ...`) and larger sizes are rounded up; from 6.15 any size that is not a
multiple is dropped (`... must be a multiple of 1024 MiB`).  No area is created (recorded 6.1
boot `numa1-hugetlb-small`: `hugetlb_cma=512M`).

**Fix.** Give a whole number of gigantic pages (`hugetlb_cma=1G`, `2G`, ...).

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "hugetlb_cma=512M"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 1 0x80000000>; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_HUGETLBFS=y\\nCONFIG_HUGETLB_PAGE=y\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "hugetlb_cma=1G"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 1 0x80000000>; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_HUGETLBFS=y\\nCONFIG_HUGETLB_PAGE=y\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._cmdline import note_hits

ID = "CMA215"
NAME = "hugetlb-cma-size"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    return note_hits(ctx, "hugetlb-size")
