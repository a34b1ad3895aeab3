"""Everything a rule may read, computed once: the decoded tree, config, command line, prediction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cmacheck import board
from cmacheck.findings import Location
from cmacheck.model import DeviceTree, Node
from cmacheck.records import record

if TYPE_CHECKING:
    from cmacheck.load.cmdline import Cmdline
    from cmacheck.load.kconfig import KernelConfig


@record(eq=False)
class Context:
    """The facts every rule reads, computed once per board."""

    dt: DeviceTree
    cells: board.Cells
    memory: tuple[board.MemoryNode, ...]
    chosen: board.Chosen
    rmem: board.ReservedMemory
    config: KernelConfig | None = None
    cmdline: Cmdline | None = None
    kernel: Any = None  # cmacheck.kernel.KernelModel once the version is known
    run: Any = None  # cmacheck.dryrun.DryRun when the dry run could be made
    ram: tuple[tuple[int, int], ...] = ()  # RAM as given by --ram (replaces DT memory)
    cma_plan: Any = None  # cmacheck.cma.CmaSizePlan: the default CMA size and its provenance
    comparison: Any = None  # cmacheck.compare.Comparison with --dmesg / --live
    schema: Any = None  # --schema: tuple of load.schema.SchemaProblem, or why it was skipped
    workload: Any = None  # --workload: cmacheck.workload.WorkloadResult

    @property
    def ram_known(self) -> bool:
        return bool(self.ram) or any(m.available and m.banks for m in self.memory)

    def at(self, node: Node, prop: str | None = None) -> Location:
        """Location of ``node`` (or of its property ``prop`` when it carries a source line)."""
        loc = node.loc
        if prop is not None:
            p = node.prop(prop)
            if p is not None and p.loc is not None:
                loc = p.loc
        if loc is None:
            return Location(file=self.dt.source, node=node.path)
        return Location(file=loc.file, line=loc.line, node=node.path)

    def at_symbol(self, symbol: str, line: int | None) -> Location:
        path = self.config.path if self.config is not None else None
        return Location(file=path, line=line, symbol=symbol)


def build_context(dt: DeviceTree, **kw: Any) -> Context:
    cells = board.root_cells(dt)
    return Context(
        dt=dt,
        cells=cells,
        memory=tuple(board.memory_nodes(dt, cells)),
        chosen=board.chosen(dt, cells),
        rmem=board.reserved_memory(dt, cells),
        **kw,
    )
