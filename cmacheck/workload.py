"""Runtime what-if: replay a list of DMA allocations and frees on the predicted CMA areas.

``replay_workload(workload, run=..., dt=..., kernel=..., cma_alignment=...)`` takes the
dry run's CMA areas (status ``created``, driver ``cma``) and replays the steps the way the
kernel's allocator would, then searches, per area, the smallest size that serves the whole
workload.  Pure: no I/O, no global state; the same inputs always give the same result.

What is modelled (each function cites the kernel code it follows):

- the per-area bitmap of mm/cma.c, one bit per ``1 << order_per_bit`` pages (0 for every
  DMA area: ``rmem_cma_setup`` -> ``cma_init_reserved_mem(..., 0, ...)`` and
  ``dma_contiguous_reserve_area`` -> ``cma_declare_contiguous(..., 0, ...)``), allocation by
  ``cma_alloc`` -> ``bitmap_find_next_zero_area_off`` (first fit from bit 0, aligned by
  ``cma_bitmap_aligned_mask`` / ``cma_bitmap_aligned_offset``), ``cma_release`` ->
  ``cma_clear_bitmap``.  6.1 and 6.12 keep one bitmap per ``struct cma``; 6.15+ (c009da4258f9
  "mm, cma: support multiple contiguous ranges, if requested"; 7.x read) split an
  area into ranges (``struct cma_memrange``; ``__cma_alloc`` tries ``cma_range_alloc`` per
  range, the offset is taken from the range's ``base_pfn``, and a request larger than
  ``cma->available_count`` stops early).  The areas a device tree or ``cma=`` declares have
  one range, so every version gives the same placement and the same failures.
  ``alloc_contig_range`` is assumed to succeed (no pinned or unmovable pages in the area; the
  kernel's -EBUSY retry at ``bitmap_no + mask + 1`` is not needed then): the what-if is about
  room, alignment and fragmentation, not migration;
- the DMA API in front of it (kernel/dma/contiguous.c; a device without an IOMMU, through
  dma-direct, which page-aligns the size first): ``align = "default"`` is
  ``dma_alloc_contiguous`` -> ``cma_alloc_aligned``: ``cma_alloc(cma, size >> PAGE_SHIFT,
  min(get_order(size), CONFIG_CMA_ALIGNMENT))``; a device with its own area
  (``dev->cma_area``, set by ``rmem_cma_device_init`` from its first ``memory-region``)
  always uses it; the default area is skipped for one-page buffers (``if (size <= PAGE_SIZE)
  return NULL``, 5.3+, unchanged through 6.12 and the 7.2 code read; before 5.3 dma-direct
  sent every blocking allocation to ``dma_alloc_from_contiguous``), which the page allocator
  then serves.  An explicit ``align = N`` is ``dma_alloc_from_contiguous(dev, count, N)``,
  which caps N at ``CONFIG_CMA_ALIGNMENT`` and has no one-page shortcut.
- Not modelled: per-NUMA areas (``CONFIG_DMA_PERNUMA_CMA`` / ``DMA_NUMA_CMA``, tried before
  the default area for allocations without GFP_DMA/GFP_DMA32; the dry run does not place
  them either), IOMMU-backed devices (``iommu_dma_alloc`` uses CMA only for contiguous
  requests), atomic (non-blocking) allocations, which never reach CMA, and what the page
  allocator does when CMA says no.

Sizes and positions in the bitmap are in bits; ``end`` is exclusive.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any

from cmacheck.model import DeviceTree
from cmacheck.records import record
from cmacheck.units import format_size, mem_value

__all__ = [
    "Alloc",
    "Area",
    "AreaReplay",
    "AreaResult",
    "Failure",
    "Free",
    "Request",
    "Workload",
    "WorkloadResult",
    "bitmap_find_next_zero_area_off",
    "cma_alignment_order",
    "cma_areas",
    "cma_bitmap_aligned_mask",
    "cma_bitmap_aligned_offset",
    "get_order",
    "minimum_size",
    "replay_area",
    "replay_workload",
]

DEFAULT = "default"
CMA_ALIGNMENT_DEFAULT = 8  # kernel/dma/Kconfig CMA_ALIGNMENT default


# ------------------------------------------------------------------------------ the workload


@record()
class Alloc:
    """``count`` buffers of ``size`` bytes from ``area``; ``align`` None = "default"."""

    label: str
    area: str  # "default", a reserved-memory node path or name, or a device node path
    size: int
    count: int = 1
    align: int | None = None
    line: int | None = None


@record()
class Free:
    """Free every buffer the allocation ``label`` obtained."""

    label: str
    line: int | None = None


Step = Alloc | Free


@record()
class Workload:
    source: str  # the file it came from
    steps: tuple[Step, ...]


# ----------------------------------------------------------------------------------- results


@record()
class Area:
    """One CMA area as the kernel sees it at runtime (base and size in bytes)."""

    name: str
    path: str | None
    base: int
    size: int
    default: bool  # dma_contiguous_default_area
    order_per_bit: int = 0


@record()
class Failure:
    """One buffer that the area does not give."""

    label: str
    index: int  # 1-based buffer number within the allocation's count
    area: str  # as the workload named it
    size: int
    reason: str
    line: int | None = None
    node: str | None = None  # the area's (or device's) node path when there is one


@record()
class AreaResult:
    area: Area
    buffers: int  # buffers asked of this area (after the page-allocator shortcut)
    failed: int
    peak_bytes: int
    padding_bytes: int  # free pages left below buffers by alignment, at allocation time
    used_after: int
    largest_free_after: int
    min_size: int | None  # smallest size (CMA alignment steps) that serves every buffer
    cma_option: str | None = None  # for the default area: the cma= value for min_size


@record()
class WorkloadResult:
    source: str
    areas: tuple[AreaResult, ...]
    failures: tuple[Failure, ...]
    page_allocator: tuple[tuple[str, int, int], ...] = ()  # (label, count, size) kept off CMA


# ----------------------------------------------------------------------- mm/cma.c, lib/bitmap.c


def get_order(size: int, page_size: int) -> int:
    """include/asm-generic/getorder.h get_order(): least order, PAGE_SIZE << order >= size."""
    pages = max(1, -(-size // page_size))
    return (pages - 1).bit_length()


def cma_bitmap_aligned_mask(order_per_bit: int, align_order: int) -> int:
    """mm/cma.c cma_bitmap_aligned_mask() (unchanged 3.19 .. 7.x)."""
    if align_order <= order_per_bit:
        return 0
    return (1 << (align_order - order_per_bit)) - 1


def cma_bitmap_aligned_offset(base_pfn: int, order_per_bit: int, align_order: int) -> int:
    """mm/cma.c cma_bitmap_aligned_offset(): the area base's misalignment, in bits.

    ``(base_pfn & ((1 << align_order) - 1)) >> order_per_bit`` in the 5.4 to 7.2 trees read;
    6.15+ takes the range's ``base_pfn`` (struct cma_memrange), the same value for a
    one-range area.
    """
    return (base_pfn & ((1 << align_order) - 1)) >> order_per_bit


class _Bitmap:
    """The set bits of a CMA bitmap as sorted, disjoint [start, end) runs (one per buffer)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.runs: list[tuple[int, int]] = []

    def next_zero(self, start: int) -> int:
        # find_next_zero_bit(map, size, start)
        i = bisect.bisect_right(self.runs, (start, 1 << 62)) - 1
        pos = start
        if i < 0:
            i = 0
        while i < len(self.runs):
            s, e = self.runs[i]
            if s > pos:
                break
            pos = max(pos, e)
            i += 1
        return min(pos, self.size)

    def next_set(self, start: int, end: int) -> int:
        # find_next_bit(map, end, start)
        i = bisect.bisect_right(self.runs, (start, 1 << 62)) - 1
        for s, e in self.runs[max(i, 0):]:
            if e > start:
                return min(max(s, start), end)
            if s >= end:
                break
        return end

    def set(self, start: int, count: int) -> None:
        bisect.insort(self.runs, (start, start + count))

    def clear(self, start: int, count: int) -> None:
        self.runs.remove((start, start + count))

    def used(self) -> int:
        return sum(e - s for s, e in self.runs)

    def largest_free(self) -> int:
        best, pos = 0, 0
        for s, e in self.runs:
            best = max(best, s - pos)
            pos = max(pos, e)
        return max(best, self.size - pos)

    def free_below(self, index: int) -> int:
        # length of the clear run that ends at ``index``
        prev = 0
        for _s, e in self.runs:
            if e <= index:
                prev = max(prev, e)
        return index - prev


