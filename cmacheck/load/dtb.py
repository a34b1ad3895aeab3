"""DTB input through pylibfdt: the only module that imports libfdt.

``load_dtb`` reads a flattened tree (and applies overlays in order, as a bootloader
would with libfdt's ``fdt_overlay_apply``) into :class:`cmacheck.model.DeviceTree`.
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Sequence

import libfdt  # type: ignore[import-untyped]

from cmacheck.errors import InputError
from cmacheck.model import DeviceTree, Node, Prop

FDT_MAGIC = b"\xd0\x0d\xfe\xed"
# Overlays grow the base tree; libfdt needs the room up front (FDT_ERR_NOSPACE otherwise).
_OVERLAY_SLACK = 64 * 1024

# Limits that bound the work on hostile input, far above any real tree (the 4,489 DTBs of
# Debian's 6.12 arm64/armhf kernels have at most 1,112 nodes, depth 11, 50 reserved regions,
# 216 KiB).  The depth limit is the kernel's own: drivers/of/fdt.c:unflatten_dt_nodes keeps
# nodes down to FDT_MAX_DEPTH (64) levels and WARNs and skips deeper ones.
MAX_DEPTH = 64
MAX_NODES = 20_000
# /reserved-memory children: the kernel's array holds 64 before 6.12.  1,024 keeps a whole run
# (context, rules, dry run) well under a second; benchmarks/bench.py (d) builds its 10,000-region
# trees through the model, not this loader.
MAX_RESERVED_REGIONS = 1024
MAX_MEMRESERVE = 1024  # /memreserve/ entries
MAX_LIST_BYTES = 16 * 1024  # reg / alloc-ranges / linux,usable-memory: 1,024 <2 2> entries
MAX_DTB_BYTES = 64 * 1024 * 1024  # arm64 and riscv map at most 2 MiB (MAX_FDT_SIZE)


SOURCE_SUFFIXES = (".dts", ".dtsi", ".dtso")
_NOT_DT = "not a DTB (bad magic) and not DTS source (.dts/.dtsi/.dtso)"


def tree_kind(path: str) -> str:
    """"dtb" or "dts": a DTB by content (magic) whatever its name, else DTS source by name.

    Raises:
        InputError: unreadable, a directory, or neither.
    """
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a device tree") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    if magic == FDT_MAGIC:
        return "dtb"
    if path.lower().endswith(SOURCE_SUFFIXES):
        return "dts"
    raise InputError(path, _NOT_DT)


def read_file(path: str) -> bytes:
    """The bytes of ``path``, or an InputError naming it (never modifies the file)."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_DTB_BYTES + 1)
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a device tree") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    if len(data) > MAX_DTB_BYTES:
        raise InputError(path, f"larger than {MAX_DTB_BYTES >> 20} MiB: not a device tree "
                         "(the kernel maps at most 2 MiB on arm64 and riscv)")
    return data


def _fdt_error(path: str, err: int, what: str) -> InputError:
    return InputError(path, f"{what} ({libfdt.fdt_strerror(-abs(err))})")


def _open_fdt(path: str, data: bytes) -> libfdt.Fdt:
    if len(data) < 40 or data[:4] != FDT_MAGIC:
        if data[:4] == FDT_MAGIC:
            raise InputError(path, f"truncated DTB: {len(data)} bytes, shorter than the header")
        raise InputError(path, "not a DTB (bad magic; for DTS source use a .dts/.dtsi/.dtso name)")
    total = int.from_bytes(data[4:8], "big")
    if total > len(data):
        raise InputError(path, f"truncated DTB: header says {total} bytes, file has {len(data)}")
    err = libfdt.fdt_check_full(bytearray(data[:total]), total)
    if err:
        raise _fdt_error(path, err, "corrupt DTB")
    try:
        return libfdt.Fdt(data[:total])
    except libfdt.FdtException as e:
        raise _fdt_error(path, e.err, "corrupt DTB") from None


