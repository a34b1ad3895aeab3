"""cmacheck.dmesg: boot logs back into per-region outcomes (kernel-model.md §10 lines)."""

from __future__ import annotations

import gzip
from pathlib import Path

from cmacheck.dmesg import parse_log, strip_prefix

MIB = 1 << 20

LOG_61 = """\
[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x411fd070]
[    0.000000] Linux version 6.1.0-56-arm64 (debian-kernel@lists.debian.org) #1 SMP
[    0.000000] OF: fdt: Reserved memory: failed to reserve memory for node 'b@50800000': \
base 0x0000000050800000, size 16 MiB
[    0.000000] OF: reserved mem: OVERLAP DETECTED!
[    0.000000] a@50000000 (0x0000000050000000--0x0000000051000000) overlaps with b@50800000 \
(0x0000000050800000--0x0000000051800000)
[    0.000000] Reserved memory: created CMA memory pool at 0x00000000bfa00000, size 6 MiB
[    0.000000] OF: reserved mem: initialized node cmapool, compatible id shared-dma-pool
[    0.000000] Reserved memory: incorrect alignment of CMA region
[    0.000000] OF: reserved mem: node small compatible matching fail
[    0.000000] Reserved memory: bypass linux,cma node, using cmdline CMA params instead
[    0.000000] OF: reserved mem: node linux,cma compatible matching fail
[    0.000000] OF: reserved mem: failed to allocate memory for node 'huge': size 4096 MiB
[    0.000000] OF: reserved mem: invalid size property in 'badsize' node.
[    0.000000] OF: fdt: Reserved memory: invalid reg property in 'badreg@51000000', skipping node.
[    0.000000] cma: Not enough slots for CMA reserved regions!
[    0.000000] Reserved memory: unable to setup CMA region
[    0.000000] OF: reserved mem: node c20@52800000 compatible matching fail
[    0.000000] Zone ranges:
[    0.000000]   DMA      [mem 0x0000000040000000-0x00000000ffffffff]
[    0.000000]   DMA32    empty
[    0.000000]   Normal   [mem 0x0000000100000000-0x00000001bfffffff]
[    0.000000] cma: Reserved 64 MiB at 0x00000000fb000000
[    0.000000] Memory: 98324K/2097152K available (13248K kernel code, 65536K cma-reserved)
[    0.255000] cma: CMA area straddle@ff000000 could not be activated
"""


def test_parse_61_lines() -> None:
    p = parse_log(LOG_61)
    assert p.kernel_version == "6.1.0-56-arm64"
    b = p.regions["b@50800000"]
    assert (b.status, b.base, b.size) == ("failed", 0x5080_0000, 16 * MIB)
    assert p.overlaps == [
        ("a@50000000", 0x5000_0000, 0x5100_0000, "b@50800000", 0x5080_0000, 0x5180_0000)
    ]
    pool = p.regions["cmapool"]
    assert (pool.status, pool.driver, pool.base, pool.size_mib) == (
        "created",
        "cma",
        0xBFA0_0000,
        6,
    )
    assert not pool.size_exact
    assert len(pool.lines) == 2
    assert p.regions["small"].status == "rejected"
    assert p.regions["small"].reason == "misaligned CMA region"
    assert p.regions["linux,cma"].status == "bypassed"
    assert p.regions["huge"].status == "failed"
    assert p.regions["badsize"].status == "ignored"
    assert p.regions["badreg@51000000"].status == "ignored"
    c20 = p.regions["c20@52800000"]
    assert (c20.status, c20.reason) == ("rejected", "no CMA slot left")
    assert p.regions["straddle@ff000000"].status == "inactive"
    assert p.zones == [
        ("DMA", 0x4000_0000, 0x1_0000_0000),
        ("Normal", 0x1_0000_0000, 0x1_C000_0000),
    ]
    assert p.default_area is not None
    assert (p.default_area.status, p.default_area.base, p.default_area.size_mib) == (
        "created",
        0xFB00_0000,
        64,
    )
    assert p.cma_reserved_kib == 65536
    assert p.memory_total_kib == 2097152


def test_summary_line_is_exact_and_node_suffix() -> None:
    p = parse_log(
        "OF: reserved mem: Reserved memory: No reserved-memory node in the DT\n"
        "Reserved memory: created DMA memory pool at 0x00000000bfffdf80, size 0 MiB\n"
        "OF: reserved mem: initialized node dmapool, compatible id shared-dma-pool\n"
        "OF: reserved mem: 0x00000000bfffdf80..0x00000000bfffefbf (4 KiB) map non-reusable "
        "dmapool\n"
        "OF: reserved mem: 0x0000000050000000..0x00000000501fffff (2048 KiB) nomap non-reusable "
        "fw@50000000\n"
        "cma: Reserved 64 MiB at 0x00000000b9a00000 on node -1\n"
    )
    pool = p.regions["dmapool"]
    assert (pool.status, pool.base, pool.size, pool.size_exact) == (
        "created",
        0xBFFF_DF80,
        0x1040,
        True,
    )
    fw = p.regions["fw@50000000"]
    assert (fw.status, fw.driver, fw.no_map, fw.reusable, fw.size) == (
        "reserved",
        "none",
        True,
        False,
        2 * MIB,
    )
    assert p.default_area is not None and p.default_area.node == -1


