"""Emulation of the kernel's early boot allocator, memblock (mm/memblock.c).

A :class:`Memblock` holds two sorted region lists, ``memory`` (RAM the kernel
knows about) and ``reserved`` (ranges nobody else may allocate), and
reproduces the kernel operations an early-boot dry run needs: add/remove
memory, reserve/free, NOMAP marking, the free-range walk and the allocator
(``memblock_find_in_range_node`` / ``memblock_alloc_range_nid``), ``mem=``
capping, and the DRAM queries.

Conventions
    Addresses and sizes are plain Python ints. A range is ``[base, base + size)``:
    ``end`` is always exclusive. Allocation functions return the physical
    address, or 0 on failure, exactly like the kernel (so address 0 can never
    be allocated; the kernel never hands out the first page anyway).
    ``phys_addr_t`` arithmetic wraps at ``phys_addr_max + 1`` where the kernel's
    would (round_up/round_down); sizes are capped so that ``base + size`` never
    exceeds ``phys_addr_max`` (``memblock_cap_size``).

Kernel versions
    Read in source: a 5.10-era mm/memblock.c (MEMBLOCK_ALLOC_KASAN,
    memblock_free(phys)) and a recent mainline one (MEMBLOCK_RSRV_KERN, KHO
    scratch, memblock_alloc_or_panic: 6.16 or later, the 7.x line); 3.x for
    history. 6.1 and 6.12 lie between them and differ from both only as listed
    below. The defaults model 6.1-6.15; each difference is a constructor
    parameter, not a version number:

    * ``alloc_rsrv_kern``: from 6.16 (KHO series, "memblock: add
      MEMBLOCK_RSRV_KERN flag") every memblock *allocation* is reserved with
      ``MEMBLOCK_RSRV_KERN``. Regions merge only when their flags are equal, so
      an allocation next to a plain ``memblock_reserve()`` range stays a
      separate reserved region (more regions, same bytes). Set it for 7.x.
    * ``kernel_end``: up to 5.9, bottom-up mode first searched bottom-up above
      the kernel image end and, if that failed, fell back to a top-down search
      of the whole window. 5.10+ searches bottom-up only. Pass the kernel image
      end to get the old behaviour; leave it None for 5.10+.
    * Unchanged in every tree read: the ``start = max(start, PAGE_SIZE)`` and
      ``end = max(start, end)`` clamp of memblock_find_in_range_node, the
      top-down/bottom-up candidate rules, memblock_alloc_internal's
      current_limit clamp and min_addr retry, and the mem= cut rule.
    * Merging after an insert: until about 6.4 the whole array was re-merged,
      since then only the neighbourhood of the inserted/changed regions. The
      only observable difference is a NOMAP region split by
      ``memblock_cap_memory_range``: it stays split here (newer behaviour);
      6.1 merges it again on the next add to memory. Byte totals never differ.
    * ``should_skip_region`` skips NOMAP and DRIVER_MANAGED memory (the flag
      exists since 5.15) and, with ``movable_node``, HOTPLUG memory.
    * ``cap_memory_range`` on empty memory: the recent tree returns early
      (warning "No memory registered yet"); 5.10 still truncated reserved.

Not modelled: NUMA node ids (every region is on one node), mirrored-memory
preference (``memblock_mark_mirror`` needs ``kernelcore=mirror``), KHO scratch
mode, and the 128-entry static region arrays (``INIT_MEMBLOCK_REGIONS``):
before ``memblock_allow_resize()`` a 129th region fails (-ENOMEM in 5.10, a
panic in the recent tree); after it, doubling the array allocates from memblock.
Callers that care can check ``len(mb.reserved)`` against
:data:`INIT_MEMBLOCK_REGIONS`.
"""

from __future__ import annotations

import bisect
import enum
import operator
from collections.abc import Iterator

from cmacheck.records import record

__all__ = [
    "INIT_MEMBLOCK_REGIONS",
    "MEMBLOCK_ALLOC_ACCESSIBLE",
    "MEMBLOCK_ALLOC_NOLEAKTRACE",
    "PHYS_ADDR_MAX_32",
    "PHYS_ADDR_MAX_64",
    "Memblock",
    "MemblockFlags",
    "MemblockRegion",
]

