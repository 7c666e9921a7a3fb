"""The checks, one module (or package) per family; a rule's catalogue entry and examples are the folder ``rules/<family>/<CODE>-<name>/``.

A check is a function registered under its rule code::

    @check("CL101")
    def missing_timeout(ctx: RuleContext) -> None:
        for call in http_calls(ctx.artifact):
            ...
            ctx.report(call.node, "...", fix=...)

``ctx.artifact`` is the parsed file (or, for ``kind = "system"`` rules, the
project's facts); ``ctx.options`` the rule's options merged over the
catalogue's defaults. The engine adds the rule's code, name, severity and
checklist items to every report.

What a check examines (``@check(code, subjects=count)``, or ``ctx.examine(n)`` while it
runs) feeds the checklist scorecard: an item passes only when its rules looked at
something. For documents, the file is the subject.
"""

from __future__ import annotations

from ..core.records import field, record
from typing import TYPE_CHECKING, Any, Callable, Generic, Protocol, TypeVar

from ..core.config import Settings
from ..core.model import Finding, Fix, Location, RuleMeta, Severity

CHECKS: dict[str, Callable[["RuleContext"], None]] = {}
Subjects = Callable[["RuleContext"], int]


def check(code: str, *, subjects: Subjects | None = None) -> Callable[[Callable[["RuleContext"], None]], Callable[["RuleContext"], None]]:
    """Register a rule's check. ``subjects(ctx)`` counts what the check examines in a file
    (calls, consumer loops, produce calls, ...): the scorecard passes a checklist item only
    when its rules examined something. Python and cross-file checks must declare it (a test
    holds them to it); for other kinds the parsed document is the subject."""

    def register(fn: Callable[["RuleContext"], None]) -> Callable[["RuleContext"], None]:
        if code in CHECKS and CHECKS[code] is not fn:
            raise RuntimeError(f"two checks registered for {code}")
        CHECKS[code] = fn
        fn.code = code  # type: ignore[attr-defined]
        fn.subjects = subjects  # type: ignore[attr-defined]
        return fn

    return register


A = TypeVar("A")


@record
class RuleContext(Generic[A]):
    """What a check sees: its rule, the parsed artifact of the kind it checks (typed per kind:
    ``PythonContext``, ``OpenAPIContext``, ...), its options, the run's settings."""

    meta: RuleMeta
    artifact: A
    options: dict[str, Any]
    settings: Settings | None
    severity: Severity
    findings: list[Finding] = field(default_factory=list)
    examined: int = 0  # subjects (calls, consumers, topics, ...) the check looked at

    def options_of(self, code: str) -> dict[str, Any]:
        """Another rule's options as configured for this run (CL215 names topics by CL601's
        pattern; CL204 knows CL203's store calls): one setting serves both rules."""
        from ..core.catalogue import load

        meta = load().by_code[code]
        return self.settings.options_for(meta) if self.settings is not None else dict(meta.options)

    def examine(self, count: int = 1) -> None:
        """Count what the check looked at: the scorecard calls an item "pass" only when
        its rules examined something and found nothing wrong."""
        self.examined += count

    def report(
        self,
        where: Any,
        message: str,
        *,
        fix: Fix | None = None,
        scope: Any = None,
        related: tuple[Location, ...] = (),
        severity: Any = None,
        properties: dict[str, str] | None = None,
    ) -> None:
        if isinstance(where, Location):
            loc = where
        elif scope is not None:
            loc = self.artifact.locate(where, scope)
        else:
            loc = self.artifact.locate(where)
        self.findings.append(
            Finding(
                code=self.meta.code,
                name=self.meta.name,
                severity=severity or self.severity,
                message=message,
                location=loc,
                checklist=self.meta.checklist,
                sections=self.meta.sections,
                fix=fix,
                related=related,
                properties=tuple(sorted(properties.items())) if properties else (),
            )
        )


class Facts(Protocol):
    """What cross-file checks read: every checked file's kind and facts (the engine's Project)."""

    files: list[Any]
    settings: Settings

    def facts(self, kind: str) -> Any: ...

    def locate(self, where: Any) -> Location: ...


if TYPE_CHECKING:  # the artifact classes import their parsers: only for type checkers
    from ..artifacts.asyncapi import AsyncAPIDoc
    from ..artifacts.avro import AvroArtifact
    from ..artifacts.jsonschema import JSONSchemaArtifact
    from ..artifacts.openapi import OpenAPIDoc
    from ..artifacts.proto import ProtoArtifact
    from ..artifacts.python import PyModule
    from ..artifacts.topics import TopicsFile

# One context type per artifact kind, so a check says what it reads.
PythonContext = RuleContext["PyModule"]
OpenAPIContext = RuleContext["OpenAPIDoc"]
AvroContext = RuleContext["AvroArtifact"]
ProtoContext = RuleContext["ProtoArtifact"]
TopicsContext = RuleContext["TopicsFile"]
AsyncAPIContext = RuleContext["AsyncAPIDoc"]
JSONSchemaContext = RuleContext["JSONSchemaArtifact"]
SystemContext = RuleContext[Facts]
