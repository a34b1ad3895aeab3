"""Every per-version fact of the kernel model, as data, in one table.

Each row is a :class:`~cmacheck.kernel.versions.Change`: the fact takes the value from
the mainline release ``since`` on (and in the listed stable backports).  The first row of
every fact is its state at the start of the modelled range (5.4), cited from the tree it
was read in (see /work/shared/docs/kernel-model.md §0: 5.4.286, 5.10.262, 6.1.192,
6.12.117, 7.2.13).

How the open questions of kernel-model.md §11 were settled (search index: LKML archives,
stable review mails, linux-next shortlogs, pull requests):

* §11.1 E5 restructure: the final series is "[PATCH v10 1/2] of: reserved_mem: Restruture
  how the reserved memory regions are processed" (Oreoluwa Babatunde, 8 Oct 2024, i.e.
  after 6.12-rc1) applied to robh dt/next as a46cccb0ee2d -> first mainline release 6.13;
  6.12.y got it as "[PATCH 6.12 404/590]" (~6.12.13).  Settled: 6.13 / 6.12.13.
* §11.2 fdt.c -> of_reserved_mem.c move: Rob Herring "of: Move all FDT reserved-memory
  handling into of_reserved_mem.c" is listed in "[GIT PULL] Devicetree updates for v6.9"
  (15 Mar 2024); consistent with the v4 restructure patch (8 Mar 2024, base 6.8) still
  touching fdt.c and v6 (28 May 2024) touching of_reserved_mem.c.  Settled: prefix
  ``OF: reserved mem: `` for the scan messages from 6.9.
* §11.4 arm64 5.5-5.10.0 default CMA limit: bff3b04460a8 "arm64: mm: reserve CMA and
  crashkernel in ZONE_DMA32" (Nicolas Saenz Julienne, Nov 2019, 5.5) -> the default CMA
  used the ZONE_DMA32 limit until dma_contiguous_reserve moved to bootmem_init with the
  DT-sized ZONE_DMA (5.11; 5.10.y per the 5.10.262 tree).  Settled (5.10.y sublevel open).
* §11.5 MAX_CMA_AREAS: "[PATCH] mm/cma: Make MAX_CMA_AREAS = CONFIG_CMA_AREAS" (Anshuman
  Khandual, 5 Feb 2024, mm tree) -> 6.9 merge window (not ~6.6).  Defaults 7/19 -> 8/20.
* §11.5 cma "on node %d": added by "dma-contiguous: support numa CMA for specified node"
  (Yajun Deng, 2023, 6.7); removed by c009da4258f9 "mm, cma: support multiple contiguous
  ranges, if requested" (Frank van der Linden, Feb 2025, 6.15), which moved the messages
  into a wrapper that prints the *requested* size (matches the 7.2 "Reserved 39 MiB" for
  cma=40000K observation) and also prints "Failed to reserve" on slot exhaustion.
* §11.5 cma= limit honouring: "[PATCH] dma-contiguous: hornor the cma address limit setup
  by user" (Feng Tang, 12 Jun 2025) -> 6.17 [INF from posting date].
* §11.5 arm64 FORCE_MAX_ZONEORDER THP dependency: Anshuman Khandual, "arm64/mm: drop THP
  conditionality from FORCE_MAX_ZONEORDER" (1 Mar 2021, on 5.12-rc1, acked by Catalin for
  stable) -> 5.12 [INF: -rc fix; stable backports not pinned].
* §11.5 PAGE_BLOCK_ORDER rename: "mm: rename CONFIG_PAGE_BLOCK_ORDER to
  CONFIG_PAGE_BLOCK_MAX_ORDER" (Zi Yan, Jun 2025) in the mm pull for 6.17.
* arm64 zone_dma_limit (brief): ba0fb44aed47 "dma-mapping: replace zone_dma_bits by
  zone_dma_limit" + 3be9b846896d "arm64: support DMA zone above 4GB" were in linux-next
  with the 6.12 dma-mapping branch; Yang Shi's fix (Nov 2024) carries "Cc: stable [6.12+]"
  for ba0fb44aed47 -> every 6.12.y (6.12.0 included) uses the exact-limit variant.
* 5.10.y / 5.4.y no-map EBUSY: 86588296acbf + 8a5a75e5e9e5 were in the early-March-2021
  stable wave (4.9.259-rc3 shortlog; same wave as 5.4.102 / 5.10.20 [INF sublevels]);
  Quentin Perret's reverts landed after "Linux 5.4.119" (5.4.120) for 5.4.y and older.
* E6 (7.x): Marek Szyprowski's ops-based reserved_mem rework (v2 23 Mar 2026) -> 7.1
  [INF]; "of: reserved_mem: only support one <base size> entry in reg property" (Wandun
  Chen, v3 25 May 2026) -> 7.2 [INF].  Its commit text says that before it the late scan
  skipped multi-entry nodes entirely (of_flat_dt_get_addr_size() needs exactly one entry).
"""

from __future__ import annotations

from cmacheck.kernel.versions import Backport, Change, Msg

_B = (5, 4, 0)  # start of the modelled range
_E5_STABLE = (Backport((6, 12), 13),)

_RMEM_FDT = "OF: fdt: "
_RMEM = "OF: reserved mem: "
_CMA = "cma: "

_T54 = "5.4.286 tree (KINGFIOX/linux-5.4.286)"
_T510 = "5.10.262 Debian tree"
_T61 = "6.1.192 Debian tree"
_T612 = "6.12.117 Debian tree"
_T72 = "7.2.13 Debian sid tree"

