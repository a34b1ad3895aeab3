"""dtschema adapter: /reserved-memory and its users against the binding schemas.

The only module that imports ``dtschema`` (and, through it, ``jsonschema``), always inside
functions: the import costs 0.2-0.7 s and ``dtschema/__init__.py`` installs a SIGINT handler
that calls ``sys.exit(-2)``.  :func:`_import_dtschema` keeps the process's handler.

**What is validated** (:func:`validate`), nothing else of the tree:

* every child of ``/reserved-memory`` (and whatever it contains, as dt-validate sees it):
  against the schema its first matching ``compatible`` selects (``shared-dma-pool.yaml``,
  ``framebuffer.yaml``), or else dtschema's ``reserved-memory.yaml`` directly (dt-validate
  never applies that one to a node without a compatible schema: 80 % of real regions); and
  against this repository's ``schemas/reserved-memory/cmacheck-region.yaml``;
* the ``memory-region`` / ``memory-region-names`` properties of every node that has one,
  against ``memory-region.yaml`` and ``cmacheck-memory-region.yaml``.

Property values are decoded from the raw bytes by dtschema's own ``dtb.prop_value`` with the
property types of the loaded schemas, then ``reg`` and ``memory-region`` are split with its
``fixup_addresses`` / ``fixup_phandles``: the instance is the one dt-validate would build.
Errors that dt-validate drops on disabled nodes (``required``, ``unevaluatedProperties``)
are dropped too.

**Caches** (both in ``$XDG_CACHE_HOME/cmacheck/``, default ``~/.cache/cmacheck/``; a
directory that cannot be written means no cache, never a failure; nothing is ever written
next to the user's files; a file that is unreadable, corrupt or stale is rebuilt):

* ``dtschema-<version>-<key>.json``: the processed schemas.  Processing the YAML takes about
  a second (pure-Python ruamel and meta-schema validation); loading this file ~10 ms.  It is
  a dtschema *processed schema* (the ``dt-mk-schema -j`` format: ``dt-validate -s FILE``
  takes it as is) plus a ``cmacheck-meta`` entry.  ``key`` hashes the cache format, the
  dtschema version and the bytes of every schema file used, dtschema's and ours.
* ``results-<key>.json``: the answer for every node validated so far, keyed by a hash of
  the node's raw bytes (and of the cells that decode them).  When every node of a tree is
  in it, :func:`validate` does not import dtschema at all: the import (0.2-0.7 s) is most
  of the cost of a warm run.

Within one process the loaded schemas are kept, and so is the answer for each distinct
decoded node (boards share their SoC's regions).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import io
import json
import os
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from cmacheck.errors import CmacheckError
from cmacheck.model import DeviceTree, Node
from cmacheck.records import field, record

CACHE_FORMAT = 1
# This repository's schemas (dtschema dialect, processed like dtschema's own).
# Installed: packaged as cmacheck/schemas (pyproject maps the repo's schemas/ there);
# from a source tree: the repository's top-level schemas/.
_PACKAGED = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_DIR = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parents[2] / "schemas"
# dtschema files loaded: the reserved-memory bindings, and the core schemas whose property
# types the decoder needs (reg: address, compatible/status: strings, phandle, #*-cells).
_DTSCHEMA_FILES = ("types.yaml", "dt-core.yaml", "reg.yaml", "reserved-memory/*.yaml")

_URL = "http://devicetree.org/schemas/"
RESERVED_MEMORY = _URL + "reserved-memory/reserved-memory.yaml"
MEMORY_REGION = _URL + "reserved-memory/memory-region.yaml"
CMACHECK_REGION = _URL + "reserved-memory/cmacheck-region.yaml"
CMACHECK_MEMORY_REGION = _URL + "reserved-memory/cmacheck-memory-region.yaml"
_META = "cmacheck-meta"  # pseudo-schema in the cache file: key and messages (select: false)
_MEMORY_REGION_PROPS = ("memory-region", "memory-region-names")
_MEMO_MAX = 20000  # node answers kept per process
_RESULTS_MAX = 50000  # node answers kept in a results file (then it starts over)


class SchemaUnavailable(CmacheckError):
    """dtschema is missing or its schemas (or ours) cannot be processed."""


@record()
class SchemaProblem:
    """One schema error, made readable: where, what, and which schema said so."""

    node: str  # full path: "/reserved-memory/pool@50000000"
    prop: str | None  # the property it is about; None: the node as a whole
    message: str
    schema: str  # schema file name: "shared-dma-pool.yaml", "cmacheck-region.yaml"


@record(frozen=False, eq=False)
class Schemas:
    """Processed schemas loaded into dtschema's validator (one per cache file and process)."""

    validator: Any  # dtschema.DTValidator
    messages: dict[str, dict[str, str]]  # schema $id -> allOf index -> kernel explanation
    path: str | None  # the cache file, None when running without one
    built: bool  # True when this load processed the YAML (cold)
    memo: dict[str, tuple[tuple[str | None, str, str], ...]] = field(default_factory=dict)
    _validators: dict[str, Any] = field(default_factory=dict)

    def jsonschema_validator(self, schema_id: str) -> Any:
        v = self._validators.get(schema_id)
        if v is None:
            dtv = self.validator
            v = dtv.DtValidator(dtv.schemas[schema_id], registry=dtv.registry)
            self._validators[schema_id] = v
        return v


