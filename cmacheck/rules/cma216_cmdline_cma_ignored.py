"""cma_pernuma= or numa_cma= is given but this kernel does not know it.

**What the kernel does.** The per-NUMA CMA options exist only when the kernel is built
with them: `cma_pernuma=` with `CONFIG_DMA_PERNUMA_CMA` (5.10-6.6, Kconfig default `NUMA &&
ARM64`), `cma_pernuma=` and `numa_cma=` with `CONFIG_DMA_NUMA_CMA` (6.7+, default off).
Otherwise the parameter is reported as `Unknown kernel command line parameters "...", will be
passed to user space` and no area is reserved: Debian's 6.12 arm64 kernel has
`# CONFIG_DMA_NUMA_CMA is not set` (recorded boots `numa1-pernuma`, `numa2-numacma`), its
6.1 kernel knows `cma_pernuma=` but not `numa_cma=`.

**Fix.** Enable the option in the kernel configuration, or drop the parameter and size the
default area (`cma=`) instead.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma_pernuma=32M"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; }; };
    $ --config-text "# Linux/arm64 6.12.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_NUMA=y\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma_pernuma=32M"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; }; };
    $ --config-text "# Linux/arm64 6.12.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_NUMA=y\\nCONFIG_DMA_NUMA_CMA=y\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._cmdline import note_hits

ID = "CMA216"
NAME = "cmdline-cma-ignored"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    return note_hits(ctx, "unknown")
