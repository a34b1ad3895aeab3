"""cmacheck.load.dts: cpp + dtc, source locations, overlays, and exact error messages.

The fixtures live in tests/data/dts; most tests run from that directory, so locations read
``board.dts:9`` as a user running ``cmacheck board.dts`` there would see them.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from cmacheck.errors import InputError
from cmacheck.load import dts
from cmacheck.load.dts import load_devicetree, load_dts
from cmacheck.model import DeviceTree, SourceLoc

DATA = Path(__file__).parent / "data" / "dts"



@pytest.fixture
def in_data(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(DATA)
    return DATA


def board(overlays: Sequence[str] = ()) -> DeviceTree:
    return load_dts("board.dts", include_dirs=["include"], overlays=overlays)


def loc(tree: DeviceTree, path: str, prop: str | None = None) -> str | None:
    node = tree.node(path)
    assert node is not None, f"{path} missing"
    where = node.loc if prop is None else node.props[prop].loc
    return None if where is None else str(where)


def cells(tree: DeviceTree, path: str, prop: str) -> tuple[int, ...]:
    node = tree.node(path)
    assert node is not None
    return node.props[prop].cells


def dtc(src: Path | str, out: Path, *flags: str) -> Path:
    """Compile DTS without cpp (the test's own dtc, not the code under test)."""
    subprocess.run(
        ["dtc", "-q", *flags, "-I", "dts", "-O", "dtb", "-o", str(out), str(src)], check=True
    )
    return out


def message(excinfo: pytest.ExceptionInfo[InputError]) -> str:
    return str(excinfo.value)


CMA = "/reserved-memory/linux,cma"
FW = "/reserved-memory/firmware@50000000"


# --- locations through an include chain --------------------------------------------------


@pytest.mark.parametrize(
    ("path", "prop", "where"),
    [
        ("/", "#address-cells", "soc.dtsi:3"),
        ("/", "model", "board.dts:20"),
        ("/", None, "chosen.dtsi:2"),  # the last "/ {" block: dtc's /include/d file
        ("/memory@40000000", None, "soc.dtsi:6"),
        ("/memory@40000000", "reg", "soc.dtsi:8"),
        ("/reserved-memory", None, "soc.dtsi:11"),
        ("/reserved-memory", "ranges", "soc.dtsi:14"),
        (CMA, None, "board.dts:8"),  # &cma { ... } in board.dts touched it last
        (CMA, "size", "board.dts:9"),  # overridden by the board
        (CMA, "compatible", "soc.dtsi:17"),
        (CMA, "alignment", "soc.dtsi:20"),
        (CMA, "linux,cma-default", "soc.dtsi:21"),
        (FW, None, "board.dts:12"),
        (FW, "reg", "board.dts:13"),  # overridden by the board
        (FW, "no-map", "soc.dtsi:26"),
        ("/chosen", "bootargs", "chosen.dtsi:4"),  # /include/ (dtc), not #include (cpp)
    ],
    ids=lambda v: str(v),
)
def test_include_chain_locations(in_data: Path, path: str, prop: str | None, where: str) -> None:
    assert loc(board(), path, prop) == where


def test_override_values_win(in_data: Path) -> None:
    tree = board()
    assert cells(tree, CMA, "size") == (0, 0x20000000)  # SZ_512M from include/sizes.h
    assert cells(tree, FW, "reg") == (0, 0x50000000, 0, 0x200000)
    cma = tree.node(CMA)
    assert cma is not None and cma.props["size"].loc == SourceLoc("board.dts", 9)
    assert tree.source == "board.dts"
    assert tree.overlays == ()


def test_every_source_node_and_property_has_a_location(in_data: Path) -> None:
    tree = board()
    assert [n.path for n in tree.walk() if n.loc is None] == []
    assert [(n.path, p) for n in tree.walk() for p, v in n.props.items() if v.loc is None] == []


def test_delete_property(in_data: Path) -> None:
    fw = board().node(FW)
    assert fw is not None
    assert sorted(fw.props) == ["no-map", "reg"]  # vendor,scratch deleted by board.dts


def test_delete_node(in_data: Path) -> None:
    rmem = board().node("/reserved-memory")
    assert rmem is not None
    assert [c.name for c in rmem.children] == ["linux,cma", "firmware@50000000"]


def test_memreserve(in_data: Path) -> None:
    assert board().memreserve == ((0x48000000, 0x1000), (0x48100000, 0x2000))


def test_names_relative_to_cwd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA.parent)
    tree = load_dts("dts/board.dts", include_dirs=["dts/include"])
    assert loc(tree, CMA, "size") == "dts/board.dts:9"
    assert loc(tree, CMA, "compatible") == "dts/soc.dtsi:17"
    assert loc(tree, "/chosen", "bootargs") == "dts/chosen.dtsi:4"