# ---------------------------------------------------------------------------------------
# Import and cache


_import_lock = threading.Lock()
_load_lock = threading.Lock()
_check_lock = threading.Lock()
_loaded: dict[tuple[str | None, str], Schemas] = {}


def _import_dtschema() -> Any:
    """``import dtschema`` without its side effect on SIGINT; raises SchemaUnavailable."""
    with _import_lock:
        if "dtschema.dtb" in sys.modules and "dtschema.validator" in sys.modules:
            return sys.modules["dtschema"]
        real_signal = signal.signal
        before = signal.getsignal(signal.SIGINT)

        # dtschema/__init__.py: signal.signal(signal.SIGINT, sigint_handler), i.e. Ctrl-C
        # becomes sys.exit(-2).  Refuse that one call for the duration of the import; it
        # also makes the import work outside the main thread, where signal.signal raises.
        def keep_sigint(signum: int, handler: Any) -> Any:
            if signum == signal.SIGINT:
                return before
            return real_signal(signum, handler)

        signal.signal = keep_sigint  # type: ignore[assignment]
        try:
            import dtschema  # type: ignore[import-untyped]
            import dtschema.dtb  # type: ignore[import-untyped]
            import dtschema.validator  # type: ignore[import-untyped]
        except ImportError as e:
            raise SchemaUnavailable(f"schema validation needs dtschema ({e})") from None
        finally:
            signal.signal = real_signal
        return dtschema


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cmacheck`` (XDG base directory spec), else ``~/.cache/cmacheck``."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "cmacheck"


def schema_files(dtschema_dir: str, own_dir: Path = SCHEMA_DIR) -> list[str]:
    """Every schema file used, dtschema's then ours, in a stable order."""
    files: list[str] = []
    for pattern in _DTSCHEMA_FILES:
        files += sorted(glob.glob(os.path.join(dtschema_dir, "schemas", pattern)))
    own = sorted(str(p) for p in own_dir.glob("**/*.yaml"))
    if not own:
        raise SchemaUnavailable(f"cmacheck's schemas are missing from {own_dir}")
    return files + own


def cache_key(version: str, files: Sequence[str]) -> str:
    """sha256 over the cache format, the dtschema version and every schema file's bytes."""
    h = hashlib.sha256(f"cmacheck-schema {CACHE_FORMAT} dtschema {version}\n".encode())
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        h.update(f"{os.path.basename(f)} {len(data)}\n".encode())
        h.update(data)
    return h.hexdigest()[:20]


