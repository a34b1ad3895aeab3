"""cmacheck.load.schema: dtschema validation of /reserved-memory, its cache, its side effects.

One real cold build per session (about a second); the cache tests replace the YAML
processing with a copy of that build and count calls.  Trees are DTS text compiled with dtc.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cmacheck.context import build_context
from cmacheck.findings import Severity
from cmacheck.load import schema
from cmacheck.load.dts import load_dts
from cmacheck.model import DeviceTree
from cmacheck.rules import cma010_schema

# The CMA010 rule fixtures that ask for --schema (the others test that it is off).
FIXTURES = [p for p in sorted((Path(__file__).parent / "rules" / "CMA010").glob("*.dts"))
            if any(ln.startswith("// args:") and "--schema" in ln
                   for ln in p.read_text().splitlines()[:3])]


def tree(tmp_path: Path, body: str, cells: int = 1) -> DeviceTree:
    """A root with #address-cells/#size-cells = <cells> around ``body``."""
    src = tmp_path / "t.dts"
    src.write_text("/dts-v1/;\n/ {\n"
                   f"#address-cells = <{cells}>; #size-cells = <{cells}>;\n"
                   + textwrap.dedent(body) + "\n};\n")
    return load_dts(str(src))


def rmem(regions: str, cells: int = 1) -> str:
    return (f"reserved-memory {{ #address-cells = <{cells}>; #size-cells = <{cells}>; ranges;\n"
            f"{regions}\n}};")


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's cache: what default_cache_dir() is with XDG_CACHE_HOME = its parent."""
    return tmp_path_factory.mktemp("xdg") / "cmacheck"


@pytest.fixture(scope="session")
def loaded(cache_dir: Path) -> schema.Schemas:
    """The one real cold build of the session, written to ``cache_dir``."""
    schema.forget_loaded()
    return schema.load_schemas(cache_dir)


