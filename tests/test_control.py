"""Control: selection, severity overrides, --fail-on, config files, inline suppression, baseline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, Result, run_cli

from cmacheck import baseline as bl
from cmacheck import suppress
from cmacheck.config import Policy, build_policy, load_file
from cmacheck.errors import InputError, UsageError
from cmacheck.findings import Finding, Location, Severity

PROBLEMS = ["examples/problems/board.dts", "-I", "examples/problems",
            "--config", "examples/problems/kernel.config"]


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _rules(r: Result) -> set[str]:
    return {f["rule"] for f in r.json["findings"]}


@pytest.mark.parametrize(("select", "ignore", "rule", "enabled"), [
    ((), (), "CMA009", True),
    ((), ("CMA0",), "CMA009", False),
    ((), ("CMA0",), "CMA101", True),
    (("CMA0",), (), "CMA101", False),
    (("CMA0",), ("CMA009",), "CMA009", False),  # longer ignore wins
    (("CMA0",), ("CMA009",), "CMA007", True),
    (("CMA009",), ("CMA0",), "CMA009", True),  # longer select wins
    (("CMA009",), ("CMA0",), "CMA007", False),
    (("CMA00",), ("CMA00",), "CMA007", False),  # tie: ignored (flake8)
    (("CMA",), (), "CMA901", True),
], ids=lambda v: ",".join(v) if isinstance(v, tuple) else str(v))
def test_decision_engine(select: tuple[str, ...], ignore: tuple[str, ...], rule: str,
                         enabled: bool) -> None:
    assert Policy(select=select, ignore=ignore).enabled(rule) is enabled


def test_select_ignore_cli() -> None:
    assert _rules(run_cli([*PROBLEMS, "--format", "json", "--select", "CMA1"])) == {
        "CMA101", "CMA103"}
    r = run_cli([*PROBLEMS, "--format", "json", "--select", "CMA0", "--ignore", "CMA003,CMA004"])
    assert _rules(r) == {"CMA006", "CMA007", "CMA009"}
    r = run_cli([*PROBLEMS, "--format", "json", "--ignore", "CMA0"])
    assert (r.code, _rules(r)) == (0, {"CMA101", "CMA103"})


@pytest.mark.parametrize(("args", "message"), [
    (["--select", "CMA7"], "--select: unknown rule or prefix 'CMA7' (see 'cmacheck rules')"),
    (["--ignore", "XYZ"], "--ignore: unknown rule or prefix 'XYZ' (see 'cmacheck rules')"),
    (["--severity", "CMA999=error"], "--severity: unknown rule 'CMA999' (see 'cmacheck rules')"),
    (["--severity", "CMA007=fatal"],
     "--severity: CMA007: unknown severity 'fatal' (one of error, warning, note)"),
    (["--severity", "CMA007"], "--severity: 'CMA007' is not RULE=LEVEL (e.g. CMA007=error)"),
])
def test_bad_policy_flags(args: list[str], message: str) -> None:
    r = run_cli([*PROBLEMS, *args])
    assert (r.code, r.out, r.err) == (2, "", f"cmacheck: error: {message}\n")


def test_severity_override_and_fail_on() -> None:
    only_warn = [*PROBLEMS, "--select", "CMA007,CMA101", "--format", "json"]
    assert run_cli(only_warn).code == 0
    assert run_cli([*only_warn, "--strict"]).code == 1
    assert run_cli([*only_warn, "--fail-on", "warning"]).code == 1
    assert run_cli([*only_warn, "--fail-on", "note"]).code == 1
    r = run_cli([*only_warn, "--severity", "CMA007=error"])
    assert r.code == 1
    assert {f["rule"]: f["severity"] for f in r.json["findings"]}["CMA007"] == "error"
    r = run_cli([*PROBLEMS, "--format", "json", "--severity", "cma009=note",
                 "--severity", "CMA003=note", "--severity", "CMA004=note",
                 "--severity", "CMA006=note"])
    assert r.code == 0 and r.json["summary"]["errors"] == 0
    assert run_cli([*PROBLEMS, "--severity", "CMA009=note", "--fail-on", "note"]).code == 1


# ---- config file -------------------------------------------------------------------------

def _board_dir(tmp_path: Path) -> Path:
    d = tmp_path / "boards" / "acme"
    d.mkdir(parents=True)
    for name in ("board.dts", "soc.dtsi", "kernel.config"):
        shutil.copy(ROOT / "examples/problems" / name, d / name)
    return d


def test_config_file_found_walking_up(tmp_path: Path) -> None:
    d = _board_dir(tmp_path)
    (tmp_path / ".cmacheck.toml").write_text(
        'select = ["CMA0"]\nignore = ["CMA009"]\nfail-on = "warning"\n'
        '[severity]\nCMA007 = "note"\n'
        '[boards."boards/acme/*.dts"]\nconfig = "boards/acme/kernel.config"\n'
        'include = ["boards/acme"]\n')
    r = run_cli([str(d / "board.dts"), "--format", "json"])
    assert _rules(r) == {"CMA003", "CMA004", "CMA006", "CMA007"}
    assert {f["rule"]: f["severity"] for f in r.json["findings"]}["CMA007"] == "note"
    assert r.json["input"]["config"].endswith("boards/acme/kernel.config")
    assert r.json["kernel"] is not None
    # CLI flags override the file.
    r = run_cli([str(d / "board.dts"), "--format", "json", "--select", "CMA009"])
    assert _rules(r) == set()  # the file's ignore = ["CMA009"] still applies: a tie ignores
    r = run_cli([str(d / "board.dts"), "--format", "json", "--select", "CMA009",
                 "--ignore", "CMA1"])
    assert _rules(r) == {"CMA009"}
    assert run_cli([str(d / "board.dts"), "--no-config-file", "--format", "json"]).json[
        "kernel"] is None


def test_pyproject_tool_table(tmp_path: Path) -> None:
    d = _board_dir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.cmacheck]\n'
        'ignore = ["CMA0"]\nconfig = "boards/acme/kernel.config"\n')
    r = run_cli([str(d / "board.dts"), "-I", str(d), "--format", "json"])
    assert _rules(r) == {"CMA101", "CMA103"}
    # A .cmacheck.toml nearer the input wins.
    (d / ".cmacheck.toml").write_text('select = ["CMA009"]\n')
    assert _rules(run_cli([str(d / "board.dts"), "-I", str(d), "--format", "json"])) == {"CMA009"}


@pytest.mark.parametrize(("text", "message"), [
    ('selct = ["CMA0"]\n', "unknown key 'selct' (known: "),
    ('select = "CMA0"\n', "select: expected a list, got str"),
    ('select = ["CMA7"]\n', "select: unknown rule or prefix 'CMA7'"),
    ('[severity]\nCMA999 = "error"\n', "severity: unknown rule 'CMA999'"),
    ('fail-on = "fatal"\n', "fail-on: 'fatal' is not one of error, warning, note"),
    ('[boards."*.dtb"]\nram = 5\n', 'boards."*.dtb".ram: expected a string or a list'),
    ('[boards."*.dtb"]\nselect = []\n', "unknown key 'boards.\"*.dtb\".select'"),
    ("select = [\n", "invalid TOML: "),
    ('min-cma = "64Q"\n', "min-cma: invalid size '64Q'"),
    ("min-cma = 64\n", "min-cma: expected a string, got int"),
    ('[boards."*.dtb"]\nmin-cma = "x"\n', 'boards."*.dtb".min-cma: invalid size \'x\''),
])
def test_config_file_errors(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / ".cmacheck.toml"
    cfg.write_text(text)
    with pytest.raises(InputError) as e:
        load_file(str(cfg))
    assert str(e.value).startswith(f"{cfg}: {message}")
    r = run_cli(["examples/clean/board.dtb", "--config-file", str(cfg)])
    assert (r.code, r.out) == (2, "")
    assert r.err.startswith(f"cmacheck: error: {cfg}: {message}")


def test_pyproject_errors_name_the_table(tmp_path: Path) -> None:
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[tool.cmacheck]\nbogus = 1\n')
    with pytest.raises(InputError, match=r"unknown key 'tool\.cmacheck\.bogus'"):
        load_file(str(cfg))


def test_build_policy_cli_over_file(tmp_path: Path) -> None:
    cfg = tmp_path / ".cmacheck.toml"
    cfg.write_text('select = ["CMA0"]\nfail-on = "note"\n[severity]\nCMA007 = "error"\n')
    file = load_file(str(cfg))
    p = build_policy(file, select=["CMA1"], severity=["CMA007=note"])
    assert p.select == ("CMA1",) and p.severity["CMA007"] == Severity.NOTE
    assert p.fail_on == Severity.NOTE
    assert build_policy(file, fail_on="error").fail_on == Severity.ERROR
    with pytest.raises(UsageError):
        build_policy(None, select=["nope"])


def test_config_file_ram_per_board(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[boards."board.dtb"]\nram = "1G"\n')
    dtb = tmp_path / "board.dtb"
    shutil.copy(ROOT / "examples/clean/board.dtb", dtb)
    r = run_cli([str(dtb), "--config", "examples/clean/kernel.config", "--config-file",
                 str(tmp_path / "c.toml"), "--format", "json"])
    assert r.json["memory"]["source"] == "ram-option"
    assert r.json["memory"]["total"] == 1 << 30


def _cma303(r: Result) -> list[str]:
    return [f["message"] for f in r.json["findings"] if f["rule"] == "CMA303"]


def test_min_cma_from_file_per_board_and_cli(tmp_path: Path) -> None:
    """clean board: a 256 MiB linux,cma-default region."""
    dtb = tmp_path / "board.dtb"
    shutil.copy(ROOT / "examples/clean/board.dtb", dtb)
    cfg = tmp_path / ".cmacheck.toml"
    base = [str(dtb), "--config", "examples/clean/kernel.config", "--format", "json"]
    assert _cma303(run_cli(base)) == []  # silent without a minimum
    cfg.write_text('min-cma = "512M"\n')
    (msg,) = _cma303(run_cli(base))
    assert msg.startswith("the default CMA area is 256 MiB, below the 512 MiB minimum")
    cfg.write_text('min-cma = "512M"\n[boards."board.dtb"]\nmin-cma = "128M"\n')
    assert _cma303(run_cli(base)) == []  # the board's table wins over the top level
    assert len(_cma303(run_cli([*base, "--min-cma", "1G"]))) == 1  # the flag wins over both
    (tmp_path / "pyproject.toml").write_text('[tool.cmacheck]\nmin-cma = "1G"\n')
    cfg.unlink()
    assert len(_cma303(run_cli(base))) == 1


def test_min_cma_option_error() -> None:
    r = run_cli(["examples/clean/board.dtb", "--min-cma", "64Q"])
    assert (r.code, r.out) == (2, "")
    assert "--min-cma" in r.err and "invalid size '64Q'" in r.err


# ---- inline suppression ------------------------------------------------------------------

@pytest.mark.parametrize(("line", "parsed"), [
    ("\t/* cmacheck: disable=CMA009 vendor bug #12 */", (("CMA009",), "vendor bug #12")),
    ("reg = <1>; // cmacheck: disable=CMA009,cma004 known", (("CMA009", "CMA004"), "known")),
    ("// cmacheck: disable = CMA0", (("CMA0",), "")),
    ("/* cmacheck: enable=CMA009 */", None),
    ("reg = <1>;", None),
])
def test_parse_comment(line: str, parsed: tuple[tuple[str, ...], str] | None) -> None:
    assert suppress.parse_comment(line) == parsed


def _edit(path: Path, line_no: int, text: str) -> None:
    lines = path.read_text().splitlines()
    lines.insert(line_no - 1, text)
    path.write_text("\n".join(lines) + "\n")


def test_inline_suppression(tmp_path: Path) -> None:
    d = _board_dir(tmp_path)
    args = [str(d / "board.dts"), "-I", str(d), "--config", str(d / "kernel.config"),
            "--no-config-file"]
    before = run_cli([*args, "--format", "json"]).json
    camera = next(f for f in before["findings"] if f["rule"] == "CMA006")
    # The comment on the line before the finding's line.
    _edit(d / "board.dts", camera["line"], "\t\t/* cmacheck: disable=CMA006 camera is fine */")
    after = run_cli([*args, "--format", "json"]).json
    assert "CMA006" not in {f["rule"] for f in after["findings"]}
    assert after["suppressed"] == [{**camera, "line": camera["line"] + 1, "by": "inline",
                                    "reason": "camera is fine"}]
    text = run_cli([*args, "--no-color"]).out
    assert "note: 1 finding(s) suppressed (1 inline, 0 baseline)" in text
    sarif = json.loads(run_cli([*args, "--format", "sarif"]).out)
    sup = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert sup[0]["suppressions"] == [{"justification": "camera is fine", "kind": "inSource",
                                       "status": "accepted"}]


def test_inline_suppression_on_node_line(tmp_path: Path) -> None:
    """CMA004 points at the alignment line; a comment above the node's line works too."""
    d = _board_dir(tmp_path)
    args = [str(d / "board.dts"), "-I", str(d), "--format", "json", "--no-config-file"]
    f = next(x for x in run_cli(args).json["findings"] if x["rule"] == "CMA004")
    src = (d / "board.dts").read_text().splitlines()
    node_line = next(i for i, t in enumerate(src, 1) if t.strip() == "gpu {")
    assert node_line < f["line"] - 1
    _edit(d / "board.dts", node_line, "\t\t// cmacheck: disable=CMA0 alignment is intended")
    r = run_cli(args)
    assert "CMA004" not in _rules(r)
    assert [s["rule"] for s in r.json["suppressed"]] == ["CMA004"]


