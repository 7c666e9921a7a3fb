"""The rule catalogue: ``rules/``, shipped in the wheel as ``commlint/_catalogue``.

``rules/checklist.toml`` is the standard's checklist and sections.
``rules/<family>.toml`` is a family's header: its title, kind, the module holding
its checks (``commlint.rules.<family>``) and its triggers. Each rule is a folder
``rules/<family>/<CODE>-<name>/``::

    rule.toml         code, name, checklist items, the sentences of the standard it
                      enforces, What / Why / How to fix, options, and an optional
                      [examples.<folder>] table per example (title, options, args, expect)
    bad/  bad-2/ ...  the bad examples: real files at the paths they need
    good/ good-2/ ... the good examples
    fixed/ fixed-2/   what `commlint check --fix` makes of bad/, bad-2/ (the rule is fixable)

Everything that documents a rule (``commlint rules``, ``commlint explain``, the
README table, SARIF rule help) is rendered from here; the examples are run as tests.

Loading is cheap (tomllib and a directory listing, kept between runs; no example is
read): ``commlint rules`` never imports a parser.
"""

from __future__ import annotations

import functools
import re
from .records import record
from pathlib import Path
from typing import Any

from .model import Example, RuleMeta, Severity

CODE_RE = re.compile(r"^CL\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def catalogue_dir() -> Path:
    """The installed catalogue, or the repository's ``rules/`` in a source checkout."""
    here = Path(__file__).resolve().parent.parent  # the commlint package
    installed = here / "_catalogue"
    if (installed / "checklist.toml").is_file():
        return installed
    source = here.parent.parent / "rules"
    if (source / "checklist.toml").is_file():
        return source
    raise RuntimeError(f"commlint's rule catalogue is missing (looked in {installed} and {source})")


@record(frozen=True)
class ChecklistItem:
    id: str
    text: str
    kinds: tuple[str, ...]


@record(frozen=True)
class Family:
    id: str
    title: str
    kind: str
    module: str
    description: str
    triggers: tuple[bytes, ...] = ()  # a file must contain one of these to be parsed for this family
    # cross-file families: the kinds whose facts they read and, per kind, what a file must
    # contain to hold any (None: every file of the kind)
    fact_kinds: tuple[str, ...] = ()
    fact_triggers: dict[str, tuple[bytes, ...]] | None = None


@record(frozen=True)
class Catalogue:
    checklist: tuple[ChecklistItem, ...]
    sections: dict[str, str]
    families: tuple[Family, ...]
    rules: tuple[RuleMeta, ...]

    @functools.cached_property
    def by_code(self) -> dict[str, RuleMeta]:
        return {r.code: r for r in self.rules}

    @functools.cached_property
    def by_name(self) -> dict[str, RuleMeta]:
        out = {r.name: r for r in self.rules}
        for r in self.rules:
            for alias in r.aliases:
                out.setdefault(alias, r)
        return out

    def get(self, key: str) -> RuleMeta | None:
        """A rule by code or readable name (or an old name), case-insensitively for codes."""
        return self.by_code.get(key.upper()) or self.by_name.get(key.lower())

def _str_tuple(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: expected a list of strings")
    return tuple(value)


EXAMPLE_RE = re.compile(r"^(?P<kind>bad|good|fixed)(?:-(?P<n>[2-9]|[1-9]\d+))?$")
EXAMPLE_KEYS = {"title", "expect", "options", "args"}


def _examples(folder: Path, tables: dict[str, Any], where: str) -> tuple[Example, ...]:
    """The example folders beside a rule.toml, in the order of its [examples.*] tables, then by name."""
    names: set[str] = set()
    for entry in folder.iterdir():
        if entry.name == "rule.toml" or entry.name == "__pycache__" or entry.name.startswith("."):
            continue
        if not entry.is_dir() or not EXAMPLE_RE.match(entry.name):
            raise ValueError(f"{where}: {entry.name!r} is not an example folder (bad, good, fixed, bad-2, ...)")
        names.add(entry.name)
    if not isinstance(tables, dict):
        raise ValueError(f"{where}: [examples.<folder>] tables expected")
    for name, table in tables.items():
        if name not in names:
            raise ValueError(f"{where}: [examples.{name}] names no example folder")
        if name.startswith("fixed") and set(table) - {"title"}:
            raise ValueError(f"{where}: [examples.{name}] may only have a title (it runs as its bad example)")
        if not isinstance(table, dict) or set(table) - EXAMPLE_KEYS:
            raise ValueError(f"{where}: [examples.{name}] keys are {sorted(EXAMPLE_KEYS)}")
    out = []
    for name in [*tables, *sorted(names - set(tables))]:
        m = EXAMPLE_RE.match(name)
        assert m is not None
        if m["kind"] == "fixed":
            if name.replace("fixed", "bad", 1) not in names:
                raise ValueError(f"{where}: {name}/ has no bad example to fix ({name.replace('fixed', 'bad', 1)}/)")
            continue
        raw = tables.get(name, {})
        if raw.get("expect") and m["kind"] == "good":
            raise ValueError(f"{where}: [examples.{name}]: a good example expects nothing")
        fixed = name.replace("bad", "fixed", 1)
        out.append(Example(
            kind=m["kind"],
            name=name,
            folder=str(folder / name),
            title=raw.get("title", ""),
            expect=_str_tuple(raw.get("expect"), where),
            options=dict(raw.get("options", {})),
            args=dict(raw.get("args", {})),
            fixed_folder=str(folder / fixed) if m["kind"] == "bad" and fixed in names else None,
        ))
    return tuple(out)


def _rule(folder: Path, family: Family, sections: dict[str, str], items: set[str]) -> RuleMeta:
    import tomllib

    where = f"{family.id}/{folder.name}/rule.toml"
    try:
        with open(folder / "rule.toml", "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ValueError(f"{where}: missing (every folder in rules/{family.id}/ is a rule)") from None
    code = raw.get("code", "?")
    if not CODE_RE.match(code):
        raise ValueError(f"{where}: a code looks like CL123")
    name = raw.get("name", "")
    if not NAME_RE.match(name):
        raise ValueError(f"{where}: name {name!r} must be lower-case words joined by '-'")
    if folder.name != f"{code}-{name}":
        raise ValueError(f"{where}: the folder of rule {code} {name} is {code}-{name}")
    if "fixable" in raw:
        raise ValueError(f"{where}: 'fixable' follows from a fixed example (fixed/ beside bad/); remove it")
    checklist = _str_tuple(raw.get("checklist"), where)
    secs = _str_tuple(raw.get("sections"), where)
    for item in checklist:
        if item not in items:
            raise ValueError(f"{where}: unknown checklist item {item}")
    for sec in secs:
        if sec not in sections:
            raise ValueError(f"{where}: unknown section {sec}")
    if not checklist and not secs:
        raise ValueError(f"{where}: a rule evidences a checklist item or a section of the standard")
    for key in ("summary", "what", "why", "fix"):
        if not str(raw.get(key, "")).strip():
            raise ValueError(f"{where}: '{key}' is required")
    examples = _examples(folder, raw.get("examples", {}), where)
    return RuleMeta(
        code=code,
        name=name,
        family=family.id,
        kind=raw.get("kind", family.kind),
        module=raw.get("module", family.module),
        severity=Severity.parse(raw.get("severity", "warning")),
        summary=raw["summary"].strip(),
        checklist=checklist,
        sections=secs,
        standard=_str_tuple(raw.get("standard"), where),
        what=raw["what"].strip(),
        why=raw["why"].strip(),
        fix=raw["fix"].strip(),
        options=dict(raw.get("options", {})),
        examples=examples,
        default_enabled=bool(raw.get("default", True)),
        aliases=_str_tuple(raw.get("aliases"), where),
        fixable=any(ex.fixed_folder for ex in examples),
        folder=f"{family.id}/{folder.name}",
        examines=_examines(raw.get("examines", ""), where),
    )


EXAMINES = ("", "calls")


def _examines(value: object, where: str) -> str:
    if value not in EXAMINES:
        raise ValueError(f"{where}: 'examines' is one of {list(EXAMINES[1:])} (or absent)")
    return str(value)


def _signature(root: Path) -> str:
    """What the catalogue is built from: the names of its folders and files down to each rule's
    example folders, and each TOML file's size and time."""
    from .hashing import hexdigest
    import os
    import sys

    from .version import __version__

    parts = [f"{__version__} {sys.version_info[:2]} {CACHE_FORMAT}"]
    # down to the example folders (root/family/rule/bad): the catalogue holds their names, not
    # what is in them, which is read when an example is run
    todo = [(str(root), 2)]
    while todo:
        folder, depth = todo.pop()
        with os.scandir(folder) as it:
            for e in sorted(it, key=lambda e: e.name):
                if e.name == "__pycache__":
                    continue
                if e.is_dir(follow_symlinks=False):
                    if depth > 0:
                        todo.append((e.path, depth - 1))
                    parts.append(f"d {e.path}")
                elif e.name.endswith(".toml"):
                    st = e.stat(follow_symlinks=False)
                    parts.append(f"f {e.path} {st.st_size} {st.st_mtime_ns}")
                else:  # any other file: only its name
                    parts.append(f"f {e.path}")
    return hexdigest("\n".join(parts).encode(), 12)


CACHE_FORMAT = 3  # 3: kept with marshal, as plain values (2: pickled records; 1: dataclasses)
_RECORD = "\x00record"  # tags a record in the kept copy: no catalogue text starts with a NUL


def _plain(value: Any) -> Any:
    """The catalogue as values marshal keeps (tuples, lists, dicts, text, bytes, numbers)."""
    kind = type(value)
    if kind in _RECORDS:
        from .records import fields

        return (_RECORD, kind.__name__, tuple(_plain(getattr(value, f.name)) for f in fields(value)))
    if kind is Severity:
        return (_RECORD, "Severity", (int(value),))
    if kind is tuple:
        return tuple(_plain(v) for v in value)
    if kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    if value is None or kind in (str, bytes, int, float, bool):
        return value
    raise TypeError(f"not kept: {kind.__name__}")


def _rebuilt(value: Any) -> Any:
    kind = type(value)
    if kind is tuple:
        if len(value) == 3 and value[0] == _RECORD:
            cls = _RECORDS_BY_NAME[value[1]]
            return cls(*(_rebuilt(v) for v in value[2]))
        return tuple(_rebuilt(v) for v in value)
    if kind is list:
        return [_rebuilt(v) for v in value]
    if kind is dict:
        return {k: _rebuilt(v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=4)
def load(directory: str | None = None) -> Catalogue:
    """The catalogue of ``directory`` (the installed one by default). Parsing 80 TOML files
    is a tenth of a second, paid by every run and every worker: the result is kept beside the
    catalogue (``__pycache__/``, like Python's own byte code), keyed by every file's name and
    each TOML file's size and time, and rebuilt when any of them changes or the kept copy cannot be
    read. Kept with marshal, as plain values: pickle's import and load were 4-5 ms of a warm run, these 1-2 ms."""
    import marshal
    import os

    root = Path(directory) if directory else catalogue_dir()
    kept = None
    try:
        kept = root / "__pycache__" / f"catalogue.{_signature(root)}.marshal"
        with open(kept, "rb") as fh:
            cat = _rebuilt(marshal.loads(fh.read()))
        if isinstance(cat, Catalogue):
            return cat
    except Exception:  # noqa: BLE001 - absent, stale or unreadable: build it again
        pass
    cat = _build(root)
    if kept is not None:
        try:
            data = marshal.dumps(_plain(cat))
            kept.parent.mkdir(exist_ok=True)
            for old in kept.parent.glob("catalogue.*"):
                old.unlink(missing_ok=True)
            import tempfile

            fd, tmp = tempfile.mkstemp(dir=kept.parent, prefix=".catalogue.")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, kept)
        except (OSError, TypeError, ValueError):
            pass  # a read-only install (or a value marshal cannot keep): parsed every run, as before
    return cat


def _build(root: Path) -> Catalogue:
    """The catalogue read from its TOML files (``load`` keeps the result: tomllib is imported only here)."""
    import tomllib

    with open(root / "checklist.toml", "rb") as fh:
        data = tomllib.load(fh)
    checklist = tuple(
        ChecklistItem(i["id"], i["text"], tuple(i.get("kinds", ()))) for i in data["items"]
    )
    sections = dict(data["sections"])
    item_ids = {c.id for c in checklist}
    families: list[Family] = []
    rules: list[RuleMeta] = []
    for path in sorted(root.glob("*.toml")):
        if path.name == "checklist.toml":
            continue
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
        fam_raw = raw.get("family", {})
        family = Family(
            id=path.stem,
            title=fam_raw.get("title", path.stem),
            kind=fam_raw.get("kind", ""),
            module=fam_raw.get("module", f"commlint.rules.{path.stem}"),
            description=fam_raw.get("description", "").strip(),
            triggers=tuple(t.encode() for t in fam_raw.get("triggers", ())),
            fact_kinds=tuple(fam_raw.get("fact-kinds", ())),
            fact_triggers={k: tuple(t.encode() for t in v) for k, v in fam_raw.get("fact-triggers", {}).items()},
        )
        if "rules" in raw:
            raise ValueError(f"{path.name}: a rule is a folder rules/{path.stem}/<CODE>-<name>/, not [[rules]]")
        families.append(family)
        rule_dirs = root / path.stem
        if rule_dirs.is_dir():
            for folder in sorted(rule_dirs.iterdir()):
                if folder.is_dir() and folder.name != "__pycache__":
                    rules.append(_rule(folder, family, sections, item_ids))
    seen: dict[str, str] = {}
    for r in rules:
        for key in (r.code, r.name, *r.aliases):
            if key in seen:
                raise ValueError(f"duplicate rule code or name {key!r} ({seen[key]} and {r.code})")
            seen[key] = r.code
    rules.sort(key=lambda r: r.code)
    return Catalogue(checklist, sections, tuple(families), tuple(rules))


_RECORDS = (ChecklistItem, Family, Catalogue, RuleMeta, Example)
_RECORDS_BY_NAME: dict[str, Any] = {cls.__name__: cls for cls in _RECORDS} | {"Severity": Severity}
