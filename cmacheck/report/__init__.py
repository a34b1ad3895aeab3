"""Formatters: each renders a BatchResult (all boards of a run) to a text stream.

Imported lazily by name so that ``--format json`` never imports rich.  Formats:
``text`` (rich), ``json`` (the schema_version 1 contract), ``sarif`` (SARIF 2.1.0),
``github`` (Actions workflow commands), ``junit`` (JUnit XML).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from cmacheck.batch import BatchResult

MODULES = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
}
FORMATS = tuple(MODULES)


def formatter(name: str) -> Callable[[BatchResult, TextIO], None]:
    """``render_batch(result, out)`` of the format ``name``."""
    module = importlib.import_module(f"cmacheck.report.{MODULES[name]}")
    fn: Callable[[BatchResult, TextIO], None] = module.render_batch
    return fn
