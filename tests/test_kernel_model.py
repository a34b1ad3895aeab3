"""Tests for cmacheck.kernel: eras, orders, CMA alignment, slots, messages, DMA limits.

Expected values come from /work/shared/docs/kernel-model.md (§5 table, §9 QEMU runs on the
Debian 6.1.192 arm64 kernel, §2.4 Debian config) and from the version boundaries settled in
cmacheck/kernel/changes.py.
"""

from __future__ import annotations

import re

import pytest

from cmacheck import records
from cmacheck.kernel import ERAS, MESSAGE_KEYS, KernelModel, kernel_model, parse_version
from cmacheck.kernel.arch import arm_lowmem_end, zone_dma_bits
from cmacheck.kernel.arch import lpae as arch_lpae
from cmacheck.kernel.changes import CHANGES
from cmacheck.kernel.model import fact_names
from cmacheck.kernel.printk import kprintf
from cmacheck.kernel.versions import MIN_VERSION, resolve

MiB = 1 << 20
KiB = 1 << 10
HT = {"HUGETLB_PAGE": "y"}
THP = {"TRANSPARENT_HUGEPAGE": "y"}
HT_THP = {**HT, **THP}
K16 = {"ARM64_16K_PAGES": "y"}
K64 = {"ARM64_64K_PAGES": "y"}
ARM64_ZONES = {"ZONE_DMA": "y", "ZONE_DMA32": "y"}

#: The real Debian 6.1 arm64 config facts (kernel-model.md §2.4 + config-6.1.0-56-arm64).
DEBIAN_61_ARM64 = {
    "ARM64_4K_PAGES": "y",
    "ARCH_FORCE_MAX_ORDER": "11",
    "HUGETLB_PAGE": "y",
    "TRANSPARENT_HUGEPAGE": "y",
    "CMA": "y",
    "DMA_CMA": "y",
    "OF_RESERVED_MEM": "y",
    "CMA_SIZE_SEL_MBYTES": "y",
    "CMA_SIZE_MBYTES": "64",
    "CMA_AREAS": "19",
    "NUMA": "y",
    "DMA_PERNUMA_CMA": "y",
    "ZONE_DMA": "y",
    "ZONE_DMA32": "y",
}


def v(text: str) -> tuple[int, int, int]:
    return parse_version(text)


def model(version: str, arch: str = "arm64", **symbols: str) -> KernelModel:
    return kernel_model(v(version), arch, symbols)


# ------------------------------------------------------------------------- versions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6.1.0-56-arm64", (6, 1, 0)),
        ("6.12.117", (6, 12, 117)),
        ("7.2", (7, 2, 0)),
        ("v6.6-rc3", (6, 6, 0)),
        ("5.10.262-1", (5, 10, 262)),
        (" 6.12.13+deb13-arm64", (6, 12, 13)),
    ],
)
def test_parse_version(text: str, expected: tuple[int, int, int]) -> None:
    assert parse_version(text) == expected


def test_parse_version_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="cannot parse kernel version"):
        parse_version("linux")


@pytest.mark.parametrize("version", ["4.4", "4.19.300", "5.3.18", "8.0", "9.1.2", "2.6.32"])
def test_out_of_range_is_an_error(version: str) -> None:
    with pytest.raises(ValueError, match=re.escape("outside the modelled range 5.4–7.x")):
        kernel_model(v(version), "arm64", {})


def test_out_of_range_message_is_one_line() -> None:
    with pytest.raises(ValueError) as exc:
        kernel_model((4, 4, 0), "arm64", {})
    assert str(exc.value) == "kernel 4.4 is outside the modelled range 5.4–7.x"


def test_unknown_arch_is_an_error() -> None:
    with pytest.raises(ValueError, match="not modelled"):
        kernel_model((6, 1, 0), "x86_64", {})


@pytest.mark.parametrize(
    ("alias", "arch"), [("aarch64", "arm64"), ("armhf", "arm"), ("riscv", "riscv64")]
)
def test_arch_aliases(alias: str, arch: str) -> None:
    assert kernel_model((6, 1, 0), alias, {}).arch == arch


