"""Kernel ``.config`` adapter: the only module that imports kconfiglib.

``load_config`` reads a full ``.config``, a defconfig or a fragment (gzip or plain text,
detected by magic) and evaluates it against ``Kconfig.cmacheck``, a small Kconfig model of
the CMA / reserved-memory symbols bundled next to this module (the kernel's own Kconfig
tree cannot be parsed by PyPI kconfiglib from Linux 5.13 on).  Arch and version select
the model's defaults: the loader sets the arch symbols (``ARM64``/``ARM``/``RISCV``/
``64BIT``) and ``CMACHECK_VERSION`` (major*100+minor, 0 = unknown = newest defaults)
through kconfiglib user values; nothing touches ``os.environ``.

The file is parsed here with the rules of the kernel's ``scripts/kconfig/confdata.c``
(``conf_read_simple``/``conf_set_sym_val``), and only the last assignment of each modelled
symbol is handed to kconfiglib.  Differences from kconfiglib that follow the C tool:
an out-of-range int is clamped to the nearest bound (``sym_validate_range``) instead of
falling back to the default; a bool value is judged by its first character
(``CONFIG_CMA=yes`` is y).

What the file asked for but did not get is reported as :class:`ConfigProblem` (kconfiglib
is silent about most of it).  Unreadable, binary or garbled input raises
:class:`~cmacheck.errors.InputError`.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from types import MappingProxyType
from typing import Any, NamedTuple

import kconfiglib  # type: ignore[import-untyped]

from cmacheck.errors import InputError, UsageError
from cmacheck.records import record

MODEL_FILE = "Kconfig.cmacheck"
"""Package data file (``cmacheck/load/Kconfig.cmacheck``) holding the Kconfig model."""

ARCHES = ("arm64", "arm", "riscv64", "riscv32")

# Symbols the loader sets itself; the file's values for them are recorded, not applied.
_ARCH_SYMS = ("ARM64", "ARM", "RISCV")
_LOADER_SYMS = frozenset((*_ARCH_SYMS, "64BIT", "CMACHECK_VERSION", "CMACHECK_ANY_VERSION"))
_VERSION_SYMS = frozenset(("CMACHECK_VERSION", "CMACHECK_ANY_VERSION"))
_GATE_SYMS = frozenset((*_ARCH_SYMS, "64BIT")) | _VERSION_SYMS

_BOOLS = (kconfiglib.BOOL, kconfiglib.TRISTATE)
_HEADER_RE = re.compile(r"# Linux/(\S+) (\S+) Kernel Configuration\s*")
_VERSION_RE = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
_INT_RE = re.compile(r"-?(?:0|[1-9][0-9]*)")
_HEX_RE = re.compile(r"(?:0[xX])?[0-9a-fA-F]+")
_HEADER_LINES = 10  # the kernel writes the header as line 3
# A line that is empty, blank, a comment or starts with CONFIG_ is fine; the first other one
# is garbage (searched in the text with a "\n" in front, so that every line follows one).
_BAD_LINE = re.compile(r"\n(?!CONFIG_|#|[^\S\n]*(?:\n|$))")
# A full allyesconfig is about 300 KiB; this only bounds the memory a hostile file can take.
MAX_CONFIG_BYTES = 64 * 1024 * 1024


@record()
class ConfigProblem:
    """Something the file asked for that did not take effect."""

    symbol: str  # "CONFIG_CMA_SIZE_MBYTES"
    line: int | None  # 1-based line in the .config
    message: str
    # "choice-conflict" | "out-of-range" | "invalid-value" | "unmet-dependency" | "invisible"
    # | "duplicate"
    kind: str


@record()
class KernelConfig:
    """A loaded ``.config``: effective values of the modelled symbols and raw assignments.

    Attributes:
        path: the file as given.
        version, version_string: from the header line (``# Linux/arm64 6.1.192 Kernel
            Configuration``) or the caller; None for a header-less file.
        arch: "arm64", "arm", "riscv64" or "riscv32"; None if neither the header, the
            caller nor a ``CONFIG_ARM64/ARM/RISCV=y`` line tells (evaluated as arm64).
        symbols: effective values (kconfiglib ``str_value``) of the modelled symbols, names
            without ``CONFIG_``; a bool is always present ("n" when unset); an int, hex or
            string symbol is absent when kconfig would not write it (e.g. invisible).
        requested: every assignment in the file, modelled or not: name -> (value as
            written, 1-based line); the last one wins; "is not set" reads as "n".
        lines: name -> line of the last assignment (a view of ``requested``).
        problems: assignments to modelled symbols that did not take effect, by line.
    """

    path: str
    version: tuple[int, int, int] | None
    version_string: str | None
    arch: str | None
    symbols: Mapping[str, str]
    requested: Mapping[str, tuple[str, int]]
    lines: Mapping[str, int]
    problems: tuple[ConfigProblem, ...]

    def value(self, name: str) -> str | None:
        """Effective value of ``name`` (no ``CONFIG_`` prefix), None if absent."""
        return self.symbols.get(name)

    def enabled(self, name: str) -> bool:
        """True if ``name`` is ``y`` or ``m``."""
        return self.symbols.get(name) in ("y", "m")


class _Assignment(NamedTuple):
    """One assignment to a modelled symbol."""

    name: str
    raw: str | None  # text after "=" ("n" for "is not set"); None: a CONFIG_ line without "="
    line: int
    unset: bool  # written as "# CONFIG_X is not set"

    @property
    def text(self) -> str:
        if self.raw is None:
            return f"CONFIG_{self.name}"
        return f"CONFIG_{self.name}={self.raw}"


def load_config(
    path: str,
    *,
    arch: str | None = None,
    version: tuple[int, int, int] | None = None,
    overrides: Mapping[str, str | None] | None = None,
) -> KernelConfig:
    """Load ``path`` and evaluate it against the bundled Kconfig model.

    ``arch`` ("arm64", "arm", "riscv64", "riscv32"; "riscv" follows CONFIG_64BIT) and
    ``version`` override the header line.  Without either, a header-less file gets
    ``arch`` from ``CONFIG_ARM64=y``/``CONFIG_ARM=y``/``CONFIG_RISCV=y`` (arm64 defaults are
    used for evaluation when nothing is known) and ``version`` None (newest defaults).

    Raises:
        InputError: unreadable, binary, corrupt gzip, a garbage line, or an unsupported
            architecture in the header.
        UsageError: ``arch`` is not a supported architecture.
    """
    text = _read_text(path)
    kconf = _model()
    syms: dict[str, Any] = {name: sym for name, sym in kconf.syms.items() if sym.nodes}
    requested, assignments, header = _parse(path, text, syms.keys() - _LOADER_SYMS)
    if overrides:
        assignments = _override(assignments, overrides)

    header_arch: str | None = None
    version_string: str | None = None
    header_version: tuple[int, int, int] | None = None
    if header is not None:
        header_line, header_arch, version_string = header
        header_version = _parse_version(version_string)
        if arch is None and header_arch not in ("arm64", "arm", "riscv"):
            raise InputError(
                path,
                f"unsupported architecture '{header_arch}': cmacheck models arm64, arm and riscv",
                line=header_line,
            )
    if version is not None:
        version_string = ".".join(str(n) for n in version)
    else:
        version = header_version
    effective_arch = _resolve_arch(arch if arch is not None else header_arch, requested)

    symbols, problems = _evaluate(syms, assignments, effective_arch, version)
    return KernelConfig(
        path=path,
        version=version,
        version_string=version_string,
        arch=effective_arch,
        symbols=MappingProxyType(symbols),
        requested=requested,
        lines=_Lines(requested),
        problems=problems,
    )


# What cmacheck assumes when no .config is given: the Kconfig defaults of the arch and
# version, plus the CMA driver (a tree with CMA pools is meant for a kernel that has it).
ASSUMED_WITHOUT_CONFIG = ("CMA", "DMA_CMA")


def default_symbols(arch: str, version: tuple[int, int, int] | None,
                    overrides: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """Effective symbols of a ``.config`` that sets only ``ASSUMED_WITHOUT_CONFIG``."""
    kconf = _model()
    syms: dict[str, Any] = {name: sym for name, sym in kconf.syms.items() if sym.nodes}
    assume = [_Assignment(name, "y", 0, False) for name in ASSUMED_WITHOUT_CONFIG]
    symbols, _ = _evaluate(syms, _override(assume, overrides or {}), arch, version)
    return symbols


def _override(assignments: list[_Assignment],
              overrides: Mapping[str, str | None]) -> list[_Assignment]:
    kept = [a for a in assignments if a.name not in overrides]
    return kept + [_Assignment(n, v, 0, False) for n, v in overrides.items() if v is not None]


# ---------------------------------------------------------------------------- reading


def _read_text(path: str) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(path, data)
    if len(data) > MAX_CONFIG_BYTES:
        raise InputError(path, f"larger than {MAX_CONFIG_BYTES >> 20} MiB: not a kernel .config")
    if b"\x00" in data:
        raise InputError(path, "not a text file (binary data)")
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    # confdata.c drops one "\r" before "\n"; line numbers are unchanged
    return text.replace("\r\n", "\n") if "\r" in text else text


def _gunzip(path: str, data: bytes) -> bytes:
    """gzip.decompress (every member), but stopping past MAX_CONFIG_BYTES: a gzip bomb costs
    at most that much memory."""
    out = bytearray()
    try:
        while data:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += d.decompress(data, MAX_CONFIG_BYTES + 1 - len(out))
            if len(out) > MAX_CONFIG_BYTES:
                return bytes(out)
            if not d.eof:
                raise EOFError
            data = d.unused_data
    except (OSError, EOFError, zlib.error):
        raise InputError(path, "cannot decompress: truncated or corrupt gzip data") from None
    return bytes(out)


def _parse(
    path: str, text: str, modelled: AbstractSet[str]
) -> tuple[_Requested, list[_Assignment], tuple[int, str, str] | None]:
    """(every assignment, last wins; modelled assignments in order; header).

    Follows confdata.c conf_read_simple: "# CONFIG_X is not set..." means n, any other
    "#" line is a comment, "CONFIG_X" without "=" is ignored and so are unknown names
    (they are kept in ``requested``).  A line that is none of these draws "unexpected
    data" from the kernel's tool; cmacheck rejects it (whitespace-only lines aside).
    """
    header: tuple[int, str, str] | None = None
    for number, line in enumerate(text.split("\n", _HEADER_LINES)[:_HEADER_LINES], 1):
        m = _HEADER_RE.fullmatch(line)
        if m:
            header = (number, m.group(1), m.group(2))
            break
    # Whole-text regex scans, not a loop over ~10,000 lines: only the few dozen modelled
    # assignments become Python objects (the loop cost more than the rest of a run's load).
    lined = "\n" + text  # every line, the first included, starts after a "\n"
    bad = _BAD_LINE.search(lined)
    if bad is not None:
        number = lined.count("\n", 0, bad.start() + 1)
        line = lined[bad.start() + 1 :].partition("\n")[0]
        shown = line if len(line) <= 80 else line[:77] + "..."
        raise InputError(path, f"not a Kconfig assignment: {shown!r}", line=number)
    names = _alternation(sorted(modelled)) if modelled else "(?!)"
    # "# CONFIG_<name> is not set" (group 1 set) or "CONFIG_<name>=<value>" or "CONFIG_<name>";
    # re.compile caches by pattern, and the model (so the pattern) is the same on every call.
    found = re.compile(rf"\n(# )?CONFIG_({names})(?(1) is not set|(?:=(.*)|$))", re.M)
    assignments: list[_Assignment] = []
    number, pos = 0, 0
    for m in found.finditer(lined):
        start = m.start()
        number += lined.count("\n", pos, start + 1)
        pos = start + 1
        if m.group(1):
            assignments.append(_Assignment(m.group(2), "n", number, True))
        else:
            assignments.append(_Assignment(m.group(2), m.group(3), number, False))
    return _Requested(lined), assignments, header


def _alternation(names: list[str]) -> str:
    """A regex for exactly one of ``names``, as a trie: re tries the branches of an
    alternation one by one, and a flat list of ~60 names is slower to compile and to scan.
    A branch left with one name is that name's rest, not a chain of one-way groups."""
    if len(names) == 1:
        return re.escape(names[0])
    rests: dict[str, list[str]] = {}
    for name in names:
        if name:
            rests.setdefault(name[0], []).append(name[1:])
    parts = [re.escape(c) + _alternation(rest) for c, rest in sorted(rests.items())]
    if not parts:
        return ""
    ends_here = "" in names
    if len(parts) == 1 and not ends_here:
        return parts[0]
    return "(?:" + "|".join(parts) + (")?" if ends_here else ")")


