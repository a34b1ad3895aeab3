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
from collections import Counter
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
    # Sweep in base order: every still-open span overlaps the next one.  A node's own entries
    # (and two /memreserve/ entries) are not pairs: ``owners`` counts the open spans per owner
    # so that a span meeting only its own owner's spans costs nothing (one node with
    # thousands of overlapping reg entries stays n log n), and every span that does meet
    # another owner yields a finding, so at most MAX_LISTED spans pay for the filtering.
    active: list[tuple[int, int]] = []  # heap of (end, index into spans)
    owners: Counter[object] = Counter()
    listed = unlisted = 0
    last: ReservedNode | None = None
    for j, b in enumerate(spans):
        while active and active[0][0] <= b[0]:
            owners[_owner(spans[heapq.heappop(active)[1]])] -= 1
        own = _owner(b)
        others = len(active) - owners[own]
        if others and listed >= MAX_LISTED:
            unlisted += others  # counted, not listed
        elif others:
            pairs = sorted(i for _, i in active if _owner(spans[i]) != own)
            for i in pairs:
                a = spans[i]
                if listed >= MAX_LISTED:
                    unlisted += 1
                    continue
                listed += 1
                yield _hit(ctx, a, b)
                last = b[3] or a[3]
        heapq.heappush(active, (b[1], j))
        owners[own] += 1
    if unlisted and last is not None:
        yield Hit(f"{unlisted} more overlapping pairs are not listed (first {MAX_LISTED} "
                  "shown)",
                  ctx.at(last.node, "reg"))


def _owner(s: _Span) -> object:
    """Who a span belongs to: its node, or "/memreserve/" for every /memreserve/ entry."""
    return id(s[3]) if s[3] is not None else "/memreserve/"


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
