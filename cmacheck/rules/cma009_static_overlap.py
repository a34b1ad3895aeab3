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

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.units import format_range, format_size

ID = "CMA009"
NAME = "static-overlap"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    spans = []
    for r in ctx.rmem.children:
        if not r.available:
            continue
        for base, size in r.reg(ctx.cells) or ():
            if size:
                spans.append((base, base + size, r))
    spans.sort(key=lambda s: (s[0], s[1], s[2].index))
    for i, (a_base, a_end, a) in enumerate(spans):
        for b_base, b_end, b in spans[i + 1 :]:
            if b_base >= a_end:
                break
            if a is b:
                continue
            lap = min(a_end, b_end) - b_base
            reg = a.node.prop("reg")
            where = f" (its reg is set at {reg.loc})" if reg is not None and reg.loc else ""
            yield Hit(
                f"[{format_range(b_base, b_end - b_base)}] overlaps {a.path} "
                f"[{format_range(a_base, a_end - a_base)}]{where} by {format_size(lap)}",
                ctx.at(b.node, "reg"),
            )
