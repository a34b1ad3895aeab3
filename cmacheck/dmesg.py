"""Read a kernel boot log back into per-region outcomes (the lines of kernel-model.md §10).

``parse_log(text)`` accepts ``dmesg`` output with or without ``[    0.000000]`` timestamps or
``<6>`` level prefixes, and returns a :class:`ParsedLog`:

* ``regions``: one :class:`LoggedRegion` per ``/reserved-memory`` node the kernel named, with
  the status vocabulary of the output contract (created, reserved, rejected, bypassed, failed,
  ignored, inactive), the driver, base and size as far as the log tells them;
* ``areas``: the CMA areas ``mm/cma.c`` declared outside the DT (``cma: Reserved ...`` /
  ``cma: Failed to reserve ...``), in log order; ``default_area`` is the first of them;
* the overlap report, ``Memory limited to``, the zone ranges, the ``Memory: ...`` summary, and,
  when the boot ran with ``memblock=debug``, the memblock trace and final configuration.

Sizes printed in MiB are truncated by the kernel (``size 0 MiB`` for a 4 KiB pool), so
:attr:`LoggedRegion.size_exact` says whether ``size`` is exact (6.3+ summary line) or only a
MiB lower bound.  7.2 prints the *requested* default CMA size (kernel-model.md §12.1).
Pure functions, no I/O.
"""

from __future__ import annotations

import re

from cmacheck.records import field, record

__all__ = [
    "LoggedArea",
    "LoggedRegion",
    "MemblockEvent",
    "ParsedLog",
    "parse_log",
    "strip_prefix",
]

_MIB = 1 << 20

_TS = re.compile(r"^(?:<\d{1,20}>)?\s*(?:\[\s*\d{1,20}\.\d{1,20}\]\s?)?")
_HEX = r"0x[0-9a-fA-F]+"