class _Requested(Mapping[str, tuple[str, int]]):
    """Every assignment of the file, the last one winning: name -> (value as written,
    1-based line); "# CONFIG_X is not set" reads as "n".

    A full ``.config`` has ~10,000 assignments and cmacheck asks for a handful, so a lookup
    searches the text for that name; iterating (or ``len``) builds the whole dict once, in
    file order, and keeps it (a per-object cache: the text never changes).
    """

    __slots__ = ("_all", "_lined", "_seen")

    def __init__(self, lined: str) -> None:
        self._lined = lined  # the text with a "\n" in front: every line follows a "\n"
        self._all: dict[str, tuple[str, int]] | None = None
        self._seen: dict[str, tuple[str, int] | None] = {}  # names looked up so far

    def __getitem__(self, name: str) -> tuple[str, int]:
        if self._all is not None:
            return self._all[name]
        if not isinstance(name, str):
            raise KeyError(name)
        if name not in self._seen:
            self._seen[name] = self._last(name)
        found = self._seen[name]
        if found is None:
            raise KeyError(name)
        return found

    def _last(self, name: str) -> tuple[str, int] | None:
        lined = self._lined
        # The forms the full parse accepts for this name: "CONFIG_<name>=" (the name ends at
        # the first "="), "# CONFIG_<name> is not set" (the name ends at the first space).
        at_set = -1 if "=" in name or "\n" in name else lined.rfind(f"\nCONFIG_{name}=")
        at_unset = (-1 if " " in name or "\n" in name
                    else lined.rfind(f"\n# CONFIG_{name} is not set"))
        start = max(at_set, at_unset)
        if start < 0:
            return None
        number = lined.count("\n", 0, start + 1)
        if start == at_unset:
            return ("n", number)
        end = lined.find("\n", start + 1)
        return (lined[start + 9 + len(name) : end if end >= 0 else None], number)

    def _full(self) -> dict[str, tuple[str, int]]:
        if self._all is None:
            found: dict[str, tuple[str, int]] = {}
            for number, line in enumerate(self._lined[1:].split("\n"), 1):
                if line[:7] == "CONFIG_":
                    name, eq, value = line[7:].partition("=")
                    if eq:
                        found[name] = (value, number)
                elif line[:9] == "# CONFIG_":
                    name, _, rest = line[9:].partition(" ")
                    if rest[:10] == "is not set":
                        found[name] = ("n", number)
            self._all = found
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self._full())

    def __len__(self) -> int:
        return len(self._full())

    def __repr__(self) -> str:
        return repr(self._full())


