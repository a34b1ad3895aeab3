"""The default CMA area is smaller than the --min-cma policy minimum, or missing.

**What the kernel does.** Nothing wrong at boot: the kernel reserves whatever default area
the inputs ask for (`cma=`, else a `linux,cma-default` region, else Kconfig's
`CONFIG_CMA_SIZE_*`; see kernel/dma/contiguous.c and `cmacheck explain CMA104`), and a
pool that is too small only shows later, when `dma_alloc_coherent()` of a display or
camera buffer fails.  A real review caught a board DT that shrank the default pool to
8 MiB, less than two 1080p XRGB scanout buffers (2 x 7.9 MiB), while the Kconfig default
it silently replaced was large enough.

This is a policy check: with `--min-cma SIZE` (or `min-cma = "64M"` in the config file,
also per board) it warns when the predicted default area (its size after the kernel's CMA
alignment, data row `cma.min_align_formula`, for a `cma=` or Kconfig area) is below SIZE,
when there is none (`cma=0`, no `CONFIG_DMA_CMA`, a Kconfig size of 0), or when it is predicted to fail or not to activate (CMA206, CMA205).  The finding
points at the input that decided the size and names it: the `cma=` parameter (on the
`bootargs` line, the `CONFIG_CMDLINE` line or `<cmdline>`), the region's `size`/`reg`, or
the `.config` line.  Silent without the option, and when the size cannot be predicted (no
kernel version, or a percentage of unknown RAM).

**Fix.** Raise the size where the finding points (the region's `size`, `cma=`, or
`CONFIG_CMA_SIZE_MBYTES` / `_PERCENTAGE`), or lower the minimum if the board really needs
less.  `cma=` is suggested for a `linux,cma-default` region only from 5.6 (data row
`cma.bypass_mode`): before, the kernel drops `cma=` when such a region exists (CMA103).

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x800000>; linux,cma-default; }; }; };
    $ --kernel-version 6.1 --arch arm64 --min-cma 32M

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x4000000>; linux,cma-default; }; }; };
    $ --kernel-version 6.1 --arch arm64 --min-cma 32M
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.cma import aligned_size
from cmacheck.context import Context
from cmacheck.findings import Hit, Location, Severity
from cmacheck.rules._cmdline import from_where
from cmacheck.units import format_size, mem_value

ID = "CMA303"
NAME = "default-cma-below-minimum"
SEVERITY = Severity.WARNING

# The dry run's status of a default area that is not there at run time (the region statuses
# of ../shared/docs/output-contract.md).
_STATUS = {"failed": "cannot be reserved (CMA206)",
           "inactive": "is reserved but cannot be activated (CMA205)",
           "rejected": "is refused by the CMA driver"}


def check(ctx: Context) -> Iterator[Hit]:
    minimum, plan = ctx.min_cma, ctx.cma_plan
    if minimum is None or plan is None or ctx.kernel is None or plan.size is None:
        return
    want = format_size(minimum)
    who, at, fix = _decided_by(ctx, minimum)
    area = None
    if ctx.run is not None:
        area = ctx.run.region(plan.node) if plan.source == "dt" else ctx.run.default_cma
    if plan.size == 0:
        yield Hit(f"there is no default CMA area, the minimum is {want} (--min-cma): {who}; "
                  f"{fix}", at)
    elif area is not None and area.status != "created":
        what = _STATUS.get(area.status, f"ends up {area.status}")
        yield Hit(f"the default CMA area ({format_size(area.size)}) {what}, so none of the "
                  f"{want} minimum (--min-cma) is there: {who}", at)
    else:
        if area is not None:
            size = area.size
        elif plan.source in ("cmdline", "kconfig"):
            # cma_declare_contiguous_nid rounds it up (a DT region must already be aligned)
            size = aligned_size(plan.size, ctx.kernel.cma_min_alignment)
        else:
            size = plan.size
        if size < minimum:
            yield Hit(f"the default CMA area is {format_size(size)}, below the {want} minimum "
                      f"(--min-cma): {who}; {fix}", at)


def _decided_by(ctx: Context, minimum: int) -> tuple[str, Location, str]:
    """(which input sets the default size, where it is, how to reach ``minimum``)."""
    plan = ctx.cma_plan
    want = format_size(minimum)
    cma_option = f"cma={mem_value(minimum)}"
    if plan.source == "cmdline" and ctx.cmdline is not None and ctx.cmdline.cma is not None:
        src = from_where(ctx, "cma")
        return (f"{ctx.cmdline.cma.text} on the command line{src} sets it",
                ctx.at_param("cma"), f"raise it to {cma_option}")
    if plan.source == "dt" and plan.node is not None:
        node = ctx.dt.node(plan.node)
        ignored = ""
        if plan.kconfig_size:
            ignored = f", replacing the Kconfig size of {format_size(plan.kconfig_size)}"
        at = (ctx.at(node, "size" if node.prop("size") is not None else "reg")
              if node is not None else Location(file=ctx.dt.source, node=plan.node))
        fix = f"raise its size to at least {want}"
        if ctx.kernel.cma_bypass_mode != "none":  # 5.6+: cma= bypasses the region (CMA103)
            fix += f" (or pass {cma_option}, which bypasses it)"
        return (f"this linux,cma-default region sets it{ignored}", at, fix)
    if plan.source == "none":  # no CONFIG_DMA_CMA (a size of None never gets here)
        return ("CONFIG_DMA_CMA is not set", ctx.at_symbol("CONFIG_DMA_CMA"),
                f"set CONFIG_DMA_CMA=y with a default size of at least {want}")
    # source "kconfig" with a known size: the plan names the value that decided it
    symbol = plan.kconfig_symbol
    return (f"Kconfig sets it ({plan.kconfig_reason})", ctx.at_symbol(symbol),
            f"raise {symbol} or pass {cma_option}")
