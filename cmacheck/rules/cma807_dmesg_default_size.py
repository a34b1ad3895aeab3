"""The default CMA area has another size than predicted.

**What it compares.** The size comes from `cma=`, a DT `linux,cma-default` region or the Kconfig selection
(kernel-model.md §2.4); the kernel prints it in MiB (7.2+ prints the requested size, not
the aligned one).

Only with `--dmesg LOG` or `--live`.

**Fix.** Check the effective size explanation (`cma` in the JSON output) against the booted config.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_CMA_SIZE_MBYTES=16\\n"
    $ --dmesg-text "Reserved memory: created CMA memory pool at 0x0000000050000000, size 4 MiB\\nOF: reserved mem: initialized node pool@50000000, compatible id shared-dma-pool\\ncma: Reserved 32 MiB at 0x000000007dc00000"

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

ID = "CMA807"
NAME = "dmesg-default-size"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    yield from differences(ctx, "default-size")
