"""The dry run: replay what the kernel does at early boot with memory, /reserved-memory and CMA.

``dry_run(dt, kernel=..., cmdline=..., symbols=..., boot=...)`` follows the kernel's own order
(kernel-model.md §7) for arm64, arm and riscv64, per era E2-E6 (§1.0), on a
:class:`cmacheck.memblock.Memblock`:

1. memory: the DT ``memory`` nodes (or ``--ram``), page-aligned inward
   (``early_init_dt_add_memory_arch``), ``linux,usable-memory-range``, then ``mem=`` per arch
   (§6.2) and arm64's physical-address-range cut;
2. boot-chain reservations: DTB, kernel image, initrd, ``--reserve`` ranges (only what the
   caller knows: nothing is invented, and every unknown is listed in ``assumptions``);
3. ``/memreserve/`` (before the scan in E2-E4, after the dynamic allocations in E5/E6);
4. ``/reserved-memory``: static regions (reserve / no-map with the era's EBUSY rule, multi-entry
   ``reg`` per era), dynamic regions in the era's order (E2/E3: the exact unstable heapsort of
   lib/sort.c, §1.5), alignment, CMA alignment bump, alloc-ranges and the 6.5+ direction
   heuristic, the overlap check, driver initialisation (CMA, coherent pool, restricted pool,
   §2.1/§4) and the memory given back when every driver refuses (§1.7);
5. the early allocations arm64 makes before the default CMA area (page tables, the unflattened
   tree, NUMA node data, the sparse memmap): an ESTIMATE, see :func:`arm64_early_allocations`;
6. the default CMA area (§2.3-§2.6, §3.1) and the activation checks (§3.4).

The result is data (:class:`DryRun`); nothing is printed, no global state is kept, and the same
inputs always give the same result.  Addresses are ints, every ``end`` is exclusive.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

from cmacheck import board
from cmacheck.cma import CmaSizePlan, DefaultCandidate, dt_default, plan_cma_size
from cmacheck.kernel import KernelModel
from cmacheck.kernel.arch import (
    arm64_dma32_limit,
    arm64_memstart_align,
    arm_lowmem_end,
    arm_page_offset,
)
from cmacheck.load.cmdline import Cmdline
from cmacheck.memblock import Memblock, MemblockFlags
from cmacheck.model import DeviceTree, Node
from cmacheck.records import field, record

__all__ = [
    "BootChain",
    "DryRun",
    "DryRunFacts",
    "EarlyAlloc",
    "RegionFacts",
    "RegionOutcome",
    "arm64_early_allocations",
    "dry_run",
]

SZ_1K = 1 << 10
SZ_64K = 1 << 16
SZ_1M = 1 << 20
SZ_2M = 1 << 21
SZ_4G = 1 << 32

# errno values the init paths return (only their identity matters)
_EINVAL = -22
_ENOENT = -2
_ENODEV = -19
_EBUSY = -16
_ENOMEM = -12
_ENOSPC = -28


# ------------------------------------------------------------------------------------ inputs


@record()
class BootChain:
    """What the boot chain placed in RAM before the kernel ran (``--dtb-addr``, ``--kernel-addr``
    ``--kernel-size``, ``--initrd``, ``--reserve``).

    ``None`` means unknown: the dry run then reserves nothing for it and says so.
    ``kernel_size`` is the arm64 Image header ``image_size`` (the whole image, bss included);
    on 32-bit arm ``kernel_addr``/``kernel_size`` describe the *decompressed* kernel's
    reserved range (``_stext``..``_end``), not the zImage.
    """

    dtb_addr: int | None = None
    dtb_size: int | None = None  # None: the DT's own totalsize
    kernel_addr: int | None = None
    kernel_size: int | None = None
    initrd: tuple[int, int] | None = None  # (base, size)
    reserves: tuple[tuple[int, int], ...] = ()  # (base, size), in order


# ----------------------------------------------------------------------------------- results


@record()
class RegionOutcome:
    """One REGION of the JSON output contract (docs/output-contract.md), nothing more."""

    name: str
    path: str | None
    origin: str  # static | dynamic | memreserve | default-cma | numa-cma | hugetlb-cma
    driver: str  # cma | dma-coherent | restricted-dma | none
    base: int | None
    size: int
    no_map: bool
    reusable: bool
    default: str | None  # "cma" | "dma" | None
    status: str  # created | reserved | rejected | bypassed | failed | ignored | inactive
    log: tuple[str, ...]


@record()
class RegionFacts:
    """What the rules need to explain a region's outcome (keyed by path / name in DryRun)."""

    requested_size: int | None = None
    alignment: int | None = None  # effective alignment of a dynamic allocation
    alignment_reason: str | None = None
    alloc_ranges: tuple[tuple[int, int], ...] = ()  # (start, end) windows tried
    largest_free: tuple[int, int] | None = None  # (start, end) when an allocation failed
    reason: str | None = None  # one line: why the status is what it is
    leaked: bool = False  # given back by the driver path but still reserved (dynamic no-map)
    outside_ram: bool = False  # some of the range is not RAM
    zones: tuple[str, ...] = ()  # zones the range touches (CMA areas)
    node: int | None = None  # NUMA node of a command-line CMA area (hugetlb / pernuma / numa)


@record()
class EarlyAlloc:
    """One allocation the arch makes between the reserved-memory scan and the default area."""

    what: str
    base: int  # 0 when it failed
    size: int


@record()
class DryRunFacts:
    phys_mem_size: int  # memblock_phys_mem_size() when the default CMA size is computed
    dram_start: int
    dram_end: int
    memory_banks: tuple[tuple[int, int], ...]  # (base, size) after memory setup
    memory_source: str  # "dt" | "ram-option" | "none"
    dma_limit: int | None  # exclusive limit passed to dma_contiguous_reserve
    zones: tuple[tuple[str, int, int], ...]  # (name, start, end) clipped to RAM
    highmem_start: int | None  # arm: lowmem end (mm/cma.c highmem_start)
    cma_alignment: int  # CMA_MIN_ALIGNMENT_BYTES
    early_allocs: tuple[EarlyAlloc, ...]
    region_facts: Mapping[str, RegionFacts]
    cma_areas_used: int
    cma_slots: int
    crash: str | None = None  # the boot is predicted to fault before it finishes (why)
    # command-line CMA requests the kernel drops or adds: (kind, explanation); kind is
    # "invalid-node" (hugetlb_cma= / numa_cma= names a node that is not online),
    # "hugetlb-size" (not a whole number of gigantic pages), "unknown" (option not built in)
    # or "size-pernuma" (7.2 CONFIG_CMA_SIZE_PERNUMA adds a default-size area per node)
    cmdline_cma_notes: tuple[tuple[str, str], ...] = ()
    numa_nodes: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = ()  # online nodes (arm64)
    ignored_ram: tuple[int, int] | None = None  # arm without HIGHMEM: RAM removed (start, end)


@record(eq=False)
class DryRun:
    """The prediction.  ``log`` is the ``--predict-log`` text, one kernel line per item."""

    regions: tuple[RegionOutcome, ...]
    default_cma: RegionOutcome | None
    cma_size_plan: CmaSizePlan | None
    log: tuple[str, ...]
    memblock: Memblock
    assumptions: tuple[str, ...]
    facts: DryRunFacts
    extra_areas: tuple[RegionOutcome, ...] = ()  # other CMA areas declared outside the DT

    @property
    def all_regions(self) -> tuple[RegionOutcome, ...]:
        """DT regions and /memreserve/ entries, then the default area and other CMA areas."""
        tail = (self.default_cma,) if self.default_cma is not None else ()
        return self.regions + tail + self.extra_areas

    def region(self, name_or_path: str) -> RegionOutcome | None:
        for r in self.all_regions:
            if name_or_path in (r.name, r.path):
                return r
        return None


# ------------------------------------------------------------------------- lib/sort.c replicas


def _kernel_heapsort_keyed(items: list[_Rec], keys: list[tuple[int, ...]]) -> list[_Rec]:
    """lib/sort.c ``sort_r`` (5.1+): bottom-up heapsort, NOT stable (kernel-model.md §1.5),
    with ``cmp`` = comparing precomputed ``keys``.  Element indices instead of byte offsets;
    the swaps and comparisons are the kernel's, so the order of equal elements is the
    kernel's too (checked against the literal transcription in tests/test_heapsort.py).

    Distinct keys have a single sorted order, which ``sorted`` gives directly; only equal keys
    need the heapsort (its order of equal elements is the kernel's).
    """
    n = len(items)
    if len(set(keys)) == n:
        return [items[i] for i in sorted(range(n), key=keys.__getitem__)]
    x = list(items)
    kx = list(keys)
    a = n // 2
    if not a:
        return x
    while True:
        if a:
            a -= 1
        else:
            n -= 1
            if not n:
                break
            x[0], x[n] = x[n], x[0]
            kx[0], kx[n] = kx[n], kx[0]
        b = a
        while True:
            c = 2 * b + 1
            d = c + 1
            if d >= n:
                break
            b = c if kx[c] >= kx[d] else d
        if d == n:
            b = c
        while b != a and kx[a] >= kx[b]:
            b = (b - 1) // 2
        c = b
        while b != a:
            b = (b - 1) // 2
            x[b], x[c] = x[c], x[b]
            kx[b], kx[c] = kx[c], kx[b]
    return x


# ----------------------------------------------------------------------------- internal state


@record(frozen=False, eq=False)
class _Region:
    rn: board.ReservedNode | None
    name: str
    path: str | None
    origin: str
    no_map: bool = False
    reusable: bool = False
    default: str | None = None
    base: int | None = None
    size: int = 0
    status: str = "ignored"
    driver: str = "none"
    log: list[str] = field(default_factory=list)
    reserve_failed: bool = False
    requested_size: int | None = None
    alignment: int | None = None
    alignment_reason: str | None = None
    alloc_ranges: tuple[tuple[int, int], ...] = ()
    largest_free: tuple[int, int] | None = None
    reason: str | None = None
    leaked: bool = False
    outside_ram: bool = False
    zones: tuple[str, ...] = ()
    err: int = 0  # errno of a failed cma_declare_contiguous_nid (command-line areas print it)
    node: int | None = None  # NUMA node of a command-line CMA area

    @property
    def offset(self) -> int:
        return self.rn.node.offset if self.rn is not None else 0

    def outcome(self) -> RegionOutcome:
        return RegionOutcome(
            name=self.name,
            path=self.path,
            origin=self.origin,
            driver=self.driver,
            base=self.base,
            size=self.size,
            no_map=self.no_map,
            reusable=self.reusable,
            default=self.default,
            status=self.status,
            log=tuple(self.log),
        )

    def facts(self) -> RegionFacts:
        return RegionFacts(
            requested_size=self.requested_size,
            alignment=self.alignment,
            alignment_reason=self.alignment_reason,
            alloc_ranges=self.alloc_ranges,
            largest_free=self.largest_free,
            reason=self.reason,
            leaked=self.leaked,
            outside_ram=self.outside_ram,
            zones=self.zones,
            node=self.node,
        )


@record(frozen=False, eq=False)
class _Rec:
    """One entry of the kernel's ``reserved_mem[]`` array."""

    region: _Region
    base: int
    size: int
    offset: int


def _is_sdp(rn: board.ReservedNode) -> bool:
    return rn.is_compatible("shared-dma-pool")


def _sym_enabled(symbols: Mapping[str, str] | None, name: str, default: bool) -> bool:
    """A bool symbol; ``default`` when the symbol set does not mention it at all.

    cmacheck's Kconfig fragment evaluates only the CMA-related symbols, so "absent" means
    "unknown" here (not "not set"); ``default`` is the Debian value the model was calibrated on.
    """
    value = None if symbols is None else symbols.get(name)
    if value is None:
        return default
    return value in ("y", "m")


# ------------------------------------------------------------------- arm64 early allocations


#: arm64 ``paging_init`` page-table pages beyond one table per mapped 2 MiB / 1 GiB / 512 GiB
#: chunk, CALIBRATED on the Debian kernels booted under QEMU (memblock=debug traces of
#: ``early_pgtable_alloc``): 6.1.192 allocates 515/1028/2054 pages for 1/2/4 GiB at
#: 0x40000000 (= PTE + PMD + PUD tables + 1), 6.12.117 15 fewer in each case, 7.2.13 exactly
#: PTE + PMD + PUD (1027 for 2 GiB; 1019 with a 16 MiB no-map range, which is not mapped).
#: Versions in between take the nearest older calibration.  4K pages only: the 16K-page
#: 6.12.117 kernel allocates exactly PTE + PMD + PUD tables (66 / 194 / 34 pages for 2 GiB,
#: 6 GiB and mem=1G: tests/boots/arm64-6.12-16k base, t18, c-mem1g); 64K is not measured.
_ARM64_PGTABLE_EXTRA = (((7, 0, 0), 0), ((6, 12, 0), -14), ((0, 0, 0), 1))

