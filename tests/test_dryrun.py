"""Unit tests of the dry run (cmacheck.dryrun) on tiny hand-written device trees.

Each test builds a minimal tree (root 2/2 cells, RAM 0x40000000 + 2 GiB unless stated, as on
QEMU virt), runs the replay for one kernel model and checks the outcome the kernel-model.md
section named in the test documents.  Addresses marked [QEMU] are what a real Debian kernel
printed for the same tree (kernel-model.md §9 / tests/boots).
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from test_boots import FIXTURES, Fixture, predict, symbols_for

from cmacheck.dryrun import (
    BootChain,
    DryRun,
    RegionOutcome,
    arm64_early_allocations,
    dry_run,
    unflatten_size_estimate,
)
from cmacheck.kernel import KernelModel, kernel_model
from cmacheck.load.cmdline import parse_cmdline
from cmacheck.load.dtb import parse_dtb
from cmacheck.memblock import Memblock
from cmacheck.model import DeviceTree

MIB = 1 << 20
GIB = 1 << 30
RAM = (0x4000_0000, 2 * GIB)

ARM64 = {
    "CMA": "y",
    "DMA_CMA": "y",
    "OF_RESERVED_MEM": "y",
    "CMA_SIZE_SEL_MBYTES": "y",
    "CMA_SIZE_MBYTES": "64",
    "CMA_AREAS": "19",
    "NUMA": "y",
    "HUGETLB_PAGE": "y",
    "TRANSPARENT_HUGEPAGE": "y",
    "ZONE_DMA": "y",
    "ZONE_DMA32": "y",
    "ARM64_4K_PAGES": "y",
    "DMA_DECLARE_COHERENT": "y",
    "RODATA_FULL_DEFAULT_ENABLED": "y",
}
ARM = {
    "CMA": "y",
    "DMA_CMA": "y",
    "OF_RESERVED_MEM": "y",
    "CMA_SIZE_SEL_MBYTES": "y",
    "CMA_SIZE_MBYTES": "16",
    "CMA_AREAS": "7",
    "ARM_LPAE": "y",
    "HIGHMEM": "y",
    "HUGETLB_PAGE": "y",
    "CPU_V7": "y",
    "ZONE_DMA": "y",
    "VMSPLIT_3G": "y",
    "DMA_DECLARE_COHERENT": "y",
}
RISCV = {
    "CMA": "y",
    "DMA_CMA": "y",
    "OF_RESERVED_MEM": "y",
    "CMA_SIZE_SEL_MBYTES": "y",
    "CMA_SIZE_MBYTES": "16",
    "HUGETLB_PAGE": "y",
    "ZONE_DMA32": "y",
    "DMA_DECLARE_COHERENT": "y",
}


def _cells(v: int) -> str:
    return f"0x{v >> 32:x} 0x{v & 0xFFFFFFFF:x}"


def build_dt(
    tmp_path: Path,
    children: str = "",
    *,
    ram: tuple[tuple[int, int], ...] = (RAM,),
    memreserve: tuple[tuple[int, int], ...] = (),
    bootargs: str | None = None,
    rmem_header: str = "#address-cells = <2>; #size-cells = <2>; ranges;",
    root_extra: str = "",
    no_rmem: bool = False,
) -> DeviceTree:
    mem = "".join(
        f'memory@{b:x} {{ device_type = "memory"; reg = <{_cells(b)} {_cells(s)}>; }};'
        for b, s in ram
    )
    rsv = "".join(f"/memreserve/ 0x{b:x} 0x{s:x};\n" for b, s in memreserve)
    chosen = f'chosen {{ bootargs = "{bootargs}"; }};' if bootargs is not None else ""
    rmem = "" if no_rmem else f"reserved-memory {{ {rmem_header} {children} }};"
    src = (
        f"/dts-v1/;\n{rsv}/ {{ #address-cells = <2>; #size-cells = <2>; "
        f'compatible = "linux,dummy-virt"; {mem} {chosen} {rmem} {root_extra} }};\n'
    )
    dts = tmp_path / "t.dts"
    dts.write_text(src)
    out = tmp_path / "t.dtb"
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(out), str(dts)], check=True)
    return parse_dtb(str(out), out.read_bytes())


def model(version: tuple[int, int, int], arch: str = "arm64", **extra: str) -> KernelModel:
    base = {"arm64": ARM64, "arm": ARM, "riscv64": RISCV}[arch]
    return kernel_model(version, arch, {**base, **extra})


def run(
    dt: DeviceTree,
    kernel: KernelModel,
    cmdline: str = "",
    boot: BootChain | None = None,
    symbols: Mapping[str, str] | None = None,
    ram: tuple[tuple[int, int], ...] | None = None,
) -> DryRun:
    syms = symbols
    if syms is None:
        syms = {"arm64": ARM64, "arm": ARM, "riscv64": RISCV}[kernel.arch]
    return dry_run(
        dt,
        kernel=kernel,
        cmdline=parse_cmdline(cmdline),
        symbols=syms,
        boot=boot or BootChain(),
        ram=ram,
    )


def region(r: DryRun, name: str) -> RegionOutcome:
    found = r.region(name)
    assert found is not None, f"no region {name}: {[x.name for x in r.regions]}"
    return found


K61 = (6, 1, 192)
K66 = (6, 6, 0)
K612 = (6, 12, 117)
K72 = (7, 2, 13)
K510 = (5, 10, 0)
K515 = (5, 15, 0)
QEMU_BOOT = BootChain(
    dtb_addr=0x4800_0000, dtb_size=0x2000, kernel_addr=0x4020_0000, kernel_size=0x201_0000
)

SDP = 'compatible = "shared-dma-pool";'


# ------------------------------------------------------- dynamic allocation order (§1.5)

T26 = (
    f"d0 {{ {SDP} size = <0 0x100000>; }}; d1 {{ {SDP} size = <0 0x100000>; }};"
    f"d2 {{ {SDP} size = <0 0x100000>; }};"
    "s@50000000 { reg = <0 0x50000000 0 0x100000>; };"
    f"d3 {{ {SDP} size = <0 0x100000>; }};"
)


@pytest.mark.parametrize(
    ("version", "order"),
    [
        (K61, ["d0", "d2", "d1", "d3"]),  # E3: heapsort [QEMU t26]
        (K66, ["d0", "d1", "d2", "d3"]),  # E4: stable (base, size, offset)
        (K612, ["d0", "d1", "d2", "d3"]),  # E5: DT order
        (K72, ["d0", "d1", "d2", "d3"]),  # E6: DT order
    ],
    ids=["6.1", "6.6", "6.12.117", "7.2"],
)
def test_dynamic_order_per_era(
    tmp_path: Path, version: tuple[int, int, int], order: list[str]
) -> None:
    r = run(build_dt(tmp_path, T26), model(version))
    bases = {name: region(r, name).base for name in order}
    assert [bases[n] for n in order] == [0xBFF0_0000, 0xBFE0_0000, 0xBFD0_0000, 0xBFC0_0000]
    assert all(region(r, n).status == "created" for n in order)
    assert region(r, "s@50000000").status == "reserved"
    dyn = [x.name for x in r.regions if x.origin == "dynamic"]
    assert dyn == order  # regions are listed in processing order


def test_smp_cache_alignment_and_first_allocated(tmp_path: Path) -> None:
    # [QEMU t1] nocompat is sorted first by the heapsort and lands at the top
    dt = build_dt(
        tmp_path, f"dmapool {{ {SDP} size = <0 0x1040>; }}; nocompat {{ size = <0 0x1040>; }};"
    )
    r = run(dt, model(K61))
    assert region(r, "nocompat").base == 0xBFFF_EFC0
    assert region(r, "nocompat").status == "reserved"
    pool = region(r, "dmapool")
    assert (pool.base, pool.status, pool.driver) == (0xBFFF_DF80, "created", "dma-coherent")
    assert pool.log == (
        "Reserved memory: created DMA memory pool at 0x00000000bfffdf80, size 0 MiB",
        "OF: reserved mem: initialized node dmapool, compatible id shared-dma-pool",
    )


# ------------------------------------------------------------------- alignment (§1.4, §5)


@pytest.mark.parametrize(
    ("version", "base", "status"),
    [(K61, 0xBFA0_0000, "created"), (K515, 0xBF80_0000, "rejected")],
    ids=["6.1-2M", "5.15-4M"],
)
def test_cma_alignment_bump(
    tmp_path: Path, version: tuple[int, int, int], base: int, status: str
) -> None:
    # [QEMU t2b] 6 MiB reusable pool: 2 MiB pageblock alignment on 6.1.  Before 5.19 the CMA
    # minimum is 4 MiB: the base is bumped, but the 6 MiB size is not a multiple -> rejected
    dt = build_dt(tmp_path, f"cmapool {{ {SDP} reusable; size = <0 0x600000>; }};")
    r = run(dt, model(version))
    pool = region(r, "cmapool")
    assert (pool.base, pool.status, pool.driver) == (base, status, "cma")
    facts = r.facts.region_facts["/reserved-memory/cmapool"]
    assert facts.alignment == r.facts.cma_alignment
    assert facts.alignment_reason is not None and "CMA minimum alignment" in facts.alignment_reason


def test_alignment_property_and_too_small_cma(tmp_path: Path) -> None:
    dt = build_dt(
        tmp_path,
        f"aligned {{ {SDP} size = <0 0x100000>; alignment = <0 0x10000000>; }};"
        f"small {{ {SDP} reusable; size = <0 0x100000>; }};"
        "badalign { size = <0 0x100000>; alignment = <0x100000>; };",
    )
    r = run(dt, model(K61))
    assert region(r, "aligned").base == 0xB000_0000  # [QEMU t21]
    small = region(r, "small")  # [QEMU t17]: 2 MiB-aligned base, 1 MiB size -> misaligned
    assert small.status == "rejected"
    assert small.log == (
        "Reserved memory: incorrect alignment of CMA region",
        "OF: reserved mem: node small compatible matching fail",
    )
    bad = region(r, "badalign")
    assert bad.status == "ignored"
    assert bad.log == ("OF: reserved mem: invalid alignment property in 'badalign' node.",)


# -------------------------------------------------------------- alloc-ranges (§1.4)


def test_alloc_ranges_top_down_in_window(tmp_path: Path) -> None:
    dt = build_dt(
        tmp_path,
        f"ranged {{ {SDP} reusable; size = <0 0x1000000>;"
        " alloc-ranges = <0 0x50000000 0 0x10000000>; };",
    )
    r = run(dt, model(K61))
    assert region(r, "ranged").base == 0x5F00_0000  # [QEMU t13]


@pytest.mark.parametrize(("version", "base"), [(K61, 0x50F0_0000), (K66, 0x5010_0000)])
def test_alloc_ranges_direction_heuristic(
    tmp_path: Path, version: tuple[int, int, int], base: int
) -> None:
    # 6.5+: a window that starts at the end of a recorded region is searched bottom-up
    dt = build_dt(
        tmp_path,
        "s@50000000 { reg = <0 0x50000000 0 0x100000>; };"
        "next { size = <0 0x100000>; alloc-ranges = <0 0x50100000 0 0xf00000>; };",
    )
    r = run(dt, model(version))
    assert region(r, "next").base == base


def test_invalid_alloc_ranges(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, "badranges { size = <0 0x100000>; alloc-ranges = <0 0x50000000 0>; };")
    r61 = run(dt, model(K61))
    assert region(r61, "badranges").status == "ignored"
    assert region(r61, "badranges").log == (
        "OF: reserved mem: invalid alloc-ranges property in 'badranges', skipping node.",
    )
    r72 = run(dt, model(K72))  # E6: treated as absent -> allocated anywhere
    assert region(r72, "badranges").base == 0xBFF0_0000


def test_dynamic_allocation_failure_facts(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, f"huge {{ {SDP} size = <1 0>; }};")
    r = run(dt, model(K61))
    huge = region(r, "huge")
    assert huge.status == "failed"
    assert huge.log == (
        "OF: reserved mem: failed to allocate memory for node 'huge': size 4096 MiB",
    )
    facts = r.facts.region_facts["/reserved-memory/huge"]
    assert facts.largest_free == (0x4000_0000, 0xC000_0000)
    r510 = run(dt, model(K510))
    assert region(r510, "huge").log == (
        "OF: reserved mem: failed to allocate memory for node 'huge'",
    )


# ------------------------------------------------------------- static regions (§1.3)


def test_static_no_map_ebusy_per_era(tmp_path: Path) -> None:
    # [QEMU t10] b is no-map over a's reservation
    dt = build_dt(
        tmp_path,
        "a@50000000 { reg = <0 0x50000000 0 0x1000000>; };"
        "b@50800000 { no-map; reg = <0 0x50800000 0 0x1000000>; };",
    )
    r = run(dt, model(K61))
    b = region(r, "b@50800000")
    assert b.status == "failed"
    assert r.log == (
        "OF: fdt: Reserved memory: failed to reserve memory for node 'b@50800000': "
        "base 0x0000000050800000, size 16 MiB",
        "OF: reserved mem: OVERLAP DETECTED!",
        "a@50000000 (0x0000000050000000--0x0000000051000000) overlaps with b@50800000 "
        "(0x0000000050800000--0x0000000051800000)",
        "cma: Reserved 64 MiB at 0x00000000b9a00000",
    )
    # 5.10.0 (E2): no-map = memblock_remove, never EBUSY; the RAM total shrinks
    r510 = run(dt, model(K510))
    assert region(r510, "b@50800000").status == "reserved"
    assert r510.facts.phys_mem_size == 2 * GIB - 16 * MIB


def test_no_map_outside_ram_never_ebusy_from_5_17(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, "nm@30000000 { no-map; reg = <0 0x30000000 0 0x100000>; };")
    boot = BootChain(reserves=((0x3000_0000, 0x1000),))
    assert region(run(dt, model(K61), boot=boot), "nm@30000000").status == "reserved"
    assert region(run(dt, model(K515), boot=boot), "nm@30000000").status == "failed"


def test_invalid_and_zero_reg(tmp_path: Path) -> None:
    dt = build_dt(
        tmp_path,
        "zero@50000000 { reg = <0 0x50000000 0 0>; };"
        "badreg@51000000 { reg = <0 0x51000000 0>; size = <0 0x100000>; };",
    )
    r = run(dt, model(K61))
    assert region(r, "zero@50000000").status == "failed"
    assert region(r, "badreg@51000000").status == "ignored"
    assert r.log[:2] == (
        "OF: fdt: Reserved memory: failed to reserve memory for node 'zero@50000000': "
        "base 0x0000000050000000, size 0 MiB",
        "OF: fdt: Reserved memory: invalid reg property in 'badreg@51000000', skipping node.",
    )
    # E6: a malformed reg is treated as absent; with a size the node becomes dynamic
    r72 = run(dt, model(K72))
    bad = region(r72, "badreg@51000000")
    assert (bad.origin, bad.base) == ("dynamic", 0xBFF0_0000)


def test_multi_entry_reg(tmp_path: Path) -> None:
    dt = build_dt(
        tmp_path,
        f"multi@50000000 {{ {SDP} reusable;"
        " reg = <0 0x50000000 0 0x400000>, <0 0x60000000 0 0x400000>; };",
    )
    r = run(dt, model(K61))  # [QEMU t16]: both reserved, one pool
    assert region(r, "multi@50000000").base == 0x5000_0000
    assert r.memblock.is_region_reserved(0x6000_0000, 0x40_0000)
    r72 = run(dt, model(K72))  # 7.2: only the first entry is reserved
    assert not r72.memblock.is_region_reserved(0x6000_0000, 0x40_0000)
    assert (
        "OF: reserved mem: Reserved memory: node 'multi@50000000' has 2 <base size> entries, "
        "only the first is used"
    ) in r72.log


def test_unsupported_format_and_disabled(tmp_path: Path) -> None:
    dt = build_dt(
        tmp_path,
        "a@50000000 { reg = <0x50000000 0x1000>; };",
        rmem_header="#address-cells = <1>; #size-cells = <1>; ranges;",
    )
    r = run(dt, model(K61))
    assert r.log[0] == "OF: fdt: Reserved memory: unsupported node format, ignoring"  # [QEMU t11]
    assert region(r, "a@50000000").status == "ignored"
    dt2 = build_dt(
        tmp_path,
        f'cmadis {{ {SDP} reusable; size = <0 0x1000000>; status = "disabled"; }};'
        f'cmaok {{ {SDP} reusable; size = <0 0x1000000>; status = "okay"; }};',
    )
    r2 = run(dt2, model(K61))
    assert region(r2, "cmadis").status == "ignored"
    assert region(r2, "cmaok").base == 0xBF00_0000  # [QEMU t12]


def test_max_reserved_regions(tmp_path: Path) -> None:
    kids = "".join(
        f"r{i}@{b:x} {{ reg = <0 0x{b:x} 0 0x1000>; }};"
        for i, b in enumerate(range(0x5000_0000, 0x5000_0000 + 65 * 0x10000, 0x10000))
    )
    r = run(build_dt(tmp_path, kids), model(K61))
    assert r.log.count("OF: reserved mem: not enough space for all defined regions.") == 1
    last = region(r, "r64@50400000")
    assert last.status == "reserved"  # still reserved, never recorded [QEMU t19]
    assert r.memblock.is_region_reserved(0x5040_0000, 0x1000)


# ------------------------------------------------------------------ drivers (§2.1, §4)


def test_reusable_no_map_per_era(tmp_path: Path) -> None:
    dt = build_dt(
        tmp_path,
        f"cmanomap@50000000 {{ {SDP} reusable; no-map; reg = <0 0x50000000 0 0x400000>; }};",
    )
    r = run(dt, model(K61))  # [QEMU t4]: matching fail, the no-map flag is cleared again
    x = region(r, "cmanomap@50000000")
    assert x.status == "rejected"
    assert x.log == ("OF: reserved mem: node cmanomap@50000000 compatible matching fail",)
    assert not any(m.flags for m in r.memblock.memory)
    r72 = run(dt, model(K72))  # E6: no driver -> stays a no-map reservation
    y = region(r72, "cmanomap@50000000")
    assert (y.status, y.driver) == ("reserved", "none")
    assert y.log == (
        "OF: reserved mem: 0x0000000050000000..0x00000000503fffff (4096 KiB) nomap reusable "
        "cmanomap@50000000",
    )


def test_dynamic_no_map_rejected_leaks(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, f"dn {{ {SDP} reusable; no-map; size = <0 0x400000>; }};")
    r = run(dt, model(K61))
    assert region(r, "dn").status == "rejected"
    assert r.facts.region_facts["/reserved-memory/dn"].leaked
    assert r.memblock.is_region_reserved(0xBFC0_0000, 0x40_0000)


def test_arm32_coherent_pool_needs_no_map(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, f"pool {{ {SDP} size = <0 0x100000>; }};")
    r = run(dt, model(K61, "arm"))
    pool = region(r, "pool")
    assert pool.status == "rejected"
    assert pool.log == (
        "Reserved memory: regions without no-map are not yet supported",
        "OF: reserved mem: node pool compatible matching fail",
    )
    assert pool.base == 0xBFF0_0000
    # the pool's memory was given back: the default 16 MiB area (highmem first) reuses it
    assert r.default_cma is not None and r.default_cma.base == 0xBF00_0000
    assert region(run(dt, model(K61)), "pool").status == "created"  # arm64 accepts it


def test_cmdline_cma_bypasses_dt_default(tmp_path: Path) -> None:
    dt = build_dt(
        tmp_path, f"linux,cma {{ {SDP} reusable; size = <0 0x1000000>; linux,cma-default; }};"
    )
    r = run(dt, model(K61), "cma=32M")  # [QEMU t7]
    x = region(r, "linux,cma")
    assert x.status == "bypassed"
    assert x.log == (
        "Reserved memory: bypass linux,cma node, using cmdline CMA params instead",
        "OF: reserved mem: node linux,cma compatible matching fail",
    )
    assert r.default_cma is not None and r.default_cma.size == 32 * MIB
    r0 = run(dt, model(K61), "cma=0")  # [QEMU t7z]: no default area at all
    assert r0.default_cma is None
    r72 = run(dt, model(K72), "cma=32M")  # E6: skipped before the allocation
    y = region(r72, "linux,cma")
    assert (y.status, y.base) == ("bypassed", None)
    assert y.log == ('Skipping dt linux,cma-default node in favor for "cma=" kernel param.',)


def test_dt_default_suppresses_kconfig_area(tmp_path: Path) -> None:
    dt = build_dt(
        tmp_path,
        f"cma1 {{ {SDP} reusable; size = <0 0x1000000>; linux,cma-default; }};"
        f"cma2@60000000 {{ {SDP} reusable; reg = <0 0x60000000 0 0x2000000>;"
        " linux,cma-default; };",
    )
    r = run(dt, model(K61))  # [QEMU t6]: both created, no default 64 MiB area
    assert region(r, "cma1").base == 0xBF00_0000
    assert region(r, "cma2@60000000").status == "created"
    assert r.default_cma is None


def test_arm32_e5_static_default_no_longer_suppresses(tmp_path: Path) -> None:
    dt = build_dt(
        tmp_path,
        f"cma@60000000 {{ {SDP} reusable; reg = <0 0x60000000 0 0x2000000>; linux,cma-default; }};",
    )
    assert run(dt, model(K61, "arm")).default_cma is None
    r = run(dt, model(K612, "arm"))  # §2.2: the Kconfig area is reserved as well
    assert r.default_cma is not None and r.default_cma.status == "created"
    assert region(r, "cma@60000000").status == "created"


def test_cma_slots(tmp_path: Path) -> None:
    kids = "".join(
        f"c{i}@{0x5000_0000 + i * 0x20_0000:x} {{ {SDP} reusable; "
        f"reg = <0 0x{0x5000_0000 + i * 0x20_0000:x} 0 0x200000>; }};"
        for i in range(21)
    )
    r = run(build_dt(tmp_path, kids), model(K61))  # [QEMU t20] CMA_AREAS=19 -> 20 slots
    c20 = region(r, "c20@52800000")
    assert c20.status == "rejected"
    assert c20.log == (
        "cma: Not enough slots for CMA reserved regions!",
        "Reserved memory: unable to setup CMA region",
        "OF: reserved mem: node c20@52800000 compatible matching fail",
    )
    assert r.default_cma is not None and r.default_cma.status == "failed"
    assert r.default_cma.log == ("cma: Not enough slots for CMA reserved regions!",)


def test_restricted_pool_needs_config(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, 'rdp { compatible = "restricted-dma-pool"; size = <0 0x400000>; };')
    assert region(run(dt, model(K61)), "rdp").status == "reserved"  # Debian: not enabled
    syms = {**ARM64, "DMA_RESTRICTED_POOL": "y"}
    r = run(dt, kernel_model(K61, "arm64", syms), symbols=syms)
    x = region(r, "rdp")
    assert (x.status, x.driver) == ("created", "restricted-dma")
    assert x.log[0] == (
        "software IO TLB: Reserved memory: created restricted DMA pool at "
        "0x00000000bfc00000, size 4 MiB"
    )


# ----------------------------------------------------------- E5/E6 ordering (§1.1, §1.9)


def test_memreserve_position_per_era(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, "dyn { size = <0 0x100000>; };", memreserve=((0xBFF0_0000, 0x10_0000),))
    assert region(run(dt, model(K61)), "dyn").base == 0xBFE0_0000
    assert region(run(dt, model(K612)), "dyn").base == 0xBFF0_0000  # lands on the memreserve


def test_e5_summary_lines_and_no_node(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, "plain@50000000 { reg = <0 0x50000000 0 0x200000>; };")
    r = run(dt, model(K612))
    assert region(r, "plain@50000000").log == (
        "OF: reserved mem: 0x0000000050000000..0x00000000501fffff (2048 KiB) map non-reusable "
        "plain@50000000",
    )
    r0 = run(build_dt(tmp_path, no_rmem=True), model(K612))
    assert r0.log[0] == "OF: reserved mem: Reserved memory: No reserved-memory node in the DT"


# ---------------------------------------------------------------- default area (§2, §3)


def test_default_area_qemu_calibration(tmp_path: Path) -> None:
    # [QEMU base] 6.1, 2 GiB: page tables + memmap sit above the area
    r = run(build_dt(tmp_path), model(K61), boot=QEMU_BOOT)
    assert r.default_cma is not None
    assert (r.default_cma.base, r.default_cma.size) == (0xB9A0_0000, 64 * MIB)
    assert r.default_cma.log == ("cma: Reserved 64 MiB at 0x00000000b9a00000",)
    assert r.facts.dma_limit == 0xC000_0000
    r612 = run(build_dt(tmp_path), model(K612), boot=QEMU_BOOT)
    assert r612.default_cma is not None
    assert r612.default_cma.log == ("cma: Reserved 64 MiB at 0x00000000b9a00000 on node -1",)


def test_default_area_mem_limit(tmp_path: Path) -> None:
    r = run(build_dt(tmp_path), model(K61), "mem=1G", boot=QEMU_BOOT)
    assert r.log == ("Memory limited to 1024MB", "cma: Reserved 64 MiB at 0x000000007ac00000")
    assert r.facts.phys_mem_size == GIB


@pytest.mark.parametrize(
    ("cmdline", "lines"),
    [
        ("cma=64M@0x50000000", ["cma: Reserved 64 MiB at 0x0000000050000000"]),
        (
            "cma=64M@0x50100000",
            [
                "cma: Region at 0x0000000050100000 must be aligned to 0x0000000000200000 bytes",
                "cma: Failed to reserve 64 MiB",
            ],
        ),
        ("cma=64M@0x50000000-0x60000000", ["cma: Reserved 64 MiB at 0x000000005c000000"]),
        ("cma=3G", ["cma: Failed to reserve 3072 MiB"]),
    ],
    ids=["fixed", "misaligned", "window", "too-big"],
)
def test_cmdline_area(tmp_path: Path, cmdline: str, lines: list[str]) -> None:
    r = run(build_dt(tmp_path), model(K61), cmdline, boot=QEMU_BOOT)  # [QEMU §2.3]
    assert list(r.log) == lines


def test_default_area_percentage(tmp_path: Path) -> None:
    syms = {
        **ARM64,
        "CMA_SIZE_SEL_MBYTES": "n",
        "CMA_SIZE_SEL_PERCENTAGE": "y",
        "CMA_SIZE_PERCENTAGE": "10",
    }
    syms.pop("CMA_SIZE_MBYTES")
    r = run(build_dt(tmp_path), kernel_model(K61, "arm64", syms), "mem=1G", symbols=syms)
    assert r.cma_size_plan is not None and r.cma_size_plan.size == GIB // 10 // 4096 * 4096
    assert r.default_cma is not None and r.default_cma.size == 104 * MIB  # rounded up to 2 MiB


def test_default_area_bottom_up_above_4g(tmp_path: Path) -> None:
    # DRAM above 4 GiB: no DMA limit, so 5.11+ tries bottom-up from 4 GiB first
    dt = build_dt(tmp_path, ram=((0x8_0000_0000, 8 * GIB),))
    r = run(dt, model(K61))
    assert r.default_cma is not None and r.default_cma.base == 0x8_0000_0000


def test_arm32_default_area_prefers_highmem(tmp_path: Path) -> None:
    r = run(build_dt(tmp_path), model(K61, "arm"))
    assert r.facts.highmem_start == 0x7000_0000
    assert r.default_cma is not None and r.default_cma.base == 0xBF00_0000


def test_zone_straddle_is_inactive(tmp_path: Path) -> None:
    dt = build_dt(
        tmp_path,
        f"straddle@ff000000 {{ {SDP} reusable; reg = <0 0xff000000 0 0x2000000>; }};",
        ram=((0x4000_0000, 6 * GIB),),
    )
    r = run(dt, model(K61))  # [QEMU t18]
    x = region(r, "straddle@ff000000")
    assert x.status == "inactive"
    assert x.log[-1] == "cma: CMA area straddle@ff000000 could not be activated"
    assert r.facts.region_facts["/reserved-memory/straddle@ff000000"].zones == ("DMA", "Normal")


def test_dma_ranges_limit(tmp_path: Path) -> None:
    # [QEMU t30] a bus limiting DMA to 0x40000000 + 512 MiB: 6.1 zone_dma_bits = 31
    extra = (
        'dmabus { compatible = "simple-bus"; #address-cells = <2>; #size-cells = <2>; ranges;'
        " dma-ranges = <0 0x40000000 0 0x40000000 0 0x20000000>; };"
    )
    r = run(build_dt(tmp_path, root_extra=extra), model(K61), boot=QEMU_BOOT)
    assert r.facts.dma_limit == 0x8000_0000
    assert r.default_cma is not None and r.default_cma.base == 0x7C00_0000


# ------------------------------------------------------------------ inputs and notes


def test_assumptions_and_ram_option(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, ram=())
    r = run(dt, model(K61))
    assert "no --kernel-addr: the kernel image was not reserved" in r.assumptions
    assert r.default_cma is None or r.default_cma.status == "failed"
    r2 = run(dt, model(K61), ram=((0x8000_0000, GIB),))
    assert r2.facts.memory_source == "ram-option"
    assert r2.facts.memory_banks == ((0x8000_0000, GIB),)


def test_kernel_image_reservation_per_version(tmp_path: Path) -> None:
    # §12.1: 6.1 reserves from load + 64 KiB (_stext), 6.12 from the load address (_text)
    dt = build_dt(tmp_path, "nm@40200000 { no-map; reg = <0 0x40200000 0 0x10000>; };")
    boot = BootChain(kernel_addr=0x4020_0000, kernel_size=0x200_0000)
    assert region(run(dt, model(K61), boot=boot), "nm@40200000").status == "reserved"
    assert region(run(dt, model(K612), boot=boot), "nm@40200000").status == "failed"


def test_riscv_dtb_reserved_after_scan(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, "dyn { size = <0 0x1000>; };")
    boot = BootChain(dtb_addr=0xBFFF_F000, dtb_size=0x1000)
    assert region(run(dt, model(K61, "riscv64"), boot=boot), "dyn").base == 0xBFFF_F000
    assert region(run(dt, model(K61), boot=boot), "dyn").base == 0xBFFF_E000


def test_unflatten_estimate_counts_nodes(tmp_path: Path) -> None:
    small = unflatten_size_estimate(build_dt(tmp_path))
    bigger = unflatten_size_estimate(build_dt(tmp_path, "a { size = <0 0x1000>; };"))
    # node (208 + "a\\0", padded to 8) + size property (96) + synthetic name (96 + "a\\0"),
    # end rounded to 4
    assert bigger - small == 216 + 96 + 98 + 2


def test_area_outside_ram_is_inactive(tmp_path: Path) -> None:
    # recorded 6.1 boots (c-outside, mem-hole-cma): "created", then WARN + fault at activation
    r = run(build_dt(tmp_path), model(K61), "cma=64M@0x20000000", boot=QEMU_BOOT)
    assert r.default_cma is not None and r.default_cma.status == "inactive"
    assert r.default_cma.log == ("cma: Reserved 64 MiB at 0x0000000020000000",)
    dt = build_dt(
        tmp_path,
        f"c@70000000 {{ {SDP} reusable; reg = <0 0x70000000 0 0x1000000>; }};",
        ram=((0x4000_0000, 512 * MIB), (0x8000_0000, GIB)),
    )
    c = region(run(dt, model(K61)), "c@70000000")
    assert c.status == "inactive"
    assert c.log[0] == "Reserved memory: created CMA memory pool at 0x0000000070000000, size 16 MiB"


def test_memreserve_entries_are_regions(tmp_path: Path) -> None:
    dt = build_dt(tmp_path, memreserve=((0x5008_0000, 0x1000),))
    r = run(dt, model(K61))
    m = region(r, "memreserve@50080000")
    assert (m.origin, m.status, m.base, m.size) == ("memreserve", "reserved", 0x5008_0000, 0x1000)


def test_e5_unaligned_no_map_page_faults(tmp_path: Path) -> None:
    # recorded boots t31: 6.1.192 survives, 6.12.117 faults in the late-scan array memset
    # (the page holding the start of the unaligned no-map pool is not in the linear map)
    dt = build_dt(
        tmp_path,
        f"odd {{ {SDP} size = <0 0x1040>; }}; nm {{ {SDP} no-map; size = <0 0x100000>; }};"
        "ru@50000000 { reusable; reg = <0 0x50000000 0 0x100000>; };",
    )
    r61 = run(dt, model(K61), boot=QEMU_BOOT)
    assert r61.facts.crash is None and r61.default_cma is not None
    r = run(dt, model(K612), boot=QEMU_BOOT)
    assert r.facts.crash is not None and "alloc_reserved_mem_array" in r.facts.crash
    assert r.default_cma is None
    assert region(r, "nm").base == 0xBFEF_EFC0
    assert region(r, "ru@50000000").status == "reserved"  # reserved early, never initialised
    assert r.log[-1] == (
        "OF: reserved mem: 0x00000000bfefefc0..0x00000000bfffefbf (1024 KiB) nomap non-reusable nm"
    )


def test_riscv_e6_smoke(tmp_path: Path) -> None:
    # 7.2 riscv64: DT-order allocation, default area below, DMA32 = the whole RAM below 4 GiB
    r = run(build_dt(tmp_path, T26), model(K72, "riscv64"))
    assert [x.base for x in r.regions if x.origin == "dynamic"] == [
        0xBFF0_0000,
        0xBFE0_0000,
        0xBFD0_0000,
        0xBFC0_0000,
    ]
    assert r.default_cma is not None and r.default_cma.base == 0xBEC0_0000  # 16 MiB
    assert r.facts.zones == (("DMA32", 0x4000_0000, 0xC000_0000),)
    # the static region is initialised late (unflatten), after the default area
    assert r.log[-1].endswith("map non-reusable s@50000000")


def test_arm32_cma_over_kernel_hangs(tmp_path: Path) -> None:
    # recorded armhf 6.1 boot ovl-kernel-cma: no console output, QEMU timeout; arm64 survives
    dt = build_dt(tmp_path, f"k@40000000 {{ {SDP} reusable; reg = <0 0x40000000 0 0x4000000>; }};")
    boot = BootChain(kernel_addr=0x4040_0000, kernel_size=0x140_D288)
    r = run(dt, model(K61, "arm"), boot=boot)
    assert region(r, "k@40000000").status == "created"
    assert r.facts.crash is not None and "dma_contiguous_remap" in r.facts.crash
    r64 = run(dt, model(K61), boot=BootChain(kernel_addr=0x4020_0000, kernel_size=0x201_0000))
    assert r64.facts.crash is None


def test_arm32_e5_misaligned_cma_remap_hangs(tmp_path: Path) -> None:
    # recorded armhf 6.12 boot t3: no output, QEMU timeout; the same tree boots on 6.1
    dt = build_dt(
        tmp_path, f"cmamis@50100000 {{ {SDP} reusable; reg = <0 0x50100000 0 0x400000>; }};"
    )
    r61 = run(dt, model(K61, "arm"))
    assert region(r61, "cmamis@50100000").status == "rejected"
    assert r61.facts.crash is None
    r612 = run(dt, model(K612, "arm"))
    assert region(r612, "cmamis@50100000").status == "rejected"
    assert r612.facts.crash is not None and "dma_contiguous_remap" in r612.facts.crash


def test_huge_memory_bank_is_arithmetic(tmp_path: Path) -> None:
    # chunk counting and the activation check must not enumerate sections (fuzz finding;
    # enumerating 2^50 bytes of sections would not finish)
    dt = build_dt(tmp_path, ram=((0x4000_0000, 1 << 50),))
    r = run(dt, model(K61))
    # arm64 keeps only what the 48-bit PA range / 47-bit linear map can reach
    assert r.facts.dram_end <= 1 << 48
    assert any("linear map" in a for a in r.assumptions)


def test_arm64_initrd_outside_linear_map_is_dropped(tmp_path: Path) -> None:
    boot = BootChain(initrd=(0xFFFF_FFFF_FFF0_0000, 0x1000))
    r = run(build_dt(tmp_path), model(K61), boot=boot)
    assert any("initrd" in a and "linear map" in a for a in r.assumptions)
    assert r.facts.dram_end == 0xC000_0000


def test_16k_pages_sparse_buffer_mostly_freed(tmp_path: Path) -> None:
    # §12: with 16K pages sparse_init reserves 32 MiB of memmap buffer per 128 MiB section and
    # frees all but the memmap itself before the default area (the 16K boots under
    # tests/boots/arm64-*-16k check it exactly)
    syms = {**ARM64, "ARM64_4K_PAGES": "n", "ARM64_16K_PAGES": "y"}
    k = kernel_model(K612, "arm64", syms)
    r = run(build_dt(tmp_path), k, symbols=syms, boot=QEMU_BOOT)
    freed = [e for e in r.facts.early_allocs if e.what.startswith("sparse_buffer_fini")]
    assert freed and freed[0].size == 16 * 32 * MIB - 16 * 512 * 1024
    assert r.default_cma is not None and r.default_cma.base is not None
    assert r.default_cma.base % (32 * MIB) == 0 and r.default_cma.base > 0xB000_0000


@pytest.mark.parametrize("version", [K61, K612, K72], ids=["6.1", "6.12", "7.2"])
def test_arm64_early_allocations_one_node(tmp_path: Path, version: tuple[int, int, int]) -> None:
    # one node given explicitly is the default replay (only the memmap buffer is named by its
    # node), and before_sparse runs after NODE_DATA and the cpumask, before sparse_init
    dt = build_dt(tmp_path)
    k = model(version)
    plain_mb, with_node_mb = Memblock(), Memblock()
    plain_mb.add(*RAM)
    with_node_mb.add(*RAM)
    plain = arm64_early_allocations(plain_mb, dt, k, ARM64)
    at_hook: list[int] = []
    with_node = arm64_early_allocations(
        with_node_mb,
        dt,
        k,
        ARM64,
        nodes=[(0, ((RAM[0], RAM[0] + RAM[1]),))],
        before_sparse=lambda: at_hook.append(sum(r.size for r in with_node_mb.reserved)),
    )
    assert [(e.base, e.size) for e in with_node] == [(e.base, e.size) for e in plain]
    assert with_node_mb.reserved == plain_mb.reserved
    labels = [e.what.replace(" node 0", "") for e in with_node]
    assert labels == [e.what for e in plain]
    before_sparse = [e for e in plain if not e.what.startswith(("sparse", "vmemmap"))]
    assert at_hook == [sum(e.size for e in before_sparse)]
    cpumask = version >= (6, 12, 0)
    assert before_sparse[-1].what == ("alloc_bootmem_cpumask_var" if cpumask else "NODE_DATA")


def test_sparse_memoryless_node_0_and_index_root_node(tmp_path: Path) -> None:
    """mm/sparse.c: memblocks_present() walks memblock in address order, so sparse_index_init()
    allocates the section root in the node of the LOWEST memory (node 1 here, node 0 lies
    above it); the vmemmap tables come with the first memmap populated, so a memoryless
    node 0 does not drop them."""
    dt = build_dt(tmp_path)
    lo, hi = RAM[0], RAM[0] + RAM[1]
    mid = lo + RAM[1] // 2
    mb = Memblock()
    mb.add(*RAM)
    split = [(0, ((mid, hi),)), (1, ((lo, mid),))]
    out = arm64_early_allocations(mb, dt, model(K61), ARM64, nodes=split)
    (root,) = [e for e in out if e.what == "sparse_index_alloc"]
    assert lo <= root.base < mid
    mb = Memblock()
    mb.add(*RAM)
    out = arm64_early_allocations(mb, dt, model(K61), ARM64, nodes=[(0, ()), (1, ((lo, hi),))])
    assert [e.what for e in out].count("vmemmap page table") == 2
    assert not any(e.what == "sparse memmap buffer node 0" for e in out)


# ------------------------------------ command-line CMA areas and NUMA nodes (§2.5, §3.1)

_TWO_NODES = (
    'cpus { #address-cells = <1>; #size-cells = <0>; cpu@0 { device_type = "cpu"; reg = <0>; '
    "numa-node-id = <0>; }; };"
    'memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; '
    "numa-node-id = <0>; };"
    'memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0 0x40000000>; '
    "numa-node-id = <1>; };"
)


def _areas(r: DryRun) -> list[tuple[str, str, int | None, int]]:
    return [(a.name, a.status, a.base, a.size >> 20) for a in r.extra_areas]


def test_numa_nodes_from_dt(tmp_path: Path) -> None:
    """numa-node-id on memory nodes -> two online nodes; none -> one fake node."""
    two = run(build_dt(tmp_path, ram=(), root_extra=_TWO_NODES), model(K61), "", QEMU_BOOT)
    assert two.facts.numa_nodes == (
        (0, ((0x4000_0000, 0x8000_0000),)),
        (1, ((0x8000_0000, 0xC000_0000),)),
    )
    one = run(build_dt(tmp_path), model(K61), "", QEMU_BOOT)
    assert one.facts.numa_nodes == ((0, ((0x4000_0000, 0xC000_0000),)),)


def test_numa_node_without_id_falls_back_to_one_node(tmp_path: Path) -> None:
    """Memory without a node id: "Warning: invalid memblk node" -> fake node (recorded
    arm64-6.1 numa2-mixed)."""
    first = "reg = <0 0x40000000 0 0x40000000>;"
    extra = _TWO_NODES.replace(f"{first} numa-node-id = <0>;", first)
    r = run(build_dt(tmp_path, ram=(), root_extra=extra), model(K61), "", QEMU_BOOT)
    assert [n for n, _ in r.facts.numa_nodes] == [0]


def test_numa_every_reg_entry_of_a_memory_node(tmp_path: Path) -> None:
    """of_numa_parse_memory_nodes adds EVERY reg entry (``for (i = 0; !r &&
    !of_address_to_resource(np, i, &rsrc); i++) numa_add_memblk(...)``): a node-0 memory node
    with two entries gives node 0 both ranges, no fake node."""
    extra = _TWO_NODES.replace(
        "reg = <0 0x40000000 0 0x40000000>;",
        "reg = <0 0x40000000 0 0x20000000 0 0x60000000 0 0x20000000>;",
    )
    r = run(build_dt(tmp_path, ram=(), root_extra=extra), model(K61), "", QEMU_BOOT)
    assert r.facts.numa_nodes == (
        (0, ((0x4000_0000, 0x8000_0000),)),
        (1, ((0x8000_0000, 0xC000_0000),)),
    )
    assert not any(a.startswith("NUMA: ") and "fake node" in a for a in r.assumptions)


def test_numa_node_reads_reg_not_usable_memory(tmp_path: Path) -> None:
    """of_address_to_resource() reads ``reg``: linux,usable-memory narrows memblock.memory but
    not the node ranges, so the usable part still lies in node 1."""
    extra = _TWO_NODES.replace(
        "reg = <0 0x80000000 0 0x40000000>;",
        "reg = <0 0x80000000 0 0x40000000>; linux,usable-memory = <0 0x80000000 0 0x20000000>;",
    )
    r = run(build_dt(tmp_path, ram=(), root_extra=extra), model(K61), "", QEMU_BOOT)
    assert r.facts.numa_nodes == (
        (0, ((0x4000_0000, 0x8000_0000),)),
        (1, ((0x8000_0000, 0xA000_0000),)),
    )


def test_numa_node_id_out_of_range_falls_back_to_one_node(tmp_path: Path) -> None:
    """A memory node's numa-node-id >= MAX_NUMNODES: "Node id %u exceeds maximum value", the
    parse fails and numa_init falls back to dummy_numa_init's single node; said so."""
    extra = _TWO_NODES.replace("numa-node-id = <1>;", "numa-node-id = <16>;")
    r = run(build_dt(tmp_path, ram=(), root_extra=extra), model(K61), "", QEMU_BOOT)
    assert r.facts.numa_nodes == ((0, ((0x4000_0000, 0xC000_0000),)),)
    assert any("Node id 16 exceeds maximum value" in a for a in r.assumptions)


