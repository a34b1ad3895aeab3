"""The Kconfig default CMA size is ignored because the device tree sets the default area.

**What the kernel does.** `dma_contiguous_reserve()` (kernel/dma/contiguous.c) sizes the
default CMA area from `CONFIG_CMA_SIZE_MBYTES` / `_PERCENTAGE` / `SEL_*` only when no
default exists yet; a `linux,cma-default` region in `/reserved-memory` already is one
(arm64 in every version; 32-bit ARM and RISC-V up to 6.12.12, data row
`cma.static_default_early`).  So `CONFIG_CMA_SIZE_MBYTES=256` does nothing on such a board:
a classic "my Kconfig change had no effect".  Reported as a note, on the `.config` line of
the value that decided the Kconfig size (`CONFIG_CMA_SIZE_MBYTES` or
`CONFIG_CMA_SIZE_PERCENTAGE`; under `SEL_MIN`/`SEL_MAX` the one that won), saying whether
the DT region is smaller or larger than the ignored Kconfig size (a smaller one is how a
board ends up below what its drivers need: see `--min-cma`, CMA303).

**Fix.** Change the size of the DT region (or an overlay), not the Kconfig value.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x1000000>; linux,cma-default; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_CMA_SIZE_MBYTES=256\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x1000000>; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_CMA_SIZE_MBYTES=256\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.units import format_size

ID = "CMA104"
NAME = "kconfig-size-ignored"
SEVERITY = Severity.NOTE


def check(ctx: Context) -> Iterator[Hit]:
    plan = ctx.cma_plan
    if (plan is None or plan.source != "dt" or not plan.kconfig_size or ctx.config is None
            or plan.kconfig_symbol is None):
        return
    if plan.declare:
        return  # arm/riscv 6.12.13+: the Kconfig area is reserved too (not ignored)
    # No sizes in the words: the message is part of the baseline and diff keys, and a new
    # DT size should not make the same finding look new.
    compared = ""
    if plan.size is not None:
        compared = ("the same-sized " if plan.size == plan.kconfig_size else
                    f"the {'smaller' if plan.size < plan.kconfig_size else 'larger'} ")
    yield Hit(f"the Kconfig default CMA size ({format_size(plan.kconfig_size)}) is ignored: "
              f"{compared}{plan.node} (linux,cma-default) is the default CMA area",
              ctx.at_symbol(plan.kconfig_symbol))