def test_default_area_failures() -> None:
    p = parse_log(
        "cma: Region at 0x0000000050100000 must be aligned to 0x0000000000200000 bytes\n"
        "cma: Failed to reserve 64 MiB\n"
    )
    area = p.default_area
    assert area is not None and (area.status, area.size_mib) == ("failed", 64)
    assert area.reason is not None and area.reason.startswith("Region at")
    slots = parse_log("cma: Not enough slots for CMA reserved regions!\nMEMBLOCK configuration:\n")
    assert slots.default_area is not None and slots.default_area.reason == "no CMA slot left"
    # 6.15+: slot exhaustion is followed by "Failed to reserve": one area, not two
    both = parse_log(
        "cma: Not enough slots for CMA reserved regions!\ncma: Failed to reserve 64 MiB\n"
    )
    assert len(both.areas) == 1 and both.areas[0].reason == "no CMA slot left"


def test_memblock_trace() -> None:
    p = parse_log(
        "[    0.000000] memblock_reserve: [0x0000000050000000-0x0000000050ffffff] "
        "early_init_fdt_scan_reserved_mem+0x2b8/0x3c0\n"
        "[    0.000000] memblock_phys_alloc_range: 4160 bytes align=0x40 from=0x0000000000000000 "
        "max_addr=0xffffffffffffffff early_init_dt_alloc_reserved_memory_arch+0x40/0x94\n"
        "[    0.000000] MEMBLOCK configuration:\n"
        "[    0.000000]  memory[0x1]\t[0x00000000bff00000-0x00000000bfffffff], "
        "0x0000000000100000 bytes on node 0 flags: 0x4\n"
    )
    reserve, alloc = p.memblock
    assert (reserve.op, reserve.base, reserve.size, reserve.function) == (
        "memblock_reserve",
        0x5000_0000,
        16 * MIB,
        "early_init_fdt_scan_reserved_mem",
    )
    assert (alloc.size, alloc.align, alloc.end) == (4160, 0x40, (1 << 64) - 1)
    assert p.final_memory == [(0xBFF0_0000, MIB, 0x4)]


def test_e6_unnamed_skip_and_prefixes() -> None:
    p = parse_log(
        '<3>[    0.000000] Skipping dt linux,cma-default node in favor for "cma=" kernel param.\n'
    )
    assert p.unnamed_bypass == 1
    assert strip_prefix("<6>[   12.345678] x") == "x"
    assert strip_prefix("plain line\r\n") == "plain line"


BOOTS = Path(__file__).resolve().parent / "boots"


def test_real_log_heapsort_case() -> None:
    with gzip.open(BOOTS / "arm64-6.1" / "t26" / "boot.log.gz", "rt", errors="replace") as f:
        p = parse_log(f.read())
    assert [n for n in p.regions] == ["d0", "d2", "d1", "d3"]
    assert p.memblock, "the fixture was recorded with memblock=debug"


def test_parse_log_never_raises_on_huge_numbers() -> None:
    p = parse_log(
        "cma: Reserved " + "9" * 5000 + " MiB at 0x1\nMemory limited to " + "9" * 5000 + "MB"
    )
    assert p.default_area is None and p.memory_limit_mb is None


def _boot_log(case: str) -> str:
    path = Path(__file__).parent / "boots" / case / "boot.log.gz"
    return gzip.decompress(path.read_bytes()).decode()


def test_reservation_failed_names_the_failed_area_in_every_form() -> None:
    # "<prefix>: reservation failed: err %d, node %d", as the recorded boots print it:
    # "cma: dma_pernuma_cma_reserve: " (<6.7), "cma: dma_numa_cma_reserve: " (6.7+, for
    # cma_pernuma= and numa_cma= alike), "hugetlb_cma: "; each follows "cma: Failed to reserve"
    cases = {
        "arm64-6.1/numa2-pernuma-big": [("pernuma0", 0, "err -12"), ("pernuma1", 1, "err -12")],
        "arm64-sid/numa2-pernuma-big": [("numa0", 0, "err -12"), ("numa1", 1, "err -12")],
        "arm64-sid/numa1-pernuma-slots": [("numa0", 0, "no CMA slot left")],  # says why
        "arm64-6.12/numa1-hugetlb-2g": [("hugetlb0", 0, "err -12")],
        "arm64-sid-16k/numa1-hugetlb-2g": [("hugetlb0", 0, "err -12")],
    }
    for case, expected in cases.items():
        log = parse_log(_boot_log(case))
        failed = [a for a in log.areas if a.status == "failed"]
        assert [(a.name, a.node, a.reason) for a in failed] == expected, case
        assert all("reservation failed" in a.lines[-1] for a in failed), case
        assert log.default_area is None or log.default_area.status == "created", case


def test_hugetlb_reserved_names_the_created_area() -> None:
    for case in ("arm64-6.1/numa2-hugetlb", "arm64-sid-16k/numa2-hugetlb"):
        log = parse_log(_boot_log(case))
        hugetlb = [a for a in log.areas if a.name.startswith("hugetlb")]
        assert [(a.name, a.node, a.status) for a in hugetlb] == [
            ("hugetlb0", 0, "created"), ("hugetlb1", 1, "created")], case


def test_area_message_names_only_an_area_of_its_status() -> None:
    # a failure names only a failed area, a reservation only a created one: the line after
    # an area of the other status (the kernel printed nothing for the area it means) leaves
    # that area as it is, the default area included
    reserved = "cma: Reserved 64 MiB at 0x00000000fb000000\n"
    failed = "cma: Failed to reserve 16 MiB\n"
    for before, line in [
        (reserved, "cma: dma_numa_cma_reserve: reservation failed: err -12, node 0"),
        (reserved, "cma: dma_pernuma_cma_reserve: reservation failed: err -12, node 0"),
        (reserved, "hugetlb_cma: reservation failed: err -12, node 0"),
        (failed, "hugetlb_cma: reserved 1024 MiB on node 0"),
    ]:
        log = parse_log(before + line + "\n")
        (area,) = log.areas
        assert (area.name, area.node, area.reason) == ("reserved", None, None), line
        assert line in log.lines
