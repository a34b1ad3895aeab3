"""The facts the kernel reads from a device tree, decoded the way drivers/of/fdt.c does.

Pure functions over :class:`cmacheck.model.DeviceTree`.  Version-dependent meaning
(what an invalid ``reg`` does in E6, which order dynamic regions take) is left to the
dry run; this module only decodes and keeps the raw facts with their source locations.
"""

from __future__ import annotations

from cmacheck.model import DeviceTree, Node, Prop
from cmacheck.records import field, record

# drivers/of/fdt.c: dt_root_addr_cells / dt_root_size_cells default when the root lacks them
# (OF_ROOT_NODE_ADDR_CELLS_DEFAULT / OF_ROOT_NODE_SIZE_CELLS_DEFAULT).
ROOT_CELLS_DEFAULT = (1, 1)


@record()
class Cells:
    """``#address-cells`` / ``#size-cells`` in effect for a ``reg``-like property."""

    address: int
    size: int

    @property
    def entry_bytes(self) -> int:
        return (self.address + self.size) * 4


def read_number(cells: tuple[int, ...]) -> int:
    """dt_mem_next_cell(): big-endian cells folded into one integer."""
    value = 0
    for c in cells:
        value = (value << 32) | c
    return value


def decode_pairs(prop: Prop, cells: Cells) -> list[tuple[int, int]] | None:
    """``<base size>`` entries; None when the length is not a whole number of entries."""
    n = cells.address + cells.size
    value = prop.value
    if n == 0 or len(value) % (n * 4):
        return None
    # read_number() of each slice of cells, straight from the bytes (cells are big-endian u32)
    split, step = cells.address * 4, n * 4
    return [
        (int.from_bytes(value[i : i + split], "big"),
         int.from_bytes(value[i + split : i + step], "big"))
        for i in range(0, len(value), step)
    ]


def is_available(node: Node) -> bool:
    """of_fdt_device_is_available(): status absent, "okay" or "ok"."""
    p = node.prop("status")
    return p is None or p.string in ("okay", "ok")


def root_cells(dt: DeviceTree) -> Cells:
    """early_init_dt_scan_root(): #address-cells / #size-cells of the root, default 1/1."""
    ac = dt.root.cell_value("#address-cells")
    sc = dt.root.cell_value("#size-cells")
    return Cells(
        ROOT_CELLS_DEFAULT[0] if ac is None else ac,
        ROOT_CELLS_DEFAULT[1] if sc is None else sc,
    )


@record()
class MemoryBank:
    """One non-empty ``<base size>`` entry of a memory node."""

    base: int
    size: int
    node: str  # path of the memory node
    prop: str  # "reg" or "linux,usable-memory"


@record()
class MemoryNode:
    """A ``device_type = "memory"`` node and its banks."""

    node: Node
    available: bool
    banks: tuple[MemoryBank, ...]  # size-0 entries already dropped, as the kernel does
    placeholder: bool  # only size-0 entries or no reg: the bootloader is expected to fill it


def memory_nodes(dt: DeviceTree, cells: Cells) -> list[MemoryNode]:
    """Root children with ``device_type = "memory"`` (early_init_dt_scan_memory)."""
    out = []
    for node in dt.root.children:
        dtype = node.prop("device_type")
        if dtype is None or dtype.string != "memory":
            continue
        prop = node.prop("linux,usable-memory") or node.prop("reg")
        banks: list[MemoryBank] = []
        if prop is not None and cells.address + cells.size:
            raw = prop.cells if len(prop.value) % 4 == 0 else ()
            n = cells.address + cells.size
            # The kernel stops at a trailing partial entry.
            for i in range(0, len(raw) - n + 1, n):
                base = read_number(raw[i : i + cells.address])
                size = read_number(raw[i + cells.address : i + n])
                if size:
                    banks.append(MemoryBank(base, size, node.path, prop.name))
        out.append(MemoryNode(node, is_available(node), tuple(banks), not banks))
    return out


