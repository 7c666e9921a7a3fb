"""The catalogue and the checks are one: no rule without a check, no check without
a rule, docs generated from the catalogue, the README table current."""

from __future__ import annotations

import importlib
import re

from commlint import engine
from commlint.core.catalogue import load
from commlint.docs import README_BEGIN, README_END, rule_markdown
from commlint.rules import CHECKS

from conftest import REPO

CAT = load()


def _import_all() -> None:
    for fam in CAT.families:
        importlib.import_module(fam.module)


def test_every_catalogued_rule_has_a_check_and_back() -> None:
    _import_all()
    catalogued = {r.code for r in CAT.rules}
    engine_rules = {r.code for r in CAT.rules if r.family == "engine"}
    assert engine_rules <= set(engine.ENGINE_CODES)
    assert catalogued - engine_rules == set(CHECKS), (
        f"no check for {sorted(catalogued - engine_rules - set(CHECKS))}; "
        f"no catalogue entry for {sorted(set(CHECKS) - catalogued)}"
    )


def test_each_check_lives_in_the_module_its_catalogue_names() -> None:
    _import_all()
    for r in CAT.rules:
        if r.family == "engine":
            continue
        where = CHECKS[r.code].__module__
        assert where == r.module or where.startswith(r.module + "."), f"{r.code} is in {where}, catalogue says {r.module}"


def test_every_rule_quotes_the_standard() -> None:
    standard = (REPO.parent / "shared" / "standard" / "microservices-communication.md")
    text = standard.read_text(encoding="utf-8") if standard.is_file() else None
    for r in CAT.rules:
        if r.family == "engine":
            continue
        assert r.standard, f"{r.code} quotes no sentence of the standard"
        if text is not None:
            flat = re.sub(r"\s+", " ", text)
            for sentence in r.standard:
                assert re.sub(r"\s+", " ", sentence) in flat, f"{r.code}: not in the standard: {sentence!r}"


def test_docs_render_for_every_rule() -> None:
    for r in CAT.rules:
        md = rule_markdown(r, CAT)
        assert r.code in md and "## Why is this bad?" in md and "## How to fix" in md


def test_readme_generated_parts_are_current() -> None:
    """The rule table and the example's scorecard in the README are what the code produces now."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_readme", REPO / "scripts" / "update_readme.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert README_BEGIN in readme and README_END in readme, "README lacks the generated rule table markers"
    assert readme == mod.render(readme), "README is stale: run `python scripts/update_readme.py`"


def test_checklist_has_the_twelve_items() -> None:
    assert [c.id for c in CAT.checklist] == [f"C{i}" for i in range(1, 13)]


def test_wheel_ships_the_catalogue(tmp_path) -> None:  # noqa: ANN001
    import subprocess
    import sys
    import zipfile

    import pytest

    p = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    if p.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {p.stderr.strip()[-300:]}")
    [wheel] = tmp_path.glob("commlint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for toml in (REPO / "rules").glob("*.toml"):
        assert f"commlint/_catalogue/{toml.name}" in names