def test_inline_suppression_of_a_bootargs_finding(tmp_path: Path) -> None:
    """Command-line findings point at the bootargs line, so a comment there silences them."""
    src = tmp_path / "board.dts"
    src.write_text('/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n'
                   '\tchosen {\n\t\tbootargs = "console=ttyAMA0 cma=64Q";\n\t};\n};\n')
    args = [str(src), "--kernel-version", "6.1", "--arch", "arm64", "--format", "json",
            "--no-config-file", "--select", "CMA102"]
    (f,) = run_cli(args).json["findings"]
    assert (f["file"], f["line"], f["node"]) == (str(src), 4, "/chosen")
    _edit(src, 4, "\t\t// cmacheck: disable=CMA102 the board's U-Boot rewrites it")
    r = run_cli(args)
    assert r.json["findings"] == []
    assert [x["rule"] for x in r.json["suppressed"]] == ["CMA102"]


def test_suppression_needs_a_matching_id(tmp_path: Path) -> None:
    d = _board_dir(tmp_path)
    args = [str(d / "board.dts"), "-I", str(d), "--format", "json", "--no-config-file"]
    f = next(x for x in run_cli(args).json["findings"] if x["rule"] == "CMA006")
    _edit(d / "board.dts", f["line"], "/* cmacheck: disable=CMA009 wrong rule */")
    assert "CMA006" in _rules(run_cli(args))


