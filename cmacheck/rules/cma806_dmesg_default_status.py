"""The default CMA area exists, is missing or failed, unlike the prediction.

**What it compares.** `dma_contiguous_reserve()` creates the default CMA area unless a DT default exists or
`cma=0` is given; the log shows `cma: Reserved N MiB at ...` or `cma: Failed to reserve
N MiB`.  A difference means the size inputs (Kconfig, command line, DT default) differ
from what booted, or the area did not fit.

Only with `--dmesg LOG` or `--live`.

**Fix.** Check `CONFIG_CMA_SIZE_*`, `cma=` and `linux,cma-default` of the booted system.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=0"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
    $ --dmesg-text "Reserved memory: created CMA memory pool at 0x0000000050000000, size 4 MiB\\nOF: reserved mem: initialized node pool@50000000, compatible id shared-dma-pool\\ncma: Reserved 16 MiB at 0x000000007dc00000"

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

ID = "CMA806"
NAME = "dmesg-default-status"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    yield from differences(ctx, "default-status")
