"""Plain data classes for the types every run makes (``Settings``, ``Finding``, ``Location``,
``SourceFile``, ``Plan``, ``FileResult``...), without ``dataclasses``.

``@dataclass`` costs about 0.9 ms per class, most of it compiling the five or six methods it
writes as source text, and importing it imports ``inspect`` (with ``ast``, ``dis`` and
``tokenize``): together a sixth of a warm run on ansible, which makes these 17 classes and
nothing else. ``@record`` gives the same classes (the fields from the annotations, defaults,
``field(default_factory=..., repr=..., compare=...)``, ``frozen``, ``__post_init__``,
``__eq__``, a ``__hash__`` for a frozen record and none for a mutable one, ``__repr__``) with
one compiled ``__init__`` and the other methods shared. The analyses and rules use them too
(about 60 classes imported when a Python file is checked: 30 ms of a pre-commit run).
"""

from __future__ import annotations

from typing import Any

MISSING: Any = type("MISSING", (), {"__repr__": lambda self: "MISSING"})()


class Field:
    __slots__ = ("name", "default", "default_factory", "repr", "compare")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,  # noqa: A002
                 compare: bool = True):
        self.name = ""
        self.default, self.default_factory, self.repr, self.compare = default, default_factory, repr, compare


def field(*, default: Any = MISSING, default_factory: Any = MISSING, repr: bool = True,  # noqa: A002
          compare: bool = True) -> Any:
    return Field(default, default_factory, repr, compare)


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record (as ``dataclasses.FrozenInstanceError``)."""


def fields(obj: Any) -> tuple[Field, ...]:
    return type(obj).__record_fields__ if not isinstance(obj, type) else obj.__record_fields__  # type: ignore[attr-defined]


def replace(obj: Any, **changes: Any) -> Any:
    """A copy of ``obj`` with some fields changed (``dataclasses.replace``)."""
    values = {f.name: getattr(obj, f.name) for f in fields(obj)}
    values.update(changes)
    return type(obj)(**values)


def _repr(self: Any) -> str:
    inner = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__ if f.repr)
    return f"{type(self).__qualname__}({inner})"


def _key(self: Any) -> tuple:
    return tuple(getattr(self, f.name) for f in self.__record_fields__ if f.compare)


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _key(self) == _key(other)


def _hash(self: Any) -> int:
    return hash(_key(self))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _is_classvar(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return text.startswith(("ClassVar", "typing.ClassVar"))


def record(cls: type | None = None, *, frozen: bool = False, eq: bool = True) -> Any:
    """``@record``, ``@record(frozen=True)``: the class's annotated attributes become its fields.
    ``eq=False``: instances compare and hash by identity (as ``@dataclass(eq=False)``)."""

    def wrap(cls: type) -> type:
        inherited = [f for base in reversed(cls.__mro__[1:]) for f in getattr(base, "__record_fields__", ())]
        own: list[Field] = []
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if _is_classvar(annotation):
                continue
            value = cls.__dict__.get(name, MISSING)
            f = value if isinstance(value, Field) else Field(default=value)
            f.name = name
            own.append(f)
            if f.default is MISSING:
                if name in cls.__dict__:
                    delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        names = {f.name for f in own}
        all_fields = tuple([f for f in inherited if f.name not in names] + own)
        cls.__record_fields__ = all_fields  # type: ignore[attr-defined]
        defined = cls.__dict__  # methods the class writes itself are kept, as dataclasses keeps them
        if "__init__" not in defined:
            cls.__init__ = _init(cls, all_fields, frozen)  # type: ignore[misc]
        if "__repr__" not in defined:
            cls.__repr__ = _repr  # type: ignore[assignment]
        if eq and "__eq__" not in defined:
            cls.__eq__ = _eq  # type: ignore[assignment]
        if eq and defined.get("__hash__") is None:
            cls.__hash__ = _hash if frozen else None  # type: ignore[assignment]
        cls.__match_args__ = tuple(f.name for f in all_fields)  # type: ignore[attr-defined]
        if frozen:
            cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
            cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]
        return cls

    return wrap if cls is None else wrap(cls)


def _init(cls: type, all_fields: tuple[Field, ...], frozen: bool) -> Any:
    """One ``__init__`` compiled for the class: its parameters in field order, defaults bound."""
    scope: dict[str, Any] = {"MISSING": MISSING}
    params, body = ["self"], []
    for i, f in enumerate(all_fields):
        if f.default_factory is not MISSING:
            scope[f"_f{i}"] = f.default_factory
            params.append(f"{f.name}=MISSING")
            body.append(f"    if {f.name} is MISSING: {f.name} = _f{i}()")
        elif f.default is not MISSING:
            scope[f"_d{i}"] = f.default
            params.append(f"{f.name}=_d{i}")
        else:
            params.append(f.name)
    # a frozen record's fields are written to its __dict__ directly, as cached_property writes
    body += [f"    _d['{f.name}'] = {f.name}" if frozen else f"    self.{f.name} = {f.name}" for f in all_fields]
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    head = "    _d = self.__dict__\n" if frozen else ""
    source = f"def __init__({', '.join(params)}):\n{head}" + "\n".join(body) + "\n"
    exec(compile(source, f"<record {cls.__qualname__}>", "exec"), scope)  # noqa: S102 - our own field names
    fn = scope["__init__"]
    fn.__qualname__ = f"{cls.__qualname__}.__init__"
    return fn