#: ``end`` value meaning "up to memblock.current_limit" (include/linux/memblock.h).
MEMBLOCK_ALLOC_ACCESSIBLE = 0
#: Also means "up to current_limit" (MEMBLOCK_ALLOC_KASAN before 5.16).
MEMBLOCK_ALLOC_NOLEAKTRACE = 1
#: PHYS_ADDR_MAX for 64-bit phys_addr_t (arm64, riscv64, arm32 with LPAE).
PHYS_ADDR_MAX_64 = (1 << 64) - 1
#: PHYS_ADDR_MAX for 32-bit phys_addr_t (arm32 without LPAE, riscv32).
PHYS_ADDR_MAX_32 = (1 << 32) - 1
#: Size of the static memory/reserved arrays before memblock_allow_resize().
INIT_MEMBLOCK_REGIONS = 128


class MemblockFlags(enum.IntFlag):
    """``enum memblock_flags`` (include/linux/memblock.h), same values."""

    NONE = 0x0
    HOTPLUG = 0x1
    MIRROR = 0x2
    NOMAP = 0x4
    DRIVER_MANAGED = 0x8
    RSRV_NOINIT = 0x10
    RSRV_KERN = 0x20
    KHO_SCRATCH = 0x40


@record()
class MemblockRegion:
    """``struct memblock_region`` without the node id: ``[base, base + size)``."""

    base: int
    size: int
    flags: MemblockFlags = MemblockFlags.NONE

    @property
    def end(self) -> int:
        """First address after the region."""
        return self.base + self.size


_base = operator.attrgetter("base")  # bisect key, in C

# MemblockFlags values as plain ints: IntFlag operators run Python code, and the region
# walks below test flags once per region.
_NOMAP = int(MemblockFlags.NOMAP)
_HOTPLUG = int(MemblockFlags.HOTPLUG)
_SKIP = _NOMAP | int(MemblockFlags.DRIVER_MANAGED)
_int_and = int.__and__
_FLAGS: dict[int, MemblockFlags] = {}


def _flags(value: int) -> MemblockFlags:
    # the MemblockFlags member for an int (enum construction is slow: cached)
    flags = _FLAGS.get(value)
    if flags is None:
        flags = _FLAGS[value] = MemblockFlags(value)
    return flags


def _bisect_end(regions: list[MemblockRegion], addr: int) -> int:
    # bisect_left(regions, addr, key=end): the first region ending at or above addr.
    # Regions are sorted, disjoint and never empty, so only the region before the first
    # one starting at or above addr can also end there.
    k = bisect.bisect_left(regions, addr, key=_base)
    if k:
        prev = regions[k - 1]
        if prev.base + prev.size >= addr:
            return k - 1
    return k


def _first_overlap(regions: list[MemblockRegion], addr: int) -> int:
    """The first region ending above ``addr``: the first one ``[addr, ...)`` can overlap."""
    return _bisect_end(regions, addr + 1)


