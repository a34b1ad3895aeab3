"""Kernel version parsing and the mechanism that resolves version-dependent facts.

A fact (``"era"``, ``"cma.slots_plus_one"``, ``"msg.cma_reserved"`` ...) is a sequence of
:class:`Change` entries in :mod:`cmacheck.kernel.changes`.  The value of a fact for a
given kernel is the value of the *newest* change that applies to it.  A change applies
either because the kernel is at or after the mainline release that introduced it, or
because the kernel belongs to a stable series that received a backport (optionally
reverted again at a later sublevel).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cmacheck.records import record

Version = tuple[int, int, int]

#: First and (exclusive) last kernel versions the model covers.
MIN_VERSION: Version = (5, 4, 0)
MAX_VERSION_EXCLUSIVE: Version = (8, 0, 0)
RANGE_TEXT = "5.4–7.x"

_VERSION_RE = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?")


def parse_version(text: str) -> Version:
    """Parse ``"6.1.0-56-arm64"``, ``"6.12.117"``, ``"7.2"`` or ``"v6.6-rc3"`` into a triple.

    Raises:
        ValueError: the text does not start with ``MAJOR.MINOR``.
    """
    m = _VERSION_RE.match(text)
    if m is None:
        raise ValueError(f"cannot parse kernel version {text!r}")
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


def format_version(version: Version) -> str:
    """``(6, 12, 0)`` -> ``"6.12.0"``."""
    return ".".join(str(part) for part in version)


def check_range(version: Version) -> None:
    """Raise ``ValueError`` (one line) if ``version`` is outside the modelled range."""
    if not MIN_VERSION <= version < MAX_VERSION_EXCLUSIVE:
        shown = f"{version[0]}.{version[1]}" if version[2] == 0 else format_version(version)
        raise ValueError(f"kernel {shown} is outside the modelled range {RANGE_TEXT}")


@record()
class Msg:
    """One kernel log message: printk level, the pr_fmt prefix and the printf format.

    ``fmt`` is the kernel's own format string (``%pa``, ``%lu`` ...); render it with
    :func:`cmacheck.kernel.printk.render`.  An embedded ``\\n`` starts a new log line
    which does *not* carry the prefix (one printk call).
    """

    level: str
    prefix: str
    fmt: str


Value = int | str | bool | Msg | None


@record()
class Backport:
    """A change that reached the stable series ``series`` at sublevel ``first``.

    ``last`` is the last sublevel that still had it (a later stable revert), or ``None``.
    """

    series: tuple[int, int]
    first: int
    last: int | None = None

    def covers(self, version: Version) -> bool:
        if (version[0], version[1]) != self.series or version[2] < self.first:
            return False
        return self.last is None or version[2] <= self.last


@record()
class Change:
    """``name`` takes ``value`` from mainline ``since`` (and the listed stable backports).

    ``tag`` says how the boundary is known: ``SRC`` (read in a tree), ``HIST`` (dated
    commit / pull / stable record), ``QEMU`` (observed on a real kernel), ``INF``
    (inferred, not verified).  ``cite`` names the commit, tree or record.
    """

    name: str
    since: Version
    value: Value
    cite: str
    tag: str = "HIST"
    backports: tuple[Backport, ...] = ()

    def applies(self, version: Version) -> bool:
        if version >= self.since:
            return True
        return any(bp.covers(version) for bp in self.backports)


def resolve(changes: Iterable[Change], name: str, version: Version) -> Change:
    """Return the newest change of fact ``name`` that applies to ``version``.

    Raises:
        KeyError: no change for ``name`` applies (a gap in the data table: a bug).
    """
    best: Change | None = None
    for change in changes:
        if change.name != name or not change.applies(version):
            continue
        if best is None or change.since >= best.since:
            best = change
    if best is None:
        raise KeyError(f"no data for kernel fact {name!r} at {format_version(version)}")
    return best
