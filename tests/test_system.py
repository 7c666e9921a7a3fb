"""The system view: a four-service monorepo where each cross-file rule fires once,
its clean variant (the same tree with the fixes below applied) where nothing
fires and every checklist item passes, and the service model's parts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from commlint.report.scorecard import scorecard

from conftest import REPO, expected_markers, found, run, write_tree

MONOREPO = REPO / "fixtures" / "system" / "monorepo"

# The clean variant: what a team would change to fix each finding.
FIXES = {
    # CL701: payments answers without calling notifications; it publishes an event instead
    "payments/server.py": [
        ("        notify(request.customer_id, request_id)\n", ""),
        # CL703: register the standard health service
        ("import grpc\n", "import grpc\nfrom grpc_health.v1 import health, health_pb2_grpc\n"),
        ("    server.add_insecure_port(", "    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)\n"
                                         "    server.add_insecure_port("),
    ],
    # CL702: document the route
    "orders/openapi.yaml": [
        ("    get:\n      responses:\n        \"200\": {description: the order}\n",
         "    get:\n      responses:\n        \"200\": {description: the order}\n"
         "    delete:\n      responses:\n        \"204\": {description: deleted}\n"),
    ],
    # CL704: declare the topic (its schema domain keeps schemas: add one)
    "topics.yaml": [
        ("consumers:\n", "  - name: orders.order.returned\n    partitions: 6\n"
                         "    config: {retention.ms: 604800000}\n    producers: [orders]\nconsumers:\n"),
    ],
}
NEW_FILES = {
    "schemas/orders/order-returned.avsc": json.dumps({
        "type": "record", "name": "OrderReturned", "namespace": "shop.orders",
        "fields": [{"name": n, "type": "string"} for n in
                   ("event_id", "event_type", "event_version", "timestamp", "source", "correlation_id", "order_id")],
    }, indent=2),
}


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".proto")}


def _status(result) -> dict[str, str]:  # noqa: ANN001
    return {e["id"]: e["status"] for e in scorecard(result)}


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    if not MONOREPO.is_dir():
        pytest.skip("fixture monorepo missing")
    shutil.copytree(MONOREPO, tmp_path / "repo")
    return tmp_path / "repo"


def test_each_cross_file_violation_is_reported_once(monorepo: Path) -> None:
    result = run(monorepo)
    assert found(result) == expected_markers(_files(monorepo))
    assert sorted(f.code for f in result.active) == ["CL701", "CL702", "CL703", "CL704"]
    chain = next(f for f in result.active if f.code == "CL701")
    assert [(r.path, r.line) for r in chain.related] == [
        ("orders/app.py", 17), ("inventory/app.py", 16), ("payments/server.py", 19)]
    assert "orders (POST /v1/orders) -> inventory GET /v1/products/{}/stock -> payments gRPC " \
           "PaymentService.Authorize -> notifications POST /v1/notifications" in chain.message
    status = _status(result)
    assert {k for k, v in status.items() if v == "fail"} == {"C7", "C10", "C11", "C12"}
    assert {k for k, v in status.items() if v == "pass"} == {f"C{i}" for i in range(1, 13)} - {"C7", "C10", "C11", "C12"}


def test_the_clean_variant_reports_nothing_and_passes_every_item(monorepo: Path) -> None:
    for rel, edits in FIXES.items():
        path = monorepo / rel
        text = path.read_text()
        for old, new in edits:
            assert old in text, (rel, old)
            text = text.replace(old, new, 1)
        path.write_text(text)
    write_tree(monorepo, NEW_FILES)
    result = run(monorepo)
    assert [(f.code, f.location.path, f.location.line, f.message) for f in result.active] == []
    assert set(_status(result).values()) == {"pass"}


def test_scorecard_in_json_sarif_and_markdown(monorepo: Path) -> None:
    from commlint.report import render

    result = run(monorepo)
    doc = json.loads(render("json", result))
    assert [c["id"] for c in doc["checklist"]] == [f"C{i}" for i in range(1, 13)]
    c10 = doc["checklist"][9]
    assert c10["status"] == "fail" and c10["worst"]["code"] == "CL701" and c10["worst"]["path"] == "orders/app.py"
    sarif = json.loads(render("sarif", result))
    assert sarif["runs"][0]["properties"]["checklist"][9]["status"] == "fail"
    md = render("markdown", result)
    assert "| C10 | No synchronous call chains longer than 2 hops. | ✘ fail |" in md
    assert "| C3 | Event consumers are idempotent" in md and "✔ pass" in md


def test_not_checked_when_nothing_applies(tmp_path: Path) -> None:
    write_tree(tmp_path, {"svc/app.py": "import requests\n\ndef f(u):\n    return requests.get(u, timeout=5)\n"})
    status = _status(run(tmp_path))
    assert status["C1"] == "pass"
    assert status["C3"] == status["C8"] == status["C12"] == "not checked"


def test_chains_through_cycles_terminate_and_are_reported_once(tmp_path: Path) -> None:
    svc = '''
import httpx
from fastapi import FastAPI

app = FastAPI()
peer = httpx.Client(base_url="http://{peer}.shop.svc.cluster.local", timeout=5)


@app.get("/v1/ping")
def ping():
    return peer.get("/v1/ping").json()
'''
    files = {}
    ring = ["a", "b", "c", "d"]
    for i, name in enumerate(ring):
        files[f"{name}/requirements.txt"] = "fastapi\n"
        files[f"{name}/app.py"] = svc.replace("{peer}", ring[(i + 1) % len(ring)])
    write_tree(tmp_path, files)
    result = run(tmp_path, {"select": ["CL701"]})
    chains = [f for f in result.active if f.code == "CL701"]
    assert chains, "a ring of four services holds chains of more than two hops"
    assert all(len(f.related) <= 4 for f in chains)


def test_kubernetes_service_manifest_and_config_name_hosts(tmp_path: Path) -> None:
    files = {
        "orders/requirements.txt": "fastapi\n",
        "orders/app.py": '''
import httpx
from fastapi import FastAPI

app = FastAPI()
stock = httpx.Client(base_url="http://stock-api.warehouse", timeout=5)
bill = httpx.Client(base_url="http://billing.internal", timeout=5)


@app.post("/v1/orders")
def create():
    return stock.get("/v1/levels").json()
''',
        "inventory/requirements.txt": "fastapi\n",
        "inventory/app.py": '''
import httpx
from fastapi import FastAPI

app = FastAPI()
bill = httpx.Client(base_url="http://billing.internal", timeout=5)


@app.get("/v1/levels")
def levels():
    return bill.get("/v1/holds").json()
''',
        "inventory/k8s/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: stock-api\n"
                                      "  namespace: warehouse\nspec:\n  ports: [{port: 80}]\n",
        "payments/requirements.txt": "flask\n",
        "payments/app.py": '''
import requests
from flask import Flask

app = Flask(__name__)


@app.get("/v1/holds")
def holds():
    return requests.get("http://partner.example.com/v1/x", timeout=5).json()
''',
    }
    write_tree(tmp_path, files)
    result = run(tmp_path, {"select": ["CL701"], "hosts": {"payments": ["billing.internal"]}})
    [chain] = [f for f in result.active if f.code == "CL701"]
    assert "orders (POST /v1/orders) -> inventory GET /v1/levels -> payments GET /v1/holds -> partner.example.com" \
        in chain.message


def test_grpc_health_registered_in_another_module_of_the_service(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "payments/requirements.txt": "grpcio\n",
        "payments/server.py": "import grpc\n\n\ndef serve():\n    return grpc.server(None)\n",
        "payments/health.py": "from grpc_health.v1 import health, health_pb2_grpc\n\n\n"
                              "def add(server):\n    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)\n",
    })
    assert not [f for f in run(tmp_path, {"select": ["CL703"]}).active]


def test_configured_services_map(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "src/ordering/api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/v1/x')\ndef x():\n    return {}\n",
        "contracts/ordering.yaml": "openapi: 3.1.0\ninfo: {title: ordering, version: '1'}\npaths:\n  /v1/x:\n"
                                   "    get:\n      responses: {'200': {description: ok}}\n",
    })
    result = run(tmp_path, {"select": ["CL702"], "services": {"ordering": "src/ordering"}})
    assert not result.active, [f.message for f in result.active]


def test_a_servicer_that_also_answers_health_checks_needs_no_rpc_for_them(tmp_path: Path) -> None:
    """microservices-demo's servicers implement grpc.health.v1's Check and Watch on the same
    class: health.proto is their contract, not the service's own .proto."""
    from commlint.api import check_paths
    from commlint.core.catalogue import load
    from commlint.core.config import load_settings

    svc = tmp_path / "email"
    svc.mkdir()
    (svc / "requirements.txt").write_text("grpcio\n")
    (svc / "demo.proto").write_text('syntax = "proto3";\npackage shop.v1;\nmessage R {}\n'
                                    "service EmailService { rpc Send(R) returns (R); }\n")
    (svc / "server.py").write_text(
        "import demo_pb2_grpc\n\n\n"
        "class EmailService(demo_pb2_grpc.EmailServiceServicer):\n"
        "    def Send(self, request, context):\n        return request\n\n"
        "    def Check(self, request, context):\n        return None\n\n"
        "    def Watch(self, request, context):\n        return None\n\n"
        "    def Resend(self, request, context):\n        return request\n")
    settings = load_settings(tmp_path, load(), data={"select": ["CL702"]}, root=tmp_path)
    found = [f.message for f in check_paths([tmp_path], settings, jobs=1).active]
    assert len(found) == 1 and "EmailService.Resend" in found[0], found


