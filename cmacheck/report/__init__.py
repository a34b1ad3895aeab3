"""Formatters: each takes a Report and a text stream, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from cmacheck.api import Report
from cmacheck.report import json_report, text

FORMATTERS: dict[str, Callable[[Report, TextIO], None]] = {
    "text": text.render,
    "json": json_report.render,
}