def load_schemas(cache_dir: str | os.PathLike[str] | None = None, *,
                 use_cache: bool = True) -> Schemas:
    """The processed schemas: from memory, else the cache file, else built (and cached).

    ``cache_dir`` defaults to :func:`default_cache_dir`; ``use_cache=False`` never reads or
    writes a cache file.

    Raises:
        SchemaUnavailable: dtschema is not installed or a schema cannot be processed.
    """
    dts = _import_dtschema()
    files = schema_files(os.path.dirname(dts.__file__))
    key = cache_key(dts.__version__, files)
    where = None
    if use_cache:
        where = os.path.join(cache_dir or default_cache_dir(),
                             f"dtschema-{dts.__version__}-{key}.json")
    with _load_lock:
        got = _loaded.get((where, key))
        if got is None:
            got = _load_or_build(dts, files, key, where)
            _loaded[(where, key)] = got
        return got


def forget_loaded() -> None:
    """Drop the per-process copies (tests; a long-running process after an upgrade)."""
    with _load_lock:
        _loaded.clear()


def _load_or_build(dts: Any, files: list[str], key: str, where: str | None) -> Schemas:
    if where is not None:
        got = _load_cached(dts, where, key)
        if got is not None:
            return got
    processed = _build(dts, files, key)
    if where is not None and _write_atomic(where, processed):
        got = _load_cached(dts, where, key)
        if got is not None:
            return Schemas(got.validator, got.messages, where, built=True)
    # No usable cache directory: the same loader, through a private temporary file.
    with tempfile.TemporaryDirectory(prefix="cmacheck-schema-") as tmp:
        path = os.path.join(tmp, "processed-schema.json")
        if not _write_atomic(path, processed):
            raise SchemaUnavailable(f"cannot write a temporary schema file in {tmp}")
        got = _load_cached(dts, path, key)
    if got is None:
        raise SchemaUnavailable("dtschema cannot load the schemas it just processed")
    return Schemas(got.validator, got.messages, None, built=True)


def _load_cached(dts: Any, path: str, key: str) -> Schemas | None:
    """The cache file loaded into a DTValidator; None if missing, corrupt or stale."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        meta = data[_META]
        if meta["key"] != key or data.get("version") != dts.__version__:
            return None
        messages = {str(k): {str(i): str(m) for i, m in v.items()}
                    for k, v in meta["messages"].items()}
        # The path dt-validate -s takes: json, version check, property-type cache.
        with _quiet():
            validator = dts.DTValidator([path])
        for needed in (RESERVED_MEMORY, MEMORY_REGION):
            if needed not in validator.schemas:
                return None
    except Exception:  # any unreadable or foreign file is just a cache miss
        return None
    return Schemas(validator, messages, path, built=False)


def _build(dts: Any, files: list[str], key: str) -> dict[str, Any]:
    """Process the YAML schemas into dtschema's processed-schema dict (dt-mk-schema -j)."""
    from dtschema.validator import DTValidator, process_schema

    own = str(SCHEMA_DIR)
    processed: dict[str, Any] = {}
    messages: dict[str, dict[str, str]] = {}
    for f in files:
        with _quiet() as err:
            sch = process_schema(f)
        if not sch or "$id" not in sch:
            detail = err.getvalue().strip().splitlines()
            raise SchemaUnavailable(f"{f}: cannot process schema"
                                    + (f": {detail[-1]}" if detail else ""))
        sid = sch["$id"].rstrip("#")
        processed[sid] = sch
        if f.startswith(own):
            messages[sid] = _allof_descriptions(dts.DTSchema(f))
    # DTValidator's own property-type pass (what dt-mk-schema stores as generated-types),
    # run on this subset instead of on all of dtschema's core schemas.
    typer = DTValidator.__new__(DTValidator)
    typer.schemas = processed
    with _quiet():
        typer.make_property_type_cache()
    out = dict(typer.schemas)
    out[_META] = {"$id": _META, "select": False, "key": key, "messages": messages}
    out["version"] = dts.__version__
    return out


def _allof_descriptions(raw: dict[str, Any]) -> dict[str, str]:
    # dtschema's fixups drop descriptions; ours explain each kernel constraint.
    out = {}
    for i, sub in enumerate(raw.get("allOf", ())):
        if isinstance(sub, dict) and isinstance(sub.get("description"), str):
            out[str(i)] = " ".join(sub["description"].split())
    return out


def _write_atomic(path: str, data: dict[str, Any]) -> bool:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=os.path.dirname(path))
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, sort_keys=True, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True


