"""Static reserved-memory regions must not overlap.

**What the kernel does.** Static regions are reserved one by one; a plain reservation
over another silently merges, and a `no-map` one over an already reserved range fails
(`failed to reserve memory for node ...`, 5.12+).  `__rmem_check_for_overlap()` then
sorts the regions and compares only *neighbours*, printing
`OVERLAP DETECTED!` for adjacent pairs; a region containing two others is reported once
at most.  Nothing is undone: two drivers end up owning the same memory.  This rule
reports every overlapping pair, with both nodes and both ranges (a classic cause: a
`&label` override that enlarged one carve-out; with DTS input the finding points at the
line that set the winning `reg`).

`/memreserve/` entries of the DTB header are included: a region over one is reserved twice
(harmless for a plain region, a `failed to reserve` for a no-map one up to 6.12.12).

**Fix.** Shrink or move one of the regions, or delete the stale node.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            a@50000000 { reg = <0 0x50000000 0 0x1000000>; no-map; };
            b@50800000 { reg = <0 0x50800000 0 0x1000000>; no-map; }; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            a@50000000 { reg = <0 0x50000000 0 0x800000>; no-map; };
            b@50800000 { reg = <0 0x50800000 0 0x1000000>; no-map; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.board import ReservedNode
from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.units import format_range, format_size

ID = "CMA009"
NAME = "static-overlap"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    # (base, end, order, node or None, /memreserve/ index)
    spans: list[tuple[int, int, int, ReservedNode | None, int]] = []
    for r in ctx.rmem.children:
        if not r.available:
            continue
        for base, size in r.reg(ctx.cells) or ():
            if size:
                spans.append((base, base + size, r.index, r, -1))
    for i, (base, size) in enumerate(ctx.dt.memreserve):
        if size:
            spans.append((base, base + size, -1, None, i))
    spans.sort(key=lambda s: s[:3])
    for i, (a_base, a_end, _, a, a_rsv) in enumerate(spans):
        for b_base, b_end, _, b, b_rsv in spans[i + 1 :]:
            if b_base >= a_end:
                break
            if a is b and a is not None:
                continue
            if a is None and b is None:
                continue  # two /memreserve/ entries: merged silently, nothing lost
            lap = min(a_end, b_end) - b_base
            node, other, other_span = (b, a, (a_base, a_end)) if b is not None else (
                a, b, (b_base, b_end))
            node_span = (b_base, b_end) if b is not None else (a_base, a_end)
            assert node is not None
            where = ""
            if other is None:
                what = f"/memreserve/ entry {a_rsv if a is None else b_rsv}"
            else:
                what = other.path
                reg = other.node.prop("reg")
                where = f" (its reg is set at {reg.loc})" if reg is not None and reg.loc else ""
            yield Hit(
                f"[{format_range(node_span[0], node_span[1] - node_span[0])}] overlaps {what} "
                f"[{format_range(other_span[0], other_span[1] - other_span[0])}]{where} "
                f"by {format_size(lap)}",
                ctx.at(node.node, "reg"),
            )
