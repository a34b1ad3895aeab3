"""The log reports a region that the device tree does not have.

**What it compares.** The kernel names a `/reserved-memory` node that is not in the tree cmacheck was given:
the bootloader or an overlay added it (U-Boot fixups, firmware carve-outs), or the DTB is
not the one that booted.

Only with `--dmesg LOG` or `--live`.

**Fix.** Check with the runtime tree (`/sys/firmware/fdt`, or `cmacheck --live`).

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=0"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
    $ --dmesg-text "Reserved memory: created CMA memory pool at 0x0000000050000000, size 4 MiB\\nOF: reserved mem: initialized node pool@50000000, compatible id shared-dma-pool\\nReserved memory: created DMA memory pool at 0x0000000060000000, size 1 MiB\\nOF: reserved mem: initialized node ghost@60000000, compatible id shared-dma-pool"

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

ID = "CMA802"
NAME = "dmesg-region-extra"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    yield from differences(ctx, "region-extra")
