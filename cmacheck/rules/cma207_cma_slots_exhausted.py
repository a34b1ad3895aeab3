"""More CMA areas than the kernel has slots for.

**What the kernel does.** mm/cma.c keeps a fixed array of `MAX_CMA_AREAS` areas:
`1 + CONFIG_CMA_AREAS` before 6.9, `CONFIG_CMA_AREAS` from 6.9 (defaults 7/19 and 8/20
with NUMA).  Every DT CMA pool takes one, then the default area, per-NUMA and hugetlb
areas.  The one that finds none prints `cma: Not enough slots for CMA reserved regions!`;
a DT pool then fails (`Reserved memory: unable to setup CMA region`), and because DT pools
come first it is usually the *default* area that is lost.

**Fix.** Raise `CONFIG_CMA_AREAS`, or merge pools.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            a { compatible = "shared-dma-pool"; reusable; size = <0 0x400000>; };
            b { compatible = "shared-dma-pool"; reusable; size = <0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_CMA_AREAS=1\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            a { compatible = "shared-dma-pool"; reusable; size = <0 0x400000>; };
            b { compatible = "shared-dma-pool"; reusable; size = <0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_CMA_AREAS=7\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import cause, label, outcomes

ID = "CMA207"
NAME = "cma-slots-exhausted"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    k = ctx.kernel
    for r, facts, at in outcomes(ctx):
        if cause(facts.reason) != "no-slot" or k is None:
            continue
        yield Hit(f"{label(r)}no CMA slot left: this kernel has {k.cma_slots} "
                  f"(MAX_CMA_AREAS, from CONFIG_CMA_AREAS={k.cma_areas}) and they are all "
                  "taken by earlier areas", at)