class Memblock:
    """One ``struct memblock``: sorted, merged ``memory`` and ``reserved`` lists.

    ``bottom_up`` (memblock_set_bottom_up) and ``current_limit``
    (memblock_set_current_limit) are plain attributes that callers may change,
    as the kernel does (CMA switches to bottom-up temporarily, arm32 lowers the
    limit). Everything else is changed only through the methods.
    """

    def __init__(
        self,
        *,
        bottom_up: bool = False,
        current_limit: int | None = None,
        page_size: int = 4096,
        smp_cache_bytes: int = 64,
        phys_addr_max: int = PHYS_ADDR_MAX_64,
        alloc_rsrv_kern: bool = False,
        kernel_end: int | None = None,
        movable_node: bool = False,
    ) -> None:
        self.phys_addr_max = phys_addr_max
        self.bottom_up = bottom_up
        # the kernel initialises current_limit to MEMBLOCK_ALLOC_ANYWHERE
        self.current_limit = phys_addr_max if current_limit is None else current_limit
        self.page_size = page_size
        self.smp_cache_bytes = smp_cache_bytes
        self.alloc_rsrv_kern = alloc_rsrv_kern
        self.kernel_end = kernel_end
        self.movable_node = movable_node
        self._memory: list[MemblockRegion] = []
        self._reserved: list[MemblockRegion] = []
        # tuple snapshots for the properties, dropped whenever a list changes
        self._memory_t: tuple[MemblockRegion, ...] | None = None
        self._reserved_t: tuple[MemblockRegion, ...] | None = None

    # -- state ---------------------------------------------------------------

    @property
    def anywhere(self) -> int:
        """MEMBLOCK_ALLOC_ANYWHERE: ``~(phys_addr_t)0`` for this address width."""
        return self.phys_addr_max

    @property
    def memory(self) -> tuple[MemblockRegion, ...]:
        """``memblock.memory`` regions, sorted by base."""
        t = self._memory_t
        if t is None:
            t = self._memory_t = tuple(self._memory)
        return t

    @property
    def reserved(self) -> tuple[MemblockRegion, ...]:
        """``memblock.reserved`` regions, sorted by base."""
        t = self._reserved_t
        if t is None:
            t = self._reserved_t = tuple(self._reserved)
        return t

    def copy(self) -> Memblock:
        """Return an independent copy (for what-if replays)."""
        other = Memblock(
            bottom_up=self.bottom_up,
            current_limit=self.current_limit,
            page_size=self.page_size,
            smp_cache_bytes=self.smp_cache_bytes,
            phys_addr_max=self.phys_addr_max,
            alloc_rsrv_kern=self.alloc_rsrv_kern,
            kernel_end=self.kernel_end,
            movable_node=self.movable_node,
        )
        other._memory = list(self._memory)
        other._reserved = list(self._reserved)
        return other

    def __repr__(self) -> str:
        def fmt(regions: list[MemblockRegion]) -> str:
            return ", ".join(
                f"[{r.base:#x}-{r.end:#x}{'' if not r.flags else f' {r.flags.name}'}]"
                for r in regions
            )

        return f"Memblock(memory=[{fmt(self._memory)}], reserved=[{fmt(self._reserved)}])"

    # -- memory / reserved updates -------------------------------------------

    def add(self, base: int, size: int, flags: MemblockFlags = MemblockFlags.NONE) -> None:
        """memblock_add / memblock_add_node: add ``[base, base+size)`` to memory.

        Overlaps with existing memory keep the existing region's flags; only the
        uncovered parts are inserted (memblock_add_range).
        """
        self._add_range(self._memory, base, size, flags)

    def remove(self, base: int, size: int) -> None:
        """memblock_remove: delete ``[base, base+size)`` from memory."""
        self._remove_range(self._memory, base, size)

    def reserve(self, base: int, size: int) -> None:
        """memblock_reserve: add ``[base, base+size)`` to reserved (flags NONE).

        Succeeds for ranges outside memory too, as in the kernel.
        """
        self._add_range(self._reserved, base, size, MemblockFlags.NONE)

    def reserve_kern(self, base: int, size: int) -> None:
        """memblock_reserve_kern (6.16+): reserve with MEMBLOCK_RSRV_KERN."""
        self._add_range(self._reserved, base, size, MemblockFlags.RSRV_KERN)

    def phys_free(self, base: int, size: int) -> None:
        """memblock_phys_free (memblock_free before 5.16): unreserve a range."""
        self._remove_range(self._reserved, base, size)

    def mark_nomap(self, base: int, size: int) -> None:
        """memblock_mark_nomap: split memory at the bounds and set NOMAP.

        Parts of the range that are not memory are silently ignored.
        """
        self._setclr_flag(self._memory, base, size, MemblockFlags.NOMAP, True)

    def clear_nomap(self, base: int, size: int) -> None:
        """memblock_clear_nomap: clear NOMAP on memory in the range (merging back)."""
        self._setclr_flag(self._memory, base, size, MemblockFlags.NOMAP, False)

    def mark_hotplug(self, base: int, size: int) -> None:
        """memblock_mark_hotplug (DT ``hotpluggable`` memory nodes)."""
        self._setclr_flag(self._memory, base, size, MemblockFlags.HOTPLUG, True)

    def clear_hotplug(self, base: int, size: int) -> None:
        """memblock_clear_hotplug."""
        self._setclr_flag(self._memory, base, size, MemblockFlags.HOTPLUG, False)

    def cap_memory_range(self, base: int, size: int) -> None:
        """memblock_cap_memory_range: keep only ``[base, base+size)`` of RAM.

        Memory outside the range is removed unless it is NOMAP (NOMAP regions
        crossing a bound are split but kept); reserved ranges outside it are
        removed (and straddling ones truncated). No-op when memory is empty.
        """
        if not size:
            return
        if not self._memory:
            return
        start_rgn, end_rgn = self._isolate_range(self._memory, base, size)
        self._memory = (
            [r for r in self._memory[:start_rgn] if _int_and(r.flags, _NOMAP)]
            + self._memory[start_rgn:end_rgn]
            + [r for r in self._memory[end_rgn:] if _int_and(r.flags, _NOMAP)]
        )
        self._memory_t = None
        self._remove_range(self._reserved, 0, base)
        self._remove_range(self._reserved, base + size, self.phys_addr_max)

    def mem_limit_remove_map(self, limit: int) -> int | None:
        """memblock_mem_limit_remove_map (arm64 ``mem=``).

        Walks memory regions in address order, NOMAP ones included, until
        ``limit`` bytes are covered; the address reached is the cut, and
        ``cap_memory_range(0, cut)`` is applied: MAP memory and all reservations
        above the cut disappear, NOMAP memory above it stays (so end_of_dram()
        can remain above the cut).

        Returns the cut address, or None when nothing changed (limit 0 or not
        less than the total memory size).
        """
        if not limit:
            return None
        max_addr = self._find_max_addr(limit)
        if max_addr == self.phys_addr_max:
            return None
        self.cap_memory_range(0, max_addr)
        return max_addr

    def enforce_memory_limit(self, limit: int) -> int | None:
        """memblock_enforce_memory_limit (riscv, arm32 ``mem=`` is different).

        Same cut as mem_limit_remove_map, but all memory (NOMAP too) and all
        reservations from the cut upwards are removed. Returns the cut or None.
        """
        if not limit:
            return None
        max_addr = self._find_max_addr(limit)
        if max_addr == self.phys_addr_max:
            return None
        self._remove_range(self._memory, max_addr, self.phys_addr_max)
        self._remove_range(self._reserved, max_addr, self.phys_addr_max)
        return max_addr

    # -- queries ---------------------------------------------------------------

    def phys_mem_size(self) -> int:
        """memblock_phys_mem_size: total size of memory, NOMAP included."""
        return sum(r.size for r in self._memory)

    def reserved_size(self) -> int:
        """memblock_reserved_size: total size of reserved regions."""
        return sum(r.size for r in self._reserved)

    def start_of_dram(self) -> int:
        """memblock_start_of_DRAM: base of the first memory region (0 if none)."""
        return self._memory[0].base if self._memory else 0

    def end_of_dram(self) -> int:
        """memblock_end_of_DRAM: end of the last memory region (0 if none)."""
        if not self._memory:
            return 0
        last = self._memory[-1]
        return last.base + last.size

    def is_memory(self, addr: int) -> bool:
        """memblock_is_memory: ``addr`` lies in a memory region."""
        return _search(self._memory, addr) is not None

    def is_map_memory(self, addr: int) -> bool:
        """memblock_is_map_memory: ``addr`` lies in memory that is not NOMAP."""
        region = _search(self._memory, addr)
        return region is not None and not _int_and(region.flags, _NOMAP)

    def is_reserved(self, addr: int) -> bool:
        """memblock_is_reserved: ``addr`` lies in a reserved region."""
        return _search(self._reserved, addr) is not None

    def is_region_memory(self, base: int, size: int) -> bool:
        """memblock_is_region_memory: the range lies inside ONE memory region.

        Two adjacent regions that did not merge (different flags) do not count
        as one, exactly as in the kernel.
        """
        region = _search(self._memory, base)
        return (
            region is not None and region.base + region.size >= base + self._cap_size(base, size)
        )

    def memory_overlapping(self, start: int, end: int) -> tuple[MemblockRegion, ...]:
        """The memory regions that overlap ``[start, end)``, sorted by base."""
        memory = self._memory
        first = _first_overlap(memory, start)
        return tuple(memory[first : bisect.bisect_left(memory, end, key=_base)])

    def is_region_reserved(self, base: int, size: int) -> bool:
        """memblock_is_region_reserved: the range overlaps any reserved region."""
        return self._overlaps(self._reserved, base, size)

    def overlaps_memory(self, base: int, size: int) -> bool:
        """memblock_overlaps_region(&memblock.memory, ...): overlaps any memory."""
        return self._overlaps(self._memory, base, size)

    def free_ranges(self, reverse: bool = False) -> Iterator[tuple[int, int]]:
        """for_each_free_mem_range[_reverse]: ``(start, end)`` of free memory.

        Free = each memory region, minus reserved ranges. NOMAP and
        DRIVER_MANAGED regions (and HOTPLUG ones with ``movable_node``) are
        skipped. Ranges are produced per memory region, so two contiguous
        memory regions with different flags give two ranges and no allocation
        can straddle them. ``reverse`` walks from the highest address, as the
        top-down allocator does. The kernel iterator also yields an empty range
        between two adjacent, unmerged reservations; those are left out here.
        """
        for this_start, this_end in self._walk(0, self.phys_addr_max, reverse):
            if this_end > this_start:
                yield this_start, this_end

    def largest_free_range(self, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
        """The largest free range clamped to ``[start, end)``, lowest first on ties.

        Returns ``(start, end)`` or None when nothing is free. ``end`` None means
        ANYWHERE.
        """
        limit = self.phys_addr_max if end is None else end
        best: tuple[int, int] | None = None
        for this_start, this_end in self.free_ranges():
            lo, hi = max(this_start, start), min(this_end, limit)
            if hi > lo and (best is None or hi - lo > best[1] - best[0]):
                best = (lo, hi)
        return best

    # -- allocation ------------------------------------------------------------

    def find_in_range_node(self, size: int, align: int, start: int, end: int) -> int:
        """memblock_find_in_range_node: find (not reserve) a free aligned block.

        ``end`` ACCESSIBLE (0, or 1 = NOLEAKTRACE/KASAN) means current_limit,
        ANYWHERE is used as is; ``start`` is raised to at least PAGE_SIZE and
        ``end`` to at least ``start``. Top-down: the highest candidate
        ``round_down(range_end - size, align)`` that stays in a free range;
        bottom-up: the lowest ``round_up(range_start, align)`` that fits.
        Returns 0 when nothing fits.
        """
        if end in (MEMBLOCK_ALLOC_ACCESSIBLE, MEMBLOCK_ALLOC_NOLEAKTRACE):
            end = self.current_limit
        # mm/memblock.c: "avoid allocating the first page"
        start = max(start, self.page_size)
        end = max(start, end)
        if self.bottom_up:
            if self.kernel_end is None:
                return self._find_bottom_up(start, end, size, align)
            # <= 5.9: bottom-up only above the kernel image, then top-down
            if end > self.kernel_end:
                found = self._find_bottom_up(max(start, self.kernel_end), end, size, align)
                if found:
                    return found
        return self._find_top_down(start, end, size, align)

    def alloc_range(self, size: int, align: int, start: int, end: int) -> int:
        """memblock_phys_alloc_range = memblock_alloc_range_nid(NUMA_NO_NODE).

        ``align`` 0 becomes SMP_CACHE_BYTES (the kernel also dumps a stack).
        On success the block is reserved (RSRV_KERN with ``alloc_rsrv_kern``)
        and its base returned; on failure 0 is returned and nothing changes.
        """
        if not align:
            align = self.smp_cache_bytes
        found = self.find_in_range_node(size, align, start, end)
        if found:
            flags = MemblockFlags.RSRV_KERN if self.alloc_rsrv_kern else MemblockFlags.NONE
            self._add_range(self._reserved, found, size, flags)
        return found

    def alloc_try_nid(
        self,
        size: int,
        align: int,
        min_addr: int = 0,
        max_addr: int = MEMBLOCK_ALLOC_ACCESSIBLE,
    ) -> int:
        """memblock_alloc_try_nid / memblock_alloc / memblock_alloc_from.

        memblock_alloc_internal: ``max_addr`` is lowered to current_limit, and
        if nothing fits above ``min_addr`` the allocation is retried from 0.
        Returns the physical address (the kernel returns its virtual alias) or 0.
        """
        max_addr = min(max_addr, self.current_limit)
        found = self.alloc_range(size, align, min_addr, max_addr)
        if not found and min_addr:
            found = self.alloc_range(size, align, 0, max_addr)
        return found

    # -- internals ---------------------------------------------------------------

    def _cap_size(self, base: int, size: int) -> int:
        # memblock_cap_size: keep base + size from overflowing phys_addr_t
        return min(size, self.phys_addr_max - base)

    def _round_down(self, value: int, align: int) -> int:
        # include/linux/math.h round_down, in phys_addr_t arithmetic
        mask = (align - 1) & self.phys_addr_max
        return value & ~mask & self.phys_addr_max

    def _round_up(self, value: int, align: int) -> int:
        # include/linux/math.h round_up: ((x - 1) | mask) + 1, may wrap to 0
        mask = (align - 1) & self.phys_addr_max
        return ((((value - 1) & self.phys_addr_max) | mask) + 1) & self.phys_addr_max

    def _gaps(self, lo: int, hi: int, reverse: bool) -> Iterator[tuple[int, int]]:
        # __next_mem_range[_rev]: [lo, hi) intersected with each gap between
        # reserved regions that it touches, lazily, from either end. Like the
        # kernel this includes the empty gap between two adjacent, unmerged
        # reserved regions. Gap k runs from the end of reserved[k-1] (or 0) to
        # the base of reserved[k] (or PHYS_ADDR_MAX).
        reserved = self._reserved
        count = len(reserved)
        if reverse:
            # last gap starting below hi, walking down while it ends above lo
            k = _bisect_end(reserved, hi)
            while True:
                gap_end = reserved[k].base if k < count else self.phys_addr_max
                if gap_end <= lo:
                    return
                gap_start = 0
                if k:
                    prev = reserved[k - 1]
                    gap_start = prev.base + prev.size
                yield max(lo, gap_start), min(hi, gap_end)
                if not k:
                    return
                k -= 1
        else:
            # first gap ending above lo, walking up while it starts below hi
            k = bisect.bisect_right(reserved, lo, key=_base)
            while True:
                gap_start = 0
                if k:
                    prev = reserved[k - 1]
                    gap_start = prev.base + prev.size
                if gap_start >= hi:
                    return
                gap_end = reserved[k].base if k < count else self.phys_addr_max
                yield max(lo, gap_start), min(hi, gap_end)
                if k == count:
                    return
                k += 1

    def _regions_in(self, start: int, end: int, reverse: bool) -> Iterator[tuple[int, int]]:
        # memory regions the free-range walk does not skip, clipped to
        # [start, end), in walk order
        memory = self._memory
        first = _first_overlap(memory, start)
        last = bisect.bisect_left(memory, end, key=_base)
        indices = range(last - 1, first - 1, -1) if reverse else range(first, last)
        # should_skip_region: NOMAP, DRIVER_MANAGED and, with movable_node, HOTPLUG
        skip = _SKIP | _HOTPLUG if self.movable_node else _SKIP
        for i in indices:
            region = memory[i]
            if _int_and(region.flags, skip):
                continue
            lo = region.base
            hi = lo + region.size
            if lo < start:
                lo = start
            if hi > end:
                hi = end
            if lo < hi:
                yield lo, hi

    def _walk(self, start: int, end: int, reverse: bool) -> Iterator[tuple[int, int]]:
        # for_each_free_mem_range[_reverse], limited to [start, end)
        for lo, hi in self._regions_in(start, end, reverse):
            yield from self._gaps(lo, hi, reverse)

    # The two searches below visit only the free ranges inside [start, end).
    # The kernel visits all of them, but clamped to the window the others are
    # empty and cannot hold a non-zero request; a zero-size request, which an
    # empty clamped range can satisfy, takes the literal path
    # (_find_zero_size). tests/test_memblock.py checks both against a literal
    # transcription of the kernel walk.

    def _find_top_down(self, start: int, end: int, size: int, align: int) -> int:
        # __memblock_find_range_top_down: highest round_down(end - size)
        if not size:
            return self._find_zero_size(start, end, align, top_down=True)
        mask = ~(align - 1) & self.phys_addr_max
        reserved = self._reserved
        count = len(reserved)
        for lo, hi in self._regions_in(start, end, True):
            k = _bisect_end(reserved, hi)
            while True:
                gap_end = hi
                if k < count:
                    gap_end = reserved[k].base
                    if gap_end <= lo:
                        break
                    gap_end = min(gap_end, hi)
                gap_start = lo
                if k:
                    prev = reserved[k - 1]
                    gap_start = max(prev.base + prev.size, lo)
                if gap_end >= size:
                    cand = (gap_end - size) & mask
                    if cand >= gap_start:
                        return cand
                if not k:
                    break
                k -= 1
        return 0

    def _find_bottom_up(self, start: int, end: int, size: int, align: int) -> int:
        # __memblock_find_range_bottom_up: lowest round_up(start) that fits
        if not size:
            return self._find_zero_size(start, end, align, top_down=False)
        top = self.phys_addr_max
        mask = (align - 1) & top
        reserved = self._reserved
        count = len(reserved)
        for lo, hi in self._regions_in(start, end, False):
            k = bisect.bisect_right(reserved, lo, key=_base)
            while True:
                gap_start = lo
                if k:
                    prev = reserved[k - 1]
                    gap_start = prev.base + prev.size
                    if gap_start >= hi:
                        break
                    gap_start = max(gap_start, lo)
                gap_end = min(reserved[k].base, hi) if k < count else hi
                cand = ((((gap_start - 1) & top) | mask) + 1) & top
                if cand < gap_end and gap_end - cand >= size:
                    return cand
                if k == count:
                    break
                k += 1
        return 0

    def _find_zero_size(self, start: int, end: int, align: int, top_down: bool) -> int:
        # the kernel loops taken literally: every free range, clamped
        for this_start, this_end in self._walk(0, self.phys_addr_max, top_down):
            this_start = min(max(this_start, start), end)
            this_end = min(max(this_end, start), end)
            if top_down:
                cand = self._round_down(this_end, align)
                if cand >= this_start:
                    return cand
            else:
                cand = self._round_up(this_start, align)
                if cand < this_end:
                    return cand
        return 0

    def _add_range(
        self, regions: list[MemblockRegion], base: int, size: int, flags: MemblockFlags
    ) -> None:
        # memblock_add_range: insert the parts of [base, end) not yet covered,
        # then merge around them. Covered parts keep their existing flags.
        size = self._cap_size(base, size)
        if not size:
            return
        end = base + size
        first = _first_overlap(regions, base)
        count = len(regions)
        if first == count or regions[first].base >= end:
            # overlaps nothing (most reservations): the insert and the merge below, in one
            # step: join the neighbours that touch it with the same flags
            self._insert_merged(regions, first, base, end, flags)
            return
        last = first
        replacement: list[MemblockRegion] = []
        start_rgn = end_rgn = -1
        cursor = base
        while last < count and regions[last].base < end:
            existing = regions[last]
            if existing.base > cursor:
                if start_rgn < 0:
                    start_rgn = first + len(replacement)
                end_rgn = first + len(replacement) + 1
                replacement.append(MemblockRegion(cursor, existing.base - cursor, flags))
            replacement.append(existing)
            cursor = min(existing.base + existing.size, end)
            last += 1
        if cursor < end:
            if start_rgn < 0:
                start_rgn = first + len(replacement)
            end_rgn = first + len(replacement) + 1
            replacement.append(MemblockRegion(cursor, end - cursor, flags))
        if start_rgn < 0:
            return
        self._memory_t = self._reserved_t = None
        if last == first and len(replacement) == 1:
            regions.insert(first, replacement[0])
        else:
            regions[first:last] = replacement
        _merge_regions(regions, start_rgn, end_rgn)

    def _insert_merged(
        self,
        regions: list[MemblockRegion],
        idx: int,
        base: int,
        end: int,
        flags: MemblockFlags,
    ) -> None:
        # insert [base, end) at idx, where it overlaps no region, then merge it as
        # _merge_regions(regions, idx, idx + 1) would: with the region before it, then with
        # the one after it, when they touch it and have equal flags (the first one's flags win)
        self._memory_t = self._reserved_t = None
        lo_idx = hi_idx = idx
        if idx:
            prev = regions[idx - 1]
            if prev.base + prev.size == base and prev.flags == flags:
                base = prev.base
                flags = prev.flags
                lo_idx -= 1
        if idx < len(regions):
            nxt = regions[idx]
            if nxt.base == end and nxt.flags == flags:
                end = nxt.base + nxt.size
                hi_idx += 1
        if lo_idx == hi_idx:
            regions.insert(idx, MemblockRegion(base, end - base, flags))
        else:
            regions[lo_idx:hi_idx] = [MemblockRegion(base, end - base, flags)]

    def _isolate_range(
        self, regions: list[MemblockRegion], base: int, size: int
    ) -> tuple[int, int]:
        # memblock_isolate_range: split regions crossing base or base+size;
        # return the index range [start_rgn, end_rgn) of regions inside.
        size = self._cap_size(base, size)
        if not size:
            return 0, 0
        end = base + size
        start_rgn = end_rgn = 0
        idx = _first_overlap(regions, base)
        while idx < len(regions):
            rgn = regions[idx]
            rgn_base = rgn.base
            if rgn_base >= end:
                break
            rgn_end = rgn_base + rgn.size
            if rgn_end <= base:
                idx += 1
                continue
            self._memory_t = self._reserved_t = None
            if rgn_base < base:
                if rgn_end > end:
                    # crosses both bounds: the two splits below in one step, then the
                    # middle part is recorded and the walk ends at the upper part
                    regions[idx : idx + 1] = [
                        MemblockRegion(rgn_base, base - rgn_base, rgn.flags),
                        MemblockRegion(base, end - base, rgn.flags),
                        MemblockRegion(end, rgn_end - end, rgn.flags),
                    ]
                    return idx + 1, idx + 2
                # crosses base: split, then look at the upper half next
                regions[idx : idx + 1] = [
                    MemblockRegion(rgn_base, base - rgn_base, rgn.flags),
                    MemblockRegion(base, rgn_end - base, rgn.flags),
                ]
                idx += 1
            elif rgn_end > end:
                # crosses end: split, then record the lower half
                regions[idx : idx + 1] = [
                    MemblockRegion(rgn_base, end - rgn_base, rgn.flags),
                    MemblockRegion(end, rgn_end - end, rgn.flags),
                ]
            else:
                if not end_rgn:
                    start_rgn = idx
                end_rgn = idx + 1
                idx += 1
        return start_rgn, end_rgn

    def _remove_range(self, regions: list[MemblockRegion], base: int, size: int) -> None:
        # memblock_remove_range
        start_rgn, end_rgn = self._isolate_range(regions, base, size)
        if end_rgn > start_rgn:
            self._memory_t = self._reserved_t = None
            del regions[start_rgn:end_rgn]

    def _setclr_flag(
        self,
        regions: list[MemblockRegion],
        base: int,
        size: int,
        flag: MemblockFlags,
        set_flag: bool,
    ) -> None:
        # memblock_setclr_flag
        bit = int(flag)
        capped = self._cap_size(base, size)
        idx = bisect.bisect_right(regions, base, key=_base) - 1
        if capped > 0 and idx >= 0:
            r = regions[idx]
            r_end = r.base + r.size
            end = base + capped
            if r.base < base and end < r_end:
                # strictly inside one region (a no-map carve-out): the two splits, the flag
                # change and the merge below in one step.  Unchanged flags merge the three
                # parts back into the region as it was.
                old = int(r.flags)
                value = old | bit if set_flag else old & ~bit
                if value != old:
                    self._memory_t = self._reserved_t = None
                    regions[idx : idx + 1] = [
                        MemblockRegion(r.base, base - r.base, r.flags),
                        MemblockRegion(base, capped, _flags(value)),
                        MemblockRegion(end, r_end - end, r.flags),
                    ]
                return
        start_rgn, end_rgn = self._isolate_range(regions, base, size)
        self._memory_t = self._reserved_t = None
        for i in range(start_rgn, end_rgn):
            r = regions[i]
            old = int(r.flags)
            new = _flags(old | bit if set_flag else old & ~bit)
            if new is not r.flags:
                regions[i] = MemblockRegion(r.base, r.size, new)
        _merge_regions(regions, start_rgn, end_rgn)

    def _overlaps(self, regions: list[MemblockRegion], base: int, size: int) -> bool:
        # memblock_overlaps_region: base1 < end2 && base2 < base1 + size1
        size = self._cap_size(base, size)
        i = _first_overlap(regions, base)
        return i < len(regions) and regions[i].base < base + size

    def _find_max_addr(self, limit: int) -> int:
        # __find_max_addr: address at which the memory regions (NOMAP counted)
        # add up to limit bytes; PHYS_ADDR_MAX when they never do
        for region in self._memory:
            if limit <= region.size:
                return region.base + limit
            limit -= region.size
        return self.phys_addr_max


def _search(regions: list[MemblockRegion], addr: int) -> MemblockRegion | None:
    # memblock_search: the region containing addr
    i = _first_overlap(regions, addr)
    return regions[i] if i < len(regions) and regions[i].base <= addr else None


def _merge_regions(regions: list[MemblockRegion], start_rgn: int, end_rgn: int) -> None:
    # memblock_merge_regions (6.4+ windowed form): merge equal-flag neighbours
    # in [start_rgn - 1, end_rgn]
    i = start_rgn - 1 if start_rgn else 0
    end_rgn = min(end_rgn, len(regions) - 1)
    while i < end_rgn:
        this, nxt = regions[i], regions[i + 1]
        if this.base + this.size != nxt.base or this.flags != nxt.flags:
            i += 1
            continue
        regions[i] = MemblockRegion(this.base, this.size + nxt.size, this.flags)
        del regions[i + 1]
        end_rgn -= 1
