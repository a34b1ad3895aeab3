"""--kernel IMAGE: the arm64 Image header gives the reserved size."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from cmacheck.errors import InputError
from cmacheck.load.image import read_kernel_image


def _image(tmp_path: Path, image_size: int, text_offset: int = 0) -> Path:
    # The 64-byte arm64 Image header (booting.rst): code0/1, text_offset, image_size, flags,
    # res2-4, magic "ARM\x64", res5; then some payload.
    head = struct.pack("<IIQQQQQQII", 0, 0, text_offset, image_size, 0xA, 0, 0, 0,
                       0x644D5241, 0)
    p = tmp_path / "Image"
    p.write_bytes(head + b"\0" * 4096)
    return p


def test_header(tmp_path: Path) -> None:
    img = read_kernel_image(str(_image(tmp_path, 33619968)))
    assert (img.size, img.text_offset, img.note) == (33619968, 0, None)


def test_old_header_without_size(tmp_path: Path) -> None:
    img = read_kernel_image(str(_image(tmp_path, 0, 0x80000)))
    assert img.size == 64 + 4096 and img.note is not None


@pytest.mark.parametrize(("data", "message"), [
    (gzip.compress(b"x" * 100), "a gzip-compressed kernel: decompress it (zcat) to the Image "
                                "first, or give --kernel-size"),
    (b"\x7fELF" + b"\0" * 100, "not an arm64 Image (no ARM\\x64 magic at byte 56): give "
                               "--kernel-size instead"),
], ids=["gzip", "elf"])
def test_not_an_image(tmp_path: Path, data: bytes, message: str) -> None:
    p = tmp_path / "vmlinuz"
    p.write_bytes(data)
    with pytest.raises(InputError) as e:
        read_kernel_image(str(p))
    assert str(e.value) == f"{p}: {message}"


def test_cli_same_as_kernel_size(tmp_path: Path) -> None:
    fx = ROOT / "tests/boots/arm64-6.1/t2b"
    meta = json.loads((fx / "meta.json").read_text())
    size = meta["kernel_image"]["image_size"]
    common = [str(fx / "board.dtb"), "--config",
              str(ROOT / "tests/data/kconfig/debian-6.1-arm64.config.gz"),
              "--kernel-addr", meta["kernel_image"]["load_address"], "--format", "json"]
    a = run_cli([*common, "--kernel", str(_image(tmp_path, size))])
    b = run_cli([*common, "--kernel-size", str(size)])
    assert a.code == b.code == 0
    assert a.json["regions"] == b.json["regions"]


def test_cli_kernel_needs_addr(tmp_path: Path) -> None:
    r = run_cli([str(ROOT / "examples/clean/board.dtb"), "--kernel", str(_image(tmp_path, 1))])
    assert (r.code, r.err) == (2, "cmacheck: error: --kernel IMAGE needs --kernel-addr (where "
                                  "the bootloader put it)\n")