def apply_overlays(path: str, base: bytes, overlays: Sequence[str]) -> bytes:
    """Apply ``.dtbo`` files in order with libfdt (the base must carry ``__symbols__``)."""
    buf = bytes(base)
    for ovl_path in overlays:
        ovl = read_file(ovl_path)
        _open_fdt(ovl_path, ovl)  # same validation as a base tree
        fdt = libfdt.Fdt(buf)
        fdt.resize(len(buf) + len(ovl) + _OVERLAY_SLACK)
        work = fdt.as_bytearray()
        err = libfdt.fdt_overlay_apply(work, bytearray(ovl))
        if err:
            hint = ""
            if _missing(buf, "/__symbols__") and not _missing(ovl, "/__fixups__"):
                hint = f"; {path} has no __symbols__ (compile it with dtc -@)"
            raise InputError(ovl_path, f"cannot apply overlay to {path}: "
                             f"{libfdt.fdt_strerror(err)}{hint}")
        packed = libfdt.Fdt(bytes(work))
        packed.pack()
        buf = bytes(packed.as_bytearray())
    return buf


def _missing(data: bytes, path: str) -> bool:
    return int(libfdt.Fdt(data).path_offset(path, (libfdt.NOTFOUND,))) < 0


_NOT_TEXT = "corrupt DTB (a node or property name is not text)"
# dtc never writes these; the kernel would print them raw into one-line messages.  Patterns,
# not compiled at import: only a name that is not printable ASCII is searched (re caches them).
_CONTROL = r"[\x00-\x1f\x7f]"
_SURROGATE = r"[\ud800-\udfff]"  # pylibfdt's surrogateescape of bytes not UTF-8


def _check_name(path: str, kind: str, where: str, name: str) -> None:
    if re.search(_SURROGATE, name):
        raise InputError(path, _NOT_TEXT)
    if re.search(_CONTROL, name):
        raise InputError(path, f"corrupt DTB (a {kind} name in {where} contains a control "
                         f"character: {name!r})")


def _props(path: str, fdt: libfdt.Fdt, node: Node) -> None:
    poff = fdt.first_property_offset(node.offset, (libfdt.NOTFOUND,))
    while poff >= 0:
        p = fdt.get_property_by_offset(poff)
        name: str = p.name
        _check_name(path, "property", node.path, name)
        node.props[name] = Prop(name, bytes(p))
        poff = fdt.next_property_offset(poff, (libfdt.NOTFOUND,))


def _too_many_nodes(path: str) -> InputError:
    return InputError(path, f"more than {MAX_NODES} nodes: cmacheck reads at most "
                      f"{MAX_NODES} (real trees have a few thousand at most)")


def _too_deep(path: str, npath: str) -> InputError:
    return InputError(path, f"nodes nested {MAX_DEPTH} or more levels deep: the kernel "
                      "(drivers/of/fdt.c:unflatten_dt_nodes, FDT_MAX_DEPTH) skips them",
                      node=npath)


def walk_libfdt(path: str, fdt: libfdt.Fdt) -> Node:
    """The tree in one linear pass of fdt_next_node (as the kernel's unflatten_dt_nodes does),
    with the limits above; no recursion, and no sibling skipping over deep subtrees.

    The reference for :func:`_walk_struct`, and what runs when that one meets anything
    unusual (a pre-v17 blob, a name that is not UTF-8)."""
    root = Node(name="", path="/", offset=0)
    _props(path, fdt, root)
    open_nodes = [root]  # open_nodes[d]: the node at depth d on the current path
    offset, depth, count = 0, 0, 1
    while True:
        offset, depth = fdt.next_node(offset, depth, (libfdt.NOTFOUND, libfdt.BADOFFSET))
        if offset < 0 or depth <= 0:
            return root
        count += 1
        if count > MAX_NODES:
            raise _too_many_nodes(path)
        parent = open_nodes[depth - 1]
        name: str = fdt.get_name(offset)
        _check_name(path, "node", parent.path, name)
        npath = f"{parent.path.rstrip('/')}/{name}"
        if depth >= MAX_DEPTH:
            raise _too_deep(path, npath)
        node = Node(name=name, path=npath, offset=offset)
        parent.children.append(node)
        del open_nodes[depth:]
        open_nodes.append(node)
        _props(path, fdt, node)


