"""DTB input through pylibfdt: the only module that imports libfdt.

``load_dtb`` reads a flattened tree (and applies overlays in order, as a bootloader
would with libfdt's ``fdt_overlay_apply``) into :class:`cmacheck.model.DeviceTree`.
"""

from __future__ import annotations

from collections.abc import Sequence

import libfdt  # type: ignore[import-untyped]

from cmacheck.errors import InputError
from cmacheck.model import DeviceTree, Node, Prop

FDT_MAGIC = b"\xd0\x0d\xfe\xed"
# Overlays grow the base tree; libfdt needs the room up front (FDT_ERR_NOSPACE otherwise).
_OVERLAY_SLACK = 64 * 1024


def read_file(path: str) -> bytes:
    """The bytes of ``path``, or an InputError naming it (never modifies the file)."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a device tree") from None
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None


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


def _walk(fdt: libfdt.Fdt, offset: int, name: str, path: str) -> Node:
    node = Node(name=name, path=path or "/", offset=offset)
    poff = fdt.first_property_offset(offset, (libfdt.NOTFOUND,))
    while poff >= 0:
        p = fdt.get_property_by_offset(poff)
        node.props[p.name] = Prop(p.name, bytes(p))
        poff = fdt.next_property_offset(poff, (libfdt.NOTFOUND,))
    child = fdt.first_subnode(offset, (libfdt.NOTFOUND,))
    while child >= 0:
        cname = fdt.get_name(child)
        node.children.append(_walk(fdt, child, cname, f"{path}/{cname}"))
        child = fdt.next_subnode(child, (libfdt.NOTFOUND,))
    return node


def parse_dtb(path: str, data: bytes, overlays: Sequence[str] = ()) -> DeviceTree:
    """Build the model from DTB bytes (``path`` names it in messages)."""
    fdt = _open_fdt(path, data)
    if overlays:
        data = apply_overlays(path, data[: fdt.totalsize()], overlays)
        fdt = _open_fdt(path, data)
    try:
        root = _walk(fdt, 0, "", "")
        rsv = []
        for i in range(fdt.num_mem_rsv()):
            base, size = fdt.get_mem_rsv(i)
            rsv.append((int(base), int(size)))
    except libfdt.FdtException as e:
        raise _fdt_error(path, e.err, "corrupt DTB") from None
    except UnicodeDecodeError:
        raise InputError(path, "corrupt DTB (a node or property name is not text)") from None
    return DeviceTree(
        source=path,
        root=root,
        memreserve=tuple(rsv),
        totalsize=int(fdt.totalsize()),
        overlays=tuple(overlays),
    )


def load_dtb(path: str, overlays: Sequence[str] = ()) -> DeviceTree:
    return parse_dtb(path, read_file(path), overlays)