@contextlib.contextmanager
def _quiet() -> Iterator[io.StringIO]:
    # dtschema prints warnings and decode errors to stderr; a library must not.
    buf = io.StringIO()
    with contextlib.redirect_stderr(buf), contextlib.redirect_stdout(buf):
        yield buf


# ---------------------------------------------------------------------------------------
# Validation


class _RawProp:
    """What dtschema.dtb.prop_value reads from a libfdt property: name, len(), bytes()."""

    __slots__ = ("name", "value")

    def __init__(self, name: str, value: bytes) -> None:
        self.name = name
        self.value = value

    def __len__(self) -> int:
        return len(self.value)

    def __bytes__(self) -> bytes:
        return self.value


def validate(dt: DeviceTree, cache_dir: str | os.PathLike[str] | None = None, *,
             use_cache: bool = True) -> tuple[SchemaProblem, ...]:
    """Schema problems of /reserved-memory and of memory-region users, in tree order.

    With the cache, a node seen before (same bytes, same schemas) is answered from
    ``results-<key>.json`` and dtschema is not even imported when every node is known.

    Raises:
        SchemaUnavailable: see :func:`load_schemas`.
    """
    targets = _targets(dt)
    if not targets:
        return ()
    results: dict[str, list[list[str | None]]] = {}
    path = None
    if use_cache:
        version, files = _locate_dtschema()
        # The answers also depend on this module (decoding, messages): hash it too.
        path = os.path.join(cache_dir or default_cache_dir(),
                            f"results-{cache_key(version, [*files, __file__])}.json")
        results = _read_results(path)
        if all(t.key in results for t in targets):
            return tuple(SchemaProblem(t.node.path, prop, str(msg), str(sch))
                         for t in targets for prop, msg, sch in results[t.key])
    schemas = load_schemas(cache_dir, use_cache=use_cache)
    out = check_tree(schemas, dt, targets)
    if path is not None:
        fresh = {t.key: [[p.prop, p.message, p.schema] for p in out if p.node == t.node.path]
                 for t in targets if t.key not in results}
        if len(results) + len(fresh) > _RESULTS_MAX:
            results = {}
        _write_atomic(path, {"format": CACHE_FORMAT, "nodes": {**results, **fresh}})
    return out


@record()
class _Target:
    node: Node
    user: bool  # True: only its memory-region properties; False: a /reserved-memory child
    key: str  # sha256 of everything the answer depends on, from the raw bytes


def _targets(dt: DeviceTree) -> list[_Target]:
    """What gets validated, in tree order, each with its raw-content key."""
    out = []
    rmem = dt.lookup("/reserved-memory")
    if rmem is not None:
        cells = [_raw_cells(n) for n in (dt.root, rmem)]
        for child in rmem.children:
            out.append(_Target(child, False, _digest(["region", cells, _raw(child)])))
    for node in dt.walk():
        props = {k: node.props[k].value.hex() for k in _MEMORY_REGION_PROPS if node.has(k)}
        if props:
            out.append(_Target(node, True, _digest(["user", node.name, props])))
    return out


def _raw_cells(node: Node) -> list[str | None]:
    return [p.value.hex() if (p := node.prop(k)) is not None else None
            for k in ("#address-cells", "#size-cells")]


def _raw(node: Node) -> list[Any]:
    return [node.name, {k: p.value.hex() for k, p in node.props.items()},
            [_raw(c) for c in node.children]]


def _digest(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:32]


def _locate_dtschema() -> tuple[str, list[str]]:
    """(version, schema files) without importing dtschema (its import is the slow part)."""
    import importlib.util

    spec = importlib.util.find_spec("dtschema")
    where = list(spec.submodule_search_locations or []) if spec is not None else []
    if not where:
        raise SchemaUnavailable("schema validation needs dtschema (pip install dtschema)")
    version = None
    try:
        with open(os.path.join(where[0], "version.py"), encoding="utf-8") as f:
            m = re.search(r"^__version__ = .*?'([^']+)'", f.read(), re.M)
            version = m.group(1) if m else None
    except OSError:
        pass
    if version is None:
        version = str(_import_dtschema().__version__)
    return version, schema_files(where[0])


