"""What rules yield (Hit) and what the engine emits (Finding): plain frozen records."""

from __future__ import annotations

import enum

from cmacheck.records import record


class Severity(enum.IntEnum):
    NOTE = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


@record()
class Location:
    """Where a finding points; lines are 1-based, None when unknown (DTB input)."""

    file: str | None = None
    line: int | None = None
    node: str | None = None  # "/reserved-memory/linux,cma"
    symbol: str | None = None  # "CONFIG_CMA_SIZE_MBYTES"


@record()
class Hit:
    """A rule's observation; the engine stamps rule ID and severity (yamllint style)."""

    message: str
    at: Location
    severity: Severity | None = None  # None: the rule's default severity


@record()
class Finding:
    """A Hit stamped with its rule ID and effective severity: what the formatters get."""

    rule: str
    severity: Severity
    message: str
    at: Location

    @property
    def sort_key(self) -> tuple[str, int, str, str, str, str]:
        a = self.at
        return (a.file or "", a.line or 0, a.node or "", a.symbol or "", self.rule, self.message)
