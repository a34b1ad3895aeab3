"""A region landed at another base address than predicted.

**What it compares.** For a static region the base comes from `reg`, so a different base means another tree
booted.  For a dynamic region the placement depends on everything allocated before it
(kernel-model.md §1.4-§1.5): a different base points at a boot-chain reservation the
prediction did not know about (`--kernel-addr`, `--dtb-addr`, `--initrd`, `--reserve`).

Only with `--dmesg LOG` or `--live`.

**Fix.** Give cmacheck the boot chain's placements, or report a model bug with the log.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=0"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
    $ --dmesg-text "Reserved memory: created CMA memory pool at 0x0000000051000000, size 4 MiB\\nOF: reserved mem: initialized node pool@50000000, compatible id shared-dma-pool"

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

ID = "CMA803"
NAME = "dmesg-region-base"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    yield from differences(ctx, "base")
