"""Output formats: SARIF (validated against the official schema), GitHub, JUnit, text, JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
from conftest import ROOT, run_cli

from cmacheck import rules
from cmacheck.batch import BatchResult, BoardResult
from cmacheck.findings import Finding, Location, Severity
from cmacheck.report import github

GOLDEN = Path(__file__).parent / "golden"
SCHEMA = json.loads((Path(__file__).parent / "data/sarif/sarif-schema-2.1.0.json").read_text())
PROBLEMS = ["examples/problems/board.dts", "-I", "examples/problems",
            "--config", "examples/problems/kernel.config"]
BATCH = ["examples/clean/board.dtb", "examples/problems/board.dtb",
         "--config", "examples/clean/kernel.config"]


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    # Run inside GitHub Actions, the github-format tests must not write the real job summary.
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def _valid_sarif(text: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log


def test_schema_is_the_official_one() -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["id"].endswith("/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")


@pytest.mark.parametrize("args", [PROBLEMS, BATCH, ["examples/problems/board.dtb"],
                                  [*BATCH, "nope.dtb"]],
                         ids=["dts", "batch", "dtb-no-config", "input-error"])
def test_sarif_validates(args: list[str]) -> None:
    r = run_cli([*args, "--format", "sarif"])
    assert r.code in (1, 2)
    log = _valid_sarif(r.out)
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is ("nope.dtb" not in args)
    if "nope.dtb" in args:
        assert "nope.dtb" in inv["toolExecutionNotifications"][0]["message"]["text"]


def test_sarif_golden(golden: Callable[[Path, str], None]) -> None:
    a = run_cli([*PROBLEMS, "--format", "sarif"]).out
    assert a == run_cli([*PROBLEMS, "--format", "sarif"]).out
    assert "Time" not in a  # no startTimeUtc / endTimeUtc
    # The golden holds the results only: the rule catalogue grows with every new rule.
    run = json.loads(a)["runs"][0]
    for res in run["results"]:
        del res["ruleIndex"]  # shifts when rules are added; checked in test_sarif_rules_...
    golden(GOLDEN / "problems.sarif-results.json",
           json.dumps({"invocations": run["invocations"], "results": run["results"]},
                      indent=2, sort_keys=True) + "\n")


def test_sarif_rules_and_locations() -> None:
    log = _valid_sarif(run_cli([*PROBLEMS, "--format", "sarif"]).out)
    driver = log["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [r.ID for r in rules.ALL]
    for desc, rule in zip(driver["rules"], rules.ALL, strict=True):
        assert desc["shortDescription"]["text"] == rules.summary(rule)
        assert desc["fullDescription"]["markdown"] == (rule.__doc__ or "").strip()
        assert desc["defaultConfiguration"]["level"] == rule.SEVERITY.label
    results = log["runs"][0]["results"]
    overlap = next(r for r in results if r["ruleId"] == "CMA009")
    loc = overlap["locations"][0]
    assert loc["physicalLocation"] == {"artifactLocation": {"uri": "examples/problems/soc.dtsi"},
                                       "region": {"startLine": 18}}
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "/reserved-memory/adsp@88000000"
    kconf = next(r for r in results if r["ruleId"] == "CMA101")
    assert kconf["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].startswith(
        "CONFIG_")
    assert {r["level"] for r in results} == {"error", "warning"}
    assert results[0]["ruleIndex"] == [r.ID for r in rules.ALL].index(results[0]["ruleId"])


def test_sarif_dtb_findings_are_file_level() -> None:
    """No line: no region, but still a physical location (GitHub rejects logical-only ones)."""
    log = _valid_sarif(run_cli(["examples/problems/board.dtb", "--format", "sarif"]).out)
    for res in log["runs"][0]["results"]:
        for loc in res["locations"]:
            assert loc["physicalLocation"] == {
                "artifactLocation": {"uri": "examples/problems/board.dtb"}}
            assert loc["logicalLocations"][0]["fullyQualifiedName"].startswith("/")
        assert res["analysisTarget"] == {"uri": "examples/problems/board.dtb"}


def _fingerprints(args: list[str]) -> list[str]:
    log = json.loads(run_cli([*args, "--format", "sarif"]).out)
    return [r["partialFingerprints"]["cmacheck/v1"] for r in log["runs"][0]["results"]]


def test_fingerprints_survive_moved_lines(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines shift (a comment added at the top): fingerprints stay, lines change."""
    for name in ("board.dts", "soc.dtsi", "kernel.config"):
        (tmp_path / name).write_text((ROOT / "examples/problems" / name).read_text())
    args = ["board.dts", "-I", ".", "--config", "kernel.config"]
    monkeypatch.chdir(tmp_path)
    before = _fingerprints(args)
    src = tmp_path / "board.dts"
    src.write_text("// a new comment\n// and another\n" + src.read_text())
    after = _fingerprints(args)
    assert before == after
    assert len(set(before)) == len(before)
    assert all(fp.endswith(":1") for fp in before)


