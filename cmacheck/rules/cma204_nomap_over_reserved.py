"""A `no-map` region overlaps memory that is already reserved, so the kernel refuses it.

**What the kernel does.** From 5.12 (and 5.10.y), a static `no-map` region is marked
NOMAP only if no byte of it is reserved yet (`early_init_dt_reserve_memory()`, -EBUSY):
the kernel image, the DTB, the initrd, `/memreserve/` entries (before 6.12.13/6.13) and
earlier static regions in DT order all count.  It prints `failed to reserve memory for
node '<name>': base ..., size N MiB` and the range stays mapped and usable by Linux, while
the firmware that owns it keeps writing there.  From ~5.17 only overlaps with RAM count.

**Fix.** Remove the overlap: move the carve-out, or the kernel/DTB/initrd load address
(`--kernel-addr`, `--dtb-addr`, `--initrd` tell cmacheck where they are).

Fails:
    /memreserve/ 0x50080000 0x1000;
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            nm@50000000 { no-map; reg = <0 0x50000000 0 0x100000>; }; }; };
    $ --kernel-version 6.1 --arch arm64

Passes:
    /memreserve/ 0x50180000 0x1000;
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            nm@50000000 { no-map; reg = <0 0x50000000 0 0x100000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import cause, outcomes

ID = "CMA204"
NAME = "nomap-over-reserved"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    for r, facts, at in outcomes(ctx):
        if cause(facts.reason) != "nomap-ebusy":
            continue
        others = []
        run = ctx.run
        for o in run.all_regions if run is not None else ():
            if o is r or o.base is None or not o.size or r.base is None:
                continue
            if o.base < r.base + r.size and r.base < o.base + o.size:
                others.append(o.path or o.name)
        what = f" (overlaps {', '.join(others)})" if others else ""
        yield Hit("no-map over memory that is already reserved" + what + ": the kernel "
                  "refuses it (-EBUSY) and the range stays mapped and in use by Linux", at)