def _read_results(path: str) -> dict[str, list[list[str | None]]]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        nodes = data["nodes"] if data.get("format") == CACHE_FORMAT else {}
        return {str(k): v for k, v in nodes.items()
                if isinstance(v, list) and all(isinstance(x, list) and len(x) == 3 for x in v)}
    except Exception:  # missing or corrupt: recompute
        return {}


def check_tree(schemas: Schemas, dt: DeviceTree,
               targets: Sequence[_Target] | None = None) -> tuple[SchemaProblem, ...]:
    """:func:`validate` with the schemas already loaded and no result cache."""
    with _check_lock:  # the decoder's error list lives on the shared DTValidator
        return _check_targets(schemas, dt, _targets(dt) if targets is None else targets)


def _check_targets(schemas: Schemas, dt: DeviceTree,
                   targets: Sequence[_Target]) -> tuple[SchemaProblem, ...]:
    from dtschema.dtb import fixup_addresses, fixup_phandles

    v = schemas.validator
    out: list[SchemaProblem] = []
    rmem_inst: dict[str, Any] | None = None
    rmem_errors: list[tuple[str, str]] = []
    for t in targets:
        if t.user:
            errors: list[tuple[str, str]] = []
            inst = _instance(v, t.node, errors, only=_MEMORY_REGION_PROPS)
            with _quiet():
                fixup_phandles(v, {t.node.name: inst})
            applied = [MEMORY_REGION, CMACHECK_MEMORY_REGION]
        else:
            if rmem_inst is None:
                rmem = dt.lookup("/reserved-memory")
                assert rmem is not None
                rmem_inst = _instance(v, rmem, rmem_errors)
                root = {k: c for k in ("#address-cells", "#size-cells")
                        if (c := dt.root.cell_value(k)) is not None}
                with _quiet():
                    fixup_addresses(v, {**root, rmem.name: rmem_inst}, 2, 1)
            inst = rmem_inst[t.node.name]
            errors = rmem_errors
            applied = [_compatible_schema(v, inst) or RESERVED_MEMORY, CMACHECK_REGION]
        mine = [m for path, m in errors if path == t.node.path]  # children's: not validated
        out += _check_node(schemas, t.node, inst, applied, mine)
    return tuple(out)


def _instance(v: Any, node: Node, errors: list[tuple[str, str]],
              only: Sequence[str] | None = None) -> dict[str, Any]:
    """The node as dt-validate's fdt_unflatten builds it (children nested, $nodename set).

    Decoder complaints are appended to ``errors`` as (node path, message).
    """
    from dtschema.dtb import prop_value

    inst: dict[str, Any] = {}
    mine: list[str] = []
    v.decode_errors = mine
    try:
        with _quiet():
            for name, prop in node.props.items():
                if only is None or name in only:
                    inst[name] = prop_value(v, node.name, _RawProp(name, prop.value))
    finally:
        v.decode_errors = None
    errors += [(node.path, m) for m in mine]
    if only is None:
        for c in node.children:
            inst[c.name] = _instance(v, c, errors)
    inst["$nodename"] = [node.name]
    return inst


def _compatible_schema(v: Any, inst: dict[str, Any]) -> str | None:
    # DTValidator.iter_errors: the first compatible string that has a schema decides.
    compat = inst.get("compatible")
    if isinstance(compat, list):
        for c in compat:
            if isinstance(c, str) and c in v.compat_map:
                return str(v.compat_map[c])
    return None


def _check_node(schemas: Schemas, node: Node, inst: dict[str, Any], applied: list[str],
                decode_errors: list[str]) -> list[SchemaProblem]:
    # Boards share their SoC's regions: the same instance gets the same answer.
    key = json.dumps([applied, inst, decode_errors], sort_keys=True, default=repr)
    found = schemas.memo.get(key)
    if found is None:
        found = _node_problems(schemas, node, inst, applied, decode_errors)
        if len(schemas.memo) >= _MEMO_MAX:
            schemas.memo.clear()
        schemas.memo[key] = found
    return [SchemaProblem(node.path, prop, msg, schema) for prop, msg, schema in found]