# ------------------------------------------------------------------------- eras (§1.0)


@pytest.mark.parametrize(
    ("version", "era"),
    [
        ("5.4", "E2"),
        ("5.4.286", "E2"),
        ("5.10", "E2"),
        ("5.10.262", "E2"),
        ("5.11", "E2"),
        ("5.12", "E3"),
        ("5.15", "E3"),
        ("6.1", "E3"),
        ("6.1.192", "E3"),
        ("6.4.16", "E3"),
        ("6.5", "E4"),
        ("6.6", "E4"),
        ("6.12.0", "E4"),
        ("6.12.12", "E4"),
        ("6.12.13", "E5"),
        ("6.12.117", "E5"),
        ("6.13", "E5"),
        ("7.0", "E5"),
        ("7.1", "E6"),
        ("7.2", "E6"),
        ("7.2.13", "E6"),
    ],
)
def test_era(version: str, era: str) -> None:
    assert model(version).era == era
    assert era in ERAS


def test_era_first_versions_are_consistent() -> None:
    for name, info in ERAS.items():
        if info.first_mainline >= MIN_VERSION:
            assert model(".".join(map(str, info.first_mainline))).era == name


# ------------------------------------------------------------------------- §5 table

SECTION5_ROWS = [
    # (version, arch, symbols, pageblock_order, cma_min_alignment, max_order, inclusive)
    ("5.10", "arm64", HT, 9, 4 * MiB, 11, False),
    ("5.10", "arm64", {}, 10, 4 * MiB, 11, False),
    ("5.17", "arm64", HT_THP, 9, 4 * MiB, 11, False),
    ("5.10", "arm64", {**K16, **THP}, 11, 32 * MiB, 12, False),
    ("5.10", "arm64", {**K16, **HT}, 11, 32 * MiB, 11, False),
    ("5.10", "arm64", K16, 10, 16 * MiB, 11, False),
    ("5.10", "arm64", {**K64, **THP}, 13, 512 * MiB, 14, False),
    ("5.10", "arm64", {**K64, **HT}, 13, 512 * MiB, 11, False),
    ("5.10", "arm64", K64, 10, 64 * MiB, 11, False),
    ("5.18", "arm64", HT, 9, 4 * MiB, 11, False),
    ("5.19", "arm64", HT, 9, 2 * MiB, 11, False),
    ("6.1", "arm64", HT, 9, 2 * MiB, 11, False),
    ("6.3", "arm64", {}, 10, 4 * MiB, 11, False),
    ("6.1", "arm64", {**K16, **HT}, 11, 32 * MiB, 12, False),
    ("6.1", "arm64", K16, 11, 32 * MiB, 12, False),
    ("6.1", "arm64", {**K64, **HT}, 13, 512 * MiB, 14, False),
    ("6.4", "arm64", HT, 9, 2 * MiB, 10, True),
    ("6.6", "arm64", {**K16, **HT}, 11, 32 * MiB, 11, True),
    ("6.9", "arm64", {**K64, **HT}, 13, 512 * MiB, 13, True),
    ("6.6", "arm64", {}, 10, 4 * MiB, 10, True),
    ("6.9", "arm64", THP, 10, 4 * MiB, 10, True),
    ("6.10", "arm64", THP, 9, 2 * MiB, 10, True),
    ("6.12", "arm64", THP, 9, 2 * MiB, 10, True),
    ("6.15", "arm64", {}, 10, 4 * MiB, 10, True),
    ("6.16", "arm64", {**K16, **HT, "PAGE_BLOCK_ORDER": "8"}, 8, 4 * MiB, 11, True),
    ("6.17", "arm64", {**HT, "PAGE_BLOCK_MAX_ORDER": "5"}, 5, 128 * KiB, 10, True),
    ("7.2", "arm64", {**HT, "PAGE_BLOCK_MAX_ORDER": "10"}, 9, 2 * MiB, 10, True),
    ("5.10", "arm", {}, 10, 4 * MiB, 11, False),
    ("6.1", "arm", {}, 10, 4 * MiB, 11, False),
    ("6.4", "arm", {}, 10, 4 * MiB, 10, True),
    ("6.1", "arm", {"ARM_LPAE": "y", **HT}, 9, 2 * MiB, 11, False),
    ("6.1", "arm", HT, 10, 4 * MiB, 11, False),  # HUGETLB needs LPAE on arm32
    ("5.10", "riscv64", HT, 9, 4 * MiB, 11, False),
    ("6.1", "riscv64", HT, 9, 2 * MiB, 11, False),
    ("6.6", "riscv64", HT, 9, 2 * MiB, 10, True),
    ("6.12", "riscv64", THP, 9, 2 * MiB, 10, True),
]


