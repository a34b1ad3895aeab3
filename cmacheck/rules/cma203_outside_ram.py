"""A region lies (partly) outside RAM, or beyond the `mem=` limit.

**What the kernel does.** `memblock_reserve()` accepts any range, so a carve-out outside
`/memory` "succeeds" silently; that is often intended (on-chip SRAM, a hole the bootloader
fills).  For a CMA pool it is fatal: the area is created at boot, then
`cma_init_reserved_areas()` hits `WARN_ON_ONCE(!pfn_valid(pfn))` and the kernel faults
(seen on real 6.1 and 6.12 boots).  `mem=` cuts RAM (arm64/riscv: at the address where the
given amount is reached, kernel-model.md §6.2) and leaves DT regions above the cut pointing
at memory the kernel no longer has.  Error for CMA pools, note for other regions.

**Fix.** Move the region into RAM, or give the real RAM with `--ram` if `/memory` is only a
placeholder; drop or raise `mem=`.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            c@7f000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x7f000000 0 0x2000000>; }; }; };
    $ --kernel-version 6.1 --arch arm64

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            c@7e000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x7e000000 0 0x2000000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import label, outcomes
from cmacheck.units import format_size

ID = "CMA203"
NAME = "outside-ram"
SEVERITY = Severity.ERROR

_HELD = ("created", "reserved", "inactive")


def _covered(base: int, size: int, banks: Sequence[tuple[int, int]]) -> int:
    end = base + size
    return sum(max(0, min(end, b + s) - max(base, b)) for b, s in banks)


def check(ctx: Context) -> Iterator[Hit]:
    run = ctx.run
    if run is None:
        return
    ram = run.facts.memory_banks
    dt_ram = list(ctx.ram) or [(b.base, b.size) for m in ctx.memory if m.available
                               for b in m.banks]
    mem = ctx.cmdline.mem if ctx.cmdline is not None else None
    for r, _facts, at in outcomes(ctx):
        if r.base is None or not r.size or r.status not in _HELD:
            continue
        inside = _covered(r.base, r.size, ram)
        if inside == r.size:
            continue
        outside = format_size(r.size - inside)
        ignored = run.facts.ignored_ram
        if ignored is not None and _covered(r.base, r.size, (*ram, ignored)) == r.size:
            why = (f"{outside} of it lies in the RAM the kernel ignores without CONFIG_HIGHMEM "
                   f"({ignored[0]:#x}-{ignored[1]:#x})")
        elif mem is not None and _covered(r.base, r.size, dt_ram) == r.size:
            why = f"{outside} of it lies beyond the mem={mem:#x} limit"
        elif inside:
            why = f"{outside} of it lies outside RAM"
        else:
            why = "it lies entirely outside RAM"
        cma = r.driver == "cma"
        effect = ("the CMA area cannot be activated (WARN in cma_init_reserved_areas, then a "
                  "fault)" if cma else "fine only for on-chip or bootloader-provided memory")
        yield Hit(f"{label(r)}{why}: {effect}", at, None if cma else Severity.NOTE)
