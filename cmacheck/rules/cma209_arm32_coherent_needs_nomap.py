"""On 32-bit ARM a coherent DMA pool must be `no-map`.

**What the kernel does.** `rmem_dma_setup()` (kernel/dma/coherent.c) refuses a
non-reusable `shared-dma-pool` without `no-map` when built for 32-bit ARM:
`Reserved memory: regions without no-map are not yet supported`, then `compatible
matching fail`, and the memory is given back; the devices using it get no pool.  arm64 and
riscv accept such pools, so a DT shared between a 32- and a 64-bit build breaks only on
one of them.

**Fix.** Add `no-map;` (or make it a CMA pool with `reusable;`).

Fails:
    / { #address-cells = <1>; #size-cells = <1>;
        memory@40000000 { device_type = "memory"; reg = <0x40000000 0x40000000>; };
        reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
            dma@50000000 { compatible = "shared-dma-pool"; reg = <0x50000000 0x100000>; }; }; };
    $ --kernel-version 6.1 --arch arm

Passes:
    / { #address-cells = <1>; #size-cells = <1>;
        memory@40000000 { device_type = "memory"; reg = <0x40000000 0x40000000>; };
        reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
            dma@50000000 { compatible = "shared-dma-pool"; no-map; reg = <0x50000000 0x100000>; }; }; };
    $ --kernel-version 6.1 --arch arm
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import cause, outcomes

ID = "CMA209"
NAME = "arm32-coherent-needs-nomap"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    for _r, facts, at in outcomes(ctx):
        if cause(facts.reason) == "arm-coherent-nomap":
            yield Hit("32-bit ARM refuses a coherent DMA pool without no-map ('regions without "
                      "no-map are not yet supported'): no pool, the memory is given back", at)