_CREATED = re.compile(
    rf"Reserved memory: created (CMA memory|DMA memory|restricted DMA) pool at ({_HEX}), "
    r"size (\d{1,20}) MiB"
)
_INIT = re.compile(r"initialized node (\S+), compatible id (\S+)")
_MATCH_FAIL = re.compile(r"node (\S+) compatible matching fail")
_SUMMARY = re.compile(
    rf"^({_HEX})\.\.({_HEX}) \((\d{{1,20}}) KiB\) (nomap|map) (reusable|non-reusable) (.*)$"
)
_RESERVE_FAIL = re.compile(
    rf"Reserved memory: failed to reserve memory for node '([^']*)': base ({_HEX}), "
    r"size (\d{1,20}) MiB"
)
_INVALID = re.compile(
    r"(?:Reserved memory: )?invalid (reg|size|alignment|alloc-ranges) property in '([^']*)'"
)
_ALLOC_FAIL = re.compile(r"failed to allocate memory for node '([^']*)'(?:: size (\d{1,20}) MiB)?")
_BYPASS = re.compile(r"Reserved memory: bypass (\S+) node, using cmdline CMA params instead")
_SKIP_DEFAULT = 'Skipping dt linux,cma-default node in favor for "cma=" kernel param.'
_OVERLAP = re.compile(rf"^(\S+) \(({_HEX})--({_HEX})\) overlaps with (\S+) \(({_HEX})--({_HEX})\)")
_CMA_RESERVED = re.compile(
    rf"^cma: Reserved (\d{{1,20}}) MiB at ({_HEX})(?: on node (-?\d{{1,20}}))?"
)
_CMA_FAILED = re.compile(r"^cma: Failed to reserve (\d{1,20}) MiB(?: on node (-?\d{1,20}))?")
_NOT_ACTIVATED = re.compile(r"^cma: CMA area (\S+) could not be activated")
# command-line CMA areas (kernel/dma/contiguous.c per-NUMA, mm/hugetlb.c hugetlb_cma)
# "<prefix>: reservation failed: err %d, node %d" after a failed cma_declare_contiguous_nid:
# prefix "cma: " + __func__ (dma_pernuma_cma_reserve <6.7, dma_numa_cma_reserve 6.7+, for
# cma_pernuma= and numa_cma= alike) or "hugetlb_cma"
_AREA_FAILED = re.compile(
    r"^(?:cma: (\w+)|hugetlb_cma): reservation failed: err (-?\d{1,20}), node (\d{1,20})"
)
_NUMA_INVALID = re.compile(r"^cma: invalid node (\d{1,20}) specified")
_HUGETLB = re.compile(r"^hugetlb_cma: ")
# 6.15+, no address
_CMA_RANGES = re.compile(r"^cma: Reserved (\d{1,20}) MiB in (\d{1,20}) ranges?$")
_HUGETLB_RESERVED = re.compile(r"^hugetlb_cma: reserved (\d{1,20}) MiB on node (\d{1,20})")
_MEM_LIMITED = re.compile(r"Memory limited to (\d{1,20})MB")
_ZONE = re.compile(
    rf"^\s+(DMA|DMA32|Normal|HighMem|Movable|Device)\s+(?:\[mem ({_HEX})-({_HEX})\]|empty)"
)
_MEMORY = re.compile(
    r"^Memory: (\d{1,20})K/(\d{1,20})K available.*?(?:, (\d{1,20})K cma-reserved)?\)"
)
_VERSION = re.compile(r"^Linux version (\S+)")
# 7.x: "__memblock_reserve: [a-b] nid=-1 flags=0 caller"
_MB_RANGE = re.compile(
    rf"^_*(memblock_\w+): \[({_HEX})-({_HEX})\](?: nid=-?\d{{1,20}})?(?: flags=\S+)? (\S+)"
)
_MB_ALLOC = re.compile(
    rf"^_*(memblock_\w+): (\d{{1,20}}) bytes align=({_HEX}) (?:nid=(-?\d{{1,20}}) )?from=({_HEX}) "
    rf"max_addr=({_HEX}) (\S+)"
)
_MB_DUMP = re.compile(
    rf"^\s*(memory|reserved)\[{_HEX}\]\s+\[({_HEX})-({_HEX})\], ({_HEX}) bytes.*flags: ({_HEX})"
)


@record(frozen=False)
class LoggedRegion:
    """What the log says about one /reserved-memory node (by its kernel name)."""

    name: str
    status: str | None = None
    driver: str | None = None
    base: int | None = None
    size: int | None = None
    size_exact: bool = False  # False: ``size`` is a MiB-truncated lower bound
    no_map: bool | None = None
    reusable: bool | None = None
    reason: str | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def size_mib(self) -> int | None:
        return None if self.size is None else self.size // _MIB


@record(frozen=False)
class LoggedArea:
    """One ``cma_declare_contiguous`` outcome outside the DT (default / ``cma=`` area)."""

    name: str  # "reserved" unless the log names it (hugetlb%d, pernuma%d / numa%d)
    status: str  # created | failed | inactive
    base: int | None
    size_mib: int | None
    node: int | None = None
    reason: str | None = None
    lines: list[str] = field(default_factory=list)
    after_zones: bool = False  # printed after the "Zone ranges:" block


@record()
class MemblockEvent:
    """One ``memblock=debug`` line: a range operation or an allocation request."""

    op: str  # memblock_reserve, memblock_phys_alloc_range, memblock_alloc_try_nid, ...
    base: int | None  # range operations
    size: int  # range size, or the requested allocation size
    caller: str  # "function+0xoff/0xlen"
    align: int | None = None
    start: int | None = None  # allocation window
    end: int | None = None

    @property
    def function(self) -> str:
        return self.caller.split("+", 1)[0]


