"""`alignment` must be exactly the root's #address-cells long (not #size-cells).

**What the kernel does.** `__reserved_mem_alloc_size()` reads `alignment` with the root
**address** cells (still so in 7.2).  Any other length prints
`invalid alignment property in '<name>' node.` and the dynamic region is not allocated.
On a static node (`reg` present) `alignment` is never read: harmless today, an error the
day the node becomes dynamic (13 TI K3 boards upstream carry `alignment = <0x1000>`
under `#address-cells = <2>`), so it is reported as a warning there.

**Fix.** `alignment = <0 0x400000>;` when the root has `#address-cells = <2>`.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool { compatible = "shared-dma-pool"; size = <0 0x400000>; alignment = <0x400000>; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool { compatible = "shared-dma-pool"; size = <0 0x400000>; alignment = <0 0x400000>; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA004"
NAME = "alignment-format"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    want = ctx.cells.address * 4
    for r in ctx.rmem.children:
        prop = r.node.prop("alignment")
        if prop is None or not r.available or len(prop.value) == want:
            continue
        msg = (
            f"alignment is {len(prop.value)} bytes, root #address-cells "
            f"{ctx.cells.address} needs {want}"
        )
        if r.is_static:
            yield Hit(
                f"{msg}; ignored on a static region, rejected if it ever becomes dynamic",
                ctx.at(r.node, "alignment"),
                Severity.WARNING,
            )
        else:
            yield Hit(
                f"{msg}: the kernel allocates nothing ('invalid alignment property')",
                ctx.at(r.node, "alignment"),
            )
