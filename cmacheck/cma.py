"""The default CMA area's size, and which input decided it (kernel-model.md §2.1-§2.4).

The kernel decides the default area in kernel/dma/contiguous.c (drivers/base/dma-contiguous.c
before 5.0), in this order:

1. ``cma=`` on the command line (``early_cma``). Any occurrence counts, ``cma=0`` included: since
   5.6 ("dma-contiguous: CMA: give precedence to cmdline") ``rmem_cma_setup`` then bypasses a
   ``linux,cma-default`` region, and ``dma_contiguous_reserve`` uses the command line size, base
   and limit instead of Kconfig. Size 0 means no default area at all. Before 5.6 there is no
   bypass: a DT default region already exists when ``dma_contiguous_reserve`` runs, and the
   kernel silently ignores ``cma=``.
2. A ``/reserved-memory`` region with ``linux,cma-default`` that ``rmem_cma_setup`` accepted
   before ``dma_contiguous_reserve`` runs: the Kconfig area is then skipped
   (``if (selected_size && !dma_contiguous_default_area)``). arm64 always sets up DT regions
   first. On 32-bit arm and riscv with the reserved-memory restructure (6.13+, and 6.12.13+
   stable) static regions are set up only at ``unflatten_device_tree``, after
   ``dma_contiguous_reserve``: a static default region no longer suppresses the Kconfig area,
   both are reserved, and the DT region becomes the default afterwards (§2.2).
3. Kconfig: ``CMA_SIZE_SEL_MBYTES`` -> ``CMA_SIZE_MBYTES`` MiB; ``_PERCENTAGE`` ->
   ``CMA_SIZE_PERCENTAGE`` percent of ``memblock_phys_mem_size()`` in whole pages
   (``pages * pct / 100``, rounded down); ``_MIN``/``_MAX`` -> min/max of both. A symbol that is
   not defined counts as 0 (``CMA_SIZE_MBYTES`` depends on !SEL_PERCENTAGE and
   ``CMA_SIZE_PERCENTAGE`` on !SEL_MBYTES). Size 0: no area, no message.

Without CONFIG_DMA_CMA none of this code is built: no default area, ``cma=`` is an unknown
parameter and ``linux,cma-default`` regions are not CMA pools.

The size here is what is requested; mm/cma.c:cma_declare_contiguous_nid later rounds it up to the
CMA alignment (``aligned_size``). Placement (base, limits) comes from the memblock dry run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from cmacheck.load.cmdline import Cmdline
from cmacheck.units import format_size, hexaddr

CmaSource = Literal["cmdline", "dt", "kconfig", "none"]

_MIB = 1 << 20
_SEL = ("MBYTES", "PERCENTAGE", "MIN", "MAX")


@dataclass(frozen=True, slots=True)
class DtDefault:
    """The ``/reserved-memory`` region with ``linux,cma-default`` that wins (the last set up)."""

    path: str
    size: int | None
    """Its size; None when it is dynamic and its size is not known."""
    static: bool
    """True for a ``reg`` region, False for a dynamic (``size``) one."""


@dataclass(frozen=True, slots=True)
class CmaSizePlan:
    """The default CMA area as the kernel will request it, with one line of provenance per step."""

    size: int | None
    """Requested size of the default area; 0 for none; None when it cannot be resolved."""
    source: CmaSource
    node: str | None
    """The DT node that is the default area (source "dt")."""
    explain: tuple[str, ...]
    ignored: tuple[str, ...]
    """Inputs that ask for something the kernel will not do, one line each."""
    kconfig_size: int | None
    """What Kconfig selects (None: no .config, CONFIG_DMA_CMA off, or RAM size unknown)."""
    declare: bool = False
    """``dma_contiguous_reserve`` declares an area named ``reserved`` (cmdline or Kconfig size)."""
    declared_size: int | None = None
    """The size it declares (differs from ``size`` when a static DT default replaces it later)."""
    base: int = 0
    """``cma=...@base`` (0: anywhere)."""
    limit: int = 0
    """``cma=...-limit`` or base + size (0: only the arch DMA limit applies)."""
    fixed: bool = False
    """``cma=size@base``: reserve exactly at base (mm/cma.c clears it when base is 0)."""


def aligned_size(size: int, alignment: int) -> int:
    """``ALIGN(size, alignment)`` as mm/cma.c applies it to the requested size."""
    if alignment <= 0:
        raise ValueError(f"alignment must be positive, not {alignment}")
    return -(-size // alignment) * alignment


def _kconfig_int(symbols: Mapping[str, str], name: str, notes: list[str]) -> int:
    raw = symbols.get(name)
    if raw is None or raw == "":
        return 0
    try:
        return int(raw, 16) if raw.lower().startswith("0x") else int(raw, 10)
    except ValueError:
        notes.append(f"CONFIG_{name}={raw} is not a number: taken as 0")
        return 0


def _restructured(version: tuple[int, int, int]) -> bool:
    # of: reserved_mem restructure (8a6e02d0c00e): mainline 6.13, 6.12-stable from ~6.12.13.
    return version >= (6, 13, 0) or (6, 12, 13) <= version < (6, 13, 0)


def _bypass_message(node: str, version: tuple[int, int, int]) -> str:
    name = node.rsplit("/", 1)[-1]
    if version >= (7, 0, 0):
        return 'Skipping dt linux,cma-default node in favor for "cma=" kernel param.'
    return f"Reserved memory: bypass {name} node, using cmdline CMA params instead"


def _kconfig_size(
    symbols: Mapping[str, str],
    phys_mem_size: int | None,
    page_size: int,
    arch: str,
    explain: list[str],
) -> tuple[int | None, str]:
    """Returns (size or None when unresolvable, the symbol text that decided it)."""
    sel = [s for s in _SEL if symbols.get(f"CMA_SIZE_SEL_{s}") == "y"]
    mbytes = _kconfig_int(symbols, "CMA_SIZE_MBYTES", explain)
    pct = _kconfig_int(symbols, "CMA_SIZE_PERCENTAGE", explain)
    size_bytes = mbytes * _MIB
    mb_text = (
        f"CONFIG_CMA_SIZE_MBYTES={mbytes}"
        if "CMA_SIZE_MBYTES" in symbols
        else ("CONFIG_CMA_SIZE_MBYTES (not defined: 0)")
    )
    pct_text = (
        f"CONFIG_CMA_SIZE_PERCENTAGE={pct}"
        if "CMA_SIZE_PERCENTAGE" in symbols
        else ("CONFIG_CMA_SIZE_PERCENTAGE (not defined: 0)")
    )

    percent: int | None
    percent_text: str
    if pct == 0:
        percent, percent_text = 0, f"{pct_text} → 0"
    elif phys_mem_size is None:
        percent, percent_text = None, f"{pct_text} of an unknown RAM size"
    else:
        pages = phys_mem_size // page_size
        cma_pages = pages * pct // 100
        percent = cma_pages * page_size
        # (total_pages * pct / 100) << PAGE_SHIFT is computed in unsigned long: 32 bits on arm.
        if arch == "arm" and percent >= 1 << 32:
            percent &= (1 << 32) - 1
            explain.append(
                f"32-bit arm computes the percentage in 32 bits: it wraps to {format_size(percent)}"
            )
        percent_text = (
            f"{pct_text} of {format_size(phys_mem_size)} RAM ({pages} pages) "
            f"→ {cma_pages} pages = {format_size(percent)}"
        )

    if not sel:
        explain.append("no CONFIG_CMA_SIZE_SEL_* is set: the Kconfig size is 0")
        return 0, "CONFIG_CMA_SIZE_SEL_*"
    # The #ifdef chain in dma_contiguous_reserve tests MBYTES, PERCENTAGE, MIN, MAX in this order.
    choice = sel[0]
    sel_text = f"CONFIG_CMA_SIZE_SEL_{choice}=y"
    if choice == "MBYTES":
        explain.append(f"{sel_text} selects {mb_text} → {format_size(size_bytes)}")
        return size_bytes, mb_text
    if choice == "PERCENTAGE":
        if percent is None:
            explain.append(
                f"{sel_text} selects {percent_text}: the size cannot be resolved without "
                "the RAM size"
            )
            return None, pct_text
        explain.append(f"{sel_text} selects {percent_text}")
        return percent, pct_text
    pick = min if choice == "MIN" else max
    word = "smaller" if choice == "MIN" else "larger"
    if percent is None:
        # min(0, x) and max(x, 0) do not need x.
        if choice == "MIN" and size_bytes == 0:
            explain.append(f"{sel_text}: {mb_text} is 0, so the smaller of the two is 0")
            return 0, mb_text
        explain.append(
            f"{sel_text} takes the {word} of {mb_text} ({format_size(size_bytes)}) and "
            f"{percent_text}: the size cannot be resolved without the RAM size"
        )
        return None, f"{mb_text} / {pct_text}"
    size = pick(size_bytes, percent)
    explain.append(
        f"{sel_text} takes the {word} of {mb_text} ({format_size(size_bytes)}) and "
        f"{percent_text} → {format_size(size)}"
    )
    return size, f"{mb_text} / {pct_text}"


def plan_cma_size(
    *,
    cmdline: Cmdline,
    symbols: Mapping[str, str] | None,
    dt_default: DtDefault | None,
    phys_mem_size: int | None,
    page_size: int,
    arch: str,
    version: tuple[int, int, int],
) -> CmaSizePlan:
    """Decide the default CMA area's requested size and where that decision came from.

    ``symbols`` is the effective Kconfig without the CONFIG_ prefix (None: no .config given);
    ``dt_default`` is the ``linux,cma-default`` region the caller expects ``rmem_cma_setup`` to
    accept (a rejected one, e.g. misaligned, must not be passed); ``phys_mem_size`` is
    memblock_phys_mem_size() when dma_contiguous_reserve runs (after ``mem=``), None when RAM is
    unknown. phys_addr_t is taken as 64-bit (32-bit arm without LPAE truncates ``cma=`` values).
    """
    explain: list[str] = []
    ignored: list[str] = []
    cma = cmdline.cma

    if symbols is not None and symbols.get("DMA_CMA") != "y":
        why = "CONFIG_DMA_CMA is not set"
        if symbols.get("CMA") != "y":
            why += " (nor CONFIG_CMA)"
        explain.append(f"{why}: the kernel has no default CMA area")
        if cma is not None:
            ignored.append(f"{cma.text} is ignored: {why}, so cma= is an unknown parameter")
        if dt_default is not None:
            ignored.append(f"{dt_default.path} (linux,cma-default) is not a CMA pool: {why}")
        return CmaSizePlan(
            size=0,
            source="none",
            node=None,
            explain=tuple(explain),
            ignored=tuple(ignored),
            kconfig_size=None,
        )

    dt = dt_default
    if dt is not None and symbols is not None and symbols.get("OF_RESERVED_MEM") != "y":
        ignored.append(
            f"{dt.path} (linux,cma-default) is not set up: CONFIG_OF_RESERVED_MEM is not set"
        )
        dt = None

    kconfig_size: int | None = None
    kconfig_text = ""
    kconfig_explain: list[str] = []
    if symbols is not None:
        kconfig_size, kconfig_text = _kconfig_size(
            symbols, phys_mem_size, page_size, arch, kconfig_explain
        )

    if cma is not None and dt is not None and version < (5, 6, 0):
        # No bypass before 5.6: the DT region is already the default area.
        explain.extend(kconfig_explain)
        explain.append(f"{dt.path} is the default CMA area (linux,cma-default)")
        ignored.append(
            f"{cma.text} is ignored: before 5.6 the kernel does not bypass {dt.path} for cma= "
            "and drops cma= silently"
        )
        if kconfig_size:
            ignored.append(f"{kconfig_text} is ignored: {dt.path} is the default CMA area")
        return CmaSizePlan(
            size=dt.size,
            source="dt",
            node=dt.path,
            explain=tuple(explain),
            ignored=tuple(ignored),
            kconfig_size=kconfig_size,
        )

    if cma is not None:
        explain.extend(kconfig_explain)
        if cma.size == 0:
            explain.append(f"{cma.text} on the command line: no default CMA area at all")
        else:
            where = ""
            if cma.fixed:
                where = f" at exactly {hexaddr(cma.base)}"
            elif cma.base or cma.limit:
                where = f" within {hexaddr(cma.base)}-{hexaddr(cma.limit)}"
            lead = "overrides it" if symbols is not None else "sets it"
            explain.append(
                f"{cma.text} on the command line {lead} → {format_size(cma.size)}{where}"
            )
        if kconfig_size:
            ignored.append(
                f"{kconfig_text} is ignored: {cma.text} on the command line overrides it"
            )
        if dt is not None:
            ignored.append(
                f"{dt.path} (linux,cma-default) is bypassed: {cma.text} takes precedence "
                f"(the kernel prints '{_bypass_message(dt.path, version)}')"
            )
        return CmaSizePlan(
            size=cma.size,
            source="cmdline",
            node=None,
            explain=tuple(explain),
            ignored=tuple(ignored),
            kconfig_size=kconfig_size,
            declare=cma.size != 0,
            declared_size=cma.size if cma.size else None,
            base=cma.base,
            limit=cma.limit,
            fixed=cma.fixed,
        )

    if dt is not None:
        explain.extend(kconfig_explain)
        late = dt.static and arch in ("arm", "riscv64") and _restructured(version)
        size_text = "size unknown" if dt.size is None else format_size(dt.size)
        if late:
            explain.append(
                f"{dt.path} (linux,cma-default, {size_text}) is set up only at "
                f"unflatten_device_tree on {arch} {'.'.join(map(str, version))}, after "
                "dma_contiguous_reserve()"
            )
            if kconfig_size is None and symbols is not None:
                explain.append("the Kconfig area is reserved too (size unresolved)")
            elif kconfig_size:
                explain.append(
                    f"the Kconfig area ({format_size(kconfig_size)}) is reserved too, then "
                    f"{dt.path} replaces it as the default area"
                )
            elif symbols is None:
                explain.append(
                    "the Kconfig area is reserved too when the .config selects one "
                    "(no .config given)"
                )
            return CmaSizePlan(
                size=dt.size,
                source="dt",
                node=dt.path,
                explain=tuple(explain),
                ignored=tuple(ignored),
                kconfig_size=kconfig_size,
                declare=symbols is None or kconfig_size != 0,
                declared_size=kconfig_size or None,
            )
        explain.append(f"{dt.path} is the default CMA area (linux,cma-default, {size_text})")
        if kconfig_size:
            ignored.append(f"{kconfig_text} is ignored: {dt.path} is the default CMA area")
        return CmaSizePlan(
            size=dt.size,
            source="dt",
            node=dt.path,
            explain=tuple(explain),
            ignored=tuple(ignored),
            kconfig_size=kconfig_size,
        )

    if symbols is None:
        explain.append("no .config given: the Kconfig default CMA size is unknown")
        return CmaSizePlan(
            size=None,
            source="none",
            node=None,
            explain=tuple(explain),
            ignored=tuple(ignored),
            kconfig_size=None,
        )

    explain.extend(kconfig_explain)
    if kconfig_size == 0:
        explain.append("size 0: the kernel reserves no default CMA area (and prints nothing)")
    return CmaSizePlan(
        size=kconfig_size,
        source="kconfig",
        node=None,
        explain=tuple(explain),
        ignored=tuple(ignored),
        kconfig_size=kconfig_size,
        declare=kconfig_size != 0,
        declared_size=kconfig_size or None,
    )
