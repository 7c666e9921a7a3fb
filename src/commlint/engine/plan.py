"""The plan of a run: which rules run on which kinds, what a file must contain to be parsed for a family, and the key under which results are cached."""

from __future__ import annotations

import functools
import json
import os
from ..core.records import field, fields, record
from typing import Any

from ..artifacts import kind_module
from ..artifacts.discovery import SourceFile
from ..artifacts.prefilter import SUPPRESSION_MARK, contains_any
from ..artifacts.reading import decode_text
from ..core.catalogue import Catalogue
from ..core.hashing import hexdigest
from ..core.config import Settings, enabled_rules
from ..core.version import __version__

ENGINE_CODES = ("CL001", "CL002", "CL003")
STRUCTURED_EXTS = (".yaml", ".yml", ".json")


@record
class Plan:
    """What to run on each file; picklable, so workers can take it."""

    settings: Settings
    rules: dict[str, list[str]]  # kind -> enabled rule codes
    triggers: dict[str, tuple[bytes, ...] | None]  # kind -> prefilter (None: always parse)
    engine: set[str]
    prefilter: bool = True
    fact_kinds: set[str] = field(default_factory=set)  # kinds whose facts cross-file rules need
    # per rule (and per kind for facts): what a file must contain for it to run there
    rule_triggers: dict[str, tuple[bytes, ...]] = field(default_factory=dict)
    fact_triggers: dict[str, tuple[bytes, ...]] = field(default_factory=dict)
    _key: str | None = field(default=None, repr=False, compare=False)

    def key(self) -> str:
        """What the result cache is keyed by, besides each file's content: commlint
        itself, the enabled rules and every setting that can change a finding."""
        if self._key is None:
            self._key = self._compute_key()
        return self._key

    def _compute_key(self) -> str:
        settings = {f.name: getattr(self.settings, f.name) for f in fields(self.settings) if f.name not in _NOT_IN_KEY}
        payload = {
            "v": __version__,
            "build": _build_fingerprint(),
            "rules": self.rules,
            "engine": sorted(self.engine),
            "facts": sorted(self.fact_kinds),
            "settings": settings,
        }
        return hexdigest(json.dumps(payload, sort_keys=True, default=str).encode(), 8)


# Settings that cannot change one file's findings: which files are checked, how
# the run ends, and per-file ignores (applied after the cache). Every other
# setting, including ones added later, is part of the cache key.
_NOT_IN_KEY = frozenset({
    "config_path", "select", "extend_select", "ignore", "exclude", "extend_exclude", "fail_on",
    "jobs", "cache_dir", "respect_gitignore", "per_file_ignores",
    "scope", "test_paths", "example_paths", "script_paths", "production_paths",  # roles: applied after the cache
})


@functools.lru_cache(maxsize=1)
def _build_fingerprint() -> list[list[Any]]:
    """Size and modification time of commlint's own code and catalogue, so a
    cache never outlives an edit to a rule in a source checkout."""
    from ..core.catalogue import catalogue_dir

    out: list[list[Any]] = []
    # (folder, how many levels further down to look): all of the package; the catalogue down to
    # each rule's folder, where its rule.toml is (its examples below are not code: 500 folders)
    stack: list[tuple[str, int]] = [(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 99),
                                    (str(catalogue_dir()), 2)]
    while stack:
        folder, depth = stack.pop()
        with os.scandir(folder) as it:
            for e in it:
                if e.is_dir():
                    if depth > 0 and e.name != "__pycache__":
                        stack.append((e.path, depth - 1))
                elif e.name.endswith((".py", ".toml")):
                    st = e.stat()
                    out.append([e.path, st.st_size, st.st_mtime_ns])
    return sorted(out)


def make_plan(settings: Settings, catalogue: Catalogue, prefilter: bool = True) -> Plan:
    rules = enabled_rules(settings, catalogue)
    by_kind: dict[str, list[str]] = {}
    for r in rules:
        if r.family != "engine":
            by_kind.setdefault(r.kind, []).append(r.code)
    families = {f.id: f for f in catalogue.families}
    triggers: dict[str, tuple[bytes, ...] | None] = {}
    for r in rules:
        fam = families[r.family]
        if r.family == "engine":
            continue
        current = triggers.get(r.kind, ())
        if current is None or not fam.triggers:
            triggers[r.kind] = None
        else:
            triggers[r.kind] = tuple(sorted(set(current) | set(fam.triggers)))
    engine = {r.code for r in rules if r.family == "engine"}
    if _unreadable_reported(settings, catalogue):
        engine.add("CL001")  # a file the selected rules needed and could not read is never a silent pass
    rule_triggers = {r.code: families[r.family].triggers for r in rules if families[r.family].triggers}
    fact_triggers: dict[str, tuple[bytes, ...]] = {}
    fact_kinds: set[str] = set()
    for fam in {families[catalogue.by_code[code].family].id: families[catalogue.by_code[code].family]
                for code in by_kind.get("system", ())}.values():
        # a cross-file family names the kinds whose facts it reads and, per kind,
        # what a file must contain to hold any (``fact-triggers`` in its catalogue file)
        for kind in fam.fact_kinds:
            fact_kinds.add(kind)
            extra = (fam.fact_triggers or {}).get(kind)
            current = triggers.get(kind, ())
            if current is None or extra is None:
                triggers[kind] = None
            else:
                triggers[kind] = tuple(sorted(set(current) | set(extra)))
                fact_triggers[kind] = tuple(sorted(set(fact_triggers.get(kind, ())) | set(extra)))
    return Plan(settings, by_kind, triggers, engine, prefilter, fact_kinds, rule_triggers, fact_triggers)


def _unreadable_reported(settings: Settings, catalogue: Catalogue) -> bool:
    """CL001 is reported whatever the selection, unless it is ignored by its own code or name:
    otherwise ``--select CL504`` on a file that does not parse would say "0 findings"."""
    cl001 = catalogue.by_code["CL001"]
    return not any(sel.strip() in (cl001.code, cl001.name) for sel in settings.ignore)


def wanted_kinds(source: SourceFile, plan: Plan) -> list[str]:
    """The kinds a file may be of that some enabled rule (or cross-file rule) reads."""
    return [k for k in source.kinds if plan.rules.get(k) or k in plan.fact_kinds]


def is_candidate(source: SourceFile, data: bytes | None, plan: Plan) -> bool:
    """Whether a file may need parsing at all: the prefilter's first, cheapest
    stage (see prefilter.py), run on every file before any is sent to a worker."""
    if data is None:
        return True
    wanted = wanted_kinds(source, plan)
    if not wanted:
        return False
    if wanted == ["python"] and plan.prefilter:
        triggers = plan.triggers.get("python")
        if triggers is not None:
            return contains_any(data, triggers) or ("CL003" in plan.engine and SUPPRESSION_MARK in data)
    if len(source.kinds) > 1 and plan.prefilter and len(data) <= plan.settings.max_file_size:
        return claimed(source, data, wanted)  # a .yaml/.json no kind recognises is not worth a worker
    return True


def claimed(source: SourceFile, data: bytes, wanted: list[str]) -> bool:
    """Whether some wanted kind's ``sniff`` claims a file whose ending several kinds
    share, as check_file will decide (a regular expression or two, no parse)."""
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        return not source.rel.lower().endswith(STRUCTURED_EXTS)
    for kind in wanted:
        try:
            sniff = getattr(kind_module(kind), "sniff", None)
        except ImportError:
            return True  # check_file reports it
        if sniff is None or sniff(source.rel, text):
            return True
    return False


# -- one file -----------------------------------------------------------------------------