_REVERT_54 = (
    "86588296acbf/8a5a75e5e9e5 backported to 5.4.y in the Mar 2021 stable wave, reverted (Quentin "
    "Perret) after 5.4.119"
)
_RESTRUCT = (
    "a46cccb0ee2d 'of: reserved_mem: Restruture how the reserved memory regions are processed' "
    "(v10, dt/next for 6.13; 6.12-stable 404/590)"
)
_OPS = (
    "Marek Szyprowski 'of: reserved_mem: switch to ops based OF_DECLARE()' series (v2 Mar 2026, "
    "7.1 merge window)"
)
_ONE_REG = (
    "Wandun Chen 'of: reserved_mem: only support one <base size> entry in reg property' (v3 May "
    "2026)"
)
_MOVE = (
    "Rob Herring 'of: Move all FDT reserved-memory handling into of_reserved_mem.c' ([GIT PULL] "
    "Devicetree updates for v6.9)"
)
_FVDL = (
    "c009da4258f9 'mm, cma: support multiple contiguous ranges, if requested' (Frank van der "
    "Linden, 6.15)"
)
_NUMA = "'dma-contiguous: support numa CMA for specified node' (Yajun Deng, 6.7)"
_PERNUMA_ALL = (
    "'dma-contiguous: support per-numa CMA for all architectures' (Yajun Deng, 12 May 2023, "
    "mm-stable -> 6.5)"
)


def _m(level: str, prefix: str, fmt: str) -> Msg:
    return Msg(level, prefix, fmt)


