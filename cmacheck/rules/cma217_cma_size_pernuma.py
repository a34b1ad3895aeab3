"""7.2 reserves the default CMA size once more on every NUMA node.

**What the kernel does.** 7.2's `CONFIG_CMA_SIZE_PERNUMA` (kernel/dma/Kconfig, default y,
needs `CONFIG_DMA_NUMA_CMA`): on a system with more than one online NUMA node and neither
`cma_pernuma=` nor `numa_cma=`, `dma_numa_cma_reserve()` (end of `dma_contiguous_reserve`)
gives every node an area `numa%d` of the default area's size, on top of the default area.
A board whose memory nodes carry `numa-node-id` therefore loses (nodes x default size) more
memory to CMA than on 6.x, and each node needs that much free memory (recorded arm64 7.2.13
boot `numa2-base`: two 1 GiB nodes, `cma: Reserved 64 MiB` three times; with `cma=128M` three
128 MiB areas, `numa2-cma`).

Reported on the `CONFIG_CMA_SIZE_PERNUMA` line of the `.config`: no command-line
parameter asked for these areas.

**Fix.** Nothing is wrong if that is intended.  Otherwise pass `cma_pernuma=` / `numa_cma=`
with the sizes you want, or build without `CONFIG_CMA_SIZE_PERNUMA`.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; numa-node-id = <0>; };
        memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0 0x40000000>; numa-node-id = <1>; }; };
    $ --config-text "# Linux/arm64 7.2.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_NUMA=y\\nCONFIG_DMA_NUMA_CMA=y\\nCONFIG_CMA_SIZE_PERNUMA=y\\nCONFIG_CMA_SIZE_MBYTES=64\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0 0x40000000>; }; };
    $ --config-text "# Linux/arm64 7.2.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_NUMA=y\\nCONFIG_DMA_NUMA_CMA=y\\nCONFIG_CMA_SIZE_PERNUMA=y\\nCONFIG_CMA_SIZE_MBYTES=64\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._cmdline import note_hits

ID = "CMA217"
NAME = "cma-size-pernuma"
SEVERITY = Severity.NOTE


def check(ctx: Context) -> Iterator[Hit]:
    # No parameter asked for these areas: point at the Kconfig symbol that adds them.
    return note_hits(ctx, "size-pernuma", ctx.at_symbol("CONFIG_CMA_SIZE_PERNUMA"))
