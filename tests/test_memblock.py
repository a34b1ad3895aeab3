"""Tests for cmacheck.memblock.

Most tables are ports of the kernel's own suite, tools/testing/memblock/tests/
(basic_api.c, alloc_api.c, alloc_helpers_api.c, alloc_nid_api.c): same
scenarios, sizes and expected regions, rewritten as data. The kernel harness
registers one block of MEM_SIZE bytes at a malloc()ed address; here that block
is at MEM_BASE. Its SMP_CACHE_BYTES is 32 (tools/include/linux/cache.h,
L1_CACHE_SHIFT 5), which several expectations depend on.

Each case keeps the scenario as a comment: a diagram where the kernel has one,
then what to expect.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import pytest

from cmacheck.memblock import (
    INIT_MEMBLOCK_REGIONS,
    MEMBLOCK_ALLOC_ACCESSIBLE,
    PHYS_ADDR_MAX_32,
    PHYS_ADDR_MAX_64,
    Memblock,
    MemblockFlags,
    MemblockRegion,
)

SZ_K = 1 << 10
SZ_M = 1 << 20
SZ_G = 1 << 30
MAX = PHYS_ADDR_MAX_64

MEM_BASE = 0x1000_0000  # stands in for the harness's malloc()ed buffer
MEM_SIZE = 32 * SZ_K  # tests/common.h
SMP = 32  # SMP_CACHE_BYTES of the kernel test harness
S = MEM_BASE  # memblock_start_of_DRAM() after setup_memblock()
E = MEM_BASE + MEM_SIZE  # memblock_end_of_DRAM() after setup_memblock()

NOMAP = MemblockFlags.NOMAP
HOTPLUG = MemblockFlags.HOTPLUG
KERN = MemblockFlags.RSRV_KERN

Op = tuple[Any, ...]
Rgn = tuple[int, ...]


def run(mb: Memblock, ops: list[Op]) -> Any:
    """Apply ``("method", *args)`` operations; return the last result."""
    result = None
    for name, *args in ops:
        result = getattr(mb, name)(*args)
    return result


def rgns(regions: tuple[MemblockRegion, ...]) -> list[Rgn]:
    """(base, size) per region, plus the flags when they are not NONE."""
    return [(r.base, r.size, r.flags) if r.flags else (r.base, r.size) for r in regions]


def spans(regions: tuple[MemblockRegion, ...]) -> list[tuple[int, int]]:
    return [(r.base, r.size) for r in regions]


def setup_memblock(bottom_up: bool = False, **kwargs: Any) -> Memblock:
    """tests/common.c:setup_memblock(): one block of MEM_SIZE at MEM_BASE."""
    kwargs.setdefault("smp_cache_bytes", SMP)
    mb = Memblock(bottom_up=bottom_up, **kwargs)
    mb.add(MEM_BASE, MEM_SIZE)
    return mb


# --------------------------------------------------------------------------
# basic_api.c: memblock_add / memblock_reserve / memblock_remove / memblock_free
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Basic:
    ops: list[Op]
    memory: list[Rgn] = field(default_factory=list)
    reserved: list[Rgn] = field(default_factory=list)


BASIC = {
    # Add one block to empty memory: one region, counter and total updated.
    "add_simple": Basic([("add", SZ_G, 4 * SZ_M)], memory=[(SZ_G, 4 * SZ_M)]),
    # memblock_add_node with flags: the flags are stored on the region.
    "add_node_simple": Basic(
        [("add", SZ_M, 16 * SZ_M, HOTPLUG)], memory=[(SZ_M, 16 * SZ_M, HOTPLUG)]
    ),
    #  |        +--------+        +--------+  |
    #  |        |   r1   |        |   r2   |  |
    # Two blocks with a hole between them stay two regions.
    "add_disjoint": Basic(
        [("add", SZ_G, 8 * SZ_K), ("add", SZ_G + 16 * SZ_K, 8 * SZ_K)],
        memory=[(SZ_G, 8 * SZ_K), (SZ_G + 16 * SZ_K, 8 * SZ_K)],
    ),
    #  |    +----+----+------------+          |
    #  |    |    |r2  |   r1       |          |
    # r2 overlaps the start of r1: one region from r2.base to r1's end.
    "add_overlap_top": Basic(
        [("add", 512 * SZ_M, SZ_G), ("add", 256 * SZ_M, 512 * SZ_M)],
        memory=[(256 * SZ_M, SZ_G + 256 * SZ_M)],
    ),
    #  |  +--+------+----------+              |
    #  |  |  | r1   | r2       |              |
    # r2 overlaps the end of r1: one region from r1.base to r2's end.
    "add_overlap_bottom": Basic(
        [("add", 128 * SZ_M, 512 * SZ_M), ("add", 256 * SZ_M, SZ_G)],
        memory=[(128 * SZ_M, 128 * SZ_M + SZ_G)],
    ),
    #  |   +-------+--+-----------------------+
    #  |   |       |r2|      r1               |
    # r2 lies inside r1: nothing changes.
    "add_within": Basic(
        [("add", 8 * SZ_M, 32 * SZ_M), ("add", 16 * SZ_M, SZ_M)],
        memory=[(8 * SZ_M, 32 * SZ_M)],
    ),
    # The same block twice: still one region, size counted once.
    "add_twice": Basic(
        [("add", 16 * SZ_K, 2 * SZ_M), ("add", 16 * SZ_K, 2 * SZ_M)],
        memory=[(16 * SZ_K, 2 * SZ_M)],
    ),
    #  |        +--------+--------+--------+  |
    #  |        |   r1   |   r3   |   r2   |  |
    # r3 fills the hole exactly: all three merge into one region.
    "add_between": Basic(
        [
            ("add", SZ_G, 8 * SZ_K),
            ("add", SZ_G + 16 * SZ_K, 8 * SZ_K),
            ("add", SZ_G + 8 * SZ_K, 8 * SZ_K),
        ],
        memory=[(SZ_G, 24 * SZ_K)],
    ),
    #                               +--------+
    #                               |    r   |
    #  |                            +----+
    #  |                            | rgn|
    # A block running past PHYS_ADDR_MAX is cut to PHYS_ADDR_MAX - base.
    "add_near_max": Basic([("add", MAX - SZ_M, 2 * SZ_M)], memory=[(MAX - SZ_M, SZ_M)]),
    # Reserve one block: one reserved region.
    "reserve_simple": Basic([("reserve", 2 * SZ_G, 128 * SZ_M)], reserved=[(2 * SZ_G, 128 * SZ_M)]),
    # Two separate reservations stay two regions.
    "reserve_disjoint": Basic(
        [("reserve", 256 * SZ_M, 16 * SZ_M), ("reserve", 512 * SZ_M, 512 * SZ_M)],
        reserved=[(256 * SZ_M, 16 * SZ_M), (512 * SZ_M, 512 * SZ_M)],
    ),
    # r2 overlaps the start of r1: one region from r2.base to r1's end.
    "reserve_overlap_top": Basic(
        [("reserve", SZ_G, SZ_G), ("reserve", 128 * SZ_M, SZ_G)],
        reserved=[(128 * SZ_M, 2 * SZ_G - 128 * SZ_M)],
    ),
    # r2 overlaps the end of r1: one region from r1.base to r2's end.
    "reserve_overlap_bottom": Basic(
        [("reserve", 2 * SZ_K, 128 * SZ_K), ("reserve", 128 * SZ_K, 128 * SZ_K)],
        reserved=[(2 * SZ_K, 256 * SZ_K - 2 * SZ_K)],
    ),
    # r2 inside r1: unchanged.
    "reserve_within": Basic(
        [("reserve", SZ_M, 8 * SZ_M), ("reserve", 2 * SZ_M, 64 * SZ_K)],
        reserved=[(SZ_M, 8 * SZ_M)],
    ),
    # The same reservation twice is counted once.
    "reserve_twice": Basic(
        [("reserve", 16 * SZ_K, 2 * SZ_M), ("reserve", 16 * SZ_K, 2 * SZ_M)],
        reserved=[(16 * SZ_K, 2 * SZ_M)],
    ),
    # A reservation filling the hole between two others merges all three.
    "reserve_between": Basic(
        [
            ("reserve", SZ_G, 8 * SZ_K),
            ("reserve", SZ_G + 16 * SZ_K, 8 * SZ_K),
            ("reserve", SZ_G + 8 * SZ_K, 8 * SZ_K),
        ],
        reserved=[(SZ_G, 24 * SZ_K)],
    ),
    # A reservation past PHYS_ADDR_MAX is cut at PHYS_ADDR_MAX.
    "reserve_near_max": Basic([("reserve", MAX - SZ_M, 2 * SZ_M)], reserved=[(MAX - SZ_M, SZ_M)]),
    #  |  ......          +----------------+  |
    #  |  : r1 :          |       r2       |  |
    # Removing r1 leaves r2 as the only (first) region.
    "remove_simple": Basic(
        [
            ("add", 2 * SZ_K, 4 * SZ_K),
            ("add", 128 * SZ_K, 4 * SZ_M),
            ("remove", 2 * SZ_K, 4 * SZ_K),
        ],
        memory=[(128 * SZ_K, 4 * SZ_M)],
    ),
    # Removing a range that is not memory changes nothing.
    "remove_absent": Basic(
        [("add", 512 * SZ_K, 4 * SZ_M), ("remove", 64 * SZ_M, SZ_G)],
        memory=[(512 * SZ_K, 4 * SZ_M)],
    ),
    #           +-----------------+
    #           |       r2        |
    #  |                 .........+--------+  |
    #  |                 :     r1 |  rgn   |  |
    # Only the intersection goes; the rest of r1 starts where r2 ends.
    "remove_overlap_top": Basic(
        [("add", 32 * SZ_M, 32 * SZ_M), ("remove", 16 * SZ_M, 32 * SZ_M)],
        memory=[(48 * SZ_M, 16 * SZ_M)],
    ),
    # r2 covers the end of r1: r1 is cut at r2.base.
    "remove_overlap_bottom": Basic(
        [("add", 2 * SZ_M, 64 * SZ_M), ("remove", 32 * SZ_M, 256 * SZ_M)],
        memory=[(2 * SZ_M, 30 * SZ_M)],
    ),
    #                  +----+
    #                  | r2 |
    #  | +-------------+....+---------------+ |
    #  | |     rgn1    | r1 |     rgn2      | |
    # Removing the middle splits r1 in two.
    "remove_within": Basic(
        [("add", SZ_M, 32 * SZ_M), ("remove", 16 * SZ_M, SZ_M)],
        memory=[(SZ_M, 15 * SZ_M), (17 * SZ_M, 16 * SZ_M)],
    ),
    # Removing the only region leaves memory empty (the kernel's dummy entry).
    "remove_only_region": Basic(
        [("add", 2 * SZ_K, 4 * SZ_K), ("remove", 2 * SZ_K, 4 * SZ_K)], memory=[]
    ),
    # Removing a range past PHYS_ADDR_MAX removes only up to PHYS_ADDR_MAX.
    "remove_near_max": Basic(
        [("add", MAX - 2 * SZ_M, 2 * SZ_M), ("remove", MAX - SZ_M, 2 * SZ_M)],
        memory=[(MAX - 2 * SZ_M, SZ_M)],
    ),
    #            +----------------+
    #            |       r3       |
    #  |    +----+.....   ........+--------+
    #  |    |    |r1  :   :       |r2      |     |
    # r3 overlaps two regions: each loses only its intersection.
    "remove_overlap_two": Basic(
        [
            ("add", 16 * SZ_M, 32 * SZ_M),
            ("add", 64 * SZ_M, 64 * SZ_M),
            ("remove", 32 * SZ_M, 64 * SZ_M),
        ],
        memory=[(16 * SZ_M, 16 * SZ_M), (96 * SZ_M, 32 * SZ_M)],
    ),
    # Freeing r1 leaves r2 as the only reserved region.
    "free_simple": Basic(
        [("reserve", 4 * SZ_M, SZ_M), ("reserve", 8 * SZ_M, SZ_M), ("phys_free", 4 * SZ_M, SZ_M)],
        reserved=[(8 * SZ_M, SZ_M)],
    ),
    # Freeing a range that is not reserved changes nothing.
    "free_absent": Basic(
        [("reserve", 2 * SZ_M, 8 * SZ_K), ("phys_free", 16 * SZ_M, 128 * SZ_M)],
        reserved=[(2 * SZ_M, 8 * SZ_K)],
    ),
    # Freeing over the start of r1 frees only the intersection.
    "free_overlap_top": Basic(
        [("reserve", 8 * SZ_M, 32 * SZ_M), ("phys_free", SZ_M, 8 * SZ_M)],
        reserved=[(9 * SZ_M, 31 * SZ_M)],
    ),
    # Freeing over the end of r1 frees only the intersection.
    "free_overlap_bottom": Basic(
        [("reserve", 8 * SZ_M, 32 * SZ_M), ("phys_free", 32 * SZ_M, 32 * SZ_M)],
        reserved=[(8 * SZ_M, 24 * SZ_M)],
    ),
    # Freeing the middle splits the reservation in two.
    "free_within": Basic(
        [("reserve", SZ_M, 8 * SZ_M), ("phys_free", 4 * SZ_M, SZ_M)],
        reserved=[(SZ_M, 3 * SZ_M), (5 * SZ_M, 4 * SZ_M)],
    ),
    # Freeing the only reservation leaves reserved empty.
    "free_only_region": Basic(
        [("reserve", 2 * SZ_K, 4 * SZ_K), ("phys_free", 2 * SZ_K, 4 * SZ_K)], reserved=[]
    ),
    # Freeing past PHYS_ADDR_MAX frees only up to PHYS_ADDR_MAX.
    "free_near_max": Basic(
        [("reserve", MAX - 2 * SZ_M, 2 * SZ_M), ("phys_free", MAX - SZ_M, 2 * SZ_M)],
        reserved=[(MAX - 2 * SZ_M, SZ_M)],
    ),
    # Freeing across two reservations trims both.
    "free_overlap_two": Basic(
        [
            ("reserve", 16 * SZ_M, 32 * SZ_M),
            ("reserve", 64 * SZ_M, 64 * SZ_M),
            ("phys_free", 32 * SZ_M, 64 * SZ_M),
        ],
        reserved=[(16 * SZ_M, 16 * SZ_M), (96 * SZ_M, 32 * SZ_M)],
    ),
}

# Not in the kernel suite: behaviour the ports above rely on.
BASIC_EXTRA = {
    # Adding over an existing region keeps that region's flags; only the
    # uncovered parts get the new flags (memblock_add_range).
    "add_overlap_keeps_existing_flags": Basic(
        [("add", SZ_M, SZ_M, HOTPLUG), ("add", SZ_M // 2, 2 * SZ_M)],
        memory=[(SZ_M // 2, SZ_M // 2), (SZ_M, SZ_M, HOTPLUG), (2 * SZ_M, SZ_M // 2)],
    ),
    # Adjacent regions with different flags do not merge.
    "add_adjacent_different_flags": Basic(
        [("add", SZ_M, SZ_M), ("add", 2 * SZ_M, SZ_M, HOTPLUG)],
        memory=[(SZ_M, SZ_M), (2 * SZ_M, SZ_M, HOTPLUG)],
    ),
    # 6.16+: memblock_reserve_kern next to a plain reservation stays separate.
    "reserve_kern_adjacent_plain": Basic(
        [("reserve", SZ_M, SZ_M), ("reserve_kern", 2 * SZ_M, SZ_M)],
        reserved=[(SZ_M, SZ_M), (2 * SZ_M, SZ_M, KERN)],
    ),
    # A size-0 operation is a no-op.
    "add_zero_size": Basic([("add", SZ_M, 0), ("reserve", SZ_M, 0)]),
}


@pytest.mark.parametrize("case", [pytest.param(c, id=k) for k, c in BASIC.items()])
def test_basic_api(case: Basic) -> None:
    mb = Memblock()
    run(mb, case.ops)
    assert rgns(mb.memory) == case.memory
    assert rgns(mb.reserved) == case.reserved
    assert mb.phys_mem_size() == sum(r[1] for r in case.memory)
    assert mb.reserved_size() == sum(r[1] for r in case.reserved)


@pytest.mark.parametrize("case", [pytest.param(c, id=k) for k, c in BASIC_EXTRA.items()])
def test_basic_api_extra(case: Basic) -> None:
    mb = Memblock()
    run(mb, case.ops)
    assert rgns(mb.memory) == case.memory
    assert rgns(mb.reserved) == case.reserved


def test_initial_state() -> None:
    # memblock_initialization_check: empty, top-down, limit ANYWHERE
    mb = Memblock()
    assert mb.memory == () and mb.reserved == ()
    assert mb.bottom_up is False
    assert mb.current_limit == mb.anywhere == MAX
    assert Memblock(phys_addr_max=PHYS_ADDR_MAX_32).anywhere == 0xFFFF_FFFF


def test_add_near_max_32bit() -> None:
    # 32-bit phys_addr_t: a bank ending at 4 GiB loses its very last byte
    mb = Memblock(phys_addr_max=PHYS_ADDR_MAX_32)
    mb.add(0xC000_0000, SZ_G)
    assert rgns(mb.memory) == [(0xC000_0000, SZ_G - 1)]
    assert mb.end_of_dram() == PHYS_ADDR_MAX_32


# --------------------------------------------------------------------------
# Allocation tables: alloc_api.c (memblock_alloc), alloc_helpers_api.c
# (memblock_alloc_from), alloc_nid_api.c (memblock_alloc_try_nid)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Alloc:
    bottom_up: bool | None  # None: the kernel's "generic" case, run both ways
    ops: list[Op]
    ret: int  # return value of the last op (0 = failure)
    reserved: list[tuple[int, int]]
    memory: bool = True  # False: no memory registered (reset_memblock_regions)


def _alloc(size: int, align: int) -> Op:
    # memblock_alloc(size, align) = memblock_alloc_try_nid(size, align, 0, ACCESSIBLE)
    return ("alloc_try_nid", size, align)


def _alloc_from(size: int, align: int, min_addr: int) -> Op:
    # memblock_alloc_from(size, align, min) = alloc_try_nid(size, align, min, ACCESSIBLE)
    return ("alloc_try_nid", size, align, min_addr, MEMBLOCK_ALLOC_ACCESSIBLE)


def _try_nid(size: int, min_addr: int, max_addr: int) -> Op:
    return ("alloc_try_nid", size, SMP, min_addr, max_addr)


def _small_gaps_ops() -> list[Op]:
    # alloc_small_gaps_generic_check: 1K reservations with 256-byte gaps
    ops: list[Op] = []
    region_end = S
    while region_end < E:
        ops.append(("reserve", region_end + 256, SZ_K))
        region_end += 256 + SZ_K
    return ops


_SMALL_GAPS = _small_gaps_ops()
_IB_RGN = (MEM_SIZE - (2 * SMP + 64)) // 2  # alloc_in_between: region size
_NID_R2_ALL = MEM_SIZE - 2 * SMP  # alloc_try_nid_reserved_all: r2 size

ALLOC = {
    # ---- alloc_api.c -------------------------------------------------------
    # A tiny allocation goes to the top, aligned: ends SMP_CACHE_BYTES below
    # the end of DRAM.
    "alloc/top_down_simple": Alloc(False, [_alloc(2, SMP)], E - SMP, [(E - SMP, 2)]),
    # |            +--------+         +--------|
    # |            |  rgn2  |         |  rgn1  |
    # A misaligned reservation at the very top: the new, 64-aligned block is a
    # separate region below it.
    "alloc/top_down_disjoint": Alloc(
        False,
        [("reserve", E - 2, 2), _alloc(16, 2 * SMP)],
        E - 2 * SMP,
        [(E - 2 * SMP, 16), (E - 2, 2)],
    ),
    #  |              +--------+--------------|
    #  |              |   r1   |      r2      |
    # Enough room above r1 (first fit): the block lands on top and merges.
    "alloc/top_down_before": Alloc(
        False,
        [("reserve", E - (SMP + 512), SMP), _alloc(512, SMP)],
        E - 512,
        [(E - (SMP + 512), SMP + 512)],
    ),
    #  |            +-----------+------+     |
    #  |            |     r2    |  r1  |     |
    # Not enough room above r1 (second fit): the block goes just below r1 and
    # merges with it.
    "alloc/top_down_after": Alloc(
        False,
        [("reserve", E - SMP, 8), _alloc(512, SMP)],
        E - SMP - 512,
        [(E - SMP - 512, 520)],
    ),
    #  |       +--------+----------+   +------|
    #  |       |   r3   |    r2    |   |  r1  |
    # The gap between r2 and r1 is too small: the block goes below r2, merges
    # with it, r1 stays separate.
    "alloc/top_down_second_fit": Alloc(
        False,
        [("reserve", E - 512, 512), ("reserve", E - 1024, 256), _alloc(SZ_K, SMP)],
        E - 2048,
        [(E - 2048, 1280), (E - 512, 512)],
    ),
    #  |     +--------+--------+--------+     |
    #  |     |   r2   |   r3   |   r1   |     |
    # The only gap that fits is the one between r2 and r1 (the gaps at both
    # ends are SMP_CACHE_BYTES, too small): everything merges into one region.
    "alloc/in_between": Alloc(
        None,
        [
            ("reserve", E - (SMP + _IB_RGN), _IB_RGN),
            ("reserve", S + SMP, _IB_RGN),
            _alloc(64, SMP),
        ],
        S + SMP + _IB_RGN,
        [(S + SMP, 2 * _IB_RGN + 64)],
    ),
    #    |    +-----+    +-----+    +-----+    |
    #    |    | res |    | res |    | res |    |
    # Only 256-byte gaps between 1K reservations: a 1K block does not fit.
    "alloc/small_gaps": Alloc(
        None,
        [*_SMALL_GAPS, _alloc(SZ_K, SMP)],
        0,
        [(S + 256 + i * 1280, SZ_K) for i in range(len(_SMALL_GAPS))],
    ),
    # All memory reserved: nothing can be allocated.
    "alloc/all_reserved": Alloc(
        None, [("reserve", S, MEM_SIZE), _alloc(256, SMP)], 0, [(S, MEM_SIZE)]
    ),
    #  |-----------------------------+   |
    #  |          reserved           |   |
    # 256 bytes left, 1K requested: no allocation.
    "alloc/no_space": Alloc(
        None,
        [("reserve", S, MEM_SIZE - 256), _alloc(SZ_K, SMP)],
        0,
        [(S, MEM_SIZE - 256)],
    ),
    #  |---------------------------+---------|
    #  |          reserved         |   new   |
    # Exactly the space left is requested: it fits and memory is fully reserved.
    "alloc/limited_space": Alloc(
        None,
        [("reserve", S, MEM_SIZE - 256), _alloc(256, SMP)],
        E - 256,
        [(S, MEM_SIZE)],
    ),
    # No memory registered at all: nothing is allocated, reserved stays empty.
    "alloc/no_memory": Alloc(None, [_alloc(SZ_K, SMP)], 0, [], memory=False),
    # A request larger than all memory fails.
    "alloc/too_large": Alloc(None, [_alloc(MEM_SIZE + 2, SMP)], 0, []),
    # Bottom-up, a tiny allocation goes to the start of DRAM.
    "alloc/bottom_up_simple": Alloc(True, [_alloc(2, SMP)], S, [(S, 2)]),
    #  |    +----------+   +----------+     |
    #  |    |   rgn1   |   |   rgn2   |     |
    # A misaligned reservation near the start: the new block is placed at the
    # next 64-byte boundary, a separate region.
    "alloc/bottom_up_disjoint": Alloc(
        True,
        [("reserve", S + 2, 2), _alloc(16, 2 * SMP)],
        S + 2 * SMP,
        [(S + 2, 2), (S + 2 * SMP, 16)],
    ),
    #  |------------------+--------+         |
    #  |        r1        |   r2   |         |
    # Exactly enough room below the reservation (first fit): merge.
    "alloc/bottom_up_before": Alloc(
        True,
        [("reserve", S + 512, 128), _alloc(512, SMP)],
        S,
        [(S, 640)],
    ),
    #  |    +--------+--------------+         |
    #  |    |   r1   |      r2      |         |
    # Not enough room below r1: the block goes right after it and merges.
    "alloc/bottom_up_after": Alloc(
        True,
        [("reserve", S + SMP, 64), _alloc(512, SMP)],
        S + SMP + 64,
        [(S + SMP, 576)],
    ),
    #  |------------+     +--------+--------+  |
    #  |     r1     |     |   r2   |   r3   |  |
    # The gap between r1 and r2 is too small: the block follows r2 and merges.
    "alloc/bottom_up_second_fit": Alloc(
        True,
        [("reserve", S, 512), ("reserve", S + 1024, 256), _alloc(SZ_K, SMP)],
        S + 1280,
        [(S, 512), (S + 1024, 1280)],
    ),
    # ---- alloc_helpers_api.c (memblock_alloc_from) -------------------------
    #  |          +-----------+         |
    #  |          |    rgn    |         |
    #             ^ aligned min_addr
    # The block starts at the aligned minimal address.
    "alloc_from/simple": Alloc(None, [_alloc_from(16, SMP, E - SMP)], E - SMP, [(E - SMP, 16)]),
    #  |      +      +---------+            |
    #  |      |      |   rgn   |            |
    #         ^ misaligned min_addr
    # The block starts at the next aligned address.
    "alloc_from/misaligned": Alloc(
        None, [_alloc_from(32, SMP, E - (2 * SMP - 1))], E - SMP, [(E - SMP, 32)]
    ),
    #  |           +--------+---+      |
    #  |           |   rgn  +   |      |
    #                       ^ min_addr
    # min_addr too close to the end: granting memory wins over min_addr
    # (memblock_alloc_internal retries from 0).
    "alloc_from/top_down_high_addr": Alloc(
        False, [_alloc_from(32, SMP, E - 16)], E - SMP, [(E - SMP, 32)]
    ),
    #  |        +---------+-------------|
    #  |        |   rgn   |             |
    #                     ^ min_addr (reserved above)
    # No room above min_addr: allocated just below the reservation, merged.
    "alloc_from/top_down_no_space_above": Alloc(
        False,
        [("reserve", E - 2 * SMP, 2), _alloc_from(64, SMP, E - 2 * SMP)],
        E - 2 * SMP - 64,
        [(E - 2 * SMP - 64, 66)],
    ),
    # min_addr below DRAM and only the first 64 bytes free: they are used and
    # everything merges.
    "alloc_from/top_down_min_addr_cap": Alloc(
        False,
        [("reserve", S + 64, MEM_SIZE - 64), _alloc_from(64, SMP, S - 3 * SMP)],
        S,
        [(S, MEM_SIZE)],
    ),
    # Bottom-up counterparts (newer kernel suite; expectations derived the
    # same way): retry from 0 puts the block at the start of DRAM.
    "alloc_from/bottom_up_high_addr": Alloc(True, [_alloc_from(32, SMP, E - 16)], S, [(S, 32)]),
    # Everything above min_addr reserved: the retry allocates at DRAM start.
    "alloc_from/bottom_up_no_space_above": Alloc(
        True,
        [("reserve", S + 128, MEM_SIZE - 128), _alloc_from(64, SMP, S + 128)],
        S,
        [(S, 64), (S + 128, MEM_SIZE - 128)],
    ),
    # min_addr below DRAM: the block starts at DRAM start.
    "alloc_from/bottom_up_min_addr_cap": Alloc(
        True, [_alloc_from(64, SMP, S - 3 * SMP)], S, [(S, 64)]
    ),
    # ---- alloc_nid_api.c (memblock_alloc_try_nid, NUMA_NO_NODE) ------------
    #   |    +       +-----------+      |
    #   |    |       |    rgn    |      |
    #        ^min_addr           ^max_addr
    # Top-down: the block ends at max_addr.
    "try_nid/top_down_simple": Alloc(
        False,
        [_try_nid(128, S + 2 * SMP, S + 2 * SMP + 512)],
        S + 2 * SMP + 384,
        [(S + 2 * SMP + 384, 128)],
    ),
    #  |      +       +---------+  +    |
    #  |      |       |   rgn   |  |    |
    # Misaligned max_addr: the block ends at the aligned address below it.
    "try_nid/top_down_end_misaligned": Alloc(
        False,
        [_try_nid(128, S + 2 * SMP, S + 2 * SMP + 512 + 2)],
        S + 2 * SMP + 384,
        [(S + 2 * SMP + 384, 128)],
    ),
    #  |      +---------------+       |
    #  |      |      rgn      |       |
    #         ^min_addr       ^max_addr
    # The window is exactly the size requested: it is used entirely.
    "try_nid/exact_address": Alloc(
        None, [_try_nid(SZ_K, S + SMP, S + SMP + SZ_K)], S + SMP, [(S + SMP, SZ_K)]
    ),
    #  |        +----------+-----+    |
    #  |        |   rgn    +     |    |
    #                      ^min  ^max
    # Window too narrow: the lower limit is dropped, the block ends at max_addr.
    "try_nid/top_down_narrow_range": Alloc(
        False,
        [_try_nid(256, S + 512, S + 512 + SMP)],
        S + 512 + SMP - 256,
        [(S + 512 + SMP - 256, 256)],
    ),
    # max_addr too close to DRAM start even without the lower limit: fails.
    "try_nid/low_max": Alloc(None, [_try_nid(SZ_K, S, S + SMP)], 0, []),
    #  |       +--------+---------------|
    #  |       |   r1   |      rgn      |
    #          ^min_addr                ^max_addr
    # The window touches a reservation below it: the block merges with it.
    "try_nid/min_reserved": Alloc(
        None,
        [("reserve", E - 64 - 128, 128), _try_nid(64, E - 64, E)],
        E - 64,
        [(E - 192, 192)],
    ),
    #  |          +-------------+--------|
    #  |          |     rgn     |   r1   |
    # The window touches a reservation above it: the block merges with it.
    "try_nid/max_reserved": Alloc(
        None,
        [("reserve", E - 64, 64), _try_nid(128, E - 192, E - 64)],
        E - 192,
        [(E - 192, 192)],
    ),
    #  |    +--------+   +-------+------+  |
    #  |    |   r2   |   |  rgn  |  r1  |  |
    #                ^min        ^max
    # Room between two reservations, top-down: the block sits under r1, merges.
    "try_nid/top_down_reserved_with_space": Alloc(
        False,
        [
            ("reserve", E - 2 * SMP, SMP),
            ("reserve", E - 288, 128),
            _try_nid(64, E - 160, E - 2 * SMP),
        ],
        E - 128,
        [(E - 288, 128), (E - 128, 96)],
    ),
    #  |     +--------+--------+--------+     |
    #  |     |   r2   |   r3   |   r1   |     |
    # The gap is exactly the size: all three merge.
    "try_nid/reserved_full_merge": Alloc(
        None,
        [
            ("reserve", E - 2 * SMP, SMP),
            ("reserve", E - 256, 128),
            _try_nid(64, E - 128, E - 2 * SMP),
        ],
        E - 128,
        [(E - 256, 224)],
    ),
    #  |  +----------+------+    +------+   |
    #  |  |    r3    |  r2  |    |  r1  |   |
    # Gap too small: lower limit dropped, the block goes below r2, merges.
    "try_nid/top_down_reserved_no_space": Alloc(
        False,
        [
            ("reserve", E - 2 * SMP, SMP),
            ("reserve", E - 224, 128),
            _try_nid(256, E - 96, E - 2 * SMP),
        ],
        E - 480,
        [(E - 480, 384), (E - 2 * SMP, SMP)],
    ),
    #  |--------------+      +----------|
    #  |      r2      |      |    r1    |
    # Everything but a narrow window reserved: fails.
    "try_nid/reserved_all": Alloc(
        None,
        [
            ("reserve", E - SMP, SMP),
            ("reserve", S, _NID_R2_ALL),
            _try_nid(256, S + _NID_R2_ALL, E - SMP),
        ],
        0,
        [(S, _NID_R2_ALL), (E - SMP, SMP)],
    ),
    # max_addr above DRAM end: the block ends at DRAM end.
    "try_nid/top_down_cap_max": Alloc(
        False, [_try_nid(256, E - SZ_K, E + 256)], E - 256, [(E - 256, 256)]
    ),
    # min_addr below DRAM start: the block ends at DRAM end.
    "try_nid/top_down_cap_min": Alloc(
        False, [_try_nid(SZ_K, S - 256, E)], E - SZ_K, [(E - SZ_K, SZ_K)]
    ),
    # Bottom-up: the block starts at min_addr.
    "try_nid/bottom_up_simple": Alloc(
        True, [_try_nid(128, S + 2 * SMP, S + 2 * SMP + 512)], S + 2 * SMP, [(S + 2 * SMP, 128)]
    ),
    #  |     +   +-----------+     +     |
    #  |     |   |    rgn    |     |     |
    # Misaligned min_addr: the block starts at the next aligned address.
    "try_nid/bottom_up_start_misaligned": Alloc(
        True, [_try_nid(128, S + 2, S + 2 + 512)], S + SMP, [(S + SMP, 128)]
    ),
    # Window too narrow: lower limit dropped, the block starts at DRAM start.
    "try_nid/bottom_up_narrow_range": Alloc(
        True, [_try_nid(256, S + 512, S + 512 + SMP)], S, [(S, 256)]
    ),
    #  |    +--------+-------+   +------+  |
    #  |    |   r2   |  rgn  |   |  r1  |  |
    # Room between two reservations, bottom-up: the block follows r2, merges.
    "try_nid/bottom_up_reserved_with_space": Alloc(
        True,
        [
            ("reserve", E - 2 * SMP, SMP),
            ("reserve", E - 288, 128),
            _try_nid(64, E - 160, E - 2 * SMP),
        ],
        E - 160,
        [(E - 288, 192), (E - 2 * SMP, SMP)],
    ),
    #  |----------+    +------+   +----+  |
    #  |    r3    |    |  r2  |   | r1 |  |
    # Gap too small: lower limit dropped, the block goes to DRAM start, alone.
    "try_nid/bottom_up_reserved_no_space": Alloc(
        True,
        [
            ("reserve", E - 2 * SMP, SMP),
            ("reserve", E - 224, 128),
            _try_nid(256, E - 96, E - 2 * SMP),
        ],
        S,
        [(S, 256), (E - 224, 128), (E - 2 * SMP, SMP)],
    ),
    # max_addr above DRAM end: the block starts at min_addr.
    "try_nid/bottom_up_cap_max": Alloc(
        True, [_try_nid(256, S + SZ_K, E + 256)], S + SZ_K, [(S + SZ_K, 256)]
    ),
    # min_addr at DRAM start: the block starts there.
    "try_nid/bottom_up_cap_min": Alloc(True, [_try_nid(SZ_K, S, E - 256)], S, [(S, SZ_K)]),
}


def _alloc_params() -> list[Any]:
    params = []
    for name, case in ALLOC.items():
        directions = [False, True] if case.bottom_up is None else [case.bottom_up]
        for bottom_up in directions:
            for model in ("6.1", "6.16"):
                label = f"{name}[{'bottom-up' if bottom_up else 'top-down'},{model}]"
                params.append(pytest.param(case, bottom_up, model, id=label))
    return params


@pytest.mark.parametrize(("case", "bottom_up", "model"), _alloc_params())
def test_alloc(case: Alloc, bottom_up: bool, model: str) -> None:
    # 6.16+ allocations carry MEMBLOCK_RSRV_KERN; the kernel suite switched its
    # setup reservations to memblock_reserve_kern so the same merges happen.
    kern = model == "6.16"
    mb = Memblock(bottom_up=bottom_up, smp_cache_bytes=SMP, alloc_rsrv_kern=kern)
    if case.memory:
        mb.add(MEM_BASE, MEM_SIZE)
    ops = [("reserve_kern", *op[1:]) if kern and op[0] == "reserve" else op for op in case.ops]
    assert run(mb, ops) == case.ret
    assert spans(mb.reserved) == case.reserved
    assert mb.reserved_size() == sum(size for _, size in case.reserved)
    assert spans(mb.memory) == ([(MEM_BASE, MEM_SIZE)] if case.memory else [])


# --------------------------------------------------------------------------
# find_in_range_node / alloc_range details
# --------------------------------------------------------------------------


def test_alloc_next_to_plain_reserve_616_does_not_merge() -> None:
    # 6.16+: an allocation adjacent to a memblock_reserve() range is a separate
    # RSRV_KERN region; 6.1 merges them. Same bytes either way.
    for kern, want in ((False, [(E - 544, 544)]), (True, [(E - 544, 32), (E - 512, 512, KERN)])):
        mb = setup_memblock(alloc_rsrv_kern=kern)
        mb.reserve(E - 544, 32)
        assert mb.alloc_try_nid(512, SMP) == E - 512
        assert rgns(mb.reserved) == want


@pytest.mark.parametrize(
    ("bottom_up", "want"),
    [pytest.param(False, 0xF000, id="top-down"), pytest.param(True, 0x1000, id="bottom-up")],
)
def test_first_page_never_allocated(bottom_up: bool, want: int) -> None:
    # start is raised to PAGE_SIZE: with RAM at 0, bottom-up starts at 0x1000
    mb = Memblock(bottom_up=bottom_up)
    mb.add(0, 0x10000)
    assert mb.alloc_range(0x1000, 0x1000, 0, mb.anywhere) == want
    assert not mb.is_region_reserved(0, 0x1000)


def test_page_clamp_follows_page_size() -> None:
    mb = Memblock(bottom_up=True, page_size=64 * SZ_K)
    mb.add(0, SZ_M)
    assert mb.find_in_range_node(SZ_K, SZ_K, 0, mb.anywhere) == 64 * SZ_K


def test_align_zero_means_smp_cache_bytes() -> None:
    mb = setup_memblock(smp_cache_bytes=128)
    assert mb.alloc_range(10, 0, 0, mb.anywhere) == E - 128


def test_accessible_means_current_limit() -> None:
    mb = setup_memblock(current_limit=S + 8 * SZ_K)
    assert mb.alloc_range(SZ_K, SMP, 0, MEMBLOCK_ALLOC_ACCESSIBLE) == S + 7 * SZ_K
    # ANYWHERE is not lowered to current_limit by alloc_range ...
    assert mb.alloc_range(SZ_K, SMP, 0, mb.anywhere) == E - SZ_K
    # ... but memblock_alloc_try_nid (memblock_alloc_internal) does lower it
    assert mb.alloc_try_nid(SZ_K, SMP, 0, mb.anywhere) == S + 6 * SZ_K


def test_end_below_start_finds_nothing() -> None:
    mb = setup_memblock()
    assert mb.find_in_range_node(64, SMP, E - SZ_K, S + SZ_K) == 0


def test_alloc_failure_changes_nothing() -> None:
    mb = setup_memblock()
    before = mb.copy()
    assert mb.alloc_range(2 * MEM_SIZE, SMP, 0, mb.anywhere) == 0
    assert mb.reserved == before.reserved == ()


def test_top_down_rounds_candidate_down_bottom_up_rounds_up() -> None:
    # free range [S + 100, E - 100), 4K alignment
    for bottom_up, want in ((False, E - 2 * 4096), (True, S + 4096)):
        mb = setup_memblock(bottom_up=bottom_up)
        mb.reserve(S, 100)
        mb.reserve(E - 100, 100)
        assert mb.alloc_range(4096, 4096, 0, mb.anywhere) == want


def test_allocation_skips_nomap_memory() -> None:
    mb = setup_memblock()
    mb.mark_nomap(E - 4 * SZ_K, 4 * SZ_K)
    assert mb.alloc_range(SZ_K, SMP, 0, mb.anywhere) == E - 5 * SZ_K
    assert list(mb.free_ranges()) == [(S, E - 5 * SZ_K)]


def test_allocation_cannot_straddle_memory_regions() -> None:
    # __next_mem_range yields free ranges per memory region: two contiguous
    # regions with different flags cannot hold one block spanning both
    mb = Memblock(smp_cache_bytes=SMP)
    mb.add(S, 16 * SZ_K)
    mb.add(S + 16 * SZ_K, 16 * SZ_K, HOTPLUG)
    assert list(mb.free_ranges()) == [(S, S + 16 * SZ_K), (S + 16 * SZ_K, E)]
    assert mb.alloc_range(24 * SZ_K, SMP, 0, mb.anywhere) == 0
    assert mb.alloc_range(16 * SZ_K, SMP, 0, mb.anywhere) == S + 16 * SZ_K


def test_hotplug_skipped_only_with_movable_node() -> None:
    for movable, want in ((False, E - SZ_K), (True, S + 15 * SZ_K)):
        mb = Memblock(smp_cache_bytes=SMP, movable_node=movable)
        mb.add(S, 16 * SZ_K)
        mb.add(S + 16 * SZ_K, 16 * SZ_K, HOTPLUG)
        assert mb.alloc_range(SZ_K, SMP, 0, mb.anywhere) == want


def test_legacy_bottom_up_above_kernel_end_then_top_down() -> None:
    # <= 5.9: bottom-up only above the kernel image, else fall back to top-down
    kernel_end = S + 16 * SZ_K
    mb = setup_memblock(bottom_up=True, kernel_end=kernel_end)
    assert mb.alloc_range(SZ_K, SMP, 0, mb.anywhere) == kernel_end
    mb.reserve(kernel_end, E - kernel_end)
    assert mb.alloc_range(SZ_K, SMP, 0, mb.anywhere) == kernel_end - SZ_K
    # 5.10+: bottom-up from the window start
    assert setup_memblock(bottom_up=True).alloc_range(SZ_K, SMP, 0, E) == S


def test_32bit_anywhere_and_top_of_address_space() -> None:
    mb = Memblock(phys_addr_max=PHYS_ADDR_MAX_32)
    mb.add(0xC000_0000, SZ_G)
    # the region ends at 0xFFFFFFFF (capped), so the last full page is below it
    assert mb.alloc_range(4096, 4096, 0, mb.anywhere) == 0xFFFF_E000


def test_size_zero_request() -> None:
    # no overflow tricks: a zero-byte request is found at the aligned top
    mb = setup_memblock()
    assert mb.find_in_range_node(0, SMP, 0, mb.anywhere) == E


# --------------------------------------------------------------------------
# NOMAP marking
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ops", "memory"),
    [
        # marking the middle splits one region into three
        pytest.param(
            [("mark_nomap", SZ_G + 256 * SZ_M, 64 * SZ_M)],
            [
                (SZ_G, 256 * SZ_M),
                (SZ_G + 256 * SZ_M, 64 * SZ_M, NOMAP),
                (SZ_G + 320 * SZ_M, 704 * SZ_M),
            ],
            id="mark_middle_splits",
        ),
        # marking the start splits in two
        pytest.param(
            [("mark_nomap", SZ_G, SZ_M)],
            [(SZ_G, SZ_M, NOMAP), (SZ_G + SZ_M, SZ_G - SZ_M)],
            id="mark_start",
        ),
        # a range reaching past RAM marks only the RAM part, silently
        pytest.param(
            [("mark_nomap", 2 * SZ_G - SZ_M, 16 * SZ_M)],
            [(SZ_G, SZ_G - SZ_M), (2 * SZ_G - SZ_M, SZ_M, NOMAP)],
            id="mark_past_end_of_ram",
        ),
        # outside RAM altogether: nothing changes
        pytest.param([("mark_nomap", 4 * SZ_G, SZ_M)], [(SZ_G, SZ_G)], id="mark_outside_ram"),
        # clearing everything merges the pieces back into one region
        pytest.param(
            [("mark_nomap", SZ_G + SZ_M, SZ_M), ("clear_nomap", SZ_G, SZ_G)],
            [(SZ_G, SZ_G)],
            id="clear_merges_back",
        ),
        # clearing part of a NOMAP region splits it again
        pytest.param(
            [("mark_nomap", SZ_G + SZ_M, 4 * SZ_M), ("clear_nomap", SZ_G + 2 * SZ_M, SZ_M)],
            [
                (SZ_G, SZ_M),
                (SZ_G + SZ_M, SZ_M, NOMAP),
                (SZ_G + 2 * SZ_M, SZ_M),
                (SZ_G + 3 * SZ_M, 2 * SZ_M, NOMAP),
                (SZ_G + 5 * SZ_M, SZ_G - 5 * SZ_M),
            ],
            id="clear_part_splits",
        ),
        # two adjacent marks merge into one NOMAP region
        pytest.param(
            [("mark_nomap", SZ_G, SZ_M), ("mark_nomap", SZ_G + SZ_M, SZ_M)],
            [(SZ_G, 2 * SZ_M, NOMAP), (SZ_G + 2 * SZ_M, SZ_G - 2 * SZ_M)],
            id="adjacent_marks_merge",
        ),
        # marking across two memory regions marks the covered parts of both
        pytest.param(
            [("add", 3 * SZ_G, SZ_G), ("mark_nomap", 2 * SZ_G - SZ_M, SZ_G + 2 * SZ_M)],
            [
                (SZ_G, SZ_G - SZ_M),
                (2 * SZ_G - SZ_M, SZ_M, NOMAP),
                (3 * SZ_G, SZ_M, NOMAP),
                (3 * SZ_G + SZ_M, SZ_G - SZ_M),
            ],
            id="mark_across_two_regions",
        ),
    ],
)
def test_nomap_marking(ops: list[Op], memory: list[Rgn]) -> None:
    mb = Memblock()
    mb.add(SZ_G, SZ_G)
    run(mb, ops)
    assert rgns(mb.memory) == memory
    # NOMAP memory still counts as memory
    assert mb.phys_mem_size() == sum(r[1] for r in memory)


def test_nomap_queries() -> None:
    mb = Memblock()
    mb.add(SZ_G, SZ_G)
    mb.mark_nomap(SZ_G + SZ_M, SZ_M)
    assert mb.is_memory(SZ_G + SZ_M) and not mb.is_map_memory(SZ_G + SZ_M)
    assert mb.is_map_memory(SZ_G)
    # is_region_memory needs one region: spanning the NOMAP split fails
    assert mb.is_region_memory(SZ_G, SZ_M)
    assert not mb.is_region_memory(SZ_G, 2 * SZ_M)
    assert mb.overlaps_memory(SZ_G - SZ_M, 2 * SZ_M)
    assert not mb.overlaps_memory(SZ_G - SZ_M, SZ_M)


# --------------------------------------------------------------------------
# mem= : mem_limit_remove_map (arm64) and enforce_memory_limit (riscv)
# --------------------------------------------------------------------------


def _mem_limit_setup() -> Memblock:
    # 1 GiB of RAM at 1 GiB with a 64 MiB NOMAP hole at +256 MiB and a 16 MiB
    # NOMAP region at +768 MiB; reservations below, across and above the cut
    mb = Memblock()
    mb.add(SZ_G, SZ_G)
    mb.mark_nomap(SZ_G + 256 * SZ_M, 64 * SZ_M)
    mb.mark_nomap(SZ_G + 768 * SZ_M, 16 * SZ_M)
    mb.reserve(SZ_G, SZ_M)
    mb.reserve(SZ_G + 500 * SZ_M, 24 * SZ_M)
    mb.reserve(SZ_G + 900 * SZ_M, SZ_M)
    return mb


def test_mem_limit_remove_map() -> None:
    mb = _mem_limit_setup()
    # 256M MAP + 64M NOMAP (counted) + 192M of the next region -> cut at +512M
    assert mb.mem_limit_remove_map(512 * SZ_M) == SZ_G + 512 * SZ_M
    assert rgns(mb.memory) == [
        (SZ_G, 256 * SZ_M),
        (SZ_G + 256 * SZ_M, 64 * SZ_M, NOMAP),
        (SZ_G + 320 * SZ_M, 192 * SZ_M),
        # NOMAP memory above the cut is kept, so DRAM still ends above the cut
        (SZ_G + 768 * SZ_M, 16 * SZ_M, NOMAP),
    ]
    assert mb.end_of_dram() == SZ_G + 784 * SZ_M
    # reservations above the cut go, the one across it is truncated
    assert rgns(mb.reserved) == [(SZ_G, SZ_M), (SZ_G + 500 * SZ_M, 12 * SZ_M)]


def test_mem_limit_remove_map_noop() -> None:
    mb = _mem_limit_setup()
    before = (mb.memory, mb.reserved)
    assert mb.mem_limit_remove_map(0) is None
    assert mb.mem_limit_remove_map(SZ_G + 1) is None  # more than RAM: no cut
    assert (mb.memory, mb.reserved) == before


def test_mem_limit_equal_to_ram_drops_reservations_above_ram() -> None:
    # limit == total RAM still cuts, at the end of RAM: memory is unchanged,
    # but reservations beyond RAM (e.g. firmware areas) are removed
    mb = _mem_limit_setup()
    mb.reserve(4 * SZ_G, SZ_M)
    memory = mb.memory
    assert mb.mem_limit_remove_map(SZ_G) == 2 * SZ_G
    assert mb.memory == memory
    assert not mb.is_region_reserved(4 * SZ_G, SZ_M)


def test_mem_limit_cut_inside_nomap_keeps_it_split() -> None:
    # a cut inside a NOMAP region splits it; both halves stay, unmerged (6.4+)
    mb = Memblock()
    mb.add(SZ_G, SZ_G)
    mb.mark_nomap(SZ_G, 512 * SZ_M)
    assert mb.mem_limit_remove_map(256 * SZ_M) == SZ_G + 256 * SZ_M
    assert rgns(mb.memory) == [(SZ_G, 256 * SZ_M, NOMAP), (SZ_G + 256 * SZ_M, 256 * SZ_M, NOMAP)]


def test_enforce_memory_limit_removes_nomap_too() -> None:
    mb = _mem_limit_setup()
    assert mb.enforce_memory_limit(512 * SZ_M) == SZ_G + 512 * SZ_M
    assert rgns(mb.memory) == [
        (SZ_G, 256 * SZ_M),
        (SZ_G + 256 * SZ_M, 64 * SZ_M, NOMAP),
        (SZ_G + 320 * SZ_M, 192 * SZ_M),
    ]
    assert mb.end_of_dram() == SZ_G + 512 * SZ_M
    assert rgns(mb.reserved) == [(SZ_G, SZ_M), (SZ_G + 500 * SZ_M, 12 * SZ_M)]


def test_cap_memory_range_window() -> None:
    # linux,usable-memory-range style cap of a window in the middle
    mb = Memblock()
    mb.add(SZ_G, SZ_G)
    mb.mark_nomap(SZ_G, SZ_M)
    mb.reserve(SZ_G + 4 * SZ_M, 8 * SZ_M)
    mb.cap_memory_range(SZ_G + 8 * SZ_M, 16 * SZ_M)
    assert rgns(mb.memory) == [(SZ_G, SZ_M, NOMAP), (SZ_G + 8 * SZ_M, 16 * SZ_M)]
    assert rgns(mb.reserved) == [(SZ_G + 8 * SZ_M, 4 * SZ_M)]


def test_cap_memory_range_without_memory_is_noop() -> None:
    mb = Memblock()
    mb.reserve(SZ_G, SZ_M)
    mb.cap_memory_range(0, SZ_M)
    assert rgns(mb.reserved) == [(SZ_G, SZ_M)]


# --------------------------------------------------------------------------
# queries, free ranges, copy
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "size", "want"),
    [
        pytest.param(SZ_M - 1, 1, False, id="ends_at_region_start"),
        pytest.param(SZ_M - 1, 2, True, id="touches_first_byte"),
        pytest.param(2 * SZ_M, SZ_M, False, id="starts_at_region_end"),
        pytest.param(2 * SZ_M - 1, 100, True, id="covers_last_byte"),
        pytest.param(0, 4 * SZ_G, True, id="covers_all"),
        # size 0 "overlaps" only when strictly inside (memblock_addrs_overlap)
        pytest.param(SZ_M, 0, False, id="size0_at_start"),
        pytest.param(SZ_M + 1, 0, True, id="size0_inside"),
        # a size running past PHYS_ADDR_MAX is capped, not wrapped
        pytest.param(SZ_M + 1, MAX, True, id="huge_size_capped"),
    ],
)
def test_is_region_reserved(base: int, size: int, want: bool) -> None:
    mb = Memblock()
    mb.reserve(SZ_M, SZ_M)
    mb.reserve(8 * SZ_M, SZ_M)
    assert mb.is_region_reserved(base, size) is want


def test_point_queries_and_dram_bounds() -> None:
    mb = Memblock()
    assert (mb.start_of_dram(), mb.end_of_dram(), mb.phys_mem_size()) == (0, 0, 0)
    mb.add(2 * SZ_G, SZ_G)
    mb.add(SZ_G, SZ_M)
    mb.reserve(SZ_G, 4096)
    assert (mb.start_of_dram(), mb.end_of_dram()) == (SZ_G, 3 * SZ_G)
    assert mb.phys_mem_size() == SZ_G + SZ_M
    assert mb.is_memory(SZ_G) and not mb.is_memory(SZ_G + SZ_M)
    assert mb.is_reserved(SZ_G + 4095) and not mb.is_reserved(SZ_G + 4096)
    assert mb.is_region_memory(2 * SZ_G, SZ_G)
    assert not mb.is_region_memory(2 * SZ_G, SZ_G + 1)


def test_free_ranges_both_directions() -> None:
    mb = Memblock()
    mb.add(SZ_G, SZ_G)
    mb.add(4 * SZ_G, SZ_G)
    mb.reserve(SZ_G, SZ_M)
    mb.reserve(SZ_G + 8 * SZ_M, SZ_M)
    mb.reserve(2 * SZ_G - SZ_M, 2 * SZ_G + 2 * SZ_M)  # spans the hole
    mb.mark_nomap(4 * SZ_G + SZ_M, SZ_M)
    forward = [
        (SZ_G + SZ_M, SZ_G + 8 * SZ_M),
        (SZ_G + 9 * SZ_M, 2 * SZ_G - SZ_M),
        (4 * SZ_G + 2 * SZ_M, 5 * SZ_G),
    ]
    assert list(mb.free_ranges()) == forward
    assert list(mb.free_ranges(reverse=True)) == forward[::-1]


def test_largest_free_range() -> None:
    mb = Memblock()
    mb.add(SZ_G, SZ_G)
    mb.reserve(SZ_G + 100 * SZ_M, SZ_M)
    mb.reserve(SZ_G + 300 * SZ_M, SZ_M)
    assert mb.largest_free_range() == (SZ_G + 301 * SZ_M, 2 * SZ_G)
    assert mb.largest_free_range(0, SZ_G + 300 * SZ_M) == (SZ_G + 101 * SZ_M, SZ_G + 300 * SZ_M)
    assert mb.largest_free_range(3 * SZ_G) is None
    # ties: the lower range wins
    tie = Memblock()
    tie.add(0, 3 * SZ_M)
    tie.reserve(SZ_M, SZ_M)
    assert tie.largest_free_range() == (0, SZ_M)


def test_copy_is_independent() -> None:
    mb = setup_memblock()
    what_if = mb.copy()
    what_if.bottom_up = True
    assert what_if.alloc_range(SZ_K, SMP, 0, what_if.anywhere) == S
    assert mb.reserved == ()
    assert mb.alloc_range(SZ_K, SMP, 0, mb.anywhere) == E - SZ_K
    assert spans(what_if.reserved) == [(S, SZ_K)]


def test_many_regions_stay_sorted_and_merged() -> None:
    # more regions than INIT_MEMBLOCK_REGIONS, inserted in descending order;
    # filling every hole afterwards merges them all into one region
    mb = Memblock()
    mb.add(0, SZ_G)
    n = 4 * INIT_MEMBLOCK_REGIONS
    for i in range(n - 2, -1, -2):
        mb.reserve(SZ_M + i * 4096, 4096)
    assert len(mb.reserved) == n // 2
    assert [r.base for r in mb.reserved] == sorted(r.base for r in mb.reserved)
    for i in range(1, n, 2):
        mb.reserve(SZ_M + i * 4096, 4096)
    assert spans(mb.reserved) == [(SZ_M, n * 4096)]


def test_region_end_and_flags_values() -> None:
    assert MemblockRegion(0x1000, 0x2000).end == 0x3000
    values = {name: f.value for name, f in MemblockFlags.__members__.items()}
    assert values == {
        "NONE": 0,
        "HOTPLUG": 0x1,
        "MIRROR": 0x2,
        "NOMAP": 0x4,
        "DRIVER_MANAGED": 0x8,
        "RSRV_NOINIT": 0x10,
        "RSRV_KERN": 0x20,
        "KHO_SCRATCH": 0x40,
    }


# --------------------------------------------------------------------------
# Differential check: the windowed, bisecting search against a literal
# transcription of the kernel walk (__next_mem_range[_rev] index stepping,
# then the clamp/round loops of __memblock_find_range_{top_down,bottom_up}).
# --------------------------------------------------------------------------


def _literal_free_ranges(mb: Memblock, reverse: bool) -> list[tuple[int, int]]:
    mem, res, top = mb.memory, mb.reserved, mb.phys_addr_max
    skip = NOMAP | MemblockFlags.DRIVER_MANAGED | (HOTPLUG if mb.movable_node else 0)
    out: list[tuple[int, int]] = []
    a, b = (len(mem) - 1, len(res)) if reverse else (0, 0)
    while 0 <= a < len(mem):
        m = mem[a]
        if m.flags & skip:
            a += -1 if reverse else 1
            continue
        stepped = False
        while 0 <= b <= len(res):
            r_start = res[b - 1].end if b else 0
            r_end = res[b].base if b < len(res) else top
            if (r_end <= m.base) if reverse else (r_start >= m.end):
                break
            if (m.end > r_start) if reverse else (m.base < r_end):
                out.append((max(m.base, r_start), min(m.end, r_end)))
                if reverse:
                    a, b = (a - 1, b) if m.base >= r_start else (a, b - 1)
                else:
                    a, b = (a + 1, b) if m.end <= r_end else (a, b + 1)
                stepped = True
                break
            b += -1 if reverse else 1
        if not stepped:
            a += -1 if reverse else 1
    return out


def _literal_find(mb: Memblock, size: int, align: int, start: int, end: int) -> int:
    top = mb.phys_addr_max
    if end in (0, 1):
        end = mb.current_limit
    start = max(start, mb.page_size)
    end = max(start, end)
    mask = (align - 1) & top
    for this_start, this_end in _literal_free_ranges(mb, not mb.bottom_up):
        this_start = min(max(this_start, start), end)
        this_end = min(max(this_end, start), end)
        if mb.bottom_up:
            cand = ((((this_start - 1) & top) | mask) + 1) & top
            if cand < this_end and this_end - cand >= size:
                return cand
        elif this_end >= size:
            cand = (this_end - size) & ~mask & top
            if cand >= this_start:
                return cand
    return 0


def _random_addr(rng: random.Random, top: int, near_top: bool) -> int:
    if near_top and rng.random() < 0.5:
        return top - rng.randrange(0, 64) * 0x100
    return rng.randrange(0, 512) * 0x100 + rng.choice([0, 0, 1, 0x10])


@pytest.mark.parametrize("seed", range(8))
def test_find_matches_literal_walk(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        top = rng.choice([PHYS_ADDR_MAX_32, PHYS_ADDR_MAX_64])
        near_top = rng.random() < 0.2
        mb = Memblock(
            phys_addr_max=top,
            bottom_up=rng.random() < 0.5,
            movable_node=rng.random() < 0.3,
            alloc_rsrv_kern=rng.random() < 0.5,
        )
        for _ in range(rng.randrange(12)):
            base = _random_addr(rng, top, near_top)
            size = rng.randrange(64) * 0x100 + rng.choice([0, 3])
            pick = rng.random()
            if pick < 0.3:
                mb.add(base, size, rng.choice([MemblockFlags.NONE] * 4 + [HOTPLUG]))
            elif pick < 0.55:
                mb.reserve(base, size)
            elif pick < 0.65:
                mb.reserve_kern(base, size)  # adjacent, unmerged reservations
            elif pick < 0.75:
                mb.phys_free(base, size)
            elif pick < 0.9:
                mb.mark_nomap(base, size)
            else:
                start = _random_addr(rng, top, near_top)
                mb.alloc_range(size, rng.choice([0, 0x20, 0x1000]), start, top)
        assert list(mb.free_ranges()) == [r for r in _literal_free_ranges(mb, False) if r[1] > r[0]]
        for _ in range(10):
            size = rng.choice([0, 1, 0x10, 0x100, 0x1000, 0x3000])
            align = rng.choice([1, 0x20, 0x1000, 0x30, 0])  # 0x30: not a power of 2
            start = rng.choice([0, _random_addr(rng, top, near_top)])
            end = rng.choice([0, 1, top, _random_addr(rng, top, near_top)])
            want = _literal_find(mb, size, align, start, end)
            assert mb.find_in_range_node(size, align, start, end) == want, mb


# --------------------------------------------------------------------------
# The fast paths against literal definitions: the memory/reserved snapshots
# after every kind of change, memory_overlapping against a filter of all
# regions, and a plain insert (no overlap: one step insert-and-merge) against
# the same range added in pieces that overlap, which takes the general path.
# --------------------------------------------------------------------------


def _random_ops(rng: random.Random, mb: Memblock, n: int) -> None:
    top = mb.phys_addr_max
    for _ in range(n):
        base = _random_addr(rng, top, rng.random() < 0.1)
        size = rng.randrange(64) * 0x100 + rng.choice([0, 0, 3])
        pick = rng.randrange(12)
        if pick == 0:
            mb.add(base, size, rng.choice([MemblockFlags.NONE] * 4 + [HOTPLUG, NOMAP]))
        elif pick == 1:
            mb.reserve(base, size)
        elif pick == 2:
            mb.reserve_kern(base, size)
        elif pick == 3:
            mb.phys_free(base, size)
        elif pick == 4:
            mb.remove(base, size)
        elif pick == 5:
            mb.mark_nomap(base, size)
        elif pick == 6:
            mb.clear_nomap(base, size)
        elif pick == 7:
            mb.cap_memory_range(base, size * 16)
        elif pick == 8:
            mb.mem_limit_remove_map(size * 8)
        elif pick == 9:
            mb.enforce_memory_limit(size * 8)
        else:
            mb.alloc_range(size, rng.choice([0, 0x20, 0x1000]), 0, top)
        # a copy rebuilds both tuples from the lists: a stale snapshot would differ
        fresh = mb.copy()
        assert (mb.memory, mb.reserved) == (fresh.memory, fresh.reserved)


@pytest.mark.parametrize("seed", range(4))
def test_snapshots_follow_every_change(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(20):
        mb = Memblock(phys_addr_max=rng.choice([PHYS_ADDR_MAX_32, PHYS_ADDR_MAX_64]))
        mb.add(0, 0x20000)
        _random_ops(rng, mb, 40)


@pytest.mark.parametrize("seed", range(4))
def test_memory_overlapping_is_the_literal_filter(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(20):
        mb = Memblock()
        _random_ops(rng, mb, 30)
        for _ in range(20):
            start = rng.randrange(0x22000)
            end = start + rng.choice([0, 1, 0x100, rng.randrange(0x22000)])
            want = tuple(r for r in mb.memory if r.base < end and start < r.end)
            assert mb.memory_overlapping(start, end) == want, (start, end, mb)


@pytest.mark.parametrize("seed", range(4))
def test_plain_insert_merges_like_the_general_path(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        a, b = Memblock(), Memblock()
        for _ in range(rng.randrange(1, 25)):
            base = rng.randrange(64) * 0x100
            size = rng.randrange(1, 8) * 0x100
            kern = rng.random() < 0.3
            (a.reserve_kern if kern else a.reserve)(base, size)
            # b: the same range, but first a piece of it, so that the rest overlaps
            # something and goes through the general insert + _merge_regions
            (b.reserve_kern if kern else b.reserve)(base, 0x100)
            (b.reserve_kern if kern else b.reserve)(base, size)
            assert rgns(a.reserved) == rgns(b.reserved), (base, size, a, b)
