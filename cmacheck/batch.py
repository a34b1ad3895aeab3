"""Many boards in one run: expand inputs, check each board (optionally in worker processes),
apply inline suppressions and the baseline, and collect one BatchResult for the formatters.

- A directory argument means every ``*.dtb`` below it (recursively, sorted by path); DTS
  files are checked only when named explicitly (a source tree holds ``.dtsi`` fragments and
  boards that need ``-I`` paths).
- A board whose inputs cannot be used (unreadable DTB, DTS syntax error, bad ``.config``)
  does not stop the batch: it becomes a :class:`BoardResult` with ``error`` set; the CLI
  prints one stderr line for it and exits 2 once everything else has been reported.
- ``-j N`` checks N boards at once, in this process and N-1 spawn-safe worker processes;
  results come back in input order and are identical to ``-j 1``.  Each process loads a
  given ``.config`` once (cached by path).
- A checked board keeps what the formatters read, not the device tree and the ``.config``
  it was checked with (:func:`detach`): a batch holds every board until the output is
  written, and workers send each result back through pickle.
"""

from __future__ import annotations

import copyreg
import os
import types
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from cmacheck import api, rules, suppress
from cmacheck.config import Policy
from cmacheck.errors import CmacheckError, UsageError
from cmacheck.findings import Finding, Severity
from cmacheck.load.kconfig import KernelConfig, load_config
from cmacheck.model import DeviceTree
from cmacheck.records import field, record, replace

if TYPE_CHECKING:
    from cmacheck import baseline as bl


@record()
class BoardResult:
    """One board: its Report (detached: see :func:`detach`), or the input error that stopped
    it."""

    dt: str
    report: api.Report | None = None
    error: str | None = None
    suppressed: tuple[suppress.Suppressed, ...] = ()

    def count(self, severity: Severity) -> int:
        return self.report.count(severity) if self.report is not None else 0


@record()
class BatchResult:
    """What every formatter receives: all boards of the run, in input order."""

    boards: tuple[BoardResult, ...]
    policy: Policy = field(default_factory=Policy)
    single: bool = True  # one board named explicitly: JSON prints the bare board object
    baseline: str | None = None
    stale: tuple[bl.Key, ...] = ()

    @property
    def reports(self) -> tuple[api.Report, ...]:
        return tuple(b.report for b in self.boards if b.report is not None)

    @property
    def errors(self) -> tuple[BoardResult, ...]:
        return tuple(b for b in self.boards if b.error is not None)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The rules that ran (selection applied), in registry order."""
        return tuple(r.ID for r in self.policy.rules)

    def failing(self, f: Finding) -> bool:
        return f.severity >= self.policy.fail_on

    @property
    def exit_status(self) -> int:
        """2 if any input failed, else 1 if a finding is at/above the fail level, else 0."""
        if self.errors:
            return 2
        return 1 if any(self.failing(f) for r in self.reports for f in r.findings) else 0


def expand(paths: Sequence[str]) -> tuple[list[str], bool]:
    """Input paths -> board files (directories -> sorted ``*.dtb`` below them).

    Returns the files and whether the run is a batch (several boards or any directory).
    Raises UsageError for a directory without any ``.dtb``.
    """
    out: list[str] = []
    batch = len(paths) > 1
    for p in paths:
        if os.path.isdir(p):
            from pathlib import Path  # only for a directory: a single board never needs it

            batch = True
            found = sorted(
                (q for q in Path(p).rglob("*.dtb") if q.is_file()),
                key=lambda q: q.relative_to(p).as_posix(),
            )
            if not found:
                raise UsageError(f"{p}: no *.dtb files below this directory")
            out.extend(str(q) for q in found)
        else:
            out.append(p)
    return list(dict.fromkeys(out)), batch


@record()
class Job:
    """Everything a worker needs for one board (picklable)."""

    inputs: api.Inputs
    rule_ids: tuple[str, ...]
    severity: Mapping[str, Severity]


_CONFIGS: dict[tuple[object, ...], KernelConfig] = {}


def _cached_config(path: str, *, arch: str | None = None,
                   version: tuple[int, int, int] | None = None,
                   overrides: Mapping[str, str | None] | None = None) -> KernelConfig:
    """load_config, once per (path, arch, version, overrides) in this process."""
    # Keyed by the path as given: findings name the .config the way the user spelled it.
    k = (path, arch, version, tuple(sorted((overrides or {}).items())))
    if k not in _CONFIGS:
        _CONFIGS[k] = load_config(path, arch=arch, version=version, overrides=overrides)
    return _CONFIGS[k]


def check_board(job: Job) -> BoardResult:
    """Run one board; an input or usage error becomes ``BoardResult.error``."""
    selected = tuple(rules.BY_ID[r] for r in job.rule_ids)
    try:
        report = api.run(job.inputs, selected=selected, severity=dict(job.severity),
                         config_loader=_cached_config)
    except CmacheckError as e:
        return BoardResult(job.inputs.dt, error=str(e))
    kept, hidden = suppress.split(report.findings, report.ctx.dt)
    if hidden:
        report = replace(report, findings=kept)
    return BoardResult(job.inputs.dt, detach(report), suppressed=hidden)


class Dropped:
    """Stands in a detached Context for what a batch does not keep; reading it fails loudly
    (AttributeError naming it) instead of giving a stale or empty value."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"{self.what} is not kept once a board is checked "
                             f"(cmacheck.batch.detach): .{name}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Dropped, (self.what,))

    def __repr__(self) -> str:
        return f"Dropped({self.what!r})"


