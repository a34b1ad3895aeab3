"""The default CMA area's size, and which input decided it.

The kernel facts that change between versions come from the :class:`KernelModel` of the kernel
being checked (its data rows in cmacheck.kernel.changes are named below; the specification they
come from is ../shared/docs/kernel-model.md, §2.1-§2.4).

The kernel decides the default area in kernel/dma/contiguous.c (drivers/base/dma-contiguous.c
before 5.0), in this order:

1. ``cma=`` on the command line (``early_cma``). Any occurrence counts, ``cma=0`` included: since
   5.6 (row ``cma.bypass_mode``: "dma-contiguous: CMA: give precedence to cmdline")
   ``rmem_cma_setup`` then bypasses a
   ``linux,cma-default`` region, and ``dma_contiguous_reserve`` uses the command line size, base
   and limit instead of Kconfig. Size 0 means no default area at all. Before 5.6 there is no
   bypass: a DT default region already exists when ``dma_contiguous_reserve`` runs, and the
   kernel silently ignores ``cma=``.
2. A ``/reserved-memory`` region with ``linux,cma-default`` that ``rmem_cma_setup`` accepted
   before ``dma_contiguous_reserve`` runs: the Kconfig area is then skipped
   (``if (selected_size && !dma_contiguous_default_area)``). arm64 always sets up DT regions
   first. On 32-bit arm and riscv with the reserved-memory restructure (6.13+, and 6.12.13+
   stable; rows ``era`` E5/E6 and ``cma.static_default_early``) static regions are set up only
   at ``unflatten_device_tree``, after ``dma_contiguous_reserve``: a static default region no
   longer suppresses the Kconfig area, both are reserved, and the DT region becomes the default
   afterwards.
3. Kconfig: ``CMA_SIZE_SEL_MBYTES`` -> ``CMA_SIZE_MBYTES`` MiB; ``_PERCENTAGE`` ->
   ``CMA_SIZE_PERCENTAGE`` percent of ``memblock_phys_mem_size()`` in whole pages
   (``pages * pct / 100``, rounded down); ``_MIN``/``_MAX`` -> min/max of both. A symbol that is
   not defined counts as 0 (``CMA_SIZE_MBYTES`` depends on !SEL_PERCENTAGE and
   ``CMA_SIZE_PERCENTAGE`` on !SEL_MBYTES). Size 0: no area, no message. The plan records
   which of the two values decided the size (``kconfig_symbol``, set by :func:`_kconfig_size`),
   so that findings point at that ``.config`` line.

Without CONFIG_DMA_CMA none of this code is built: no default area, ``cma=`` is an unknown
parameter and ``linux,cma-default`` regions are not CMA pools.

Which ``linux,cma-default`` region that is, is decided in one place, :func:`dt_default`, for the
dry run (from what its replay set up) and for a board without RAM (from the nodes alone).

The size here is what is requested; mm/cma.c:cma_declare_contiguous_nid later rounds it up to the
CMA alignment (``aligned_size``). Placement (base, limits) comes from the memblock dry run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from cmacheck.load.cmdline import Cmdline
from cmacheck.records import record
from cmacheck.units import format_size, hexaddr

if TYPE_CHECKING:
    from cmacheck.kernel import KernelModel

CmaSource = Literal["cmdline", "dt", "kconfig", "none"]

_MIB = 1 << 20
_SEL = ("MBYTES", "PERCENTAGE", "MIN", "MAX")


@record()
class DtDefault:
    """The ``/reserved-memory`` region with ``linux,cma-default`` that wins (the last set up).

    Built by :func:`dt_default`, the one place that applies the kernel's rules.
    """

    path: str
    size: int | None
    """Its size; None when it is dynamic and its size is not known."""
    static: bool
    """True for a ``reg`` region, False for a dynamic (``size``) one."""
    late: bool = False
    """Set up only after ``dma_contiguous_reserve()`` (static regions on arm/riscv E5/E6 at
    ``unflatten_device_tree``; every region on riscv before 6.1): it replaces the default area
    afterwards instead of suppressing the cmdline/Kconfig one."""
    early: str | None = None
    """With ``late``: the ``linux,cma-default`` region that already was the default area when
    ``dma_contiguous_reserve()`` ran (so no cmdline/Kconfig area was reserved), or None."""
    early_size: int | None = None
    """The size of ``early``."""
    bypassed: tuple[str, ...] = ()
    """With ``cma=`` (5.6+): every ``linux,cma-default`` region ``rmem_cma_setup`` skips, in
    set-up order (the kernel prints one bypass message each); ``path`` is the last."""


@record()
class DefaultCandidate:
    """A ``/reserved-memory`` child with ``linux,cma-default``, as :func:`dt_default` reads it."""

    path: str
    size: int | None
    """Its size (first ``reg`` entry or ``size``); None when unknown."""
    static: bool
    base: int | None = None
    """First ``reg`` base of a static region (orders statics before E5)."""
    cma_pool: bool = True
    """The node alone qualifies for ``rmem_cma_setup``: available, ``shared-dma-pool``,
    ``reusable``, no ``no-map``."""
    outcome: str | None = None
    """What the dry run's ``rmem_cma_setup`` did with it: ``"created"`` (it became a CMA pool,
    the default pointer was set), ``"bypassed"`` (``cma=``), ``"rejected"`` (anything else);
    None when there was no replay (RAM unknown): then ``cma_pool`` decides."""


@record()
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
    kconfig_symbol: str | None = None
    """The ``.config`` value that decided ``kconfig_size`` (``CONFIG_CMA_SIZE_MBYTES`` or
    ``CONFIG_CMA_SIZE_PERCENTAGE``; under SEL_MIN/SEL_MAX the one that won; no SEL_* at all:
    ``CONFIG_CMA_SIZE_MBYTES``, Kconfig's default choice).  None without a .config, with
    CONFIG_DMA_CMA off, or when SEL_MIN/SEL_MAX cannot be resolved (RAM unknown)."""
    kconfig_reason: str = ""
    """The explain line saying how Kconfig selects its size ("" without a .config or with
    CONFIG_DMA_CMA off)."""
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


def _at_unflatten(static: bool, kernel: KernelModel) -> bool:
    """Is a static region set up only at ``unflatten_device_tree``, after
    ``dma_contiguous_reserve()``?

    arm32 (``arm_memblock_init``) and riscv (``setup_bootmem``) call ``dma_contiguous_reserve``
    before ``unflatten_device_tree``, where E5/E6 set up static regions (row
    ``cma.static_default_early``); arm64 calls it in ``bootmem_init``, after
    (``static_cma_default_suppresses_kconfig_default``).
    """
    return static and not kernel.static_cma_default_suppresses_kconfig_default


def _set_up_late(static: bool, kernel: KernelModel) -> bool:
    """Does ``rmem_cma_setup`` run for this region only after ``dma_contiguous_reserve()``?

    Static regions: see :func:`_at_unflatten`.  riscv before 6.1
    (``default_cma_before_dt_scan``, row ``riscv.default_cma_before_dt_scan``) reserved the
    default area before scanning ``/reserved-memory`` at all.
    """
    return kernel.default_cma_before_dt_scan or _at_unflatten(static, kernel)


def dt_default(
    candidates: Sequence[DefaultCandidate],
    *,
    kernel: KernelModel,
    cmdline: Cmdline,
) -> DtDefault | None:
    """Which ``linux,cma-default`` region is the default CMA area.

    ``candidates``: every ``linux,cma-default`` child in DT order, except that dynamic ones may
    come in the order the kernel allocates them (the dry run knows it: up to 6.4 the unstable
    heapsort; without a replay the DT order stands in for it).  Rules:

    * ``rmem_cma_setup`` sets the default pointer for every region it accepts: the last one set
      up wins, silently.  Set-up order: dynamic regions first (E5/E6 allocate and set them up
      in DT order during the early scan; before, the sorted array puts their 0/0 records
      first), then static ones (E5/E6: DT order at ``unflatten_device_tree``; before: by base,
      size).
    * With a replay only regions that became CMA pools count (``outcome``); without one, the
      node's own properties (``cma_pool``).
    * ``cma=`` from 5.6 (``cma_bypass_mode``, row ``cma.bypass_mode``) bypasses every such
      region: then the bypassed one is returned, so that the plan can say so
      (``plan_cma_size`` lets ``cma=`` win).
    * ``late`` / ``early``: see :func:`_set_up_late` and :class:`DtDefault`.
    """
    bypass = cmdline.cma is not None and kernel.cma_bypass_mode != "none"

    def counts(c: DefaultCandidate) -> bool:
        if c.outcome is None:
            return c.cma_pool
        return c.outcome == ("bypassed" if bypass else "created")

    dynamic = [c for c in candidates if not c.static]
    static = [c for c in candidates if c.static]
    if kernel.era not in ("E5", "E6"):  # the of_reserved_mem restructure
        static.sort(key=lambda c: (c.base or 0, c.size or 0))  # stable: DT order on ties
    order = [c for c in dynamic + static if counts(c)]
    if not order:
        return None
    last = order[-1]
    if bypass:
        return DtDefault(path=last.path, size=last.size, static=last.static,
                         bypassed=tuple(c.path for c in order))
    late = _set_up_late(last.static, kernel)
    early = None
    if late:
        before = [c for c in order if not _set_up_late(c.static, kernel)]
        early = before[-1] if before else None
    return DtDefault(
        path=last.path,
        size=last.size,
        static=last.static,
        late=late,
        early=early.path if early is not None else None,
        early_size=early.size if early is not None else None,
    )


def _bypass_message(node: str, kernel: KernelModel) -> str:
    """The line the kernel prints for a bypassed region (message ``cma_bypass``), rendered as
    the dry run emits it: with the node name in ``rmem_cma_setup`` (``bypass-message``), without
    in E6's ``node_validate`` (``skip-before-reserve``)."""
    if kernel.cma_bypass_mode == "bypass-message":
        lines = kernel.log_lines("cma_bypass", node.rsplit("/", 1)[-1])
    else:
        lines = kernel.log_lines("cma_bypass")
    return lines[0] if lines else ""


@record()
class _KconfigSize:
    """What :func:`_kconfig_size` found."""

    size: int | None
    """None when it cannot be resolved (a percentage of unknown RAM)."""
    text: str
    """The symbol text that decided it, as the ``ignored`` lines quote it."""
    symbol: str | None
    """The ``CONFIG_`` value whose setting became the size (see ``CmaSizePlan.kconfig_symbol``)."""
    reason: str
    """The explain line that says how the size is selected."""


_MB_SYM = "CONFIG_CMA_SIZE_MBYTES"
_PCT_SYM = "CONFIG_CMA_SIZE_PERCENTAGE"


def _kconfig_size(
    symbols: Mapping[str, str],
    phys_mem_size: int | None,
    kernel: KernelModel,
    explain: list[str],
) -> _KconfigSize:
    """The Kconfig size, the one place that decides which symbol sized it (appends to explain)."""
    page_size = kernel.page_size
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
        if kernel.arch == "arm" and percent >= 1 << 32:
            percent &= (1 << 32) - 1
            explain.append(
                f"32-bit arm computes the percentage in 32 bits: it wraps to {format_size(percent)}"
            )
        percent_text = (
            f"{pct_text} of {format_size(phys_mem_size)} RAM ({pages} pages) "
            f"→ {cma_pages} pages = {format_size(percent)}"
        )

    def decided(size: int | None, text: str, symbol: str | None, reason: str) -> _KconfigSize:
        explain.append(reason)
        return _KconfigSize(size=size, text=text, symbol=symbol, reason=reason)

    if not sel:
        return decided(0, "CONFIG_CMA_SIZE_SEL_*", _MB_SYM,
                       "no CONFIG_CMA_SIZE_SEL_* is set: the Kconfig size is 0")
    # The #ifdef chain in dma_contiguous_reserve tests MBYTES, PERCENTAGE, MIN, MAX in this order.
    choice = sel[0]
    sel_text = f"CONFIG_CMA_SIZE_SEL_{choice}=y"
    if choice == "MBYTES":
        return decided(size_bytes, mb_text, _MB_SYM,
                       f"{sel_text} selects {mb_text} → {format_size(size_bytes)}")
    if choice == "PERCENTAGE":
        if percent is None:
            return decided(None, pct_text, _PCT_SYM,
                           f"{sel_text} selects {percent_text}: the size cannot be resolved "
                           "without the RAM size")
        return decided(percent, pct_text, _PCT_SYM, f"{sel_text} selects {percent_text}")
    both = f"{mb_text} / {pct_text}"
    word = "smaller" if choice == "MIN" else "larger"
    if percent is None:
        # min(0, x) and max(x, 0) do not need x.
        if choice == "MIN" and size_bytes == 0:
            return decided(0, mb_text, _MB_SYM,
                           f"{sel_text}: {mb_text} is 0, so the smaller of the two is 0")
        return decided(None, both, None,
                       f"{sel_text} takes the {word} of {mb_text} ({format_size(size_bytes)}) "
                       f"and {percent_text}: the size cannot be resolved without the RAM size")
    # min()/max() of equal values: either symbol decides; name CMA_SIZE_MBYTES.
    mbytes_wins = size_bytes <= percent if choice == "MIN" else size_bytes >= percent
    size = size_bytes if mbytes_wins else percent
    return decided(size, both, _MB_SYM if mbytes_wins else _PCT_SYM,
                   f"{sel_text} takes the {word} of {mb_text} ({format_size(size_bytes)}) and "
                   f"{percent_text} → {format_size(size)}")


def _size_text(size: int | None) -> str:
    return "size unknown" if size is None else format_size(size)


def _late_reason(dt: DtDefault, kernel: KernelModel) -> str:
    arch, ver = kernel.arch, kernel.version_text
    if _at_unflatten(dt.static, kernel):
        return (
            f"on {arch} {ver} dma_contiguous_reserve() runs before static /reserved-memory "
            "regions are set up (unflatten_device_tree), so no default CMA area exists yet"
        )
    return (
        f"on {arch} {ver} dma_contiguous_reserve() runs before /reserved-memory is scanned, "
        "so no default CMA area exists yet"
    )


def _late_replaces(dt: DtDefault, what: str, kernel: KernelModel) -> str:
    when = "at unflatten_device_tree" if _at_unflatten(dt.static, kernel) else "later"
    return (
        f"{dt.path} (linux,cma-default, {_size_text(dt.size)}) is set up {when} and replaces "
        f"{what} as the default CMA area: dma_alloc_* for devices without a memory-region of "
        "their own allocate from it"
    )


def plan_cma_size(
    *,
    kernel: KernelModel,
    cmdline: Cmdline,
    symbols: Mapping[str, str] | None,
    dt_default: DtDefault | None,
    phys_mem_size: int | None,
) -> CmaSizePlan:
    """Decide the default CMA area's requested size and where that decision came from.

    ``kernel`` supplies the version/arch facts (``page_size`` too: the model already reflects a
    ``--page-size`` what-if); ``symbols`` is the effective Kconfig without the CONFIG_ prefix
    (None: no .config given); ``dt_default`` is the ``linux,cma-default`` region the caller
    expects ``rmem_cma_setup`` to accept (a rejected one, e.g. misaligned, must not be passed);
    ``phys_mem_size`` is
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

    kconfig: _KconfigSize | None = None
    if symbols is not None:
        kconfig = _kconfig_size(symbols, phys_mem_size, kernel, explain)
    kconfig_size = kconfig.size if kconfig is not None else None

    def kconfig_ignored(because: str) -> None:
        if kconfig is not None and kconfig.size:
            ignored.append(f"{kconfig.text} is ignored: {because}")

    # cma= bypasses linux,cma-default regions from 5.6 (cma_bypass_mode); before, a DT
    # region that is already the default area when dma_contiguous_reserve() runs (not one set
    # up only afterwards) makes the kernel drop cma= silently.
    bypass = cma is not None and kernel.cma_bypass_mode != "none"
    late = dt is not None and dt.late and dt.early is None

    size: int | None
    source: CmaSource
    node: str | None = None
    declare = False
    declared_size: int | None = None
    if cma is not None and dt is not None and not bypass and not late:
        source, node, size = "dt", dt.path, dt.size
        explain.append(f"{dt.path} is the default CMA area (linux,cma-default)")
        ignored.append(
            f"{cma.text} is ignored: before 5.6 the kernel does not bypass {dt.path} for cma= "
            "and drops cma= silently"
        )
        kconfig_ignored(f"{dt.path} is the default CMA area")
        cma = None  # dropped: no base, limit or fixed placement either
    elif cma is not None:
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
        kconfig_ignored(f"{cma.text} on the command line overrides it")
        source, size = "cmdline", cma.size
        declare, declared_size = cma.size != 0, cma.size or None
        if dt is not None and not bypass:
            # set up after dma_contiguous_reserve() (late): it replaces the cmdline area
            source, node, size = "dt", dt.path, dt.size
            explain.append(_late_replaces(dt, f"the {cma.text} area", kernel))
        elif dt is not None:
            for path in dt.bypassed or (dt.path,):
                ignored.append(
                    f"{path} (linux,cma-default) is bypassed: {cma.text} takes precedence "
                    f"(the kernel prints '{_bypass_message(path, kernel)}')"
                )
    elif dt is not None:
        source, node, size = "dt", dt.path, dt.size
        size_text = _size_text(dt.size)
        if dt.late and dt.early is not None:
            # An earlier (dynamic) default suppressed the Kconfig area; the late one replaces it.
            explain.append(
                f"{dt.early} (linux,cma-default, {_size_text(dt.early_size)}) is already the "
                "default CMA area when dma_contiguous_reserve() runs: no Kconfig area is "
                "reserved"
            )
            explain.append(_late_replaces(dt, dt.early, kernel))
            kconfig_ignored(
                f"{dt.early} is the default CMA area when dma_contiguous_reserve() runs"
            )
        elif dt.late:
            # dma_contiguous_reserve() declares the Kconfig area, the DT region replaces it.
            declare, declared_size = symbols is None or kconfig_size != 0, kconfig_size or None
            if kconfig_size == 0:
                explain.append(
                    f"{dt.path} (linux,cma-default, {size_text}) is the default CMA area "
                    "(set up after dma_contiguous_reserve(), which reserves nothing: "
                    "Kconfig size 0)"
                )
            else:
                if symbols is None:
                    kconfig_area = ("the Kconfig area too when the .config selects one (no "
                                    ".config given)")
                elif kconfig_size is None:
                    kconfig_area = "the Kconfig area 'reserved' too (size unresolved)"
                else:
                    kconfig_area = f"the Kconfig area 'reserved' ({format_size(kconfig_size)})"
                explain.append(f"{_late_reason(dt, kernel)}: it reserves {kconfig_area}")
                explain.append(_late_replaces(dt, "it", kernel))
                if kconfig_size:
                    both = ("" if dt.size is None
                            else f" ({format_size(kconfig_size + dt.size)} of CMA in all)")
                    explain.append(f"both areas are reserved{both}: 'reserved' stays a CMA "
                                   "area that no dma_alloc_* uses by default")
        else:
            explain.append(f"{dt.path} is the default CMA area (linux,cma-default, {size_text})")
            kconfig_ignored(f"{dt.path} is the default CMA area")
    elif symbols is None:
        source, size = "none", None
        explain.append("no .config given: the Kconfig default CMA size is unknown")
    else:
        source, size = "kconfig", kconfig_size
        declare, declared_size = kconfig_size != 0, kconfig_size or None
        if kconfig_size == 0:
            explain.append("size 0: the kernel reserves no default CMA area (and prints nothing)")

    return CmaSizePlan(
        size=size,
        source=source,
        node=node,
        explain=tuple(explain),
        ignored=tuple(ignored),
        kconfig_size=kconfig_size,
        kconfig_symbol=kconfig.symbol if kconfig is not None else None,
        kconfig_reason=kconfig.reason if kconfig is not None else "",
        declare=declare,
        declared_size=declared_size,
        base=cma.base if cma is not None else 0,
        limit=cma.limit if cma is not None else 0,
        fixed=cma.fixed if cma is not None else False,
    )
