"""``@record``: a slotted dataclass whose ``__eq__``, ``__hash__`` and ``__repr__`` are shared
code instead of source compiled for each class.

Python 3.11's ``dataclasses`` writes every generated method as source text and compiles it
with ``exec()``: six compilations per frozen class, about a third of cmacheck's start-up
with ~50 classes on a plain run.  ``@record`` asks ``dataclass`` for ``__init__`` (and, when
frozen, ``__setattr__``/``__delattr__``) only and adds the other three from one definition
here, with the same meaning as the generated ones:

- ``==``: same class and equal field tuples (fields with ``compare=False`` left out), else
  ``NotImplemented``;
- ``hash()``: the hash of that tuple when frozen; ``__hash__ = None`` (unhashable) when not;
- ``repr()``: ``Name(a=1, b='x')`` over the ``repr=True`` fields, ``...`` on recursion.

``dataclasses.fields``/``replace``/``asdict`` and pickling work as for any dataclass.
``init=False`` is for a class that writes its own ``__init__`` (a very wide one, where the
generated one is the expensive part).
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True)
def record(*, frozen: bool = True, eq: bool = True,
           init: bool = True) -> Callable[[type[_T]], type[_T]]:
    """``@dataclass(frozen=frozen, slots=True, eq=eq, init=init)`` with shared eq/hash/repr."""

    def wrap(cls: type[_T]) -> type[_T]:
        cls = dataclass(frozen=frozen, slots=True, eq=False, repr=False, init=init)(cls)
        every = fields(cls)  # type: ignore[arg-type]
        _method(cls, "__repr__", _repr(tuple(f.name for f in every if f.repr)))
        if eq:
            key = _key(tuple(f.name for f in every if f.compare))
            _method(cls, "__eq__", _eq(key))
            own = cls.__dict__.get("__hash__", MISSING)
            if own is MISSING or (own is None and "__eq__" in cls.__dict__):  # none of its own
                if frozen:
                    hashed = tuple(f.name for f in every
                                   if (f.compare if f.hash is None else f.hash))
                    _method(cls, "__hash__", _hash(_key(hashed)), replace=True)
                else:
                    cls.__hash__ = None  # type: ignore[assignment]  # as dataclass: mutable
        return cls

    return wrap


def _method(cls: type, name: str, fn: Callable[..., Any], replace: bool = False) -> None:
    if name in cls.__dict__ and not replace:  # dataclass keeps a method the class defines
        return
    fn.__name__ = name
    fn.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, fn)


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The field tuple, built in C (attrgetter) as fast as the generated code."""
    if len(names) >= 2:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _eq(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _repr(names: tuple[str, ...]) -> Callable[[Any], str]:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        body = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({body})"

    return __repr__
