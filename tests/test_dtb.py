"""DTB loading through pylibfdt: the model, overlays and every bad-input message."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from cmacheck.errors import InputError
from cmacheck.load.dtb import load_dtb

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _dtb(tmp_path: Path, src: str, *flags: str) -> Path:
    out = tmp_path / "t.dtb"
    subprocess.run(["dtc", "-q", *flags, "-I", "dts", "-O", "dtb", "-o", str(out), "-"],
                   input=src.encode(), check=True)
    return out


def test_model_of_clean_example() -> None:
    dt = load_dtb(str(EXAMPLES / "clean" / "board.dtb"))
    cma = dt.node("/reserved-memory/linux,cma")
    assert cma is not None
    assert cma.prop("size").cells == (0, 0x10000000)  # type: ignore[union-attr]
    assert [c.name for c in dt.node("/reserved-memory").children] == [  # type: ignore[union-attr]
        "tee@4e000000", "display@50000000", "linux,cma"]
    assert dt.lookup("/reserved-memory") is dt.node("/reserved-memory")
    assert dt.totalsize == (EXAMPLES / "clean" / "board.dtb").stat().st_size


def test_memreserve_and_lookup_without_unit(tmp_path: Path) -> None:
    p = _dtb(tmp_path, "/dts-v1/;\n/memreserve/ 0x50080000 0x1000;\n"
             "/ { reserved-memory@0 { ranges; }; };")
    dt = load_dtb(str(p))
    assert dt.memreserve == ((0x50080000, 0x1000),)
    assert dt.lookup("/reserved-memory") is dt.node("/reserved-memory@0")


def test_overlay_applied_in_order() -> None:
    dt = load_dtb(str(EXAMPLES / "overlay" / "board.dtb"),
                  overlays=[str(EXAMPLES / "overlay" / "cma-512.dtbo")])
    assert dt.node("/reserved-memory/linux,cma").prop("size").cells == (0, 0x20000000)  # type: ignore[union-attr]
    assert dt.node("/reserved-memory/fw@5f000000") is not None


def test_overlay_does_not_touch_inputs() -> None:
    files = [EXAMPLES / "overlay" / "board.dtb", EXAMPLES / "overlay" / "cma-512.dtbo"]
    before = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    load_dtb(str(files[0]), overlays=[str(files[1])])
    assert [hashlib.sha256(f.read_bytes()).hexdigest() for f in files] == before


def test_overlay_without_symbols(tmp_path: Path) -> None:
    base = _dtb(tmp_path, "/dts-v1/;\n/ { reserved-memory { }; };")
    with pytest.raises(InputError) as e:
        load_dtb(str(base), overlays=[str(EXAMPLES / "overlay" / "cma-512.dtbo")])
    assert str(e.value) == (
        f"{EXAMPLES / 'overlay' / 'cma-512.dtbo'}: cannot apply overlay to {base}: "
        f"FDT_ERR_BADOFFSET; {base} has no __symbols__ (compile it with dtc -@)"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a DTB (bad magic; for DTS source use a .dts/.dtsi/.dtso name)"),
        (b"hello world, this is not a device tree blob at all........",
         "not a DTB (bad magic; for DTS source use a .dts/.dtsi/.dtso name)"),
        (b"\xd0\x0d\xfe\xed\x00\x00", "truncated DTB: 6 bytes, shorter than the header"),
    ],
    ids=["empty", "text", "short-header"],
)
def test_bad_bytes(tmp_path: Path, data: bytes, message: str) -> None:
    p = tmp_path / "bad.dtb"
    p.write_bytes(data)
    with pytest.raises(InputError) as e:
        load_dtb(str(p))
    assert str(e.value) == f"{p}: {message}"


def test_truncated(tmp_path: Path) -> None:
    good = (EXAMPLES / "clean" / "board.dtb").read_bytes()
    p = tmp_path / "cut.dtb"
    p.write_bytes(good[:300])
    with pytest.raises(InputError) as e:
        load_dtb(str(p))
    assert str(e.value) == f"{p}: truncated DTB: header says {len(good)} bytes, file has 300"


def test_corrupt_structure(tmp_path: Path) -> None:
    good = bytearray((EXAMPLES / "clean" / "board.dtb").read_bytes())
    off_struct = int.from_bytes(good[8:12], "big")
    good[off_struct : off_struct + 4] = b"\x00\x00\x00\x09"  # FDT_END where BEGIN_NODE belongs
    p = tmp_path / "corrupt.dtb"
    p.write_bytes(bytes(good))
    with pytest.raises(InputError) as e:
        load_dtb(str(p))
    assert str(e.value).startswith(f"{p}: corrupt DTB (FDT_ERR_")


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        load_dtb(str(tmp_path / "nope.dtb"))
    assert str(e.value) == f"{tmp_path / 'nope.dtb'}: cannot read: No such file or directory"
    with pytest.raises(InputError) as e:
        load_dtb(str(tmp_path))
    assert str(e.value) == f"{tmp_path}: is a directory, not a device tree"
