"""``--kernel IMAGE``: the size a kernel image occupies in memory, from its own header.

arm64 ``Image`` (Documentation/arch/arm64/booting.rst): little-endian ``text_offset`` at byte
8, ``image_size`` at byte 16 (the whole image including BSS: what the kernel reserves), magic
``ARM\\x64`` at byte 56.  ``image_size`` is 0 in images older than 3.17; then the file size
is the best lower bound and a note says so.  Compressed images (``vmlinuz``: gzip, EFI
zboot) carry no such header for the decompressed kernel: decompress them first.
"""

from __future__ import annotations

from cmacheck.errors import InputError
from cmacheck.load.dtb import read_file
from cmacheck.records import record

ARM64_MAGIC = b"ARM\x64"


@record()
class KernelImage:
    path: str
    size: int  # bytes the kernel occupies from its load address
    text_offset: int
    note: str | None = None


def read_kernel_image(path: str) -> KernelImage:
    data = read_file(path)
    if len(data) >= 64 and data[56:60] == ARM64_MAGIC:
        text_offset = int.from_bytes(data[8:16], "little")
        image_size = int.from_bytes(data[16:24], "little")
        if image_size == 0:
            return KernelImage(path, len(data), text_offset,
                               "the Image header has no image_size (pre-3.17): the file size "
                               "was used, without BSS")
        return KernelImage(path, image_size, text_offset)
    if data[:2] == b"\x1f\x8b":
        raise InputError(path, "a gzip-compressed kernel: decompress it (zcat) to the Image "
                               "first, or give --kernel-size")
    if data[:2] == b"MZ" and b"zimg" in data[4:8]:
        raise InputError(path, "an EFI zboot (compressed) kernel: give the decompressed Image "
                               "or --kernel-size")
    raise InputError(path, "not an arm64 Image (no ARM\\x64 magic at byte 56): give "
                           "--kernel-size instead")
