"""A whole run never opens a socket, starts a program other than git, or runs
the code it checks: over the examples, the fixtures, a sample of the shared
corpus and files written to tempt it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile import CORPUS, REPO, measure, no_network, write  # noqa: F401 - no_network is a fixture

EXTS = (".yaml", ".yml", ".json", ".avsc", ".proto", ".tf", ".py")


def corpus_sample(per_source: int = 8) -> list[Path]:
    """Evenly spaced files from each source of the corpus (the same sample on every
    machine), and the DigitalOcean spec, which reaches ~2,900 files through $refs."""
    out: list[Path] = []
    for source in sorted(d for d in CORPUS.glob("*/*") if d.is_dir()):
        files = sorted(p for p in source.rglob("*") if p.suffix in EXTS and p.is_file() and "/." not in p.as_posix())
        out += files[:: max(1, len(files) // per_source)][:per_source]
    root = CORPUS / "openapi" / "digitalocean" / "specification" / "DigitalOcean-public.v2.yaml"
    return out + [root] if root.is_file() else out


@pytest.mark.timeout(120)
def test_examples_and_fixtures_open_no_socket(no_network) -> None:
    paths = [p for p in (REPO / "examples", REPO / "fixtures") if p.is_dir()]
    m = measure(REPO, {"exclude": []}, paths=paths)
    assert m.result.files, "nothing was checked"
    assert no_network == []
    assert not m.internal_errors()


@pytest.mark.timeout(120)
def test_the_corpus_sample_opens_no_socket(no_network) -> None:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not beside the checkout")
    sample = corpus_sample()
    m = measure(CORPUS, paths=sample)
    assert len([r for r in m.result.files if r.parsed]) >= len(sample) // 2
    assert no_network == []
    assert not m.internal_errors(), m.internal_errors()


@pytest.mark.timeout(120)
def test_tempting_files_are_never_fetched_or_run(tmp_path: Path, no_network) -> None:
    marker = tmp_path / "EXECUTED"
    touch = f"open({str(marker)!r}, 'w').close()\n"
    write(tmp_path, {
        # Python that would leave a mark if imported or run, in every place a tool might load it
        "setup.py": touch + "import requests\nrequests.get('http://example.com')\n",
        "conftest.py": touch,
        "svc/__init__.py": touch,
        "svc/client.py": touch + "import requests\nrequests.get('http://example.com')\n",
        "svc/__main__.py": touch,
        "sitecustomize.py": touch,
        # documents that name remote things
        "api/openapi.yaml": "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n"
                            "  /v1/a: {$ref: 'https://example.com/paths.yaml#/a'}\n"
                            "  /v1/b: {$ref: 'http://169.254.169.254/latest/meta-data/'}\n"
                            "servers: [{url: 'https://api.example.com'}]\n"
                            "x-evil: !!python/object/apply:os.system ['touch " + str(marker) + "']\n",
        "api/swagger.json": '{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {"/v1/a": '
                            '{"$ref": "http://example.com/a.json"}}}',
        "schemas/event.avsc": '{"type": "record", "name": "E", "namespace": "http://example.com", "fields": '
                              '[{"name": "x", "type": "http://example.com/T"}]}',
        "protos/a.proto": 'syntax = "proto3";\npackage a.v1;\nimport "https://example.com/b.proto";\n'
                          'message A { int32 a = 1; }\n',
        "main.tf": 'module "topics" {\n  source = "git::https://example.com/topics.git"\n}\n'
                   'data "http" "x" {\n  url = "https://example.com"\n}\n',
    })
    m = measure(tmp_path)
    assert not marker.exists()
    assert no_network == []
    assert not m.internal_errors(), m.internal_errors()
    assert {f.location.path for f in m.result.active if f.code == "CL300" and "remote" in f.message} >= {"api/openapi.yaml"}