class _Lines(Mapping[str, int]):
    """``requested`` seen as symbol -> line, without building a second 10,000-key dict."""

    __slots__ = ("_requested",)

    def __init__(self, requested: Mapping[str, tuple[str, int]]) -> None:
        self._requested = requested

    def __getitem__(self, name: str) -> int:
        return self._requested[name][1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._requested)

    def __len__(self) -> int:
        return len(self._requested)

    def __repr__(self) -> str:
        return repr(dict(self))


def _parse_version(text: str) -> tuple[int, int, int] | None:
    m = _VERSION_RE.match(text)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def _resolve_arch(
    requested_arch: str | None, requested: Mapping[str, tuple[str, int]]
) -> str | None:
    def is_y(name: str) -> bool:
        return requested.get(name, ("",))[0][:1] == "y"

    if requested_arch is None:
        if is_y("ARM64"):
            return "arm64"
        if is_y("RISCV"):
            requested_arch = "riscv"
        elif is_y("ARM"):
            return "arm"
        else:
            return None
    if requested_arch == "riscv":
        # a full rv32 .config has CONFIG_32BIT=y and no CONFIG_64BIT line; RV64I is the default
        return "riscv32" if is_y("32BIT") and not is_y("64BIT") else "riscv64"
    if requested_arch not in ARCHES:
        raise UsageError(
            f"unsupported architecture '{requested_arch}': expected arm64, arm, riscv64 or riscv32"
        )
    return requested_arch