@pytest.fixture(scope="session")
def processed(loaded: schema.Schemas) -> dict[str, Any]:
    assert loaded.path is not None
    with open(loaded.path, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@pytest.fixture
def check(loaded: schema.Schemas, tmp_path: Path) -> Callable[..., list[tuple[str, str | None]]]:
    """(node, prop) of every problem in a tree; the messages go to ``check.last``."""

    def run(body: str, cells: int = 1) -> list[tuple[str, str | None]]:
        problems = schema.check_tree(loaded, tree(tmp_path, body, cells))
        run.last = problems  # type: ignore[attr-defined]
        return [(p.node, p.prop) for p in problems]

    return run


@pytest.fixture
def count_builds(monkeypatch: pytest.MonkeyPatch, processed: dict[str, Any]
                 ) -> Iterator[list[int]]:
    """Replace the YAML processing by a copy of the session's build; count the calls."""
    calls: list[int] = []

    def fake(dts: Any, files: list[str], key: str) -> dict[str, Any]:
        calls.append(1)
        out = copy.deepcopy(processed)
        out[schema._META]["key"] = key
        return out

    monkeypatch.setattr(schema, "_build", fake)
    schema.forget_loaded()
    yield calls
    schema.forget_loaded()


# --- the adapter on small trees --------------------------------------------------------


def test_restricted_pool_with_reusable(check: Any) -> None:
    got = check(rmem('rdma@50000000 { compatible = "restricted-dma-pool"; reusable; '
                     "reg = <0x50000000 0x400000>; };"))
    assert got == [("/reserved-memory/rdma@50000000", "reusable")]
    (p,) = check.last
    assert p.schema == "shared-dma-pool.yaml"
    assert p.message == 'reusable is not allowed with compatible "restricted-dma-pool"'


def test_bad_alignment_type_is_one_problem(check: Any) -> None:
    # 3 cells fit neither uint32 nor uint64; the unevaluatedProperties echo is dropped.
    got = check(rmem('pool { compatible = "shared-dma-pool"; reusable; size = <0 0x400000>; '
                     "alignment = <0 0 0x1000>; };", cells=2), cells=2)
    assert got == [("/reserved-memory/pool", "alignment")]
    assert check.last[0].message == ("alignment must be one 32-bit or 64-bit number "
                                     "(1 or 2 cells), found 12 bytes")


def test_clean_pools_have_no_problem(check: Any) -> None:
    assert check(rmem("""
        linux,cma { compatible = "shared-dma-pool"; reusable; size = <0 0x4000000>;
                    alignment = <0 0x400000>; linux,cma-default; };
        fb: framebuffer@90000000 { compatible = "framebuffer"; reg = <0 0x90000000 0 0x800000>; };
        carveout@91000000 { no-map; reg = <0 0x91000000 0 0x100000>; };
        """, cells=2) + "display { memory-region = <&fb>; memory-region-names = \"fb\"; };",
        cells=2) == []


def test_unknown_property_on_a_pool(check: Any) -> None:
    got = check(rmem('pool@1000 { compatible = "shared-dma-pool"; reg = <0x1000 0x1000>; '
                     "vendor,magic = <1>; };"))
    assert got == [("/reserved-memory/pool@1000", "vendor,magic")]
    assert check.last[0].message == ("vendor,magic is not a property of this binding "
                                     "(shared-dma-pool.yaml allows no others)")


def test_disabled_node_may_be_incomplete(check: Any) -> None:
    # dt-validate drops required/unevaluatedProperties errors on disabled nodes.
    assert check(rmem('pool@1000 { compatible = "shared-dma-pool"; status = "disabled"; '
                      "reg = <0x1000 0x1000>; vendor,later; };")) == []


def test_regions_without_compatible_get_reserved_memory_yaml(check: Any) -> None:
    got = check(rmem("""
        a@1000 { no-map = <0>; reg = <0x1000 0x1000>; };
        b@2000 { reg = <0x2000 0x1000>; size = <0x1000>; };
        c { no-map; };
        d@4000 { no-map; reusable; reg = <0x4000 0x1000>; };
        e@5000 { reg = <0x5000 0x1000 0x6000 0x1000>; };
        """))
    assert got == [
        ("/reserved-memory/a@1000", "no-map"),
        ("/reserved-memory/b@2000", None),
        ("/reserved-memory/c", None),
        ("/reserved-memory/d@4000", "reusable"),
        ("/reserved-memory/e@5000", "reg"),
    ]
    assert {p.schema for p in check.last} == {"reserved-memory.yaml"}
    assert [p.message for p in check.last] == [
        "no-map is a flag: the kernel only tests that it is present, so the value <0x0> "
        "means nothing (write `no-map;`)",
        "has both reg and size: a region is static (reg) or dynamic (size), not both",
        "has neither reg nor size: give reg (static region) or size (dynamic region)",
        "no-map and reusable cannot be used together",
        "reg has 2 entries, the schema allows at most 1",
    ]


@pytest.mark.parametrize(("region", "prop"), [
    ('compatible = "shared-dma-pool"; size = <0x1000>; linux,cma-default;',
     "linux,cma-default"),
    ('compatible = "shared-dma-pool"; reusable; no-map; size = <0x1000>; linux,cma-default;',
     "linux,cma-default"),
    ("reusable; size = <0x1000>; linux,cma-default;", "linux,cma-default"),
    ('compatible = "shared-dma-pool"; reusable; size = <0x1000>; linux,dma-default;',
     "linux,dma-default"),
    ("size = <0x1000>; linux,dma-default;", "linux,dma-default"),
    ('compatible = "restricted-dma-pool"; size = <0x1000>; linux,dma-default;',
     "linux,dma-default"),
], ids=["cma-not-reusable", "cma-no-map", "cma-no-compatible", "dma-reusable",
        "dma-no-compatible", "restricted-dma-default"])
def test_kernel_constraints_from_our_schema(check: Any, region: str, prop: str) -> None:
    got = check(rmem(f"r {{ {region} }};"))
    ours = [p for p in check.last if p.schema == "cmacheck-region.yaml"]
    assert [(p.node, p.prop) for p in ours] == [("/reserved-memory/r", prop)], got
    assert "kernel/dma/" in ours[0].message  # each constraint cites the kernel


def test_memory_region_users(check: Any) -> None:
    got = check(rmem("fb: fb@1000 { reg = <0x1000 0x1000>; };")
                + "dev1 { memory-region-names = \"x\"; };"
                + "dev2 { memory-region = <&fb>; memory-region-names = \"fb\"; };")
    assert got == [("/dev1", "memory-region-names")]
    assert check.last[0].schema == "cmacheck-memory-region.yaml"


def test_ti_k3_alignment_is_not_a_schema_error(check: Any) -> None:
    # 13 TI K3 boards: alignment = <0x1000> under #address-cells = <2> on static no-map
    # carve-outs.  A one-cell value is a valid uint32 for the schema; CMA004 reports it.
    assert check(rmem("tfa@9e780000 { reg = <0 0x9e780000 0 0x80000>; alignment = <0x1000>; "
                      "no-map; };", cells=2), cells=2) == []


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_rule_fixtures_through_the_adapter(loaded: schema.Schemas, path: Path) -> None:
    # tests/test_rules.py runs these through the CLI once --schema exists there.
    head = path.read_text().splitlines()[:3]
    expect = next(ln for ln in head if ln.startswith("// expect:")).split(":", 1)[1].split()
    got = sorted({p.node for p in schema.check_tree(loaded, load_dts(str(path)))})
    assert got == ([] if expect == ["none"] else sorted(expect[1:]))


# --- the rule --------------------------------------------------------------------------


def test_rule_is_off_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "validate", None)  # would raise if called
    dt = tree(tmp_path, rmem('r@1000 { compatible = "restricted-dma-pool"; reusable; '
                             "reg = <0x1000 0x1000>; };"))
    assert list(cma010_schema.check(build_context(dt))) == []