def _node_problems(schemas: Schemas, node: Node, inst: dict[str, Any], applied: list[str],
                   decode_errors: list[str]) -> tuple[tuple[str | None, str, str], ...]:
    status = inst.get("status")
    disabled = isinstance(status, list) and "disabled" in status
    out: list[tuple[str | None, str, str]] = []
    seen: set[str] = set()  # one problem per sentence (schemas repeat if/then pairs)
    for sid in applied:
        ex = _Explain(schemas, sid, schemas.validator.schemas[sid], inst)
        for err in schemas.jsonschema_validator(sid).iter_errors(inst):
            if disabled and _relaxed_when_disabled(err):
                continue
            for prop, msg in ex.explain(err):
                if msg not in seen:
                    seen.add(msg)
                    out.append((prop, msg, sid.rsplit("/", 1)[-1]))
    flagged = {prop for prop, _, _ in out}
    for text in decode_errors:
        prop, _, msg = text.partition(": ")
        if prop in node.props and prop not in flagged:
            out.append((prop, f"{prop} cannot be decoded: {msg}", "dtschema decoder"))
    return tuple(out)


def _relaxed_when_disabled(err: Any) -> bool:
    # dt-validate check_node(): disabled nodes may lack what the board fills in later.
    relaxed = {"required", "unevaluatedProperties"}
    if relaxed & set(map(str, err.schema_path)):
        return True
    return any(relaxed & set(map(str, e.schema_path)) for e in err.context or ())


# ---------------------------------------------------------------------------------------
# Messages

_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
_FLAGS = ("no-map", "reusable", "linux,cma-default", "linux,dma-default")


@record(frozen=False)
class _Explain:
    """Turns jsonschema errors of one schema on one node into (property, sentence)."""

    schemas: Schemas
    sid: str
    schema: dict[str, Any]
    inst: dict[str, Any]

    def explain(self, err: Any) -> Iterator[tuple[str | None, str]]:
        path = [str(p) for p in err.absolute_path]
        spath = list(err.absolute_schema_path)
        along, dt_type = self._walk(spath)
        own = self.schemas.messages.get(self.sid, {})
        if len(spath) >= 2 and spath[0] == "allOf" and str(spath[1]) in own:
            # Our schemas: each allOf entry carries the kernel's reason.
            entry = along[1] if len(along) > 1 else {}
            props = [p for p in path[:1] if p != "compatible"] or self._false_props(err, along)
            yield (props[0] if props else _trigger(entry, self.inst)), own[str(spath[1])]
            return
        if err.validator in ("unevaluatedProperties", "additionalProperties"):
            yield from self._unexpected(err)
            return
        if err.validator is None:  # a `false` subschema: jsonschema loses the path
            compat = _if_compatible([self.schema, *along])
            where = f'with compatible "{compat}"' if compat else "here"
            names: list[str | None] = [*self._false_props(err, along)] or [None]
            for name in names:
                yield name, f"{name or 'a property'} is not allowed {where}"
            return
        prop: str | None = path[0] if path else None
        if prop is None and err.validator == "not" and isinstance(err.validator_value, dict):
            banned = err.validator_value.get("required") or []
            prop = str(banned[0]) if banned and banned[0] in self.inst else None
            yield prop, _sentence(err, None, self.inst, None)
            return
        yield prop, _sentence(err, prop, self.inst, dt_type)

    def _walk(self, spath: list[Any]) -> tuple[list[Any], str | None]:
        """The subschemas along an error's schema path, and the first types.yaml type on it.

        jsonschema leaves ``$ref`` out of the path: a key missing from a subschema that has
        a ``$ref`` is looked up in the referenced one.
        """
        out: list[Any] = []
        dt_type = None
        cur: Any = self.schema
        base = self.sid
        for key in spath:
            while isinstance(cur, dict) and key not in cur and isinstance(cur.get("$ref"), str):
                cur, base = self._deref(cur["$ref"], base)
                if dt_type is None and base.endswith("/types.yaml") and isinstance(cur, dict):
                    dt_type = _definition_name(cur, self.schemas)
            if (isinstance(cur, dict) and key in cur) or (
                    isinstance(cur, list) and isinstance(key, int) and key < len(cur)):
                cur = cur[key]
            else:
                break
            out.append(cur)
        return out, dt_type

    def _deref(self, ref: str, base: str) -> tuple[Any, str]:
        part, _, frag = ref.partition("#")
        url = urljoin(base, part) if part else base
        doc: Any = self.schemas.validator.schemas.get(url)
        for name in [p for p in frag.split("/") if p]:
            doc = doc.get(name) if isinstance(doc, dict) else None
        return doc, url

    def _false_props(self, err: Any, along: list[Any]) -> list[str]:
        # `properties: {x: false}` failures arrive without the property name.
        props = along[-1] if along and isinstance(along[-1], dict) else {}
        return sorted(k for k, v in props.items() if v is False and k in self.inst)

    def _unexpected(self, err: Any) -> Iterator[tuple[str | None, str]]:
        m = _UNEXPECTED.search(err.message)
        names = _QUOTED.findall(m.group(1)) if m else []
        if not names:
            yield None, _short(err.message)
            return
        defined = self._defined()
        for name in names:
            # A property the schema does define is "unevaluated" only because its own
            # subschema failed; that error is reported already.
            if name in defined:
                continue
            yield name, (f"{name} is not a property of this binding "
                         f"({self.sid.rsplit('/', 1)[-1]} allows no others)")

    def _defined(self) -> set[str]:
        out: set[str] = set()
        todo: list[Any] = [self.schema]
        seen: set[int] = set()
        while todo:
            cur = todo.pop()
            if id(cur) in seen:
                continue
            seen.add(id(cur))
            if isinstance(cur, dict):
                props = cur.get("properties")
                if isinstance(props, dict):
                    out.update(k for k, v in props.items() if v is not False)
                ref = cur.get("$ref")
                if isinstance(ref, str) and ".yaml" in ref and "types.yaml" not in ref:
                    todo.append(self._deref(ref, self.sid)[0])
                todo.extend(v for k, v in cur.items() if k not in ("properties", "if"))
            elif isinstance(cur, list):
                todo.extend(cur)
        return out