@record(frozen=False)
class ParsedLog:
    kernel_version: str | None = None
    regions: dict[str, LoggedRegion] = field(default_factory=dict)
    areas: list[LoggedArea] = field(default_factory=list)
    overlaps: list[tuple[str, int, int, str, int, int]] = field(default_factory=list)
    unsupported_node: int = 0
    not_enough_space: int = 0
    no_node: bool = False  # E5/E6 "Reserved memory: No reserved-memory node in the DT"
    unnamed_bypass: int = 0  # 7.x "Skipping dt linux,cma-default node ..." (no name printed)
    memory_limit_mb: int | None = None
    zones: list[tuple[str, int, int]] = field(default_factory=list)
    memory_available_kib: int | None = None
    memory_total_kib: int | None = None
    cma_reserved_kib: int | None = None
    cma_warnings: list[str] = field(default_factory=list)  # "WARNING: ... at mm/cma.c:..."
    oops: bool = False  # "Unable to handle kernel ..." / "Internal error: Oops"
    # a WARN or fault inside cma_init_reserved_areas (area not backed by a memmap)
    cma_activation_fault: bool = False
    memblock: list[MemblockEvent] = field(default_factory=list)
    final_memory: list[tuple[int, int, int]] = field(default_factory=list)  # base, size, flags
    final_reserved: list[tuple[int, int, int]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the reserved-memory / CMA lines, in order

    @property
    def default_area(self) -> LoggedArea | None:
        """The area ``dma_contiguous_reserve`` declared.

        The log does not name it, so: areas the log attributes to hugetlb_cma / per-NUMA CMA
        (a following "hugetlb_cma: reserved ..." or "...: reservation failed ..." line) and
        areas printed "on node N" with N >= 0 (6.7-6.14; the default prints -1) are not it.
        Of the rest, arm64 <= 6.x declares hugetlb and per-NUMA areas before ``sparse_init``
        and the zone report, the default area after it: the first area printed after
        "Zone ranges:" wins, else the first one (7.2 prints its per-NUMA areas after the
        default one; 32-bit arm prints the default before the zones).
        """
        rest = [a for a in self.areas if a.name == "reserved" and (a.node is None or a.node < 0)]
        late = [a for a in rest if a.after_zones]
        if late:
            return late[0]
        return rest[0] if rest else None

    @property
    def cmdline_areas(self) -> list[LoggedArea]:
        """Every non-DT CMA area except :attr:`default_area`, in log order."""
        default = self.default_area
        return [a for a in self.areas if a is not default]

    def region(self, name: str) -> LoggedRegion | None:
        return self.regions.get(name)


def strip_prefix(line: str) -> str:
    """Drop a ``<6>`` level and a ``[    0.000000]`` timestamp."""
    return _TS.sub("", line, count=1).rstrip("\r\n")


class _Parser:
    def __init__(self) -> None:
        self.out = ParsedLog()
        # driver lines come before the "initialized node" line naming the region
        self.pending: list[str] = []
        self.pending_driver: str | None = None
        self.pending_base: int | None = None
        self.pending_mib: int | None = None
        self.pending_fail: str | None = None
        self.pending_slots = False
        self.overlap_next = ""  # the "OVERLAP DETECTED!" line awaiting its pair line
        self.zones = False
        self.zones_seen = False
        self.dump: str | None = None

    def region(self, name: str) -> LoggedRegion:
        r = self.out.regions.get(name)
        if r is None:
            r = LoggedRegion(name)
            self.out.regions[name] = r
        return r

    def take_pending(self, r: LoggedRegion) -> None:
        r.lines.extend(self.pending)
        self.pending = []

    def clear_pending(self) -> None:
        self.pending_driver = None
        self.pending_base = None
        self.pending_mib = None
        self.pending_fail = None
        self.pending_slots = False

    def add_area(self, area: LoggedArea, line: str | None = None) -> None:
        """A CMA area outside the DT: it owns the pending lines (and ``line``)."""
        area.lines.extend(self.pending)
        if line is not None:
            self.out.lines.append(line)
            area.lines.append(line)
        area.after_zones = self.zones_seen
        self.pending = []
        self.out.areas.append(area)

    def flush_slots(self) -> None:
        # "Not enough slots" without a following DT message belongs to a non-DT area
        if self.pending_slots and self.pending_fail is None:
            self.add_area(LoggedArea("reserved", "failed", None, None, reason="no CMA slot left"))
            self.pending_slots = False

    def feed(self, raw: str) -> None:
        line = strip_prefix(raw)
        text = line
        for prefix in ("OF: reserved mem: ", "OF: fdt: ", "software IO TLB: "):
            if text.startswith(prefix):
                text = text[len(prefix) :]
                break
        out = self.out
        m = _VERSION.match(line)
        if m:
            out.kernel_version = m.group(1)
            return
        if self.overlap_next:
            first = self.overlap_next
            self.overlap_next = ""
            m = _OVERLAP.match(line)
            if m:
                out.lines.append(line)
                # the report names both regions: they are "named" by the log (no status)
                for name in (m.group(1), m.group(4)):
                    self.region(name).lines.extend((first, line))
                out.overlaps.append(
                    (
                        m.group(1),
                        int(m.group(2), 16),
                        int(m.group(3), 16),
                        m.group(4),
                        int(m.group(5), 16),
                        int(m.group(6), 16),
                    )
                )
                return
        if self.memblock_line(line):
            return
        if self.zone_line(line):
            return
        m = _CREATED.search(text)
        if m:
            self.flush_slots()
            out.lines.append(line)
            self.pending.append(line)
            kind = m.group(1)
            self.pending_driver = (
                "cma"
                if kind == "CMA memory"
                else "dma-coherent"
                if kind == "DMA memory"
                else "restricted-dma"
            )
            self.pending_base = int(m.group(2), 16)
            self.pending_mib = int(m.group(3))
            return
        if text.startswith("cma: Not enough slots"):
            self.flush_slots()
            out.lines.append(line)
            self.pending.append(line)
            self.pending_slots = True
            return
        for needle, reason, drv in (
            ("Reserved memory: incorrect alignment of CMA region", "misaligned CMA region", "cma"),
            ("Reserved memory: unable to setup CMA region", "cma_init_reserved_mem failed", "cma"),
            (
                "Reserved memory: regions without no-map are not yet supported",
                "arm coherent pool without no-map",
                "dma-coherent",
            ),
        ):
            if text.startswith(needle):
                out.lines.append(line)
                self.pending.append(line)
                if self.pending_slots and "unable to setup" in needle:
                    reason = "no CMA slot left"
                self.pending_slots = False
                self.pending_fail = self.pending_fail or reason
                self.pending_driver = drv
                return
        if self.pending_slots and _CMA_FAILED.match(line):
            self.pending_slots = False
            self.pending_fail = "no CMA slot left"
        self.flush_slots()
        m = _INIT.search(text)
        if m and text.startswith("initialized node"):
            out.lines.append(line)
            r = self.region(m.group(1))
            self.pending.append(line)
            self.take_pending(r)
            r.status = "created"
            r.driver = self.pending_driver
            if self.pending_base is not None:
                r.base = self.pending_base
            if self.pending_mib is not None and not r.size_exact:
                r.size = self.pending_mib * _MIB
            self.clear_pending()
            return
        m = _MATCH_FAIL.search(text)
        if m and text.startswith("node "):
            out.lines.append(line)
            r = self.region(m.group(1))
            self.pending.append(line)
            self.take_pending(r)
            if r.status != "bypassed":
                r.status = "failed" if r.status == "failed" else "rejected"
                r.reason = r.reason or self.pending_fail or "every matching driver refused it"
            if self.pending_driver is not None:
                r.driver = self.pending_driver
            self.clear_pending()
            return
        m = _SUMMARY.match(text)
        if m and line.startswith("OF: reserved mem: "):
            out.lines.append(line)
            r = self.region(m.group(6))
            r.lines.append(line)
            base, last = int(m.group(1), 16), int(m.group(2), 16)
            r.base = base
            r.size = last - base + 1
            r.size_exact = True
            r.no_map = m.group(4) == "nomap"
            r.reusable = m.group(5) == "reusable"
            if r.status is None:
                r.status = "reserved"
                r.driver = "none"
            return
        m = _RESERVE_FAIL.search(text)
        if m:
            out.lines.append(line)
            r = self.region(m.group(1))
            r.lines.append(line)
            if r.base is None:
                r.base = int(m.group(2), 16)
                r.size = int(m.group(3)) * _MIB
            r.status = "failed"
            r.reason = "reservation failed"
            return
        m = _INVALID.search(text)
        if m:
            out.lines.append(line)
            r = self.region(m.group(2))
            r.lines.append(line)
            r.status = "ignored"
            r.reason = f"invalid {m.group(1)} property"
            return
        m = _ALLOC_FAIL.search(text)
        if m and text.startswith("failed to allocate"):
            out.lines.append(line)
            r = self.region(m.group(1))
            r.lines.append(line)
            r.status = "failed"
            r.reason = "allocation failed"
            if m.group(2) is not None:
                r.size = int(m.group(2)) * _MIB
            return
        m = _BYPASS.search(text)
        if m:
            out.lines.append(line)
            r = self.region(m.group(1))
            r.lines.append(line)
            r.status = "bypassed"
            r.driver = "cma"
            r.reason = "cma= on the command line"
            return
        if text.startswith(_SKIP_DEFAULT):
            out.lines.append(line)
            out.unnamed_bypass += 1
            return
        if text.startswith("OVERLAP DETECTED!") or text.startswith(
            "Reserved memory: OVERLAP DETECTED!"
        ):
            out.lines.append(line)
            self.overlap_next = line
            return
        if text.startswith("Reserved memory: No reserved-memory node in the DT"):
            out.lines.append(line)
            out.no_node = True
            return
        if "unsupported node format, ignoring" in text:
            out.lines.append(line)
            out.unsupported_node += 1
            return
        if text.startswith("not enough space"):
            out.lines.append(line)
            out.not_enough_space += 1
            return
        if ("ignores" in text and "regions in node" in text) or "<base size> entries" in text:
            out.lines.append(line)
            return
        self.cma_line(line)

    def cmdline_area_line(self, line: str) -> bool:
        """hugetlb_cma / per-NUMA CMA lines; they name the area printed just before."""
        out = self.out
        m = _AREA_FAILED.match(line)
        if m:
            func, err, node = m.groups()
            self.flush_slots()
            out.lines.append(line)
            # 6.7+ prints the same function for cma_pernuma= and numa_cma=: "numa" then
            kind = "hugetlb" if func is None else "pernuma" if "pernuma" in func else "numa"
            self.name_last_area(line, kind, int(node), "failed", f"err {err}")
            return True
        if _NUMA_INVALID.match(line):
            out.lines.append(line)
            return True
        if not _HUGETLB.match(line):
            return False
        self.flush_slots()
        out.lines.append(line)
        m = _HUGETLB_RESERVED.match(line)
        if m:
            self.name_last_area(line, "hugetlb", int(m.group(2)), "created")
        return True

    def name_last_area(self, line: str, kind: str, node: int, status: str,
                       reason: str | None = None) -> None:
        """Name the area printed just before ``line`` (``cma: Reserved ...`` / ``cma: Failed
        to reserve ...``, which name none) ``<kind><node>``, when its status is the one
        ``line`` reports: a failure names only a failed area, a reservation a created one."""
        areas = self.out.areas
        if not areas or areas[-1].status != status:
            return
        area = areas[-1]
        area.name = f"{kind}{node}"
        area.node = node
        area.reason = area.reason or reason
        area.lines.append(line)

    def cma_line(self, line: str) -> None:
        out = self.out
        if self.cmdline_area_line(line):
            return
        m = _CMA_RANGES.match(line)
        if m:
            self.add_area(LoggedArea("reserved", "created", None, int(m.group(1))), line)
            return
        m = _CMA_RESERVED.match(line)
        if m:
            node = int(m.group(3)) if m.group(3) is not None else None
            self.add_area(LoggedArea("reserved", "created", int(m.group(2), 16),
                                     int(m.group(1)), node), line)
            return
        m = _CMA_FAILED.match(line)
        if m:
            area = LoggedArea("reserved", "failed", None, int(m.group(1)),
                              reason=self.pending_fail)
            self.pending_fail = None
            self.add_area(area, line)
            return
        if line.startswith("cma: Region at") or line.startswith("cma: Size ("):
            out.lines.append(line)
            self.pending.append(line)
            self.pending_fail = line[len("cma: ") :]
            return
        m = _NOT_ACTIVATED.match(line)
        if m:
            out.lines.append(line)
            name = m.group(1)
            target = next((a for a in out.areas if a.name == name and a.status == "created"), None)
            if target is not None:
                target.status = "inactive"
                target.lines.append(line)
            else:
                r = self.region(name)
                r.status = "inactive"
                r.lines.append(line)
            return
        if line.startswith("WARNING:") and "mm/cma.c" in line:
            out.cma_warnings.append(line)  # build-specific text: not in ``lines``
            out.cma_activation_fault = True
            return
        if "cma_init_reserved_areas" in line or "cma_activate_area" in line:
            out.cma_activation_fault = True  # pc / lr / backtrace of the fault
            return
        if line.startswith("Unable to handle kernel") or line.startswith("Internal error: Oops"):
            out.oops = True
            return
        m = _MEM_LIMITED.search(line)
        if m:
            out.lines.append(line)
            out.memory_limit_mb = int(m.group(1))
            return
        m = _MEMORY.match(line)
        if m:
            out.memory_available_kib = int(m.group(1))
            out.memory_total_kib = int(m.group(2))
            if m.group(3) is not None:
                out.cma_reserved_kib = int(m.group(3))

    def zone_line(self, line: str) -> bool:
        if line.startswith("Zone ranges:"):
            self.zones = True
            self.zones_seen = True
            return True
        if self.zones:
            m = _ZONE.match(line)
            if m:
                if m.group(2) is not None:
                    self.out.zones.append(
                        (m.group(1), int(m.group(2), 16), int(m.group(3), 16) + 1)
                    )
                return True
            self.zones = False
        return False

    def memblock_line(self, line: str) -> bool:
        if not line.startswith(
            (
                "memblock_",
                "__memblock_",
                " memory",
                " reserved",
                "\tmemory",
                "\treserved",
                "  memory",
                "  reserved",
                "MEMBLOCK configuration",
            )
        ):
            return False
        m = _MB_RANGE.match(line)
        if m:
            base, last = int(m.group(2), 16), int(m.group(3), 16)
            self.out.memblock.append(MemblockEvent(m.group(1), base, last - base + 1, m.group(4)))
            return True
        m = _MB_ALLOC.match(line)
        if m:
            self.out.memblock.append(
                MemblockEvent(
                    m.group(1),
                    None,
                    int(m.group(2)),
                    m.group(7),
                    align=int(m.group(3), 16),
                    start=int(m.group(5), 16),
                    end=int(m.group(6), 16),
                )
            )
            return True
        m = _MB_DUMP.match(line)
        if m:
            entry = (int(m.group(2), 16), int(m.group(4), 16), int(m.group(5), 16))
            if m.group(1) == "memory":
                self.out.final_memory.append(entry)
            else:
                self.out.final_reserved.append(entry)
            return True
        return line.startswith("MEMBLOCK configuration")


def parse_log(text: str) -> ParsedLog:
    """Parse a boot log (see the module docstring)."""
    p = _Parser()
    # Decimal fields match at most 20 digits (a u64): a longer number is no kernel line, and
    # int() never sees more than Python converts.
    for raw in text.splitlines():
        p.feed(raw)
    p.flush_slots()
    return p.out