def test_rule_points_at_the_property_line(loaded: schema.Schemas, cache_dir: Path,
                                          tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_dir.parent))
    dt = tree(tmp_path, rmem("""
        r@1000 {
            compatible = "restricted-dma-pool";
            reusable;
            reg = <0x1000 0x1000>;
        };"""))
    (hit,) = cma010_schema.check(build_context(dt, schema=schema.validate(dt)))
    assert hit.at.node == "/reserved-memory/r@1000"
    lines = (tmp_path / "t.dts").read_text().splitlines()
    assert hit.at.file == str(tmp_path / "t.dts")
    assert hit.at.line == next(i for i, ln in enumerate(lines, 1) if "reusable;" in ln)
    assert hit.message == ('shared-dma-pool.yaml: reusable is not allowed with compatible '
                           '"restricted-dma-pool"')
    assert hit.severity is None  # the rule's default: warning


def test_rule_without_dtschema_is_a_note(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(*a: object, **k: object) -> None:
        raise schema.SchemaUnavailable("schema validation needs dtschema (test)")

    monkeypatch.setattr(schema, "_locate_dtschema", missing)
    dt = tree(tmp_path, rmem("r@1000 { reg = <0x1000 0x1000>; };"))
    from cmacheck.api import _schema

    (hit,) = cma010_schema.check(build_context(dt, schema=_schema(dt)))
    assert hit.severity == Severity.NOTE and "needs dtschema" in hit.message


# --- caches ------------------------------------------------------------------------------


def test_cold_build_writes_the_cache(loaded: schema.Schemas, cache_dir: Path) -> None:
    assert loaded.built
    assert loaded.path is not None
    assert Path(loaded.path).parent == cache_dir
    assert Path(loaded.path).name.startswith("dtschema-")
    # The file is a dtschema processed schema: dt-validate -s accepts it as is.
    with open(loaded.path, encoding="utf-8") as f:
        data = json.load(f)
    assert schema.RESERVED_MEMORY in data and "generated-types" in data


def test_warm_load_does_not_rebuild(loaded: schema.Schemas, cache_dir: Path,
                                    count_builds: list[int]) -> None:
    again = schema.load_schemas(cache_dir)
    assert not again.built and count_builds == []
    assert schema.load_schemas(cache_dir) is again  # one load per process


def test_corrupt_cache_is_rebuilt(loaded: schema.Schemas, tmp_path: Path,
                                  count_builds: list[int]) -> None:
    first = schema.load_schemas(tmp_path)
    assert first.built and count_builds == [1] and first.path is not None
    for garbage in ("{not json", json.dumps({"version": "0", "cmacheck-meta": {}}), ""):
        Path(first.path).write_text(garbage)
        schema.forget_loaded()
        again = schema.load_schemas(tmp_path)
        assert again.built and again.path == first.path
    assert count_builds == [1, 1, 1, 1]
    schema.forget_loaded()
    assert not schema.load_schemas(tmp_path).built  # the rebuilt file is good


def test_unwritable_cache_dir_means_no_cache(tmp_path: Path, count_builds: list[int]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    got = schema.load_schemas(blocker / "sub")  # a directory under a regular file
    assert got.built and got.path is None and count_builds == [1]
    assert not (blocker / "sub").exists()


def test_default_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert schema.default_cache_dir() == tmp_path / "cmacheck"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the spec requires absolute
    assert schema.default_cache_dir() == Path.home() / ".cache" / "cmacheck"


def test_cache_key_changes_with_any_schema_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("x")
    b.write_text("y")
    k = schema.cache_key("2026.9", [str(a), str(b)])
    assert schema.cache_key("2026.10", [str(a), str(b)]) != k
    b.write_text("z")
    assert schema.cache_key("2026.9", [str(a), str(b)]) != k


def test_results_cache_answers_known_nodes(loaded: schema.Schemas, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           cache_dir: Path) -> None:
    dt = tree(tmp_path, rmem('r@1000 { compatible = "restricted-dma-pool"; reusable; '
                             "reg = <0x1000 0x1000>; };"))
    first = schema.validate(dt, cache_dir)
    assert [(p.node, p.prop) for p in first] == [("/reserved-memory/r@1000", "reusable")]

    def no_schemas(*a: Any, **k: Any) -> schema.Schemas:
        raise AssertionError("every node is known: the schemas must not be loaded")

    monkeypatch.setattr(schema, "load_schemas", no_schemas)
    assert schema.validate(dt, cache_dir) == first
    monkeypatch.undo()
    for f in cache_dir.glob("results-*.json"):
        f.write_text("[corrupt")
    assert schema.validate(dt, cache_dir) == first


def test_no_targets_no_dtschema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "load_schemas", None)
    assert schema.validate(tree(tmp_path, "memory@0 { device_type = \"memory\"; "
                                          "reg = <0 0x1000>; };"), tmp_path) == ()


# --- import side effects -----------------------------------------------------------------

_PROBE = """
import signal, sys, threading
import cmacheck.cli, cmacheck.rules, cmacheck.load.schema as schema
assert "dtschema" not in sys.modules, "importing cmacheck must not import dtschema"
def mine(signum, frame):
    pass
signal.signal(signal.SIGINT, mine)
t = threading.Thread(target=schema._import_dtschema)  # signal.signal raises off the main thread
t.start(); t.join()
assert "dtschema" in sys.modules
assert signal.getsignal(signal.SIGINT) is mine, signal.getsignal(signal.SIGINT)
print("ok")
"""


def test_import_keeps_the_sigint_handler() -> None:
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    r = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                       env=env, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
