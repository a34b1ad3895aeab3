"""A dynamic region cannot be allocated: no free block of its size and alignment.

**What the kernel does.** `__reserved_mem_alloc_size()` (drivers/of/of_reserved_mem.c)
tries each `alloc-ranges` window in order (anywhere in RAM without it), top-down, with the
region's `alignment` (raised to the CMA minimum for reusable pools, SMP_CACHE_BYTES when
absent), after every static region, the kernel image, the DTB, the initrd and earlier
dynamic regions are already taken.  When nothing fits: `OF: reserved mem: failed to
allocate memory for node '<name>': size N MiB` and the region does not exist.  A window
exactly as large as the region fails as soon as anything else lands in it (a real
BeagleV Ahead boot failure).  The finding shows the largest free hole there was.

**Fix.** Shrink the region, widen or add an `alloc-ranges` window, or move what sits in it.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            huge { compatible = "shared-dma-pool"; size = <1 0>; }; }; };
    $ --kernel-version 6.1 --arch arm64

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            huge { compatible = "shared-dma-pool"; size = <0 0x10000000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import cause, outcomes, span
from cmacheck.units import format_size

ID = "CMA201"
NAME = "dynamic-alloc-failed"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    for r, facts, at in outcomes(ctx):
        if r.origin != "dynamic" or cause(facts.reason) != "no-room":
            continue
        size = facts.requested_size or r.size
        align = (f", aligned to {format_size(facts.alignment)} ({facts.alignment_reason})"
                 if facts.alignment else "")
        where = (" in " + ", ".join(span(s, e) for s, e in facts.alloc_ranges)
                 if facts.alloc_ranges else " anywhere in RAM")
        hole = (f"; the largest free hole there is {span(*facts.largest_free)}"
                if facts.largest_free else "; there is no free memory there at all")
        yield Hit(f"cannot allocate {format_size(size)}{align}{where}{hole}", at)
