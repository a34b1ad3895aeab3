"""`alloc-ranges` must hold whole `<base size>` entries in the root's cells.

**What the kernel does.** `__reserved_mem_alloc_size()` requires the length to be a
multiple of (`#address-cells` + `#size-cells`) x 4.  Up to 7.1 a bad length prints
`invalid alloc-ranges property in '<name>', skipping node.` and nothing is allocated;
7.2+ silently ignores the property and allocates anywhere in RAM, which is rarely what
the window was for.  On a static node `alloc-ranges` is not read (warning).

**Fix.** Write each window as `<base-cells size-cells>` in the root's cells.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool { compatible = "shared-dma-pool"; size = <0 0x100000>;
                   alloc-ranges = <0 0x50000000 0x10000000>; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool { compatible = "shared-dma-pool"; size = <0 0x100000>;
                   alloc-ranges = <0 0x50000000 0 0x10000000>; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA005"
NAME = "alloc-ranges-format"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    cells = ctx.cells
    for r in ctx.rmem.children:
        prop = r.node.prop("alloc-ranges")
        if prop is None or not r.available or r.alloc_ranges(cells) is not None:
            continue
        msg = (
            f"alloc-ranges is {len(prop.value)} bytes, not a multiple of "
            f"{cells.entry_bytes} (#address-cells {cells.address} + #size-cells {cells.size})"
        )
        if r.is_static:
            yield Hit(f"{msg}; not read on a static region", ctx.at(r.node, "alloc-ranges"),
                      Severity.WARNING)
        else:
            yield Hit(
                f"{msg}: kernels up to 7.1 skip the node, 7.2+ allocate anywhere",
                ctx.at(r.node, "alloc-ranges"),
            )
