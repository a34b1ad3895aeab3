"""hugetlb_cma= or numa_cma= names a NUMA node that will not be online.

**What the kernel does.** `hugetlb_cma=N:SIZE` (5.16+) and `numa_cma=N:SIZE` (6.7+) give
a size per node.  The nodes online at boot are the ones the tree declares with
`numa-node-id` (drivers/of/of_numa.c: on `memory` and `cpu` nodes); without any, or when some
memory has no node, arm64 fakes a single node 0 (`NUMA: Faking a node at ...`).  For a node
that is not online `hugetlb_cma_reserve` prints `hugetlb_cma: invalid node N specified` and
drops that part of the request (recorded 6.1 boot `numa1-hugetlb-node`:
`hugetlb_cma=0:1G,1:1G` on a one-node tree creates only `hugetlb0`).  `numa_cma=` for such a
node is dropped silently: `dma_numa_cma_reserve` walks only the possible nodes, which arm64
sets to the parsed ones, so its "invalid node" warning never fires there (recorded 7.2 boot
`numa1-numacma-offline`: no message, no area).

**Fix.** Use node ids the tree declares, or add `numa-node-id` to the memory and cpu nodes
(with a `numa-distance-map-v1` node).

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "hugetlb_cma=0:1G,1:1G"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 1 0x80000000>; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_NUMA=y\\nCONFIG_HUGETLBFS=y\\nCONFIG_HUGETLB_PAGE=y\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "hugetlb_cma=0:1G"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 1 0x80000000>; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_NUMA=y\\nCONFIG_HUGETLBFS=y\\nCONFIG_HUGETLB_PAGE=y\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._cmdline import note_hits

ID = "CMA214"
NAME = "cmdline-cma-node-offline"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    return note_hits(ctx, "invalid-node")