@pytest.mark.parametrize(
    ("version", "arch", "symbols", "pageblock", "align", "max_order", "inclusive"), SECTION5_ROWS
)
def test_section5_table(
    version: str,
    arch: str,
    symbols: dict[str, str],
    pageblock: int,
    align: int,
    max_order: int,
    inclusive: bool,
) -> None:
    m = kernel_model(v(version), arch, symbols)
    assert m.pageblock_order == pageblock
    assert m.cma_min_alignment == align
    assert m.max_order == max_order
    assert m.max_order_inclusive is inclusive


def test_arm64_16k_without_huge_pages_changed_in_5_12() -> None:
    # Anshuman Khandual's "drop THP conditionality from FORCE_MAX_ZONEORDER" (5.12): the
    # §5 "<=5.17 16K neither -> 16 MiB" row only holds before 5.12.
    assert model("5.11", **K16).cma_min_alignment == 16 * MiB
    m = model("5.15", **K16)
    assert (m.max_order, m.pageblock_order, m.cma_min_alignment) == (12, 11, 32 * MiB)


def test_explicit_max_order_symbol_is_used() -> None:
    assert model("5.10", FORCE_MAX_ZONEORDER="13").max_order == 13
    assert model("6.6", ARCH_FORCE_MAX_ORDER="12").max_order == 12
    m = model("6.6", ARCH_FORCE_MAX_ORDER="12")
    assert m.pageblock_order == 12 and m.cma_min_alignment == 16 * MiB


def test_page_block_order_above_max_is_rejected() -> None:
    with pytest.raises(ValueError, match="would not build"):
        model("6.16", PAGE_BLOCK_ORDER="11")


@pytest.mark.parametrize(
    ("symbols", "page_size"),
    [({}, 4096), (K16, 16384), (K64, 65536), ({"ARM64_PAGE_SHIFT": "14"}, 16384)],
)
def test_arm64_page_size(symbols: dict[str, str], page_size: int) -> None:
    m = kernel_model((6, 1, 0), "arm64", symbols)
    assert m.page_size == page_size
    assert 1 << m.page_shift == page_size


# ------------------------------------------------------------------------- Debian 6.1 config


def test_debian_61_arm64_config() -> None:
    m = kernel_model(parse_version("6.1.0-56-arm64"), "arm64", DEBIAN_61_ARM64)
    assert m.era == "E3"
    assert m.page_size == 4096
    assert m.pageblock_order == 9
    assert m.cma_min_alignment == 2 * MiB  # QEMU t2b: 6 MiB pool at 0xbfa00000
    assert m.cma_areas == 19
    assert m.cma_slots == 20  # QEMU t20: c0..c19 created, c20 out of slots
    assert (m.cma_size_sel, m.cma_size_mbytes, m.cma_size_percentage) == ("mbytes", 64, 0)
    assert m.max_order == 11 and not m.max_order_inclusive
    assert m.max_order_symbol == "ARCH_FORCE_MAX_ORDER"
    assert m.smp_cache_bytes == 64  # QEMU t31: 0x1040-byte pool at ...bfefefc0
    assert m.cma and m.dma_cma and m.of_reserved_mem and m.numa
    assert m.dynamic_alloc_order == "heapsort"
    assert m.no_map_mode == "nomap-ebusy-ram-only"
    assert m.dynamic_no_map_mode == "reserve+nomap"
    assert not m.summary_line
    assert m.cma_bottom_up_above_4g and m.highmem_before_bottom_up
    assert m.command_line_size == 2048


# ------------------------------------------------------------------------- CMA slots


