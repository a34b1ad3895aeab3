"""A `restricted-dma-pool` carries a property that makes the kernel refuse it.

**What the kernel does.** `rmem_swiotlb_setup()` (kernel/dma/swiotlb.c, 5.15+) rejects a
restricted pool with `reusable`, `no-map`, `linux,cma-default` or `linux,dma-default`
(-EINVAL, silent, then `compatible matching fail`): the device meant to bounce through it
gets no pool.  dt-schema only catches `reusable` and `no-map`.

**Fix.** Drop those properties from the restricted pool.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            r@50000000 { compatible = "restricted-dma-pool"; no-map; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.12.0 Kernel Configuration\\nCONFIG_DMA_RESTRICTED_POOL=y\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            r@50000000 { compatible = "restricted-dma-pool"; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.12.0 Kernel Configuration\\nCONFIG_DMA_RESTRICTED_POOL=y\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import cause, outcomes

ID = "CMA210"
NAME = "restricted-pool-props"
SEVERITY = Severity.ERROR

_FORBIDDEN = ("reusable", "no-map", "linux,cma-default", "linux,dma-default")


def check(ctx: Context) -> Iterator[Hit]:
    for r, facts, at in outcomes(ctx):
        if cause(facts.reason) != "restricted-props":
            continue
        node = ctx.dt.node(r.path) if r.path else None
        props = [p for p in _FORBIDDEN if node is not None and node.has(p)]
        yield Hit(f"restricted-dma-pool with {', '.join(props) or 'a forbidden property'}: "
                  "the kernel refuses it ('compatible matching fail')", at)
