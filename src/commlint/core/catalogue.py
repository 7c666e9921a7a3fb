"""The rule catalogue: ``rules/*.toml``, shipped in the wheel as ``commlint/_catalogue``.

Each family file names the module holding its checks (``commlint.rules.<family>``)
and lists its rules: code, readable name, checklist items, the sentences of the
standard they enforce, What / Why / How to fix, options and examples. The
checklist itself is ``rules/checklist.toml``. Everything that documents a rule
(``commlint rules``, ``commlint explain``, the README table, SARIF rule help) is
rendered from here; the examples are run as tests.

Loading is cheap (tomllib only): ``commlint rules`` never imports a parser.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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

    def kinds(self) -> set[str]:
        return {r.kind for r in self.rules}


def _str_tuple(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: expected a list of strings")
    return tuple(value)


def _example(raw: dict[str, Any], where: str) -> Example:
    kind = raw.get("kind")
    if kind not in ("bad", "good"):
        raise ValueError(f"{where}: example kind must be 'bad' or 'good'")
    if "files" in raw:
        files = dict(raw["files"])
    elif "path" in raw and "code" in raw:
        files = {raw["path"]: raw["code"]}
    else:
        raise ValueError(f"{where}: an example needs 'path' and 'code', or 'files'")
    return Example(
        kind=kind,
        files=files,
        title=raw.get("title", ""),
        expect=_str_tuple(raw.get("expect"), where),
        options=dict(raw.get("options", {})),
        args=dict(raw.get("args", {})),
    )


def _rule(raw: dict[str, Any], family: Family, path: Path, sections: dict[str, str], items: set[str]) -> RuleMeta:
    code = raw.get("code", "?")
    where = f"{path.name}: rule {code}"
    if not CODE_RE.match(code):
        raise ValueError(f"{where}: a code looks like CL123")
    name = raw.get("name", "")
    if not NAME_RE.match(name):
        raise ValueError(f"{where}: name {name!r} must be lower-case words joined by '-'")
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
        examples=tuple(_example(e, f"{where} example {i}") for i, e in enumerate(raw.get("examples", []))),
        default_enabled=bool(raw.get("default", True)),
        aliases=_str_tuple(raw.get("aliases"), where),
        fixable=bool(raw.get("fixable", False)),
    )


@functools.lru_cache(maxsize=4)
def load(directory: str | None = None) -> Catalogue:
    root = Path(directory) if directory else catalogue_dir()
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
        families.append(family)
        for r in raw.get("rules", []):
            rules.append(_rule(r, family, path, sections, item_ids))
    seen: dict[str, str] = {}
    for r in rules:
        for key in (r.code, r.name, *r.aliases):
            if key in seen:
                raise ValueError(f"duplicate rule code or name {key!r} ({seen[key]} and {r.code})")
            seen[key] = r.code
    rules.sort(key=lambda r: r.code)
    return Catalogue(checklist, sections, tuple(families), tuple(rules))