@pytest.mark.parametrize(
    ("version", "symbols", "areas", "slots"),
    [
        ("5.4", {}, 7, 8),
        ("6.1", {}, 7, 8),
        ("6.1", {"NUMA": "y"}, 19, 20),
        ("6.1", {"CMA_AREAS": "19"}, 19, 20),
        ("6.8", {"CMA_AREAS": "7"}, 7, 8),
        ("6.9", {}, 8, 8),
        ("6.9", {"NUMA": "y"}, 20, 20),
        ("6.12", {"CMA_AREAS": "19"}, 19, 19),
        ("7.2", {"NUMA": "y"}, 20, 20),
    ],
)
def test_cma_slots(version: str, symbols: dict[str, str], areas: int, slots: int) -> None:
    m = kernel_model(v(version), "arm64", symbols)
    assert (m.cma_areas, m.cma_slots) == (areas, slots)


@pytest.mark.parametrize(
    ("symbols", "sel", "mbytes", "percentage"),
    [
        ({}, "mbytes", 16, 0),
        ({"CMA_SIZE_SEL_PERCENTAGE": "y"}, "percentage", 0, 10),
        ({"CMA_SIZE_SEL_PERCENTAGE": "y", "CMA_SIZE_PERCENTAGE": "5"}, "percentage", 0, 5),
        ({"CMA_SIZE_SEL_MAX": "y", "CMA_SIZE_MBYTES": "32"}, "max", 32, 10),
        ({"CMA_SIZE_SEL_MIN": "y"}, "min", 16, 10),
    ],
)
def test_cma_size_selection(
    symbols: dict[str, str], sel: str, mbytes: int, percentage: int
) -> None:
    m = kernel_model((6, 1, 0), "arm64", symbols)
    assert (m.cma_size_sel, m.cma_size_mbytes, m.cma_size_percentage) == (sel, mbytes, percentage)


# ------------------------------------------------------------------------- behaviour switches


@pytest.mark.parametrize(
    ("version", "mode"),
    [
        ("5.4", "remove"),
        ("5.4.101", "remove"),
        ("5.4.110", "nomap-ebusy"),  # 5.4.y backport window ...
        ("5.4.120", "remove"),  # ... reverted after 5.4.119
        ("5.10", "remove"),
        ("5.10.30", "nomap-ebusy"),  # 5.10.y kept the backport
        ("5.10.262", "nomap-ebusy"),
        ("5.12", "nomap-ebusy"),
        ("5.17", "nomap-ebusy-ram-only"),
        ("6.12.117", "nomap-ebusy-ram-only"),
    ],
)
def test_static_no_map_mode(version: str, mode: str) -> None:
    assert model(version).no_map_mode == mode


@pytest.mark.parametrize(
    ("version", "order"),
    [
        ("5.10", "heapsort"),
        ("6.1", "heapsort"),
        ("6.4", "heapsort"),
        ("6.5", "stable-sorted"),
        ("6.12.12", "stable-sorted"),
        ("6.12.13", "dt-order"),
        ("6.13", "dt-order"),
        ("7.2", "dt-order"),
    ],
)
def test_dynamic_alloc_order(version: str, order: str) -> None:
    assert model(version).dynamic_alloc_order == order


@pytest.mark.parametrize(
    ("version", "e5"),
    [("6.12.12", False), ("6.12.13", True), ("6.13", True), ("7.2", True), ("6.6", False)],
)
def test_e5_restructure_switches(version: str, e5: bool) -> None:
    m = model(version)
    assert m.memreserve_after_dynamic is e5
    assert m.static_init_late is e5
    assert m.overlap_check_sees_dynamic is e5
    assert m.dynamic_reserved_mem_array is e5
    assert m.heuristic_sees_statics is not e5


@pytest.mark.parametrize(
    ("version", "mode"),
    [
        ("6.1", "all-reserved-first-recorded"),
        ("6.12.117", "all-reserved-first-recorded"),
        ("7.1", "all-reserved-none-recorded"),
        ("7.2", "first-only"),
    ],
)
def test_reg_multi_entry(version: str, mode: str) -> None:
    assert model(version).reg_multi_entry == mode