def test_severity_override_in_sarif() -> None:
    log = _valid_sarif(run_cli([*PROBLEMS, "--format", "sarif", "--severity", "CMA007=error",
                                "--ignore", "CMA1"]).out)
    run = log["runs"][0]
    assert {r["ruleId"]: r["level"] for r in run["results"]}["CMA007"] == "error"
    over = {o["descriptor"]["id"]: o["configuration"]
            for o in run["invocations"][0]["ruleConfigurationOverrides"]}
    assert over["CMA007"] == {"level": "error"}
    assert over["CMA101"] == {"enabled": False}


@pytest.mark.parametrize(("text", "data", "prop"), [
    ("plain", "plain", "plain"),
    ("50% of 1,0: x", "50%25 of 1,0: x", "50%25 of 1%2C0%3A x"),
    ("two\nlines\r", "two%0Alines%0D", "two%0Alines%0D"),
])
def test_github_escaping(text: str, data: str, prop: str) -> None:
    assert github.escape_data(text) == data
    assert github.escape_property(text) == prop


def test_github_output() -> None:
    r = run_cli([*PROBLEMS, "--format", "github"])
    lines = r.out.splitlines()
    assert lines[0] == ("cmacheck: 1 board(s), 4 error(s), 5 warning(s), 0 note(s), "
                        "0 input error(s)")
    assert ("::error file=examples/problems/soc.dtsi,line=18,title=CMA009::"
            "/reserved-memory/adsp@88000000: [0x88000000-0x88ffffff] overlaps") in r.out
    assert all(line.startswith(("::error ", "::warning ")) for line in lines[1:])
    assert r.code == 1


def _fake(n_errors: int) -> BatchResult:
    findings = tuple(Finding("CMA009", Severity.ERROR, f"overlap {i},\nsecond line",
                             Location(file="b.dts", line=i + 1, node=f"/reserved-memory/r{i}"))
                     for i in range(n_errors))
    report: Any = SimpleNamespace(findings=findings,
                                  count=lambda s: sum(f.severity == s for f in findings))
    return BatchResult((BoardResult("b.dts", report),))


def test_github_emits_all_annotations_with_summary_first() -> None:
    import io

    buf = io.StringIO()
    github.render_batch(_fake(12), buf)
    lines = buf.getvalue().splitlines()
    assert "GitHub shows only 10 annotations of each kind per step" in lines[0]
    assert len(lines) == 13
    assert lines[1] == ("::error file=b.dts,line=1,title=CMA009::/reserved-memory/r0: "
                        "overlap 0,%0Asecond line")


