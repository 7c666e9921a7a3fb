"""Every rule's catalogue examples are tests: a bad example fires exactly on the
lines it marks, a good example fires nothing, and a bad example with a fixed
counterpart is turned into it, byte for byte, by ``commlint check --fix``.

The examples are real files: ``rules/<family>/<CODE>-<name>/bad/...``, ``good/...``,
``fixed/...`` (see ``commlint.core.catalogue``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from commlint.core.catalogue import load
from commlint.core.model import read_tree

from conftest import expected_markers, expected_sidecar, found, run, write_tree

CAT = load()
CASES = [
    pytest.param(rule, ex, id=f"{rule.code}-{ex.name}")
    for rule in CAT.rules
    for ex in rule.examples
]
BAD = [p for p in CASES if p.values[1].kind == "bad"]


def _config(rule, ex) -> dict:  # noqa: ANN001
    config = dict(ex.args)
    if rule.family != "engine":
        config.setdefault("select", [rule.code])
    if ex.options:
        config["rules"] = {rule.code: dict(ex.options)}
    return config


@pytest.mark.parametrize("rule,example", CASES)
def test_example(rule, example, tmp_path: Path) -> None:  # noqa: ANN001
    files = example.files
    assert files, f"{example.folder} holds no file"
    write_tree(tmp_path, files)
    result = run(tmp_path, _config(rule, example))
    got = found(result)
    if example.kind == "bad":
        want = expected_markers(files) | expected_sidecar(example.expect)
        assert want, "a bad example must mark at least one line with `expect: CODE`"
        assert {w for w in want if w[2] == rule.code}, f"a bad example of {rule.code} must expect {rule.code}"
        assert got == want, f"expected {sorted(want)}, got {sorted(got)}: {[f.message for f in result.active]}"
    else:
        assert not any(g[2] == rule.code for g in got), [f.message for f in result.active]
        assert not any(g[2] == "CL001" for g in got), [f.message for f in result.active]


@pytest.mark.parametrize("rule,example", BAD)
def test_fix_turns_the_bad_example_into_the_fixed_one(rule, example, tmp_path: Path) -> None:  # noqa: ANN001
    """A bad example whose findings carry fixes has a fixed counterpart, and ``--fix`` produces
    exactly it (and nothing is left to fix); a bad example without fixes has none."""
    write_tree(tmp_path, example.files)
    config = _config(rule, example)
    before = run(tmp_path, config)
    fixes = [f for f in before.active if f.code == rule.code and f.fix is not None]
    if example.fixed is None:
        assert not fixes, (f"{rule.code}: {example.name}/ has fixable findings: add {example.name.replace('bad', 'fixed', 1)}/"
                           f" with what `commlint check --fix` makes of it")
        return
    assert fixes, f"{rule.code}: {example.fixed_name}/ exists but no finding of {example.name}/ carries a fix"
    after = run(tmp_path, config, fix=True)
    got = {rel: (tmp_path / rel).read_bytes() for rel in read_tree(str(tmp_path))}
    want = {rel: text.encode("utf-8") for rel, text in example.fixed.items()}
    assert got == want, f"--fix on {example.name}/ does not give {example.fixed_name}/"
    assert not [f for f in after.active if f.code == rule.code and f.fix is not None], "--fix left fixable findings"


def test_every_rule_has_good_and_bad_examples() -> None:
    for rule in CAT.rules:
        kinds = {ex.kind for ex in rule.examples}
        assert kinds == {"bad", "good"}, f"{rule.code} needs at least one bad and one good example"


def test_fixable_means_a_fixed_example() -> None:
    for rule in CAT.rules:
        assert rule.fixable == any(ex.fixed is not None for ex in rule.examples), rule.code
