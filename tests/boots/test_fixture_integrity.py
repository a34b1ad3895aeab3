"""Consistency of the recorded real-boot fixtures (tests/boots/<kernel-id>/<case-id>/).

Offline and fast: no QEMU, no dtc.  Checks that every fixture is complete, that meta.json
describes the DTB that is stored, and that the case definitions in tools/boots/cases.py still
produce exactly the DTS that was booted (so the inputs can be rebuilt from data).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO / "tools"))

from boots import model  # noqa: E402
from boots.cases import all_cases  # noqa: E402

FIXTURES = sorted(p.parent for p in HERE.glob("*/*/meta.json") if not p.parent.name.startswith("."))
CASES = {c.id: c for c in all_cases()}
FILES = ("board.dts", "board.dtb", "boot.log.gz", "meta.json")


def _id(p: Path) -> str:
    return f"{p.parent.name}/{p.name}"


@pytest.mark.parametrize("fx", FIXTURES, ids=_id)
def test_fixture_complete(fx: Path) -> None:
    for name in FILES:
        assert (fx / name).is_file(), name
    meta = json.loads((fx / "meta.json").read_text())
    assert meta["case_id"] == fx.name
    assert meta["kernel"]["kernel_id"] == fx.parent.name
    dtb = (fx / "board.dtb").read_bytes()
    assert int.from_bytes(dtb[4:8], "big") == len(dtb) == meta["dtb"]["totalsize"]
    assert hashlib.sha256(dtb).hexdigest() == meta["dtb"]["sha256"]
    with gzip.open(fx / "boot.log.gz", "rb") as f:
        assert len(f.read()) == meta["boot"]["log_bytes"]


def test_every_fixture_has_a_case() -> None:
    assert [fx.name for fx in FIXTURES if fx.name not in CASES] == []


# Real board DTBs come from the kernel package, not from case data: only the synthetic
# cases can be rebuilt here (the board fixtures' bytes are checked by sha256 above).
SYNTHETIC = [fx for fx in FIXTURES if fx.name in CASES and not CASES[fx.name].board]


@pytest.mark.parametrize("fx", SYNTHETIC, ids=_id)
def test_dts_rebuilds_from_case_data(fx: Path) -> None:
    meta = json.loads((fx / "meta.json").read_text())
    case = CASES[fx.name]
    plan = model.plan(case, {"arch": meta["arch"]})
    assert plan.dts == (fx / "board.dts").read_text()
    assert plan.bootargs == meta["cmdline"]
    assert hex(plan.dtb_addr) == meta["dtb"]["address"]
    assert hex(plan.kernel_addr) == meta["kernel_image"]["load_address"]
