"""cmacheck.records: @record behaves like the dataclass it replaces (init, eq, hash, repr,
frozen, slots, pickling), on the same class source."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from dataclasses import dataclass
from typing import Any

import pytest

from cmacheck import records
from cmacheck.findings import Finding, Location, Severity
from cmacheck.model import Node
from cmacheck.records import record

_BODY = '''
class Wide:
    """doc"""
    a: int
    b: str = "x"
    c: tuple = ()
    d: int = field(default=0, compare=False)
    e: int = field(default=1, repr=False)
    f: int = field(default=2, hash=False)
    g: list = field(default_factory=list, hash=False)

class One:
    """doc"""
    a: int

class Zero:
    """doc"""

class Loop:
    """doc"""
    a: object = None

class Post:
    """doc"""
    a: int
    b: list = field(default_factory=list)
    c: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.b.append(self.a)
'''
_ARGS = {"Wide": (1, "y", (2,), 5, 6, 7, [8]), "One": (3,), "Zero": (), "Loop": (),
         "Post": (4,)}


def _classes(decorator: Any, field: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(_BODY, {"field": field}, namespace)  # same source for both decorators
    return {name: decorator(cls) for name, cls in namespace.items()}


def _outcome(fn: Any) -> Any:
    try:
        return fn()
    except (dataclasses.FrozenInstanceError, records.FrozenInstanceError):
        return "frozen"
    except Exception as e:  # the exception type is part of the behaviour compared
        return type(e)


def _values(obj: Any, fields: Any) -> tuple[Any, ...]:
    return tuple((f.name, getattr(obj, f.name)) for f in fields(obj))


@pytest.mark.parametrize("frozen", [True, False])
@pytest.mark.parametrize("eq", [True, False])
@pytest.mark.parametrize("name", sorted(_ARGS))
def test_same_as_dataclass(frozen: bool, eq: bool, name: str) -> None:
    ref = _classes(dataclass(frozen=frozen, slots=True, eq=eq), dataclasses.field)[name]
    rec = _classes(record(frozen=frozen, eq=eq), records.field)[name]
    args = _ARGS[name]
    r1, r2, o1, o2 = ref(*args), ref(*args), rec(*args), rec(*args)
    assert str(inspect.signature(rec)) == str(inspect.signature(ref))
    assert rec.__slots__ == ref.__slots__ and not hasattr(o1, "__dict__")
    assert rec.__init__.__qualname__ == f"{name}.__init__"
    assert repr(o1) == repr(r1)
    assert (o1 == o2, o1 != o2, o1 == 5) == (r1 == r2, r1 != r2, r1 == 5)
    assert (rec.__hash__ is None) == (ref.__hash__ is None)
    if ref.__hash__ is not None and eq:
        assert _outcome(lambda: hash(o1)) == _outcome(lambda: hash(r1))
    assert _values(o1, records.fields) == _values(r1, dataclasses.fields)
    for clone in (copy.copy(o1), copy.deepcopy(o1)):  # pickle: real records, below
        assert _values(clone, records.fields) == _values(o1, records.fields)
    for change in (lambda o: setattr(o, "a", 9), lambda o: delattr(o, "a")):
        if frozen and name == "Zero":  # 3.11's dataclass: TypeError from a stale super()
            assert _outcome(lambda c=change: c(rec(*args))) == "frozen"
        else:
            assert (_outcome(lambda c=change: c(rec(*args)))
                    == _outcome(lambda c=change: c(ref(*args))))
    assert _outcome(lambda: rec(*args, 0, 0, 0, 0, 0, 0, 0, 0)) is TypeError  # too many
    if args:
        assert _outcome(lambda: rec()) is _outcome(lambda: ref()) is TypeError
    if name in ("Wide", "Post"):  # a factory runs per instance
        assert rec(1).__getattribute__("g" if name == "Wide" else "b") \
            is not rec(1).__getattribute__("g" if name == "Wide" else "b")
        assert _values(rec(a=1), records.fields) == _values(ref(a=1), dataclasses.fields)
    if name == "Wide":
        # compare=False / hash=False fields are left out exactly as dataclass leaves them out
        for change in ({"d": 99}, {"a": 99}, {"f": 99}):
            o3, r3 = records.replace(o2, **change), dataclasses.replace(r2, **change)
            assert (o3 == o2) == (r3 == r2)
            if frozen and eq:
                assert (hash(o3) == hash(o2)) == (hash(r3) == hash(r2))
    if name == "Loop":  # a record that contains itself: "..." as dataclass prints it
        if frozen:
            o, r = rec([]), ref([])
            o.a.append(o)
            r.a.append(r)
        else:
            o, r = rec(), ref()
            o.a, r.a = o, r
        assert repr(o) == repr(r).replace(ref.__qualname__, rec.__qualname__)


def test_real_records_pickle_and_compare() -> None:
    f = Finding("CMA001", Severity.ERROR, "message", Location(file="a.dts", line=3))
    assert pickle.loads(pickle.dumps(f)) == f
    assert hash(pickle.loads(pickle.dumps(f))) == hash(f)
    assert repr(f.at) == "Location(file='a.dts', line=3, node=None, symbol=None)"
    assert {f, records.replace(f)} == {f}
    with pytest.raises(records.FrozenInstanceError):
        f.rule = "CMA002"  # type: ignore[misc]
    node = Node("n", "/n")  # a mutable record with factories, pickled with its children
    node.children.append(Node("c", "/n/c"))
    again = pickle.loads(pickle.dumps(node))
    assert again.children[0].path == "/n/c" and again.props == {}


def test_what_it_refuses() -> None:
    class Base:
        a: int

    recorded = record()(Base)
    with pytest.raises(TypeError, match="inherit"):
        record()(type("Sub", (recorded,), {"__annotations__": {"b": "int"}}))
    with pytest.raises(TypeError, match="without a default"):
        record()(type("Order", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))
    with pytest.raises(TypeError, match="ClassVar"):
        record()(type("Var", (), {"__annotations__": {"a": "ClassVar[int]"}}))
    with pytest.raises(ValueError, match="both"):
        records.field(default=1, default_factory=list)
    with pytest.raises(TypeError, match="not a record"):
        records.fields(Base)


def test_own_methods_are_kept() -> None:
    @record()
    class Custom:
        """doc"""

        a: int

        def __repr__(self) -> str:
            return "custom"

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 7

    assert (repr(Custom(1)), Custom(1) == Custom(2), hash(Custom(1))) == ("custom", True, 7)


def test_prebuilt_templates_are_generated_source() -> None:
    # cmacheck/_record_inits.py is `python -m cmacheck.records` output, checked in so that its
    # bytecode is cached like any module's; regenerate it when the template text changes.
    from pathlib import Path

    import cmacheck

    path = Path(cmacheck.__file__).parent / "_record_inits.py"
    assert path.read_text() == records.prebuilt_source()


@pytest.mark.parametrize("n", [0, 2, records.PREBUILT + 1])
@pytest.mark.parametrize("frozen", [True, False])
def test_template_annotations_are_only_for_mypy(n: int, frozen: bool) -> None:
    # only a template's code object is used (annotations are not part of it): the text
    # compiled at run time has none; the generated module keeps them for mypy --strict
    def code(text: str) -> Any:
        return next(c for c in compile(text, "t", "exec").co_consts if hasattr(c, "co_code"))

    plain = records._template_source("__init__", n, frozen, (0,) if n else (), True)
    typed = records._template_source("__init__", n, frozen, (0,) if n else (), True, typed=True)
    assert "Any" not in plain and "->" not in plain
    assert typed.count(": Any") == n + 1 and "-> None:" in typed
    a, b = code(plain), code(typed)
    assert (a.co_code, a.co_varnames, a.co_names, a.co_consts) == (
        b.co_code, b.co_varnames, b.co_names, b.co_consts)
    assert ": Any" in records.prebuilt_source()

    @record(frozen=frozen)
    class WithFactory:
        items: list[int] = records.field(default_factory=list)

        def __post_init__(self) -> None:
            pass

    assert WithFactory.__init__.__annotations__ == {"items": "list[int]", "return": None}
    assert WithFactory().items == [] and WithFactory([1]).items == [1]


@pytest.mark.parametrize("n", [0, 1, records.PREBUILT, records.PREBUILT + 1, 40])
@pytest.mark.parametrize("frozen", [True, False])
def test_every_width_builds(n: int, frozen: bool) -> None:
    # prebuilt templates up to PREBUILT fields, compiled ones beyond: the same behaviour
    names = [f"f{i}" for i in range(n)]
    cls = record(frozen=frozen)(type("Wide", (), {"__annotations__": dict.fromkeys(names, "int"),
                                                  "__doc__": "doc"}))
    obj = cls(*range(n))
    assert [getattr(obj, name) for name in names] == list(range(n))
    assert obj == cls(**{name: i for i, name in enumerate(names)})
    assert str(inspect.signature(cls)) == "(" + ", ".join(f"{x}: 'int'" for x in names) + \
        ") -> None"
    assert (records._template(n, frozen, (), False).co_filename.endswith("_record_inits.py")
            is (n <= records.PREBUILT))
