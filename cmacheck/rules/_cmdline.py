"""Shared by the command-line rules: where a parameter came from, and the dry run's notes.

A finding about a parameter points at the input that supplied its effective occurrence
(:meth:`Context.at_param`): the ``bootargs`` line of the DTS, the ``CONFIG_CMDLINE`` line of
the ``.config``, or ``<cmdline>`` for ``--cmdline``.
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Location

# The command-line CMA options the dry run's notes talk about.
_OPTIONS = ("hugetlb_cma", "cma_pernuma", "numa_cma")


def from_where(ctx: Context, name: str) -> str:
    """`` (from /chosen/bootargs)`` -- which input supplied the effective ``name=``, or ""."""
    part = ctx.cmdline_part(name)
    return f" (from {part.source})" if part is not None else ""


def problem_at(ctx: Context, problem: str) -> Location:
    """Where a ``Cmdline.problems`` line points: each begins with the parameter as written
    (``cma=64Q: trailing 'Q' ...``, ``cma: no value ...``)."""
    arg = problem.split(" ", 1)[0].rstrip(":")
    return ctx.at_param(arg.split("=", 1)[0], arg=arg)


def note_hits(ctx: Context, kind: str, at: Location | None = None) -> Iterator[Hit]:
    """One Hit per dry-run note of ``kind`` (``DryRunFacts.cmdline_cma_notes``), at ``at`` or
    else at the option the note names."""
    run = ctx.run
    if run is None:
        return
    for k, text in run.facts.cmdline_cma_notes:
        if k == kind:
            names = [n for n in _OPTIONS if f"{n}=" in text]
            yield Hit(text, at if at is not None else ctx.at_param(*names))
