"""The kernel model: every per-version / per-arch / per-config fact the dry run needs.

``kernel_model(version, arch, symbols)`` resolves the data table in
:mod:`cmacheck.kernel.changes` for one kernel and combines it with the arch rules in
:mod:`cmacheck.kernel.arch` and the effective Kconfig values.  The result is a frozen
:class:`KernelModel`; nothing here reads files or keeps global state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from cmacheck.kernel import arch as _arch
from cmacheck.kernel.changes import CHANGES
from cmacheck.kernel.kconfig import int_value, is_enabled
from cmacheck.kernel.printk import render
from cmacheck.kernel.versions import (
    Change,
    Msg,
    Value,
    Version,
    check_range,
    format_version,
    parse_version,
    resolve,
)
from cmacheck.records import field, fields, record

__all__ = ["ERAS", "EraInfo", "KernelModel", "kernel_model", "parse_version"]


@record()
class EraInfo:
    """One era of /reserved-memory processing (kernel-model.md §1.0)."""

    name: str
    first_mainline: Version
    stable_backports: str
    summary: str


ERAS: Mapping[str, EraInfo] = {
    "E2": EraInfo(
        "E2",
        (5, 0, 0),
        "",
        "dynamic via find-in-range + reserve/remove; static no-map = memblock_remove; "
        "heapsort order",
    ),
    "E3": EraInfo(
        "E3",
        (5, 12, 0),
        "5.10.y has the no-map EBUSY backport but stays E2",
        "static no-map = mark NOMAP with EBUSY check; heapsort order",
    ),
    "E4": EraInfo(
        "E4",
        (6, 5, 0),
        "",
        "dynamic regions allocated in DT order (stable sort); alloc-ranges direction heuristic",
    ),
    "E5": EraInfo(
        "E5",
        (6, 13, 0),
        "6.12.13+",
        "dynamic regions allocated and initialised during the early scan; statics at "
        "unflatten; /memreserve/ after",
    ),
    "E6": EraInfo(
        "E6",
        (7, 1, 0),
        "",
        "per-compatible validate/fixup/init ops; cmdline-vs-linux,cma-default rejected "
        "before reservation",
    ),
}

_MESSAGE_KEYS = tuple(sorted({c.name[4:] for c in CHANGES if c.name.startswith("msg.")}))


def _index(changes: Sequence[Change]) -> Mapping[str, tuple[Change, ...]]:
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.name, []).append(change)
    return MappingProxyType({name: tuple(rows) for name, rows in grouped.items()})


# Read-only index of the data table by fact name (built once; never mutated).
_BY_NAME = _index(CHANGES)


@record(init=False)
class KernelModel:
    """Facts about one kernel build (version x arch x Kconfig).  See each field's comment.

    Built with every fact as a keyword argument (``kernel_model``, ``records.replace``).
    """

    def __init__(self, **facts: Any) -> None:
        # Written by hand: @record would compile a 73-parameter __init__ on every start of
        # the program, for the one model a run builds; this one also names what is wrong.
        facts.pop("message_index", None)  # derived: records.replace() hands the old one back
        if facts.keys() != _FACT_NAMES:
            missing = sorted(_FACT_NAMES - facts.keys())
            extra = sorted(facts.keys() - _FACT_NAMES)
            raise TypeError(f"KernelModel: missing facts {missing}, unknown facts {extra}")
        for name, value in facts.items():
            object.__setattr__(self, name, value)
        # msg() is called for every emitted line: one dict, built once per (lru-cached) model
        object.__setattr__(self, "message_index", dict(facts["messages"]))

    version: Version  # (major, minor, sublevel)
    arch: str  # "arm64" | "arm" | "riscv64"
    era: str  # "E2".."E6" (kernel-model.md §1.0)
    # -- pages and orders (§5)
    page_shift: int  # PAGE_SHIFT
    page_size: int  # PAGE_SIZE in bytes
    max_order: int  # value of MAX_ORDER / MAX_PAGE_ORDER as this kernel defines it
    max_order_inclusive: bool  # True from 6.4: MAX_ORDER is the largest order, not largest+1
    max_order_symbol: str  # FORCE_MAX_ZONEORDER (<6.1) / ARCH_FORCE_MAX_ORDER
    hugetlb_page: bool  # CONFIG_HUGETLB_PAGE effective (arm32 needs LPAE)
    transparent_hugepage: bool  # CONFIG_TRANSPARENT_HUGEPAGE effective
    huge_page_order: int  # HUGETLB_PAGE_ORDER == HPAGE_PMD_ORDER for this page size
    pageblock_order: int  # pageblock_order
    cma_min_alignment: int  # CMA minimum alignment in bytes (formula per version, §5)
    # -- Kconfig: CMA (§2.4, §3.3)
    cma: bool  # CONFIG_CMA
    dma_cma: bool  # CONFIG_DMA_CMA (DT CMA pools + default area)
    of_reserved_mem: bool  # CONFIG_OF_RESERVED_MEM
    numa: bool  # CONFIG_NUMA
    cma_areas: int  # effective CONFIG_CMA_AREAS (Kconfig default 7/19 before 6.9, 8/20 after)
    cma_slots: int  # MAX_CMA_AREAS: 1 + CMA_AREAS before 6.9, CMA_AREAS after
    cma_size_sel: str  # "mbytes" | "percentage" | "min" | "max"
    cma_size_mbytes: int  # CONFIG_CMA_SIZE_MBYTES (0 if undefined by the choice)
    cma_size_percentage: int  # CONFIG_CMA_SIZE_PERCENTAGE (0 if undefined by the choice)
    # -- arch
    smp_cache_bytes: int  # default alignment of dynamic reserved-memory allocations
    phys_addr_bits: int  # width of phys_addr_t (arm32: 32 unless ARM_LPAE)
    phys_addr_max: int  # PHYS_ADDR_MAX
    phys_mask_end: int  # 1 << physical address bits (arm64 PHYS_MASK + 1)
    command_line_size: int  # COMMAND_LINE_SIZE (bootargs truncated to this - 1)
    highmem: bool  # CONFIG_HIGHMEM (arm only)
    arm_page_offset: int  # arm: PAGE_OFFSET from VMSPLIT_* / CONFIG_PAGE_OFFSET; 0 elsewhere
    zone_dma: bool  # CONFIG_ZONE_DMA
    zone_dma32: bool  # CONFIG_ZONE_DMA32
    # arm64: dma32-window | zone-dma32 | zone-dma-bits | zone-dma-limit;
    # arm: arm-dma-limit; riscv64: dma32
    dma_limit_mode: str
    memmap_before_default_cma: (
        bool  # arm64 <7.2: sparse_init memmap allocated before the default CMA
    )
    default_cma_before_dt_scan: bool  # riscv <6.1: default CMA placed before the DT scan
    dtb_reserved_after_scan: (
        bool  # riscv >=6.1: DTB reserved after early_init_fdt_scan_reserved_mem
    )
    # -- /reserved-memory (§1)
    max_reserved_regions: int  # MAX_RESERVED_REGIONS (32 in 5.4.y, 64 from 5.7)
    dynamic_reserved_mem_array: bool  # E5+: final array sized to the node count
    dynamic_early_limit: int  # E5+: dynamic nodes handled by the early scan (0 = no limit array)
    find_node: str  # "depth1-exact-name" (callback scan) | "fdt-path-offset"
    dynamic_alloc_order: (
        str  # "heapsort" (<=6.4) | "stable-sorted" (6.5-6.12.12) | "dt-order" (E5+)
    )
    overlap_sort_key: str  # sort key of the overlap check
    overlap_check_sees_dynamic: bool  # E5+: overlap check runs after dynamic allocation
    memreserve_after_dynamic: bool  # E5+: /memreserve/ reserved after dynamic allocation
    static_init_late: bool  # E5+: static regions recorded/initialised at unflatten_device_tree
    no_map_mode: str  # static no-map: "remove" | "nomap-ebusy" | "nomap-ebusy-ram-only"
    dynamic_no_map_mode: str  # dynamic no-map: "remove" | "nomap" | "reserve+nomap"
    reg_multi_entry: (
        str  # "all-reserved-first-recorded" | "all-reserved-none-recorded" | "first-only"
    )
    invalid_reg_drops_node: bool  # <=E5: bad reg length -> message + node dropped
    invalid_alloc_ranges_drops_node: bool  # <=E5: bad alloc-ranges -> message + node dropped
    empty_reg_is_absent: bool  # E6: reg = <> treated as no reg
    alloc_ranges_direction_heuristic: bool  # 6.5+: bottom-up/top-down next to recorded regions
    heuristic_sees_statics: bool  # E4: statics are recorded when the heuristic runs
    init_failure_cleanup: str  # "free-and-readd" (<=5.14) | "clear-nomap-or-free"
    no_driver_result: str  # "enoent" | "enodev" (E6)
    reusable_nomap_result: str  # sdp reusable+no-map: "matching-fail" (<=E5) | "no-driver" (E6)
    summary_line: bool  # 6.3+: per-region "%pa..%pa (%lu KiB) ..." line
    cma_arch_fixup_at_reserve: bool  # E5+: dma_contiguous_early_fixup at reservation time
    # -- CMA behaviour (§2, §3)
    cma_bypass_mode: str  # "none" | "bypass-message" | "skip-before-reserve" (E6)
    cma_cmdline_limit_mode: str  # "min-not-zero" | "cmdline-wins" (6.17+)
    cma_numa_mode: str  # "none" | "pernuma" | "numa" | "numa+size-pernuma"
    static_cma_default_suppresses_kconfig_default: bool  # False on arm/riscv in E5+
    cma_bottom_up_above_4g: bool  # 5.11+ and 64-bit phys_addr_t
    cma_bottom_up_threshold: str  # "dram-end" (<7.2) | "limit" (7.2)
    highmem_before_bottom_up: bool  # <=6.1: highmem attempt before the bottom-up attempt
    cma_highmem_needs_config: bool  # 7.2: highmem split only with CONFIG_HIGHMEM
    cma_printed_size: str  # "rounded" | "requested" (6.15+)
    cma_slot_failure_prints_failed: bool  # 6.15+: "Failed to reserve" also after "Not enough slots"
    cma_activation_message: bool  # 5.8+: "CMA area %s could not be activated"
    kernel_reserved_from_stext: bool  # arm64: image reserved from _stext (load + 64 KiB)
    section_size_bits: int  # sparsemem SECTION_SIZE_BITS (arm64 30 before 5.12; riscv 27)
    cma_numa_stage: str  # where per-NUMA CMA areas are declared (none|bootmem|contiguous-*)
    hugetlb_cma_mode: str  # how hugetlb_cma= sizes are checked ("round-up" ... see changes.py)
    hugetlb_cma_align: str  # alignment of hugetlb_cma areas ("pmd" or gigantic page)
    hugetlb_cma_stage: str  # where hugetlb_cma areas are declared (bootmem|after-contiguous)
    cma_init_check_order: str  # order of cma_init_reserved_mem checks
    cma_min_align_formula: str  # "max-order-or-pageblock" (<5.19) | "pageblock"
    # -- messages and provenance
    messages: tuple[tuple[str, Msg | None], ...]
    citations: tuple[tuple[str, str], ...]
    # derived from ``messages`` by __init__ (not a fact): key -> Msg | None, for msg()
    message_index: Mapping[str, Msg | None] = field(repr=False, compare=False)

    @property
    def pageblock_bytes(self) -> int:
        """Size of a pageblock in bytes."""
        return self.page_size << self.pageblock_order

    @property
    def max_page_order(self) -> int:
        """Largest allocatable buddy order (MAX_ORDER - 1 before 6.4)."""
        return self.max_order if self.max_order_inclusive else self.max_order - 1

    @property
    def rmem_prefix(self) -> str:
        """pr_fmt prefix of the /reserved-memory scan messages (``OF: fdt: `` before 6.9)."""
        msg = self.msg("unsupported_node")
        return msg.prefix if msg is not None else ""

    @property
    def version_text(self) -> str:
        return format_version(self.version)

    def msg(self, key: str) -> Msg | None:
        """The message ``key`` (see ``MESSAGE_KEYS``) or None if this kernel never prints it.

        Raises:
            KeyError: unknown message key.
        """
        try:
            return self.message_index[key]
        except KeyError:
            raise KeyError(f"unknown kernel message {key!r}") from None

    def log_lines(self, key: str, *args: int | str) -> list[str]:
        """Exact log lines the kernel prints for message ``key`` with ``args`` ([] if none)."""
        msg = self.msg(key)
        if msg is None:
            return []
        return render(msg, args, self.phys_addr_bits)

    def cite(self, name: str) -> str:
        """Citation of the data row that decided fact ``name`` (e.g. ``"era"``)."""
        for fact, text in self.citations:
            if fact == name:
                return text
        raise KeyError(f"no citation for {name!r}")

    def lowmem_end(
        self,
        dram_start: int,
        dram_end: int,
        *,
        vmalloc_size: int = _arch.ARM_DEFAULT_VMALLOC_SIZE,
    ) -> int:
        """Physical end of lowmem (exclusive): arm32 estimate, end of DRAM on 64-bit arches.

        See :func:`cmacheck.kernel.arch.arm_lowmem_end` for the arm32 estimate.
        """
        if self.arch != "arm":
            return dram_end
        return _arch.arm_lowmem_end(
            dram_start, dram_end, self.arm_page_offset, vmalloc_size=vmalloc_size
        )

    def dma_limit(
        self,
        dram_start: int,
        dram_end: int,
        *,
        dt_max_cpu_addr: int | None = None,
        acpi_max_cpu_addr: int | None = None,
        arm_phys_offset: int | None = None,
        arm_machine_dma_zone_size: int | None = None,
    ) -> int:
        """The limit arch code passes to dma_contiguous_reserve(), as an EXCLUSIVE end.

        arm64: §2.6 per :attr:`dma_limit_mode`; arm: ``arm_dma_limit + 1`` (the kernel
        keeps it inclusive, see :func:`cmacheck.kernel.arch.arm_dma_limit`); riscv64:
        min(4 GiB, end of DRAM).
        """
        if self.arch == "arm64":
            return _arch.arm64_dma_phys_limit(
                self.dma_limit_mode,
                dram_start,
                dram_end,
                dt_max_cpu_addr=dt_max_cpu_addr,
                acpi_max_cpu_addr=acpi_max_cpu_addr,
                zone_dma=self.zone_dma,
                zone_dma32=self.zone_dma32,
                phys_mask_end=self.phys_mask_end,
            )
        if self.arch == "arm":
            inclusive = _arch.arm_dma_limit(
                dram_start if arm_phys_offset is None else arm_phys_offset,
                zone_dma=self.zone_dma,
                machine_dma_zone_size=arm_machine_dma_zone_size,
                phys_addr_max=self.phys_addr_max,
            )
            return inclusive + 1
        return _arch.riscv_dma32_limit(dram_end)


MESSAGE_KEYS: tuple[str, ...] = _MESSAGE_KEYS
_FACT_NAMES = frozenset(f.name for f in fields(KernelModel)) - {"message_index"}


def _section_size_bits(arch: str, page_size: int, arm64_bits: int) -> int:
    """SECTION_SIZE_BITS: arm64 per the data row (5.12+: 29 with 64K pages), riscv 27."""
    if arch == "arm64":
        return 29 if arm64_bits == 27 and page_size == 65536 else arm64_bits
    return 27


def _pageblock_order(
    rule: str,
    *,
    largest_order: int,
    huge_order: int,
    hugetlb: bool,
    thp: bool,
    cap: int | None,
) -> int:
    # include/linux/pageblock-flags.h per version (kernel-model.md §5).
    if rule == "hugetlb-uncapped":
        return huge_order if hugetlb else largest_order
    if rule == "hugetlb-capped":
        return min(huge_order, largest_order) if hugetlb else largest_order
    if rule == "hugetlb-or-thp":
        return min(huge_order, largest_order) if (hugetlb or thp) else largest_order
    # 6.16+: CONFIG_PAGE_BLOCK_(MAX_)ORDER is an upper bound (default = MAX_PAGE_ORDER).
    limit = largest_order if cap is None else cap
    return min(huge_order, limit) if (hugetlb or thp) else limit


def _cma_size_sel(symbols: Mapping[str, str]) -> str:
    for sel in ("PERCENTAGE", "MIN", "MAX"):
        if is_enabled(symbols, f"CMA_SIZE_SEL_{sel}"):
            return sel.lower()
    return "mbytes"


def kernel_model(
    version: tuple[int, int, int], arch: str, symbols: Mapping[str, str]
) -> KernelModel:
    """The model of kernel ``version`` for ``arch`` with Kconfig ``symbols`` (see
    :func:`_kernel_model`), built once per distinct input in a process: every board of a
    batch checked against one .config asks for the same model."""
    return _kernel_model((int(version[0]), int(version[1]), int(version[2])), arch,
                         tuple(sorted(symbols.items())))


@lru_cache(maxsize=16)
def _kernel_model(
    version: tuple[int, int, int], arch: str, items: tuple[tuple[str, str], ...]
) -> KernelModel:
    """Build the model of kernel ``version`` for ``arch`` with Kconfig ``items`` (symbols).

    ``symbols``: names without ``CONFIG_`` -> kconfiglib ``str_value``; a missing key means
    "not set".  Int symbols with a Kconfig default (CMA_AREAS, ARCH_FORCE_MAX_ORDER,
    CMA_SIZE_MBYTES ...) fall back to that default when missing.

    Raises:
        ValueError: version outside 5.4-7.x, unknown arch, or an impossible config
            (e.g. PAGE_BLOCK_ORDER above MAX_PAGE_ORDER, which the kernel refuses to build).
    """
    symbols = dict(items)
    check_range(version)
    arch = _arch.normalize_arch(arch)

    citations: list[tuple[str, str]] = []

    def fact(name: str) -> Value:
        change: Change = resolve(_BY_NAME.get(name, ()), name, version)
        citations.append((name, f"[{change.tag}] {change.cite}"))
        return change.value

    def s(name: str) -> str:
        value = fact(name)
        assert isinstance(value, str), name
        return value

    def b(name: str) -> bool:
        value = fact(name)
        assert isinstance(value, bool), name
        return value

    def i(name: str) -> int:
        value = fact(name)
        assert isinstance(value, int) and not isinstance(value, bool), name
        return value

    # -- pages and orders
    shift = _arch.page_shift(arch, symbols)
    inclusive = b("mm.max_order_inclusive")
    symbol = s("mm.max_order_symbol")
    order = _arch.max_order(
        arch,
        shift,
        symbols,
        symbol=symbol,
        inclusive=inclusive,
        thp_dependent=b("mm.arm64_max_order_thp_dependent"),
    )
    largest = order if inclusive else order - 1
    hugetlb = _arch.hugetlb_enabled(arch, symbols)
    thp = _arch.thp_enabled(arch, symbols)
    huge_order = _arch.pmd_order(arch, shift)
    rule = s("mm.pageblock_rule")
    pb_symbol = fact("mm.pageblock_symbol")
    cap: int | None = None
    if isinstance(pb_symbol, str):
        other = (
            "PAGE_BLOCK_ORDER" if pb_symbol == "PAGE_BLOCK_MAX_ORDER" else "PAGE_BLOCK_MAX_ORDER"
        )
        cap = int_value(symbols, pb_symbol)
        if cap is None:
            cap = int_value(symbols, other)
        if cap is not None and not 1 <= cap <= largest:
            raise ValueError(
                f"CONFIG_{pb_symbol}={cap} is outside 1..{largest} (MAX_PAGE_ORDER); "
                "the kernel would not build"
            )
    pageblock = _pageblock_order(
        rule, largest_order=largest, huge_order=huge_order, hugetlb=hugetlb, thp=thp, cap=cap
    )
    page_size = 1 << shift
    formula = s("cma.min_align_formula")
    if formula == "max-order-or-pageblock":
        cma_align = page_size << max(largest, pageblock)
    else:
        cma_align = page_size << pageblock

    # -- CMA Kconfig
    numa = is_enabled(symbols, "NUMA")
    areas = int_value(symbols, "CMA_AREAS")
    if areas is None:
        areas = i("cma.areas_default_numa") if numa else i("cma.areas_default_uma")
    slots = areas + 1 if b("cma.slots_plus_one") else areas
    sel = _cma_size_sel(symbols)
    mbytes = int_value(symbols, "CMA_SIZE_MBYTES")
    if mbytes is None:
        mbytes = 0 if sel == "percentage" else 16
    percentage = int_value(symbols, "CMA_SIZE_PERCENTAGE")
    if percentage is None:
        percentage = 0 if sel == "mbytes" else 10

    # -- arch
    pbits = _arch.phys_addr_bits(arch, symbols)
    if arch == "arm64":
        dma_mode = s("arm64.dma_limit_mode")
    else:
        dma_mode = "arm-dma-limit" if arch == "arm" else "dma32"
    memmap_first = b("arm64.memmap_before_default_cma") if arch == "arm64" else False
    riscv_cma_first = b("riscv.default_cma_before_dt_scan") if arch == "riscv64" else False
    riscv_dtb_late = b("riscv.dtb_reserved_after_scan") if arch == "riscv64" else False
    static_default_early = b("cma.static_default_early")

    messages = tuple((key, _msg(fact(f"msg.{key}"))) for key in _MESSAGE_KEYS)

    return KernelModel(
        version=version,
        arch=arch,
        era=s("era"),
        page_shift=shift,
        page_size=page_size,
        max_order=order,
        max_order_inclusive=inclusive,
        max_order_symbol=symbol,
        hugetlb_page=hugetlb,
        transparent_hugepage=thp,
        huge_page_order=huge_order,
        pageblock_order=pageblock,
        cma_min_alignment=cma_align,
        cma=is_enabled(symbols, "CMA"),
        dma_cma=is_enabled(symbols, "DMA_CMA"),
        of_reserved_mem=is_enabled(symbols, "OF_RESERVED_MEM"),
        numa=numa,
        cma_areas=areas,
        cma_slots=slots,
        cma_size_sel=sel,
        cma_size_mbytes=mbytes,
        cma_size_percentage=percentage,
        smp_cache_bytes=_arch.smp_cache_bytes(arch, symbols),
        phys_addr_bits=pbits,
        phys_addr_max=(1 << pbits) - 1,
        phys_mask_end=1 << _arch.pa_bits(arch, symbols),
        command_line_size=_arch.COMMAND_LINE_SIZE[arch],
        highmem=arch == "arm" and is_enabled(symbols, "HIGHMEM"),
        arm_page_offset=_arch.arm_page_offset(symbols) if arch == "arm" else 0,
        zone_dma=is_enabled(symbols, "ZONE_DMA"),
        zone_dma32=is_enabled(symbols, "ZONE_DMA32"),
        dma_limit_mode=dma_mode,
        memmap_before_default_cma=memmap_first,
        default_cma_before_dt_scan=riscv_cma_first,
        dtb_reserved_after_scan=riscv_dtb_late,
        max_reserved_regions=i("rmem.max_reserved_regions"),
        dynamic_reserved_mem_array=b("rmem.dynamic_array"),
        dynamic_early_limit=i("rmem.dynamic_early_limit"),
        find_node=s("rmem.find_node"),
        dynamic_alloc_order=s("rmem.dynamic_alloc_order"),
        overlap_sort_key=s("rmem.overlap_sort_key"),
        overlap_check_sees_dynamic=b("rmem.overlap_check_sees_dynamic"),
        memreserve_after_dynamic=b("rmem.memreserve_after_dynamic"),
        static_init_late=b("rmem.static_init_late"),
        no_map_mode=s("rmem.no_map_mode"),
        dynamic_no_map_mode=s("rmem.dynamic_no_map_mode"),
        reg_multi_entry=s("rmem.reg_multi_entry"),
        invalid_reg_drops_node=b("rmem.invalid_reg_drops_node"),
        invalid_alloc_ranges_drops_node=b("rmem.invalid_alloc_ranges_drops_node"),
        empty_reg_is_absent=b("rmem.empty_reg_is_absent"),
        alloc_ranges_direction_heuristic=b("rmem.alloc_ranges_direction_heuristic"),
        heuristic_sees_statics=b("rmem.heuristic_sees_statics"),
        init_failure_cleanup=s("rmem.init_failure_cleanup"),
        no_driver_result=s("rmem.no_driver_result"),
        reusable_nomap_result=s("rmem.reusable_nomap_result"),
        summary_line=b("rmem.summary_line"),
        cma_arch_fixup_at_reserve=b("rmem.cma_arch_fixup_at_reserve"),
        cma_bypass_mode=s("cma.bypass_mode"),
        cma_cmdline_limit_mode=s("cma.cmdline_limit_mode"),
        cma_numa_mode=s("cma.numa_mode"),
        static_cma_default_suppresses_kconfig_default=arch == "arm64" or static_default_early,
        cma_bottom_up_above_4g=b("cma.bottom_up_above_4g") and pbits == 64,
        cma_bottom_up_threshold=s("cma.bottom_up_threshold"),
        highmem_before_bottom_up=b("cma.highmem_before_bottom_up"),
        cma_highmem_needs_config=b("cma.highmem_needs_config"),
        cma_printed_size=s("cma.printed_size"),
        cma_slot_failure_prints_failed=b("cma.slot_failure_prints_failed"),
        cma_activation_message=b("cma.activation_message"),
        kernel_reserved_from_stext=b("arm64.kernel_reserved_from_stext"),
        section_size_bits=_section_size_bits(arch, page_size, i("arm64.section_size_bits")),
        cma_numa_stage=s("cma.numa_stage"),
        hugetlb_cma_mode=s("hugetlb.cma_mode"),
        hugetlb_cma_align=s("hugetlb.cma_align"),
        hugetlb_cma_stage=s("hugetlb.cma_stage"),
        cma_init_check_order=s("cma.init_check_order"),
        cma_min_align_formula=formula,
        messages=messages,
        citations=tuple(citations),
    )


def _msg(value: Value) -> Msg | None:
    if value is None or isinstance(value, Msg):
        return value
    raise TypeError(f"message row holds {value!r}")


def model_for(
    version_text: str, arch: str, symbols: Mapping[str, str] | None = None
) -> KernelModel:
    """Convenience: ``kernel_model(parse_version(version_text), arch, symbols or {})``."""
    return kernel_model(parse_version(version_text), arch, symbols or {})


def fact_names() -> Sequence[str]:
    """All fact names in the data table (for docs and completeness tests)."""
    return tuple(sorted({c.name for c in CHANGES}))