# ---- baseline ----------------------------------------------------------------------------

@pytest.mark.parametrize(("message", "normal"), [
    ("overlaps /x (its reg is set at examples/problems/board.dts:55) by 8 MiB",
     "overlaps /x (its reg is set at board.dts) by 8 MiB"),
    ("[0x88000000-0x88ffffff] overlaps", "[0x…-0x…] overlaps"),
    ("size is 4 bytes, root #size-cells 2 needs 8", "size is 4 bytes, root #size-cells 2 needs 8"),
])
def test_normalise(message: str, normal: str) -> None:
    assert bl.normalise(message) == normal


def test_baseline_key_ignores_lines() -> None:
    a = Finding("CMA009", Severity.ERROR, "x at a/b.dts:3", Location("b.dts", 10, "/r/n"))
    b = Finding("CMA009", Severity.ERROR, "x at c/b.dts:9", Location("b.dts", 12, "/r/n"))
    assert bl.key(a, "board.dts") == bl.key(b, "board.dts") == (
        "CMA009", "board.dts", "/r/n", "x at b.dts")


def test_baseline_round_trip(tmp_path: Path) -> None:
    d = _board_dir(tmp_path)
    base = tmp_path / "cmacheck-baseline.json"
    args = [str(d / "board.dts"), "-I", str(d), "--config", str(d / "kernel.config"),
            "--no-config-file"]
    w = run_cli([*args, "--write-baseline", str(base), "--format", "json"])
    assert w.code == 0 and w.json["findings"] == []
    assert w.err == f"cmacheck: wrote 9 finding(s) to {base}\n"
    data = json.loads(base.read_text())
    assert data["cmacheck_baseline"] == 1
    assert {e["board"] for e in data["findings"]} == {"boards/acme/board.dts"}
    assert all("line" not in e for e in data["findings"])
    # Lines move: still baselined.
    _edit(d / "board.dts", 3, "// moved everything down by one line")
    r = run_cli([*args, "--baseline", str(base), "--format", "json"])
    assert (r.code, r.json["findings"]) == (0, [])
    assert {s["by"] for s in r.json["suppressed"]} == {"baseline"}
    # A new problem is reported; a fixed one makes its entry stale (a note in text output).
    src = (d / "board.dts").read_text().replace("\t\t\treusable;\n\t\t\tno-map;\n",
                                                "\t\t\tno-map;\n", 1)
    (d / "board.dts").write_text(src)
    r = run_cli([*args, "--baseline", str(base), "--no-color"])
    assert "stale baseline entry [CMA006] boards/acme/board.dts: /reserved-memory/camera" in r.out
    assert r.code == 0