#: Bytes of arm64 NODE_DATA (``pg_data_t``) in the traces: 6.1.192 0x2c80, 6.12.117 0x3740,
#: 7.2.13 0x3800.
_ARM64_NODE_DATA = (((7, 0, 0), 0x3800), ((6, 12, 0), 0x3740), ((0, 0, 0), 0x2C80))

#: NODE_DATA grows with the page size (one more buddy order per zone): 16K 6.12.117 0x3880,
#: 0x140 more than 4K; assumed the same delta for the other versions.
_ARM64_NODE_DATA_16K_EXTRA = 0x140

#: The sparse_init mem_section root array (NR_SECTION_ROOTS pointers) in the traces: 128 KiB with
#: 4K pages (6.1.192, 6.12.117), 512 KiB with 16K pages (6.12.117).
_ARM64_SECTION_ROOTS = {4096: 131072, 16384: 524288}

#: sizeof(struct reserved_mem) on 64-bit (the E5/E6 late array): 48 in 6.12.117 (3 regions ->
#: 144 bytes in the t31 trace), 40 in 7.2.13 (1 region -> 40 bytes).
_RESERVED_MEM_STRUCT = (((7, 0, 0), 40), ((0, 0, 0), 48))

#: struct page is 64 bytes on arm64 (Debian configs; memmap = 1/64 of the memory it describes).
_STRUCT_PAGE = 64


def _by_version(
    table: tuple[tuple[tuple[int, int, int], int], ...], v: tuple[int, int, int]
) -> int:
    for since, value in table:
        if v >= since:
            return value
    return table[-1][1]


def unflatten_size_estimate(dt: DeviceTree, version: tuple[int, int, int] = (6, 1, 0)) -> int:
    """``unflatten_device_tree``'s single allocation on arm64 (drivers/of/fdt.c).

    Replays ``unflatten_dt_nodes``' size pass: per node (pre-order) a ``struct device_node``
    plus its name, per property a ``struct property``, plus a synthetic ``name`` property
    (with the base name copied) when the node has none, each start 8-byte aligned; then
    ``ALIGN(size, 4) + 4`` for the end marker.  The struct sizes are CALIBRATED on every
    memblock=debug trace recorded under tests/boots (exact for all of them): 208 / 96 bytes on
    6.1.192, 208 / 104 on 6.12.117, 208 / 112 on 7.2.13.
    """
    node_bytes, prop_bytes = next(sizes for since, sizes in _UNFLATTEN_STRUCTS if version >= since)
    assert not node_bytes % 8 and not prop_bytes % 8  # the closed form below needs it
    # The same sum without the per-piece loop (this runs for every node of every board): with
    # both struct sizes multiples of 8, each node adds its struct, its name padded to 8, a
    # struct per property and, without a "name" property, one more struct plus the base name
    # padded to 8, whatever the order.  Only the last piece of the pre-order walk is not
    # padded (nothing follows it): a base name when the last node has no "name" property.
    nodes = [dt.root]
    names = structs = 0
    for node in nodes:  # breadth-first: the list grows while it is walked
        if node.children:
            nodes.extend(node.children)
        props = node.props
        names += (len(node.name) + 8) & -8  # ALIGN(strlen + 1, 8)
        structs += len(props)
        if "name" not in props:
            names += (len(node.name.partition("@")[0]) + 8) & -8
            structs += 1
    last = dt.root
    while last.children:
        last = last.children[-1]
    if "name" not in last.props:
        tail = len(last.basename) + 1
        names -= ((tail + 7) & -8) - tail
    mem = len(nodes) * node_bytes + structs * prop_bytes + names
    return ((mem + 3) & -4) + 4


#: (since, (sizeof(struct device_node), sizeof(struct property))) on arm64 Debian builds.
_UNFLATTEN_STRUCTS: tuple[tuple[tuple[int, int, int], tuple[int, int]], ...] = (
    ((7, 0, 0), (208, 112)),
    ((6, 12, 0), (208, 104)),
    ((0, 0, 0), (208, 96)),
)


