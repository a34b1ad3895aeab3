"""The default CMA area landed farther from the predicted base than the model's tolerance.

**What it compares.** The default area is allocated top-down below the DMA limit after the page tables and the
memmap (arm64 up to 6.12, estimated by the model), so its base is predicted within one
CMA alignment step.  A larger difference means other early allocations (firmware,
bootloader, crash kernel, hugetlb CMA) that cmacheck was not told about.

Only with `--dmesg LOG` or `--live`.

**Fix.** Pass `--reserve` for firmware ranges, or report a model bug with the log.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_CMA_SIZE_MBYTES=16\\n"
    $ --dmesg-text "Reserved memory: created CMA memory pool at 0x0000000050000000, size 4 MiB\\nOF: reserved mem: initialized node pool@50000000, compatible id shared-dma-pool\\ncma: Reserved 16 MiB at 0x0000000040000000"

Passes:
    / { #address-cells = <2>; #size-cells = <2>; chosen { };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_CMA_SIZE_MBYTES=16\\n"
    $ --dmesg-text "Reserved memory: created CMA memory pool at 0x0000000050000000, size 4 MiB\\nOF: reserved mem: initialized node pool@50000000, compatible id shared-dma-pool\\ncma: Reserved 16 MiB at 0x000000007dc00000"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._dmesg import differences

ID = "CMA808"
NAME = "dmesg-default-base"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    yield from differences(ctx, "default-base")
