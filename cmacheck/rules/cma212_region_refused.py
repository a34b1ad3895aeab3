"""A region fails or is refused for a reason no more specific rule reports.

**What the kernel does.** Every outcome the dry run predicts as `failed` or `rejected`
means a carve-out or pool that will not exist.  Specific rules explain the common causes
(CMA002-CMA006, CMA201-CMA210); this one makes sure no other failure goes unreported, with
the dry run's explanation of what the kernel does.

**Fix.** Follow the explanation; `cmacheck ... --format json` shows the predicted kernel
log lines of the region.

Fails:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool { compatible = "shared-dma-pool"; reusable; size = <0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\n# CONFIG_DMA_CMA is not set\\n"

Passes:
    / { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool { compatible = "shared-dma-pool"; reusable; size = <0 0x400000>; }; }; };
    $ --config-text "# Linux/arm64 6.1.0 Kernel Configuration\\nCONFIG_CMA=y\\nCONFIG_DMA_CMA=y\\n"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._outcome import CLAIMED, cause, label, outcomes

ID = "CMA212"
NAME = "region-refused"
SEVERITY = Severity.WARNING

# Outcomes that the structure rules (CMA002-CMA006) already explain.
_STRUCTURE = ("reg length", "size has the wrong", "alloc-ranges length", "alignment",
              "reg is empty", "reg size is 0", "wrong #cells")


def check(ctx: Context) -> Iterator[Hit]:
    for r, facts, at in outcomes(ctx):
        if r.status not in ("failed", "rejected") or r.origin == "default-cma":
            continue
        reason = facts.reason or "no reason recorded"
        if cause(reason) in CLAIMED or any(s in reason for s in _STRUCTURE):
            continue
        node = ctx.dt.node(r.path) if r.path else None
        if node is not None and node.has("no-map") and node.has("reusable"):
            continue  # CMA006
        yield Hit(f"{label(r)}predicted {r.status}: {reason}", at)