_FDT_BEGIN_NODE, _FDT_END_NODE, _FDT_PROP, _FDT_NOP = 1, 2, 3, 4
# The structure block as big-endian 32-bit words ("I" is 4 bytes on every CPython platform
# cmacheck runs on; _walk falls back to libfdt where it is not).
_WORD = "I" if array("I").itemsize == 4 else ""
_SWAP = sys.byteorder == "little"


class _Unusual(Exception):
    """The structure block holds something _walk_struct leaves to libfdt."""


def _walk(path: str, data: bytes, fdt: libfdt.Fdt) -> Node:
    """The tree of a blob that fdt_check_full accepted: read straight from the structure block
    (one Python->C call per property through pylibfdt was most of a batch run's time), or by
    :func:`walk_libfdt` when the blob is unusual.  Both give the same tree and the same
    errors (tests/test_dtb.py compares them on every DTB of the repository and on fuzzed
    blobs)."""
    try:
        return _walk_struct(path, data)
    except (_Unusual, ValueError, IndexError):
        # ValueError includes UnicodeDecodeError: libfdt's walk gives the exact message.
        return walk_libfdt(path, fdt)


def _walk_struct(path: str, data: bytes) -> Node:
    """fdt_next_node / fdt_first_property_offset semantics on the raw tokens: a node's
    properties are the FDT_PROP tokens (NOPs between them skipped) up to its first
    subnode or its end; the walk stops at the end of the root node."""
    data = bytes(data)  # property values are bytes, as pylibfdt gives them
    version = int.from_bytes(data[20:24], "big")
    if version < 17 or not _WORD:  # older layouts: property alignment, no size_dt_struct
        raise _Unusual
    off_struct = int.from_bytes(data[8:12], "big")
    off_strings = int.from_bytes(data[12:16], "big")
    size_strings = int.from_bytes(data[32:36], "big")
    size_struct = int.from_bytes(data[36:40], "big")
    block = data[off_struct:off_struct + size_struct]
    strings = data[off_strings:off_strings + size_strings]
    words = array(_WORD)  # words[i]: the token (or length, name offset) at byte 4 * i
    words.frombytes(block[: len(block) & ~3])
    if _SWAP:
        words.byteswap()
    if not words or words[0] != _FDT_BEGIN_NODE:
        raise _Unusual  # libfdt's own walk reports it (FDT_ERR_BADOFFSET)
    find = block.index
    new_prop = Prop
    root = Node(name="", path="/", offset=0)
    stack = [root]  # stack[d]: the node at depth d on the current path
    node = root
    props = root.props
    names: dict[int, str] = {}  # nameoff -> name, checked on first use
    count = 1
    i = (find(b"\0", 4) + 4) >> 2  # the root's name is not used
    while True:
        # The node's own properties.
        while True:
            tok = words[i]
            if tok == _FDT_PROP:
                size = words[i + 1]
                try:
                    name = names[words[i + 2]]
                except KeyError:
                    nameoff = words[i + 2]
                    name = strings[nameoff:strings.index(b"\0", nameoff)].decode()
                    if not (name.isascii() and name.isprintable()):
                        _check_name(path, "property", node.path, name)
                    names[nameoff] = name
                start = 4 * i + 12
                props[name] = new_prop(name, block[start:start + size])
                i += 3 + ((size + 3) >> 2)
            elif tok == _FDT_NOP:
                i += 1
            else:
                break
        # Up to the next subnode (properties after a subnode belong to no node for libfdt).
        while True:
            tok = words[i]
            if tok == _FDT_BEGIN_NODE:
                break
            if tok == _FDT_END_NODE:
                stack.pop()
                if not stack:
                    return root
                node = stack[-1]
                i += 1
            elif tok == _FDT_PROP:
                i += 3 + ((words[i + 1] + 3) >> 2)
            elif tok == _FDT_NOP:
                i += 1
            else:
                raise _Unusual
        count += 1
        if count > MAX_NODES:
            raise _too_many_nodes(path)
        offset = 4 * i
        end = find(b"\0", offset + 4)
        name = block[offset + 4:end].decode()
        if not (name.isascii() and name.isprintable()):
            _check_name(path, "node", node.path, name)
        npath = f"{node.path.rstrip('/')}/{name}"
        if len(stack) >= MAX_DEPTH:
            raise _too_deep(path, npath)
        child = Node(name=name, path=npath, offset=offset)
        node.children.append(child)
        stack.append(child)
        node = child
        props = child.props
        i = (end + 4) >> 2


