"""Reserved-memory regions and their users must match the dtschema bindings (opt-in: --schema).

**What is checked.** What `dt-validate` would say about `/reserved-memory` and about the
`memory-region` / `memory-region-names` properties of the nodes that use it, with
dtschema's own schemas (`reserved-memory.yaml`, `shared-dma-pool.yaml`,
`framebuffer.yaml`, `memory-region.yaml`), and nothing else of the tree:

* `reserved-memory.yaml` is applied to **every** region.  dt-validate applies it only
  through a compatible-specific schema, so it never checks the 80 % of regions that have
  no compatible (plain `no-map` carve-outs): `reg` or `size` (not both), one `reg` entry,
  `size` / `alignment` as one 32- or 64-bit number, `no-map` / `reusable` as flags and
  never together.
* cmacheck's own schemas (`schemas/reserved-memory/cmacheck-*.yaml`) add what the kernel
  enforces and dtschema does not state, each citing the kernel: `linux,cma-default` only
  works on a `shared-dma-pool` that is `reusable` and not `no-map` (`rmem_cma_setup()`);
  `linux,dma-default` only on a non-reusable `shared-dma-pool` (`rmem_dma_setup()`); a
  `restricted-dma-pool` takes neither (`rmem_swiotlb_setup()`); the default flags are
  presence-only; `memory-region-names` needs `memory-region`.

Messages are dtschema's errors rewritten for a BSP engineer, prefixed with the schema
that raised them.  Cell counts against the root's `#address-cells` / `#size-cells` are not
visible to a schema: CMA002-CMA005 check them.

**Cost.** Off by default.  Measured on a 2-vCPU VM: the first run builds the schema
cache (+1 s); a board not seen before costs the dtschema import (0.2-0.7 s) plus 5-40 ms
of validation (up to ~0.1-0.4 s for boards with 20+ regions); a board whose regions were
validated before is answered from the results cache in a few ms without importing
dtschema.  Caches live in `$XDG_CACHE_HOME/cmacheck/` (default `~/.cache/cmacheck/`).

**Fix.** Follow the message; the binding named in it documents the property.

Fails:
    $ --schema
    / { #address-cells = <1>; #size-cells = <1>;
        reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
            pool@50000000 { compatible = "restricted-dma-pool"; reusable;
                            reg = <0x50000000 0x400000>; }; }; };

Passes:
    $ --schema
    / { #address-cells = <1>; #size-cells = <1>;
        reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;
            pool@50000000 { compatible = "restricted-dma-pool";
                            reg = <0x50000000 0x400000>; }; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Location, Severity

ID = "CMA010"
NAME = "schema"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    if ctx.schema is None:
        return  # not asked for (--schema)
    if isinstance(ctx.schema, str):
        yield Hit(f"schema validation skipped: {ctx.schema}", Location(file=ctx.dt.source),
                  Severity.NOTE)
        return
    for p in ctx.schema:
        node = ctx.dt.node(p.node)
        at = ctx.at(node, p.prop) if node is not None else Location(file=ctx.dt.source,
                                                                     node=p.node)
        yield Hit(f"{p.schema}: {p.message}", at)
