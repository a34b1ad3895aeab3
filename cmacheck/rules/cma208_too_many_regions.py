"""More `/reserved-memory` regions than the kernel records.

**What the kernel does.** drivers/of/of_reserved_mem.c keeps `MAX_RESERVED_REGIONS`
entries (32 up to 5.6, 64 from 5.7; from 6.12.13/6.13 the early array holds 64 *dynamic*
regions and the final one is sized to the count).  Beyond it: `OF: reserved mem: not
enough space for all defined regions.`; extra static regions are still reserved but never
initialised (no pool, no `memory-region` lookup), extra dynamic ones are never allocated.
Big SoCs get close (sm8450 boards upstream have 44 nodes).

**Fix.** Merge adjacent carve-outs, or drop unused nodes.

Fails:
    $ @tests/rules/CMA208/fail-65-regions.dts

Passes:
    $ @tests/rules/CMA208/pass-64-regions.dts
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import cause, outcomes

ID = "CMA208"
NAME = "too-many-regions"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    for _r, facts, at in outcomes(ctx):
        if cause(facts.reason) == "too-many":
            yield Hit(f"{facts.reason}: 'not enough space for all defined regions'", at)