def test_e6_switches() -> None:
    old, new = model("7.0"), model("7.2")
    assert old.invalid_reg_drops_node and not new.invalid_reg_drops_node
    assert old.invalid_alloc_ranges_drops_node and not new.invalid_alloc_ranges_drops_node
    assert (old.cma_bypass_mode, new.cma_bypass_mode) == ("bypass-message", "skip-before-reserve")
    assert (old.reusable_nomap_result, new.reusable_nomap_result) == ("matching-fail", "no-driver")
    assert new.empty_reg_is_absent and not old.empty_reg_is_absent


@pytest.mark.parametrize(
    ("version", "heuristic", "summary"),
    [("6.1", False, False), ("6.3", False, True), ("6.5", True, True), ("7.2", True, True)],
)
def test_heuristic_and_summary(version: str, heuristic: bool, summary: bool) -> None:
    m = model(version)
    assert m.alloc_ranges_direction_heuristic is heuristic
    assert m.summary_line is summary


@pytest.mark.parametrize(
    ("version", "dynamic_mode"),
    [("5.10", "remove"), ("5.13", "nomap"), ("5.15", "reserve+nomap"), ("7.2", "reserve+nomap")],
)
def test_dynamic_no_map_mode(version: str, dynamic_mode: str) -> None:
    assert model(version).dynamic_no_map_mode == dynamic_mode


@pytest.mark.parametrize(
    ("version", "limit"), [("5.4.286", 32), ("5.6", 32), ("5.7", 64), ("7.2", 64)]
)
def test_max_reserved_regions(version: str, limit: int) -> None:
    assert model(version).max_reserved_regions == limit


def test_cma_bottom_up_needs_5_11_and_64bit_phys() -> None:
    assert not model("5.10").cma_bottom_up_above_4g
    assert model("5.11").cma_bottom_up_above_4g
    assert not model("6.1", "arm").cma_bottom_up_above_4g
    assert model("6.1", "arm", ARM_LPAE="y").cma_bottom_up_above_4g
    assert model("6.1", "riscv64").cma_bottom_up_above_4g


def test_cma_placement_order_switches() -> None:
    assert model("6.1").highmem_before_bottom_up
    assert not model("6.12").highmem_before_bottom_up
    assert model("7.1").cma_bottom_up_threshold == "dram-end"
    assert model("7.2").cma_bottom_up_threshold == "limit"
    assert model("6.16").cma_cmdline_limit_mode == "min-not-zero"
    assert model("6.17").cma_cmdline_limit_mode == "cmdline-wins"


def test_static_cma_default_and_arch_order() -> None:
    assert model("7.2").static_cma_default_suppresses_kconfig_default  # arm64 always
    assert model("6.12.12", "arm").static_cma_default_suppresses_kconfig_default
    assert not model("6.12.117", "arm").static_cma_default_suppresses_kconfig_default
    assert not model("7.2", "riscv64").static_cma_default_suppresses_kconfig_default
    assert model("5.10", "riscv64").default_cma_before_dt_scan
    assert not model("6.1", "riscv64").default_cma_before_dt_scan
    assert model("6.1", "riscv64").dtb_reserved_after_scan
    assert model("6.12").memmap_before_default_cma and not model("7.2").memmap_before_default_cma


@pytest.mark.parametrize("arch", ["arm", "riscv64"])
@pytest.mark.parametrize("version", ["5.4", "6.1", "6.12.12", "6.12.13", "6.13", "7.1", "7.2"])
def test_static_cma_default_late_exactly_in_the_restructure(arch: str, version: str) -> None:
    # cmacheck.cma reads this fact for "a static linux,cma-default is set up after
    # dma_contiguous_reserve()": on arm/riscv that is the of_reserved_mem restructure (E5/E6)
    m = model(version, arch)
    assert m.static_cma_default_suppresses_kconfig_default == (m.era not in ("E5", "E6"))


# ------------------------------------------------------------------------- arch facts


