"""What a non-editable install ships: every package and every data file the code reads."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "cmacheck").rglob("__init__.py")}
    assert found <= listed
    assert "cmacheck.schemas" in listed and (ROOT / "schemas").is_dir()