def _align(v: int, a: int) -> int:
    return -(-v // a) * a


def arm64_page_table_pages(
    mb: Memblock, version: tuple[int, int, int], page_size: int, page_granular: bool
) -> int:
    """ESTIMATE of the page-table pages ``paging_init`` allocates for the linear map.

    With ``rodata=full`` (Debian's default, ``CONFIG_RODATA_FULL_DEFAULT_ENABLED``) or KFENCE the
    linear map uses pages: one last-level table per 2 MiB (4K pages) touched by non-NOMAP memory,
    one next-level table per 1 GiB, one per 512 GiB, plus a per-version constant calibrated on
    real boots (:data:`_ARM64_PGTABLE_EXTRA`).  Without it, block mappings need only the upper
    levels.
    """
    entries = page_size // 8
    l3 = page_size * entries  # memory one last-level table maps
    l2 = l3 * entries
    l1 = l2 * entries
    nomap = int(MemblockFlags.NOMAP)  # an int: IntFlag's & runs Python code, once per region
    mapped = [(r.base, r.base + r.size) for r in mb.memory if not int(r.flags) & nomap]
    pages = _chunk_count(mapped, l2) + _chunk_count(mapped, l1)
    if page_granular:
        pages += _chunk_count(mapped, l3)
    extra = _by_version(_ARM64_PGTABLE_EXTRA, version) if page_size == 4096 else 0
    return max(1, pages + extra)


def _chunk_runs(ranges: Sequence[tuple[int, int]], span: int) -> list[tuple[int, int]]:
    """The ``span``-sized chunks that sorted, disjoint ``[start, end)`` ranges touch, as
    merged inclusive index runs (arithmetic: a bank of 2**60 bytes costs nothing)."""
    runs: list[tuple[int, int]] = []
    run_lo = run_hi = -2  # the open run (none yet: -2 is adjacent to no chunk index)
    for start, end in ranges:
        if end <= start:
            continue
        lo = start // span
        hi = (end - 1) // span
        if run_hi >= -1 and lo <= run_hi + 1:
            if hi > run_hi:
                run_hi = hi
        else:
            if run_hi >= -1:
                runs.append((run_lo, run_hi))
            run_lo, run_hi = lo, hi
    if run_hi >= -1:
        runs.append((run_lo, run_hi))
    return runs


def _chunk_count(ranges: Sequence[tuple[int, int]], span: int) -> int:
    return sum(hi - lo + 1 for lo, hi in _chunk_runs(ranges, span))


def _alloc_pages_top_down(mb: Memblock, count: int, page: int) -> int:
    """``count`` single-page ``memblock_phys_alloc_range(PAGE_SIZE, PAGE_SIZE, 0, limit)``
    calls, done in bulk: each one takes the highest whole free page below the current limit, so
    together they fill the free ranges from the top.  Returns the lowest page (0: none)."""
    lowest = 0
    chunks: list[tuple[int, int]] = []
    for start, end in mb.free_ranges(reverse=True):
        start = max(start, page)
        end = min(end, mb.current_limit)
        top = end & ~(page - 1)
        bottom = _align(start, page)
        if top - bottom < page:
            continue
        take = min(count, (top - bottom) // page)
        chunks.append((top - take * page, take * page))
        count -= take
        lowest = top - take * page
        if not count:
            break
    for base, size in chunks:
        mb.reserve(base, size)
    return lowest


def arm64_early_allocations(
    mb: Memblock,
    dt: DeviceTree,
    kernel: KernelModel,
    symbols: Mapping[str, str] | None,
    between: Callable[[], bool] | None = None,
    written: Callable[[int, int, str], bool] | None = None,
    nodes: Sequence[tuple[int, NodeSpans]] | None = None,
    before_sparse: Callable[[], None] | None = None,
) -> list[EarlyAlloc]:
    """Replay (an ESTIMATE of) what arm64 allocates between the reserved-memory scan and
    ``dma_contiguous_reserve`` and apply it to ``mb``, in the kernel's order:

    1. ``paging_init``: page-table pages, one at a time, top-down (PAGE_SIZE aligned);
       then ``between()`` runs (E5/E6: the late reserved-memory scan at the top of
       ``unflatten_device_tree``); it returns False when the boot stops there;
    2. ``unflatten_device_tree``: one block for the expanded tree (8-byte aligned, exact size:
       :func:`unflatten_size_estimate`);
    3. ``bootmem_init`` -> ``arch_numa_init``: the distance table (256 bytes, page aligned;
       before 6.12), NODE_DATA of each node (and a 64-byte cpumask from 6.12); then
       ``before_sparse()`` runs, where ``bootmem_init`` declares the command-line CMA areas;
    4. ``sparse_init`` (before 7.2): the mem_section root array (128 KiB), one section root
       (4 KiB), then per node the usemap (56 bytes per present section) and the memmap buffer
       (64 bytes per page of every present section rounded to a PMD, PMD aligned; with
       16K/64K pages only the memmap itself stays, the rest is freed again), and two vmemmap
       table pages.

    ``nodes`` are the online NUMA nodes (:func:`dt_numa_nodes`); None is one node holding all
    memory.  With several nodes the node data, the usemap and the memmap buffer of each node
    are allocated inside that node (``memblock_alloc_try_nid`` /
    ``memblock_alloc_exact_nid_raw``), node by node, and ``sparse_index_alloc`` in the node of
    the first section: recorded arm64-6.1 numa2-base (2 x 1 GiB: NODE_DATA at the top of each
    node, 16 MiB of memmap below each, the default area at 0xbaa00000 instead of 0xb9a00000).

    Every block after the page tables is written through the linear map: ``written(base, size,
    what)`` is asked after each one and stops the replay when it returns False (a fault).

    Calibration (Debian 6.1.192 / 6.12.117 under QEMU virt, memblock=debug traces of every
    recorded boot): with 2 GiB at 0x40000000 the page tables take the top 4 MiB + 4 pages (6.1),
    the memmap buffer the next 32 MiB below the 2 MiB boundary, and the default 64 MiB area lands
    at 0xb9a00000 as in the real boots.
    """
    page = kernel.page_size
    out: list[EarlyAlloc] = []
    granular = _sym_enabled(symbols, "RODATA_FULL_DEFAULT_ENABLED", True) or _sym_enabled(
        symbols, "KFENCE", True
    )
    n = arm64_page_table_pages(mb, kernel.version, page, granular)
    lowest = _alloc_pages_top_down(mb, n, page)
    out.append(EarlyAlloc(f"paging_init: {n} page-table pages (lowest shown)", lowest, n * page))
    if between is not None and not between():
        return out
    # the caller gave the nodes: memmap buffers named by node, memoryless nodes skipped
    per_node = nodes is not None
    if nodes is None:
        nodes = ((0, ()),)  # one node: its memory is all of memblock.memory
    multi = len(nodes) > 1

    def alloc(what: str, size: int, align: int, spans: NodeSpans | None = None) -> bool:
        # memblock_alloc_try_nid: in the node, else anywhere
        base = alloc_in_spans(mb, size, align, 0, mb.current_limit, spans if multi else None)
        if not base and multi and spans is not None:
            base = mb.alloc_range(size, align, 0, mb.current_limit)
        out.append(EarlyAlloc(what, base, size))
        return written is None or not base or written(base, size, what)

    if not alloc("unflatten_device_tree", unflatten_size_estimate(dt, kernel.version), 8):
        return out
    if kernel.version < (6, 12, 0) and not alloc("numa_alloc_distance", 256, page):
        return out
    node_data = _by_version(_ARM64_NODE_DATA, kernel.version)
    node_data += _ARM64_NODE_DATA_16K_EXTRA if page == 16384 else 0
    for nid, spans in nodes:
        if not alloc(f"NODE_DATA node {nid}" if multi else "NODE_DATA", node_data, 64, spans):
            return out
    if kernel.version >= (6, 12, 0) and not alloc("alloc_bootmem_cpumask_var", 64, 64):
        return out
    if before_sparse is not None:
        before_sparse()
    if not kernel.memmap_before_default_cma:
        return out
    # sparse_init
    section = 1 << kernel.section_size_bits
    every = [(r.base, r.end) for r in mb.memory]
    if not alloc("sparse_init: mem_section roots", _ARM64_SECTION_ROOTS.get(page, 131072), 64):
        return out
    # sparse_index_alloc: SECTIONS_PER_ROOT * sizeof(struct mem_section) = PAGE_SIZE, in the
    # node of the first section: mm/sparse.c memblocks_present() walks memblock in address
    # order (for_each_mem_pfn_range) and memory_present() -> sparse_index_init(section, nid)
    # allocates the root for the lowest-address memory's node (not node 0 if that one is
    # memoryless or higher up)
    first = min((sp for _, sp in nodes if sp), key=lambda sp: sp[0][0], default=nodes[0][1])
    if not alloc("sparse_index_alloc", page, 64, first):
        return out
    # sparse_buffer_init: section_map_size() = ALIGN(memmap of a section, PMD_SIZE) per present
    # section, aligned to it.  4K pages: vmemmap_populate_hugepages() uses the whole buffer
    # (2 MiB blocks).  16K/64K: vmemmap_populate_basepages() takes only PAGE_SIZE pieces and
    # sparse_buffer_fini() frees the rest (the top of the buffer) before the default CMA area
    # (kernel-model.md §12: "32 MiB per 128 MiB section ... frees most of it").
    pmd = page * (page // 8)
    per_section = (section // page) * _STRUCT_PAGE
    map_size = _align(per_section, pmd)
    tables = False  # the vmemmap PUD/PMD tables, allocated by the first memmap populated
    for nid, spans in nodes:
        present = _chunk_count(list(spans) if multi else every, section)
        if not present and per_node:
            continue  # a node without memory (CPUs only) has no memmap
        usemap = _usemap_bytes(section, page, kernel.pageblock_order) * present
        if not alloc("sparse usemap", usemap, 64, spans):
            return out
        # memblock_alloc_exact_nid_raw: in the node or not at all
        buf_size = map_size * present
        buffer_label = f"sparse memmap buffer node {nid}" if per_node else "sparse memmap buffer"
        buf = alloc_in_spans(mb, buf_size, map_size, 0, mb.current_limit, spans if multi else None)
        out.append(EarlyAlloc(buffer_label, buf, buf_size))
        if not buf:
            continue
        if page != 4096:
            used = _align(per_section, page) * present
            if used < buf_size:
                mb.phys_free(buf + used, buf_size - used)
                out.append(
                    EarlyAlloc(
                        "sparse_buffer_fini: unused buffer freed", buf + used, buf_size - used
                    )
                )
        if written is not None and not written(buf, buf_size, "sparse memmap buffer"):
            return out
        if not tables:
            # the vmemmap PUD/PMD tables: one of each covers the memmap of every node here;
            # allocated by the first node that has a memmap (a memoryless node 0 has none)
            tables = True
            alloc("vmemmap page table", page, page, spans)
            alloc("vmemmap page table", page, page, spans)
    return out


def _usemap_bytes(section: int, page: int, pageblock_order: int) -> int:
    """mem_section_usage_size() (mm/sparse.c): the subsection bitmap (one bit per 2 MiB) and the
    rcu_head (16 bytes), then 4 pageblock flag bits per pageblock, in longs: 56 bytes per
    128 MiB section with 4K pages, 32 with 16K (traces: 896 / 512 bytes for 16 sections)."""
    longs = -(-((section // page) >> pageblock_order) * 4 // 64)
    subsection_longs = -(-(section >> 21) // 64)
    return 8 * subsection_longs + 16 + 8 * longs


# ----------------------------------------------------------- NUMA nodes and node-local memory

#: MAX_NUMNODES of the Debian arm64 kernels (CONFIG_NODES_SHIFT=4).  Memory the NUMA code has
#: not assigned shows up as node MAX_NUMNODES ("Warning: invalid memblk node 16", recorded
#: arm64-6.1 numa2-mixed).
_MAX_NUMNODES = 16

NodeSpans = tuple[tuple[int, int], ...]  # (start, end) memory ranges of one node


def dt_numa_nodes(
    dt: DeviceTree, cells: board.Cells, memory: Sequence[tuple[int, int]]
) -> tuple[list[tuple[int, NodeSpans]], str | None]:
    """The NUMA nodes arm64 brings online from the DT, with the memory of each.

    drivers/of/of_numa.c + drivers/base/arch_numa.c ``numa_init(of_numa_init)``:
    ``of_numa_parse_cpu_nodes`` marks the node of every CPU with ``numa-node-id`` parsed ("Node
    id %u exceeds maximum value" and skipped when >= MAX_NUMNODES).
    ``of_numa_parse_memory_nodes`` gives EVERY ``reg`` entry of a ``device_type = "memory"``
    node with ``numa-node-id`` to that node (``for (i = 0; !r && !of_address_to_resource(np, i,
    &rsrc); i++) r = numa_add_memblk(nid, ...)``; ``reg``, not linux,usable-memory); a
    memory node id >= MAX_NUMNODES ("Node id %u exceeds maximum value") or without a ``reg``
    entry ("bad property in memory node") fails of_numa_init.  No node parsed -> "No NUMA
    configuration found"; any memory left without a node -> "Warning: invalid memblk node";
    all of these fall back to ``dummy_numa_init``: one fake node 0 holding all memory (recorded
    arm64-6.1 numa1-*, numa2-mixed).  Online nodes are the parsed ones (a CPU-only node is
    online without memory).  ``memory`` is memblock.memory as (start, end) ranges.
    Returns (nodes sorted by id, why a DT with NUMA ids still gave the fake node, else None).
    """
    fake = [(0, tuple(memory))]
    parsed: set[int] = set()
    cpus = dt.root.child("cpus")
    if cpus is not None:
        for c in cpus.children:
            dtype = c.prop("device_type")
            nid = c.cell_value("numa-node-id")
            cpu = dtype is not None and dtype.string == "cpu"
            if cpu and nid is not None and nid < _MAX_NUMNODES:
                parsed.add(nid)
    blocks: list[tuple[int, int, int]] = []  # (nid, start, end)
    for m in board.memory_nodes(dt, cells):
        nid = m.node.cell_value("numa-node-id")
        if nid is None:
            continue
        path = m.node.path
        if nid >= _MAX_NUMNODES:
            return fake, (
                f'{path}: numa-node-id {nid} >= MAX_NUMNODES {_MAX_NUMNODES} ("OF: NUMA: Node '
                f'id {nid} exceeds maximum value", "bad property in memory node"): one fake node'
            )
        reg = m.node.prop("reg")
        entries = board.decode_pairs(reg, cells) if reg is not None else None
        if not entries:
            return fake, (
                f'{path}: numa-node-id without a usable reg ("OF: NUMA: bad property in memory '
                'node"): one fake node'
            )
        for base, size in entries:
            if size:
                blocks.append((nid, base, base + size))
        parsed.add(nid)
    if not parsed:
        return fake, None  # "NUMA: No NUMA configuration found": the ordinary one-node case
    nodes: dict[int, list[tuple[int, int]]] = {nid: [] for nid in parsed}
    for start, end in memory:
        pos = start
        for nid, lo, hi in sorted(blocks, key=lambda b: b[1]):
            a, b = max(pos, lo), min(end, hi)
            if a >= b:
                continue
            if a > pos:
                return fake, (
                    f'memory {pos:#x}-{a - 1:#x} has no NUMA node ("NUMA: Warning: invalid '
                    'memblk node"): one fake node'
                )
            spans = nodes[nid]
            if spans and spans[-1][1] == a:  # memblock_set_node() merges same-node neighbours
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
            pos = b
        if pos < end:
            return fake, (
                f'memory {pos:#x}-{end - 1:#x} has no NUMA node ("NUMA: Warning: invalid memblk '
                'node"): one fake node'
            )
    return sorted((nid, tuple(sorted(spans))) for nid, spans in nodes.items()), None


def alloc_in_spans(
    mb: Memblock, size: int, align: int, start: int, end: int, spans: NodeSpans | None
) -> int:
    """memblock_alloc_range_nid(..., nid, exact_nid=true) expressed with range-constrained
    allocations: the node's memory ranges, highest first top-down (lowest first bottom-up).
    ``spans`` None: any node.  Returns the base or 0."""
    if spans is None:
        return mb.alloc_range(size, align, start, end)
    for lo, hi in sorted(spans, reverse=not mb.bottom_up):
        a, b = max(lo, start), min(hi, end)
        if b - a >= size:
            found = mb.alloc_range(size, align, a, b)
            if found:
                return found
    return 0


# --------------------------------------------------------------------------------- the replay


class _Replay:
    def __init__(
        self,
        dt: DeviceTree,
        k: KernelModel,
        cmdline: Cmdline,
        symbols: Mapping[str, str] | None,
        boot: BootChain,
        ram: Sequence[tuple[int, int]] | None,
    ) -> None:
        self.dt = dt
        self.k = k
        self.cmdline = cmdline
        self.symbols = symbols
        self.boot = boot
        self.ram = ram
        self.cells = board.root_cells(dt)
        self.mb = Memblock(
            page_size=k.page_size,
            smp_cache_bytes=k.smp_cache_bytes,
            phys_addr_max=k.phys_addr_max,
        )
        self.log: list[str] = []
        self.assumptions: list[str] = []
        self.regions: list[_Region] = []  # DT children and /memreserve/, processing order
        self.records: list[_Rec] = []  # the kernel's reserved_mem[] array
        self.cma_count = 0
        self.default_region: _Region | None = None  # DT region that became the default area
        self.default_cma: _Region | None = None
        self.extra: list[_Region] = []
        self.plan: CmaSizePlan | None = None
        self.early: list[EarlyAlloc] = []
        self.memory_source = "none"
        self.phys_mem_size = 0
        self.dma_limit: int | None = None
        self.highmem_start: int | None = None
        self.zones: list[tuple[str, int, int]] = []
        self.memory_banks: tuple[tuple[int, int], ...] = ()
        self.cma_areas: list[_Region] = []
        self.late_unsupported = False
        self.in_late = False
        self.crash: str | None = None
        self.late_capacity = 0
        self.pending_late: list[tuple[_Region, board.ReservedNode]] = []
        self.remaps: list[tuple[str, int, int]] = []  # arm32 dma_mmu_remap[] (name, base, size)
        self.nodes: list[tuple[int, NodeSpans]] | None = None  # online NUMA nodes (arm64)
        self.cmdline_notes: list[tuple[str, str]] = []
        self.ignored_ram: tuple[int, int] | None = None  # arm !HIGHMEM: (start, end) removed

    # ------------------------------------------------------------------ small helpers

    def emit(self, region: _Region | None, key: str, *args: int | str) -> list[str]:
        out = self.k.log_lines(key, *args)
        self.log.extend(out)
        if region is not None:
            region.log.extend(out)
        return out

    @property
    def era(self) -> str:
        return self.k.era

    # ---------------------------------------------------------------------- memory

    def add_memory(self, base: int, size: int) -> None:
        # drivers/of/fdt.c early_init_dt_add_memory_arch: page-align inward, clip to
        # phys_addr_t.
        page = self.k.page_size
        if size < page - (base & (page - 1)):
            self.assumptions.append(
                f"memory block {base:#x}+{size:#x} is smaller than a page: the kernel ignores it"
            )
            return
        if base & (page - 1):
            size -= page - (base & (page - 1))
            base = _align(base, page)
        size &= ~(page - 1)
        limit = self.k.phys_addr_max
        if base > limit:
            self.assumptions.append(f"memory at {base:#x} is above phys_addr_t: ignored")
            return
        if base + size - 1 > limit:
            size = limit - base + 1
        if size:
            self.mb.add(base, size)

    def setup_memory(self) -> None:
        if self.ram:
            self.memory_source = "ram-option"
            for base, size in self.ram:
                self.add_memory(base, size)
        else:
            for m in board.memory_nodes(self.dt, self.cells):
                if not m.available:
                    continue
                for bank in m.banks:
                    self.memory_source = "dt"
                    self.add_memory(bank.base, bank.size)
                if m.node.has("hotpluggable"):
                    for bank in m.banks:
                        self.mb.mark_hotplug(bank.base, bank.size)
        if not self.mb.memory:
            self.assumptions.append(
                "no RAM known (no usable /memory node and no --ram): nothing can be placed"
            )
        chosen = board.chosen(self.dt, self.cells)
        usable = chosen.usable_memory_range
        if usable:
            base, size = usable[0]
            self.mb.cap_memory_range(base, size)
            for base, size in usable[1:]:
                self.mb.add(base, size)

    def apply_mem_limit(self) -> None:
        mem = self.cmdline.mem
        page = self.k.page_size
        arch = self.k.arch
        if arch == "arm64":
            # arch/arm64/mm/init.c early_mem + arm64_memblock_init
            if mem is None:
                return
            limit = mem & ~(page - 1)
            self.log.extend(self.k.log_lines("memory_limited", limit >> 20))
            self.mb.mem_limit_remove_map(limit)
            if self.boot.kernel_addr is not None and self.boot.kernel_size:
                self.mb.add(self.boot.kernel_addr, self.boot.kernel_size)
        elif arch == "riscv64":
            if not self.cmdline.mem_banks:
                return
            sizes = [s for s, _ in self.cmdline.mem_banks]
            limit = min(sizes) & ~(page - 1)
            self.log.extend(self.k.log_lines("memory_limited", limit >> 20))
            self.mb.enforce_memory_limit(limit)
        else:
            # arch/arm/kernel/setup.c early_mem: the first mem= wipes memory, each adds a bank
            if not self.cmdline.mem_banks:
                return
            start = self.mb.start_of_dram()
            end = self.mb.end_of_dram()
            phys_offset = start
            if end > start:
                self.mb.remove(start, end - start)
            for size, at in self.cmdline.mem_banks:
                base = phys_offset if at is None else at
                self.mb.add(base, size)

    def arm64_linear_region(self) -> int:
        # linear_region_size = BIT(vabits_actual - 1)
        bits = 48
        if self.symbols is not None and self.symbols.get("ARM64_VA_BITS", "").isdigit():
            bits = int(self.symbols["ARM64_VA_BITS"])
        return 1 << (bits - 1)

    def arm64_linear_cut(self) -> None:
        """arm64_memblock_init: memory the linear map cannot cover is removed (above
        round_down(DRAM start, ARM64_MEMSTART_ALIGN) + linear region, but never the kernel
        image)."""
        if not self.mb.memory:
            return
        align = arm64_memstart_align(self.k.page_shift, self.k.section_size_bits)
        memstart = self.mb.start_of_dram() & ~(align - 1)
        cut = memstart + self.arm64_linear_region()
        kr = self.kernel_range()
        if kr is not None:
            cut = max(cut, kr[0] + kr[1])
        if self.mb.end_of_dram() > cut:
            self.assumptions.append(
                f"RAM above {cut:#x} is beyond the arm64 linear map and is removed"
            )
            self.mb.remove(cut, self.mb.phys_addr_max - cut)

    # --------------------------------------------------------------- boot chain

    def reserve_dtb(self) -> None:
        b = self.boot
        if b.dtb_addr is None:
            return
        size = b.dtb_size if b.dtb_size is not None else self.dt.totalsize
        if size:
            self.mb.reserve(b.dtb_addr, size)

    def kernel_range(self) -> tuple[int, int] | None:
        b = self.boot
        if b.kernel_addr is None or not b.kernel_size:
            return None
        base, size = b.kernel_addr, b.kernel_size
        if self.k.arch == "arm64" and self.k.kernel_reserved_from_stext:
            # arm64_memblock_init reserves from _stext, 64 KiB after the Image start, in
            # 5.11 - 6.17.3 (recorded 6.1 boots: [load + 0x10000, load + image_size)); before
            # and since (6.12.54+ / 6.17.4+ / 6.18+) from _text.
            base, size = base + SZ_64K, size - SZ_64K
        if self.k.arch == "riscv64":
            # setup_bootmem: the end is rounded up to a PMD on 64-bit
            end = _align(base + size, SZ_2M)
            size = end - base
        return base, max(size, 0)

    def reserve_kernel_and_initrd(self) -> None:
        b = self.boot
        page = self.k.page_size
        initrd = self.initrd_range()
        if initrd is not None:
            start, size = initrd
            lo = start & ~(page - 1)
            hi = _align(start + size, page)
            reserve = True
            if self.k.arch == "arm64":
                # arm64_memblock_init adds the initrd back as memory (mem= may have cut it,
                # or the bootloader put it outside the DT memory) before reserving it, unless
                # the linear map cannot reach it: WARN "initrd not fully accessible via the
                # linear mapping" and the initrd is dropped
                dram = self.mb.start_of_dram()
                if lo < dram or hi > dram + self.arm64_linear_region():
                    self.assumptions.append(
                        f"initrd {start:#x}+{size:#x} is outside the arm64 linear map: the "
                        "kernel WARNs and ignores it"
                    )
                    reserve = False
                else:
                    self.mb.add(lo, hi - lo)
                    self.mb.clear_nomap(lo, hi - lo)
            if reserve:
                self.mb.reserve(lo, hi - lo)
        kr = self.kernel_range()
        if kr is not None:
            self.mb.reserve(*kr)
        for base, size in b.reserves:
            self.mb.reserve(base, size)

    def initrd_range(self) -> tuple[int, int] | None:
        if self.boot.initrd is not None:
            return self.boot.initrd
        chosen = board.chosen(self.dt, self.cells)
        if chosen.initrd is not None:
            s, e = chosen.initrd
            return s, e - s
        return self.cmdline.initrd

    def note_boot_chain(self) -> None:
        b = self.boot
        if b.kernel_addr is None:
            self.assumptions.append("no --kernel-addr: the kernel image was not reserved")
        elif not b.kernel_size:
            self.assumptions.append("no --kernel-size: the kernel image was not reserved")
        if b.dtb_addr is None:
            self.assumptions.append("no --dtb-addr: the DTB itself was not reserved")
        if self.initrd_range() is None:
            self.assumptions.append("no initrd (none in /chosen, none given)")

    # ------------------------------------------------------------ reserved-memory

    def find_rmem(self) -> tuple[Node | None, list[board.ReservedNode]]:
        """The /reserved-memory node and the nodes the scan visits, per era."""
        if self.k.find_node == "depth1-exact-name":
            node = self.dt.root.child("reserved-memory")
            if node is None:
                return None, []
            # the callback scan processed every descendant until the next depth-1 node
            kids = [n for n in node.walk() if n is not node]
            return node, [board.ReservedNode(n, i) for i, n in enumerate(kids)]
        rm = board.reserved_memory(self.dt, self.cells)
        return rm.node, list(rm.children)

    def root_ok(self, node: Node) -> bool:
        # __reserved_mem_check_root
        return (
            node.cell_value("#size-cells") == self.cells.size
            and node.cell_value("#address-cells") == self.cells.address
            and node.has("ranges")
        )

    def new_region(self, rn: board.ReservedNode) -> _Region:
        default = "cma" if rn.cma_default else ("dma" if rn.dma_default else None)
        return _Region(
            rn=rn,
            name=rn.name,
            path=rn.path,
            origin="static" if rn.is_static else "dynamic",
            no_map=rn.no_map,
            reusable=rn.reusable,
            default=default,
        )

    def reg_entries(self, rn: board.ReservedNode) -> list[tuple[int, int]] | None:
        """``reg`` decoded; None when its length is not a whole number of entries."""
        return rn.reg(self.cells)

    def reserve_memory(self, base: int, size: int, nomap: bool) -> int:
        # drivers/of/fdt.c early_init_dt_reserve_memory(_arch)
        mode = self.k.no_map_mode
        if nomap:
            if mode == "remove":
                self.mb.remove(base, size)
                return 0
            if self.mb.is_region_reserved(base, size) and (
                mode == "nomap-ebusy" or self.mb.overlaps_memory(base, size)
            ):
                return _EBUSY
            self.mb.mark_nomap(base, size)
            return 0
        self.mb.reserve(base, size)
        return 0

    def save_node(self, region: _Region, base: int, size: int) -> bool:
        # fdt_reserved_mem_save_node: array full -> message, not recorded
        limit = self.k.max_reserved_regions
        if self.in_late and self.k.dynamic_reserved_mem_array:
            # E5/E6: the late array is allocated for every region the early scan counted
            limit = self.late_capacity
        if len(self.records) >= limit:
            self.emit(None, "not_enough_space")
            region.reason = region.reason or (
                f"beyond MAX_RESERVED_REGIONS ({limit}): not recorded, never initialised"
            )
            if region.status != "reserved":  # a static region stays reserved, without driver
                region.status = "ignored"
            return False
        self.records.append(_Rec(region, base, size, region.offset))
        return True

    def cma_validate_skip(self, region: _Region, rn: board.ReservedNode) -> bool:
        """E6: CMA node_validate refuses a ``linux,cma-default`` node when ``cma=`` is given."""
        if (
            self.k.cma_bypass_mode == "skip-before-reserve"
            and self.k.dma_cma
            and self.cmdline.cma is not None
            and rn.cma_default
            and _is_sdp(rn)
        ):
            self.emit(region, "cma_bypass")
            region.status = "bypassed"
            region.driver = "cma"
            region.reason = "cma= on the command line: the node is skipped before reservation"
            return True
        return False

    def reserve_static(self, region: _Region, rn: board.ReservedNode, record: bool) -> str:
        """__reserved_mem_reserve_reg.  Returns "ok", "absent" (no usable reg), "invalid"."""
        prop = rn.node.prop("reg")
        if prop is None:
            return "absent"
        entries = self.reg_entries(rn)
        if self.era == "E6":
            if entries is None or not entries:
                return "absent"  # 7.x: invalid / empty reg is treated as absent, silently
        elif entries is None:
            self.emit(region, "invalid_reg", region.name)
            region.status = "ignored"
            region.reason = "reg length is not a multiple of (#address-cells + #size-cells)"
            return "invalid"
        if self.era == "E6" and self.cma_validate_skip(region, rn):
            return "skipped"
        multi = self.k.reg_multi_entry
        if multi == "first-only" and len(entries) > 1:
            self.emit(region, "multi_reg_first_only", region.name, len(entries))
            entries = entries[:1]
        if not entries:
            region.reason = "reg is empty: nothing reserved, nothing recorded"
            return "ok"
        region.status = "reserved"
        first = True
        for base, size in entries:
            err = self.reserve_memory(base, size, region.no_map) if size else _EINVAL
            if not err and self.k.cma_arch_fixup_at_reserve:
                self.early_fixup(region, rn, base, size)
            if err:
                self.emit(region, "reserve_failed", region.name, base, size // SZ_1M)
                if first:
                    region.reserve_failed = True
                    region.status = "failed"
                    region.reason = (
                        "reg size is 0"
                        if not size
                        else "no-map over memory that is already reserved (-EBUSY)"
                    )
            if first:
                region.base, region.size = base, size
                region.requested_size = size
                if record:
                    self.save_node(region, base, size)
                first = False
        return "ok"

    def dynamic_params(self, region: _Region, rn: board.ReservedNode) -> tuple[int, int] | None:
        """size and alignment of a dynamic node (the checks of __reserved_mem_alloc_size)."""
        size_prop = rn.node.prop("size")
        if size_prop is None:
            return None
        size = rn.number("size", self.cells.size)
        if size is None:
            self.emit(region, "invalid_size", region.name)
            region.reason = "size has the wrong number of cells (#size-cells of the root)"
            return None
        align = 0
        if rn.node.has("alignment"):
            a = rn.number("alignment", self.cells.address)
            if a is None:
                self.emit(region, "invalid_alignment", region.name)
                region.reason = (
                    "alignment has the wrong number of cells (the kernel wants #address-cells)"
                )
                return None
            align = a
            region.alignment_reason = "alignment property"
        if (
            self.k.cma
            and _is_sdp(rn)
            and rn.reusable
            and not rn.no_map
            and align < self.k.cma_min_alignment
        ):
            align = self.k.cma_min_alignment
            region.alignment_reason = (
                "CMA minimum alignment (reusable shared-dma-pool): "
                f"{self.k.page_size} << pageblock_order {self.k.pageblock_order}"
            )
        return size, align

    def alloc_dynamic(self, region: _Region, rn: board.ReservedNode) -> bool:
        """__reserved_mem_alloc_size: True when the region got memory."""
        region.origin = "dynamic"
        params = self.dynamic_params(region, rn)
        if params is None:
            region.status = "ignored"
            return False
        size, align = params
        region.requested_size = size
        region.size = size
        eff_align = align or self.k.smp_cache_bytes
        region.alignment = eff_align
        if not align:
            region.alignment_reason = "SMP_CACHE_BYTES (no alignment property)"
        ranges: list[tuple[int, int]] | None = None
        if rn.node.has("alloc-ranges"):
            ranges = rn.alloc_ranges(self.cells)
            if ranges is None:
                if self.k.invalid_alloc_ranges_drops_node:
                    self.emit(region, "invalid_alloc_ranges", region.name)
                    region.status = "ignored"
                    region.reason = "alloc-ranges length is not a whole number of entries"
                    return False
                ranges = None
        base = 0
        if ranges is not None:
            region.alloc_ranges = tuple((s, s + z) for s, z in ranges)
            for start, rsize in ranges:
                base = self.alloc_in_range(size, align, start, start + rsize, region.no_map)
                if base:
                    break
        else:
            base = self.alloc_arch(size, align, 0, 0, region.no_map)
        if not base:
            if self.k.version >= (6, 1, 0):
                self.emit(region, "alloc_failed", region.name, size // SZ_1M)
            else:
                self.emit(region, "alloc_failed", region.name)
            region.status = "failed"
            windows = region.alloc_ranges or ((0, self.mb.phys_addr_max),)
            best: tuple[int, int] | None = None
            for s, e in windows:
                got = self.mb.largest_free_range(s, e)
                if got is not None and (best is None or got[1] - got[0] > best[1] - best[0]):
                    best = got
            region.largest_free = best
            region.reason = f"no free block of {size:#x} bytes aligned to {eff_align:#x}" + (
                " inside alloc-ranges" if region.alloc_ranges else ""
            )
            return False
        region.base = base
        region.status = "reserved"
        if self.k.cma_arch_fixup_at_reserve:
            self.early_fixup(region, rn, base, size)
        return True

    def early_fixup(self, region: _Region, rn: board.ReservedNode, base: int, size: int) -> None:
        """E5/E6: dma_contiguous_early_fixup() right after reservation (arm32 records the range
        for dma_contiguous_remap), for reusable shared-dma-pool nodes; 7.x only when the CMA
        node_validate accepts the node (reusable and not no-map)."""
        if not (self.k.dma_cma and _is_sdp(rn) and rn.reusable):
            return
        if self.era == "E6" and rn.no_map:
            return
        self.remaps.append((region.name, base, size))

    def alloc_arch(self, size: int, align: int, start: int, end: int, nomap: bool) -> int:
        # early_init_dt_alloc_reserved_memory_arch per era
        end = end or self.mb.anywhere
        align = align or self.k.smp_cache_bytes
        mode = self.k.dynamic_no_map_mode
        if mode == "reserve+nomap":
            base = self.mb.alloc_range(size, align, start, end)
            if base and nomap:
                self.mb.mark_nomap(base, size)
            return base
        base = self.mb.find_in_range_node(size, align, start, end)
        if not base:
            return 0
        if nomap:
            if mode == "remove":
                self.mb.remove(base, size)
            else:
                self.mb.mark_nomap(base, size)
        else:
            self.mb.reserve(base, size)
        return base

    def alloc_in_range(self, size: int, align: int, start: int, end: int, nomap: bool) -> int:
        if not self.k.alloc_ranges_direction_heuristic:
            return self.alloc_arch(size, align, start, end, nomap)
        # 6.5+ __reserved_mem_alloc_in_range: look at recorded regions next to the window
        bottom_up = top_down = False
        for rec in self.records:
            if rec.size == 0:
                continue
            if rec.base <= start <= rec.base + rec.size:
                bottom_up = True
            if rec.base <= end <= rec.base + rec.size:
                top_down = True
        prev = self.mb.bottom_up
        if bottom_up != top_down:
            self.mb.bottom_up = bottom_up
        try:
            return self.alloc_arch(size, align, start, end, nomap)
        finally:
            self.mb.bottom_up = prev

    # ------------------------------------------------------------------ drivers

    def init_region(self, region: _Region, rn: board.ReservedNode) -> int:
        """__reserved_mem_init_node: CMA, then coherent, then restricted (link order)."""
        ret = _ENOENT
        k = self.k
        candidates: list[tuple[str, str, Callable[[], int]]] = []
        if k.dma_cma or not self.symbols:
            candidates.append(("shared-dma-pool", "cma", lambda: self.rmem_cma(region, rn)))
        if _sym_enabled(self.symbols, "DMA_DECLARE_COHERENT", True):
            candidates.append(
                ("shared-dma-pool", "dma-coherent", lambda: self.rmem_dma(region, rn))
            )
        if k.version >= (5, 15, 0) and _sym_enabled(self.symbols, "DMA_RESTRICTED_POOL", False):
            candidates.append(
                ("restricted-dma-pool", "restricted-dma", lambda: self.rmem_swiotlb(region, rn))
            )
        enodev_loop = k.no_driver_result == "enodev"
        if enodev_loop:
            ret = _ENODEV
        for compat, driver, fn in candidates:
            if enodev_loop and ret != _ENODEV:
                break  # 7.x: the table walk goes on only while drivers answer -ENODEV
            if not rn.is_compatible(compat):
                continue
            ret = fn()
            if ret == 0:
                region.driver = driver
                self.emit(region, "initialized", region.name, compat)
                break
        return ret

    def rmem_cma(self, region: _Region, rn: board.ReservedNode) -> int:
        # kernel/dma/contiguous.c rmem_cma_setup
        k = self.k
        nodev = _ENODEV if k.no_driver_result == "enodev" else _EINVAL
        if (
            self.cmdline.cma is not None
            and rn.cma_default
            and k.cma_bypass_mode == "bypass-message"
        ):
            self.emit(region, "cma_bypass", region.name)
            region.reason = "cma= on the command line: bypassed in favour of the cmdline area"
            region.driver = "cma"
            region.status = "bypassed"
            return _EBUSY
        if not rn.reusable or rn.no_map:
            return nodev
        base = region.base or 0
        align = k.cma_min_alignment
        if (base | region.size) & (align - 1):
            self.emit(region, "cma_bad_alignment")
            region.reason = (
                f"base {base:#x} / size {region.size:#x} not multiples of the CMA minimum "
                f"alignment {align:#x}"
            )
            region.driver = "cma"
            return _EINVAL
        err = self.cma_init_reserved_mem(region, base, region.size)
        if err:
            self.emit(region, "cma_setup_failed")
            region.driver = "cma"
            return err
        if rn.cma_default:
            self.default_region = region
        if not k.cma_arch_fixup_at_reserve:
            self.remaps.append((region.name, base, region.size))  # rmem_cma_setup's fixup
        self.emit(region, "cma_created", base, region.size // SZ_1M)
        return 0

    def cma_init_reserved_mem(self, region: _Region, base: int, size: int) -> int:
        # mm/cma.c cma_init_reserved_mem (order of checks per version)
        k = self.k
        order = k.cma_init_check_order.split(",")
        for check in order:
            if check == "slots" and self.cma_count >= k.cma_slots:
                self.emit(region, "cma_no_slots")
                region.reason = f"no CMA slot left (MAX_CMA_AREAS = {k.cma_slots})"
                return _ENOSPC
            if check == "reserved" and (not size or not self.mb.is_region_reserved(base, size)):
                region.reason = "the range is not reserved in memblock (cma_init_reserved_mem)"
                return _EINVAL
            if check == "align" and (base | size) & (k.cma_min_alignment - 1):
                return _EINVAL
        self.cma_count += 1
        self.cma_areas.append(region)
        return 0

    def rmem_dma(self, region: _Region, rn: board.ReservedNode) -> int:
        # kernel/dma/coherent.c rmem_dma_setup
        if rn.reusable:
            return _ENODEV if self.k.no_driver_result == "enodev" else _EINVAL
        if self.k.arch == "arm" and not rn.no_map:
            self.emit(region, "dma_requires_nomap")
            region.reason = "32-bit arm coherent pools need no-map"
            region.driver = "dma-coherent"
            return _EINVAL
        self.emit(region, "dma_created", region.base or 0, region.size // SZ_1M)
        return 0

    def rmem_swiotlb(self, region: _Region, rn: board.ReservedNode) -> int:
        # kernel/dma/swiotlb.c rmem_swiotlb_setup
        if rn.reusable or rn.cma_default or rn.dma_default or rn.no_map:
            region.reason = "restricted-dma-pool refuses reusable/no-map/linux,*-default"
            region.driver = "restricted-dma"
            return _EINVAL
        self.emit(region, "restricted_created", region.base or 0, region.size // SZ_1M)
        return 0

    def init_and_cleanup(self, region: _Region, rn: board.ReservedNode) -> None:
        """fdt_init_reserved_mem(_node): init, then on failure give the memory back."""
        err = self.init_region(region, rn)
        base = region.base or 0
        size = region.size
        if err in (0, _ENOENT, _ENODEV):
            if err == 0:
                region.status = "failed" if region.reserve_failed else "created"
            else:
                region.status = "failed" if region.reserve_failed else "reserved"
                region.driver = "none"
                if region.reason is None:
                    region.reason = "no driver for this compatible: the range stays reserved"
            if self.k.summary_line:
                end = base + size - 1
                self.emit(
                    region,
                    "summary",
                    base,
                    end,
                    size // SZ_1K,
                    "nomap" if region.no_map else "map",
                    "reusable" if region.reusable else "non-reusable",
                    region.name,
                )
            return
        self.emit(region, "matching_fail", region.name)
        if region.status != "bypassed":
            region.status = "rejected"
        if region.reason is None:
            region.reason = "every matching driver refused the region"
        if self.k.init_failure_cleanup == "free-and-readd":
            self.mb.phys_free(base, size)
            if region.no_map:
                self.mb.add(base, size)
        elif region.no_map:
            self.mb.clear_nomap(base, size)
            if region.origin == "dynamic" and self.k.dynamic_no_map_mode == "reserve+nomap":
                region.leaked = True
                region.reason += "; a dynamic no-map region stays reserved (kernel leak)"
        else:
            self.mb.phys_free(base, size)

    # ----------------------------------------------------------- overlap check

    def overlap_check(self) -> None:
        recs = self.records
        if len(recs) < 2:
            return
        ordered = self.sort_records(recs, self.k.overlap_sort_key)
        for this, nxt in itertools.pairwise(ordered):
            if this.base + this.size > nxt.base:
                lines = self.emit(
                    None,
                    "overlap",
                    this.region.name,
                    this.base,
                    this.base + this.size,
                    nxt.region.name,
                    nxt.base,
                    nxt.base + nxt.size,
                )
                this.region.log.extend(lines)  # the report names both regions
                nxt.region.log.extend(lines)
        if self.era not in ("E5", "E6"):
            self.records = ordered

    def sort_records(self, recs: list[_Rec], key: str) -> list[_Rec]:
        # drivers/of/of_reserved_mem.c __rmem_cmp: base, then size (>=4.20), then (6.5-E5) the
        # FDT node offset; sorted with lib/sort.c (_kernel_heapsort_keyed)
        keys: list[tuple[int, ...]]
        if key == "base,size,offset":
            keys = [(r.base, r.size, r.offset) for r in recs]
        elif key == "base":
            keys = [(r.base,) for r in recs]
        else:
            keys = [(r.base, r.size) for r in recs]
        return _kernel_heapsort_keyed(recs, keys)

    # --------------------------------------------------------------- the scans

    def scan_reserved_memory(self) -> None:
        if self.era in ("E5", "E6"):
            self.scan_restructured()
        else:
            self.scan_classic()

    def memreserve(self) -> None:
        for i, (base, size) in enumerate(self.dt.memreserve):
            if not size:
                break
            self.mb.reserve(base, size)
            self.regions.append(
                _Region(
                    rn=None,
                    name=f"memreserve@{base:x}",
                    path=None,
                    origin="memreserve",
                    base=base,
                    size=size,
                    status="reserved",
                    reason=f"/memreserve/ entry {i} of the FDT header",
                )
            )

    def scan_classic(self) -> None:
        """E2-E4: statics reserved in DT order, then sort + allocate + init the array."""
        self.memreserve()
        node, kids = self.find_rmem()
        if node is None:
            return
        if not self.root_ok(node):
            self.log.extend(self.k.log_lines("unsupported_node"))
            for rn in kids:
                r = self.new_region(rn)
                r.reason = "/reserved-memory has the wrong #cells or no ranges: ignored"
                self.regions.append(r)
            return
        children: list[_Region] = []
        for rn in kids:
            r = self.new_region(rn)
            children.append(r)
            if not rn.available:
                r.reason = "disabled (status is not okay)"
                continue
            res = self.reserve_static(r, rn, record=True)
            if res == "absent":
                if rn.node.has("size"):
                    r.origin = "dynamic"
                    self.save_node(r, 0, 0)
                else:
                    r.reason = "neither reg nor size: nothing to do"
        # fdt_init_reserved_mem: the overlap check sorts the array, then it is walked in order
        self.overlap_check()
        dynamic_order: list[_Region] = []
        for rec in list(self.records):
            r = rec.region
            rn0 = r.rn
            assert rn0 is not None
            rn = rn0
            if rec.size == 0:
                if r.origin == "static":
                    continue  # failed size-0 static: no size property, -EINVAL silently
                dynamic_order.append(r)
                if not self.alloc_dynamic(r, rn):
                    continue
                rec.base, rec.size = r.base or 0, r.size
            self.init_and_cleanup(r, rn)
        self.regions.extend(r for r in children if r.origin != "dynamic")
        self.regions.extend(dynamic_order)
        allocated = {id(r) for r in dynamic_order}
        self.regions.extend(
            r for r in children if r.origin == "dynamic" and id(r) not in allocated
        )

    def scan_restructured(self) -> None:
        """E5/E6: statics reserved, dynamics allocated + initialised in DT order, then
        /memreserve/; statics recorded and initialised later at unflatten_device_tree."""
        node, kids = self.find_rmem()
        statics: list[tuple[_Region, board.ReservedNode]] = []
        dynamics: list[tuple[_Region, board.ReservedNode]] = []
        if node is not None and not self.root_ok(node):
            self.log.extend(self.k.log_lines("unsupported_node"))
            for rn in kids:
                r = self.new_region(rn)
                r.reason = "/reserved-memory has the wrong #cells or no ranges: ignored"
                self.regions.append(r)
            node = None
            kids = []
            self.late_unsupported = True
        for rn in kids:
            r = self.new_region(rn)
            if not rn.available:
                r.reason = "disabled (status)"
                statics.append((r, rn))
                continue
            res = self.reserve_static(r, rn, record=False)
            if res in ("ok", "invalid", "skipped"):
                statics.append((r, rn))
            elif rn.node.has("size"):
                dynamics.append((r, rn))
            else:
                r.reason = "neither reg nor size: nothing to do"
                statics.append((r, rn))
        self.regions.extend(r for r, _ in statics)
        early_limit = self.k.dynamic_early_limit
        for i, (r, rn) in enumerate(dynamics):
            self.regions.append(r)
            r.origin = "dynamic"
            if early_limit and i >= early_limit:
                self.emit(r, "too_many_dynamic", r.name)
                r.reason = f"more than {early_limit} dynamic regions"
                continue
            if self.era == "E6" and self.cma_validate_skip(r, rn):
                continue
            if not self.alloc_dynamic(r, rn):
                continue
            if self.save_node(r, r.base or 0, r.size):
                self.init_and_cleanup(r, rn)
                if self.era == "E6" and r.status == "rejected":
                    self.records = [x for x in self.records if x.region is not r]
        self.memreserve()
        self.pending_late = statics

    def late_scan(self) -> bool:
        """E5/E6 fdt_scan_reserved_mem_reg_nodes (top of unflatten_device_tree).

        Returns False when the boot stops here (see :meth:`linear_map_ok`).
        """
        node, _ = self.find_rmem()
        if node is None:
            self.log.extend(self.k.log_lines("no_node"))
            return True
        if self.late_unsupported:
            self.log.extend(self.k.log_lines("unsupported_node"))
            return True
        # alloc_reserved_mem_array: one memblock allocation for the final array
        # total_reserved_mem_cnt: every static whose reg was walked (failed ones too) and every
        # allocated dynamic region
        count = len(self.records) + sum(
            1 for r, _ in self.pending_late if r.status in ("reserved", "failed")
        )
        if self.era == "E6":
            # __reserved_mem_alloc_size counts a dynamic region once allocated, also when its
            # driver refuses it and the memory is freed (7.2.13: 40 bytes for the rejected
            # 'small' of t17, 80 for the two rejected pools of arm64-sid-16k/t18)
            count += sum(
                1
                for r in self.regions
                if r.origin == "dynamic" and r.status == "rejected" and r.base is not None
            )
        if count:
            size = count * _by_version(_RESERVED_MEM_STRUCT, self.k.version)
            base = self.mb.alloc_range(size, self.k.smp_cache_bytes, 0, self.mb.current_limit)
            if base and not self.linear_map_ok(base, size, "alloc_reserved_mem_array"):
                return False
        self.in_late = True
        self.late_capacity = count
        for r, rn in self.pending_late:
            if not rn.available or rn.node.prop("reg") is None:
                continue
            entries = self.reg_entries(rn)
            if self.era == "E6":
                if r.status == "bypassed":
                    self.emit(r, "cma_bypass")
                    continue
                if not entries:
                    continue
            elif entries is None:
                self.emit(r, "invalid_reg", r.name)
                continue
            if not entries:
                continue
            if len(entries) > 1:
                if self.k.reg_multi_entry == "all-reserved-none-recorded":
                    r.status = "reserved"
                    r.reason = "multi-entry reg: reserved but skipped by the late scan"
                    continue
                if self.k.reg_multi_entry == "all-reserved-first-recorded":
                    self.emit(r, "multi_reg_ignored", len(entries) - 1, r.name)
            base, size = entries[0]
            if not size:
                continue
            if self.save_node(r, base, size):
                self.init_and_cleanup(r, rn)
                if self.era == "E6" and r.status == "rejected":
                    self.records = [x for x in self.records if x.region is not r]
        self.overlap_check()
        return True

    def linear_map_ok(self, base: int, size: int, what: str) -> bool:
        """False (and a recorded crash) when a block the kernel writes through the linear map
        shares a page with a NOMAP range.

        arm64 6.12 leaves such pages out of the linear map: recorded 6.12.117 boot t31 (a
        dynamic no-map pool at an unaligned base) faults in ``memset`` of the late-scan array,
        while 6.1.192 and 7.2.13 map the page and survive the same tree (7.2 even puts the
        same array there).  The window is therefore [6.12, 7.0): calibrated on those three
        kernels only.
        """
        if self.crash is not None:
            return False
        if self.k.arch != "arm64" or not (6, 12, 0) <= self.k.version < (7, 0, 0):
            return True
        page = self.k.page_size
        lo = base & ~(page - 1)
        hi = _align(base + size, page)
        for r in self.mb.memory_overlapping(lo, hi):
            if r.flags & MemblockFlags.NOMAP:
                self.crash = (
                    f"{what} at {base:#x}+{size:#x} shares a page with the no-map range "
                    f"{r.base:#x}-{r.end:#x}, which the linear map leaves out: the kernel faults "
                    "(Unable to handle kernel paging request) and the boot stops there"
                )
                self.assumptions.append(f"predicted crash: {self.crash}")
                return False
        return True

    # ------------------------------------------------------------ default CMA

    def compute_dma_limit(self) -> int | None:
        if not self.mb.memory:
            return None
        start, end = self.mb.start_of_dram(), self.mb.end_of_dram()
        k = self.k
        if k.arch == "arm64":
            return k.dma_limit(start, end, dt_max_cpu_addr=board.max_dma_cpu_address(self.dt))
        if k.arch == "arm":
            # arm_dma_limit is INCLUSIVE in the kernel; KernelModel returns it + 1
            return k.dma_limit(start, end, arm_phys_offset=start) - 1
        return k.dma_limit(start, end)

    def compute_zones(self) -> None:
        if not self.mb.memory:
            return
        k = self.k
        start, end = self.mb.start_of_dram(), self.mb.end_of_dram()
        bounds: list[tuple[str, int]] = []
        if k.arch == "arm64":
            dma = self.dma_limit or end
            dma32 = None
            if k.zone_dma32:
                dma32 = arm64_dma32_limit(k.dma_limit_mode, start, end)
            if k.zone_dma:
                bounds.append(("DMA", dma))
            if dma32 is not None:
                bounds.append(("DMA32", max(dma32, dma if k.zone_dma else start)))
            bounds.append(("Normal", end))
        elif k.arch == "arm":
            lowmem = self.highmem_start or end
            if k.zone_dma and self.dma_limit is not None:
                bounds.append(("DMA", min(self.dma_limit + 1, lowmem)))
            bounds.append(("Normal", lowmem))
            if k.highmem:
                bounds.append(("HighMem", end))
        else:
            if k.zone_dma32:
                bounds.append(("DMA32", min(SZ_4G, end)))
            bounds.append(("Normal", end))
        lo = start
        for name, hi in bounds:
            hi = min(hi, end)
            if hi > lo:
                self.zones.append((name, lo, hi))
                lo = hi

    def arm_highmem_start(self) -> int | None:
        """arch/arm/mm/mmu.c adjust_lowmem_bounds: the lowmem end (mm/cma.c highmem_start).

        vmalloc_limit = PHYS_OFFSET + (VMALLOC_END - 240 MiB - VMALLOC_OFFSET - PAGE_OFFSET);
        lowmem ends at the end of the last memory block starting below it, capped there.
        The memblock limit is the lowmem end, or an earlier one where the first block below
        vmalloc_limit is not PMD-aligned, rounded down to a PMD.  Without CONFIG_HIGHMEM the
        RAM from that limit up is removed ("Ignoring RAM at ...").  ``vmalloc=`` is not
        modelled.
        """
        if self.k.arch != "arm" or not self.mb.memory:
            return None
        start = self.mb.start_of_dram()
        vmalloc_limit = arm_lowmem_end(start, 1 << 64, arm_page_offset(self.symbols or {}))
        pmd = SZ_2M  # PMD_SIZE: PMD_SHIFT is 21 with and without LPAE (pgtable-2level.h)
        lowmem = memblock_limit = 0
        for r in self.mb.memory:
            if r.base >= vmalloc_limit:
                continue
            if r.end > lowmem:
                lowmem = min(vmalloc_limit, r.end)
            if not memblock_limit:
                if r.base & (pmd - 1):
                    memblock_limit = r.base
                elif r.end & (pmd - 1):
                    memblock_limit = lowmem
        lowmem = lowmem or start
        memblock_limit = (memblock_limit or lowmem) & ~(pmd - 1)
        if any(name == "vmalloc" for name, _ in self.cmdline.params):
            self.assumptions.append("vmalloc= is not modelled: lowmem assumes the 240 MiB default")
        end = self.mb.end_of_dram()
        if self.symbols and not self.k.highmem and end > lowmem:
            self.emit(None, "arm_ignoring_ram", memblock_limit, end)
            self.emit(None, "arm_consider_highmem")
            self.mb.remove(memblock_limit, end - memblock_limit)
            self.ignored_ram = (memblock_limit, end)
        self.mb.current_limit = memblock_limit
        return lowmem

    def plan_default_size(self) -> CmaSizePlan:
        """cma.plan_cma_size with the DT default as far as the replay has set regions up.

        Called by ``dma_contiguous_reserve`` (what it sees decides what it reserves) and at the
        end (:meth:`final_plan`: on arm/riscv E5/E6 a static default is set up only later)."""
        k = self.k
        candidates = [
            DefaultCandidate(
                path=r.path,
                size=r.size or None,
                static=r.origin == "static",
                base=r.base,
                outcome=(
                    "created"
                    if r.driver == "cma" and r.status in ("created", "inactive", "failed")
                    else "bypassed" if r.status == "bypassed" else "rejected"
                ),
            )
            for r in self.regions
            if r.rn is not None and r.rn.cma_default and r.path is not None
        ]
        return plan_cma_size(
            kernel=k,
            cmdline=self.cmdline,
            symbols=self.symbols,
            dt_default=dt_default(candidates, kernel=k, cmdline=self.cmdline),
            phys_mem_size=self.plan_ram,
        )

    def final_plan(self) -> CmaSizePlan | None:
        """The size plan once every region is set up (None: dma_contiguous_reserve never ran)."""
        return None if self.plan is None else self.plan_default_size()

    def default_area(self) -> None:
        k = self.k
        if not self.mb.memory:
            self.assumptions.append("no RAM: the default CMA area cannot be placed")
        self.phys_mem_size = self.mb.phys_mem_size()
        src = self.default_region
        self.plan_ram = self.phys_mem_size if self.mb.memory else None
        plan = self.plan_default_size()
        self.plan = plan
        if k.arch != "arm64":
            for what, given in (
                ("hugetlb_cma=", self.cmdline.hugetlb_cma is not None),
                ("cma_pernuma=", self.cmdline.cma_pernuma is not None),
                ("numa_cma=", bool(self.cmdline.numa_cma)),
            ):
                if given:
                    self.assumptions.append(
                        f"{what} is not modelled on {k.arch}: its areas (memory and CMA slots) "
                        "are not placed"
                    )
        stage = self.numa_stage()
        if stage == "contiguous-start":
            self.numa_cma_reserve()
        self.default_cma_declare(src, plan)
        if stage == "contiguous-end":
            self.numa_cma_reserve()

    def default_cma_declare(self, src: _Region | None, plan: CmaSizePlan) -> None:
        """The default area part of ``dma_contiguous_reserve``."""
        k = self.k
        if src is not None:
            # a DT default area was set up before dma_contiguous_reserve() (on arm/riscv in
            # E5/E6 a static one is set up only later, at unflatten_device_tree: not here)
            return
        if not plan.declare or not plan.declared_size:
            return
        limit = self.dma_limit or 0
        base, fixed = 0, False
        if plan.source == "cmdline":
            base, fixed = plan.base, plan.fixed
            if k.cma_cmdline_limit_mode == "cmdline-wins":
                limit = plan.limit or limit
            else:
                limit = min(x for x in (plan.limit, limit) if x) if (plan.limit or limit) else 0
        region = _Region(
            rn=None,
            name="reserved",
            path=None,
            origin="default-cma",
            reusable=True,
            default="cma",
        )
        region.requested_size = plan.declared_size
        self.default_cma = region
        self.cma_declare(region, base, plan.declared_size, limit, fixed)

    def cma_declare(
        self,
        region: _Region,
        base: int,
        size: int,
        limit: int,
        fixed: bool,
        *,
        align: int = 0,
        node: tuple[int, NodeSpans] | None = None,
        multi: bool = False,
    ) -> None:
        """mm/cma.c cma_declare_contiguous(_nid) for an area outside the DT.

        ``multi``: called by cma_declare_contiguous_multi, whose own success line replaces
        "Reserved %ld MiB at %pa".

        ``node``: (nid, its memory) for the command-line areas, which allocate with
        ``exact_nid`` (no fallback to another node); ``align``: their requested alignment.
        """
        k = self.k
        mb = self.mb
        printed = size
        region.size = size
        nid = node[0] if node is not None else -1
        spans = node[1] if node is not None else None
        region.node = node[0] if node is not None else None

        def fail(reason: str, *, slots: bool = False) -> None:
            region.status = "failed"
            region.reason = reason
            region.base = None
            region.err = _ENOSPC if slots else _ENOMEM
            if not slots or k.cma_slot_failure_prints_failed:
                args: list[int | str] = [printed // SZ_1M]
                failed = k.msg("cma_failed")
                if failed is not None and "%d" in failed.fmt:
                    args.append(nid)
                self.emit(region, "cma_failed", *args)

        memblock_end = mb.end_of_dram()
        highmem_start = self.highmem_start if self.highmem_start is not None else memblock_end
        if self.cma_count >= k.cma_slots:
            self.emit(region, "cma_no_slots")
            fail(f"no CMA slot left (MAX_CMA_AREAS = {k.cma_slots})", slots=True)
            return
        alignment = max(align, k.cma_min_alignment)
        if fixed and base & (alignment - 1):
            self.emit(region, "cma_fixed_misaligned", base, alignment)
            fail(f"cma= base {base:#x} is not aligned to {alignment:#x}")
            return
        base = _align(base, alignment)
        size = _align(size, alignment)
        region.size = size
        if k.cma_printed_size == "rounded":
            printed = size
        limit &= ~(alignment - 1)
        if not base:
            fixed = False
        if fixed and base < highmem_start < base + size:
            self.emit(region, "cma_highmem_boundary", base, highmem_start)
            fail("fixed area crosses the lowmem/highmem boundary")
            return
        if limit == 0 or limit > memblock_end:
            limit = memblock_end
        if base + size > limit:
            self.emit(region, "cma_exceeds_limit", size, base, limit)
            fail(f"base + size is above the limit {limit:#x}")
            return
        if fixed:
            if mb.is_region_reserved(base, size):
                fail("the fixed range is already (partly) reserved (-EBUSY)")
                return
            mb.reserve(base, size)
        else:
            addr = 0
            highmem_ok = k.arch == "arm" and (k.highmem or not k.cma_highmem_needs_config)

            def try_highmem() -> None:
                nonlocal addr, limit
                if highmem_ok and base < highmem_start < limit:
                    addr = alloc_in_spans(mb, size, alignment, highmem_start, limit, spans)
                    limit = highmem_start

            def try_bottom_up() -> None:
                nonlocal addr
                threshold = memblock_end if k.cma_bottom_up_threshold == "dram-end" else limit
                if k.cma_bottom_up_above_4g and not mb.bottom_up and threshold >= SZ_4G + size:
                    mb.bottom_up = True
                    addr = alloc_in_spans(mb, size, alignment, SZ_4G, limit, spans)
                    mb.bottom_up = False

            if k.highmem_before_bottom_up:
                try_highmem()
                try_bottom_up()
            else:
                try_bottom_up()
                if not addr:
                    try_highmem()
            if not addr:
                addr = alloc_in_spans(mb, size, alignment, base, limit, spans)
                if not addr:
                    windows = (
                        [(base, limit)]
                        if spans is None
                        else [(max(base, lo), min(limit, hi)) for lo, hi in spans]
                    )
                    found = [mb.largest_free_range(a, b) for a, b in windows if b > a]
                    region.largest_free = max(
                        (f for f in found if f is not None),
                        key=lambda f: f[1] - f[0],
                        default=None,
                    )
                    where = f" on node {nid}" if node is not None else ""
                    fail(
                        f"no free {size:#x}-byte block aligned to {alignment:#x} below "
                        f"{limit:#x}{where}"
                    )
                    return
            base = addr
        region.base = base
        self.cma_count += 1
        self.cma_areas.append(region)
        self.remaps.append((region.name, base, size))  # dma_contiguous_reserve_area's fixup
        region.status = "created"
        region.driver = "cma"
        if multi:
            self.emit(region, "cma_reserved_ranges", size // SZ_1M, 1, "")
            return
        args2: list[int | str] = [printed // SZ_1M, base]
        msg = k.msg("cma_reserved")
        if msg is not None and "%d" in msg.fmt:
            args2.append(nid)
        self.emit(region, "cma_reserved", *args2)

    # ------------------------------------------ command-line CMA areas (NUMA, hugetlb)

    def numa_layout(self) -> list[tuple[int, NodeSpans]]:
        """The online NUMA nodes and their memory, fixed at ``arch_numa_init`` (arm64)."""
        if self.nodes is None:
            memory = tuple((r.base, r.end) for r in self.mb.memory)
            numa_off = any(n == "numa" and v == "off" for n, v in self.cmdline.params)
            if self.k.arch != "arm64" or not self.k.numa or numa_off:
                self.nodes = [(0, memory)]
            else:
                self.nodes, why = dt_numa_nodes(self.dt, self.cells, memory)
                if why is not None:
                    self.assumptions.append(f"NUMA: {why}")
                elif len(self.nodes) > 1:
                    self.assumptions.append(
                        "NUMA nodes from the DT: "
                        + ", ".join(
                            f"{nid}: "
                            + (" ".join(f"{lo:#x}-{hi - 1:#x}" for lo, hi in sp) or "no memory")
                            for nid, sp in self.nodes
                        )
                    )
        return self.nodes

    def numa_stage(self) -> str:
        """Where cma_pernuma= / numa_cma= areas are declared (``cma.numa_stage``), arm64."""
        if self.k.arch != "arm64":
            return "none"
        return self.k.cma_numa_stage

    def numa_cma_built(self) -> bool:
        """CONFIG_DMA_PERNUMA_CMA (<6.7) or CONFIG_DMA_NUMA_CMA (6.7+), as the bundled Kconfig
        model evaluates them: without it cma_pernuma= / numa_cma= are unknown parameters."""
        mode = self.k.cma_numa_mode
        if mode == "none" or not self.k.numa:
            return False
        name = "DMA_PERNUMA_CMA" if mode == "pernuma" else "DMA_NUMA_CMA"
        if self.symbols is None:
            return mode == "pernuma"
        return self.symbols.get(name) in ("y", "m")

    def cmdline_area(self, name: str, origin: str, size: int) -> _Region:
        region = _Region(rn=None, name=name, path=None, origin=origin, reusable=True)
        region.requested_size = size
        self.extra.append(region)
        return region

    def numa_cma_reserve(self) -> None:
        """kernel/dma/contiguous.c dma_pernuma_cma_reserve (<6.7) / dma_numa_cma_reserve.

        One area per online node for ``cma_pernuma=`` ("pernuma%d") and per ``numa_cma=`` node
        ("numa%d"), each ``cma_declare_contiguous_nid(0, size, 0, 0, 0, false, name, nid)``:
        exact node, no fallback.  A failure prints "%s: reservation failed: err %d, node %d".
        """
        pernuma = self.cmdline.cma_pernuma or 0
        numa = dict(self.cmdline.numa_cma)
        mode = self.k.cma_numa_mode
        if not self.numa_cma_built():
            given = [w for w, g in (("cma_pernuma=", pernuma), ("numa_cma=", numa)) if g]
            if given:
                text = (
                    f"{' and '.join(given)} unknown to this kernel (no CONFIG_"
                    f"{'DMA_PERNUMA_CMA' if mode in ('pernuma', 'none') else 'DMA_NUMA_CMA'}): "
                    "ignored, no area"
                )
                self.assumptions.append(text)
                self.cmdline_notes.append(("unknown", text))
            return
        if mode == "pernuma":
            if numa:
                text = "numa_cma= is unknown before 6.7 (only cma_pernuma=): ignored, no area"
                self.assumptions.append(text)
                self.cmdline_notes.append(("unknown", text))
            numa = {}
        nodes = self.numa_layout()
        online = {nid for nid, _ in nodes}
        func = "dma_pernuma_cma_reserve" if mode == "pernuma" else "dma_numa_cma_reserve"
        for nid in sorted(numa):
            if nid not in online and numa[nid]:
                # for_each_node() walks the possible nodes, which arm64 sets to the parsed
                # (online) ones: the "invalid node %d specified" warning cannot fire there and
                # the request is dropped silently (recorded arm64-sid numa1-numacma-offline)
                self.cmdline_notes.append(
                    (
                        "invalid-node",
                        f"numa_cma=: node {nid} is not online "
                        f"(online: {', '.join(str(n) for n in sorted(online))}): its "
                        f"{numa[nid] >> 20} MiB area is silently not created",
                    )
                )
        size_pernuma = (
            mode == "numa+size-pernuma"
            and not pernuma
            and not numa
            and len(nodes) > 1
            and self.symbols is not None
            and self.symbols.get("CMA_SIZE_PERNUMA") in ("y", "m")
        )
        if size_pernuma and self.plan is not None and self.plan.declared_size:
            # CONFIG_CMA_SIZE_PERNUMA (7.2): the default area's size on every online node
            pernuma = self.plan.declared_size
            self.cmdline_notes.append(
                (
                    "size-pernuma",
                    f"CONFIG_CMA_SIZE_PERNUMA: {len(nodes)} NUMA nodes and neither "
                    f"cma_pernuma= nor numa_cma=, so every node also gets a "
                    f"{pernuma >> 20} MiB CMA area ({len(nodes) * pernuma >> 20} MiB on top "
                    "of the default area)",
                )
            )
        for nid, spans in nodes:
            # <6.7: one "pernuma%d" area per online node.  6.7-7.1 (kernel/dma/contiguous.c
            # dma_numa_cma_reserve as merged by 'dma-contiguous: support numa CMA for
            # specified node' v2): BOTH areas per online node, first "pernuma%d" with the
            # cma_pernuma= size, then "numa%d" with the node's numa_cma= size.  7.2 (recorded
            # arm64-sid numa1-both): one "numa%d" area, numa_cma= overriding cma_pernuma=.
            if mode == "pernuma":
                areas = [(f"pernuma{nid}", pernuma)]
            elif mode == "numa":
                areas = [(f"pernuma{nid}", pernuma), (f"numa{nid}", numa.get(nid, 0))]
            else:
                areas = [(f"numa{nid}", numa.get(nid, 0) or pernuma)]
            for name, size in areas:
                if not size:
                    continue
                region = self.cmdline_area(name, "numa-cma", size)
                self.cma_declare(region, 0, size, 0, False, node=(nid, spans))
                if region.status != "created":
                    self.emit(region, "numa_failed", func, region.err, nid)

    def hugetlb_gigantic(self) -> int:
        """arm64 arch_hugetlb_cma_reserve order: PUD with 4K pages, else CONT_PMD (16K: 1 GiB,
        64K: 16 GiB)."""
        page = self.k.page_size
        if page == 4096:
            return 1 << 30
        pmd = page * (page // 8)
        return pmd * 32

    def hugetlb_cma_reserve(self) -> None:
        """mm/hugetlb.c (6.15+: mm/hugetlb_cma.c) hugetlb_cma_reserve, arm64 (kernel-model §2.5).

        ``hugetlb_cma=SIZE`` is split over the online nodes (DIV_ROUND_UP, the last node gets
        the rest), ``hugetlb_cma=N:SIZE,...`` goes to the named nodes; offline nodes and sizes
        the gigantic page does not divide are dropped with a warning; each area is
        ``cma_declare_contiguous_nid`` on its node (exact) named "hugetlb%d".
        """
        h = self.cmdline.hugetlb_cma
        if h is None or not h.size:
            return
        k = self.k
        if not (k.hugetlb_page and k.cma):
            self.assumptions.append(
                "hugetlb_cma= needs CONFIG_HUGETLB_PAGE and CONFIG_CMA: ignored"
            )
            return
        gigantic = self.hugetlb_gigantic()
        mode = self.k.hugetlb_cma_mode
        nodes = self.numa_layout()
        online = {nid for nid, _ in nodes}

        def bad(size: int) -> bool:
            return size < gigantic if mode == "round-up" else size % gigantic != 0

        total = h.size
        per_node_size = {nid: size for nid, size in h.nodes if size}
        specific = False
        for nid in sorted(per_node_size):
            size = per_node_size[nid]
            if nid not in online:
                self.emit(None, "hugetlb_invalid_node", nid)
                self.cmdline_notes.append(
                    (
                        "invalid-node",
                        f"hugetlb_cma=: node {nid} is not online "
                        f"(online: {', '.join(str(n) for n in sorted(online))}): its "
                        f"{size >> 20} MiB are dropped",
                    )
                )
            elif bad(size):
                self.emit(None, "hugetlb_node_too_small", nid, gigantic // SZ_1M)
                self.cmdline_notes.append(
                    (
                        "hugetlb-size",
                        self.hugetlb_size_text(f"node {nid}: {size >> 20} MiB", gigantic, mode),
                    )
                )
            else:
                specific = True
                continue
            total -= size
            per_node_size[nid] = 0
        if not total:
            return
        if bad(total):
            self.emit(None, "hugetlb_too_small", gigantic // SZ_1M)
            self.cmdline_notes.append(
                ("hugetlb-size", self.hugetlb_size_text(f"{total >> 20} MiB", gigantic, mode))
            )
            return
        per_node = 0
        if not specific:
            per_node = -(-total // max(1, len(nodes)))
            if mode != "round-up":
                per_node = _align(per_node, gigantic)
            self.emit(None, "hugetlb_reserve", total // SZ_1M, per_node // SZ_1M)
        # <6.10: aligned to a PMD huge page (PAGE_SIZE << HUGETLB_PAGE_ORDER); 6.10+: to the
        # gigantic page (hugetlb.cma_align)
        pmd_aligned = self.k.hugetlb_cma_align == "pmd"
        align = k.page_size << k.huge_page_order if pmd_aligned else gigantic
        reserved = 0
        for nid, spans in nodes:
            if specific:
                size = per_node_size.get(nid, 0)
                if not size:
                    continue
            else:
                size = min(per_node, total - reserved)
            if mode == "round-up":
                size = _align(size, gigantic)
            region = self.cmdline_area(f"hugetlb{nid}", "hugetlb-cma", size)
            if mode == "round-up":
                self.cma_declare(region, 0, size, 0, False, align=align, node=(nid, spans))
            else:
                self.cma_declare_multi(region, size, align, (nid, spans))
            if region.status != "created":
                self.emit(region, "hugetlb_failed", region.err, nid)
                continue
            reserved += size
            self.emit(region, "hugetlb_reserved", size // SZ_1M, nid)
            if reserved >= total:
                break

    @staticmethod
    def hugetlb_size_text(what: str, gigantic: int, mode: str) -> str:
        need = "at least" if mode == "round-up" else "a multiple of"
        return (
            f"hugetlb_cma=: {what} is not {need} the {gigantic >> 20} MiB gigantic page: "
            "the kernel drops it, no area"
        )

    def cma_declare_multi(
        self, region: _Region, size: int, align: int, node: tuple[int, NodeSpans]
    ) -> None:
        """mm/cma.c cma_declare_contiguous_multi (6.15+): one range first, as
        cma_declare_contiguous_nid, printing "Reserved %lu MiB in 1 range" (recorded arm64-sid
        numa1-hugetlb; its base is not printed).  When no single range fits, the kernel
        collects several aligned free ranges of the node: not modelled beyond saying so."""
        self.cma_declare(region, 0, size, 0, False, align=align, node=node, multi=True)
        if region.status == "created":
            return
        if region.err == _ENOSPC:
            return
        chunks = 0
        for lo, hi in node[1]:
            for a, b in self.mb.free_ranges():
                a, b = max(a, lo), min(b, hi)
                a = _align(a, align)
                if b > a:
                    chunks += (b - a) // align * align
        if chunks >= size:
            region.reason = (
                f"no free single {size >> 20} MiB range aligned to {align >> 20} MiB on node "
                f"{node[0]}; cma_declare_contiguous_multi may still split it over several "
                "ranges (not modelled)"
            )
            self.assumptions.append(f"{region.name}: {region.reason}")

    def bootmem_cma_areas(self) -> None:
        """arm64 bootmem_init after arch_numa_init: hugetlb CMA (<7.2), then (<6.5) pernuma
        CMA."""
        if self.k.hugetlb_cma_stage == "bootmem":
            self.hugetlb_cma_reserve()
        if self.numa_stage() == "bootmem":
            self.numa_cma_reserve()

    def wants_numa_early(self) -> bool:
        """Whether the arm64 early allocations need the node-aware replay (several nodes, or
        command-line areas declared before ``sparse_init``)."""
        c = self.cmdline
        if (c.hugetlb_cma is not None and self.k.hugetlb_cma_stage == "bootmem") or (
            self.numa_stage() == "bootmem" and (c.cma_pernuma or c.numa_cma)
        ):
            return True
        return len(self.numa_layout()) > 1

    # ------------------------------------------------------------- activation

    def activation(self) -> None:
        """core_initcall cma_init_reserved_areas (§3.4), area by area in declaration order.

        An area reaching into a memory section that has no memmap (RAM hole, outside RAM,
        above ``mem=``): ``WARN_ON_ONCE(!pfn_valid())`` and then a fault in ``page_zone()``
        [recorded 6.1/6.12 boots: "WARNING ... at mm/cma.c" + "Unable to handle kernel paging
        request"; 7.2: the fault only; armhf 6.1: no output at all]; the text is build-specific,
        so no log line is predicted, the area is "inactive" and ``facts.crash`` says why.  An area
        spanning two zones: "CMA area %s could not be activated".
        """
        section = self.section_bytes()
        present = _chunk_runs([(r.base, r.base + r.size) for r in self.mb.memory], section)
        for area in self.cma_areas:
            if area.base is None or area.status != "created" or not area.size:
                continue
            base, end = area.base, area.base + area.size
            area.zones = tuple(n for n, lo, hi in self.zones if lo < end and base < hi)
            covered = sum(
                min(r.end, end) - max(r.base, base) for r in self.mb.memory_overlapping(base, end)
            )
            area.outside_ram = covered < area.size
            first, last = base // section, (end - 1) // section
            if not any(lo <= first and last <= hi for lo, hi in present):
                area.status = "inactive"
                flat_hole = self.k.arch == "arm" and (
                    self.mb.start_of_dram() <= base and end <= self.mb.end_of_dram()
                )
                if flat_hole:
                    # 32-bit arm FLATMEM: the hole has a memmap, pfn_valid() is false there
                    # (recorded armhf 6.1 mem-hole-cma / mem-hole-straddle: WARN, "Bad page
                    # state", the hole handed to the page allocator; one boot survived, one hung)
                    area.reason = (
                        "part of the area is a RAM hole: the kernel WARNs in "
                        "cma_init_reserved_areas and frees pages that are not RAM"
                    )
                    continue
                area.reason = (
                    "part of the area has no memmap (outside RAM or in a hole): the kernel "
                    "WARNs in cma_init_reserved_areas and then faults"
                )
                if self.crash is None:
                    # recorded: arm64 6.1/6.12/7.2 fault at activation; armhf 6.1 dies silently
                    self.crash = f"CMA area {area.name}: {area.reason}"
                    self.assumptions.append(f"predicted crash: {self.crash}")
                continue
            if len(area.zones) > 1:
                self.emit(area, "cma_not_activated", area.name)
                area.status = "inactive"
                area.reason = f"the area spans zones {', '.join(area.zones)}"

    def section_bytes(self) -> int:
        # SECTION_SIZE_BITS (kernel model); 32-bit arm is FLATMEM here (page granularity)
        if self.k.arch == "arm":
            return self.k.page_size
        return 1 << self.k.section_size_bits

    # ------------------------------------------------------------------ driver

    def run(self) -> None:
        k = self.k
        self.note_boot_chain()
        if k.arch != "riscv64" or not k.dtb_reserved_after_scan:
            self.reserve_dtb()
        self.setup_memory()
        if k.arch == "arm64":
            self.mb.remove(k.phys_mask_end, self.mb.phys_addr_max - k.phys_mask_end)
            self.arm64_linear_cut()
        self.apply_mem_limit()
        if k.arch == "arm":
            self.highmem_start = self.arm_highmem_start()
        self.memory_banks = tuple((r.base, r.size) for r in self.mb.memory)
        self.reserve_kernel_and_initrd()
        self.dma_limit = self.compute_dma_limit()
        riscv_cma_first = k.arch == "riscv64" and k.default_cma_before_dt_scan
        if riscv_cma_first:
            self.default_area()
        if not self.symbols or k.of_reserved_mem:
            self.scan_reserved_memory()
        else:
            self.assumptions.append("CONFIG_OF_RESERVED_MEM is not set: /reserved-memory unused")
            self.memreserve()
        if k.arch == "riscv64" and k.dtb_reserved_after_scan:
            self.reserve_dtb()
        if k.arch == "arm64":
            late = self.late_scan if self.era in ("E5", "E6") else None
            numa = self.wants_numa_early()
            if k.page_size == 65536:
                self.assumptions.append(
                    "64K pages: the early allocations before the default CMA area (page "
                    "tables, NODE_DATA, sparse_init) are sized from 4K/16K boots; no 64K "
                    "kernel was booted to measure them")
            self.early = arm64_early_allocations(
                self.mb,
                self.dt,
                k,
                self.symbols,
                late,
                self.linear_map_ok,
                nodes=self.numa_layout() if numa else None,
                before_sparse=self.bootmem_cma_areas if numa else None,
            )
            self.compute_zones()
            if self.crash is None:
                self.default_area()
                if self.k.hugetlb_cma_stage == "after-contiguous":
                    self.hugetlb_cma_reserve()
        else:
            self.compute_zones()
            if k.arch == "arm" and self.era in ("E5", "E6"):
                if not riscv_cma_first:
                    self.default_area()
                self.late_scan()
            else:
                if not riscv_cma_first:
                    self.default_area()
                if self.era in ("E5", "E6"):
                    self.late_scan()
        if self.crash is None and k.arch == "arm":
            self.arm_cma_over_kernel()
        if self.crash is None and k.arch == "arm":
            self.arm_remap_alignment()
        if self.crash is None:
            self.activation()

    def arm_cma_over_kernel(self) -> None:
        """32-bit arm: ``paging_init`` -> ``dma_contiguous_remap`` rebuilds the linear mapping of
        every CMA area; one that covers the running kernel pulls the kernel's own mapping away.
        Recorded armhf 6.1 boot ovl-kernel-cma: no output, QEMU timeout (arm64 survives it)."""
        kr = self.kernel_range()
        if kr is None:
            return
        kbase, ksize = kr
        for area in self.cma_areas:
            if (
                area.base is not None
                and area.base < kbase + ksize
                and kbase < area.base + area.size
            ):
                self.crash = (
                    f"CMA area {area.name} ({area.base:#x}+{area.size:#x}) covers the kernel "
                    f"image ({kbase:#x}+{ksize:#x}): dma_contiguous_remap() in paging_init "
                    "remaps it and the boot hangs"
                )
                self.assumptions.append(f"predicted crash: {self.crash}")
                return

    def arm_remap_alignment(self) -> None:
        """32-bit arm ``dma_contiguous_remap`` (paging_init): for every recorded CMA range in
        lowmem it clears the PMDs (2 MiB) at base, base + 2 MiB, ... below the end, then maps
        the range.  A misaligned range can reach a PMD that was not cleared (mapped over a live
        section: the boot hangs, recorded armhf 6.12 t3 and cma-default-misaligned) or leave
        the rest of a cleared PMD unmapped (recorded st-cma-1m still boots: an assumption, not
        a crash).  Before 6.13/6.12.13 only accepted (hence aligned) pools are recorded; since
        the restructure every reusable shared-dma-pool node is, at reservation, even one
        rejected later as misaligned (the same trees boot on 6.1)."""
        pmd = SZ_2M
        lowmem = self.highmem_start if self.highmem_start is not None else self.mb.end_of_dram()
        for name, base, size in self.remaps:
            end = min(base + size, lowmem)
            if base >= end:
                continue
            # pmd_clear() for base, base + 2 MiB, ... below end; the new mapping covers every
            # PMD from base to end
            cleared = {(base + i) // pmd for i in range(0, end - base, pmd)}
            touched = set(range(base // pmd, (end - 1) // pmd + 1))
            if touched - cleared:
                # recorded armhf 6.12 t3 / cma-default-misaligned: no output, QEMU timeout
                self.crash = (
                    f"CMA range {name} {base:#x}-{base + size:#x} is not 2 MiB (PMD) aligned: "
                    "dma_contiguous_remap() in paging_init maps it over a section mapping it "
                    "did not clear (the boot hangs)"
                )
                self.assumptions.append(f"predicted crash: {self.crash}")
                return
            if base % pmd or end % pmd:
                # recorded armhf 6.12 st-cma-1m: boots; the rest of the PMD is unmapped
                self.assumptions.append(
                    f"CMA range {name} {base:#x}-{base + size:#x} is not 2 MiB (PMD) aligned: "
                    "dma_contiguous_remap() leaves the rest of its 2 MiB unmapped (a later "
                    "access there faults)"
                )

    def result(self) -> DryRun:
        facts: dict[str, RegionFacts] = {}
        for r in [*self.regions, *([self.default_cma] if self.default_cma else []), *self.extra]:
            facts[r.path or r.name] = r.facts()
        return DryRun(
            regions=tuple(r.outcome() for r in self.regions),
            default_cma=self.default_cma.outcome() if self.default_cma else None,
            cma_size_plan=self.final_plan(),
            log=tuple(self.log),
            memblock=self.mb,
            assumptions=tuple(self.assumptions),
            facts=DryRunFacts(
                phys_mem_size=self.phys_mem_size,
                dram_start=self.mb.start_of_dram(),
                dram_end=self.mb.end_of_dram(),
                memory_banks=self.memory_banks
                or tuple((r.base, r.size) for r in self.mb.memory),
                memory_source=self.memory_source,
                dma_limit=self.dma_limit,
                zones=tuple(self.zones),
                highmem_start=self.highmem_start,
                cma_alignment=self.k.cma_min_alignment,
                early_allocs=tuple(self.early),
                region_facts=facts,
                cma_areas_used=self.cma_count,
                cma_slots=self.k.cma_slots,
                crash=self.crash,
                cmdline_cma_notes=tuple(self.cmdline_notes),
                numa_nodes=tuple(self.nodes or ()),
                ignored_ram=self.ignored_ram,
            ),
            extra_areas=tuple(r.outcome() for r in self.extra),
        )


def dry_run(
    dt: DeviceTree,
    *,
    kernel: KernelModel,
    cmdline: Cmdline,
    symbols: Mapping[str, str] | None,
    boot: BootChain,
    ram: Sequence[tuple[int, int]] | None = None,
) -> DryRun:
    """Predict the kernel's early-boot handling of ``dt`` (see the module docstring).

    ``symbols``: effective Kconfig without ``CONFIG_`` (None: no .config, Kconfig-dependent
    facts fall back to the kernel model's defaults and the default area size is unknown).
    ``ram`` (``--ram``) replaces the DT memory nodes.
    """
    replay = _Replay(dt, kernel, cmdline, symbols, boot, ram)
    replay.run()
    return replay.result()
