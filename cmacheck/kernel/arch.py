"""Architecture facts: page size, MAX_ORDER defaults, huge page orders, DMA limits.

The DMA-limit helpers return what arch code passes to ``dma_contiguous_reserve()``
(kernel-model.md §2.6).  Addresses are ints; ``dram_end`` is exclusive.
"""

from __future__ import annotations

from collections.abc import Mapping

from cmacheck.kernel.kconfig import first_int, int_value, is_enabled

ARCHES = ("arm64", "arm", "riscv64")

_ALIASES = {
    "arm64": "arm64",
    "aarch64": "arm64",
    "arm": "arm",
    "armhf": "arm",
    "armel": "arm",
    "arm32": "arm",
    "riscv64": "riscv64",
    "riscv": "riscv64",
}

U32_MAX = 0xFFFF_FFFF
SZ_4G = 1 << 32
SZ_1M = 1 << 20

#: COMMAND_LINE_SIZE (arch/*/include/uapi/asm/setup.h) [SRC 6.1].
COMMAND_LINE_SIZE = {"arm64": 2048, "arm": 1024, "riscv64": 1024}

#: arm32 kernel virtual split (CONFIG_VMSPLIT_*) -> PAGE_OFFSET.
ARM_VMSPLIT_PAGE_OFFSET = {
    "VMSPLIT_3G": 0xC000_0000,
    "VMSPLIT_3G_OPT": 0xB000_0000,
    "VMSPLIT_2G": 0x8000_0000,
    "VMSPLIT_1G": 0x4000_0000,
}
#: arm32 VMALLOC_END (arch/arm/include/asm/pgtable.h) and VMALLOC_OFFSET.
ARM_VMALLOC_END = 0xFF80_0000
ARM_VMALLOC_OFFSET = 8 * SZ_1M
#: arm32 default vmalloc area
#: (arch/arm/mm/mmu.c: vmalloc_min = VMALLOC_END - 240 MiB - VMALLOC_OFFSET).
ARM_DEFAULT_VMALLOC_SIZE = 240 * SZ_1M


def normalize_arch(arch: str) -> str:
    """Map ``"aarch64"``/``"armhf"``/``"riscv"`` ... to ``arm64``/``arm``/``riscv64``.

    Raises:
        ValueError: unknown architecture.
    """
    key = arch.strip().lower()
    if key not in _ALIASES:
        raise ValueError(f"architecture {arch!r} is not modelled (use one of {', '.join(ARCHES)})")
    return _ALIASES[key]


def page_shift(arch: str, symbols: Mapping[str, str]) -> int:
    """PAGE_SHIFT: arm64 from ARM64_{4K,16K,64K}_PAGES (or ARM64_PAGE_SHIFT), 12 elsewhere."""
    if arch != "arm64":
        return 12
    explicit = int_value(symbols, "ARM64_PAGE_SHIFT")
    if explicit is not None:
        return explicit
    if is_enabled(symbols, "ARM64_64K_PAGES"):
        return 16
    if is_enabled(symbols, "ARM64_16K_PAGES"):
        return 14
    return 12


def lpae(arch: str, symbols: Mapping[str, str]) -> bool:
    return arch == "arm" and is_enabled(symbols, "ARM_LPAE")


def hugetlb_enabled(arch: str, symbols: Mapping[str, str]) -> bool:
    """CONFIG_HUGETLB_PAGE; on arm32 it needs LPAE (ARCH_SUPPORTS_HUGETLBFS if ARM_LPAE)."""
    if arch == "arm" and not lpae(arch, symbols):
        return False
    return is_enabled(symbols, "HUGETLB_PAGE")


def thp_enabled(arch: str, symbols: Mapping[str, str]) -> bool:
    """CONFIG_TRANSPARENT_HUGEPAGE; on arm32 it needs LPAE."""
    if arch == "arm" and not lpae(arch, symbols):
        return False
    return is_enabled(symbols, "TRANSPARENT_HUGEPAGE")


def pmd_order(arch: str, shift: int) -> int:
    """HUGETLB_PAGE_ORDER = HPAGE_PMD_ORDER = PMD_SHIFT - PAGE_SHIFT.

    arm64: a table level holds PAGE_SIZE/8 entries -> PAGE_SHIFT-3 (9/11/13);
    arm32 LPAE and riscv64: 2 MiB PMD with 4K pages -> 9.
    """
    if arch == "arm64":
        return shift - 3
    return 21 - shift


