"""Everything a rule may read, computed once: the decoded tree, config, command line, prediction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cmacheck import board
from cmacheck.findings import Location
from cmacheck.load.cmdline import iter_args, param_name, show_arg
from cmacheck.model import DeviceTree, Node
from cmacheck.records import record

if TYPE_CHECKING:
    from cmacheck.load.cmdline import Cmdline
    from cmacheck.load.kconfig import KernelConfig


CMDLINE_OPTION = Location(file="<cmdline>")
"""Where a parameter given with cmacheck's own ``--cmdline`` points."""

@record()
class CmdlinePart:
    """A stretch ``[start, end)`` of the effective command line and the input that supplied it."""

    start: int
    end: int
    at: Location
    source: str
    """How a message names the input: ``--cmdline``, ``/chosen/bootargs`` or ``CONFIG_CMDLINE``."""


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
    cmdline_parts: tuple[CmdlinePart, ...] = ()  # where each stretch of cmdline.text came from
    min_cma: int | None = None  # --min-cma: the smallest acceptable default CMA area (CMA303)

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

    def at_symbol(self, symbol: str, line: int | None = None) -> Location:
        """Location of ``CONFIG_X`` in the .config (``line``: its assignment, looked up when
        not given)."""
        if self.config is None:
            return Location(symbol=symbol)
        if line is None:
            line = self.config.lines.get(symbol.removeprefix("CONFIG_"))
        return Location(file=self.config.path, line=line, symbol=symbol)

    def at_param(self, *names: str, arg: str | None = None) -> Location:
        """Location of the input that supplied the effective ``name=`` parameter.

        The effective occurrence is the last one of any of ``names`` that the kernel parses
        (every early_param handler keeps the last value; with CONFIG_CMDLINE_EXTEND the
        built-in line comes after /chosen/bootargs, so a built-in ``cma=`` wins).  ``arg``
        (``"cma=64Q"``, as written) asks for that exact occurrence instead, falling back to
        the name.  It points at the ``bootargs`` line of the DTS (the DTB and ``/chosen``
        otherwise), the ``CONFIG_CMDLINE`` line of the ``.config``, or ``<cmdline>`` for
        ``--cmdline``; without any occurrence, at the last input that made up the line.
        """
        part = self.cmdline_part(*names, arg=arg)
        if part is not None:
            return part.at
        return self.cmdline_parts[-1].at if self.cmdline_parts else CMDLINE_OPTION

    def cmdline_part(self, *names: str, arg: str | None = None) -> CmdlinePart | None:
        """The part holding the effective occurrence (see :meth:`at_param`), or None."""
        wanted = {param_name(n) for n in names}
        found: CmdlinePart | None = None
        exact: CmdlinePart | None = None
        for start, name, value in iter_args(self.cmdline.text if self.cmdline else ""):
            if value is None and name == "--":
                break
            if param_name(name) not in wanted:
                continue
            part = next((p for p in self.cmdline_parts if p.start <= start < p.end), None)
            found = part or found
            if arg is not None and show_arg(name, value) == arg:
                exact = part or exact
        return exact or found


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
