"""Shared fixtures: run the CLI in-process and get (exit code, stdout, stderr)."""

from __future__ import annotations

import json
import os
import shlex
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cmacheck.cli import main

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(args: Sequence[str], env: dict[str, str] | None = None) -> Result:
    runner = CliRunner()
    r = runner.invoke(main, list(args), catch_exceptions=False, env=env)
    return Result(r.exit_code, r.stdout, r.stderr)


@pytest.fixture
def cli() -> Callable[..., Result]:
    return run_cli


def split_args(text: str, **fmt: str) -> list[str]:
    return shlex.split(text.format(**fmt))


@pytest.fixture
def examples() -> Path:
    return ROOT / "examples"


def pytest_configure(config: pytest.Config) -> None:
    # The schema cache (--schema) goes to $XDG_CACHE_HOME: keep it out of the home directory.
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="cmacheck-test-cache-")
    # Under GitHub Actions --format github would append to the real job summary.
    os.environ.pop("GITHUB_STEP_SUMMARY", None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/* from the current output (review the diff)")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Path, str], None]:
    """Compare text with a golden file byte for byte (or rewrite it with --update-golden)."""
    update = request.config.getoption("--update-golden")

    def check(path: Path, text: str) -> None:
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        assert path.exists(), f"{path} missing: run pytest --update-golden"
        assert text == path.read_text()

    return check
