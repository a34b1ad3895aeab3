"""A buffer of the --workload cannot be allocated from its CMA area.

**What the kernel does.** `dma_alloc_coherent()` on a device without an IOMMU goes through
dma-direct to `dma_alloc_contiguous()` (kernel/dma/contiguous.c): the device's own area
(`dev->cma_area`, from its `memory-region`), else the default area for buffers larger than
a page (5.3+).  `cma_alloc()` (mm/cma.c) looks for the first clear run of the area's bitmap,
aligned to `min(get_order(size), CONFIG_CMA_ALIGNMENT)` pages from the area's base
(`bitmap_find_next_zero_area_off`), and returns NULL when there is none: the area is too
small for what is held at that moment, too fragmented by earlier buffers and their
alignment, or it does not exist (it failed at boot, or the name is no CMA area).
dma-direct then tries the page allocator, which gives at most `MAX_PAGE_ORDER` pages
(4 MiB with 4 KiB pages) and only while free memory is not fragmented: camera, display and
codec buffers fail at runtime, often only after hours of uptime.

The replay assumes `alloc_contig_range()` succeeds (no pinned pages in the area).

**Fix.** Make the area larger (CMA302 gives the smallest size that serves the workload, and
the `cma=` value for the default area), free buffers earlier, or give the device its own
area.

Fails:
    / { #address-cells = <1>; #size-cells = <1>;
        memory@40000000 { device_type = "memory"; reg = <0x40000000 0x40000000>; };
        reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
            vpu: vpu@50000000 { compatible = "shared-dma-pool"; reusable;
                                reg = <0x50000000 0x1000000>; }; };
        vpu@9000000 { reg = <0x9000000 0x1000>; memory-region = <&vpu>; }; };
    $ --kernel-version 6.1 --arch arm64 --workload tests/rules/CMA301/fail-too-big.toml

Passes:
    / { #address-cells = <1>; #size-cells = <1>;
        memory@40000000 { device_type = "memory"; reg = <0x40000000 0x40000000>; };
        reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
            vpu: vpu@50000000 { compatible = "shared-dma-pool"; reusable;
                                reg = <0x50000000 0x2000000>; }; };
        vpu@9000000 { reg = <0x9000000 0x1000>; memory-region = <&vpu>; }; };
    $ --kernel-version 6.1 --arch arm64 --workload tests/rules/CMA301/fail-too-big.toml
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cmacheck.context import Context
from cmacheck.findings import Hit, Location, Severity
from cmacheck.units import format_size

if TYPE_CHECKING:  # the replay module is only needed with --workload
    from cmacheck.workload import Failure

ID = "CMA301"
NAME = "workload-alloc-fails"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    result = ctx.workload
    if result is None:
        return
    groups: dict[tuple[str, int | None, str], list[Failure]] = {}
    for f in result.failures:
        groups.setdefault((f.label, f.line, f.reason), []).append(f)
    kernel = ctx.kernel
    for fails in groups.values():
        f = fails[0]
        fallback = ""
        if kernel is not None and f.size <= kernel.page_size << kernel.max_page_order:
            fallback = ("; dma-direct then tries the page allocator, which serves it only "
                        "while free memory is not fragmented")
        n = len(fails)
        which = f"buffer {f.index}" if n == 1 else f"{n} buffers from #{f.index}"
        yield Hit(f"workload '{f.label}': {which} of {format_size(f.size)} from {f.area} "
                  f"cannot be allocated: {f.reason}{fallback}",
                  Location(file=result.source, line=f.line, node=f.node))
