"""A region has another size in the log than predicted.

**What it compares.** The kernel prints pool sizes in whole MiB (truncated), and 6.3+ prints every region's
exact size in its summary line; either differing from the tree's `reg`/`size` means
another tree booted or a bootloader resized the region.

Only with `--dmesg LOG` or `--live`.

**Fix.** Compare with the runtime tree.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=0"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
    $ --dmesg-text "Reserved memory: created CMA memory pool at 0x0000000050000000, size 8 MiB\\nOF: reserved mem: initialized node pool@50000000, compatible id shared-dma-pool"

Passes:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=0"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
    $ --dmesg-text "Reserved memory: created CMA memory pool at 0x0000000050000000, size 4 MiB\\nOF: reserved mem: initialized node pool@50000000, compatible id shared-dma-pool"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._dmesg import differences

ID = "CMA804"
NAME = "dmesg-region-size"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    yield from differences(ctx, "size")
