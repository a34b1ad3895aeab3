"""The rule registry: every rule module, by stable ID.

A rule module has a Markdown docstring (first line = summary; ``Fails:`` / ``Passes:``
example blocks that the tests execute), ``ID`` (``CMA`` + three digits, never reused),
``NAME``, ``SEVERITY`` and ``check(ctx) -> Iterator[Hit]``.  IDs: 0xx device-tree
structure, 1xx CMA sizing and Kconfig / command line, 2xx dry-run outcomes, 3xx what-if
and policy (``--workload``, ``--min-cma``), 8xx prediction versus a real boot log, 9xx
notices about the inputs themselves.

Registration is explicit: add the module name to ``_NAMES`` (yamllint's ``_RULES``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Protocol, cast

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity

_NAMES = (
    "cma001_reserved_memory_format",
    "cma002_reg_format",
    "cma003_size_format",
    "cma004_alignment_format",
    "cma005_alloc_ranges_format",
    "cma006_nomap_reusable",
    "cma007_duplicate_cma_default",
    "cma008_duplicate_dma_default",
    "cma009_static_overlap",
    "cma010_schema",
    "cma011_unit_address",
    "cma012_multi_entry_reg",
    "cma101_kconfig_not_effective",
    "cma102_cmdline_malformed",
    "cma103_cmdline_bypasses_dt_default",
    "cma104_kconfig_size_ignored",
    "cma105_feature_disabled",
    "cma106_highmem_ram_ignored",
    "cma201_dynamic_alloc_failed",
    "cma202_cma_misaligned",
    "cma203_outside_ram",
    "cma204_nomap_over_reserved",
    "cma205_cma_inactive",
    "cma206_default_cma_failed",
    "cma207_cma_slots_exhausted",
    "cma208_too_many_regions",
    "cma209_arm32_coherent_needs_nomap",
    "cma210_restricted_pool_props",
    "cma211_dynamic_nomap_leak",
    "cma212_region_refused",
    "cma213_cmdline_cma_area_failed",
    "cma214_cmdline_cma_node_offline",
    "cma215_hugetlb_cma_size",
    "cma216_cmdline_cma_ignored",
    "cma217_cma_size_pernuma",
    "cma301_workload_alloc_fails",
    "cma302_workload_min_size",
    "cma303_default_cma_below_minimum",
    "cma801_dmesg_region_missing",
    "cma802_dmesg_region_extra",
    "cma803_dmesg_region_base",
    "cma804_dmesg_region_size",
    "cma805_dmesg_region_status",
    "cma806_dmesg_default_status",
    "cma807_dmesg_default_size",
    "cma808_dmesg_default_base",
    "cma809_dmesg_unpredicted_message",
    "cma901_ram_unknown",
)


class Rule(Protocol):
    __doc__: str | None
    __name__: str
    ID: str
    NAME: str
    SEVERITY: Severity

    def check(self, ctx: Context) -> Iterator[Hit]: ...


ALL: tuple[Rule, ...] = tuple(
    cast(Rule, importlib.import_module(f"{__name__}.{name}")) for name in _NAMES
)
BY_ID: dict[str, Rule] = {r.ID: r for r in ALL}
# IDs that existed once and must never be reused.
RETIRED: frozenset[str] = frozenset()


def summary(rule: Rule) -> str:
    """First docstring line: the one-line description (SARIF shortDescription)."""
    return (rule.__doc__ or "").strip().splitlines()[0]