def test_numa_fallback_reason_is_recorded(tmp_path: Path) -> None:
    """The fake-node reason of a DT that has NUMA ids is an assumption; a DT without any gives
    none (the ordinary one-node case)."""
    first = "reg = <0 0x40000000 0 0x40000000>;"
    extra = _TWO_NODES.replace(f"{first} numa-node-id = <0>;", first)
    r = run(build_dt(tmp_path, ram=(), root_extra=extra), model(K61), "", QEMU_BOOT)
    assert any("invalid memblk node" in a for a in r.assumptions)
    one = run(build_dt(tmp_path), model(K61), "", QEMU_BOOT)
    assert not any(a.startswith("NUMA: ") for a in one.assumptions)


def test_pernuma_per_node_6_1(tmp_path: Path) -> None:
    """[QEMU arm64-6.1 numa2-pernuma] pernuma0 0x7de00000, pernuma1 0xbda00000, default
    0xb8a00000 (per-node NODE_DATA and memmap)."""
    dt = build_dt(tmp_path, ram=(), root_extra=_TWO_NODES)
    r = run(dt, model(K61), "cma_pernuma=32M", QEMU_BOOT, {**ARM64, "DMA_PERNUMA_CMA": "y"})
    assert _areas(r) == [
        ("pernuma0", "created", 0x7DE0_0000, 32),
        ("pernuma1", "created", 0xBDA0_0000, 32),
    ]
    assert r.default_cma is not None and r.default_cma.base == 0xB8A0_0000


