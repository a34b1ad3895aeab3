"""Rule selection, severity overrides and the ``.cmacheck.toml`` / ``[tool.cmacheck]`` file.

Selection follows flake8's ``DecisionEngine``: ``select`` and ``ignore`` are lists of rule-ID
prefixes (``CMA0``, ``CMA10``, ``CMA009``).  Without ``select`` every rule is selected
implicitly; a rule matched by both lists goes to the list with the *longer* matching prefix
(a tie ignores it).  ``select = ["CMA0"]`` + ``ignore = ["CMA009"]`` runs CMA0xx but CMA009.

The config file is found by walking upward from the first input's directory: in each
directory ``.cmacheck.toml`` (top-level keys) wins over ``pyproject.toml`` with a
``[tool.cmacheck]`` table; the first hit ends the walk.  Unknown keys, wrong types and unknown
rule IDs are errors naming the file and the key (yamllint style).  Paths in the file are
relative to the file's directory.  Command-line flags override the file.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cmacheck import rules
from cmacheck.errors import InputError, UsageError
from cmacheck.findings import Severity
from cmacheck.records import field, record

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("text", "json", "sarif", "github", "junit")
FAIL_ON = ("error", "warning", "note")

# Keys that describe one board's inputs; allowed at top level and in [boards."GLOB"] tables.
BOARD_KEYS: dict[str, type | tuple[type, ...]] = {
    "config": str,
    "cmdline": str,
    "ram": (str, list),
    "overlays": list,
    "include": list,
    "kernel-version": str,
    "arch": str,
    "min-cma": str,
}
TOP_KEYS: dict[str, type | tuple[type, ...]] = {
    "select": list,
    "ignore": list,
    "severity": dict,
    "fail-on": str,
    "format": str,
    "baseline": str,
    "jobs": int,
    "boards": dict,
    **BOARD_KEYS,
}


@record()
class Policy:
    """Which rules run, at which severity, and what fails the run."""

    select: tuple[str, ...] = ()  # empty: every rule implicitly
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.ERROR

    def enabled(self, rule_id: str) -> bool:
        """flake8 DecisionEngine: the longest matching prefix wins; a tie ignores."""
        sel = _longest(rule_id, self.select) if self.select else ""
        ign = _longest(rule_id, self.ignore)
        if self.select and sel is None:
            return False  # explicit select list that does not name it
        if ign is None:
            return True
        return sel is not None and len(sel) > len(ign)

    @property
    def rules(self) -> tuple[rules.Rule, ...]:
        return tuple(r for r in rules.ALL if self.enabled(r.ID))


def _longest(rule_id: str, prefixes: Iterable[str]) -> str | None:
    best: str | None = None
    for p in prefixes:
        if rule_id.startswith(p) and (best is None or len(p) > len(best)):
            best = p
    return best


def check_prefix(prefix: str, where: str) -> str:
    """Upper-case ``prefix`` and make sure it names at least one rule (or a retired one)."""
    p = prefix.strip().upper()
    known = [*rules.BY_ID, *rules.RETIRED]
    if not p or not any(r.startswith(p) for r in known):
        raise UsageError(f"{where}: unknown rule or prefix '{prefix}' (see 'cmacheck rules')")
    return p


def parse_severity_item(item: str, where: str) -> tuple[str, Severity]:
    """``CMA007=error`` -> ("CMA007", ERROR)."""
    rule_id, sep, level = item.partition("=")
    if not sep:
        raise UsageError(f"{where}: '{item}' is not RULE=LEVEL (e.g. CMA007=error)")
    return _severity_pair(rule_id, level, where)


def _severity_pair(rule_id: str, level: str, where: str) -> tuple[str, Severity]:
    rid = rule_id.strip().upper()
    if rid not in rules.BY_ID:
        raise UsageError(f"{where}: unknown rule '{rule_id}' (see 'cmacheck rules')")
    if level.strip().lower() not in FAIL_ON:
        raise UsageError(f"{where}: {rid}: unknown severity '{level}' "
                         f"(one of {', '.join(FAIL_ON)})")
    return rid, Severity.parse(level.strip())


@record()
class FileConfig:
    """A validated config file: top-level values plus per-board tables (in file order)."""

    path: str
    values: Mapping[str, Any]
    boards: tuple[tuple[str, Mapping[str, Any]], ...] = ()

    @property
    def base(self) -> Path:
        from pathlib import Path

        return Path(self.path).parent

    def board_values(self, dt: str) -> dict[str, Any]:
        """Board keys for ``dt``: top level, then every matching ``[boards."GLOB"]`` in order."""
        import fnmatch
        from pathlib import Path

        out = {k: v for k, v in self.values.items() if k in BOARD_KEYS}
        try:
            rel = Path(os.path.relpath(Path(dt).resolve(), self.base.resolve())).as_posix()
        except ValueError:
            rel = Path(dt).as_posix()
        for pattern, table in self.boards:
            target = rel if "/" in pattern else Path(dt).name
            if fnmatch.fnmatchcase(target, pattern):
                out.update(table)
        return out

    def resolve(self, value: str) -> str:
        """A path from the file, relative to the file's directory (kept relative if it was)."""
        from pathlib import Path

        p = Path(value)
        if p.is_absolute():
            return value
        joined = self.base / p
        return os.path.relpath(joined) if not Path(self.path).is_absolute() else str(joined)


