"""`cma=` on the command line replaces the device tree's `linux,cma-default` region.

**What the kernel does.** From 5.6, `rmem_cma_setup()` (kernel/dma/contiguous.c) skips a
`linux,cma-default` region when `cma=` is given: `Reserved memory: bypass <name> node,
using cmdline CMA params instead` (up to 6.x; 7.x prints `Skipping dt linux,cma-default
node in favor for "cma=" kernel param.` and does not even reserve it).  The DT region
becomes a dead entry, and the default area is sized and placed by `cma=` instead: a
carefully chosen `alloc-ranges` window or size in the DT is silently ignored.  `cma=0`
counts too: then there is no default CMA area at all.  Before 5.6 the opposite holds: the
DT region wins and `cma=` is dropped without a message.

Reported on the region; the message names where the effective `cma=` comes from
(`/chosen/bootargs`, `CONFIG_CMDLINE` or `--cmdline`, the bootloader's).

**Fix.** Remove `cma=` from `bootargs` / `CONFIG_CMDLINE` (or from the bootloader's
environment), or drop `linux,cma-default` if the command line is meant to decide.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "console=ttyAMA0 cma=32M"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x1000000>; linux,cma-default; }; }; };
    $ --kernel-version 6.1 --arch arm64

Passes:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "console=ttyAMA0"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x1000000>; linux,cma-default; }; }; };
    $ --kernel-version 6.1 --arch arm64
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._cmdline import from_where

ID = "CMA103"
NAME = "cmdline-bypasses-dt-default"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    if ctx.cmdline is None or ctx.cmdline.cma is None or ctx.kernel is None:
        return
    cma = ctx.cmdline.cma
    src = from_where(ctx, "cma")
    for r in ctx.rmem.children:
        if not (r.available and r.cma_default and r.is_compatible("shared-dma-pool")):
            continue
        if ctx.kernel.cma_bypass_mode == "none":
            yield Hit(f"{cma.text}{src} is dropped silently: before 5.6 the kernel keeps this DT "
                      "region as the default CMA area", ctx.at(r.node, "linux,cma-default"))
            continue
        what = ("no default CMA area at all" if cma.size == 0
                else f"the default CMA area comes from {cma.text} instead")
        yield Hit(f"{cma.text} on the command line{src} bypasses this linux,cma-default region: "
                  f"{what}", ctx.at(r.node, "linux,cma-default"))
