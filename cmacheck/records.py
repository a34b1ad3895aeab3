"""``@record``: a slotted value class, the subset of ``@dataclass(slots=True)`` cmacheck uses,
built without compiling any source.

Python 3.11's ``dataclasses`` writes every generated method as source text and compiles it
with ``exec()``, and ``slots=True`` builds each class twice: with ~50 classes that was about
a fifth of a cold run's instructions.  ``@record`` gives the same classes for the same
source text, with one shared ``__eq__``/``__hash__``/``__repr__``/``__setattr__`` and an
``__init__`` made from one code object per *shape* (number of fields, frozen, which fields
have a factory, ``__post_init__``), renamed for the class (``CodeType.replace``).  The plain
shapes are prebuilt in ``cmacheck/_record_inits.py`` (their bytecode is cached like any
module's); the others are compiled once each: a plain run compiles five templates instead
of ~130 methods.  Meaning, as ``dataclass`` gives it:

- ``__init__(self, a, b=default, c=<factory>)``: fields in declaration order, positional or
  keyword; ``field(default_factory=...)`` is called per instance; ``__post_init__`` runs last;
- ``==``: same class and equal field tuples (fields with ``compare=False`` left out), else
  ``NotImplemented``;
- ``hash()``: the hash of that tuple when frozen and eq; ``__hash__ = None`` when not frozen;
- ``repr()``: ``Name(a=1, b='x')`` over the ``repr=True`` fields, ``...`` on recursion;
- frozen: assigning or deleting an attribute raises :class:`FrozenInstanceError`;
- ``__slots__`` = the fields; pickling and ``copy`` work (``__getstate__``/``__setstate__``).

A method the class defines itself is kept.  ``init=False`` is for a class that writes its
own ``__init__`` (a very wide one).  :func:`fields` and :func:`replace` stand in for the
``dataclasses`` functions of the same names.  Not supported (``TypeError``): inheriting from
another record, ``ClassVar``/``InitVar`` annotations, a field without a default after one
with a default.
"""

from __future__ import annotations