def find_config(start: str) -> str | None:
    """Walk upward from ``start`` (a file or directory) to the first config file."""
    # os.path, not pathlib: this runs on every check and pathlib's import alone costs more
    # than the walk.  Same answers as Path.resolve() / is_dir() / is_file() / parents.
    here = os.path.realpath(start)
    if not _is(here, stat.S_ISDIR):
        here = os.path.dirname(here)
    while True:
        cand = os.path.join(here, ".cmacheck.toml")
        if _is(cand, stat.S_ISREG):
            return _display(cand)
        py = os.path.join(here, "pyproject.toml")
        if _is(py, stat.S_ISREG) and _has_tool_table(py):
            return _display(py)
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _is(path: str, kind: Callable[[int], bool]) -> bool:
    # pathlib's is_file()/is_dir(): a missing path is False, other errors (EACCES) propagate
    try:
        return kind(os.stat(path).st_mode)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP):
            return False
        raise
    except ValueError:
        return False


def _display(p: str) -> str:
    try:
        rel = os.path.relpath(p)
    except ValueError:
        return p
    return rel if not rel.startswith("..") else p


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return False
    return "[tool.cmacheck" in text


def load_file(path: str) -> FileConfig:
    """Read and validate a config file.  Raises InputError naming the file and the key."""
    import tomllib

    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(path, f"invalid TOML: {e}") from None
    if os.path.basename(path.rstrip("/")) == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("cmacheck", {}) if isinstance(tool, dict) else {}
        prefix = "tool.cmacheck."
    else:
        prefix = ""
    values = _validate(path, data, TOP_KEYS, prefix)
    boards: list[tuple[str, Mapping[str, Any]]] = []
    for pattern, table in dict(values.pop("boards", {})).items():
        where = f'{prefix}boards."{pattern}"'
        if not isinstance(table, dict):
            raise InputError(path, f"{where}: expected a table")
        boards.append((pattern, _validate(path, table, BOARD_KEYS, where + ".")))
    return FileConfig(path, values, tuple(boards))


def _validate(path: str, data: Mapping[str, Any], schema: Mapping[str, type | tuple[type, ...]],
              prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{prefix}{key}"
        expected = schema.get(key)
        if expected is None:
            raise InputError(path, f"unknown key '{where}' (known: {', '.join(sorted(schema))})")
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is int):
            raise InputError(path, f"{where}: expected {_type_name(expected)}, "
                                   f"got {type(value).__name__}")
        try:
            out[key] = _check_value(key, value, where)
        except UsageError as e:
            raise InputError(path, str(e)) from None
    return out


def _type_name(t: type | tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list", dict: "a table", int: "an integer"}
    if isinstance(t, tuple):
        return " or ".join(names[x] for x in t)
    return names[t]


def _check_value(key: str, value: Any, where: str) -> Any:
    if key in ("select", "ignore"):
        return tuple(check_prefix(_string(v, where), where) for v in value)
    if key == "severity":
        return dict(_severity_pair(rid, _string(level, f"{where}.{rid}"), where)
                    for rid, level in value.items())
    if key == "fail-on" and value not in FAIL_ON:
        raise UsageError(f"{where}: '{value}' is not one of {', '.join(FAIL_ON)}")
    if key == "format" and value not in FORMATS:
        raise UsageError(f"{where}: '{value}' is not one of {', '.join(FORMATS)}")
    if key in ("overlays", "include") or (key == "ram" and isinstance(value, list)):
        return tuple(_string(v, where) for v in value)
    if key == "ram":
        return (value,)
    if key == "min-cma":
        from cmacheck.units import parse_size

        try:
            parse_size(value)
        except UsageError as e:
            raise UsageError(f"{where}: {e}") from None
        return value
    if key == "jobs" and value < 0:
        raise UsageError(f"{where}: must be 0 (all CPUs) or more")
    return value


def _string(v: Any, where: str) -> str:
    if not isinstance(v, str):
        raise UsageError(f"{where}: expected strings, got {type(v).__name__}")
    return v


def build_policy(file: FileConfig | None, *, select: Sequence[str] = (),
                 ignore: Sequence[str] = (), severity: Sequence[str] = (),
                 fail_on: str | None = None) -> Policy:
    """CLI values override the file's (a given ``--select`` replaces the file's list)."""
    fv: Mapping[str, Any] = file.values if file is not None else {}
    sel = tuple(check_prefix(p, "--select") for item in select for p in item.split(",") if p)
    ign = tuple(check_prefix(p, "--ignore") for item in ignore for p in item.split(",") if p)
    sev: dict[str, Severity] = dict(fv.get("severity", {}))
    for item in severity:
        rid, sev_level = parse_severity_item(item, "--severity")
        sev[rid] = sev_level
    level: str = fail_on or fv.get("fail-on") or "error"
    return Policy(
        select=sel or tuple(fv.get("select", ())),
        ignore=ign or tuple(fv.get("ignore", ())),
        severity=sev,
        fail_on=Severity.parse(level),
    )
