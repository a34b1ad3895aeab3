"""A CMA pool's base or size is not a multiple of this kernel's CMA alignment.

**What the kernel does.** `rmem_cma_setup()` (kernel/dma/contiguous.c) requires base and
size of a reusable `shared-dma-pool` to be multiples of `CMA_MIN_ALIGNMENT_BYTES`, else
`Reserved memory: incorrect alignment of CMA region` and the pool is dropped (`compatible
matching fail`).  The kernel aligns a dynamic pool's base itself but never rounds the
size.  The alignment depends on the kernel: PAGE_SIZE << max(MAX_ORDER-1, pageblock_order)
before 5.19 (4 MiB on 4K pages), PAGE_SIZE << pageblock_order from 5.19 (2 MiB with
HUGETLB_PAGE, 4 MiB without), 32 MiB on 16K pages, 512 MiB on 64K pages
(kernel-model.md §5): a pool fine on one kernel fails on another (Raspberry Pi CM4 on a
64K-page kernel).  `cma=SIZE@BASE` with a misaligned base fails the same way (`Region at
... must be aligned to ... bytes`).

**Fix.** Make base and size multiples of the alignment shown (for portability: 32 MiB
covers 4K and 16K pages).

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            cmamis@50100000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50100000 0 0x400000>; }; }; };
    $ --kernel-version 6.1 --arch arm64

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            cma@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import cause, label, outcomes
from cmacheck.units import format_size

ID = "CMA202"
NAME = "cma-misaligned"
SEVERITY = Severity.ERROR


def why(k: Any) -> str:
    """Where this kernel's CMA alignment comes from."""
    pages = f"{k.page_size // 1024}K pages"
    if k.cma_min_align_formula == "pageblock":
        return f"{pages} << pageblock_order {k.pageblock_order} ({k.version_text})"
    largest = k.max_order if k.max_order_inclusive else k.max_order - 1
    return (f"{pages} << max(largest buddy order {largest}, pageblock_order "
            f"{k.pageblock_order}) ({k.version_text})")


def check(ctx: Context) -> Iterator[Hit]:
    k = ctx.kernel
    for r, facts, at in outcomes(ctx):
        c = cause(facts.reason)
        if c not in ("cma-misaligned", "cmdline-misaligned") or k is None:
            continue
        align = k.cma_min_alignment
        bad = []
        if r.base is not None and r.base % align:
            bad.append(f"base {r.base:#x}")
        if r.size % align and c == "cma-misaligned":
            bad.append(f"size {format_size(r.size)}")
        what = " and ".join(bad) or "the range"
        yield Hit(f"{label(r)}{what} must be a multiple of {format_size(align)} "
                  f"(CMA alignment: {why(k)}): the kernel drops the pool", at)
