"""A reserved-memory `reg` must hold whole `<base size>` entries in the root's cells.

**What the kernel does.** `__reserved_mem_reserve_reg()` reads `reg` with the *root*
`#address-cells` + `#size-cells` (the /reserved-memory cells must equal them).  A length
that is not a multiple of one entry makes kernels up to 7.1 print
`Reserved memory: invalid reg property in '<name>', skipping node.` and drop the node;
7.2+ treats `reg` as absent (the node becomes dynamic if it has `size`, else it is
ignored, silently).  A zero-size entry is reported as
`failed to reserve memory for node '<name>': base ..., size 0 MiB` (often a placeholder
the bootloader is expected to fill; reported here as a note).

**Fix.** Write each entry as `<addr-cells... size-cells...>` of the root.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            fw@50000000 { reg = <0 0x50000000 0x100000>; no-map; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            fw@50000000 { reg = <0 0x50000000 0 0x100000>; no-map; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA002"
NAME = "reg-format"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    cells = ctx.cells
    for r in ctx.rmem.children:
        prop = r.node.prop("reg")
        if prop is None or not r.available:
            continue
        entries = r.reg(cells)
        if entries is None and prop.value:
            want = cells.entry_bytes
            yield Hit(
                f"reg is {len(prop.value)} bytes, not a multiple of {want} "
                f"(#address-cells {cells.address} + #size-cells {cells.size}): "
                "the kernel skips the node ('invalid reg property')",
                ctx.at(r.node, "reg"),
            )
        elif entries is not None and any(size == 0 for _, size in entries):
            yield Hit(
                "reg has a zero-size entry: the kernel fails to reserve it "
                "('size 0 MiB'); fine only if the bootloader patches it",
                ctx.at(r.node, "reg"),
                Severity.NOTE,
            )
