"""A `.config` assignment that did not take effect.

**What happens.** Kconfig silently drops values it cannot honour: a second
`CONFIG_CMA_SIZE_SEL_*=y` in the same choice (the last wins), a value outside the
symbol's range (`CONFIG_CMA_ALIGNMENT=20`, range 2..12, is clamped to 12), an invalid number
(`CONFIG_CMA_SIZE_MBYTES=64M`), a symbol whose dependencies are not met
(`CONFIG_DMA_CMA=y` without `CONFIG_CMA`), or a value for a symbol that is invisible in
this configuration (`CONFIG_CMA_SIZE_MBYTES` under `CONFIG_CMA_SIZE_SEL_PERCENTAGE`).
`make olddefconfig` then writes another value (the default, or the range bound for an
out-of-range number), and the kernel is built with something else than the file says.  Only the CMA-related symbols cmacheck models are checked.

**Fix.** Write the value Kconfig will keep, or enable what the symbol depends on.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; };
    $ --config-text "CONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_CMA_SIZE_SEL_PERCENTAGE=y\\nCONFIG_CMA_SIZE_MBYTES=256\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>; };
    $ --config-text "CONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\nCONFIG_CMA_SIZE_SEL_MBYTES=y\\nCONFIG_CMA_SIZE_MBYTES=256\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA101"
NAME = "kconfig-not-effective"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    if ctx.config is None:
        return
    for p in ctx.config.problems:
        yield Hit(p.message, ctx.at_symbol(p.symbol, p.line))
