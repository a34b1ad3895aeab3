"""The rule registry is complete and consistent (flake8-style completeness checks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cmacheck import rules

RULES_DIR = Path(__file__).parent / "rules"


def test_ids_unique_and_well_formed() -> None:
    ids = [r.ID for r in rules.ALL]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"CMA\d{3}", i) for i in ids)
    assert not set(ids) & rules.RETIRED


@pytest.mark.parametrize("rule", rules.ALL, ids=lambda r: r.ID)
def test_rule_shape(rule: rules.Rule) -> None:
    module = rule.__name__.rsplit(".", 1)[1]
    assert module.startswith(rule.ID.lower() + "_")
    assert re.fullmatch(r"[a-z0-9-]+", rule.NAME)
    doc = rule.__doc__ or ""
    assert rules.summary(rule).endswith(".")
    assert "\nFails:\n" in doc and "\nPasses:\n" in doc


@pytest.mark.parametrize("rule", rules.ALL, ids=lambda r: r.ID)
def test_rule_has_pass_and_fail_fixtures(rule: rules.Rule) -> None:
    names = [p.name for p in (RULES_DIR / rule.ID).glob("*.dts")]
    assert any(n.startswith("fail-") for n in names), f"{rule.ID}: no fail-*.dts fixture"
    assert any(n.startswith("pass-") for n in names), f"{rule.ID}: no pass-*.dts fixture"