@pytest.mark.parametrize(
    ("symbols", "cache"),
    [
        ({}, 32),
        ({"CPU_V7": "y"}, 64),
        ({"ARM_L1_CACHE_SHIFT_6": "y"}, 64),
        ({"ARM_L1_CACHE_SHIFT": "7"}, 128),
    ],
)
def test_arm32_smp_cache_bytes(symbols: dict[str, str], cache: int) -> None:
    assert kernel_model((6, 1, 0), "arm", symbols).smp_cache_bytes == cache


def test_phys_addr_width() -> None:
    arm = model("6.1", "arm")
    assert (arm.phys_addr_bits, arm.phys_addr_max) == (32, 0xFFFF_FFFF)
    lpae = model("6.1", "arm", ARM_LPAE="y")
    assert lpae.phys_addr_bits == 64 and arch_lpae("arm", {"ARM_LPAE": "y"})
    assert not arch_lpae("arm", {})
    assert model("6.1").phys_addr_max == (1 << 64) - 1
    assert model("6.1", "riscv64").phys_addr_bits == 64
    assert (model("6.1", "arm").command_line_size, model("6.1", "riscv64").command_line_size) == (
        1024,
        1024,
    )


# ------------------------------------------------------------------------- DMA limits (§2.6, §9)

DRAM_2G = (0x4000_0000, 0xC000_0000)  # QEMU virt -m 2048
DRAM_6G = (0x4000_0000, 0x1_C000_0000)  # QEMU virt -m 6144 (t18)
T30_DMA_MAX = 0x4000_0000 + 0x2000_0000 - 1  # dma-ranges cpu 0x40000000 size 512 MiB


@pytest.mark.parametrize(
    ("version", "dram", "dt_max", "limit"),
    [
        ("6.1", DRAM_2G, T30_DMA_MAX, 0x8000_0000),  # t30: ZONE_DMA ends 0x7fffffff
        ("6.11", DRAM_2G, T30_DMA_MAX, 0x8000_0000),
        ("6.12", DRAM_2G, T30_DMA_MAX, 0x6000_0000),  # exact zone_dma_limit
        ("6.12.117", DRAM_2G, T30_DMA_MAX, 0x6000_0000),
        ("7.2", DRAM_2G, T30_DMA_MAX, 0x6000_0000),
        ("6.1", DRAM_6G, None, 0x1_0000_0000),  # t18: DMA [0x40000000-0xffffffff]
        ("6.12", DRAM_6G, None, 0x1_0000_0000),
        ("5.4", DRAM_6G, None, 0x1_0000_0000),
        ("5.10", DRAM_6G, T30_DMA_MAX, 0x1_0000_0000),  # 5.5-5.10.0: ZONE_DMA32 limit
        ("5.10.262", DRAM_6G, T30_DMA_MAX, 0x8000_0000),
        ("6.1", DRAM_2G, None, 0xC000_0000),  # capped at DRAM end
        ("6.1", (0x8_0000_0000, 0x8_8000_0000), None, 0x8_8000_0000),  # DRAM above 4 GiB
        ("6.12", (0x8_0000_0000, 0x8_8000_0000), 0x8_3FFF_FFFF, 0x8_4000_0000),
    ],
)
def test_arm64_dma_limit(
    version: str, dram: tuple[int, int], dt_max: int | None, limit: int
) -> None:
    m = kernel_model(v(version), "arm64", ARM64_ZONES)
    assert m.dma_limit(dram[0], dram[1], dt_max_cpu_addr=dt_max) == limit


def test_arm64_dma_limit_without_zones() -> None:
    only32 = kernel_model((6, 1, 0), "arm64", {"ZONE_DMA32": "y"})
    assert only32.dma_limit(*DRAM_6G, dt_max_cpu_addr=T30_DMA_MAX) == 0x1_0000_0000
    none = kernel_model((6, 1, 0), "arm64", {})
    assert none.dma_limit(*DRAM_6G) == 1 << 48


def test_zone_dma_bits() -> None:
    assert zone_dma_bits(None) == 32
    assert zone_dma_bits(T30_DMA_MAX) == 31
    assert zone_dma_bits(0x3FFF_FFFF) == 30  # RPi4-style 1 GiB DMA window