def detach(report: api.Report) -> api.Report:
    """The Report without ``ctx.dt`` and ``ctx.config`` (a Dropped each), once the rules and
    the inline suppressions have read them.

    The formatters (report/*.py), --predict-log, diff and the baseline read the findings,
    the inputs, the CMA plan and ``ctx.kernel/run/ram/memory/rmem/cells/cmdline/workload/
    comparison``, never the whole tree or the .config.  Those two are most of a board's
    memory and of what a -j worker pickles back (a Debian .config is about 300 KB pickled,
    the tree of a large board 160 KB).
    """
    ctx = replace(
        report.ctx,
        dt=cast(DeviceTree, Dropped("the device tree")),
        config=(None if report.ctx.config is None
                else cast(KernelConfig, Dropped("the kernel config"))),
    )
    return replace(report, ctx=ctx)


def _mappingproxy(d: dict[Any, Any]) -> types.MappingProxyType[Any, Any]:
    return types.MappingProxyType(d)


def _reduce_mappingproxy(m: types.MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return (_mappingproxy, (dict(m),))


def _worker_init() -> None:
    # Reports hold read-only mappings (MappingProxyType), which pickle cannot send back.
    copyreg.pickle(types.MappingProxyType, _reduce_mappingproxy)


def run_jobs(jobs: Sequence[Job], workers: int = 1,
             on_done: Callable[[BoardResult], None] | None = None) -> list[BoardResult]:
    """Check every job; results (and ``on_done`` calls) in job order.

    ``workers`` > 1 checks that many boards at once: in this process and ``workers - 1``
    spawned ones (``-j 2`` is two processes, as ``make -j 2`` runs two jobs).  The workers
    take chunks of boards queued ahead of them; this process checks the next chunk itself
    whenever it has queued enough, and waits only when none is left.
    """
    results: list[BoardResult] = []
    kernels: dict[Any, Any] = {}

    def done(r: BoardResult) -> None:
        results.append(_share_kernel(r, kernels))
        if on_done is not None:
            on_done(results[-1])

    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            done(check_board(job))
        return results
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    helpers = min(workers, len(jobs)) - 1
    size = max(1, min(16, len(jobs) // (workers * 4)))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    finished: dict[int, list[BoardResult]] = {}
    queued: dict[Future[list[BoardResult]], int] = {}
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=helpers, mp_context=ctx,
                             initializer=_worker_init) as ex:
        nxt = 0
        while len(results) < len(jobs):
            while nxt < len(chunks) and len(queued) < 2 * helpers:
                queued[ex.submit(_check_chunk, chunks[nxt])] = nxt
                nxt += 1
            if nxt < len(chunks):
                finished[nxt] = _check_chunk(chunks[nxt])
                nxt += 1
            ready = [f for f in queued if f.done()] if nxt < len(chunks) else \
                wait(queued, return_when=FIRST_COMPLETED)[0]
            for f in ready:
                finished[queued.pop(f)] = f.result()
            while (len(results) < len(jobs)
                   and (chunk := finished.pop(len(results) // size, None)) is not None):
                for r in chunk:
                    done(r)
    return results


def _check_chunk(jobs: Sequence[Job]) -> list[BoardResult]:
    return [check_board(job) for job in jobs]


def _share_kernel(b: BoardResult, kernels: dict[Any, Any]) -> BoardResult:
    """The board with the run's first KernelModel equal to its own: every board of one kernel
    and config has an equal model of about 20 KB (mostly its citations)."""
    kernel = b.report.ctx.kernel if b.report is not None else None
    if kernel is None or b.report is None:
        return b
    try:
        shared = kernels.setdefault(kernel, kernel)
    except TypeError:  # an unhashable model: kept as it is
        return b
    if shared is kernel:
        return b
    ctx = replace(b.report.ctx, kernel=shared)
    return replace(b, report=replace(b.report, ctx=ctx))


def apply_baseline(boards: Iterable[BoardResult], baseline: bl.Baseline
                   ) -> tuple[list[BoardResult], list[bl.Key]]:
    """Hide baselined findings; return the boards and the stale baseline entries."""
    from cmacheck import baseline as bl  # only with --baseline (it brings json)

    out: list[BoardResult] = []
    used: Counter[bl.Key] = Counter()
    checked: list[str] = []
    for b in boards:
        if b.report is None:
            out.append(b)
            continue
        checked.append(b.dt)
        kept, hidden, u = bl.split(baseline, b.dt, b.report.findings)
        used.update(u)
        if hidden:
            extra = tuple(suppress.Suppressed(f, "baseline", baseline.path) for f in hidden)
            b = replace(b, report=replace(b.report, findings=kept),
                        suppressed=b.suppressed + extra)
        out.append(b)
    return out, bl.stale(baseline, checked, used)


def workers_from(jobs_opt: int | None) -> int:
    """``-j 0`` means one process per CPU."""
    if jobs_opt is None:
        return 1
    return jobs_opt if jobs_opt > 0 else (os.cpu_count() or 1)
