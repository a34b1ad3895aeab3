"""``--workload FILE``: a TOML list of DMA allocations and frees -> :class:`Workload`.

One ``[[step]]`` table per step, in order::

    [[step]]
    alloc = "scanout"          # a label, used by a later free
    area = "/display@9100000"  # "default", a /reserved-memory node (path or name),
                               # or a device node whose memory-region leads to one
    size = "8M"                # bytes: an integer or a size with K/M/G
    count = 3                  # buffers (default 1)
    align = "default"          # "default" or an alignment order (default "default")

    [[step]]
    free = "scanout"           # frees every buffer of that allocation

A region named directly stands for a device whose ``memory-region`` is that region
(``dev->cma_area``); ``default`` for a device without one.  Errors are one-line InputErrors
naming the file, the line (found in the text: tomllib gives no positions) and the key.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from cmacheck.errors import CmacheckError, InputError
from cmacheck.units import parse_size
from cmacheck.workload import Alloc, Free, Step, Workload

_ALLOC_KEYS = frozenset({"alloc", "area", "size", "count", "align"})
_HEADER = re.compile(r"^\s*\[\[\s*step\s*\]\]")
_AT = re.compile(r" \(at line (\d+), column (\d+)\)$")
_KEY = re.compile(r"^\s*\"?([A-Za-z0-9_-]+)\"?\s*=")


def _positions(text: str) -> list[tuple[int, dict[str, int]]]:
    # (line of each [[step]] header, key -> line) in file order
    out: list[tuple[int, dict[str, int]]] = []
    current: dict[str, int] | None = None
    for n, line in enumerate(text.splitlines(), 1):
        if _HEADER.match(line):
            current = {}
            out.append((n, current))
        elif line.lstrip().startswith("["):
            current = None  # another table: its keys are not a step's
        elif current is not None:
            m = _KEY.match(line)
            if m:
                current.setdefault(m.group(1), n)
    return out


def load_workload(path: str) -> Workload:
    """Read and check a workload file.  Raises InputError (file, line, key) on bad input."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise InputError(path, e.strerror or "cannot read") from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        m = _AT.search(str(e))
        if m is None:
            raise InputError(path, f"invalid TOML: {e}") from None
        raise InputError(path, f"invalid TOML: {str(e)[:m.start()]} (column {m.group(2)})",
                         line=int(m.group(1))) from None
    return parse_workload(data, path, text)


def parse_workload(data: dict[str, Any], path: str, text: str = "") -> Workload:
    """Check the parsed TOML ``data`` of ``path`` (``text`` gives the lines)."""
    for key in data:
        if key != "step":
            raise InputError(path, f"unknown key '{key}' (expected [[step]] tables)",
                             line=_top_line(text, key))
    steps_raw = data.get("step")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise InputError(path, "no [[step]] tables")
    positions = _positions(text)
    steps: list[Step] = []
    live: dict[str, int] = {}  # label -> step number of the allocation still held
    known: set[str] = set()
    for i, raw in enumerate(steps_raw):
        n = i + 1
        head, keys = positions[i] if i < len(positions) else (None, {})

        def err(message: str, key: str | None = None, *, _n: int = n,
                _head: int | None = head, _keys: dict[str, int] = keys) -> InputError:
            where = f"step {_n}: {key}: " if key else f"step {_n}: "
            return InputError(path, where + message,
                              line=_keys.get(key, _head) if key else _head)

        if not isinstance(raw, dict):
            raise err("expected a table")
        if ("alloc" in raw) == ("free" in raw):
            raise err("give either alloc = LABEL or free = LABEL")
        if "free" in raw:
            extra = sorted(set(raw) - {"free"})
            if extra:
                raise err("a free takes no other key", extra[0])
            label = raw["free"]
            if not isinstance(label, str):
                raise err("expected a label (string)", "free")
            if label not in live:
                what = "already freed" if label in known else "no earlier allocation"
                raise err(f"{what} '{label}'", "free")
            del live[label]
            steps.append(Free(label, head))
            continue
        extra = sorted(set(raw) - _ALLOC_KEYS)
        if extra:
            raise err(f"unknown key (expected {', '.join(sorted(_ALLOC_KEYS))})", extra[0])
        label = raw["alloc"]
        if not isinstance(label, str) or not label:
            raise err("expected a label (non-empty string)", "alloc")
        if label in live:
            raise err(f"label '{label}' is still allocated (step {live[label]})", "alloc")
        area = raw.get("area")
        if area is None:
            raise err("missing area (\"default\", a node path or a region name)")
        if not isinstance(area, str) or not area:
            raise err("expected \"default\", a node path or a region name", "area")
        size = _size(raw.get("size"), err)
        count = raw.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise err(f"expected a positive integer, got {count!r}", "count")
        align = raw.get("align", "default")
        if align == "default":
            order = None
        elif isinstance(align, int) and not isinstance(align, bool) and 0 <= align <= 31:
            order = align
        else:
            raise err(f"expected \"default\" or an order 0..31, got {align!r}", "align")
        live[label] = n
        known.add(label)
        steps.append(Alloc(label, area, size, count, order, head))
    return Workload(path, tuple(steps))


def _size(value: Any, err: Any) -> int:
    if value is None:
        raise err("missing size")
    if isinstance(value, bool):
        raise err(f"expected a size, got {value!r}", "size")
    if isinstance(value, int):
        size = value
    elif isinstance(value, str):
        try:
            size = parse_size(value)
        except CmacheckError:
            raise err(f"invalid size '{value}' (expected e.g. 8M, 4096 or 0x1000)",
                      "size") from None
    else:
        raise err(f"expected a size, got {value!r}", "size")
    if size <= 0:
        raise err("must be more than 0", "size")
    return size


def _top_line(text: str, key: str) -> int | None:
    for n, line in enumerate(text.splitlines(), 1):
        m = _KEY.match(line)
        if m and m.group(1) == key:
            return n
        if line.lstrip().startswith("["):
            break
    return None
