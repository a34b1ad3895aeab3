"""The device tree relies on a kernel feature the `.config` leaves out.

**What the kernel does.** Each `/reserved-memory` driver is built only with its option:
CMA pools (`shared-dma-pool` + `reusable`, and `linux,cma-default`) need `CONFIG_CMA` and
`CONFIG_DMA_CMA` (kernel/dma/contiguous.c); `restricted-dma-pool` needs
`CONFIG_DMA_RESTRICTED_POOL` (kernel/dma/swiotlb.c, 5.15+); dynamic regions and every
driver need `CONFIG_OF_RESERVED_MEM` (drivers/of/of_reserved_mem.c).  Without them the
region is at best reserved and left unused (no pool, no message), and the devices whose
`memory-region` points at it fail to probe or fall back to something else.  Distribution
configs differ here (Debian 6.1 arm64 has no `CONFIG_DMA_RESTRICTED_POOL`).

**Fix.** Enable the option in the kernel configuration, or drop the node.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x1000000>; linux,cma-default; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\n# CONFIG_DMA_CMA is not set\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x1000000>; linux,cma-default; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

ID = "CMA105"
NAME = "feature-disabled"
SEVERITY = Severity.ERROR


def _needs(r: object) -> list[tuple[str, str]]:
    from cmacheck.board import ReservedNode

    assert isinstance(r, ReservedNode)
    out: list[tuple[str, str]] = []
    sdp = r.is_compatible("shared-dma-pool")
    if sdp and r.reusable and not r.no_map:
        out += [("CMA", "CMA pool"), ("DMA_CMA", "CMA pool")]
    elif r.cma_default:
        out += [("DMA_CMA", "linux,cma-default")]
    if r.is_compatible("restricted-dma-pool"):
        out.append(("DMA_RESTRICTED_POOL", "restricted-dma-pool"))
    if not r.is_static or sdp or r.is_compatible("restricted-dma-pool"):
        out.append(("OF_RESERVED_MEM", "dynamic region" if not r.is_static else "pool driver"))
    return out


def check(ctx: Context) -> Iterator[Hit]:
    config = ctx.config
    if config is None:
        return
    for r in ctx.rmem.children:
        if not r.available:
            continue
        missing = [(sym, why) for sym, why in _needs(r) if not config.enabled(sym)]
        for sym, why in dict(missing).items():
            line = config.lines.get(sym)
            where = f" ({config.path}:{line})" if line else ""
            yield Hit(f"needs CONFIG_{sym}, which this .config does not enable{where}: "
                      f"the {why} is not set up", ctx.at(r.node))