# ------------------------------------------------------------------------- evaluating


def _model() -> Any:
    # os.path, not importlib.resources: that import alone costs tens of milliseconds
    model = os.path.join(os.path.dirname(os.path.abspath(__file__)), MODEL_FILE)
    return kconfiglib.Kconfig(model, warn=False, warn_to_stderr=False)


def _evaluate(
    syms: Mapping[str, Any],
    assignments: list[_Assignment],
    arch: str | None,
    version: tuple[int, int, int] | None,
) -> tuple[dict[str, str], tuple[ConfigProblem, ...]]:
    eval_arch = arch or "arm64"
    syms["ARM64"].set_value(2 if eval_arch == "arm64" else 0)
    syms["ARM"].set_value(2 if eval_arch == "arm" else 0)
    syms["RISCV"].set_value(2 if eval_arch.startswith("riscv") else 0)
    syms["64BIT"].set_value(2 if eval_arch in ("arm64", "riscv64") else 0)
    syms["CMACHECK_VERSION"].set_value(
        "0" if version is None else str(version[0] * 100 + min(version[1], 99))
    )

    last: dict[str, _Assignment] = {}
    for a in assignments:
        if a.raw is not None:
            last[a.name] = a
    ctx = _Context(
        arch_label=arch or "arm64 (assumed, no architecture given)",
        version_label=None if version is None else f"Linux {version[0]}.{version[1]}",
        last=last,
    )

    problems: list[ConfigProblem] = []
    applied: dict[str, str] = {}  # parsed value of each valid final assignment
    for a in sorted(last.values(), key=lambda a: a.line):
        sym = syms[a.name]
        try:
            value = _parse_value(sym, a)
        except _InvalidValue as e:
            problems.append(_problem(a, str(e), "invalid-value"))
            continue
        applied[a.name] = value
        if any(node.prompt for node in sym.nodes):
            sym.set_value(value)
    clamped = _clamp(syms, applied)

    for i, a in enumerate(assignments):
        if a is last.get(a.name):
            continue
        if a.raw is None:
            problems.append(_problem(a, "missing '=value'", "invalid-value"))
            continue
        again = next(b for b in assignments[i + 1 :] if b.name == a.name and b.raw is not None)
        problems.append(
            _problem(a, f"CONFIG_{a.name} is set again on line {again.line}", "duplicate")
        )

    for name, value in applied.items():
        a = last[name]
        if name in clamped:
            low, high, used = clamped[name]
            problems.append(
                _problem(
                    a, f"outside the range {low}..{high}, so kconfig uses {used}", "out-of-range"
                )
            )
            continue
        problem = _check(syms[name], a, value, ctx)
        if problem is not None:
            problems.append(problem)
    problems.sort(key=lambda p: (p.line or 0, p.symbol))

    symbols: dict[str, str] = {}
    for name, sym in syms.items():
        if name.startswith("CMACHECK_"):
            continue
        # bool: always ("n" when unset); int/hex/string: only when kconfig would write it
        if sym.orig_type in _BOOLS or sym.config_string:
            symbols[name] = sym.str_value
    return symbols, tuple(problems)