def test_absolute_names_under_cwd_become_relative(in_data: Path) -> None:
    tree = load_dts(str(DATA / "board.dts"), include_dirs=[str(DATA / "include")])
    assert loc(tree, CMA, "size") == "board.dts:9"
    assert loc(tree, CMA, "compatible") == "soc.dtsi:17"
    assert tree.source == str(DATA / "board.dts")


def test_absolute_names_outside_cwd_stay_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    tree = load_dts(str(DATA / "board.dts"), include_dirs=[str(DATA / "include")])
    assert loc(tree, CMA, "size") == f"{DATA}/board.dts:9"
    assert loc(tree, CMA, "compatible") == f"{DATA}/soc.dtsi:17"


def test_defines_and_tricky_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("t.dts").write_text(
        "/dts-v1/;\n"
        "/ {\n"
        '\ts = "a /* b */ { c; d";\n'  # comment-, brace- and semicolon-like text in a value
        "\tlbl: v = <VALUE>;\n"
        "\tx { p; };\n"
        "};\n"
        "/delete-node/ &{/x};\n"
        "/ { x { q; }; };\n"  # re-created after /delete-node/
    )
    tree = load_dts("t.dts", defines=["VALUE=7"])
    assert cells(tree, "/", "v") == (7,)
    assert loc(tree, "/", "s") == "t.dts:3"
    assert loc(tree, "/", "v") == "t.dts:4"
    assert loc(tree, "/x") == "t.dts:8"
    assert loc(tree, "/x", "q") == "t.dts:8"
    x = tree.node("/x")
    assert x is not None and sorted(x.props) == ["q"]


def test_plugin_source_as_the_main_input(in_data: Path) -> None:
    tree = load_dts("cma-384.dtso")
    assert loc(tree, "/fragment@0/__overlay__", "size") == "cma-384.dtso:6"
    assert loc(tree, "/fragment@0/__overlay__") == "cma-384.dtso:5"
    assert loc(tree, "/fragment@0") is None  # generated by dtc from &cma
    assert loc(tree, "/fragment@0", "target") is None


# --- overlays ------------------------------------------------------------------------


def test_overlay_from_source(in_data: Path) -> None:
    tree = board(overlays=["cma-384.dtso"])
    assert tree.overlays == ("cma-384.dtso",)
    assert cells(tree, CMA, "size") == (0, 0x18000000)
    assert loc(tree, CMA, "size") == "cma-384.dtso:6"
    assert loc(tree, CMA) == "cma-384.dtso:5"
    assert loc(tree, CMA, "compatible") == "soc.dtsi:17"  # untouched by the overlay
    assert loc(tree, "/reserved-memory") == "cma-384.dtso:9"  # &{/reserved-memory}
    assert loc(tree, "/reserved-memory", "ranges") == "soc.dtsi:14"
    assert loc(tree, "/reserved-memory/extra@60000000") == "cma-384.dtso:10"
    assert loc(tree, "/reserved-memory/extra@60000000", "reg") == "cma-384.dtso:11"
    assert loc(tree, FW, "reg") == "board.dts:13"
    assert tree.node("/__symbols__") is not None  # base compiled with -@
    assert loc(tree, CMA, "phandle") is None  # generated for __symbols__


def test_overlay_from_dtbo(in_data: Path, tmp_path: Path) -> None:
    dtbo = dtc("cma-384.dtso", tmp_path / "cma-384.dtbo", "-@")
    tree = board(overlays=[str(dtbo)])
    assert tree.overlays == (str(dtbo),)
    assert cells(tree, CMA, "size") == (0, 0x18000000)
    assert loc(tree, CMA, "size") is None  # set by the .dtbo: no source line
    assert loc(tree, CMA, "compatible") == "soc.dtsi:17"
    assert loc(tree, CMA) == "board.dts:8"  # touched by the .dtbo: keeps the base's
    assert loc(tree, "/reserved-memory/extra@60000000") is None  # created by the .dtbo
    assert loc(tree, "/reserved-memory/extra@60000000", "reg") is None


def test_overlays_apply_in_order(in_data: Path, tmp_path: Path) -> None:
    second = tmp_path / "second.dtso"
    second.write_text("/dts-v1/;\n/plugin/;\n&cma {\n\tsize = <0x0 0x8000000>;\n};\n")
    tree = board(overlays=["cma-384.dtso", str(second)])
    assert cells(tree, CMA, "size") == (0, 0x8000000)
    assert loc(tree, CMA, "size") == f"{second}:4"
    assert loc(tree, "/reserved-memory/extra@60000000", "reg") == "cma-384.dtso:11"


