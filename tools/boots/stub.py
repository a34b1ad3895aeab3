"""Hand-assembled boot stubs (no cross toolchain needed).

The stub does what QEMU's own Linux boot code does, so that the DTB can be loaded verbatim with
QEMU's generic loader (``qemu -dtb`` would rewrite ``/memory``):

* arm64 (Documentation/arch/arm64/booting.rst): x0 = DTB physical address, x1..x3 = 0, branch to
  the Image (MMU off, EL1 under ``-M virt`` without virtualization/secure).
* arm32 (Documentation/arch/arm/booting.rst): r0 = 0, r1 = ~0 (machine type: use DT),
  r2 = DTB physical address, jump to the zImage.
"""
from __future__ import annotations

import struct


def arm64_stub(dtb: int, kernel: int) -> bytes:
    words = [
        0x580000C0,  # 0x00  ldr x0, 0x18   (DTB address literal)
        0xAA1F03E1,  # 0x04  mov x1, xzr
        0xAA1F03E2,  # 0x08  mov x2, xzr
        0xAA1F03E3,  # 0x0c  mov x3, xzr
        0x58000084,  # 0x10  ldr x4, 0x20   (kernel entry literal)
        0xD61F0080,  # 0x14  br  x4
    ]
    return struct.pack("<6I", *words) + struct.pack("<QQ", dtb, kernel)


def arm32_stub(dtb: int, kernel: int) -> bytes:
    words = [
        0xE3A00000,  # 0x00  mov r0, #0
        0xE3E01000,  # 0x04  mvn r1, #0          (r1 = 0xffffffff)
        0xE59F2004,  # 0x08  ldr r2, [pc, #4]    (-> 0x14, DTB address)
        0xE59FF004,  # 0x0c  ldr pc, [pc, #4]    (-> 0x18, kernel entry)
        0xE320F000,  # 0x10  nop
        dtb & 0xFFFFFFFF,
        kernel & 0xFFFFFFFF,
    ]
    return struct.pack("<7I", *words)


def stub_for(arch: str, dtb: int, kernel: int) -> bytes:
    return arm64_stub(dtb, kernel) if arch == "arm64" else arm32_stub(dtb, kernel)
