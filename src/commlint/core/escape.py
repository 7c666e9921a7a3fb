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


def name(path: str) -> str:
    """A file name from the checked tree as a report line may start with it: ``one_line``,
    and ``./`` before a name that would start a line with ``::`` (a GitHub Actions workflow
    command such as ``::stop-commands::``, which CI logs obey) or ``-``."""
    text = one_line(path)
    if text.lstrip().startswith(("::", "-")):
        return "./" + text
    return text


_UNSAFE_TEXT = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def unsafe_name(path: str) -> bool:
    """Whether a file name cannot be written as it is in a patch header or on a terminal: a
    control character (line breaks and tabs included), a bidirectional override, bytes that
    are not UTF-8 (surrogate escapes), a leading space or a name patch would not take."""
    return bool(_UNSAFE_TEXT.search(path) or "\t" in path) or path != path.strip() or not path


def unsafe_text(line: str) -> bool:
    """Whether a line of a diff holds characters a terminal would act on (its line end aside)."""
    body = line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith("\n") else line
    return bool(_UNSAFE_TEXT.search(body))