def bitmap_find_next_zero_area_off(bitmap: _Bitmap, size: int, start: int, nr: int, align_mask: int,
                                   align_offset: int) -> int:
    """lib/bitmap.c bitmap_find_next_zero_area_off(): first fit at or after ``start``.

    Returns the index, or a value above ``size - nr`` (the kernel returns ``end``) when no
    aligned run of ``nr`` clear bits exists.
    """
    while True:
        index = bitmap.next_zero(start)
        # __ALIGN_MASK(index + align_offset, align_mask) - align_offset
        index = ((index + align_offset + align_mask) & ~align_mask) - align_offset
        end = index + nr
        if end > size:
            return end
        i = bitmap.next_set(index, end)
        if i < end:
            start = i + 1
            continue
        return index


# ------------------------------------------------------------------------------- the replay


@record()
class Request:
    """One buffer asked of an area (``pages`` already PAGE_ALIGNed, ``align`` capped)."""

    label: str
    index: int  # 1-based buffer number within the allocation
    area: str  # as the workload named it
    size: int
    pages: int
    align: int  # order, already capped
    line: int | None
    node: str | None  # the device or region node the workload named


@record()
class AreaReplay:
    failed: tuple[tuple[Request, str], ...]  # (request, reason)
    placed: tuple[tuple[Request, int], ...]  # (request, first bit) of each buffer served
    buffers: int
    peak: int
    padding: int
    used_after: int
    largest_free: int


