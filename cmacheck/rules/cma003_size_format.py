"""A dynamic region's `size` must be exactly the root's #size-cells long.

**What the kernel does.** `__reserved_mem_alloc_size()` (drivers/of/of_reserved_mem.c,
all versions) rejects a `size` whose length is not `#size-cells` x 4 with
`invalid size property in '<name>' node.` and allocates nothing.  dtc and dt-validate
accept `size = <0x10000000>` under `#size-cells = <2>` (a real upstream bug, fixed in 2026
for a Kontron SMARC board).  On a static node (`reg` present) `size` is not read.

**Fix.** `size = <0 0x10000000>;` when the root has `#size-cells = <2>`.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            linux,cma { compatible = "shared-dma-pool"; reusable; size = <0x10000000>; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x10000000>; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA003"
NAME = "size-format"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    want = ctx.cells.size * 4
    for r in ctx.rmem.children:
        prop = r.node.prop("size")
        if prop is None or not r.available or len(prop.value) == want:
            continue
        if r.is_static:
            yield Hit(
                f"size is {len(prop.value)} bytes, root #size-cells needs {want}; "
                "ignored here because the node has reg",
                ctx.at(r.node, "size"),
                Severity.WARNING,
            )
        else:
            yield Hit(
                f"size is {len(prop.value)} bytes, root #size-cells {ctx.cells.size} needs "
                f"{want}: the kernel allocates nothing ('invalid size property')",
                ctx.at(r.node, "size"),
            )
