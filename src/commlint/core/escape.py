"""Text from checked files made safe to print: control characters (terminal escape sequences),
bidirectional overrides and lone surrogates escaped; every reporter and the diff use it."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # C0, C1, bidi overrides
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(text: str) -> str:
    """Escape control characters (terminal escape sequences), bidirectional overrides and lone
    surrogates in text from checked files."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\u0100" else f"\\u{ord(m.group()):04x}", text)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str) -> str:
    """``clean``, and newlines escaped too: for reports where a line break in a file name or a
    message taken from a checked file could pass for another finding (text, checklist, markdown)."""
    return clean(text).replace("\n", "\\n")
