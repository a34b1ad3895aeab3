"""The command line end to end: examples (golden output), exit codes, bad input."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Result, run_cli

GOLDEN = Path(__file__).parent / "golden"

# Every example board, exactly as the README runs it, relative to the repo root.
EXAMPLES = {
    "clean": ["examples/clean/board.dtb", "--config", "examples/clean/kernel.config"],
    "clean-dts": ["examples/clean/board.dts", "--config", "examples/clean/kernel.config"],
    "problems": ["examples/problems/board.dts", "-I", "examples/problems",
                 "--config", "examples/problems/kernel.config"],
    "overlay": ["examples/overlay/board.dtb", "--overlay", "examples/overlay/cma-512.dtbo",
                "--config", "examples/overlay/kernel.config"],
    "overlay-source": ["examples/overlay/board.dts", "--overlay", "examples/overlay/cma-512.dtso",
                       "--config", "examples/overlay/kernel.config"],
}


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_json(name: str, golden: Callable[[Path, str], None]) -> None:
    r = run_cli([*EXAMPLES[name], "--format", "json"])
    assert r.err == ""
    golden(GOLDEN / f"{name}.json", r.out)
    assert r.code == (1 if r.json["summary"]["errors"] else 0)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_text(name: str, golden: Callable[[Path, str], None]) -> None:
    r = run_cli([*EXAMPLES[name], "--no-color"])
    golden(GOLDEN / f"{name}.txt", r.out)


def test_clean_board_has_only_the_kconfig_note() -> None:
    r = run_cli([*EXAMPLES["clean"], "--format", "json"])
    assert r.code == 0
    # The DT's linux,cma-default makes CONFIG_CMA_SIZE_MBYTES=64 moot: a note, nothing more.
    assert [(f["rule"], f["severity"], f["symbol"], f["line"]) for f in r.json["findings"]] == [
        ("CMA104", "note", "CONFIG_CMA_SIZE_MBYTES", 30)]
    statuses = {reg["name"]: reg["status"] for reg in r.json["regions"]}
    assert statuses == {"tee@4e000000": "reserved", "display@50000000": "created",
                        "linux,cma": "created"}
    assert r.json["cma"]["source"] == "dt"


def test_problems_board_findings() -> None:
    r = run_cli([*EXAMPLES["problems"], "--format", "json"])
    assert r.code == 1
    got = {(f["rule"], f["node"] or f["symbol"]) for f in r.json["findings"]}
    assert {
        ("CMA003", "/reserved-memory/video"),
        ("CMA004", "/reserved-memory/gpu"),
        ("CMA006", "/reserved-memory/camera@90000000"),
        ("CMA007", "/reserved-memory/vendor-cma"),
        ("CMA009", "/reserved-memory/adsp@88000000"),
        ("CMA101", "CONFIG_CMA_SIZE_MBYTES"),
        ("CMA101", "CONFIG_CMA_ALIGNMENT"),
    } <= got
    overlap = next(f for f in r.json["findings"] if f["rule"] == "CMA009")
    assert (overlap["file"], overlap["line"]) == ("examples/problems/soc.dtsi", 18)
    assert "examples/problems/board.dts:55" in overlap["message"]  # the &modem_mem override
    assert r.json["cma"]["source"] == "cmdline"


def test_overlay_changes_cma() -> None:
    base = run_cli(["examples/overlay/board.dtb", "--config", "examples/overlay/kernel.config",
                    "--format", "json"]).json
    over = run_cli([*EXAMPLES["overlay"], "--format", "json"]).json
    assert (base["cma"]["size"], base["cma"]["source"]) == (64 << 20, "dt")
    assert over["input"]["overlays"] == ["examples/overlay/cma-512.dtbo"]
    status = {reg["name"]: reg["status"] for reg in over["regions"]}
    # The overlay grows the pool to fill its whole 512 MiB window, but its own carve-out
    # sits inside that window: the allocation fails and the Kconfig default takes over.
    assert status == {"fw@5f000000": "reserved", "linux,cma": "failed", "reserved": "created"}
    assert (over["cma"]["size"], over["cma"]["source"]) == (32 << 20, "kconfig")


def test_json_is_byte_stable() -> None:
    a = run_cli([*EXAMPLES["problems"], "--format", "json"]).out
    b = run_cli([*EXAMPLES["problems"], "--format", "json"]).out
    assert a == b
    assert json.loads(a)["schema_version"] == 1


def test_several_boards_in_one_json() -> None:
    r = run_cli(["examples/clean/board.dtb", "examples/overlay/board.dtb",
                 "--config", "examples/clean/kernel.config", "--format", "json"])
    assert [b["input"]["dt"] for b in r.json["boards"]] == [
        "examples/clean/board.dtb", "examples/overlay/board.dtb"]


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    cfg = tmp_path / "k.config"
    cfg.write_text("# Linux/arm64 6.1.0 Kernel Configuration\nCONFIG_CMA=y\nCONFIG_DMA_CMA=y\n"
                   "CONFIG_CMA_SIZE_SEL_PERCENTAGE=y\nCONFIG_CMA_SIZE_MBYTES=256\n")
    assert run_cli(["examples/clean/board.dtb", "--config", str(cfg)]).code == 0
    assert run_cli(["examples/clean/board.dtb", "--config", str(cfg), "--strict"]).code == 1


def test_no_config_checks_structure_only() -> None:
    r = run_cli(["examples/problems/board.dtb", "--format", "json"])
    assert r.code == 1
    assert r.json["kernel"] is None and r.json["regions"] == []
    assert "CMA009" in {f["rule"] for f in r.json["findings"]}


def test_rules_and_explain() -> None:
    r = run_cli(["rules"])
    assert r.code == 0 and "CMA009  error" in r.out
    r = run_cli(["explain", "cma009"])
    assert r.code == 0 and "OVERLAP DETECTED!" in r.out
    r = run_cli(["explain", "CMA999"])
    assert (r.code, r.out) == (2, "")
    assert r.err == "cmacheck: error: unknown rule 'CMA999' (see 'cmacheck rules')\n"


def _bad(args: list[str]) -> Result:
    r = run_cli(args)
    assert r.code == 2
    assert r.out == ""
    assert r.err.count("\n") == 1, r.err
    return r


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.dtb"], "cmacheck: error: nope.dtb: cannot read: No such file or directory"),
        (["README.md"], "cmacheck: error: README.md: not a DTB (bad magic) and not DTS source "
                        "(.dts/.dtsi/.dtso)"),
        (["examples/clean/board.dtb", "--config", "nope.config"],
         "cmacheck: error: nope.config: cannot read: No such file or directory"),
        (["examples/clean/board.dtb", "--kernel-version", "4.4", "--arch", "arm64"],
         "cmacheck: error: kernel 4.4 is outside the modelled range 5.4–7.x"),
        (["examples/clean/board.dtb", "--kernel-version", "six"],
         "cmacheck: error: invalid kernel version 'six'"),
        (["examples/clean/board.dtb", "--ram", "12Q"],
         "cmacheck: error: Invalid value for '--ram': invalid size '12Q'"),
        (["examples/clean/board.dtb", "--cmdline", "console=ttyAMA0 cma=64Q"],
         "cmacheck: error: --cmdline: invalid cma=64Q: size '64Q' is not a number; expected "
         "SIZE[@BASE[-LIMIT]] with numbers like 64M, 0x4000000 or 67108864"),
        (["examples/clean/board.dtb", "--cmdline", "cma=64M@"],
         "cmacheck: error: --cmdline: invalid cma=64M@: missing base; expected "
         "SIZE[@BASE[-LIMIT]] with numbers like 64M, 0x4000000 or 67108864"),
        (["examples/clean/board.dtb", "--cmdline", "mem=1X"],
         "cmacheck: error: --cmdline: invalid mem=1X: expected a size like 1G or 0x40000000"),
    ],
    ids=["missing-dt", "not-a-dt", "missing-config", "old-kernel", "bad-version", "bad-ram",
         "bad-cma-size", "cma-no-base", "bad-mem"],
)
def test_bad_input(args: list[str], message: str) -> None:
    r = _bad(args)
    assert r.err.rstrip("\n").splitlines()[-1] == message


def test_truncated_dtb(tmp_path: Path) -> None:
    data = (ROOT / "examples/clean/board.dtb").read_bytes()
    p = tmp_path / "cut.dtb"
    p.write_bytes(data[:200])
    r = _bad([str(p)])
    assert r.err == (f"cmacheck: error: {p}: truncated DTB: header says {len(data)} bytes, "
                     "file has 200\n")


def test_garbage_config(tmp_path: Path) -> None:
    cfg = tmp_path / "garbage.config"
    cfg.write_text("CONFIG_CMA=y\nhello world\n")
    r = _bad(["examples/clean/board.dtb", "--config", str(cfg)])
    assert r.err == f"cmacheck: error: {cfg}:2: not a Kconfig assignment: 'hello world'\n"


def test_dts_syntax_error(tmp_path: Path) -> None:
    src = tmp_path / "bad.dts"
    src.write_text("/dts-v1/;\n/ {\n\tfoo = <1>\n};\n")
    r = _bad([str(src)])
    assert r.err == f"cmacheck: error: {src}:4: syntax error\n"


def test_dtc_missing(tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path)}  # no dtc, no cpp
    (tmp_path / "cpp").symlink_to("/usr/bin/cpp")
    r = run_cli(["examples/clean/board.dts"], env=env)
    assert (r.code, r.out) == (2, "")
    assert r.err == ("cmacheck: error: examples/clean/board.dts: dtc not found: install the "
                     "device-tree-compiler package (apt-get install device-tree-compiler)\n")


def test_inputs_untouched_and_no_stray_files(tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in (ROOT / "examples").rglob("*") if p.is_file()}
    for args in EXAMPLES.values():
        run_cli([*args, "--format", "json"])
    after = {p: p.read_bytes() for p in (ROOT / "examples").rglob("*") if p.is_file()}
    assert after == before


def test_no_color_env_and_plain_lines() -> None:
    r = run_cli(EXAMPLES["problems"], env={"NO_COLOR": "1"})
    assert "\x1b[" not in r.out
    first = r.out.splitlines()[0]
    assert first.startswith("examples/problems/board.dts:25: error [CMA006] ")
    assert os.linesep == "\n"
