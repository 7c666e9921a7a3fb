"""What a run produces: one FileResult per file (findings, facts, what its rules examined) and the RunResult of the whole run."""

from __future__ import annotations

from ..core.records import field, record
from typing import Any

from ..core.config import Settings
from ..core.model import Finding, Location, RuleMeta


@record
class FileResult:
    rel: str
    kind: str | None = None  # the kind that claimed the file (None: not ours / skipped)
    findings: list[Finding] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    parsed: bool = False
    deps: dict[str, str] = field(default_factory=dict)  # other files the findings depend on -> digest
    examined: dict[str, int] = field(default_factory=dict)  # rule code -> subjects it examined here
    manifest: bool | None = None  # a YAML file holding a manifest word (None: not read in this run)

    def to_json(self) -> dict[str, Any]:
        return {
            "rel": self.rel, "kind": self.kind, "parsed": self.parsed, "facts": self.facts,
            "findings": [f.to_dict() for f in self.findings], "deps": self.deps, "examined": self.examined,
            "manifest": self.manifest,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "FileResult":
        return cls(d["rel"], d["kind"], [Finding.from_dict(f) for f in d["findings"]], d["facts"], d["parsed"],
                   d.get("deps", {}), d.get("examined", {}), d.get("manifest"))


@record
class RunResult:
    findings: list[Finding]
    files: list[FileResult]
    rules: list[RuleMeta]
    settings: Settings
    messages: list[str] = field(default_factory=list)
    duration: float = 0.0
    fixed: dict[str, int] = field(default_factory=dict)
    system_examined: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)  # role -> findings not reported under the scope

    @property
    def examined(self) -> dict[str, int]:
        """Rule code -> how many subjects (calls, consumers, documents, ...) it examined in the run."""
        out = dict(self.system_examined)
        for r in self.files:
            for code, n in r.examined.items():
                out[code] = out.get(code, 0) + n
        return out

    @property
    def active(self) -> list[Finding]:
        """Findings that are not suppressed."""
        return [f for f in self.findings if f.suppressed is None]

    def failed(self) -> bool:
        return any(f.severity >= self.settings.fail_on for f in self.active)


# -- planning ----------------------------------------------------------------------------


def engine_finding(meta: RuleMeta, message: str, loc: Location, settings: Settings) -> Finding:
    return Finding(
        meta.code, meta.name, settings.severity.get(meta.code, meta.severity), message, loc,
        meta.checklist, meta.sections,
    )
