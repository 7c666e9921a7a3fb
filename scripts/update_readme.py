"""Regenerate the rule table in README.md from the catalogue (``rules/*.toml``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from commlint.catalogue import load  # noqa: E402
from commlint.docs import README_BEGIN, README_END, rules_table_markdown  # noqa: E402

readme = Path(__file__).resolve().parent.parent / "README.md"
text = readme.read_text(encoding="utf-8")
head, rest = text.split(README_BEGIN, 1)
_, tail = rest.split(README_END, 1)
readme.write_text(f"{head}{README_BEGIN}\n{rules_table_markdown(load())}{README_END}{tail}", encoding="utf-8")
print("README rule table updated")
