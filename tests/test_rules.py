"""Every rule fixture under tests/rules/<ID>/{pass,fail}-*.dts yields exactly what it says.

First line of a fixture: ``// expect: <ID> <where> ...`` (where = node path, Kconfig
symbol, file, or ``<file>`` for the fixture itself) or ``// expect: none``; an optional
``// args: ...`` line adds CLI options (``{dir}`` is the fixture's directory).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, split_args

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