def _problem(a: _Assignment, reason: str, kind: str) -> ConfigProblem:
    return ConfigProblem(f"CONFIG_{a.name}", a.line, f"{a.text} has no effect: {reason}", kind)


class _InvalidValue(Exception):
    pass


def _parse_value(sym: Any, a: _Assignment) -> str:
    """The value to give kconfiglib, following confdata.c conf_set_sym_val.

    Raises:
        _InvalidValue: the kernel would ignore the assignment; the reason.
    """
    raw = a.raw
    if raw is None:
        raise _InvalidValue("missing '=value'")
    kind = sym.orig_type
    if kind in _BOOLS:
        first = raw[:1]
        if first in ("y", "n") or (first == "m" and kind is kconfiglib.TRISTATE):
            return first
        raise _InvalidValue(f"'{raw}' is not a valid bool value")
    if kind is kconfiglib.INT:
        if _INT_RE.fullmatch(raw):
            return raw
        raise _InvalidValue(f"'{raw}' is not a valid int value")
    if kind is kconfiglib.HEX:
        if _HEX_RE.fullmatch(raw):
            return raw if raw[:2].lower() == "0x" else "0x" + raw
        raise _InvalidValue(f"'{raw}' is not a valid hex value")
    # string: "..." with \" and \\ escapes; text after the closing quote is ignored
    if not raw.startswith('"'):
        raise _InvalidValue("a string value must be in double quotes")
    out: list[str] = []
    i = 1
    while i < len(raw):
        c = raw[i]
        if c == '"':
            return "".join(out)
        if c == "\\" and i + 1 < len(raw):
            i += 1
            c = raw[i]
        out.append(c)
        i += 1
    raise _InvalidValue("the string has no closing quote")


