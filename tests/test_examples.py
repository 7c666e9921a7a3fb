"""Every rule's catalogue examples are tests: a bad example fires exactly on the
lines it marks, a good example fires nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from commlint.core.catalogue import load

from conftest import expected_markers, expected_sidecar, found, normalise, run, write_tree

CAT = load()
CASES = [
    pytest.param(rule, i, ex, id=f"{rule.code}-{ex.kind}-{i}")
    for rule in CAT.rules
    for i, ex in enumerate(rule.examples)
]


def _config(rule, ex) -> dict:  # noqa: ANN001
    config = dict(ex.args)
    if rule.family != "engine":
        config.setdefault("select", [rule.code])
    if ex.options:
        config["rules"] = {rule.code: dict(ex.options)}
    return config


@pytest.mark.parametrize("rule,index,example", CASES)
def test_example(rule, index, example, tmp_path: Path) -> None:  # noqa: ANN001
    files = normalise(example.files)
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


def test_every_rule_has_good_and_bad_examples() -> None:
    for rule in CAT.rules:
        kinds = {ex.kind for ex in rule.examples}
        assert kinds == {"bad", "good"}, f"{rule.code} needs at least one bad and one good example"