def test_dtb_base_with_source_overlay(in_data: Path, tmp_path: Path) -> None:
    base = tmp_path / "base.dts"
    base.write_text(
        "/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
        "\treserved-memory {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;\n"
        "\t\tcma: linux,cma { reusable; size = <0x0 0x1000000>; };\n\t};\n};\n"
    )
    tree = load_devicetree(str(dtc(base, tmp_path / "base.dtb", "-@")), overlays=["cma-384.dtso"])
    assert cells(tree, CMA, "size") == (0, 0x18000000)
    assert loc(tree, CMA, "size") == "cma-384.dtso:6"
    assert loc(tree, CMA, "reusable") is None  # from the DTB: no source
    assert tree.overlays == ("cma-384.dtso",)


def test_dtb_base_with_dtbo(in_data: Path, tmp_path: Path) -> None:
    base = tmp_path / "base.dts"
    base.write_text(
        "/dts-v1/;\n/ { reserved-memory { cma: linux,cma { size = <0x0 0x1000000>; }; }; };\n"
    )
    dtb = dtc(base, tmp_path / "base.dtb", "-@")
    dtbo = dtc("cma-384.dtso", tmp_path / "cma-384.dtbo", "-@")
    tree = load_devicetree(str(dtb), overlays=[str(dtbo)])
    assert cells(tree, CMA, "size") == (0, 0x18000000)
    assert [n.path for n in tree.walk() if n.loc is not None] == []
    assert tree.overlays == (str(dtbo),)


# --- dispatch -----------------------------------------------------------------------


def test_dispatch_dts_by_suffix(in_data: Path) -> None:
    tree = load_devicetree("board.dts", include_dirs=["include"])
    assert loc(tree, CMA, "size") == "board.dts:9"


def test_dispatch_dtb_by_magic_whatever_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("src.dts").write_text('/dts-v1/;\n/ { model = "m"; };\n')
    dtc("src.dts", Path("really-a-dtb.dts"))
    tree = load_devicetree("really-a-dtb.dts")
    assert tree.root.props["model"].string == "m"
    assert tree.root.props["model"].loc is None
    with pytest.raises(InputError) as excinfo:
        load_dts("really-a-dtb.dts")
    assert message(excinfo) == "really-a-dtb.dts: is a DTB, not DTS source"


# --- bad input: exact messages ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "file", "line"),
    [
        ("syntax-error.dts", "syntax-error.dts:6: syntax error", "syntax-error.dts", 6),
        ("include-broken.dts", "broken.dtsi:4: syntax error", "broken.dtsi", 4),
        (
            "missing-include.dts",
            "missing-include.dts:3: no-such-file.dtsi: No such file or directory",
            "missing-include.dts",
            3,
        ),
        (
            "bad-ref.dts",
            'bad-ref.dts:4: /node: Reference to non-existent node or label "nowhere"',
            "bad-ref.dts",
            4,
        ),
    ],
    ids=["dtc-syntax", "dtc-syntax-in-include", "cpp-missing-include", "dtc-check-error"],
)
def test_source_errors(in_data: Path, name: str, text: str, file: str, line: int) -> None:
    with pytest.raises(InputError) as excinfo:
        load_dts(name)
    assert message(excinfo) == text
    assert (excinfo.value.path, excinfo.value.line) == (file, line)


