"""The portability view: one board under several kernel versions and page sizes.

``cmacheck board.dtb --config .config --page-size all --kernel-version 5.15,6.1,6.12,7.2``
runs the same board through each combination (``api.run`` with a version and a page-size
what-if) and lays the outcomes side by side.  On 64K pages every upstream CMA pool fails
(the CMA alignment becomes 512 MiB); on 16K some do (32 MiB); a pool sized for 4K on 5.19+
(2 MiB) fails on 5.4-5.18 (4 MiB).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cmacheck import api
from cmacheck.errors import CmacheckError, UsageError
from cmacheck.findings import Severity
from cmacheck.records import record, replace
from cmacheck.units import parse_size


@record()
class Cell:
    kernel_version: str | None  # as asked (None: the .config header's)
    page_size: int | None  # None: the .config's own
    report: api.Report | None
    error: str | None  # the one-line error when this combination cannot be checked


def parse_page_sizes(values: Sequence[str]) -> list[int | None]:
    """``--page-size`` values (``4K``, ``16k``, ``65536``, ``all``; comma lists too)."""
    out: list[int | None] = []
    for value in values:
        for part in (p.strip() for p in value.split(",") if p.strip()):
            if part.lower() == "all":
                out.extend(api.PAGE_SIZES)
                continue
            try:
                size = parse_size(part)
            except CmacheckError:
                raise UsageError(f"--page-size {part}: expected 4K, 16K, 64K or all") from None
            if size not in api.PAGE_SIZES:
                raise UsageError(f"--page-size {part}: expected 4K, 16K, 64K or all")
            out.append(size)
    return list(dict.fromkeys(out)) or [None]


def parse_versions(value: str | None) -> list[str | None]:
    if value is None:
        return [None]
    return list(dict.fromkeys(v.strip() for v in value.split(",") if v.strip())) or [None]


def matrix(inputs: api.Inputs, versions: Sequence[str | None],
           page_sizes: Sequence[int | None],
           run: Callable[[api.Inputs], api.Report] = api.run) -> list[Cell]:
    """Every (version, page size) combination, in the order given."""
    cells = []
    for version in versions:
        for page in page_sizes:
            try:
                report = run(replace(inputs, kernel_version=version or inputs.kernel_version,
                                     page_size=page))
            except CmacheckError as e:
                cells.append(Cell(version, page, None, str(e)))
                continue
            cells.append(Cell(version, page, report, None))
    return cells


def row(cell: Cell) -> dict[str, object]:
    """One combination as plain data (the JSON row; the text table shows the same)."""
    r = cell.report
    if r is None:
        return {"kernel_version": cell.kernel_version, "page_size": cell.page_size,
                "error": cell.error}
    k = r.ctx.kernel
    run = r.ctx.run
    regions = {x.path or x.name: x.status for x in run.all_regions} if run is not None else {}
    default = None
    if run is not None and run.default_cma is not None:
        default = {"size": run.default_cma.size, "status": run.default_cma.status,
                   "source": r.cma_plan.source if r.cma_plan is not None else None}
    elif r.cma_plan is not None and r.cma_plan.source == "dt" and r.cma_plan.node:
        default = {"size": r.cma_plan.size, "status": regions.get(r.cma_plan.node, "unknown"),
                   "source": "dt"}
    return {
        "kernel_version": k.version_text if k is not None else cell.kernel_version,
        "page_size": k.page_size if k is not None else cell.page_size,
        "era": k.era if k is not None else None,
        "cma_min_alignment": k.cma_min_alignment if k is not None else None,
        "default_cma": default,
        "regions": regions,
        "errors": r.count(Severity.ERROR),
        "warnings": r.count(Severity.WARNING),
        "error": None,
    }
