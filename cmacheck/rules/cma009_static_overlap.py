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

import heapq
from collections.abc import Iterator

from cmacheck.board import ReservedNode
from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.units import format_range, format_size

ID = "CMA009"
NAME = "static-overlap"
SEVERITY = Severity.ERROR


# Findings listed at most; the rest are counted in one more finding (n regions at one
# address are n*(n-1)/2 pairs: the work must stay bounded on hostile trees).
MAX_LISTED = 100

_Span = tuple[int, int, int, "ReservedNode | None", int]  # base, end, order, node, memreserve


def check(ctx: Context) -> Iterator[Hit]:
    spans: list[_Span] = []
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
    # Sweep in base order: every still-open span overlaps the next one.
    active: list[tuple[int, int]] = []  # heap of (end, index into spans)
    listed = unlisted = 0
    last: ReservedNode | None = None
    for j, b in enumerate(spans):
        while active and active[0][0] <= b[0]:
            heapq.heappop(active)
        if listed >= MAX_LISTED:
            unlisted += len(active)  # counted, not listed (nor filtered: an upper bound)
        else:
            for _, i in sorted(active, key=lambda e: e[1]):
                a = spans[i]
                if (a[3] is b[3] and a[3] is not None) or (a[3] is None and b[3] is None):
                    continue  # one node's own entries, or two /memreserve/ entries
                if listed >= MAX_LISTED:
                    unlisted += 1
                    continue
                listed += 1
                yield _hit(ctx, a, b)
                last = b[3] or a[3]
        heapq.heappush(active, (b[1], j))
    if unlisted and last is not None:
        yield Hit(f"up to {unlisted} more overlapping pairs are not listed (first {MAX_LISTED} "
                  "shown)",
                  ctx.at(last.node, "reg"))


def _hit(ctx: Context, a: _Span, b: _Span) -> Hit:
    (a_base, a_end, _, a_node, a_rsv), (b_base, b_end, _, b_node, b_rsv) = a, b
    lap = min(a_end, b_end) - b_base
    if b_node is not None:
        node, node_span, other, other_span, rsv = b_node, (b_base, b_end), a_node, (
            a_base, a_end), a_rsv
    else:
        assert a_node is not None
        node, node_span, other, other_span, rsv = a_node, (a_base, a_end), None, (
            b_base, b_end), b_rsv
    where = ""
    if other is None:
        what = f"/memreserve/ entry {rsv}"
    else:
        what = other.path
        reg = other.node.prop("reg")
        where = f" (its reg is set at {reg.loc})" if reg is not None and reg.loc else ""
    return Hit(
        f"[{format_range(node_span[0], node_span[1] - node_span[0])}] overlaps {what} "
        f"[{format_range(other_span[0], other_span[1] - other_span[0])}]{where} "
        f"by {format_size(lap)}",
        ctx.at(node.node, "reg"),
    )