def test_github_step_summary_appended(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    r = run_cli([*BATCH, "nope.dtb", "--format", "github"], env=env)
    assert r.code == 2
    text = summary.read_text()
    assert text.startswith("earlier step\n## cmacheck\n")  # appended, not replaced
    assert "| examples/clean/board.dtb | 0 | 0 | 1 |" in text
    assert "| nope.dtb | input error: " in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    findings = [f for b in run_cli([*BATCH, "--format", "json"]).json["boards"]
                for f in b["findings"]]
    assert len(rows) == len(findings)
    assert ("| `examples/problems/board.dtb` | CMA009 | error | "
            "/reserved-memory/adsp@88000000: [0x88000000-0x88ffffff] overlaps") in text
    # Other formats, or no GITHUB_STEP_SUMMARY, leave it alone.
    before = summary.read_text()
    run_cli([*BATCH, "--format", "json"], env=env)
    run_cli([*BATCH, "--format", "github"])
    assert summary.read_text() == before


def test_github_step_summary_markdown_and_limit() -> None:
    result = _fake(3)
    text = github.step_summary(result)
    assert text.splitlines()[-3:] == [
        f"| `b.dts:{i + 1}` | CMA009 | error | /reserved-memory/r{i}: overlap {i}, second line |"
        for i in range(3)]
    odd = Finding("CMA102", Severity.WARNING, "a|b *c* <cmdline>", Location(file="<cmdline>"))
    report: Any = SimpleNamespace(findings=(odd,), count=lambda s: int(odd.severity == s))
    row = github.step_summary(BatchResult((BoardResult("b.dts", report),))).splitlines()[-1]
    assert row == "| `<cmdline>` | CMA102 | warning | a\\|b \\*c\\* &lt;cmdline&gt; |"
    cut = github.step_summary(_fake(50), limit=2000)
    assert len(cut.encode()) <= 2000
    assert cut.rstrip().endswith("all of them are in the log above")
    shown = sum(1 for line in cut.splitlines() if line.startswith("| `"))
    assert f"\n{50 - shown} more finding(s) not shown" in cut
    # the boards table is under the same limit (a batch of thousands of boards)
    many = BatchResult(tuple(BoardResult(f"board{i}.dts", _fake(1).boards[0].report)
                             for i in range(100)))
    cut = github.step_summary(many, limit=2000)
    assert len(cut.encode()) <= 2000
    shown = sum(1 for line in cut.splitlines() if line.startswith("| board") and ".dts" in line)
    assert f"\n{100 - shown} more board(s) and 100 finding(s) not shown" in cut


def test_junit() -> None:
    r = run_cli([*BATCH, "nope.dtb", "--format", "junit"])
    assert r.code == 2
    assert r.out == run_cli([*BATCH, "nope.dtb", "--format", "junit"]).out
    root = ET.fromstring(r.out)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["examples/clean/board.dtb",
                                               "examples/problems/board.dtb", "nope.dtb"]
    assert len(suites[0].findall("testcase")) == len(rules.ALL)
    assert suites[0].get("failures") == "0"
    failed = {c.get("name").split()[0] for c in suites[1].findall("testcase")
              if c.find("failure") is not None}
    assert failed == {"CMA003", "CMA004", "CMA006", "CMA009"}
    # CMA007 is a warning: below the default fail level, listed as output only.
    cma007 = next(c for c in suites[1] if c.get("name").startswith("CMA007"))
    assert cma007.find("failure") is None and cma007.find("system-out") is not None
    assert suites[2].find("testcase/error") is not None
    assert root.get("errors") == "1"


def test_junit_fail_on_warning_and_skipped() -> None:
    r = run_cli([*BATCH, "--format", "junit", "--fail-on", "warning", "--select", "CMA00"])
    root = ET.fromstring(r.out)
    problems = root.findall("testsuite")[1]
    names = {c.get("name").split()[0]: c for c in problems.findall("testcase")}
    assert names["CMA007"].find("failure") is not None
    assert names["CMA101"].find("skipped") is not None


def test_text_batch_summary_table() -> None:
    r = run_cli([*BATCH, "--no-color"])
    assert r.code == 1
    assert "Boards" in r.out
    assert "examples/clean/board.dtb" in r.out and " ok " in r.out
    assert r.out.rstrip().endswith("0 suppressed, 0 input error(s)")
    assert "\x1b[" not in r.out


def test_text_color_flags() -> None:
    assert "\x1b[" in run_cli([*PROBLEMS, "--color"]).out
    assert "\x1b[" in run_cli([*PROBLEMS, "--color"], env={"NO_COLOR": "1"}).out  # flag wins
    assert "\x1b[" not in run_cli(PROBLEMS, env={"NO_COLOR": "1"}).out


def test_format_from_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('format = "github"\n')
    r = run_cli([*PROBLEMS, "--config-file", str(cfg)])
    assert r.out.startswith("cmacheck: 1 board(s)")
    assert run_cli([*PROBLEMS, "--config-file", str(cfg), "--format", "json"]).json


def test_json_cold_start_does_not_import_rich() -> None:
    r = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cmacheck", "examples/clean/board.dtb",
         "--config", "examples/clean/kernel.config", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, check=False)
    assert r.returncode == 0, r.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines()
                if line.startswith("import time:")}
    assert "rich" not in imported
    assert not {"jsonschema", "multiprocessing", "xml"} & imported