import reprlib
import sys
from collections.abc import Callable
from functools import cache
from operator import attrgetter
from types import FunctionType
from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""No default (a field's ``default`` / ``default_factory`` when it has none)."""


class FrozenInstanceError(AttributeError):
    """Assigning to or deleting a field of a frozen record."""


class Field:
    """One field of a record, as :func:`field` declares it and :func:`fields` lists it."""

    __slots__ = ("compare", "default", "default_factory", "hash", "name", "repr")

    def __init__(self, default: Any, default_factory: Any, repr: bool, compare: bool,
                 hash: bool | None) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare
        self.hash = hash

    def __repr__(self) -> str:
        return f"Field(name={self.name!r})"


def field(*, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,
          compare: bool = True, hash: bool | None = None) -> Any:
    """A field's options: ``dataclasses.field`` with the keywords cmacheck uses."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, repr, compare, hash)


def fields(cls_or_record: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in declaration order."""
    try:
        found: tuple[Field, ...] = cls_or_record.__record_fields__
    except AttributeError:
        raise TypeError(f"{cls_or_record!r} is not a record") from None
    return found


def replace(obj: _T, /, **changes: Any) -> _T:
    """A new record like ``obj`` with ``changes`` applied (``dataclasses.replace``)."""
    for f in fields(obj):
        if f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(*, frozen: bool = True, eq: bool = True,
           init: bool = True) -> Callable[[type[_T]], type[_T]]:
    """A slotted record class over the annotated fields (see the module docstring)."""

    def wrap(cls: type[_T]) -> type[_T]:
        return _build(cls, frozen, eq, init)

    return wrap


def _build(cls: type[_T], frozen: bool, eq: bool, init: bool) -> type[_T]:
    if any(hasattr(base, "__record_fields__") for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__qualname__}: a record cannot inherit from another record")
    ns = dict(cls.__dict__)
    every: list[Field] = []
    for name, annotation in ns.setdefault("__annotations__", {}).items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar", "InitVar")):
            raise TypeError(f"{cls.__qualname__}.{name}: ClassVar/InitVar is not supported")
        given = ns.pop(name, MISSING)
        f = given if isinstance(given, Field) else Field(given, MISSING, True, True, None)
        f.name = name
        every.append(f)
    names = tuple(f.name for f in every)
    ns.pop("__dict__", None)
    ns.pop("__weakref__", None)
    ns["__slots__"] = names
    ns["__record_fields__"] = tuple(every)
    own = set(ns)
    if init and "__init__" not in own:
        ns["__init__"] = _init(cls.__qualname__, every, ns["__annotations__"], frozen,
                               "__post_init__" in own)
    if "__repr__" not in own:
        ns["__repr__"] = _repr(tuple(f.name for f in every if f.repr))
    if eq:
        key = _key(tuple(f.name for f in every if f.compare))
        if "__eq__" not in own:
            ns["__eq__"] = _eq(key)
        if ns.get("__hash__") is None:  # none of its own (an own __eq__ sets it to None)
            ns["__hash__"] = _hash(_key(tuple(
                f.name for f in every if (f.compare if f.hash is None else f.hash)))) \
                if frozen else None
    if frozen:
        ns["__setattr__"] = _frozen_setattr
        ns["__delattr__"] = _frozen_delattr
    ns["__getstate__"] = _getstate
    ns["__setstate__"] = _setstate
    for name in ("__repr__", "__eq__", "__hash__"):
        fn = ns.get(name)
        if name not in own and fn is not None:
            fn.__name__, fn.__qualname__ = name, f"{cls.__qualname__}.{name}"
    meta: Any = type(cls)
    built: type[_T] = meta(cls.__name__, cls.__bases__, ns)
    built.__qualname__ = cls.__qualname__
    return built


# -- __init__ from a template ---------------------------------------------------------------

PREBUILT = 24
"""``cmacheck/_record_inits.py`` holds the plain shapes (no factory, no ``__post_init__``)
of up to this many fields, compiled with the package like any module."""


def _template_source(name: str, n: int, frozen: bool, factories: tuple[int, ...] = (),
                     post_init: bool = False, typed: bool = False) -> str:
    """``def name(self, _0, _1, ...)`` storing each ``_i`` in attribute ``_i``; factory fields
    default to ``_FACTORY`` and call ``_f<i>()``.

    Only the code object is used (:func:`_init` makes the function and its annotations), so
    the text compiled at run time has no annotations; ``typed``: ``Any`` / ``-> None`` all
    the same, for the generated module, which mypy --strict checks (an unannotated def there
    would need a per-file ``allow-untyped-defs``).  Annotations are not part of the code
    object: both forms compile to the same code."""
    ann, ret = (": Any", " -> None") if typed else ("", "")
    params = "".join(f", _{i}{ann}" for i in range(n))
    lines = [f"def {name}(self{ann}{params}){ret}:"]
    for i in factories:
        lines.append(f"    if _{i} is _FACTORY:\n        _{i} = _f{i}()")
    for i in range(n):
        lines.append(f"    _set(self, '_{i}', _{i})" if frozen else f"    self._{i} = _{i}")
    if post_init:
        lines.append("    self.__post_init__()")
    if not n and not post_init:
        lines.append("    pass")
    return "\n".join(lines) + "\n"


def prebuilt_source() -> str:
    """The text of ``cmacheck/_record_inits.py``: ``python -m cmacheck.records`` prints it."""
    head = ('"""Generated by ``python -m cmacheck.records`` (do not edit): the compiled '
            '``__init__``\ntemplates of cmacheck.records, read from the bytecode cache '
            'instead of compiled at\nevery start."""\n\nfrom collections.abc import '
            'Callable\nfrom typing import Any\n\n_set: Callable[[Any, str, Any], None] = '
            'object.__setattr__\n')
    return "\n\n".join([head, *(
        _template_source(f"{'frozen' if frozen else 'mutable'}_{n}", n, frozen, typed=True)
        for frozen in (True, False) for n in range(PREBUILT + 1))])


@cache
def _template(n: int, frozen: bool, factories: tuple[int, ...], post_init: bool) -> Any:
    """The code of a shape's ``__init__``, prebuilt or compiled here once; the names are
    replaced per class."""
    if not factories and not post_init and n <= PREBUILT:
        from cmacheck import _record_inits

        prebuilt: Any = getattr(_record_inits, f"{'frozen' if frozen else 'mutable'}_{n}")
        return prebuilt.__code__
    scope: dict[str, Any] = {}
    # the text is made here from numbers only
    exec(_template_source("__init__", n, frozen, factories, post_init), {}, scope)
    return scope["__init__"].__code__


def _init(qualname: str, every: list[Field], annotations: dict[str, Any], frozen: bool,
          post_init: bool) -> Any:
    seen_default = False
    for f in every:
        has_default = f.default is not MISSING or f.default_factory is not MISSING
        if seen_default and not has_default:
            raise TypeError(f"{qualname}: field {f.name!r} without a default follows one with")
        seen_default |= has_default
    factories = tuple(i for i, f in enumerate(every) if f.default_factory is not MISSING)
    code = _template(len(every), frozen, factories, post_init)
    rename = {f"_{i}": f.name for i, f in enumerate(every)}
    code = code.replace(
        co_varnames=tuple(rename.get(v, v) for v in code.co_varnames),
        co_names=tuple(rename.get(v, v) for v in code.co_names),
        co_consts=tuple(rename.get(c, c) if isinstance(c, str) else c for c in code.co_consts),
        co_name="__init__", co_qualname=f"{qualname}.__init__",
        co_filename=f"<record {qualname}>")
    scope: dict[str, Any] = {"_set": object.__setattr__, "_FACTORY": _FACTORY,
                             "__builtins__": sys.modules["builtins"]}
    for i in factories:
        scope[f"_f{i}"] = every[i].default_factory
    fn = FunctionType(code, scope, "__init__")
    defaults = tuple(_FACTORY if f.default_factory is not MISSING else f.default
                     for f in every if f.default is not MISSING
                     or f.default_factory is not MISSING)
    fn.__defaults__ = defaults or None
    fn.__qualname__ = f"{qualname}.__init__"
    fn.__annotations__ = {**annotations, "return": None}
    return fn


class _Factory:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


# -- shared methods -------------------------------------------------------------------------

def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, f.name) for f in self.__record_fields__)


def _setstate(self: Any, state: tuple[Any, ...]) -> None:
    for f, value in zip(self.__record_fields__, state, strict=True):
        object.__setattr__(self, f.name, value)


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


if __name__ == "__main__":
    sys.stdout.write(prebuilt_source())
