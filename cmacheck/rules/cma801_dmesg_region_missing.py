"""A region the prediction expects the kernel to report is absent from the log.

**What it compares.** The dry run predicts the lines each region makes the kernel print (kernel-model.md §10).
When the log never names a region that should have printed something, the board did not
boot with this device tree, or a firmware stage rewrote `/reserved-memory` (compare with
`/sys/firmware/fdt`), or the log is cut short.

Only with `--dmesg LOG` or `--live`.

**Fix.** Check that the log and the DT belong to the same boot; use the runtime tree.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=0"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
    $ --dmesg-text "Linux version 6.1.0-56-arm64"

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

ID = "CMA801"
NAME = "dmesg-region-missing"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    yield from differences(ctx, "region-missing")