def replay_area(area: Area, steps: Sequence[Request | str], page_size: int) -> AreaReplay:
    """mm/cma.c cma_alloc() / cma_release() for one area over its own steps in order.

    ``steps`` are the area's requests and the labels freed (str), in workload order.
    """
    page_shift = page_size.bit_length() - 1
    opb = area.order_per_bit
    base_pfn = area.base >> page_shift
    # cma_bitmap_maxno(): cma->count >> order_per_bit
    maxno = (area.size >> page_shift) >> opb
    bm = _Bitmap(maxno)
    held: dict[str, list[tuple[int, int]]] = {}
    failed: list[tuple[Request, str]] = []
    placed: list[tuple[Request, int]] = []
    buffers = peak = padding = 0
    for step in steps:
        if isinstance(step, str):
            for start, bits in held.pop(step, []):
                bm.clear(start, bits)  # cma_release() -> cma_clear_bitmap()
            continue
        mask = cma_bitmap_aligned_mask(opb, step.align)
        offset = cma_bitmap_aligned_offset(base_pfn, opb, step.align)
        # cma_bitmap_pages_to_bits(): ALIGN(pages, 1 << order_per_bit) >> order_per_bit
        bits = -(-step.pages // (1 << opb))
        mine = held.setdefault(step.label, [])
        buffers += 1
        no = bitmap_find_next_zero_area_off(bm, maxno, 0, bits, mask, offset)
        if no + bits > maxno or no >= maxno:
            failed.append((step, _why(bm, bits, mask, maxno, page_size << opb)))
            continue
        padding += min(bm.free_below(no), mask)
        bm.set(no, bits)
        mine.append((no, bits))
        placed.append((step, no))
        peak = max(peak, bm.used())
    unit = page_size << opb
    return AreaReplay(tuple(failed), tuple(placed), buffers, peak * unit, padding * unit,
                      bm.used() * unit, bm.largest_free() * unit)


def _why(bm: _Bitmap, bits: int, mask: int, maxno: int, unit: int) -> str:
    if bits > maxno:
        return f"larger than the whole area ({format_size(maxno * unit)})"
    unaligned = bitmap_find_next_zero_area_off(bm, maxno, 0, bits, 0, 0)
    if mask and unaligned + bits <= maxno:
        return (f"no free run aligned to {format_size((mask + 1) * unit)} "
                f"(an unaligned one exists; largest free block "
                f"{format_size(bm.largest_free() * unit)})")
    return (f"no free run of {format_size(bits * unit)} "
            f"(largest free block {format_size(bm.largest_free() * unit)}, "
            f"{format_size((maxno - bm.used()) * unit)} free in all)")


def _fits(area: Area, steps: Sequence[Request | str], page_size: int) -> bool:
    return not replay_area(area, steps, page_size).failed


def minimum_size(area: Area, steps: Sequence[Request | str], page_size: int,
                 step: int) -> int | None:
    """Smallest area size, a multiple of ``step`` (the CMA alignment), that serves every
    buffer, at the same base: binary search, since a size that serves them all serves them
    all at any larger size (first fit never looks past the first run that fits)."""
    if not any(isinstance(s, Request) for s in steps):
        return 0
    hi = max(step, area.size - area.size % step)
    for _ in range(64):
        if _fits(Area(area.name, area.path, area.base, hi, area.default, area.order_per_bit),
                 steps, page_size):
            break
        hi *= 2
    else:
        return None
    lo = 0  # in steps: lo fails (or is 0), hi fits
    hi_steps = hi // step
    while hi_steps - lo > 1:
        mid = (lo + hi_steps) // 2
        trial = Area(area.name, area.path, area.base, mid * step, area.default,
                     area.order_per_bit)
        if _fits(trial, steps, page_size):
            hi_steps = mid
        else:
            lo = mid
    return hi_steps * step


# ------------------------------------------------------------------------- resolving areas


def cma_areas(run: Any) -> tuple[Area, ...]:
    """The CMA areas that exist after boot: dry-run regions created with the cma driver."""
    out = []
    for r in run.all_regions:
        if r.status == "created" and r.driver == "cma" and r.base is not None:
            out.append(Area(r.name, r.path, r.base, r.size, r.default == "cma"))
    return tuple(out)


@record()
class _Target:
    area: Area | None
    why: str | None  # why there is no area
    node: str | None  # where a finding points
    via_default: bool  # dev->cma_area is NULL: dma_alloc_contiguous() uses the default area


def _gone(run: Any, r: Any) -> str:
    facts = run.facts.region_facts.get(r.path or r.name)
    why = f": {facts.reason}" if facts is not None and facts.reason else ""
    what = r.path or ("the default CMA area" if r.origin == "default-cma" else r.name)
    return f"{what} was not created at boot (status {r.status}{why})"


def _resolve(name: str, run: Any, dt: DeviceTree | None, areas: Sequence[Area]) -> _Target:
    """The area a workload step names: ``default``, a region (path or name: a device whose
    ``memory-region`` is that region, ``dev->cma_area``) or a device node path."""
    if name == DEFAULT:
        default = next((a for a in areas if a.default), None)
        if default is not None:
            return _Target(default, None, default.path, True)
        gone = [r for r in run.all_regions if r.default == "cma"]
        if gone:
            return _Target(None, _gone(run, gone[-1]), gone[-1].path, True)
        return _Target(None, "there is no default CMA area (CONFIG_DMA_CMA off, or size 0)",
                       None, True)
    region = run.region(name) or _by_basename(run, name)
    device = None
    if region is None and dt is not None and name.startswith("/"):
        node = dt.node(name)
        if node is None:
            return _Target(None, f"unknown area '{name}': no such node", None, False)
        device = name
        p = node.prop("memory-region")
        if p is None or not p.value or len(p.value) % 4:
            # no memory-region: dev->cma_area is NULL, the device uses the default area
            t = _resolve(DEFAULT, run, dt, areas)
            return _Target(t.area, t.why, device, True)
        target = dt.by_phandle(p.cells[0])  # of_reserved_mem_device_init(): index 0
        if target is None:
            return _Target(None, "its memory-region points at no node", device, False)
        region = run.region(target.path)
        if region is None:
            return _Target(None, f"its memory-region {target.path} is not a reserved region",
                           device, False)
    if region is None:
        return _Target(None, f"unknown area '{name}'", None, False)
    for a in areas:
        if (a.path and a.path == region.path) or (not a.path and a.name == region.name):
            return _Target(a, None, device or a.path, False)
    if region.status != "created":
        return _Target(None, _gone(run, region), device or region.path, False)
    return _Target(None, (f"{region.path or region.name} is not a CMA area (driver "
                          f"{region.driver})"), device or region.path, False)


def _by_basename(run: Any, name: str) -> Any:
    # "vpu" for /reserved-memory/vpu@50000000 when only one region is called that
    found = [r for r in run.all_regions if r.path and r.name.split("@")[0] == name]
    return found[0] if len(found) == 1 else None


def replay_workload(workload: Workload, *, run: Any, dt: DeviceTree | None, page_size: int,
                    version: tuple[int, int, int], cma_alignment: int,
                    cma_alignment_order: int = CMA_ALIGNMENT_DEFAULT) -> WorkloadResult:
    """Replay ``workload`` on the dry run's CMA areas (see the module docstring).

    ``cma_alignment`` is CMA_MIN_ALIGNMENT_BYTES (the size search step);
    ``cma_alignment_order`` is CONFIG_CMA_ALIGNMENT.
    """
    areas = cma_areas(run)
    failures: list[Failure] = []
    page_alloc: list[tuple[str, int, int]] = []
    per_area: dict[str, list[Request | str]] = {}
    area_of: dict[str, Area] = {}
    label_area: dict[str, str] = {}
    resolved: dict[str, _Target] = {}
    for step in workload.steps:
        if isinstance(step, Free):
            key = label_area.pop(step.label, None)
            if key is not None:
                per_area[key].append(step.label)
            continue
        if step.area not in resolved:
            resolved[step.area] = _resolve(step.area, run, dt, areas)
        target = resolved[step.area]
        area = target.area
        if area is None:
            for i in range(step.count):
                failures.append(Failure(step.label, i + 1, step.area, step.size,
                                        target.why or "no such area", step.line, target.node))
            continue
        pages = -(-step.size // page_size)  # dma-direct: size = PAGE_ALIGN(size)
        if step.align is None and target.via_default and pages <= 1 and version >= (5, 3, 0):
            # dma_alloc_contiguous(): "if (size <= PAGE_SIZE) return NULL" for the default area
            page_alloc.append((step.label, step.count, step.size))
            continue
        align = (min(get_order(step.size, page_size), cma_alignment_order) if step.align is None
                 else min(step.align, cma_alignment_order))
        key = area.path or area.name
        area_of[key] = area
        label_area[step.label] = key
        per_area.setdefault(key, []).extend(
            Request(step.label, i + 1, step.area, step.size, pages, align, step.line,
                     target.node)
            for i in range(step.count))
    results = []
    for key in sorted(per_area, key=lambda k: (area_of[k].base, k)):
        area = area_of[key]
        steps = per_area[key]
        r = replay_area(area, steps, page_size)
        for req, reason in r.failed:
            failures.append(Failure(req.label, req.index, req.area, req.size, reason, req.line,
                                    req.node))
        need = minimum_size(area, steps, page_size, cma_alignment)
        option = None
        if area.default and need is not None:
            option = f"cma={mem_value(need)}"
        results.append(AreaResult(area, r.buffers, len(r.failed), r.peak, r.padding,
                                  r.used_after, r.largest_free, need, option))
    failures.sort(key=lambda f: (f.line or 0, f.label, f.index))
    return WorkloadResult(workload.source, tuple(results), tuple(failures), tuple(page_alloc))


def cma_alignment_order(symbols: Mapping[str, str] | None) -> int:
    """Effective CONFIG_CMA_ALIGNMENT (Kconfig default 8)."""
    value = (symbols or {}).get("CMA_ALIGNMENT")
    try:
        return int(value) if value is not None else CMA_ALIGNMENT_DEFAULT
    except ValueError:
        return CMA_ALIGNMENT_DEFAULT
