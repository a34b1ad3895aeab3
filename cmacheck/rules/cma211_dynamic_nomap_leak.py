"""A refused dynamic `no-map` region stays reserved: the kernel leaks it.

**What the kernel does.** From 5.15 a dynamic `no-map` region is both reserved and marked
NOMAP.  When every driver refuses it, `fdt_init_reserved_mem()` only clears NOMAP and
does not free the reservation (drivers/of/of_reserved_mem.c, 5.15-7.x): the memory is
lost to Linux although no driver uses it.  Reported as a note next to the finding that
explains why the region was refused.

**Fix.** Fix the reason the driver refused it, or drop `no-map` / the node.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            r { compatible = "restricted-dma-pool"; no-map; size = <0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.12.0 Kernel Configuration\\nCONFIG_DMA_RESTRICTED_POOL=y\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            r { compatible = "restricted-dma-pool"; size = <0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.12.0 Kernel Configuration\\nCONFIG_DMA_RESTRICTED_POOL=y\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import outcomes
from cmacheck.units import format_size

ID = "CMA211"
NAME = "dynamic-nomap-leak"
SEVERITY = Severity.NOTE


def check(ctx: Context) -> Iterator[Hit]:
    for r, facts, at in outcomes(ctx):
        if facts.leaked:
            yield Hit(f"refused by every driver, yet its {format_size(r.size)} stay reserved "
                      "(dynamic no-map regions are not freed): the memory is lost", at)