def test_baseline_errors(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text('{"findings": []}')
    r = run_cli(["examples/clean/board.dtb", "--baseline", str(bad)])
    assert (r.code, r.out) == (2, "")
    assert r.err == (f'cmacheck: error: {bad}: not a cmacheck baseline (no "cmacheck_baseline"'
                     ": 1)\n")
    r = run_cli(["examples/clean/board.dtb", "--baseline", str(tmp_path / "none.json")])
    assert r.code == 2 and "cannot read" in r.err


def test_baseline_counts(tmp_path: Path) -> None:
    f = Finding("CMA009", Severity.ERROR, "dup", Location(node="/n"))
    path = tmp_path / "b.json"
    path.write_text(bl.dumps([(str(tmp_path / "x.dtb"), f)], str(path)))
    base = bl.load(str(path))
    kept, hidden, used = bl.split(base, str(tmp_path / "x.dtb"), [f, f])
    assert (len(kept), len(hidden)) == (1, 1)
    assert bl.stale(base, [str(tmp_path / "x.dtb")], used) == []
    assert bl.stale(base, [str(tmp_path / "x.dtb")], bl.Counter()) == [
        ("CMA009", "x.dtb", "/n", "dup")]
    assert bl.stale(base, [str(tmp_path / "other.dtb")], bl.Counter()) == []


def test_suppression_in_kconfig(tmp_path: Path) -> None:
    cfg = tmp_path / "k.config"
    cfg.write_text("# Linux/arm64 6.1.0 Kernel Configuration\nCONFIG_CMA=y\nCONFIG_DMA_CMA=y\n"
                   "CONFIG_CMA_SIZE_SEL_PERCENTAGE=y\n# cmacheck: disable=CMA101 legacy value\n"
                   "CONFIG_CMA_SIZE_MBYTES=256\n")
    r = run_cli(["examples/clean/board.dtb", "--config", str(cfg), "--format", "json",
                 "--fail-on", "warning"])
    assert r.code == 0
    assert [f["rule"] for f in r.json["findings"]] == ["CMA104"]  # a note, not suppressed
    assert [(s["rule"], s["reason"]) for s in r.json["suppressed"]] == [("CMA101", "legacy value")]


def test_dtb_findings_cannot_be_suppressed_inline() -> None:
    r = run_cli(["examples/problems/board.dtb", "--format", "json"])
    assert "suppressed" not in r.json and all(f["line"] is None for f in r.json["findings"])