@pytest.mark.parametrize(
    ("setup", "name", "text"),
    [
        (lambda p: p.write_text(""), "empty.dts", "empty.dts: empty file"),
        (lambda p: p.write_text("  \n\n"), "blank.dts", "blank.dts: empty file"),
        (lambda p: None, "nope.dts", "nope.dts: cannot read: No such file or directory"),
        (lambda p: p.mkdir(), "dir.dts", "dir.dts: is a directory, not a device tree"),
        (
            lambda p: p.write_text('/dts-v1/;\n/include/ "gone.dtsi"\n'),
            "inc.dts",
            'inc.dts: Couldn\'t open "gone.dtsi": No such file or directory',
        ),
        (
            lambda p: p.write_text("/dts-v1/;\n#error board not supported\n"),
            "err.dts",
            "err.dts:2: #error board not supported",
        ),
    ],
    ids=["empty", "blank", "missing", "directory", "dtc-include-missing", "cpp-error"],
)
def test_file_errors(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setup: Callable[[Path], object],
    name: str,
    text: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    setup(tmp_path / name)
    with pytest.raises(InputError) as excinfo:
        load_devicetree(name)
    assert message(excinfo) == text


def test_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root in CI, where chmod 0 does not stop reads: make open() fail the
    # way it does for an unprivileged user instead.
    import builtins

    monkeypatch.chdir(tmp_path)
    Path("locked.dts").write_text("/dts-v1/;\n/ { };\n")
    real_open = builtins.open

    def deny(file: object, *args: object, **kwargs: object) -> object:
        if str(file).endswith("locked.dts"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", deny)
    with pytest.raises(InputError) as excinfo:
        load_devicetree("locked.dts")
    assert message(excinfo) == "locked.dts: cannot read: Permission denied"


def test_neither_dtb_nor_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("/dts-v1/;\n")
    with pytest.raises(InputError) as excinfo:
        load_devicetree("notes.txt")
    assert message(excinfo) == (
        "notes.txt: not a DTB (bad magic) and not DTS source (.dts/.dtsi/.dtso)"
    )


@pytest.mark.parametrize(
    ("overlay", "text"),
    [
        (
            "not-plugin.dtso",
            "not-plugin.dtso: not an overlay: no fragment with an __overlay__ node"
            " (missing /plugin/;?)",
        ),
        ("syntax-error.dts", "syntax-error.dts:6: syntax error"),
        (
            "include/sizes.h",
            "include/sizes.h: not a DTB (bad magic) and not DTS source (.dts/.dtsi/.dtso)",
        ),
    ],
    ids=["no-plugin", "syntax", "not-dt"],
)
def test_overlay_errors(in_data: Path, overlay: str, text: str) -> None:
    with pytest.raises(InputError) as excinfo:
        board(overlays=[overlay])
    assert message(excinfo) == text


def test_overlay_label_missing_in_base(in_data: Path, tmp_path: Path) -> None:
    ovl = tmp_path / "other-board.dtso"
    ovl.write_text("/dts-v1/;\n/plugin/;\n\n&gpu_mem {\n\tsize = <0x0 0x1000>;\n};\n")
    with pytest.raises(InputError) as excinfo:
        board(overlays=[str(ovl)])
    assert message(excinfo) == f'{ovl}:4: label "gpu_mem" not found in board.dts'
    dtbo = dtc(ovl, tmp_path / "other-board.dtbo", "-@")
    with pytest.raises(InputError) as excinfo:
        board(overlays=[str(dtbo)])
    assert message(excinfo) == f'{dtbo}: label "gpu_mem" not found in board.dts'


def test_overlay_on_dtb_without_symbols(in_data: Path, tmp_path: Path) -> None:
    base = tmp_path / "base.dts"
    base.write_text("/dts-v1/;\n/ { reserved-memory { cma: linux,cma { }; }; };\n")
    dtb = dtc(base, tmp_path / "base.dtb")  # no -@
    with pytest.raises(InputError) as excinfo:
        load_devicetree(str(dtb), overlays=["cma-384.dtso"])
    assert excinfo.value.path == "cma-384.dtso"  # the source, not the .dtbo compiled from it
    assert message(excinfo).startswith(f"cma-384.dtso: cannot apply overlay to {dtb}: ")
    assert message(excinfo).endswith(f"; {dtb} has no __symbols__ (compile it with dtc -@)")


def _path_with(tmp_path: Path, *tools: str) -> str:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in tools:
        found = shutil.which(tool)
        assert found is not None
        (bindir / tool).symlink_to(found)
    return str(bindir)


def test_dtc_missing(in_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with(tmp_path, "cpp"))
    with pytest.raises(InputError) as excinfo:
        board()
    assert message(excinfo) == (
        "board.dts: dtc not found: install the device-tree-compiler package"
        " (apt-get install device-tree-compiler)"
    )


def test_cpp_missing(in_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_with(tmp_path, "dtc"))
    with pytest.raises(InputError) as excinfo:
        board()
    assert (
        message(excinfo)
        == "board.dts: cpp not found: install the cpp package (apt-get install cpp)"
    )


def test_timeout(in_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dts, "TIMEOUT_S", 0.0)
    with pytest.raises(InputError) as excinfo:
        board()
    assert message(excinfo) == "board.dts: cpp timed out after 0 s"


def test_no_tools_needed_for_a_dtb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "b.dts"
    src.write_text("/dts-v1/;\n/ { };\n")
    dtb = dtc(src, tmp_path / "b.dtb")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert load_devicetree(str(dtb)).root.path == "/"


# --- hygiene: the user's files are read, never written --------------------------------


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "dir"
        for p in sorted(root.rglob("*"))
    }


def test_inputs_unchanged_and_nothing_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    shutil.copytree(DATA, src)
    dtbo = dtc(src / "cma-384.dtso", tmp_path / "cma-384.dtbo", "-@")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.chdir(src)
    before = _snapshot(src)

    board(overlays=["cma-384.dtso", str(dtbo)])
    with pytest.raises(InputError):
        load_dts("syntax-error.dts")
    with pytest.raises(InputError):
        board(overlays=["not-plugin.dtso"])

    assert _snapshot(src) == before
    assert list(scratch.iterdir()) == []