def arm64_memstart_align(page_shift: int, section_size_bits: int) -> int:
    """ARM64_MEMSTART_ALIGN: arm64_memblock_init rounds the start of DRAM down to it before
    placing the linear map (arch/arm64/include/asm/kernel-pgtable.h; arch/arm64/mm/init.c
    from 6.9) [SRC 5.10, 6.1, mainline].

    ARM64_MEMSTART_SHIFT is PUD_SHIFT with 4K pages and CONT_PMD_SHIFT with 16K (both 30),
    PMD_SHIFT with 64K (29); the alignment is at least a sparsemem section
    (SECTION_SIZE_BITS): 1 GiB for every page size before 5.12, 512 MiB with 64K after.
    """
    shift = 30 if page_shift < 16 else page_shift + pmd_order("arm64", page_shift)  # PMD_SHIFT
    return 1 << max(shift, section_size_bits)


def default_max_order(
    arch: str,
    shift: int,
    symbols: Mapping[str, str],
    *,
    inclusive: bool,
    thp_dependent: bool,
) -> int:
    """Kconfig default of ARCH_FORCE_MAX_ORDER / FORCE_MAX_ZONEORDER (or the generic value).

    Values as the kernel of that version defines MAX_ORDER: exclusive before 6.4
    (arm64 14/12/11, arm 11 (12 AM33XX, 9 SA1111), generic 11), one less from 6.4.
    """
    thp = thp_enabled(arch, symbols)
    if arch == "arm64":
        if shift == 16 and (thp or not thp_dependent):
            value = 14
        elif shift == 14 and (thp or not thp_dependent):
            value = 12
        else:
            value = 11
    elif arch == "arm":
        if is_enabled(symbols, "SOC_AM33XX"):
            value = 12
        elif is_enabled(symbols, "SA1111"):
            value = 9
        else:
            value = 11
    else:
        value = 11
    return value - 1 if inclusive else value


def max_order(
    arch: str,
    shift: int,
    symbols: Mapping[str, str],
    *,
    symbol: str,
    inclusive: bool,
    thp_dependent: bool,
) -> int:
    """MAX_ORDER / MAX_PAGE_ORDER from the config, or the version's default."""
    other = "FORCE_MAX_ZONEORDER" if symbol == "ARCH_FORCE_MAX_ORDER" else "ARCH_FORCE_MAX_ORDER"
    given = first_int(symbols, (symbol, other))
    if given is not None and given > 0:
        return given
    return default_max_order(arch, shift, symbols, inclusive=inclusive, thp_dependent=thp_dependent)


def smp_cache_bytes(arch: str, symbols: Mapping[str, str]) -> int:
    """SMP_CACHE_BYTES = L1_CACHE_BYTES: 64 on arm64/riscv64, 1 << ARM_L1_CACHE_SHIFT on arm.

    arm: ARM_L1_CACHE_SHIFT defaults to 7 with ARM_L1_CACHE_SHIFT_7, 6 with
    ARM_L1_CACHE_SHIFT_6 (selected by CPU_V7 ...), else 5.
    """
    if arch != "arm":
        return 64
    shift = int_value(symbols, "ARM_L1_CACHE_SHIFT")
    if shift is None:
        if is_enabled(symbols, "ARM_L1_CACHE_SHIFT_7"):
            shift = 7
        elif is_enabled(symbols, "ARM_L1_CACHE_SHIFT_6") or is_enabled(symbols, "CPU_V7"):
            shift = 6
        else:
            shift = 5
    return 1 << shift


def phys_addr_bits(arch: str, symbols: Mapping[str, str]) -> int:
    """Width of phys_addr_t: 64 on arm64/riscv64, on arm 64 only with LPAE (PHYS_ADDR_T_64BIT)."""
    if arch == "arm" and not lpae(arch, symbols):
        return 32
    return 64


def pa_bits(arch: str, symbols: Mapping[str, str]) -> int:
    """Physical address bits the MMU covers (PHYS_MASK_SHIFT / MAX_PHYSMEM_BITS)."""
    if arch == "arm64":
        return int_value(symbols, "ARM64_PA_BITS") or 48
    if arch == "arm":
        return 40 if lpae(arch, symbols) else 32
    return 56