def test_pernuma_node_exact_failure(tmp_path: Path) -> None:
    """[QEMU arm64-6.1 numa2-pernuma-big] no fallback to another node: both 1 GiB areas fail."""
    dt = build_dt(tmp_path, ram=(), root_extra=_TWO_NODES)
    r = run(dt, model(K61), "cma_pernuma=1G", QEMU_BOOT, {**ARM64, "DMA_PERNUMA_CMA": "y"})
    assert [(n, s) for n, s, _, _ in _areas(r)] == [("pernuma0", "failed"), ("pernuma1", "failed")]
    assert "cma: dma_pernuma_cma_reserve: reservation failed: err -12, node 1" in r.log


def test_numa_cma_unknown_without_config(tmp_path: Path) -> None:
    """Debian 6.12 has no CONFIG_DMA_NUMA_CMA: cma_pernuma= is an unknown parameter."""
    r = run(build_dt(tmp_path), model(K612), "cma_pernuma=32M", QEMU_BOOT)
    assert r.extra_areas == ()
    assert r.facts.cmdline_cma_notes[0][0] == "unknown"


def test_numa_cma_7_2_after_default_and_override(tmp_path: Path) -> None:
    """[QEMU arm64-sid numa1-both] one "numa0" area of the numa_cma= size, after the default."""
    syms = {**ARM64, "CMA_AREAS": "20", "DMA_NUMA_CMA": "y"}
    r = run(
        build_dt(tmp_path),
        model(K72, DMA_NUMA_CMA="y"),
        "cma_pernuma=16M numa_cma=0:32M",
        QEMU_BOOT,
        syms,
    )
    assert _areas(r) == [("numa0", "created", 0xB9A0_0000, 32)]
    assert r.default_cma is not None and r.default_cma.base == 0xBBA0_0000


