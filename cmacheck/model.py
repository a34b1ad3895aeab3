"""The device tree as the kernel sees it: a plain tree of nodes and raw properties.

No library types leak out of here: loaders (``load/dtb.py`` for pylibfdt, ``load/dts.py``
for dtc) build these objects, everything else reads them.  Property values stay raw
``bytes``; typed accessors raise :class:`PropError` naming the property, which callers
turn into an ``InputError`` or a finding.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from cmacheck.records import field, record


class PropError(ValueError):
    """A property cannot be decoded the way it was asked for."""


@record()
class SourceLoc:
    """Where a node or property was (last) defined in DTS source; lines are 1-based."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@record(frozen=False)
class Prop:
    """A property: its raw bytes, decoded on demand by the accessors below."""

    name: str
    value: bytes
    loc: SourceLoc | None = None

    def __len__(self) -> int:
        return len(self.value)

    @property
    def cells(self) -> tuple[int, ...]:
        """The value as big-endian 32-bit cells; raises PropError if not a multiple of 4."""
        if len(self.value) % 4:
            raise PropError(f"{self.name} is {len(self.value)} bytes, not a whole number of cells")
        return struct.unpack(f">{len(self.value) // 4}I", self.value)

    @property
    def strings(self) -> tuple[str, ...]:
        """The value as a NUL-separated string list (the kernel's view of `compatible`)."""
        if not self.value:
            return ()
        raw = self.value[:-1] if self.value.endswith(b"\0") else self.value
        return tuple(s.decode("utf-8", "replace") for s in raw.split(b"\0"))

    @property
    def string(self) -> str:
        """The first string (the kernel reads `status`, `bootargs` with strcmp/strlcpy)."""
        return self.value.split(b"\0", 1)[0].decode("utf-8", "replace")


@record(frozen=False, eq=False)
class Node:
    """A device-tree node: its properties and children, in FDT order."""

    name: str  # full node name with unit address ("linux,cma@b0000000"); "" for the root
    path: str  # "/reserved-memory/linux,cma@b0000000"
    offset: int = 0  # FDT structure-block offset: the kernel's tie-breaker when sorting
    props: dict[str, Prop] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    loc: SourceLoc | None = None

    @property
    def basename(self) -> str:
        """Name without the unit address."""
        return self.name.split("@", 1)[0]

    @property
    def unit_address(self) -> str | None:
        return self.name.split("@", 1)[1] if "@" in self.name else None

    def prop(self, name: str) -> Prop | None:
        return self.props.get(name)

    def has(self, name: str) -> bool:
        return name in self.props

    def child(self, name: str) -> Node | None:
        for c in self.children:
            if c.name == name:
                return c
        return None

    def walk(self) -> Iterator[Node]:
        """This node and all descendants in DT (structure block) order."""
        # Iterative: a recursive generator costs O(depth) per node and hits the recursion limit.
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def cell_value(self, name: str) -> int | None:
        """A one-cell property (#address-cells, phandle); None if absent or not 4 bytes."""
        p = self.props.get(name)
        if p is None or len(p.value) != 4:
            return None
        return int.from_bytes(p.value, "big")


@record(frozen=False, eq=False)
class DeviceTree:
    """A whole flattened tree: what the kernel receives from the bootloader."""

    source: str  # file name used in messages (the DTB or DTS given)
    root: Node
    memreserve: tuple[tuple[int, int], ...] = ()  # /memreserve/ entries, header order
    totalsize: int = 0  # fdt_totalsize(): what arm/arm64 reserve for the DTB itself
    overlays: tuple[str, ...] = ()
    _by_path: dict[str, Node] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_path = {n.path: n for n in self.root.walk()}

    def node(self, path: str) -> Node | None:
        """The node at exactly ``path``."""
        return self._by_path.get(path)

    def lookup(self, path: str) -> Node | None:
        """libfdt fdt_path_offset(): a component without '@' also matches ``name@unit``.

        The kernel (5.17+) finds /reserved-memory and /chosen this way.
        """
        node = self.root
        for comp in [c for c in path.split("/") if c]:
            found = node.child(comp)
            if found is None and "@" not in comp:
                found = next((c for c in node.children if c.basename == comp), None)
            if found is None:
                return None
            node = found
        return node

    def by_phandle(self, phandle: int) -> Node | None:
        for n in self.root.walk():
            if n.cell_value("phandle") == phandle or n.cell_value("linux,phandle") == phandle:
                return n
        return None

    def walk(self) -> Iterator[Node]:
        return self.root.walk()