# ---------------------------------------------------------------------- arm64 DMA limit


def zone_dma_bits(dt_max_cpu_addr: int | None, acpi_max_cpu_addr: int | None = None) -> int:
    """5.11-6.11 arm64 ``zone_dma_bits = min3(32, fls64(dt), fls64(iort))``.

    ``None`` means "no constraint" (PHYS_ADDR_MAX: fls64 = 64).
    """
    dt_bits = 64 if dt_max_cpu_addr is None else dt_max_cpu_addr.bit_length()
    acpi_bits = 64 if acpi_max_cpu_addr is None else acpi_max_cpu_addr.bit_length()
    return min(32, dt_bits, acpi_bits)


def _window_limit(dram_start: int, dram_end: int, bits: int) -> int:
    # <=5.10.0 max_zone_dma_phys / max_zone_phys(bits): the 2^bits window that starts at
    # the 2^bits-aligned base of DRAM, capped at the end of DRAM.
    offset = dram_start & ~((1 << bits) - 1)
    return min(offset + (1 << bits), dram_end)


def arm64_max_zone_phys_bits(dram_start: int, dram_end: int, bits: int, phys_addr_max: int) -> int:
    """5.11-6.11 ``max_zone_phys(zone_bits)`` (exclusive end of the zone)."""
    zone_mask = (1 << bits) - 1
    if dram_start > U32_MAX:
        zone_mask = phys_addr_max
    elif dram_start > zone_mask:
        zone_mask = U32_MAX
    return min(zone_mask, dram_end - 1) + 1


def arm64_max_zone_phys_limit(dram_start: int, dram_end: int, zone_limit: int) -> int:
    """6.12+ ``max_zone_phys(zone_limit)``: exact limit, capped to 4 GiB if DRAM starts below it."""
    if dram_start < U32_MAX:
        zone_limit = min(zone_limit, U32_MAX)
    return min(zone_limit, dram_end - 1) + 1


def arm64_dma_phys_limit(
    mode: str,
    dram_start: int,
    dram_end: int,
    *,
    dt_max_cpu_addr: int | None = None,
    acpi_max_cpu_addr: int | None = None,
    zone_dma: bool = True,
    zone_dma32: bool = True,
    phys_mask_end: int = 1 << 48,
) -> int:
    """The limit arm64 passes to dma_contiguous_reserve() (exclusive), per ``mode``.

    ``mode`` is :attr:`KernelModel.arm64_dma_limit_mode`:

    * ``dma32-window`` (<=5.4) and ``zone-dma32`` (5.5-5.10.0): the 4 GiB window starting
      at the 4 GiB-aligned DRAM base, capped at DRAM end (bff3b04460a8 kept CMA in
      ZONE_DMA32 when the fixed 30-bit ZONE_DMA appeared).
    * ``zone-dma-bits`` (5.11+, 5.10.y, up to 6.11): ZONE_DMA sized by
      ``fls64(of_dma_get_max_cpu_address())`` capped at 32 bits, power-of-two.
    * ``zone-dma-limit`` (6.12+, all 6.12.y): the exact DT/IORT limit, capped at 4 GiB
      when DRAM starts below 4 GiB.

    ``dt_max_cpu_addr`` is the *inclusive* ``of_dma_get_max_cpu_address(NULL)`` (None:
    no ``dma-ranges`` constraint).  Without ZONE_DMA the ZONE_DMA32 limit is used,
    without both ``PHYS_MASK + 1`` (``phys_mask_end``).
    """
    if dram_end <= dram_start:
        raise ValueError("DRAM end must be above DRAM start")
    phys_addr_max = (1 << 64) - 1
    if mode in ("dma32-window", "zone-dma32"):
        if not zone_dma32:
            return phys_mask_end
        return _window_limit(dram_start, dram_end, 32)
    if mode == "zone-dma-bits":
        if zone_dma:
            bits = zone_dma_bits(dt_max_cpu_addr, acpi_max_cpu_addr)
            return arm64_max_zone_phys_bits(dram_start, dram_end, bits, phys_addr_max)
        if zone_dma32:
            return arm64_max_zone_phys_bits(dram_start, dram_end, 32, phys_addr_max)
        return phys_mask_end
    if mode == "zone-dma-limit":
        if zone_dma:
            limit = min(
                phys_addr_max if dt_max_cpu_addr is None else dt_max_cpu_addr,
                phys_addr_max if acpi_max_cpu_addr is None else acpi_max_cpu_addr,
            )
            return arm64_max_zone_phys_limit(dram_start, dram_end, limit)
        if zone_dma32:
            return arm64_max_zone_phys_limit(dram_start, dram_end, U32_MAX)
        return phys_mask_end
    raise ValueError(f"unknown arm64 DMA limit mode {mode!r}")