@pytest.mark.parametrize("version", [(6, 7, 0), (6, 9, 0), (7, 1, 0)])
def test_numa_cma_6_7_to_7_1_declares_both_areas(
    tmp_path: Path, version: tuple[int, int, int]
) -> None:
    """kernel/dma/contiguous.c dma_numa_cma_reserve, 6.7-7.1 ('dma-contiguous: support numa
    CMA for specified node' v2): per online node ``if (pernuma_size_bytes)`` a "pernuma%d"
    area, then ``if (numa_cma_size[nid])`` a "numa%d" area -- both, no override (7.2 keeps
    one)."""
    syms = {**ARM64, "CMA_AREAS": "20", "DMA_NUMA_CMA": "y"}
    r = run(
        build_dt(tmp_path),
        model(version, DMA_NUMA_CMA="y"),
        "cma_pernuma=16M numa_cma=0:32M",
        QEMU_BOOT,
        syms,
    )
    assert [(n, s, size) for n, s, _, size in _areas(r)] == [
        ("pernuma0", "created", 16),
        ("numa0", "created", 32),
    ]
    assert not any("7.2 rules" in a for a in r.assumptions)
    only_pernuma = run(
        build_dt(tmp_path), model(version, DMA_NUMA_CMA="y"), "cma_pernuma=16M", QEMU_BOOT, syms
    )
    assert [n for n, _, _, _ in _areas(only_pernuma)] == ["pernuma0"]