@record()
class Chosen:
    """What the kernel reads from ``/chosen`` early: bootargs, initrd, usable memory."""

    node: Node | None
    bootargs: str | None
    initrd: tuple[int, int] | None  # (start, end) exclusive, from linux,initrd-start/end
    usable_memory_range: tuple[tuple[int, int], ...]


def _int_prop(p: Prop | None) -> int | None:
    if p is None or len(p.value) not in (4, 8):
        return None
    return int.from_bytes(p.value, "big")


def chosen(dt: DeviceTree, cells: Cells) -> Chosen:
    """early_init_dt_scan_chosen(): /chosen (or /chosen@0)."""
    node = dt.node("/chosen") or dt.node("/chosen@0")
    if node is None:
        return Chosen(None, None, None, ())
    args = node.prop("bootargs")
    start = _int_prop(node.prop("linux,initrd-start"))
    end = _int_prop(node.prop("linux,initrd-end"))
    usable = node.prop("linux,usable-memory-range")
    ranges = decode_pairs(usable, cells) if usable is not None else None
    return Chosen(
        node,
        args.string if args is not None else None,
        (start, end) if start is not None and end is not None and end > start else None,
        tuple(ranges or ()),
    )


@record(frozen=False, eq=False)
class ReservedNode:
    """One child of /reserved-memory with the properties the kernel reads."""

    node: Node
    index: int  # position among the children, DT order

    @property
    def path(self) -> str:
        return self.node.path

    @property
    def name(self) -> str:
        """The kernel's name for the region: node name with unit address."""
        return self.node.name

    @property
    def available(self) -> bool:
        return is_available(self.node)

    @property
    def compatible(self) -> tuple[str, ...]:
        p = self.node.prop("compatible")
        return p.strings if p is not None else ()

    def is_compatible(self, compat: str) -> bool:
        """of_flat_dt_is_compatible(): whole string, case-insensitive."""
        return any(c.lower() == compat.lower() for c in self.compatible)

    @property
    def no_map(self) -> bool:
        return self.node.has("no-map")

    @property
    def reusable(self) -> bool:
        return self.node.has("reusable")

    @property
    def cma_default(self) -> bool:
        return self.node.has("linux,cma-default")

    @property
    def dma_default(self) -> bool:
        return self.node.has("linux,dma-default")

    @property
    def is_static(self) -> bool:
        """Has ``reg`` (any length): the kernel takes the static path first."""
        return self.node.has("reg")

    @property
    def phandle(self) -> int | None:
        return self.node.cell_value("phandle") or self.node.cell_value("linux,phandle")

    def reg(self, cells: Cells) -> list[tuple[int, int]] | None:
        p = self.node.prop("reg")
        return None if p is None else decode_pairs(p, cells)

    def number(self, prop: str, ncells: int) -> int | None:
        """``size`` (root size-cells) / ``alignment`` (root address-cells); None if bad length."""
        p = self.node.prop(prop)
        if p is None or len(p.value) != ncells * 4:
            return None
        return read_number(p.cells)

    def alloc_ranges(self, cells: Cells) -> list[tuple[int, int]] | None:
        p = self.node.prop("alloc-ranges")
        return None if p is None else decode_pairs(p, cells)


@record()
class ReservedMemory:
    """The ``/reserved-memory`` node: whether the kernel accepts it, and its children."""

    node: Node | None  # the /reserved-memory node, None if absent
    cells_ok: bool  # __reserved_mem_check_root(): cells equal to the root's and `ranges` present
    problems: tuple[str, ...]  # why cells_ok is False, one line each
    children: tuple[ReservedNode, ...] = field(default=())


def reserved_memory(dt: DeviceTree, cells: Cells) -> ReservedMemory:
    """The /reserved-memory node (fdt_path_offset semantics) and the root-format check."""
    node = dt.lookup("/reserved-memory")
    if node is None:
        return ReservedMemory(None, True, ())
    problems = []
    for prop, want in (("#size-cells", cells.size), ("#address-cells", cells.address)):
        have = node.cell_value(prop)
        if have is None:
            problems.append(f"{prop} is missing (root has {want})")
        elif have != want:
            problems.append(f"{prop} is {have} but the root's is {want}")
    if not node.has("ranges"):
        problems.append("ranges is missing")
    kids = tuple(ReservedNode(c, i) for i, c in enumerate(node.children))
    return ReservedMemory(node, not problems, tuple(problems), kids)


