"""A command-line CMA area (hugetlb_cma=, cma_pernuma=, numa_cma=) cannot be reserved.

**What the kernel does.** `hugetlb_cma=` (mm/hugetlb.c `hugetlb_cma_reserve`),
`cma_pernuma=` and, from 6.7, `numa_cma=` (kernel/dma/contiguous.c
`dma_pernuma_cma_reserve` / `dma_numa_cma_reserve`) declare one CMA area per NUMA node with
`cma_declare_contiguous_nid(..., nid)`.  The allocation is node-exact: it never falls back to
another node, so each node must hold a free block of the whole size (hugetlb: rounded up to
whole gigantic pages, 1 GiB with 4K pages; aligned before 6.10 to the PMD huge page, 2 MiB
with 4K pages, and from 6.10 to the gigantic page: data row `hugetlb.cma_align`).  arm64
places them in `bootmem_init` after the page tables and node data (hugetlb first; per-NUMA
areas there before 6.7, at the start of `dma_contiguous_reserve` in 6.7-7.1, at its end in
7.2).  A failure prints `cma: Failed to reserve N MiB` and
`hugetlb_cma: reservation failed: err -12, node N` or `cma: dma_pernuma_cma_reserve:
reservation failed: err -12, node N`; the boot goes on without that area (gigantic pages or
node-local DMA buffers then come from elsewhere, or not at all).  Without `numa-node-id` in
the tree, all RAM is one node (recorded 6.1 boots, `numa1-*`, `numa2-*`).

**Fix.** Lower the size or give the node more free memory; with several nodes, remember the
size is per node (`cma_pernuma=`) or split over the nodes (`hugetlb_cma=SIZE`).

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma_pernuma=3G"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_NUMA=y\\nCONFIG_DMA_PERNUMA_CMA=y\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma_pernuma=32M"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_NUMA=y\\nCONFIG_DMA_PERNUMA_CMA=y\\n"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmacheck.context import Context
from cmacheck.findings import Hit, Location, Severity
from cmacheck.rules._outcome import cause, outcomes
from cmacheck.units import format_size

ID = "CMA213"
NAME = "cmdline-cma-area-failed"
SEVERITY = Severity.WARNING


def _option(ctx: Context, r: Any, node: int | None) -> tuple[str, Location]:
    """The option that asked for area ``r`` (as a message names it) and where it comes from."""
    cmdline = ctx.cmdline
    if r.origin == "hugetlb-cma":
        return "hugetlb_cma=", ctx.at_param("hugetlb_cma")
    if cmdline is not None and r.name.startswith("numa") and node in dict(cmdline.numa_cma):
        return "numa_cma=", ctx.at_param("numa_cma")  # 6.7+: numa_cma= wins for its node
    if cmdline is not None and cmdline.cma_pernuma:
        return "cma_pernuma=", ctx.at_param("cma_pernuma")
    # 7.2 CONFIG_CMA_SIZE_PERNUMA: the default size on every node, no parameter (CMA217)
    return "CONFIG_CMA_SIZE_PERNUMA", ctx.at_symbol("CONFIG_CMA_SIZE_PERNUMA")


def check(ctx: Context) -> Iterator[Hit]:
    run = ctx.run
    if run is None:
        return
    for r, facts, _ in outcomes(ctx):
        if (r.origin not in ("hugetlb-cma", "numa-cma") or r.status != "failed"
                or cause(facts.reason) == "no-slot"):
            continue  # CMA207 reports a missing slot
        if "may still split" in (facts.reason or ""):
            continue  # 6.15+ multi-range fallback: the outcome is not predicted
        node = facts.node if facts.node is not None else 0
        spans = dict(run.facts.numa_nodes).get(node, ())
        ram = sum(hi - lo for lo, hi in spans)
        free = ""
        if facts.largest_free is not None:
            lo, hi = facts.largest_free
            free = f"; the largest free block left is {format_size(hi - lo)} at {lo:#x}"
        option, at = _option(ctx, r, facts.node)
        yield Hit(
            f"{option} area {r.name} ({format_size(r.size)}) cannot be reserved on "
            f"node {node} ({format_size(ram)} of RAM): {facts.reason}{free}",
            at,
        )
