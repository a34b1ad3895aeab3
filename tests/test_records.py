"""cmacheck.records: @record behaves like the dataclass it replaces (eq, hash, repr, frozen)."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from cmacheck.findings import Finding, Location, Severity
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

class One:
    """doc"""
    a: int

class Zero:
    """doc"""

class Loop:
    """doc"""
    a: object = None
'''
_ARGS = {"Wide": (1, "y", (2,), 5, 6, 7), "One": (3,), "Zero": (), "Loop": ()}


def _classes(decorator: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(_BODY, {"field": field}, namespace)  # same source for both decorators
    return {name: decorator(cls) for name, cls in namespace.items()}


def _outcome(fn: Any) -> Any:
    try:
        return fn()
    except Exception as e:  # the exception type is part of the behaviour compared
        return type(e)


@pytest.mark.parametrize("frozen", [True, False])
@pytest.mark.parametrize("eq", [True, False])
@pytest.mark.parametrize("name", sorted(_ARGS))
def test_same_as_dataclass(frozen: bool, eq: bool, name: str) -> None:
    ref = _classes(dataclass(frozen=frozen, slots=True, eq=eq))[name]
    rec = _classes(record(frozen=frozen, eq=eq))[name]
    args = _ARGS[name]
    r1, r2, o1, o2 = ref(*args), ref(*args), rec(*args), rec(*args)
    assert repr(o1) == repr(r1)
    assert (o1 == o2, o1 != o2, o1 == 5) == (r1 == r2, r1 != r2, r1 == 5)
    assert (rec.__hash__ is None) == (ref.__hash__ is None)
    if ref.__hash__ is not None and eq:
        assert hash(o1) == hash(r1)
    assert dataclasses.asdict(o1) == dataclasses.asdict(r1)
    assert _outcome(lambda: setattr(o1, "a", 9)) == _outcome(lambda: setattr(r1, "a", 9))
    if name == "Wide":
        # compare=False / hash=False fields are left out exactly as dataclass leaves them out
        for change in ({"d": 99}, {"a": 99}, {"f": 99}):
            o3, r3 = dataclasses.replace(o2, **change), dataclasses.replace(r2, **change)
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
    assert {f, dataclasses.replace(f)} == {f}
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.rule = "CMA002"  # type: ignore[misc]


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
