"""The smallest CMA area that serves the whole --workload.

**What the kernel does.** Nothing at boot: this is the what-if of `--workload`.  The
workload is replayed with `cma_alloc()` / `cma_release()` semantics (mm/cma.c, see CMA301)
on areas of the same base and decreasing size, in steps of the CMA minimum alignment
(`CMA_MIN_ALIGNMENT_BYTES`, a pageblock: the granularity every CMA area size is rounded to),
and the smallest size at which no buffer fails is reported with the peak use and the bytes
left free below buffers by alignment.  For the default area it also gives the `cma=` value
(which replaces a `linux,cma-default` region; or set that region's `size`).  The search
keeps the area's base: a new size may move the area, which changes nothing as long as the
base stays aligned to `CONFIG_CMA_ALIGNMENT` pages (it always is when that order does not
exceed the pageblock order).  The size depends on the order of the
steps: fragmentation can make it larger than the peak use.

**Fix.** Nothing to fix; size the area from it (keep headroom for what the workload
does not list).

Fails:
    / { #address-cells = <1>; #size-cells = <1>;
        memory@40000000 { device_type = "memory"; reg = <0x40000000 0x40000000>; };
        reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
            vpu: vpu@50000000 { compatible = "shared-dma-pool"; reusable;
                                reg = <0x50000000 0x2000000>; }; };
        vpu@9000000 { reg = <0x9000000 0x1000>; memory-region = <&vpu>; }; };
    $ --kernel-version 6.1 --arch arm64 --workload tests/rules/CMA302/fail-min-size.toml

Passes:
    / { #address-cells = <1>; #size-cells = <1>;
        memory@40000000 { device_type = "memory"; reg = <0x40000000 0x40000000>; }; };
    $ --kernel-version 6.1 --arch arm64
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Location, Severity
from cmacheck.units import format_size

ID = "CMA302"
NAME = "workload-min-size"
SEVERITY = Severity.NOTE


def check(ctx: Context) -> Iterator[Hit]:
    result = ctx.workload
    if result is None:
        return
    for a in result.areas:
        area = a.area
        what = area.path or ("default CMA area" if area.default else area.name)
        if a.min_size is None:
            need = "no size serves it (a buffer is larger than any area could be)"
        else:
            need = f"the smallest area that serves it is {format_size(a.min_size)}"
            if a.cma_option and area.path:
                need += f" ({a.cma_option}, which bypasses {area.path}, or its size)"
            elif a.cma_option:
                need += f" ({a.cma_option})"
        node = ctx.dt.node(area.path) if area.path else None
        yield Hit(f"workload on {what} ({format_size(area.size)}): peak "
                  f"{format_size(a.peak_bytes)} in {a.buffers} buffer(s), "
                  f"{format_size(a.padding_bytes)} left free below buffers by alignment; "
                  f"{need}", ctx.at(node) if node is not None else Location(file=result.source))