def _check_limits(dt: DeviceTree) -> None:
    lists: list[tuple[Node, str]] = []
    rmem = dt.lookup("/reserved-memory")
    if rmem is not None:
        if len(rmem.children) > MAX_RESERVED_REGIONS:
            raise InputError(dt.source, f"{len(rmem.children)} reserved-memory regions: "
                             f"cmacheck reads at most {MAX_RESERVED_REGIONS} (the kernel "
                             "records 64 before 6.12)", node=rmem.path)
        lists += [(c, name) for c in rmem.children for name in ("reg", "alloc-ranges")]
    for n in dt.root.children:
        lists += [(n, name) for name in ("reg", "linux,usable-memory")]
    chosen = dt.node("/chosen") or dt.node("/chosen@0")
    if chosen is not None:
        lists.append((chosen, "linux,usable-memory-range"))
    for n, name in lists:
        p = n.props.get(name)
        if p is not None and len(p.value) > MAX_LIST_BYTES:
            raise InputError(dt.source, f"{name} is {len(p.value)} bytes: cmacheck reads at "
                             f"most {MAX_LIST_BYTES} ({MAX_LIST_BYTES // 16} entries of 4 cells)",
                             node=n.path)


def parse_dtb(path: str, data: bytes, overlays: Sequence[str] = ()) -> DeviceTree:
    """Build the model from DTB bytes (``path`` names it in messages)."""
    fdt = _open_fdt(path, data)
    if overlays:
        data = apply_overlays(path, data[: fdt.totalsize()], overlays)
        fdt = _open_fdt(path, data)
    try:
        root = _walk(path, data, fdt)
        rsv = []
        if fdt.num_mem_rsv() > MAX_MEMRESERVE:
            raise InputError(path, f"{fdt.num_mem_rsv()} /memreserve/ entries: cmacheck "
                             f"reads at most {MAX_MEMRESERVE}")
        for i in range(fdt.num_mem_rsv()):
            base, size = fdt.get_mem_rsv(i)
            rsv.append((int(base), int(size)))
    except libfdt.FdtException as e:
        raise _fdt_error(path, e.err, "corrupt DTB") from None
    except UnicodeDecodeError:
        raise InputError(path, _NOT_TEXT) from None
    except SystemError as e:
        # pylibfdt's get_property_by_offset wraps the UnicodeDecodeError of a name that is
        # not UTF-8 into a SystemError.
        if isinstance(e.__cause__, UnicodeDecodeError):
            raise InputError(path, _NOT_TEXT) from None
        raise
    dt = DeviceTree(
        source=path,
        root=root,
        memreserve=tuple(rsv),
        totalsize=int(fdt.totalsize()),
        overlays=tuple(overlays),
    )
    _check_limits(dt)
    return dt


def load_dtb(path: str, overlays: Sequence[str] = ()) -> DeviceTree:
    return parse_dtb(path, read_file(path), overlays)
