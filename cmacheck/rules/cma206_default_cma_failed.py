"""The default CMA area cannot be reserved.

**What the kernel does.** `dma_contiguous_reserve(limit)` asks `cma_declare_contiguous()`
(mm/cma.c) for the default size below the arch DMA limit (arm64: ZONE_DMA, from the DT's
`dma-ranges` and the start of RAM, kernel-model.md §2.6; arm: `arm_dma_limit` and
lowmem; riscv: 4 GiB), top-down after the page tables and memmap.  When it does not fit, or
`cma=SIZE@BASE` names a range that is taken or crosses the lowmem/highmem boundary or the
limit, the kernel prints `cma: Failed to reserve N MiB` (or `Region at ... must be aligned
...`, `... exceeds limit ...`) and boots without a default CMA area: the DMA API then
falls back to the buddy allocator and large contiguous buffers fail (a ZCU106 with
`CONFIG_CMA_SIZE_MBYTES=2048` and less RAM below the limit).

**Fix.** Lower the size (`cma=`, `CONFIG_CMA_SIZE_*`), or give it a DT `linux,cma-default`
region placed where it fits.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=3G"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; }; };
    $ --kernel-version 6.1 --arch arm64

Passes:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=1500M"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; }; };
    $ --kernel-version 6.1 --arch arm64
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import CLAIMED, cause, outcomes
from cmacheck.units import format_size

ID = "CMA206"
NAME = "default-cma-failed"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    run = ctx.run
    for r, facts, at in outcomes(ctx):
        if r.origin != "default-cma" or r.status != "failed":
            continue
        c = cause(facts.reason)
        if c in ("no-slot", "cmdline-misaligned"):
            continue  # CMA207 / CMA202 say it
        extra = ""
        if run is not None and run.facts.dma_limit is not None and c not in CLAIMED - {
                "no-room"}:
            below = max(0, min(run.facts.dma_limit, run.facts.dram_end) - run.facts.dram_start)
            if r.size > below:
                extra = (f"; only {format_size(below)} of RAM lies below the DMA limit "
                         f"{run.facts.dma_limit:#x}")
        yield Hit(f"default CMA area of {format_size(r.size)} cannot be reserved: "
                  f"{facts.reason}{extra}", at)