def arm64_dma32_limit(mode: str, dram_start: int, dram_end: int) -> int:
    """End of ZONE_DMA32 on arm64 (exclusive), for zone-straddle checks."""
    if mode in ("dma32-window", "zone-dma32"):
        return _window_limit(dram_start, dram_end, 32)
    if mode == "zone-dma-bits":
        return arm64_max_zone_phys_bits(dram_start, dram_end, 32, (1 << 64) - 1)
    return arm64_max_zone_phys_limit(dram_start, dram_end, U32_MAX)


# ---------------------------------------------------------------------- arm32


def arm_dma_limit(
    phys_offset: int,
    *,
    zone_dma: bool,
    machine_dma_zone_size: int | None = None,
    phys_addr_max: int = U32_MAX,
) -> int:
    """arm32 ``arm_dma_limit`` (INCLUSIVE, as the kernel keeps it) [SRC 6.1 setup_dma_zone].

    PHYS_OFFSET + machine ``dma_zone_size`` - 1 when a board file sets one; else
    0xffffffff with ZONE_DMA, ~0 (``phys_addr_max``) without.  mm/cma.c masks it with
    ~(align-1), so 0xffffffff becomes 0xffe00000 with 2 MiB alignment.
    """
    if zone_dma and machine_dma_zone_size:
        return phys_offset + machine_dma_zone_size - 1
    if zone_dma:
        return U32_MAX
    return phys_addr_max


def arm_page_offset(symbols: Mapping[str, str]) -> int:
    """arm32 PAGE_OFFSET from CONFIG_PAGE_OFFSET or the VMSPLIT_* choice (default 3G/1G)."""
    explicit = int_value(symbols, "PAGE_OFFSET")
    if explicit is not None:
        return explicit
    for name, value in ARM_VMSPLIT_PAGE_OFFSET.items():
        if is_enabled(symbols, name):
            return value
    return ARM_VMSPLIT_PAGE_OFFSET["VMSPLIT_3G"]


def arm_lowmem_end(
    dram_start: int,
    dram_end: int,
    page_offset: int = ARM_VMSPLIT_PAGE_OFFSET["VMSPLIT_3G"],
    *,
    vmalloc_size: int = ARM_DEFAULT_VMALLOC_SIZE,
) -> int:
    """ESTIMATE of the arm32 lowmem/highmem boundary (physical, exclusive).

    adjust_lowmem_bounds(): lowmem ends where the virtual address reaches
    ``vmalloc_min = VMALLOC_END - vmalloc_size - VMALLOC_OFFSET`` (0xf0000000 with the
    default 240 MiB), i.e. ``PHYS_OFFSET + (vmalloc_min - PAGE_OFFSET)``: 768 MiB of lowmem
    with VMSPLIT_3G, 1792 MiB with 2G/2G.  Assumes PHYS_OFFSET == DRAM start (patched
    phys-virt) and one contiguous bank; the kernel additionally rounds the memblock
    limit to the section size and honours ``vmalloc=``, which callers pass as
    ``vmalloc_size``.  ``high_memory`` (and mm/cma.c ``highmem_start``) is this value;
    without CONFIG_HIGHMEM the RAM above it is dropped.
    """
    vmalloc_min = ARM_VMALLOC_END - vmalloc_size - ARM_VMALLOC_OFFSET
    lowmem_bytes = max(0, vmalloc_min - page_offset)
    return min(dram_end, dram_start + lowmem_bytes)


# ---------------------------------------------------------------------- riscv


def riscv_dma32_limit(dram_end: int) -> int:
    """riscv ``dma32_phys_limit = min(4 GiB, PFN_PHYS(max_low_pfn))`` (absolute 4 GiB).

    [SRC 5.10-7.2]
    """
    return min(SZ_4G, dram_end)