def _clamp(
    syms: Mapping[str, Any], requested: Mapping[str, str]
) -> dict[str, tuple[str, str, str]]:
    # scripts/kconfig/symbol.c sym_validate_range: the C tool clamps a user value to the
    # active range; kconfiglib would use the default instead.
    clamped: dict[str, tuple[str, str, str]] = {}
    for name, value in requested.items():
        sym = syms[name]
        if sym.orig_type not in (kconfiglib.INT, kconfiglib.HEX) or not sym.visibility:
            continue
        base = 16 if sym.orig_type is kconfiglib.HEX else 10
        for low, high, cond in sym.ranges:
            if not kconfiglib.expr_value(cond):
                continue
            try:
                lo, hi = int(low.str_value, base), int(high.str_value, base)
            except ValueError:
                break
            number = _strtoll(value, base)
            if number < lo or number > hi:
                bound = low if number < lo else high
                sym.set_value(bound.str_value)
                clamped[name] = (low.str_value, high.str_value, bound.str_value)
            break
    return clamped


def _strtoll(text: str, base: int) -> int:
    """strtoll() as sym_validate_range calls it: saturates at LLONG_MIN/LLONG_MAX (and never
    hands Python's int() more than 4300 decimal digits)."""
    neg = text.startswith("-")
    body = text[1:] if neg else text
    limit = (1 << 63) if neg else (1 << 63) - 1
    too_long = base == 10 and len(body.lstrip("0")) > 19
    value = limit if too_long else min(int(body, base), limit)
    return -value if neg else value


@record()
class _Context:
    """How problem messages name the arch and version, and the final assignments."""

    arch_label: str
    version_label: str | None
    last: Mapping[str, _Assignment]


def _same(sym: Any, requested: str, effective: str) -> bool:
    if requested == effective:
        return True
    if sym.orig_type in (kconfiglib.INT, kconfiglib.HEX) and effective:
        base = 16 if sym.orig_type is kconfiglib.HEX else 10
        try:
            return int(requested, base) == int(effective, base)
        except ValueError:
            return False
    return False


