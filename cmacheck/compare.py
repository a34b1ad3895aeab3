"""Where a real boot and the prediction part ways (``--dmesg`` / ``--live``).

``compare(run, log)`` matches the dry run's regions (by the kernel's name for them) and its
default CMA area against what a kernel log says, and returns every difference with both
values.  Only what the log can show is compared: a plain static region prints nothing on
6.1 (kernel-model.md §12.1), so a region is *visible* when the prediction expects a line for
it or the log names it.  Sizes printed in MiB are truncated by the kernel, so a MiB-only log
value is compared in whole MiB.
"""

from __future__ import annotations

from cmacheck.dmesg import LoggedRegion, ParsedLog
from cmacheck.dryrun import DryRun, RegionOutcome
from cmacheck.records import record
from cmacheck.units import format_size

MIB = 1 << 20


@record()
class Difference:
    kind: str  # region-missing | region-extra | base | size | status | default-status |
    #            default-size | default-base | message
    name: str  # the kernel's name for the region ("reserved" for the default area)
    path: str | None
    message: str


@record()
class Comparison:
    agree: int
    total: int
    kernel_version: str | None
    differences: tuple[Difference, ...]
    invisible: int  # predicted regions this log cannot show (no line expected, none printed)


def _hex(v: int | None) -> str:
    return "none" if v is None else f"{v:#x}"


def _size_text(size: int | None, exact: bool) -> str:
    if size is None:
        return "unknown"
    return format_size(size) if exact else f"{size // MIB} MiB"


def _seen_status(predicted: str, logged: str | None, log: ParsedLog) -> str | None:
    """The logged status, reading a created-then-WARN as "inactive".

    An area outside RAM is "created" at reservation time; its activation then hits
    WARN_ON_ONCE(!pfn_valid) in cma_init_reserved_areas (mm/cma.c) and usually faults: the
    log never says "could not be activated", only the warning.
    """
    if predicted == "inactive" and logged == "created" and log.cma_activation_fault:
        return "inactive"
    return logged


def _region_diffs(p: RegionOutcome, seen: LoggedRegion, log: ParsedLog) -> list[Difference]:
    out = []
    status = _seen_status(p.status, seen.status, log)
    if status is not None and status != p.status:
        out.append(Difference("status", p.name, p.path,
                              f"predicted {p.status}, the kernel says {status}"
                              + (f" ({seen.reason})" if seen.reason else "")))
    placed = ("created", "reserved", "inactive")
    if seen.base is not None and p.base != seen.base and p.status in placed:
        out.append(Difference("base", p.name, p.path,
                              f"predicted base {_hex(p.base)}, the kernel used {_hex(seen.base)}"))
    if seen.size is not None and p.status in placed:
        same = p.size == seen.size if seen.size_exact else p.size // MIB == seen.size // MIB
        if not same:
            out.append(Difference(
                "size", p.name, p.path,
                f"predicted size {_size_text(p.size, seen.size_exact)}, the kernel says "
                f"{_size_text(seen.size, seen.size_exact)}"))
    return out


def _default_diffs(p: RegionOutcome | None, log: ParsedLog, base_tolerance: int,
                   printed_size: int | None) -> tuple[list[Difference], bool]:
    """Differences for the default CMA area, and whether it was visible at all."""
    seen = log.default_area
    if p is None or p.status not in ("created", "failed", "inactive"):
        if seen is None:
            return [], False
        return [Difference("default-status", "reserved", None,
                           f"no default CMA area predicted, the kernel {seen.status} one"
                           + (f" of {seen.size_mib} MiB" if seen.size_mib is not None else ""))
                ], True
    if seen is None:
        return [Difference("default-status", "reserved", None,
                           f"predicted a default CMA area ({p.status}, {format_size(p.size)}), "
                           "the log shows none")], True
    out = []
    status = _seen_status(p.status, seen.status, log)
    if status != p.status:
        out.append(Difference("default-status", "reserved", None,
                              f"predicted {p.status}, the kernel says {status}"))
    printed = (printed_size if printed_size is not None else p.size) // MIB
    if seen.size_mib is not None and printed != seen.size_mib:
        out.append(Difference("default-size", "reserved", None,
                              f"predicted {printed} MiB, the kernel says "
                              f"{seen.size_mib} MiB"))
    if (p.status == "created" and seen.base is not None and p.base is not None
            and abs(p.base - seen.base) > base_tolerance):
        out.append(Difference("default-base", "reserved", None,
                              f"predicted base {_hex(p.base)}, the kernel used "
                              f"{_hex(seen.base)}"))
    return out, True