CHANGES: tuple[Change, ...] = (
    # ---------------------------------------------------------------- eras (§1.0)
    Change("era", _B, "E2", _T54, "SRC"),
    Change(
        "era", (5, 12, 0), "E3", "86588296acbf/8a5a75e5e9e5 no-map EBUSY (5.12); 6.1 tree", "HIST"
    ),
    Change(
        "era",
        (6, 5, 0),
        "E4",
        "'of: reserved_mem: Use stable allocation order' ([GIT PULL] Devicetree updates for v6.5)",
        "HIST",
    ),
    Change("era", (6, 13, 0), "E5", _RESTRUCT, "HIST", _E5_STABLE),
    Change("era", (7, 1, 0), "E6", _OPS, "INF"),
    # ------------------------------------------------ /reserved-memory scan (§1.1-§1.8)
    Change("rmem.max_reserved_regions", _B, 32, _T54 + " (5.4.y never got the 5.7 bump)", "SRC"),
    Change(
        "rmem.max_reserved_regions",
        (5, 7, 0),
        64,
        "'of: of_reserved_mem: Increase limit on number of reserved regions' (AUTOSEL 5.5/5.6 "
        "sublevels not pinned)",
    ),
    Change("rmem.dynamic_array", _B, False, _T61, "SRC"),
    Change(
        "rmem.dynamic_array",
        (6, 13, 0),
        True,
        "b8ffe4a11001 'of: reserved_mem: Add code to dynamically allocate reserved_mem array'",
        "HIST",
        _E5_STABLE,
    ),
    Change(
        "rmem.find_node", _B, "depth1-exact-name", _T510 + " (callback scan over all nodes)", "SRC"
    ),
    Change(
        "rmem.find_node",
        (5, 17, 0),
        "fdt-path-offset",
        "fdt_for_each_subnode rework of the scan (exact version open, ~5.17)",
        "INF",
    ),
    Change("rmem.memreserve_after_dynamic", _B, False, _T61, "SRC"),
    Change("rmem.memreserve_after_dynamic", (6, 13, 0), True, _RESTRUCT, "SRC", _E5_STABLE),
    Change("rmem.static_init_late", _B, False, _T61, "SRC"),
    Change(
        "rmem.static_init_late",
        (6, 13, 0),
        True,
        _RESTRUCT + " (statics recorded at unflatten_device_tree)",
        "SRC",
        _E5_STABLE,
    ),
    Change(
        "rmem.dynamic_alloc_order",
        _B,
        "heapsort",
        _T54 + " lib/sort.c over the recorded array (QEMU 6.1 t26)",
        "SRC",
    ),
    Change(
        "rmem.dynamic_alloc_order",
        (6, 5, 0),
        "stable-sorted",
        "'of: reserved_mem: Use stable allocation order' (Stephan Gerhold, v6.5 DT pull)",
    ),
    Change("rmem.dynamic_alloc_order", (6, 13, 0), "dt-order", _RESTRUCT, "SRC", _E5_STABLE),
    Change("rmem.overlap_sort_key", _B, "base,size", _T61, "SRC"),
    Change(
        "rmem.overlap_sort_key",
        (6, 5, 0),
        "base,size,offset",
        "'of: reserved_mem: Use stable allocation order' (v6.5)",
    ),
    Change("rmem.overlap_sort_key", (7, 1, 0), "base,size", _T72, "INF"),
    Change(
        "rmem.overlap_check_sees_dynamic",
        _B,
        False,
        _T61 + " (dynamic entries are 0/0 at check time)",
        "SRC",
    ),
    Change("rmem.overlap_check_sees_dynamic", (6, 13, 0), True, _RESTRUCT, "SRC", _E5_STABLE),
    Change("rmem.alloc_ranges_direction_heuristic", _B, False, _T61, "SRC"),
    Change(
        "rmem.alloc_ranges_direction_heuristic",
        (6, 5, 0),
        True,
        "'of: reserved_mem: Try to keep range allocations contiguous' (v6.5 DT pull)",
    ),
    Change(
        "rmem.heuristic_sees_statics",
        _B,
        True,
        "E1-E4 record statics before dynamic allocation",
        "SRC",
    ),
    Change("rmem.heuristic_sees_statics", (6, 13, 0), False, _RESTRUCT, "SRC", _E5_STABLE),
    Change("rmem.reg_multi_entry", _B, "all-reserved-first-recorded", _T61 + "; QEMU t16", "SRC"),
    Change(
        "rmem.reg_multi_entry",
        (7, 1, 0),
        "all-reserved-none-recorded",
        _ONE_REG + " commit text: late scan skipped multi-entry reg",
        "INF",
    ),
    Change("rmem.reg_multi_entry", (7, 2, 0), "first-only", _ONE_REG, "INF"),
    Change("rmem.invalid_reg_drops_node", _B, True, "QEMU t21 (6.1)", "QEMU"),
    Change("rmem.invalid_reg_drops_node", (7, 1, 0), False, _T72 + " (treated as absent)", "INF"),
    Change("rmem.invalid_alloc_ranges_drops_node", _B, True, "QEMU t21 (6.1)", "QEMU"),
    Change(
        "rmem.invalid_alloc_ranges_drops_node",
        (7, 1, 0),
        False,
        _T72 + " (treated as absent)",
        "INF",
    ),
    Change("rmem.empty_reg_is_absent", _B, False, _T61, "SRC"),
    Change("rmem.empty_reg_is_absent", (7, 1, 0), True, _T72, "INF"),
    Change("rmem.no_map_mode", _B, "remove", _T54 + " (memblock_remove)", "SRC"),
    Change(
        "rmem.no_map_mode",
        (5, 12, 0),
        "nomap-ebusy",
        "86588296acbf 'fdt: Properly handle \"no-map\" field' + 8a5a75e5e9e5 'of/fdt: Make sure "
        "no-map does not remove already reserved regions'; 5.10.20+ [INF sublevel]; " + _REVERT_54,
        "HIST",
        (Backport((5, 10), 20), Backport((5, 4), 102, 119)),
    ),
    Change(
        "rmem.no_map_mode",
        (5, 17, 0),
        "nomap-ebusy-ram-only",
        "'of/fdt: Don't worry about non-memory region overlap for no-map' (Stephen Boyd, Jan "
        "2022; stable sublevels open)",
        "HIST",
    ),
    Change(
        "rmem.dynamic_no_map_mode",
        _B,
        "remove",
        _T510 + " (memblock_find_in_range + memblock_remove)",
        "SRC",
    ),
    Change(
        "rmem.dynamic_no_map_mode",
        (5, 13, 0),
        "nomap",
        "pre-image of a7259df76702 (~5.13/5.14)",
        "INF",
    ),
    Change(
        "rmem.dynamic_no_map_mode",
        (5, 15, 0),
        "reserve+nomap",
        "a7259df76702 'memblock: make memblock_find_in_range method private' (5.15)",
    ),
    Change(
        "rmem.init_failure_cleanup",
        _B,
        "free-and-readd",
        _T510 + " (memblock_free + memblock_add if no-map)",
        "SRC",
    ),
    Change(
        "rmem.init_failure_cleanup",
        (5, 15, 0),
        "clear-nomap-or-free",
        _T61 + " (boundary = kernel-model.md 'E2 (<=5.14)')",
        "INF",
    ),
    Change("rmem.summary_line", _B, False, "QEMU 6.1.192 prints none", "QEMU"),
    Change("rmem.summary_line", (6, 3, 0), True, "aeb9267eb6b1 (Feb 2023) + Geert's KiB fix, v6.3"),
    Change("rmem.no_driver_result", _B, "enoent", _T61, "SRC"),
    Change(
        "rmem.no_driver_result",
        (7, 1, 0),
        "enodev",
        _OPS + " ('use -ENODEV instead of -ENOENT')",
        "HIST",
    ),
    Change("rmem.reusable_nomap_result", _B, "matching-fail", "QEMU t4 (6.1)", "QEMU"),
    Change(
        "rmem.reusable_nomap_result",
        (7, 1, 0),
        "no-driver",
        _T72 + " (both shared-dma-pool inits return -ENODEV)",
        "INF",
    ),
    Change("rmem.dynamic_early_limit", _B, 0, "no separate early array", "SRC"),
    Change(
        "rmem.dynamic_early_limit",
        (6, 13, 0),
        64,
        _RESTRUCT + " (dynamic_nodes[MAX_RESERVED_REGIONS])",
        "SRC",
        _E5_STABLE,
    ),
    Change(
        "rmem.cma_arch_fixup_at_reserve",
        _B,
        False,
        _T61 + " (dma_contiguous_early_fixup from rmem_cma_setup)",
        "SRC",
    ),
    Change("rmem.cma_arch_fixup_at_reserve", (6, 13, 0), True, _T612, "SRC", _E5_STABLE),
    # ---------------------------------------------------------------- kernel/dma/contiguous.c (§2)
    Change("cma.bypass_mode", _B, "none", "4.9 tree: no cmdline precedence", "SRC"),
    Change(
        "cma.bypass_mode",
        (5, 6, 0),
        "bypass-message",
        "Nicolas Saenz Julienne 'dma-contiguous: CMA: give precedence to cmdline' (5.6)",
        "HIST",
    ),
    Change(
        "cma.bypass_mode", (7, 1, 0), "skip-before-reserve", _OPS + " (CMA node_validate)", "INF"
    ),
    Change("cma.cmdline_limit_mode", _B, "min-not-zero", _T61 + ", " + _T612, "SRC"),
    Change(
        "cma.cmdline_limit_mode",
        (6, 17, 0),
        "cmdline-wins",
        "Feng Tang 'dma-contiguous: hornor the cma address limit setup by user' (12 Jun 2025)",
        "INF",
    ),
    Change("cma.numa_mode", _B, "none", _T54, "SRC"),
    Change(
        "cma.numa_mode",
        (5, 10, 0),
        "pernuma",
        "CONFIG_DMA_PERNUMA_CMA (present in 5.10 tree)",
        "INF",
    ),
    Change("cma.numa_mode", (6, 7, 0), "numa", _NUMA),
    Change(
        "cma.numa_mode", (7, 2, 0), "numa+size-pernuma", _T72 + " (CONFIG_CMA_SIZE_PERNUMA)", "SRC"
    ),
    Change(
        "cma.static_default_early",
        _B,
        True,
        "arch calls dma_contiguous_reserve after the DT CMA setup",
        "SRC",
    ),
    Change(
        "cma.static_default_early",
        (6, 13, 0),
        False,
        _RESTRUCT + ": statics set up at unflatten (arm32/riscv default CMA runs before)",
        "INF",
        _E5_STABLE,
    ),
    # ---------------------------------------------------------------- mm/cma.c (§3)
    Change("cma.slots_plus_one", _B, True, _T61 + " (MAX_CMA_AREAS = 1 + CONFIG_CMA_AREAS)", "SRC"),
    Change(
        "cma.slots_plus_one",
        (6, 9, 0),
        False,
        "'mm/cma: Make MAX_CMA_AREAS = CONFIG_CMA_AREAS' (Anshuman Khandual, 5 Feb 2024)",
    ),
    Change("cma.areas_default_uma", _B, 7, _T61 + " mm/Kconfig", "SRC"),
    Change(
        "cma.areas_default_uma", (6, 9, 0), 8, "'mm/cma: Make MAX_CMA_AREAS = CONFIG_CMA_AREAS'"
    ),
    Change("cma.areas_default_numa", _B, 19, _T61 + " mm/Kconfig", "SRC"),
    Change(
        "cma.areas_default_numa", (6, 9, 0), 20, "'mm/cma: Make MAX_CMA_AREAS = CONFIG_CMA_AREAS'"
    ),
    Change("cma.bottom_up_above_4g", _B, False, _T54, "SRC"),
    Change(
        "cma.bottom_up_above_4g",
        (5, 11, 0),
        True,
        "'mm: cma: allocate cma areas bottom-up' (Roman Gushchin, Dec 2020)",
    ),
    Change("cma.bottom_up_threshold", _B, "dram-end", _T61 + ", " + _T612, "SRC"),
    Change("cma.bottom_up_threshold", (7, 2, 0), "limit", _T72 + " (exact version open)", "SRC"),
    # arm64_memblock_init: memblock_reserve(__pa_symbol(X), _end - X); /proc/iomem "Kernel
    # code" starts at the same symbol (setup.c request_standard_resources).  _stext is
    # SEGMENT_ALIGN (64 KiB) after the Image start _text.
    Change("arm64.kernel_reserved_from_stext", _B, False, "5.4/5.10 trees (_text)", "SRC"),
    Change(
        "arm64.kernel_reserved_from_stext",
        (5, 11, 0),
        True,
        "e2a073dde921 'arm64: omit [_text, _stext) from permanent kernel mapping' (5.11); "
        "recorded 6.1.192 boots and live capture: [load + 64 KiB, load + image_size)",
        "HIST",
    ),
    Change(
        "arm64.kernel_reserved_from_stext",
        (6, 18, 0),
        False,
        "5973a62efa34 'arm64: map [_text, _stext) virtual address range non-executable+"
        "read-only' (6.18); stable queue/6.17 and queue/6.12 push of 2025-10-15 -> 6.17.4 and "
        "6.12.54 [INF sublevel]; recorded 6.12.117 and 7.2.13 boots and live captures: from load",
        "HIST",
        (Backport((6, 17), 4), Backport((6, 12), 54)),
    ),
    # arch/arm64/include/asm/sparsemem.h SECTION_SIZE_BITS (the value for 4K/16K pages; 64K: 29
    # from 5.12)
    Change("arm64.section_size_bits", _B, 30, "5.4/5.10 trees (1 GiB sections)", "SRC"),
    Change(
        "arm64.section_size_bits",
        (5, 12, 0),
        27,
        "f0b13ee23241 'arm64/sparsemem: reduce SECTION_SIZE_BITS' (arm64 for-next/core, Jan 2021)",
        "HIST",
    ),
    Change("cma.highmem_before_bottom_up", _B, True, _T61, "SRC"),
    Change(
        "cma.highmem_before_bottom_up",
        (6, 12, 0),
        False,
        _T612 + " (exact version open, 6.2-6.12)",
        "SRC",
    ),
    Change("cma.highmem_needs_config", _B, False, _T612, "SRC"),
    Change(
        "cma.highmem_needs_config", (7, 2, 0), True, _T72 + " (IS_ENABLED(CONFIG_HIGHMEM))", "SRC"
    ),
    Change("cma.printed_size", _B, "rounded", "QEMU 6.1", "QEMU"),
    Change(
        "cma.printed_size",
        (6, 15, 0),
        "requested",
        _FVDL + "; QEMU 7.2 cma=40000K -> 'Reserved 39 MiB'",
    ),
    Change("cma.slot_failure_prints_failed", _B, False, "QEMU t20 (6.1)", "QEMU"),
    Change(
        "cma.slot_failure_prints_failed", (6, 15, 0), True, _FVDL + " (wrapper prints on any error)"
    ),
    Change("cma.activation_message", _B, False, _T54 + " (silent)", "SRC"),
    Change(
        "cma.activation_message",
        (5, 8, 0),
        True,
        "'cma: don't quit at first error when activating reserved areas'",
    ),
    Change("cma.init_check_order", _B, "slots,reserved,align", _T61, "SRC"),
    Change("cma.init_check_order", (6, 15, 0), "reserved,align,slots", _FVDL + " (cma_new_area)"),
    Change(
        "cma.min_align_formula",
        _B,
        "max-order-or-pageblock",
        _T54 + " (PAGE_SIZE << max(MAX_ORDER-1, pageblock_order))",
        "SRC",
    ),
    Change(
        "cma.min_align_formula",
        (5, 19, 0),
        "pageblock",
        "11ac3e87ce09 'mm: cma: use pageblock_order as the single alignment'",
    ),
    # ---------------------------------------------------------------- page allocator orders (§5)
    Change("mm.max_order_inclusive", _B, False, _T61, "SRC"),
    Change(
        "mm.max_order_inclusive",
        (6, 4, 0),
        True,
        "23baf831a32c 'mm, treewide: redefine MAX_ORDER sanely' (Kirill Shutemov, 6.4)",
    ),
    Change("mm.max_order_symbol", _B, "FORCE_MAX_ZONEORDER", _T510, "SRC"),
    Change(
        "mm.max_order_symbol",
        (6, 1, 0),
        "ARCH_FORCE_MAX_ORDER",
        "0192445cb2f7 'arch: mm: rename FORCE_MAX_ZONEORDER to ARCH_FORCE_MAX_ORDER' (6.1)",
    ),
    Change("mm.max_order_macro", _B, "MAX_ORDER", _T61, "SRC"),
    Change(
        "mm.max_order_macro",
        (6, 8, 0),
        "MAX_PAGE_ORDER",
        "'mm: Rename MAX_ORDER to MAX_PAGE_ORDER' (6.8)",
    ),
    Change(
        "mm.arm64_max_order_thp_dependent",
        _B,
        True,
        _T510 + "-era arm64 Kconfig (14/12 only with THP)",
        "SRC",
    ),
    Change(
        "mm.arm64_max_order_thp_dependent",
        (5, 12, 0),
        False,
        "Anshuman Khandual 'arm64/mm: drop THP conditionality from FORCE_MAX_ZONEORDER' (on "
        "5.12-rc1)",
        "INF",
    ),
    Change(
        "mm.pageblock_rule",
        _B,
        "hugetlb-uncapped",
        _T54 + " (pageblock_order = HUGETLB_PAGE_ORDER)",
        "SRC",
    ),
    Change(
        "mm.pageblock_rule",
        (5, 18, 0),
        "hugetlb-capped",
        "'mm: enforce pageblock_order < MAX_ORDER' (5.18)",
    ),
    Change(
        "mm.pageblock_rule",
        (6, 10, 0),
        "hugetlb-or-thp",
        "'mm: set pageblock_order to HPAGE_PMD_ORDER in case with !CONFIG_HUGETLB_PAGE but THP "
        "enabled' (6.10)",
    ),
    Change(
        "mm.pageblock_rule",
        (6, 16, 0),
        "page-block-order-cap",
        "e13e7922d034 'mm: add CONFIG_PAGE_BLOCK_ORDER to select page block order' (6.16)",
    ),
    Change("mm.pageblock_symbol", _B, None, "no Kconfig knob before 6.16", "SRC"),
    Change("mm.pageblock_symbol", (6, 16, 0), "PAGE_BLOCK_ORDER", "e13e7922d034 (6.16)"),
    Change(
        "mm.pageblock_symbol",
        (6, 17, 0),
        "PAGE_BLOCK_MAX_ORDER",
        "'mm: rename CONFIG_PAGE_BLOCK_ORDER to CONFIG_PAGE_BLOCK_MAX_ORDER' (Zi Yan, mm pull for "
        "6.17)",
    ),
    # ---------------------------------------------------------------- arch (§2.6, §7)
    Change("arm64.dma_limit_mode", _B, "dma32-window", _T54 + " max_zone_dma_phys()", "SRC"),
    Change(
        "arm64.dma_limit_mode",
        (5, 5, 0),
        "zone-dma32",
        "bff3b04460a8 'arm64: mm: reserve CMA and crashkernel in ZONE_DMA32' (5.5)",
    ),
    Change(
        "arm64.dma_limit_mode",
        (5, 11, 0),
        "zone-dma-bits",
        "8424ecdde7df 'arm64: mm: Set ZONE_DMA size based on devicetree's dma-ranges' + CMA moved "
        "to bootmem_init (5.11); 5.10.262 tree",
        "HIST",
        (Backport((5, 10), 1),),
    ),
    Change(
        "arm64.dma_limit_mode",
        (6, 12, 0),
        "zone-dma-limit",
        "ba0fb44aed47 'dma-mapping: replace zone_dma_bits by zone_dma_limit' + 3be9b846896d "
        "'arm64: support DMA zone above 4GB' (6.12; Yang Shi fix Cc stable 6.12+)",
    ),
    Change(
        "arm64.memmap_before_default_cma", _B, True, _T61 + " (sparse_init in bootmem_init)", "SRC"
    ),
    Change(
        "arm64.memmap_before_default_cma",
        (7, 2, 0),
        False,
        _T72 + " (sparse_init moved to generic mm init; exact version open)",
        "SRC",
    ),
    Change(
        "riscv.default_cma_before_dt_scan",
        _B,
        True,
        _T510 + " (setup_bootmem ran dma_contiguous_reserve first)",
        "SRC",
    ),
    Change(
        "riscv.default_cma_before_dt_scan",
        (6, 1, 0),
        False,
        _T61 + " (exact version open, 5.11-6.1)",
        "SRC",
    ),
    Change("riscv.dtb_reserved_after_scan", _B, False, _T510, "SRC"),
    Change("riscv.dtb_reserved_after_scan", (6, 1, 0), True, _T61 + " (exact version open)", "SRC"),
    # ---------------------------------------------------------------- messages (§10)
    # scan messages (fdt.c until 6.9, then of_reserved_mem.c)
    Change(
        "msg.unsupported_node",
        _B,
        _m("err", _RMEM_FDT, "Reserved memory: unsupported node format, ignoring"),
        "QEMU t11 (6.1)",
        "QEMU",
    ),
    Change(
        "msg.unsupported_node",
        (6, 9, 0),
        _m("err", _RMEM, "Reserved memory: unsupported node format, ignoring"),
        _MOVE,
    ),
    Change(
        "msg.invalid_reg",
        _B,
        _m("err", _RMEM_FDT, "Reserved memory: invalid reg property in '%s', skipping node."),
        "QEMU t21 (6.1)",
        "QEMU",
    ),
    Change(
        "msg.invalid_reg",
        (6, 9, 0),
        _m("err", _RMEM, "Reserved memory: invalid reg property in '%s', skipping node."),
        _MOVE,
    ),
    Change("msg.invalid_reg", (7, 1, 0), None, _T72 + " (message gone)", "INF"),
    Change(
        "msg.reserve_failed",
        _B,
        _m(
            "info",
            _RMEM_FDT,
            "Reserved memory: failed to reserve memory for node '%s': base %pa, size %lu MiB",
        ),
        _T510,
        "SRC",
    ),
    Change(
        "msg.reserve_failed",
        (6, 1, 0),
        _m(
            "err",
            _RMEM_FDT,
            "Reserved memory: failed to reserve memory for node '%s': base %pa, size %lu MiB",
        ),
        "QEMU t10 (6.1; pr_info->pr_err version open, 5.11-6.1)",
        "QEMU",
    ),
    Change(
        "msg.reserve_failed",
        (6, 9, 0),
        _m(
            "err",
            _RMEM,
            "Reserved memory: failed to reserve memory for node '%s': base %pa, size %lu MiB",
        ),
        _MOVE,
    ),
    Change("msg.memreserve_invalid", _B, None, _T612, "SRC"),
    Change(
        "msg.memreserve_invalid",
        (7, 1, 0),
        _m("err", _RMEM_FDT, "Invalid memory reservation block index %d"),
        _T72 + " (de7323f6fc10 'of/fdt: Check fdt_get_mem_rsv() error'; version open)",
        "INF",
    ),
    Change("msg.multi_reg_ignored", _B, None, _T61, "SRC"),
    Change(
        "msg.multi_reg_ignored",
        (6, 13, 0),
        _m("warn", _RMEM, "fdt_scan_reserved_mem_reg_nodes() ignores %d regions in node '%s'"),
        _T612 + " (mainline version open)",
        "INF",
        _E5_STABLE,
    ),
    Change("msg.multi_reg_ignored", (7, 1, 0), None, _ONE_REG + " commit text", "INF"),
    Change("msg.multi_reg_first_only", _B, None, _T612, "SRC"),
    Change(
        "msg.multi_reg_first_only",
        (7, 2, 0),
        _m(
            "warn",
            _RMEM,
            "Reserved memory: node '%s' has %d <base size> entries, only the first is used",
        ),
        _ONE_REG,
        "INF",
    ),
    # of_reserved_mem.c messages (prefix always "OF: reserved mem: ")
    Change(
        "msg.invalid_size",
        _B,
        _m("err", _RMEM, "invalid size property in '%s' node."),
        "QEMU t21",
        "QEMU",
    ),
    Change(
        "msg.invalid_alignment",
        _B,
        _m("err", _RMEM, "invalid alignment property in '%s' node."),
        "QEMU t21",
        "QEMU",
    ),
    Change(
        "msg.invalid_alloc_ranges",
        _B,
        _m("err", _RMEM, "invalid alloc-ranges property in '%s', skipping node."),
        "QEMU t21",
        "QEMU",
    ),
    Change("msg.invalid_alloc_ranges", (7, 1, 0), None, _T72 + " (treated as absent)", "INF"),
    Change(
        "msg.alloc_failed",
        _B,
        _m("info", _RMEM, "failed to allocate memory for node '%s'"),
        _T510,
        "SRC",
    ),
    Change(
        "msg.alloc_failed",
        (6, 1, 0),
        _m("err", _RMEM, "failed to allocate memory for node '%s': size %lu MiB"),
        "QEMU t8 (6.1; exact version open, 5.11-6.1)",
        "QEMU",
    ),
    Change(
        "msg.not_enough_space",
        _B,
        _m("err", _RMEM, "not enough space all defined regions."),
        _T54,
        "SRC",
    ),
    Change(
        "msg.not_enough_space",
        (5, 10, 0),
        _m("err", _RMEM, "not enough space for all defined regions."),
        _T510 + " (typo fix between 5.5 and 5.10)",
        "SRC",
    ),
    Change("msg.too_many_dynamic", _B, None, _T61, "SRC"),
    Change(
        "msg.too_many_dynamic",
        (6, 13, 0),
        _m("err", _RMEM, "too many defined dynamic regions, skip '%s'"),
        _T72 + " (recent OOB fix; version open)",
        "INF",
        _E5_STABLE,
    ),
    Change("msg.no_node", _B, None, _T61, "SRC"),
    Change(
        "msg.no_node",
        (6, 13, 0),
        _m("info", _RMEM, "Reserved memory: No reserved-memory node in the DT"),
        _RESTRUCT,
        "SRC",
        _E5_STABLE,
    ),
    Change("msg.array_alloc_failed", _B, None, _T61, "SRC"),
    Change(
        "msg.array_alloc_failed",
        (6, 13, 0),
        _m("err", _RMEM, "Failed to allocate memory for reserved_mem array with err: %d"),
        "b8ffe4a11001",
        "SRC",
        _E5_STABLE,
    ),
    Change(
        "msg.overlap",
        _B,
        _m("err", _RMEM, "OVERLAP DETECTED!\n%s (%pa--%pa) overlaps with %s (%pa--%pa)\n"),
        "QEMU t5",
        "QEMU",
    ),
    Change(
        "msg.initialized",
        _B,
        _m("info", _RMEM, "initialized node %s, compatible id %s"),
        "QEMU t1",
        "QEMU",
    ),
    Change(
        "msg.matching_fail",
        _B,
        _m("info", _RMEM, "node %s compatible matching fail"),
        "QEMU t3",
        "QEMU",
    ),
    Change("msg.summary", _B, None, "QEMU 6.1.192", "QEMU"),
    Change(
        "msg.summary",
        (6, 3, 0),
        _m("info", _RMEM, "%pa..%pa (%lu KiB) %s %s %s"),
        "aeb9267eb6b1 (v6.3)",
    ),
    # kernel/dma/contiguous.c (DT part: bare pr_fmt), coherent.c, swiotlb.c
    Change("msg.cma_bypass", _B, None, "no cmdline precedence before 5.6", "HIST"),
    Change(
        "msg.cma_bypass",
        (5, 6, 0),
        _m("info", "", "Reserved memory: bypass %s node, using cmdline CMA params instead"),
        "QEMU t7 (6.1)",
        "QEMU",
    ),
    Change(
        "msg.cma_bypass",
        (7, 1, 0),
        _m("err", "", 'Skipping dt linux,cma-default node in favor for "cma=" kernel param.'),
        _T72,
        "INF",
    ),
    Change(
        "msg.cma_bad_alignment",
        _B,
        _m("err", "", "Reserved memory: incorrect alignment of CMA region"),
        "QEMU t3",
        "QEMU",
    ),
    Change(
        "msg.cma_setup_failed",
        _B,
        _m("err", "", "Reserved memory: unable to setup CMA region"),
        "QEMU t20",
        "QEMU",
    ),
    Change(
        "msg.cma_created",
        _B,
        _m("info", "", "Reserved memory: created CMA memory pool at %pa, size %ld MiB"),
        "QEMU t2b",
        "QEMU",
    ),
    Change(
        "msg.dma_requires_nomap",
        _B,
        _m("err", "", "Reserved memory: regions without no-map are not yet supported"),
        _T61 + " (CONFIG_ARM only)",
        "SRC",
    ),
    Change(
        "msg.dma_default_redefined",
        _B,
        _m("warn", "", "Reserved memory: region for default DMA coherent area is redefined"),
        _T61,
        "SRC",
    ),
    Change(
        "msg.dma_created",
        _B,
        _m("info", "", "Reserved memory: created DMA memory pool at %pa, size %ld MiB"),
        "QEMU t1",
        "QEMU",
    ),
    Change("msg.restricted_created", _B, None, "restricted-dma-pool added in 5.15", "HIST"),
    Change(
        "msg.restricted_created",
        (5, 15, 0),
        _m(
            "info",
            "software IO TLB: ",
            "Reserved memory: created restricted DMA pool at %pa, size %ld MiB",
        ),
        _T612,
        "SRC",
    ),
    Change(
        "msg.cma_cmdline_missing", _B, _m("err", _CMA, "Config string not provided"), _T510, "SRC"
    ),
    Change("msg.cma_store_failed", _B, None, _T612, "SRC"),
    Change(
        "msg.cma_store_failed",
        (7, 2, 0),
        _m("warn", _CMA, "Couldn't store CMA reserved area."),
        _T72 + " (version open)",
        "SRC",
    ),
    Change("msg.numa_failed", _B, None, "no per-NUMA CMA", "INF"),
    Change(
        "msg.numa_failed",
        (5, 10, 0),
        _m("warn", _CMA, "%s: reservation failed: err %d, node %d"),
        _T510,
        "SRC",
    ),
    Change("msg.numa_invalid_node", _B, None, _T61, "SRC"),
    Change(
        "msg.numa_invalid_node", (6, 7, 0), _m("warn", _CMA, "invalid node %d specified\n"), _NUMA
    ),
    # mm/cma.c
    Change("msg.cma_reserved", _B, _m("info", _CMA, "Reserved %ld MiB at %pa"), "QEMU 6.1", "QEMU"),
    Change(
        "msg.cma_reserved", (6, 7, 0), _m("info", _CMA, "Reserved %ld MiB at %pa on node %d"), _NUMA
    ),
    Change("msg.cma_reserved", (6, 15, 0), _m("info", _CMA, "Reserved %ld MiB at %pa"), _FVDL),
    Change("msg.cma_failed", _B, _m("err", _CMA, "Failed to reserve %ld MiB"), "QEMU 6.1", "QEMU"),
    Change(
        "msg.cma_failed", (6, 7, 0), _m("err", _CMA, "Failed to reserve %ld MiB on node %d"), _NUMA
    ),
    Change("msg.cma_failed", (6, 15, 0), _m("err", _CMA, "Failed to reserve %ld MiB"), _FVDL),
    Change(
        "msg.cma_no_slots",
        _B,
        _m("err", _CMA, "Not enough slots for CMA reserved regions!"),
        "QEMU t20",
        "QEMU",
    ),
    Change(
        "msg.cma_fixed_misaligned",
        _B,
        _m("err", _CMA, "Region at %pa must be aligned to %pa bytes"),
        "QEMU 6.1 cma=64M@0x50100000",
        "QEMU",
    ),
    Change(
        "msg.cma_highmem_boundary",
        _B,
        _m("err", _CMA, "Region at %pa defined on low/high memory boundary (%pa)"),
        _T61,
        "SRC",
    ),
    Change(
        "msg.cma_exceeds_limit",
        _B,
        _m("err", _CMA, "Size (%pa) of region at %pa exceeds limit (%pa)"),
        _T61,
        "SRC",
    ),
    Change("msg.cma_not_activated", _B, None, _T54 + " (silent)", "SRC"),
    Change(
        "msg.cma_not_activated",
        (5, 8, 0),
        _m("err", _CMA, "CMA area %s could not be activated"),
        "'cma: don't quit at first error when activating reserved areas'; QEMU t18",
    ),
    Change("msg.cma_pageblock_uninit", _B, None, _T612, "SRC"),
    Change(
        "msg.cma_pageblock_uninit",
        (7, 2, 0),
        _m("err", _CMA, "pageblock_order not yet initialized. Called during early boot?"),
        _T72 + " (version open)",
        "SRC",
    ),
    Change(
        "msg.arm_ignoring_ram",
        _B,
        _m("notice", "", "Ignoring RAM at %pa-%pa"),
        _T61 + " arch/arm/mm/mmu.c adjust_lowmem_bounds (!CONFIG_HIGHMEM); 5.6 board log",
        "SRC",
    ),
    Change(
        "msg.arm_consider_highmem",
        _B,
        _m("notice", "", "Consider using a HIGHMEM enabled kernel."),
        _T61 + " arch/arm/mm/mmu.c adjust_lowmem_bounds",
        "SRC",
    ),
    # ------------------------------------------- command-line CMA areas (NUMA, hugetlb)
    # Where arm64 declares the cma_pernuma= / numa_cma= areas: bootmem_init after the NUMA
    # node data and hugetlb CMA (<6.5), the start of dma_contiguous_reserve (6.5-7.1), its end
    # (7.2).  Recorded: arm64-6.1 numa1-pernuma (pernuma area above the memmap, default
    # below it), arm64-sid numa1-pernuma.  The 6.5 move: 'dma-contiguous: support per-numa
    # CMA for all architectures' drops dma_pernuma_cma_reserve() from arm64 bootmem_init and
    # calls it first thing in dma_contiguous_reserve (contiguous.c blob 6ea80ae42622 ->
    # 26a8e5365fcd, the blob the 6.7 numa_cma= patch of 11 Jul 2023 applies to).
    Change("cma.numa_stage", _B, "none", _T54, "SRC"),
    Change("cma.numa_stage", (5, 10, 0), "bootmem", _T510 + " arm64 bootmem_init", "SRC"),
    Change("cma.numa_stage", (6, 5, 0), "contiguous-start", _PERNUMA_ALL, "HIST"),
    Change("cma.numa_stage", (7, 2, 0), "contiguous-end", _T72 + "; recorded arm64-sid", "SRC"),
    # hugetlb_cma_reserve: size rules and alignment.  <=6.14: sizes below one gigantic page
    # are dropped ("should be at least"), others rounded up to whole gigantic pages.  7.2:
    # sizes must be multiples of the gigantic page ("must be a multiple of").  Alignment:
    # PAGE_SIZE << HUGETLB_PAGE_ORDER before 6.10 (recorded arm64-6.1 numa1-hugetlb-2g: a
    # 1 GiB area at 0x7fa00000), the gigantic page from 6.10 (the same case fails on 6.12).
    Change("hugetlb.cma_mode", _B, "round-up", _T61 + " mm/hugetlb.c; recorded arm64-6.1", "QEMU"),
    Change(
        "hugetlb.cma_mode",
        (6, 15, 0),
        "multiple",
        _FVDL + "; 7.2.13 binary strings ('must be a multiple of')",
        "INF",
    ),
    Change(
        "hugetlb.cma_align",
        _B,
        "pmd",
        _T61 + " mm/hugetlb.c (PAGE_SIZE << HUGETLB_PAGE_ORDER); recorded arm64-6.1 "
        "numa1-hugetlb-2g",
        "QEMU",
    ),
    Change(
        "hugetlb.cma_align",
        (6, 10, 0),
        "gigantic",
        "Frank van der Linden 'mm/hugetlb: align cma on allocation order, not demotion order' "
        "(30 Apr 2024, on mm-stable for 6.10); recorded arm64-6.12 numa1-hugetlb-2g fails",
        "INF",
    ),
    # Where arm64 calls hugetlb_cma_reserve: bootmem_init right after the NUMA set-up (<=6.12,
    # recorded arm64-6.1/6.12 numa1-hugetlb: before the default area); 7.2 after
    # dma_contiguous_reserve, still before the memmap (recorded arm64-sid numa1-hugetlb).
    Change("hugetlb.cma_stage", _B, "bootmem", _T61 + " arch/arm64/mm/init.c bootmem_init", "SRC"),
    Change(
        "hugetlb.cma_stage",
        (7, 2, 0),
        "after-contiguous",
        "recorded arm64-sid numa1-hugetlb (moved between 6.13 and 7.2: version open)",
        "QEMU",
    ),
    # 7.2 CONFIG_CMA_SIZE_PERNUMA: with more than one online node and neither cma_pernuma= nor
    # numa_cma=, every node gets a "numa%d" area of the default size (recorded arm64-sid
    # numa2-base: 64 MiB default + 64 MiB on node 0 + 64 MiB on node 1)
    Change(
        "msg.cma_reserved_ranges",
        _B,
        None,
        "cma_declare_contiguous_multi does not exist before 6.15",
        "INF",
    ),
    Change(
        "msg.cma_reserved_ranges",
        (6, 15, 0),
        _m("info", _CMA, "Reserved %lu MiB in %d range%s"),
        _FVDL + "; recorded arm64-sid numa1-hugetlb ('Reserved 1024 MiB in 1 range')",
    ),
    Change(
        "msg.hugetlb_invalid_node",
        _B,
        _m("warn", "", "hugetlb_cma: invalid node %d specified"),
        _T61 + " mm/hugetlb.c",
        "SRC",
    ),
    Change(
        "msg.hugetlb_node_too_small",
        _B,
        _m("warn", "", "hugetlb_cma: cma area of node %d should be at least %lu MiB"),
        _T61 + " mm/hugetlb.c",
        "SRC",
    ),
    Change(
        "msg.hugetlb_node_too_small",
        (6, 15, 0),
        _m("warn", "", "hugetlb_cma: cma area of node %d must be a multiple of %lu MiB"),
        "7.2.13 binary strings (mm/hugetlb_cma.c)",
        "INF",
    ),
    Change(
        "msg.hugetlb_too_small",
        _B,
        _m("warn", "", "hugetlb_cma: cma area should be at least %lu MiB"),
        _T61 + " mm/hugetlb.c; recorded arm64-6.1 numa1-hugetlb-small",
        "QEMU",
    ),
    Change(
        "msg.hugetlb_too_small",
        (6, 15, 0),
        _m("warn", "", "hugetlb_cma: cma area must be a multiple of %lu MiB"),
        "7.2.13 binary strings (mm/hugetlb_cma.c)",
        "INF",
    ),
    Change(
        "msg.hugetlb_reserve",
        _B,
        _m("info", "", "hugetlb_cma: reserve %lu MiB, up to %lu MiB per node"),
        "recorded arm64-6.1 numa1-hugetlb",
        "QEMU",
    ),
    Change(
        "msg.hugetlb_reserved",
        _B,
        _m("info", "", "hugetlb_cma: reserved %lu MiB on node %d"),
        "recorded arm64-6.1 numa1-hugetlb",
        "QEMU",
    ),
    Change(
        "msg.hugetlb_failed",
        _B,
        _m("warn", "", "hugetlb_cma: reservation failed: err %d, node %d"),
        _T61 + " mm/hugetlb.c",
        "SRC",
    ),
    Change(
        "msg.memory_limited",
        _B,
        _m("notice", "", "Memory limited to %lldMB"),
        _T61 + " (arm64/riscv mem=)",
        "SRC",
    ),
)
