"""DTB loading through pylibfdt: the model, overlays and every bad-input message."""

from __future__ import annotations

import hashlib
import random
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmacheck.errors import InputError
from cmacheck.load import dtb
from cmacheck.load.dtb import load_dtb
from cmacheck.model import DeviceTree

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES.parent / "tools" / "fuzz"))

import fdtgen  # noqa: E402


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


# ---------------------------------------------------------------- the structure-block walk
# parse_dtb reads the tree straight from the structure block (_walk_struct) once libfdt's
# fdt_check_full accepted the blob, and leaves anything unusual to the pylibfdt walk
# (walk_libfdt).  Both must give the same model and the same errors: these tests compare the
# two on every DTB of the repository and on odd but fdt_check_full-clean token streams.
# (benchmarks/walk_check.py compares them on the benchmark corpus, which is not in git.)

ROOT = EXAMPLES.parent
# One file per content (the boot records share many board DTBs).
REPO_DTBS = sorted({p.read_bytes(): p for d in ("examples", "tests") for ext in ("*.dtb", "*.dtbo")
                    for p in sorted((ROOT / d).rglob(ext))}.values())


def _shape(dt: DeviceTree) -> list[Any]:
    return [dt.memreserve, dt.totalsize] + [
        (n.name, n.path, n.offset, [c.path for c in n.children],
         [(k, p.name, type(p.value), p.value, p.loc) for k, p in n.props.items()])
        for n in dt.walk()]


def _outcome(data: bytes) -> tuple[Any, ...]:
    try:
        return ("tree", _shape(dtb.parse_dtb("t.dtb", data)))
    except InputError as e:
        return ("error", str(e), e.node)


def _unusual(*_args: object) -> NoReturn:
    raise dtb._Unusual


def _both(data: bytes) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    fast = _outcome(data)
    with mock.patch.object(dtb, "_walk_struct", _unusual):
        reference = _outcome(data)
    return fast, reference


def test_struct_walk_equals_libfdt_walk_on_every_repository_dtb() -> None:
    assert len(REPO_DTBS) > 100
    differ = [str(p.relative_to(ROOT)) for p in REPO_DTBS if len(set(map(repr, _both(
        p.read_bytes())))) != 1]
    assert differ == []


def test_struct_walk_is_what_runs() -> None:
    # Not a silent fallback to libfdt on ordinary trees.
    for p in REPO_DTBS[:50]:
        data = p.read_bytes()
        assert _shape(DeviceTree("t.dtb", dtb._walk_struct("t.dtb", data))) == _shape(
            DeviceTree("t.dtb", dtb.walk_libfdt("t.dtb", dtb._open_fdt("t.dtb", data))))


_PROP_NAMES = ([b"reg", b"compatible", b"size", b"status", b"no-map", b"x" * 40],
               [b"", b"a\nb", b"\x7f", b"caf\xc3\xa9", b"\xe0QQ"])  # (plain, odd)
_NODE_NAMES = ([b"n0", b"n1", b"n2", b"r@1000", b"memory@40000000", b"reserved-memory",
                b"chosen", b"x" * 40], [b"", b"a\tb", b"caf\xc3\xa9", b"\xff", b"sl/ash"])


def _name(rng: random.Random, names: tuple[list[bytes], list[bytes]]) -> bytes:
    return rng.choice(names[rng.random() < 0.05])


def _token_stream(rng: random.Random) -> bytes:
    """A structure block of odd but mostly fdt_check_full-clean shape: NOPs anywhere,
    properties after subnodes or outside any node, a named root, a second top-level node,
    duplicate and non-text names, pre-v17 headers."""
    names: dict[bytes, int] = {}
    strings = bytearray()
    out = bytearray()

    def put(*words: int) -> None:
        out.extend(struct.pack(f">{len(words)}I", *words))

    def pad(b: bytes) -> bytes:
        return b + b"\0" * (-len(b) % 4)

    def prop() -> None:
        name = _name(rng, _PROP_NAMES)
        if name not in names:
            names[name] = len(strings)
            strings.extend(name + b"\0")
        value = bytes(rng.getrandbits(8) for _ in range(rng.choice((0, 1, 4, 7, 8, 16))))
        put(3, len(value), names[name])
        out.extend(pad(value))

    def node(name: bytes) -> None:
        put(1)
        out.extend(pad(name + b"\0"))

    if rng.random() < 0.1:
        rng.choice((lambda: put(4), prop))()
    node(b"" if rng.random() < 0.8 else _name(rng, _NODE_NAMES))
    depth = 1
    for _ in range(rng.randrange(1, 40)):
        r = rng.random()
        if r < 0.45:
            prop()
        elif r < 0.65:
            node(_name(rng, _NODE_NAMES))
            depth += 1
        elif r < 0.85 and depth > 1:
            put(2)
            depth -= 1
        elif r < 0.95:
            put(4)
        else:
            put(2)  # unbalanced: fdt_check_full rejects it, or it ends the root early
            depth -= 1
            if depth == 0:
                break
    put(*[2] * depth)
    if rng.random() < 0.2:
        rng.choice((lambda: (node(b"second"), put(2)), prop, lambda: put(4)))()
    put(9)
    version = 17 if rng.random() < 0.85 else rng.choice((16, 2))
    rsv = struct.pack(">QQ", 0, 0)
    off_struct = 40 + len(rsv)
    off_strings = off_struct + len(out)
    total = off_strings + len(strings)
    header = struct.pack(">10I", 0xD00DFEED, total, off_struct, off_strings, 40, version,
                         min(version, 16), 0, len(strings), len(out))
    return header + rsv + bytes(out) + bytes(strings)


@settings(deadline=None, derandomize=True, database=None, max_examples=400,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1).map(random.Random))
def test_struct_walk_equals_libfdt_walk_on_odd_streams(rng: random.Random) -> None:
    fast, reference = _both(_token_stream(rng))
    assert fast == reference


@settings(deadline=None, derandomize=True, database=None, max_examples=300,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from([p.read_bytes() for p in REPO_DTBS[:4]]),
       st.integers(0, 2**32 - 1).map(random.Random))
def test_struct_walk_equals_libfdt_walk_on_mutated_blobs(seed: bytes,
                                                         rng: random.Random) -> None:
    fast, reference = _both(fdtgen.mutate(seed, rng))
    assert fast == reference
