"""Topic naming, in one place for code (CL215) and configuration (CL601): the standard's
``<domain>.<entity>.<event>`` pattern, the dead-letter and retry convention, placeholders
in templated names, and what is wrong with a name that does not fit.

The pattern is CL601's ``pattern`` option; CL215 reads the same option, so one setting
names topics for a whole repository, written in code or in configuration.
"""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\{\{.*?\}\}|\$\([^)]*\)|#\{[^}]*\}|%\{[^}]*\}")
HOLE = "\x00"
# the dead-letter and retry convention: a last segment (or suffix) naming one
DEAD_LETTER = re.compile(
    r"(?:^|[._-])(?:dlq|dlt|dead[._-]?letters?|deadletters?|retry(?:[._-]?\d+)?|parking[._-]?lot)$", re.IGNORECASE
)
VERSION = re.compile(r"^v\d+$")


def segments(name: str) -> list[str] | None:
    """The dot-separated parts of a name, placeholders as HOLE; a leading
    environment placeholder (``${env}.``) dropped. None when nothing is literal."""
    parts = PLACEHOLDER.sub(HOLE, name).split(".")
    while parts and parts[0].strip(HOLE + "-_") == "":
        parts.pop(0)
    return parts if any(p.replace(HOLE, "") for p in parts) else None


def is_dead_letter(name: str) -> bool:
    """A dead-letter, retry or parking-lot topic (``orders.order.created.dlq``, ``...-retry-1``)."""
    return bool(DEAD_LETTER.search(name))


def strip_dead_letter(name: str) -> str:
    """``order.order.created.dlq`` -> ``order.order.created``; ``...retry-1`` too (twice at most)."""
    for _ in range(2):
        m = DEAD_LETTER.search(name)
        if not m or m.start() == 0:
            break
        name = name[: m.start()]
    return name


def is_internal(name: str) -> bool:
    """Kafka's own topics (``__consumer_offsets``, ``_schemas``) and Kafka Streams internals."""
    return name.startswith("_") or name.endswith(("-changelog", "-repartition"))


def fits(parts: list[str], pattern: re.Pattern[str]) -> bool:
    """Whether a name's parts (placeholders standing for a valid word) match the pattern."""
    return bool(pattern.fullmatch(".".join(parts).replace(HOLE, "x")))


def name_problem(parts: list[str]) -> str:
    """What is wrong with a name that does not fit the pattern, in a few words."""
    literal = ".".join(parts).replace(HOLE, "")
    if literal != literal.lower():
        return "has upper-case letters"
    if len(parts) == 1 and re.search(r"[-_]", literal):
        return "is not dot-separated"
    if len(parts) != 3 and not (len(parts) == 4 and VERSION.match(parts[3])):
        return f"has {len(parts)} dot-separated segment{'s' if len(parts) != 1 else ''}, not 3"
    return "does not match the naming pattern"