@pytest.mark.parametrize(
    ("version", "base"),
    [(K61, 0x7FA0_0000), (K612, None)],
    ids=["6.1-pmd-aligned", "6.12-gigantic-aligned"],
)
def test_hugetlb_alignment(tmp_path: Path, version: tuple[int, int, int], base: int | None) -> None:
    """[QEMU numa1-hugetlb-2g] 6.1 aligns the 1 GiB area to 2 MiB, 6.12 to 1 GiB (fails)."""
    r = run(build_dt(tmp_path), model(version), "hugetlb_cma=1G", QEMU_BOOT)
    ((name, status, got, size),) = _areas(r)
    assert (name, got, size) == ("hugetlb0", base, 1024)
    assert status == ("created" if base else "failed")


def test_hugetlb_size_and_offline_node_notes(tmp_path: Path) -> None:
    """[QEMU arm64-6.1 numa1-hugetlb-small / -node] dropped requests are facts for the rules."""
    six = ((0x4000_0000, 6 * GIB),)
    small = run(build_dt(tmp_path, ram=six), model(K61), "hugetlb_cma=512M", QEMU_BOOT)
    assert small.extra_areas == ()
    assert "hugetlb_cma: cma area should be at least 1024 MiB" in small.log
    assert [k for k, _ in small.facts.cmdline_cma_notes] == ["hugetlb-size"]
    node = run(build_dt(tmp_path, ram=six), model(K61), "hugetlb_cma=0:1G,1:1G", QEMU_BOOT)
    assert _areas(node) == [("hugetlb0", "created", 0x1_0000_0000, 1024)]
    assert node.log[:1] == ("hugetlb_cma: invalid node 1 specified",)
    assert [k for k, _ in node.facts.cmdline_cma_notes] == ["invalid-node"]