def test_probe_routes_need_no_contract(tmp_path: Path) -> None:
    from commlint.api import check_paths
    from commlint.core.catalogue import load
    from commlint.core.config import load_settings

    svc = tmp_path / "orders"
    svc.mkdir()
    (svc / "requirements.txt").write_text("fastapi\n")
    (svc / "app.py").write_text(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/healthz")\ndef healthz():\n    return {}\n\n\n'
        '@app.get("/v1/orders")\ndef orders():\n    return []\n')
    settings = load_settings(tmp_path, load(), data={"select": ["CL702"]}, root=tmp_path)
    found = [f.message for f in check_paths([tmp_path], settings, jobs=1).active]
    assert len(found) == 1 and "/v1/orders" in found[0], found


def test_helm_templated_ports_are_not_a_crash(check_tree) -> None:
    """N4si/microservices-python-app: ``port: {{ .Values.service.port }}`` parses as a mapping;
    CL706 read it as a port number (TypeError: unhashable type, an internal error)."""
    files = {
        "charts/db/templates/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n"
                                            "  type: NodePort\n  ports:\n  - port: {{ .Values.service.port }}\n"
                                            "    targetPort: {{ .Values.service.port }}\n",
        "svc/server.py": "import grpc\nserver = grpc.server(None)\nserver.add_insecure_port('[::]:50051')\n",
    }
    result = check_tree(files, {"select": ["CL706", "CL001"]})
    assert [f.message for f in result.active if "internal error" in f.message] == []
