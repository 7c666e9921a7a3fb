"""The standard's event envelope, as every kind of event contract names it: ``event_id``,
``event_type``, ``event_version`` compared with case, ``_``, ``-``, ``.`` and spaces dropped
(``eventId``, ``event-type``), and the names of the objects or messages that may hold them
(``metadata``, ``envelope``, ``header``...). Shared by the JSON Schema and Protobuf event rules."""

from __future__ import annotations

import re

ENVELOPE_HOLDERS = frozenset({"metadata", "meta", "envelope", "header", "headers", "eventmetadata", "eventheader",
                              "context", "eventcontext"})

_SEPARATORS = re.compile(r"[_\-. ]")


def norm(name: str) -> str:
    """A field name as the envelope compares it: ``eventId`` and ``event_id`` are ``eventid``."""
    return _SEPARATORS.sub("", name).lower()