# ------------------------------------------- fast paths against literal transcriptions


def _literal_unflatten(dt: DeviceTree, node_bytes: int, prop_bytes: int) -> int:
    # drivers/of/fdt.c unflatten_dt_nodes' size pass, one unflatten_dt_alloc per piece
    mem = 0

    def take(size: int) -> None:
        nonlocal mem
        mem = -(-mem // 8) * 8 + size

    for node in dt.walk():
        take(node_bytes + len(node.name) + 1)
        for _ in node.props:
            take(prop_bytes)
        if "name" not in node.props:
            take(prop_bytes + len(node.basename) + 1)
    return -(-mem // 4) * 4 + 4


def test_unflatten_estimate_is_the_literal_size_pass() -> None:
    import random

    from cmacheck import dryrun
    from cmacheck.model import Node, Prop

    rnd = random.Random(3)

    def tree(path: str, depth: int) -> Node:
        name = rnd.choice(["a", "bb", "n@1", "x@ff", "ccc@10000", ""]) + str(rnd.randrange(50))
        props = {p: Prop(p, b"") for p in rnd.sample(["reg", "name", "compatible", "x"], 2)}
        width = rnd.randrange(4 if depth < 3 else 1)
        kids = [tree(f"{path}/{name}", depth + 1) for _ in range(width)]
        return Node(name, f"{path}/{name}", 0, props if rnd.random() < 0.8 else {}, kids)

    for _ in range(100):
        dt = DeviceTree("t.dtb", tree("", 0))
        for version in ((6, 1, 0), (6, 12, 0), (7, 2, 0)):
            sizes = next(s for since, s in dryrun._UNFLATTEN_STRUCTS if version >= since)
            assert unflatten_size_estimate(dt, version) == _literal_unflatten(dt, *sizes)


def test_chunk_runs_are_the_touched_chunks() -> None:
    import random

    from cmacheck.dryrun import _chunk_runs

    rnd = random.Random(5)
    for _ in range(2000):
        points = sorted(rnd.randrange(200) for _ in range(2 * rnd.randrange(6)))
        ranges = [(points[i], points[i + 1]) for i in range(0, len(points), 2)]
        span = rnd.choice([1, 3, 8, 64])
        touched = sorted({c for s, e in ranges if e > s for c in range(s // span, -(-e // span))})
        runs = _chunk_runs(ranges, span)
        assert sorted(c for lo, hi in runs for c in range(lo, hi + 1)) == touched
        assert all(runs[i + 1][0] > runs[i][1] + 1 for i in range(len(runs) - 1))  # merged


# ------------------------------------------------- the default CMA area against the recorded boots


def _kernel_default(log: str, defaults: set[str]) -> str | None:
    """The last ``linux,cma-default`` pool the kernel set up (rmem_cma_setup sets the default
    pointer for each one it accepts: the last wins), from the order of its lines."""
    import re

    created = False
    last = None
    for line in log.splitlines():
        if "created CMA memory pool" in line:
            created = True
        elif m := re.search(r"initialized node (\S+?),? compatible id shared-dma-pool", line):
            if created and m.group(1) in defaults:
                last = m.group(1)
            created = False
    return last


def _boots_with_cma_default() -> list[Any]:
    return [pytest.param(fx, id=fx.id) for fx in FIXTURES
            if "linux,cma-default" in (fx.path / "board.dts").read_text()]


@pytest.mark.parametrize("fx", _boots_with_cma_default())
def test_size_plan_names_the_default_the_kernel_set_up_last(fx: Fixture) -> None:
    """cma.dt_default, fed by the replay, picks the pool the kernel set up last, says whether
    the cmdline/Kconfig area was reserved too (armhf 6.12: st-cma-default prints both
    ``cma: Reserved 16 MiB`` and the DT pool; t6 only the two DT pools) and names a bypassed
    region when ``cma=`` is given."""
    run, parsed = predict(fx)
    plan = run.cma_size_plan
    assert plan is not None
    log = fx.log()
    winner = _kernel_default(log, {r.name for r in run.regions if r.default == "cma"})
    declared = parsed.default_area is not None
    if "cma=" in fx.meta["cmdline"]:
        assert (plan.source, plan.node) == ("cmdline", None)
        bypassed = "Reserved memory: bypass" in log or "Skipping dt linux,cma-default" in log
        assert any("is bypassed" in line for line in plan.ignored) == bypassed
    elif winner is not None:
        assert (plan.source, (plan.node or "").rsplit("/", 1)[-1]) == ("dt", winner)
    else:
        assert plan.source != "dt"
    assert bool(plan.declare and plan.declared_size) == declared


@pytest.mark.parametrize("case", [
    "armhf-6.12/st-cma-default",  # static default after dma_contiguous_reserve: both areas
    "armhf-6.12/t6",  # dynamic cma1 keeps the Kconfig area away, static cma2 wins later
    "armhf-6.12/cma-default-cmafixed",  # cma= bypasses the static default (late scan)
    "armhf-6.12/cma-default-3",  # three dynamic defaults, DT order
    "armhf-6.1/t6",
    "armhf-6.1/st-cma-default",
    "arm64-6.12/t6",
])
def test_size_plan_without_ram_agrees_with_the_replay(case: str, tmp_path: Path) -> None:
    """api._dt_default (no RAM: no replay) and the replay give the same plan: one function."""
    import json
    import re

    from cmacheck import api

    fx = next(f for f in FIXTURES if f.id == case)
    config = next(Path("tests/data/kconfig").glob(
        symbols_for(fx)[0].removeprefix("kconfig:")))
    dts = (fx.path / "board.dts").read_text()
    no_memory = tmp_path / "board.dts"
    no_memory.write_text(re.sub(r"\n\tmemory@[0-9a-f]+ \{.*?\n\t\};", "", dts, flags=re.S))
    plans = []
    for dt in (str(fx.path / "board.dtb"), str(no_memory)):
        report = api.run(api.Inputs(dt=dt, config=str(config), cmdline=fx.meta["cmdline"]))
        assert (report.ctx.run is None) == (dt == str(no_memory))  # no RAM: no replay
        p = report.cma_plan
        plans.append((p.source, p.node, p.size, p.explain, p.ignored, p.declare,
                      p.declared_size))
    assert plans[0] == plans[1], json.dumps(plans, indent=1)


@pytest.mark.parametrize(("pages", "version", "kept"), [
    ("ARM64_4K_PAGES", K61, False),  # memstart rounds down to 1 GiB: 0
    ("ARM64_16K_PAGES", K612, False),  # CONT_PMD_SHIFT: 1 GiB as well
    ("ARM64_64K_PAGES", K61, True),  # PMD_SHIFT 29 = SECTION_SIZE_BITS: 512 MiB
    ("ARM64_64K_PAGES", K510, False),  # 1 GiB sections before 5.12
])
def test_arm64_linear_map_starts_at_memstart_align(tmp_path: Path, pages: str,
                                                   version: tuple[int, int, int],
                                                   kept: bool) -> None:
    # arm64_memblock_init: memstart_addr = round_down(DRAM start, ARM64_MEMSTART_ALIGN) and
    # RAM above memstart + 2^(VA_BITS - 1) goes.  DRAM from 512 MiB to 2 TiB + 512 MiB with
    # a 42-bit VA: the top 512 MiB stays only where the start rounds down to 512 MiB.
    top = 0x2000_0000 + (1 << 41)
    dt = build_dt(tmp_path, ram=((0x2000_0000, 1 << 41),))
    k = model(version, **{pages: "y", "ARM64_VA_BITS": "42"})
    r = run(dt, k, symbols={**ARM64, pages: "y", "ARM64_VA_BITS": "42"})
    assert (r.facts.dram_end == top) is kept
    assert r.facts.dram_end == (top if kept else 1 << 41)
    assert any("64K pages" in a for a in r.assumptions) is (pages == "ARM64_64K_PAGES")
