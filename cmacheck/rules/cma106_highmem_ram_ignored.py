"""32-bit ARM without `CONFIG_HIGHMEM` ignores the RAM above lowmem.

**What the kernel does.** On arm32 only the first ~768 MiB of RAM (VMSPLIT_3G with the
default 240 MiB vmalloc area; 1792 MiB with VMSPLIT_2G) are mapped linearly ("lowmem").
`adjust_lowmem_bounds()` (arch/arm/mm/mmu.c, every version modelled) removes the RAM above
the memblock limit from memblock when `CONFIG_HIGHMEM` is not set, before
`/reserved-memory` is scanned, and prints `Ignoring RAM at <start>-<end>` and `Consider
using a HIGHMEM enabled kernel.`  The board silently loses that RAM; regions placed there
point at memory the kernel does not have (CMA203), and dynamic regions and the default CMA
area must fit into what is left.  (OpenBMC AST2500 boards hit this: peers.md §6 #15.)

**Fix.** Enable `CONFIG_HIGHMEM`, or give lowmem more room (`CONFIG_VMSPLIT_2G`, a smaller
`vmalloc=`), or describe only the RAM the kernel can use in `/memory`.

Fails:
    / { #address-cells = <1>; #size-cells = <1>;
        memory@80000000 { device_type = "memory"; reg = <0x80000000 0x40000000>; };
        reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges; }; };
    $ --arch arm --config-text "# Linux/arm 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\n# CONFIG_HIGHMEM is not set\\n"

Passes:
    / { #address-cells = <1>; #size-cells = <1>;
        memory@80000000 { device_type = "memory"; reg = <0x80000000 0x40000000>; };
        reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges; }; };
    $ --arch arm --config-text "# Linux/arm 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_HIGHMEM=y\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Location, Severity
from cmacheck.units import format_size

ID = "CMA106"
NAME = "highmem-ram-ignored"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    run = ctx.run
    if run is None or run.facts.ignored_ram is None:
        return
    start, end = run.facts.ignored_ram
    # the memory node that describes the ignored RAM (the first one reaching above start)
    at: Location | None = None
    for m in ctx.memory:
        if m.available and any(b.base + b.size > start for b in m.banks):
            at = ctx.at(m.node, "reg")
            break
    if at is None:
        at = Location(file=ctx.dt.source, node="/")
    # no .config path or line in the words: the message is part of the baseline and diff keys
    yield Hit(
        f"CONFIG_HIGHMEM is not set: the kernel ignores the {format_size(end - start)} "
        f"of RAM at {start:#x}-{end:#x} above lowmem ('Ignoring RAM at ...')",
        at,
    )
