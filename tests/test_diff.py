"""cmacheck diff OLD NEW: regions, the default CMA area and findings between two trees."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

CONFIG = ["--config", "examples/clean/kernel.config"]


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _changed_board(tmp_path: Path) -> Path:
    """The clean board with the CMA pool halved, the TEE carve-out gone and a new overlap."""
    src = (ROOT / "examples/clean/board.dts").read_text()
    src = src.replace("size = <0x0 0x10000000>;", "size = <0x0 0x8000000>;")
    tee = src.index("\t\t/* Secure-world firmware")
    src = src[:tee] + src[src.index("\t\t/* Coherent pool"):]
    src = src.replace("\t\t/* Default CMA area",
                      "\t\tdsp@50400000 {\n\t\t\treg = <0x0 0x50400000 0x0 0x100000>;\n"
                      "\t\t\tno-map;\n\t\t};\n\n\t\t/* Default CMA area")
    out = tmp_path / "new.dts"
    out.write_text(src)
    return out


def test_same_board_no_change() -> None:
    r = run_cli(["diff", "examples/clean/board.dtb", "examples/clean/board.dts", *CONFIG])
    assert r.code == 0, r.err
    assert r.out == ("examples/clean/board.dtb -> examples/clean/board.dts\n  no change\n"
                     "1 board pair(s): 0 region change(s), 0 new finding(s) "
                     "(0 at or above error), 0 fixed\n")


def test_diff_text_and_json(tmp_path: Path, golden: Callable[[Path, str], None],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    _changed_board(tmp_path)
    shutil.copy(ROOT / "examples/clean/board.dts", tmp_path / "old.dts")
    monkeypatch.chdir(tmp_path)
    args = ["diff", "old.dts", "new.dts", "--config", str(ROOT / "examples/clean/kernel.config")]
    r = run_cli(args)
    assert r.code == 1  # a new error finding (the overlap)
    golden(ROOT / "tests/golden/diff.txt", r.out)
    j = run_cli([*args, "--format", "json"]).json
    assert (j["schema_version"], j["kind"]) == (1, "diff")
    b = j["boards"][0]
    assert [x["path"] for x in b["regions"]["removed"]] == ["/reserved-memory/tee@4e000000"]
    assert [x["path"] for x in b["regions"]["added"]] == ["/reserved-memory/dsp@50400000"]
    changed = {c["key"]: c["changes"] for c in b["regions"]["changed"]}
    assert changed["/reserved-memory/linux,cma"]["size"] == {"old": 256 << 20, "new": 128 << 20}
    assert b["cma"]["old"]["size"] == 256 << 20 and b["cma"]["new"]["size"] == 128 << 20
    assert [f["rule"] for f in b["findings"]["new"]] == ["CMA009"]
    assert b["findings"]["fixed"] == []
    # The other way round the overlap is fixed, and nothing new fails.
    back = run_cli(["diff", "new.dts", "old.dts", "--config",
                    str(ROOT / "examples/clean/kernel.config"), "--format", "json"])
    assert back.code == 0
    assert [f["rule"] for f in back.json["boards"][0]["findings"]["fixed"]] == ["CMA009"]


def test_diff_fail_on_and_select(tmp_path: Path) -> None:
    new = _changed_board(tmp_path)
    args = ["diff", "examples/clean/board.dts", str(new), *CONFIG]
    assert run_cli([*args, "--ignore", "CMA009"]).code == 0
    assert run_cli([*args, "--severity", "CMA009=warning"]).code == 0
    assert run_cli([*args, "--severity", "CMA009=warning", "--fail-on", "warning"]).code == 1


def test_diff_directories(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for d in (old, new):
        (d / "acme").mkdir(parents=True)
        shutil.copy(ROOT / "examples/clean/board.dtb", d / "acme/a.dtb")
    shutil.copy(ROOT / "examples/problems/board.dtb", old / "acme/gone.dtb")
    shutil.copy(ROOT / "examples/overlay/board.dtb", new / "acme/added.dtb")
    r = run_cli(["diff", str(old), str(new), *CONFIG, "--format", "json"])
    assert r.code == 0, r.err
    pairs = [(b["old"] and Path(b["old"]).name, b["new"] and Path(b["new"]).name)
             for b in r.json["boards"]]
    assert pairs == [("a.dtb", "a.dtb"), (None, "added.dtb"), ("gone.dtb", None)]
    gone = r.json["boards"][2]
    assert gone["findings"]["new"] == [] and len(gone["findings"]["fixed"]) >= 4


def test_diff_errors(tmp_path: Path) -> None:
    r = run_cli(["diff", "examples/clean/board.dtb", str(tmp_path)])
    assert r.code == 2 and "must both be files or both directories" in r.err
    r = run_cli(["diff", "examples/clean/board.dtb", "nope.dtb"])
    assert (r.code, r.out) == (2, "")
    assert r.err == "cmacheck: error: nope.dtb: cannot read: No such file or directory\n"