def _check(sym: Any, a: _Assignment, requested: str, ctx: _Context) -> ConfigProblem | None:
    effective = sym.str_value if (sym.orig_type in _BOOLS or sym.config_string) else None
    if effective is not None and _same(sym, requested, effective):
        return None
    if not any(node.prompt for node in sym.nodes):
        here = "not set" if effective in (None, "n") else effective
        return _problem(
            a, f"it has no prompt and is computed from other options (here: {here})", "invisible"
        )
    choice = sym.choice
    if choice is not None and sym.visibility:
        if requested == "n":
            return _problem(
                a,
                "it is the default of its choice and no other option is selected",
                "choice-conflict",
            )
        selected = choice.selection
        if selected is not None and selected is not sym:
            other = ctx.last.get(selected.name)
            if other is not None and other.line > a.line:
                reason = (
                    f"CONFIG_{selected.name}=y on line {other.line} "
                    "selects another option of the same choice"
                )
            else:
                reason = f"CONFIG_{selected.name} is selected instead"
            return _problem(a, reason, "choice-conflict")
    if not sym.visibility:
        reasons, gated = _unmet(sym, ctx)
        if reasons:
            unmet = not gated and sym.orig_type in _BOOLS and requested != "n"
            return _problem(a, " and ".join(reasons), "unmet-dependency" if unmet else "invisible")
    shown = "not set" if effective in (None, "n", "") else effective
    return _problem(a, f"the value is {shown}", "invisible")


def _unmet(sym: Any, ctx: _Context) -> tuple[list[str], bool]:
    """Why ``sym`` is not visible: rendered failing conditions, and whether an arch or
    version gate is among them (then only the gates are given)."""
    gates: list[str] = []
    others: list[str] = []
    for part, is_prompt in _conditions(sym):
        if kconfiglib.expr_value(part):
            continue
        items = {item.name for item in kconfiglib.expr_items(part) if item.nodes}
        if items and items <= _GATE_SYMS:
            if items & _VERSION_SYMS:
                text = f"{ctx.version_label or 'this kernel version'} has no such option"
            elif is_prompt:
                text = f"it cannot be set on {ctx.arch_label}"
            else:
                text = f"{ctx.arch_label} has no such option"
            if text not in gates:
                gates.append(text)
        else:
            text = _render_unmet(part)
            if text not in others:
                others.append(text)
    return (gates, True) if gates else (others, False)


def _conditions(sym: Any) -> list[tuple[object, bool]]:
    """Top-level conjuncts of the direct dependencies, then those that only the prompt
    conditions add (kconfiglib folds the dependencies into them); a choice member's
    conditions include its choice's."""
    found: list[tuple[object, bool]] = []

    def add(expr: object, is_prompt: bool) -> None:
        for part in kconfiglib.split_expr(expr, kconfiglib.AND):
            if isinstance(part, kconfiglib.Choice):
                add(part.direct_dep, is_prompt)
                for node in part.nodes:
                    if node.prompt:
                        add(node.prompt[1], True)
            elif all(part != seen for seen, _ in found):
                found.append((part, is_prompt))

    add(sym.direct_dep, False)
    for node in sym.nodes:
        if node.prompt:
            add(node.prompt[1], True)
    return found


def _render_unmet(expr: object) -> str:
    if isinstance(expr, kconfiglib.Symbol) and not expr.is_constant:
        return f"CONFIG_{expr.name} is not {'selected' if expr.choice else 'set'}"
    if isinstance(expr, tuple):
        if expr[0] == kconfiglib.NOT and isinstance(expr[1], kconfiglib.Symbol):
            target = expr[1]
            return f"CONFIG_{target.name} is {'selected' if target.choice else 'set'}"
        if (
            expr[0] == kconfiglib.UNEQUAL
            and isinstance(expr[1], kconfiglib.Symbol)
            and expr[2].is_constant
            and expr[2].name == ""
        ):
            return f"CONFIG_{expr[1].name} is empty"
    rendered: str = kconfiglib.expr_str(expr, _sym_str)
    return "it requires " + rendered


def _sym_str(sc: object) -> str:
    if isinstance(sc, kconfiglib.Symbol):
        if sc.is_constant:  # quoted literal, or n/m/y
            return sc.name if sc.name in ("n", "m", "y") else f'"{sc.name}"'
        if not sc.nodes:  # an unquoted number is an undefined symbol named like it
            return str(sc.name)
        return f"CONFIG_{sc.name}"
    return "<choice>"