def test_arm32_dma_limit_and_lowmem() -> None:
    m = model("6.1", "arm", ZONE_DMA="y")
    assert m.dma_limit(*DRAM_2G) == 0x1_0000_0000  # arm_dma_limit 0xffffffff, inclusive
    assert m.dma_limit(*DRAM_2G, arm_machine_dma_zone_size=0x1000_0000) == 0x5000_0000
    assert model("6.1", "arm").dma_limit(*DRAM_2G) == 0x1_0000_0000  # ~0 on 32-bit phys
    assert m.lowmem_end(*DRAM_2G) == 0x7000_0000  # 768 MiB lowmem, VMSPLIT_3G
    assert model("6.1", "arm", VMSPLIT_2G="y").lowmem_end(*DRAM_2G) == 0xB000_0000
    assert m.lowmem_end(*DRAM_2G, vmalloc_size=496 * MiB) == 0x6000_0000  # vmalloc=496M
    assert arm_lowmem_end(0x4000_0000, 0x5000_0000) == 0x5000_0000
    assert model("6.1").lowmem_end(*DRAM_6G) == DRAM_6G[1]


def test_riscv_dma32_limit() -> None:
    m = model("6.1", "riscv64")
    assert m.dma_limit(0x8000_0000, 0x2_8000_0000) == 0x1_0000_0000
    assert m.dma_limit(0x8000_0000, 0xC000_0000) == 0xC000_0000


# ------------------------------------------------------------------------- messages (§10, §9)


@pytest.mark.parametrize(
    ("version", "prefix"),
    [
        ("5.10", "OF: fdt: "),
        ("6.1", "OF: fdt: "),
        ("6.8", "OF: fdt: "),
        ("6.9", "OF: reserved mem: "),
        ("6.12", "OF: reserved mem: "),
        ("7.2", "OF: reserved mem: "),
    ],
)
def test_scan_message_prefix(version: str, prefix: str) -> None:
    m = model(version)
    assert m.rmem_prefix == prefix
    assert m.log_lines("unsupported_node") == [
        f"{prefix}Reserved memory: unsupported node format, ignoring"
    ]


def test_qemu_61_exact_lines() -> None:
    m = kernel_model((6, 1, 0), "arm64", DEBIAN_61_ARM64)
    assert m.log_lines("reserve_failed", "b@50800000", 0x5080_0000, 16) == [
        "OF: fdt: Reserved memory: failed to reserve memory for node 'b@50800000': "
        "base 0x0000000050800000, size 16 MiB"
    ]
    assert m.log_lines("alloc_failed", "huge", 4096) == [
        "OF: reserved mem: failed to allocate memory for node 'huge': size 4096 MiB"
    ]
    assert m.log_lines(
        "overlap", "a@50000000", 0x5000_0000, 0x5100_0000, "b@50800000", 0x5080_0000, 0x5180_0000
    ) == [
        "OF: reserved mem: OVERLAP DETECTED!",
        "a@50000000 (0x0000000050000000--0x0000000051000000) overlaps with "
        "b@50800000 (0x0000000050800000--0x0000000051800000)",
    ]
    assert m.log_lines("cma_created", 0xBFA0_0000, 6) == [
        "Reserved memory: created CMA memory pool at 0x00000000bfa00000, size 6 MiB"
    ]
    assert m.log_lines("cma_reserved", 64, 0xB9A0_0000) == [
        "cma: Reserved 64 MiB at 0x00000000b9a00000"
    ]
    assert m.log_lines("cma_bypass", "linux,cma") == [
        "Reserved memory: bypass linux,cma node, using cmdline CMA params instead"
    ]
    assert m.log_lines("matching_fail", "small") == [
        "OF: reserved mem: node small compatible matching fail"
    ]
    assert m.log_lines("cma_not_activated", "straddle@ff000000") == [
        "cma: CMA area straddle@ff000000 could not be activated"
    ]
    assert m.log_lines("summary") == []  # not printed by 6.1.192


