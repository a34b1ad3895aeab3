"""Assemble flattened device trees (FDT v17) from plain Python data, for fuzzing.

libfdt can build trees too, but only through its own checks; the fuzzers also want trees that
are well formed but hostile (100,000 levels deep, 4 GiB property lengths in the header of a
property, a million regions), and mutations of valid blobs, so the writer is done by hand.
Serialisation is iterative: depth is limited only by memory.

A tree is ``(name, [(prop_name, value_bytes), ...], [child, ...])``.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Iterable, Sequence

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE = 1
FDT_END_NODE = 2
FDT_PROP = 3
FDT_NOP = 4
FDT_END = 9
HEADER_SIZE = 40

Tree = tuple[str, list[tuple[str, bytes]], list["Tree"]]


def _pad4(b: bytes) -> bytes:
    return b + b"\0" * (-len(b) % 4)


def cells(*values: int) -> bytes:
    """Big-endian 32-bit cells (values are masked to 32 bits)."""
    return b"".join(struct.pack(">I", v & 0xFFFFFFFF) for v in values)


def u64s(*values: int) -> bytes:
    """Values as two cells each (masked to 64 bits)."""
    return b"".join(struct.pack(">Q", v & (2**64 - 1)) for v in values)


def string(*values: str) -> bytes:
    return b"".join(v.encode() + b"\0" for v in values)


class _Strings:
    def __init__(self) -> None:
        self.blob = bytearray()
        self.offsets: dict[bytes, int] = {}

    def offset(self, name: bytes) -> int:
        off = self.offsets.get(name)
        if off is None:
            off = len(self.blob)
            self.offsets[name] = off
            self.blob += name + b"\0"
        return off


def struct_block(tree: Tree, strings: _Strings) -> bytes:
    """The structure block for ``tree``, iteratively (no recursion limit)."""
    out = bytearray()
    # stack of (node, state): state 0 = open, 1 = close
    stack: list[tuple[Tree | None, bool]] = [(tree, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            out += struct.pack(">I", FDT_END_NODE)
            continue
        assert node is not None
        name, props, children = node
        out += struct.pack(">I", FDT_BEGIN_NODE) + _pad4(name.encode() + b"\0")
        for pname, value in props:
            out += struct.pack(">III", FDT_PROP, len(value), strings.offset(pname.encode()))
            out += _pad4(value)
        stack.append((None, True))
        for child in reversed(children):
            stack.append((child, False))
    out += struct.pack(">I", FDT_END)
    return bytes(out)


def assemble(
    tree: Tree,
    memreserve: Iterable[tuple[int, int]] = (),
    *,
    boot_cpuid: int = 0,
    version: int = 17,
) -> bytes:
    """A complete, valid FDT blob (header, memreserve map, structure, strings)."""
    strings = _Strings()
    dt_struct = struct_block(tree, strings)
    rsv = b"".join(struct.pack(">QQ", b & (2**64 - 1), s & (2**64 - 1)) for b, s in memreserve)
    rsv += struct.pack(">QQ", 0, 0)
    off_rsv = HEADER_SIZE  # already 8-aligned
    off_struct = off_rsv + len(rsv)
    off_strings = off_struct + len(dt_struct)
    total = off_strings + len(strings.blob)
    header = struct.pack(
        ">10I",
        FDT_MAGIC,
        total,
        off_struct,
        off_strings,
        off_rsv,
        version,
        16,
        boot_cpuid,
        len(strings.blob),
        len(dt_struct),
    )
    return header + rsv + dt_struct + bytes(strings.blob)


def nested(depth: int, leaf_props: Sequence[tuple[str, bytes]] = ()) -> Tree:
    """A root with a chain of ``depth`` nested nodes (built iteratively)."""
    node: Tree = ("n", list(leaf_props), [])
    for _ in range(depth - 1):
        node = ("n", [], [node])
    return ("", [("#address-cells", cells(2)), ("#size-cells", cells(2))], [node])


def board(
    regions: Sequence[Tree],
    *,
    address_cells: int = 2,
    size_cells: int = 2,
    memory: Sequence[tuple[int, int]] = ((0x40000000, 0x80000000),),
    bootargs: str | None = None,
    rmem_props: Sequence[tuple[str, bytes]] | None = None,
    extra: Sequence[Tree] = (),
) -> Tree:
    """A small but complete board: memory node, /chosen, /reserved-memory with ``regions``."""
    ac, sc = min(address_cells, 6), min(size_cells, 6)  # #cells may be absurd, values not
    reg = b"".join(number(b, ac) + number(s, sc) for b, s in memory)
    if rmem_props is None:
        rmem_props = [
            ("#address-cells", cells(address_cells)),
            ("#size-cells", cells(size_cells)),
            ("ranges", b""),
        ]
    chosen: list[tuple[str, bytes]] = []
    if bootargs is not None:
        chosen.append(("bootargs", string(bootargs)))
    return (
        "",
        [
            ("#address-cells", cells(address_cells)),
            ("#size-cells", cells(size_cells)),
            ("compatible", string("fuzz,board")),
        ],
        [
            ("chosen", chosen, []),
            ("memory@40000000", [("device_type", string("memory")), ("reg", reg)], []),
            ("reserved-memory", list(rmem_props), list(regions)),
            *extra,
        ],
    )


# ------------------------------------------------------------------ hostile content
#
# Everything below draws from a ``random.Random``: atheris' custom mutator seeds one per call,
# hypothesis hands one out through ``st.randoms()`` (deterministic and shrinkable).

INTERESTING_64 = (
    0, 1, 0xFFF, 0x1000, 0x100000, 0x40000000, 0x50000000, 0x7FFFFFFF, 0x80000000,
    0xFFFFFFFF, 1 << 32, (1 << 32) + 0x1000, 1 << 63, (1 << 64) - 1, (1 << 64) - 0x1000,
    (1 << 64) - (1 << 20), (1 << 64) - 0x40000000, 0xC0000000,
)
INTERESTING_32 = (0, 1, 2, 3, 4, 7, 0x10, 0x28, 0x38, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                  0xFFFFFFFC, 0x10000, 0x1000000)
_COMPATIBLES = ("shared-dma-pool", "restricted-dma-pool", "ramoops", "Shared-DMA-Pool",
                "fuzz,junk", "")
_BOOTARGS_WORDS = (
    "cma=64M", "cma=0", "cma=", "cma", "cma=18446744073709551615", "cma=64M@0x50000000",
    "cma=64M@0x50000000-0x60000000", "cma=1E", "cma=16E", "cma=-1", "mem=1G", "mem=0", "mem=",
    "mem=64K", "mem=1G@0x40000000", "cma_pernuma=16M", "numa_cma=0:16M,1:32M",
    "hugetlb_cma=0:1G,1:2G", "hugetlb_cma=2G", "memblock=debug", "earlycon",
    "initrd=0x48000000,0x800000", "crashkernel=256M", "--", "\"", "console=ttyS0", "a=\"b c\"",
)


def number(value: int, ncells: int) -> bytes:
    """``value`` as ``ncells`` big-endian cells (truncated like the kernel's dt_mem_next_cell)."""
    return cells(*[(value >> (32 * (ncells - 1 - i))) & 0xFFFFFFFF for i in range(ncells)])


def _value(rng: random.Random, ram: tuple[int, int]) -> int:
    r = rng.random()
    if r < 0.45:
        return rng.choice(INTERESTING_64)
    if r < 0.8:
        base, size = ram
        return base + rng.randrange(0, max(size, 1)) // 0x1000 * 0x1000
    if r < 0.9:
        return rng.choice(INTERESTING_64) + rng.randrange(-0x1000, 0x1000)
    return rng.getrandbits(64)


def _ncells(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.6:
        return 2
    if r < 0.85:
        return 1
    return rng.choice((0, 3, 4, 5, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 16))


def _name(rng: random.Random, i: int) -> str:
    r = rng.random()
    if r < 0.6:
        return f"r{i}@{rng.getrandbits(32):x}"
    if r < 0.7:
        return "linux,cma"
    if r < 0.8:
        return f"r{i}"
    if r < 0.85:
        return "x" * rng.choice((1, 31, 200, 5000))
    if r < 0.9:
        return f"r{i}@"
    return rng.choice(("@", "a@b@c", "n\u00e9@1", "\x7f@0", f"r{i}@zz", "tab\there", "nl\nname"))


def _pairs(rng: random.Random, n: int, ac: int, sc: int, ram: tuple[int, int]) -> bytes:
    ac_ = min(ac, 6)
    sc_ = min(sc, 6)
    out = b"".join(number(_value(rng, ram), ac_) + number(_value(rng, ram), sc_)
                   for _ in range(n))
    if rng.random() < 0.1:  # not a whole number of entries
        out += b"\0" * rng.choice((1, 2, 3, 4, 8))
    return out


def hostile_region(rng: random.Random, i: int, ac: int, sc: int,
                   ram: tuple[int, int], many: bool = True) -> Tree:
    """One /reserved-memory child with any mix of the properties the kernel reads."""
    props: list[tuple[str, bytes]] = []
    if rng.random() < 0.7:
        n = rng.choice((0, 1, 1, 1, 2, 3))
        if many and rng.random() < 0.03:
            n = rng.randrange(50, 3000)
        props.append(("reg", _pairs(rng, n, ac, sc, ram)))
    if rng.random() < 0.4:
        props.append(("size", number(_value(rng, ram), rng.choice((sc, sc, 1, 2, 3)) % 8)))
    if rng.random() < 0.3:
        props.append(("alignment",
                      number(rng.choice((*INTERESTING_64, 0x400000, 0x2000000)),
                             rng.choice((ac, ac, 1, 2)) % 8)))
    if rng.random() < 0.25:
        props.append(("alloc-ranges", _pairs(rng, rng.choice((0, 1, 2, 3)), ac, sc, ram)))
    for flag, p in (("no-map", 0.3), ("reusable", 0.4), ("linux,cma-default", 0.25),
                    ("linux,dma-default", 0.1)):
        if rng.random() < p:
            props.append((flag, b"" if rng.random() < 0.9 else b"\1"))
    if rng.random() < 0.6:
        props.append(("compatible", string(*rng.sample(_COMPATIBLES, rng.choice((1, 1, 2))))))
    if rng.random() < 0.15:
        props.append(("status", string(rng.choice(("okay", "ok", "disabled", "fail", "")))))
    if rng.random() < 0.3:
        props.append(("phandle", cells(rng.choice((1, 2, 3, i + 1, 0, 0xFFFFFFFF)))))
    if rng.random() < 0.05:
        rng.shuffle(props)
    return (_name(rng, i), props, [])


def hostile_tree(rng: random.Random, scale: bool = True) -> tuple[Tree, list[tuple[int, int]]]:
    """A well-formed tree with hostile values: a board, its regions and /memreserve/ entries.

    ``scale=False`` leaves out the rare huge shapes (thousands of regions or entries, 30,000
    nodes, 3,000 levels) that only the long runs can afford."""
    ac, sc = (2, 2) if rng.random() < 0.6 else (_ncells(rng), _ncells(rng))
    ram = (rng.choice((0x40000000, 0x80000000, 0, 1 << 32, (1 << 64) - (1 << 30))),
           rng.choice((1 << 30, 1 << 31, 1 << 32, 0x1000, 0, 1 << 40)))
    r = rng.random()
    nreg = rng.randrange(0, 9) if r < 0.9 else rng.randrange(60, 300) if r < 0.98 else \
        rng.randrange(1000, 5000)
    if not scale:
        nreg = min(nreg, 70)
    regions = [hostile_region(rng, i, ac, sc, ram, scale and nreg < 20) for i in range(nreg)]
    memory: list[tuple[int, int]] = [ram] if rng.random() < 0.85 else []
    if rng.random() < 0.2:
        memory += [(_value(rng, ram), _value(rng, ram)) for _ in range(rng.randrange(1, 5))]
    bootargs = None
    if rng.random() < 0.6:
        bootargs = " ".join(rng.choice(_BOOTARGS_WORDS) for _ in range(rng.randrange(0, 6)))
    rmem_props: list[tuple[str, bytes]] | None = None
    if rng.random() < 0.15:
        rmem_props = [p for p in (("#address-cells", cells(rng.choice((ac, 1, 2, 3)))),
                                  ("#size-cells", cells(rng.choice((sc, 1, 2, 0)))),
                                  ("ranges", b"" if rng.random() < 0.8 else cells(0, 0, 0)))
                      if rng.random() < 0.8]
    extra: list[Tree] = []
    if rng.random() < 0.2:  # users of the regions, DMA limits
        extra.append(("soc", [("#address-cells", cells(rng.choice((1, 2)))),
                              ("#size-cells", cells(rng.choice((1, 2)))),
                              ("dma-ranges", _pairs(rng, rng.randrange(0, 3), 3, 1, ram))],
                      [("dev", [("memory-region", cells(*[rng.choice((1, 2, 3, 0xFFFFFFFF))
                                                          for _ in range(rng.randrange(0, 4))]))],
                        [])]))
    if rng.random() < 0.03:
        deep = nested(rng.choice((40, 63, 64, 65, 200, 3000) if scale else (40, 63, 64, 65)))
        extra.append(deep[2][0])
    if rng.random() < 0.02 and scale:
        extra += [(f"n{i}", [], []) for i in range(rng.choice((5000, 30000)))]
    tree = board(regions, address_cells=ac, size_cells=sc, memory=memory, bootargs=bootargs,
                 rmem_props=rmem_props, extra=extra)
    if rng.random() < 0.1:
        chosen = tree[2][0]
        chosen[1].extend([("linux,initrd-start", number(_value(rng, ram), rng.choice((1, 2)))),
                          ("linux,initrd-end", number(_value(rng, ram), rng.choice((1, 2))))])
    if rng.random() < 0.05:
        chosen = tree[2][0]
        chosen[1].append(("linux,usable-memory-range", _pairs(rng, 1, ac, sc, ram)))
    if rng.random() < 0.05:  # the root's own cells removed: kernel defaults 1/1
        tree = ("", [p for p in tree[1] if not p[0].startswith("#")], tree[2])
    r = rng.random()
    nrsv = 0 if r < 0.8 else rng.randrange(1, 5) if r < 0.97 or not scale else \
        rng.randrange(500, 3000)
    rsv = [(_value(rng, ram), _value(rng, ram)) for _ in range(nrsv)]
    return tree, rsv


def hostile_dtb(rng: random.Random, scale: bool = True) -> bytes:
    tree, rsv = hostile_tree(rng, scale)
    return assemble(tree, rsv)


# ------------------------------------------------------------------ mutating blobs

_HEADER_FIELDS = ("magic", "totalsize", "off_dt_struct", "off_dt_strings", "off_mem_rsvmap",
                  "version", "last_comp_version", "boot_cpuid_phys", "size_dt_strings",
                  "size_dt_struct")


def tokens(data: bytes) -> list[tuple[int, int]]:
    """(offset, tag) of the structure-block tokens, as far as they can be followed."""
    if len(data) < HEADER_SIZE:
        return []
    off = int.from_bytes(data[8:12], "big")
    size = int.from_bytes(data[36:40], "big")
    end = min(len(data), off + size)
    out: list[tuple[int, int]] = []
    while off + 4 <= end and len(out) < 100_000:
        tag = int.from_bytes(data[off : off + 4], "big")
        out.append((off, tag))
        if tag == FDT_BEGIN_NODE:
            nul = data.find(b"\0", off + 4, end)
            if nul < 0:
                break
            off = (nul + 1 + 3) & ~3
        elif tag == FDT_PROP:
            if off + 12 > end:
                break
            plen = int.from_bytes(data[off + 4 : off + 8], "big")
            off = (off + 12 + plen + 3) & ~3
        elif tag in (FDT_END_NODE, FDT_NOP):
            off += 4
        else:
            break
    return out


def _put32(buf: bytearray, off: int, value: int) -> None:
    if off >= 0 and off + 4 <= len(buf):
        buf[off : off + 4] = struct.pack(">I", value & 0xFFFFFFFF)


def _int32(rng: random.Random, old: int, length: int) -> int:
    r = rng.random()
    if r < 0.4:
        return rng.choice(INTERESTING_32)
    if r < 0.7:
        return old + rng.randrange(-16, 17)
    if r < 0.85:
        return length + rng.randrange(-16, 17)
    return rng.getrandbits(32)


def mutate(data: bytes, rng: random.Random, max_size: int = 1 << 22) -> bytes:
    """One to four structural edits of an FDT blob (header fields, tokens, property lengths,
    name offsets, values), then usually a repaired ``totalsize`` so the edit gets past the
    first check."""
    buf = bytearray(data)
    for _ in range(rng.randrange(1, 5)):
        toks = tokens(bytes(buf))
        op = rng.random()
        if op < 0.2 or not toks:
            field = rng.randrange(1, 10) if rng.random() < 0.95 else 0
            old = int.from_bytes(buf[field * 4 : field * 4 + 4], "big") if len(buf) >= 40 else 0
            _put32(buf, field * 4, _int32(rng, old, len(buf)))
        elif op < 0.4:
            props = [o for o, t in toks if t == FDT_PROP]
            if props:
                o = rng.choice(props)
                which = rng.choice((4, 4, 8))
                old = int.from_bytes(buf[o + which : o + which + 4], "big")
                _put32(buf, o + which, _int32(rng, old, len(buf)))
        elif op < 0.55:
            props = [o for o, t in toks if t == FDT_PROP]
            if props:  # a property value: interesting cells
                o = rng.choice(props)
                plen = int.from_bytes(buf[o + 4 : o + 8], "big")
                for k in range(0, min(plen, 64) - 3, 4):
                    if rng.random() < 0.3:
                        v = rng.choice(INTERESTING_64)
                        _put32(buf, o + 12 + k, v >> (32 * rng.randrange(2)))
        elif op < 0.65:
            o, _ = rng.choice(toks)
            _put32(buf, o, rng.choice((1, 2, 3, 4, 9, 0, 5, 0xFFFFFFFF)))
        elif op < 0.75:  # duplicate or delete a run of tokens, size fields kept in step
            i = rng.randrange(len(toks))
            j = min(len(toks) - 1, i + rng.randrange(1, 8))
            a, b = toks[i][0], toks[j][0]
            chunk = bytes(buf[a:b])
            if rng.random() < 0.5 and len(buf) + len(chunk) <= max_size:
                buf[a:a] = chunk * rng.choice((1, 1, 2, 50))
                delta = len(chunk)
            else:
                del buf[a:b]
                delta = -len(chunk)
            _fix_sizes(buf, a, delta)
        elif op < 0.85:  # insert NOPs or an extra END_NODE/BEGIN_NODE
            o, _ = rng.choice(toks)
            ins = rng.choice((struct.pack(">I", FDT_NOP), struct.pack(">I", FDT_END_NODE),
                              struct.pack(">I", FDT_BEGIN_NODE) + b"x\0\0\0",
                              struct.pack(">I", FDT_END)))
            buf[o:o] = ins
            _fix_sizes(buf, o, len(ins))
        elif op < 0.95 and buf:
            for _ in range(rng.randrange(1, 9)):
                buf[rng.randrange(len(buf))] = rng.getrandbits(8)
        elif buf:
            del buf[rng.randrange(len(buf)) :]
    if rng.random() < 0.7 and len(buf) >= 8:
        _put32(buf, 4, len(buf))
    return bytes(buf[:max_size])


def _fix_sizes(buf: bytearray, at: int, delta: int) -> None:
    if len(buf) < HEADER_SIZE:
        return
    fields = list(struct.unpack(">10I", bytes(buf[:HEADER_SIZE])))
    if fields[2] <= at <= fields[2] + fields[9]:
        fields[9] = (fields[9] + delta) & 0xFFFFFFFF
    for k in (3, 4):
        if fields[k] > at:
            fields[k] = (fields[k] + delta) & 0xFFFFFFFF
    fields[1] = (fields[1] + delta) & 0xFFFFFFFF
    buf[:HEADER_SIZE] = struct.pack(">10I", *fields)
