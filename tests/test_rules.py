"""Every rule fixture under tests/rules/<ID>/{pass,fail}-*.dts yields exactly what it says.

First line of a fixture: ``// expect: <ID> <where> ...`` (where = node path, Kconfig
symbol, file, or ``<file>`` for the fixture itself) or ``// expect: none``; an optional
``// args: ...`` line adds CLI options (``{dir}`` is the fixture's directory).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli, split_args

from cmacheck import api
from cmacheck.findings import Location

RULES_DIR = Path(__file__).parent / "rules"
FIXTURES = sorted(RULES_DIR.glob("CMA*/*.dts"))


def _header(path: Path) -> tuple[list[str], list[str]]:
    expect: list[str] = []
    args: list[str] = []
    for line in path.read_text().splitlines()[:3]:
        if line.startswith("// expect:"):
            expect = line.split(":", 1)[1].split()
        elif line.startswith("// args:"):
            args = split_args(line.split(":", 1)[1], dir=str(path.parent))
    return expect, args


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(path: Path) -> None:
    rule_id = path.parent.name
    expect, args = _header(path)
    assert expect, f"{path} has no '// expect:' line"
    assert path.name.startswith("pass-") == (expect == ["none"])
    r = run_cli([str(path), "--format", "json", *args])
    assert r.code in (0, 1), r.err
    got = sorted(
        f["node"] or f["symbol"] or ("<file>" if f["file"] == str(path) else f["file"])
        for f in r.json["findings"]
        if f["rule"] == rule_id
    )
    want = [] if expect == ["none"] else sorted(expect[1:])
    if expect != ["none"]:
        assert expect[0] == rule_id
    assert got == want


# ---- where command-line findings point (Context.at_param) --------------------------------

_BOARD = """/dts-v1/;
/ { #address-cells = <1>; #size-cells = <1>;
	chosen {
		bootargs = "%s";
	};
	memory@40000000 { device_type = "memory"; reg = <0x40000000 0x20000000>; };
};
"""


def _ctx(tmp_path: Path, bootargs: str, config: str = "", arch: str = "arm",
         cmdline: str | None = None, dtb: bool = False) -> tuple[Any, Path, Path]:
    """Context of a one-bank board whose bootargs sit on line 4 (and its .dts/.config)."""
    src = tmp_path / "board.dts"
    src.write_text(_BOARD % bootargs)
    cfg = tmp_path / "kernel.config"
    cfg.write_text(f"# Linux/{arch} 6.1.0 Kernel Configuration\nCONFIG_CMA=y\nCONFIG_DMA_CMA=y\n"
                   + config)
    dt = src
    if dtb:
        dt = tmp_path / "board.dtb"
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dt), str(src)],
                       check=True)
    report = api.run(api.Inputs(dt=str(dt), config=str(cfg), cmdline=cmdline))
    return report.ctx, dt, cfg


def test_param_from_bootargs_points_at_its_dts_line(tmp_path: Path) -> None:
    ctx, src, _ = _ctx(tmp_path, "console=ttyS0 cma=16M")
    assert ctx.at_param("cma") == Location(file=str(src), line=4, node="/chosen")
    assert ctx.cmdline_part("cma").source == "/chosen/bootargs"


def test_param_from_dtb_points_at_chosen(tmp_path: Path) -> None:
    ctx, dtb, _ = _ctx(tmp_path, "cma=16M", dtb=True)
    assert ctx.at_param("cma") == Location(file=str(dtb), node="/chosen")


def test_param_from_cmdline_option(tmp_path: Path) -> None:
    ctx, _, _ = _ctx(tmp_path, "cma=16M", cmdline="cma=32M")
    assert ctx.at_param("cma") == Location(file="<cmdline>")
    assert ctx.cmdline_part("cma").source == "--cmdline"


@pytest.mark.parametrize(("config", "bootargs", "where"), [
    # EXTEND (32-bit arm): CONFIG_CMDLINE comes after bootargs, its cma= is the one kept
    ('CONFIG_CMDLINE="cma=32M"\nCONFIG_CMDLINE_EXTEND=y\n', "console=ttyS0 cma=16M", "config"),
    # FORCE: bootargs are not read at all
    ('CONFIG_CMDLINE="console=ttyS0 cma=32M"\nCONFIG_CMDLINE_FORCE=y\n', "cma=16M", "config"),
    # FROM_BOOTLOADER: CONFIG_CMDLINE only when bootargs are empty
    ('CONFIG_CMDLINE="cma=32M"\nCONFIG_CMDLINE_FROM_BOOTLOADER=y\n', "cma=16M", "dts"),
    ('CONFIG_CMDLINE="cma=32M"\nCONFIG_CMDLINE_FROM_BOOTLOADER=y\n', "", "config"),
], ids=["extend", "force", "from-bootloader", "fallback-empty-bootargs"])
def test_param_follows_the_cmdline_policy(tmp_path: Path, config: str, bootargs: str,
                                          where: str) -> None:
    ctx, src, cfg = _ctx(tmp_path, bootargs, config)
    want = (Location(file=str(cfg), line=4, symbol="CONFIG_CMDLINE") if where == "config"
            else Location(file=str(src), line=4, node="/chosen"))
    assert ctx.at_param("cma") == want


def test_param_exact_occurrence_and_other_names(tmp_path: Path) -> None:
    ctx, src, cfg = _ctx(tmp_path, "console=ttyS0 cma=16M mem=256M",
                         'CONFIG_CMDLINE="cma=32M"\nCONFIG_CMDLINE_EXTEND=y\n')
    in_dts = Location(file=str(src), line=4, node="/chosen")
    in_config = Location(file=str(cfg), line=4, symbol="CONFIG_CMDLINE")
    assert ctx.at_param("cma") == in_config
    assert ctx.at_param("cma", arg="cma=16M") == in_dts  # the overridden one
    assert ctx.at_param("mem") == in_dts
    assert ctx.at_param("hugetlb_cma") == in_config  # absent: the last input of the line


def test_cmdline_findings_land_on_the_source_line(tmp_path: Path) -> None:
    """CMA102 on an EXTEND board: one finding per source, each on its own file:line."""
    _ctx(tmp_path, "console=ttyS0 cma=16M", 'CONFIG_CMDLINE="cma=32Q"\nCONFIG_CMDLINE_EXTEND=y\n')
    r = run_cli([str(tmp_path / "board.dts"), "--config", str(tmp_path / "kernel.config"),
                 "--select", "CMA102", "--format", "json"])
    got = sorted((f["file"], f["line"], f["node"], f["symbol"]) for f in r.json["findings"])
    assert got == [(str(tmp_path / "board.dts"), 4, "/chosen", None),
                   (str(tmp_path / "kernel.config"), 4, None, "CONFIG_CMDLINE")]


@pytest.mark.parametrize(("dt_size", "words"), [
    ("0x800000", "the smaller"), ("0x10000000", "the larger"), ("0x4000000", "the same-sized")])
def test_kconfig_size_ignored_says_smaller_or_larger(tmp_path: Path, dt_size: str,
                                                     words: str) -> None:
    fixture = RULES_DIR / "CMA104" / "fail-dt-default.dts"
    src = tmp_path / "board.dts"
    src.write_text(fixture.read_text().replace("0x10000000", dt_size))
    r = run_cli([str(src), "--config", str(RULES_DIR / "CMA104" / "mbytes-64.config"),
                 "--select", "CMA104", "--format", "json"])
    (f,) = r.json["findings"]
    assert f["message"].endswith(f"is ignored: {words} /reserved-memory/linux,cma "
                                 "(linux,cma-default) is the default CMA area")