def _cmdline_area_diffs(run: DryRun, log: ParsedLog, prints_requested_size: bool = False,
                        ) -> tuple[list[Difference], int, int]:
    """The hugetlb_cma= / cma_pernuma= / numa_cma= areas (and 7.2's per-node default copies),
    paired in log order with the non-default areas of the log: (differences, compared,
    agreeing).  The log names them only through the lines that follow them, so the pairing
    is by order, which is the declaration order on both sides.

    ``prints_requested_size``: 6.15+ prints the size asked for, not the area's (rounded up
    to the CMA alignment): arm64-sid-16k numa1-pernuma-slots, cma_pernuma=16M, 32 MiB
    reserved, "16 MiB"."""
    out: list[Difference] = []
    seen = log.cmdline_areas
    agree = 0
    facts = run.facts.region_facts
    for i, p in enumerate(run.extra_areas):
        if i >= len(seen):
            out.append(Difference("region-missing", p.name, None,
                                  f"predicted a {format_size(p.size)} CMA area ({p.status}), "
                                  "the log shows no further CMA area"))
            continue
        a = seen[i]
        found = []
        if a.status != p.status:
            found.append(Difference("status", p.name, None,
                                    f"predicted {p.status}, the kernel {a.status} it"))
        elif a.base is not None and p.base != a.base:
            found.append(Difference("base", p.name, None,
                                    f"predicted at {_hex(p.base)}, the kernel put it at "
                                    f"{_hex(a.base)}"))
        fact = facts.get(p.name)
        requested = fact.requested_size if fact is not None else None
        printed = (requested if prints_requested_size and requested else p.size) >> 20
        if a.size_mib is not None and a.status == p.status == "created" and (
                printed != a.size_mib):
            found.append(Difference("size", p.name, None,
                                    f"predicted {printed} MiB, the kernel printed "
                                    f"{a.size_mib} MiB"))
        out += found
        agree += not found
    for a in seen[len(run.extra_areas):]:
        out.append(Difference("region-extra", a.name, None,
                              f"the kernel reports a further CMA area ({a.status}, "
                              f"{a.size_mib} MiB) the prediction does not have"))
    return out, max(len(seen), len(run.extra_areas)), agree


def _message_diffs(run: DryRun, log: ParsedLog) -> list[Difference]:
    """Whole-tree messages: overlap reports, unsupported format, region-array overflow."""
    out = []
    checks = (
        ("OVERLAP DETECTED", "overlap report", len(log.overlaps)),
        ("unsupported node format", "'unsupported node format'", log.unsupported_node),
        ("not enough space", "'not enough space for all defined regions'", log.not_enough_space),
    )
    for needle, what, seen in checks:
        predicted = sum(1 for line in run.log if needle in line)
        if predicted and needle == "OVERLAP DETECTED":
            predicted = sum(1 for line in run.log if " overlaps with " in line)
        if predicted != seen:
            out.append(Difference("message", "-", None,
                                  f"{what}: predicted {predicted} time(s), the kernel printed "
                                  f"it {seen} time(s)"))
    return out


def compare(run: DryRun, log: ParsedLog, *, base_tolerance: int = 0,
            prints_requested_size: bool = False) -> Comparison:
    """Every difference between a prediction and a parsed boot log.

    ``prints_requested_size``: the kernel (6.15+) prints the default area's requested size,
    not the size rounded up to the CMA alignment.
    """
    diffs: list[Difference] = []
    agree = total = invisible = 0
    predicted_names = set()
    unnamed_bypass = log.unnamed_bypass  # 7.x names no node in its bypass message
    for p in run.regions:
        predicted_names.add(p.name)
        seen = log.region(p.name)
        if seen is None and p.status == "bypassed" and unnamed_bypass:
            unnamed_bypass -= 1
            total += 1
            agree += 1
            continue
        if seen is None:
            if p.log:
                total += 1
                diffs.append(Difference("region-missing", p.name, p.path,
                                        f"predicted '{p.log[0]}', the log never names "
                                        f"{p.name}"))
            else:
                invisible += 1
            continue
        total += 1
        found = _region_diffs(p, seen, log)
        diffs += found
        agree += not found
    for name in sorted(set(log.regions) - predicted_names):
        seen = log.regions[name]
        total += 1
        diffs.append(Difference("region-extra", name, None,
                                f"the kernel reports {name} ({seen.status or 'named'}) but the "
                                "prediction has no such region"))
    plan = run.cma_size_plan
    printed = (plan.declared_size if prints_requested_size and plan is not None
               and plan.declared_size else None)
    found, visible = _default_diffs(run.default_cma, log, base_tolerance, printed)
    if visible:
        total += 1
        agree += not found
        diffs += found
    found, compared, agreeing = _cmdline_area_diffs(run, log, prints_requested_size)
    total += compared
    agree += agreeing
    diffs += found
    diffs += _message_diffs(run, log)
    return Comparison(agree, total, log.kernel_version, tuple(diffs), invisible)
