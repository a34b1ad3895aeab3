"""Case model: a case is pure data (tools/boots/cases.py); this module turns it into a boot."""
from __future__ import annotations

import gzip
import hashlib
import struct
from dataclasses import dataclass, field

from . import dts as dtsmod
from .stub import stub_for

QEMU_RAM_BASE = 0x40000000
MiB = 1 << 20
GiB = 1 << 30
# QEMU virt (without -kernel) puts its own 1 MiB DTB ROM at 0x40000000 for firmware; loader
# images must not overlap it, so the stub goes right after it.
STUB_ADDR = QEMU_RAM_BASE + (1 << 20)


@dataclass
class Case:
    id: str
    desc: str
    children: list[str] | None = field(default_factory=list)  # None: no /reserved-memory node
    rm_header: str | None = None          # replaces "#address-cells=<2>; #size-cells=<2>; ranges;"
    memory: list[tuple[int, int]] | None = None   # DT RAM banks; default: all of QEMU's RAM
    memory_style: str = "multi"           # "multi": one memory@ node per bank; "single": one node
    ram_mb: int = 2048                    # QEMU -m (RAM is contiguous from 0x40000000)
    cmdline: str = ""                     # appended to the harness' console/panic arguments
    memreserve: list[tuple[int, int]] = field(default_factory=list)
    root_extra: str = ""                  # extra nodes at the root (e.g. a bus with dma-ranges)
    chosen_extra: str = ""
    arches: tuple[str, ...] = ("arm64", "armhf")
    memblock_debug: bool = True
    kernel_addr: int | None = None
    dtb_addr: int | None = None
    initrd_size: int | None = None        # a generated, deterministic newc cpio of this size
    initrd_addr: int | None = None
    board: str | None = None              # glob (relative to usr/lib/linux-image-*/) of a real DTB
    tags: tuple[str, ...] = ()

    def rmem_text(self) -> str | None:
        if self.children is None:
            return None
        hdr = self.rm_header if self.rm_header is not None else \
            "#address-cells = <2>;\n#size-cells = <2>;\nranges;"
        return "reserved-memory {\n" + hdr + "\n" + "\n".join(self.children) + "\n};"


def align_up(x: int, a: int) -> int:
    return (x + a - 1) // a * a


def initrd_bytes(size: int) -> bytes:
    """A valid (empty) newc cpio archive padded with zeros to `size` bytes."""
    name = b"TRAILER!!!\0"
    hdr = b"070701" + b"".join(b"%08X" % v for v in
                               (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, len(name), 0))
    rec = hdr + name
    rec += b"\0" * ((-len(rec)) % 4)
    assert len(rec) <= size
    return rec + b"\0" * (size - len(rec))


@dataclass
class Plan:
    """Everything needed to boot one case on one kernel (all addresses physical)."""
    case: Case
    arch: str
    memory: list[tuple[int, int]]
    kernel_addr: int
    dtb_addr: int
    stub_addr: int
    initrd: tuple[int, int] | None
    bootargs: str
    dts: str
    board_src: str | None = None


def plan(case: Case, kinfo: dict, board_path: str | None = None) -> Plan:
    arch = kinfo["arch"]
    ram = case.ram_mb * MiB
    memory = case.memory or [(QEMU_RAM_BASE, ram)]
    b0, s0 = memory[0]
    if arch == "arm64":
        kaddr = case.kernel_addr if case.kernel_addr is not None else b0 + 2 * MiB
    else:
        kaddr = case.kernel_addr if case.kernel_addr is not None else b0 + 2 * MiB
    # like QEMU: initrd at RAM base + min(size/2, 128 MiB), DTB after it
    place = b0 + min(s0 // 2, 128 * MiB)
    initrd = None
    if case.initrd_size:
        ia = case.initrd_addr if case.initrd_addr is not None else place
        initrd = (ia, case.initrd_size)
        place = align_up(ia + case.initrd_size, 64 * 1024)
    daddr = case.dtb_addr if case.dtb_addr is not None else place
    args = ["console=ttyAMA0"]
    if arch == "arm64" or not case.memblock_debug:
        args.append("earlycon=pl011,0x9000000")
    args.append("panic=-1")
    if case.memblock_debug:
        args.append("memblock=debug")
    if case.cmdline:
        args.append(case.cmdline)
    bootargs = " ".join(args)
    if board_path:
        base = dtsmod.board_text(board_path)
        stdout = None
    else:
        base = dtsmod.base_text(arch)
        stdout = "/pl011@9000000"
    text = dtsmod.build(base=base, memory=memory, memory_style=case.memory_style,
                        bootargs=bootargs, initrd=initrd, memreserve=case.memreserve,
                        rmem=case.rmem_text(), root_extra=case.root_extra,
                        chosen_extra=case.chosen_extra, stdout_path=stdout)
    header = f"// cmacheck boot case {case.id}: {case.desc}\n"
    return Plan(case, arch, memory, kaddr, daddr, STUB_ADDR, initrd, bootargs,
                header + text, board_src=board_path)


def image_header(path: str, arch: str) -> dict:
    with open(path, "rb") as f:
        head = f.read(64)
        f.seek(0, 2)
        fsize = f.tell()
    if arch == "arm64":
        text_offset, image_size, flags = struct.unpack_from("<QQQ", head, 8)
        return {"format": "arm64 Image", "file_size": fsize, "text_offset": hex(text_offset),
                "image_size": image_size, "flags": hex(flags)}
    magic = struct.unpack_from("<I", head, 0x24)[0]
    return {"format": "arm zImage", "file_size": fsize, "zimage_magic": hex(magic)}


def stub(p: Plan) -> bytes:
    return stub_for(p.arch, p.dtb_addr, p.kernel_addr)


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)