def memory_region_users(dt: DeviceTree) -> dict[int, list[str]]:
    """phandle -> paths of device nodes whose ``memory-region`` lists it."""
    users: dict[int, list[str]] = {}
    for n in dt.walk():
        p = n.prop("memory-region")
        if p is None or len(p.value) % 4:
            continue
        for ph in p.cells:
            users.setdefault(ph, []).append(n.path)
    return users


def max_dma_cpu_address(dt: DeviceTree) -> int | None:
    """of_dma_get_max_cpu_address(NULL) (drivers/of/address.c, 5.11+).

    Starting at the root and recursing into *available* children: for a node with a
    non-empty ``dma-ranges``, the highest CPU address its ranges reach
    (cpu address + size - 1, the bus address translated up through the ancestors'
    ``dma-ranges``); the result is the minimum over all such nodes.  None when no node
    limits DMA (the kernel's PHYS_ADDR_MAX).
    """
    result: int | None = None

    def visit(node: Node, parents: list[Node]) -> None:
        nonlocal result
        p = node.prop("dma-ranges")
        if p is not None and p.value:
            limit = _dma_ranges_max(node, parents, p)
            if limit is not None:
                result = limit if result is None else min(result, limit)
        for c in node.children:
            if is_available(c):
                visit(c, [*parents, node])

    visit(dt.root, [])
    return result


def _n_cells(chain: list[Node], name: str) -> int:
    """of_n_addr_cells()/of_n_size_cells(): the nearest ancestor's value, default 1."""
    for n in reversed(chain):
        v = n.cell_value(name)
        if v is not None:
            return v
    return 1


def _dma_ranges_max(node: Node, parents: list[Node], prop: Prop) -> int | None:
    # of_dma_range_parser_init(): child bus address with the node's own (inherited)
    # #address-cells, parent bus address with the parent's, size with the node's
    # #size-cells.
    chain = [*parents, node]
    na = _n_cells(chain, "#address-cells")
    ns = _n_cells(chain, "#size-cells")
    pna = _n_cells(parents, "#address-cells") if parents else na
    n = na + pna + ns
    # All cells 0: the kernel's range parser would never advance; treat it as no limit.
    if n == 0 or len(prop.value) % 4 or len(prop.value) % (n * 4):
        return None
    raw = prop.cells
    best: int | None = None
    for i in range(0, len(raw), n):
        paddr = read_number(raw[i + na : i + na + pna])
        size = read_number(raw[i + na + pna : i + n])
        cpu = _dma_translate(paddr, parents)
        if cpu is None:  # OF_BAD_ADDR: the kernel's sum wraps; treat as "no limit"
            continue
        end = cpu + size - 1
        best = end if best is None else max(best, end)
    return best


def _dma_translate(addr: int, parents: list[Node]) -> int | None:
    """of_translate_dma_address(): up through each ancestor bus's ``dma-ranges``.

    ``addr`` lives in the bus of ``parents[-1]``; a bus without ``dma-ranges`` (or with
    an empty one) maps 1:1; an address no range covers cannot be translated (None).
    """
    for depth in range(len(parents) - 1, 0, -1):
        bus = parents[depth]
        ranges = bus.prop("dma-ranges")
        if ranges is None or not ranges.value:
            continue
        na = _n_cells(parents[: depth + 1], "#address-cells")
        ns = _n_cells(parents[: depth + 1], "#size-cells")
        pna = _n_cells(parents[:depth], "#address-cells")
        n = na + pna + ns
        if n == 0 or len(ranges.value) % 4 or len(ranges.value) % (n * 4):
            return None
        raw = ranges.cells
        for i in range(0, len(raw), n):
            child = read_number(raw[i : i + na])
            par = read_number(raw[i + na : i + na + pna])
            size = read_number(raw[i + na + pna : i + n])
            if child <= addr < child + size:
                addr = par + (addr - child)
                break
        else:
            return None
    return addr