def _definition_name(sub: dict[str, Any], schemas: Schemas) -> str | None:
    # Which types.yaml definition is this?  (Identity with the loaded schema's own dict.)
    types = schemas.validator.schemas.get(_URL + "types.yaml", {})
    return next((str(k) for k, v in types.get("definitions", {}).items() if v is sub), None)


def _trigger(entry: Any, inst: dict[str, Any]) -> str | None:
    # The property an allOf entry's `if` tests for (not compatible: it only selects).
    cond = entry.get("if") if isinstance(entry, dict) else None
    names = cond.get("required", []) if isinstance(cond, dict) else []
    for name in names:
        if name != "compatible" and name in inst:
            return str(name)
    return None


def _if_compatible(along: list[Any]) -> str | None:
    # The compatible that the `if` next to a failing `then` tests for.
    for parent in reversed(along):
        if isinstance(parent, dict) and isinstance(parent.get("if"), dict):
            try:
                return str(parent["if"]["properties"]["compatible"]["contains"]["const"])
            except (KeyError, TypeError):
                return None
    return None


_TYPE_WORDS = {
    "flag": "a flag (no value)", "string": "a string", "string-array": "a list of strings",
    "non-unique-string-array": "a list of strings", "uint32": "a 32-bit number",
    "uint64": "a 64-bit number", "uint32-array": "a list of 32-bit cells",
    "uint32-matrix": "groups of 32-bit cells", "phandle": "a phandle",
    "phandle-array": "a list of phandles", "address": "<address size> entries",
}


