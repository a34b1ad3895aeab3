"""A CMA area is created at boot but cannot be activated: it spans two zones.

**What the kernel does.** `cma_init_reserved_areas()` (core_initcall, mm/cma.c) checks
that every page of each area is valid RAM in one zone.  An area across a zone boundary
(ZONE_DMA/ZONE_DMA32/Normal; the arm64 DMA limit moves with `dma-ranges`, kernel-model.md
§2.6) prints `cma: CMA area <name> could not be activated` (5.8+) and its pages go back to
the buddy allocator: the pool exists by name but every allocation from it fails.  (An area
over a hole or outside RAM WARNs and faults instead: that is CMA203.)

**Fix.** Keep the area inside one zone (below 4 GiB, or wholly above it), and inside RAM.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 1 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            straddle@ff000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0xff000000 0 0x2000000>; }; }; };
    $ --kernel-version 6.1 --arch arm64

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 1 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            below@fe000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0xfe000000 0 0x2000000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import cause, label, outcomes

ID = "CMA205"
NAME = "cma-inactive"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    for r, facts, at in outcomes(ctx):
        c = cause(facts.reason)
        if r.status != "inactive" or c != "zones":
            continue
        yield Hit(f"{label(r)}the CMA area spans zones {', '.join(facts.zones)}: 'could not "
                  "be activated', every allocation from it will fail", at)