def test_message_versions() -> None:
    assert model("5.10").log_lines("alloc_failed", "x") == [
        "OF: reserved mem: failed to allocate memory for node 'x'"
    ]
    assert model("5.4").msg("not_enough_space") is not None
    assert model("5.4").log_lines("not_enough_space") == [
        "OF: reserved mem: not enough space all defined regions."
    ]
    assert model("5.10").log_lines("not_enough_space") == [
        "OF: reserved mem: not enough space for all defined regions."
    ]
    assert model("6.12.117").log_lines("cma_reserved", 64, 0xB9A0_0000, -1) == [
        "cma: Reserved 64 MiB at 0x00000000b9a00000 on node -1"
    ]
    assert model("6.15").log_lines("cma_failed", 64) == ["cma: Failed to reserve 64 MiB"]
    assert model("6.3").log_lines(
        "summary", 0x8120_0000, 0x813F_FFFF, 2048, "nomap", "non-reusable", "CCC"
    ) == [
        "OF: reserved mem: 0x0000000081200000..0x00000000813fffff (2048 KiB) nomap non-reusable CCC"
    ]
    assert model("7.2").log_lines("cma_bypass") == [
        'Skipping dt linux,cma-default node in favor for "cma=" kernel param.'
    ]
    assert model("7.0").msg("invalid_reg") is not None
    assert model("7.2").msg("invalid_reg") is None
    assert model("6.12.117").msg("multi_reg_ignored") is not None
    assert model("7.2").log_lines("multi_reg_first_only", "m@1", 2) == [
        "OF: reserved mem: Reserved memory: node 'm@1' has 2 <base size> entries, "
        "only the first is used"
    ]
    assert model("5.7").msg("cma_not_activated") is None
    assert model("6.12.13").msg("no_node") is not None
    assert model("6.12.12").msg("no_node") is None


def test_arm32_pa_is_8_digits() -> None:
    m = model("6.1", "arm")
    assert m.log_lines("cma_reserved", 64, 0x6C00_0000) == ["cma: Reserved 64 MiB at 0x6c000000"]


def test_kprintf() -> None:
    assert (
        kprintf("%s=%d %lu %llx %% %pa", ["a", -1, 5, 255, 0x1000], 32) == "a=-1 5 ff % 0x00001000"
    )
    with pytest.raises(ValueError):
        kprintf("%s %s", ["a"])
    with pytest.raises(ValueError):
        kprintf("%s", ["a", "b"])


def test_unknown_message_key() -> None:
    with pytest.raises(KeyError):
        model("6.1").msg("no-such-message")


# ------------------------------------------------------------------------- data table hygiene


def test_every_fact_has_a_row_at_the_start_of_the_range() -> None:
    for name in fact_names():
        resolve(CHANGES, name, MIN_VERSION)


def test_every_row_is_cited_and_tagged() -> None:
    for change in CHANGES:
        assert change.cite.strip(), change
        assert change.tag in {"SRC", "HIST", "QEMU", "INF"}, change
        assert change.since >= MIN_VERSION, change


def test_message_keys_are_all_resolvable() -> None:
    m = model("7.2")
    assert set(MESSAGE_KEYS) == {k for k, _ in m.messages}
    assert m.cite("era").startswith("[INF]")
    assert "a46cccb0ee2d" in model("6.13").cite("era")


def test_model_is_frozen_and_hashable() -> None:
    m = model("6.1")
    with pytest.raises(records.FrozenInstanceError):
        m.era = "E6"  # type: ignore[misc]
    assert hash(m) == hash(model("6.1"))
    assert m.pageblock_bytes == 2 * MiB or m.pageblock_bytes == 4 * MiB
    assert m.max_page_order == 10


def test_msg_lookup_is_the_messages_table() -> None:
    """msg() reads a dict built once from ``messages``: same answers as scanning the table,
    unknown keys still KeyError, and records.replace() rebuilds it from new messages."""
    m = model("6.1")
    for key, value in m.messages:
        assert m.msg(key) is value
    with pytest.raises(KeyError, match="unknown kernel message"):
        m.msg("no-such-message")
    key = m.messages[0][0]
    changed = records.replace(m, messages=tuple((k, None) for k, _ in m.messages))
    assert changed.msg(key) is None and m.msg(key) is not None
    assert changed.log_lines(key) == []
    assert "message_index" not in repr(m)