def _sentence(err: Any, prop: str | None, inst: dict[str, Any], dt_type: str | None) -> str:
    kind, value, subject = err.validator, err.instance, prop or "the node"
    if prop is not None and kind == "typeSize":
        size = getattr(value, "size", None)
        return (f"{prop} must be made of {err.validator_value}-bit values, found "
                f"{f'{size}-bit ones' if size else _dts(value)}")
    if prop is not None and kind == "type" and dt_type in _TYPE_WORDS and dt_type != "flag":
        return f"{prop} must be {_TYPE_WORDS[dt_type]}, found {_dts(inst.get(prop, value))}"
    if kind == "required":
        names = _QUOTED.findall(err.message)
        return f"{names[0] if names else 'a property'} is required but missing"
    if kind == "not" and isinstance(err.validator_value, dict):
        banned = [str(b) for b in err.validator_value.get("required") or []]
        others = [f for f in _FLAGS if f in inst and f not in banned]
        if banned and others:
            return " and ".join(sorted([others[0], banned[0]])) + " cannot be used together"
    if kind in ("oneOf", "anyOf") and prop is None:
        return _reg_size_sentence(inst) or f"the node matches none of the {kind} alternatives"
    if prop is not None and _is_flag_error(err):
        return (f"{prop} is a flag: the kernel only tests that it is present, so the "
                f"value {_dts(value)} means nothing (write `{prop};`)")
    if kind in ("oneOf", "anyOf") and prop is not None:
        types = _ref_types(err.validator_value)
        if set(types) >= {"uint32", "uint64"}:
            got = f"{len(value)} bytes" if isinstance(value, bytes) else _dts(value)
            return f"{prop} must be one 32-bit or 64-bit number (1 or 2 cells), found {got}"
        if types:
            return f"{prop} is not a valid {' or '.join(types)}: {_dts(value)}"
    if kind == "maxItems" and isinstance(value, list):
        return (f"{subject} has {len(value)} entries, the schema allows at most "
                f"{err.validator_value}")
    if kind == "minItems" and isinstance(value, list):
        return (f"{subject} has {len(value)} entries, the schema needs at least "
                f"{err.validator_value}")
    if kind == "type":
        return f"{subject} has the wrong type: {_dts(value)} is not {_type_words(err)}"
    return f"{subject}: {_short(err.message)}"


def _is_flag_error(err: Any) -> bool:
    if err.validator == "type" and err.validator_value == "boolean":
        return True
    subs = err.validator_value if err.validator in ("oneOf", "anyOf") else None
    return isinstance(subs, list) and any(
        isinstance(s, dict) and (s.get("type") == "boolean"
                                 or str(s.get("$ref", "")).endswith("/flag"))
        for s in subs)


def _ref_types(subs: Any) -> list[str]:
    refs = [str(s.get("$ref", "")) for s in subs if isinstance(s, dict)] if isinstance(
        subs, list) else []
    return [r.rsplit("/", 1)[-1] for r in refs if "/definitions/" in r]


def _reg_size_sentence(inst: dict[str, Any]) -> str | None:
    # reserved-memory.yaml's top-level oneOf: reg xor size (or the iommu-addresses forms).
    has_reg, has_size = "reg" in inst, "size" in inst
    if has_reg and has_size:
        return "has both reg and size: a region is static (reg) or dynamic (size), not both"
    if not has_reg and not has_size and "iommu-addresses" not in inst:
        return "has neither reg nor size: give reg (static region) or size (dynamic region)"
    return None


def _type_words(err: Any) -> str:
    words = {"array": "a list", "object": "a node", "integer": "a number",
             "boolean": "a flag", "string": "a string", "null": "empty"}
    t = err.validator_value
    return " or ".join(words.get(str(n), str(n)) for n in (t if isinstance(t, list) else [t]))


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _dts(value: Any) -> str:
    """A decoded value written the way DTS source would show it."""
    if value is True:
        return "(empty)"
    if isinstance(value, bytes):
        return "[" + " ".join(f"{b:02x}" for b in value) + "]"
    if isinstance(value, int):
        return f"<{value:#x}>"
    if isinstance(value, list) and value and all(isinstance(x, str) for x in value):
        return ", ".join(json.dumps(x) for x in value)
    if isinstance(value, list) and all(isinstance(x, int) for x in value):
        return "<" + " ".join(f"{x:#x}" for x in value) + ">"
    if isinstance(value, list) and all(isinstance(x, list) for x in value):
        return ", ".join(_dts(x) for x in value)
    return _short(repr(value), 80)
