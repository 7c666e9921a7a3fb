"""What services share: one .proto copied into several services (CL710), a consumer calling back the
producer of its event (CL711), choreographed flows too long (CL712), and the saga notes on state and
compensations (CL223, CL224). Small trees, one rule each."""

from __future__ import annotations

from pathlib import Path

from commlint.analyses.proto_shape import first_difference, shape
from commlint.artifacts.proto import ProtoArtifact, parse_grammar

from conftest import run, write_tree

ORDERS_PROTO = """syntax = "proto3";
package orders.v1;

message Order {
  string order_id = 1;
  int64 amount = 2;
  repeated string items = 3;
  map<string, string> labels = 4;
  Status status = 5;
}

enum Status {
  STATUS_UNSPECIFIED = 0;
  STATUS_PLACED = 1;
}

service OrderService {
  rpc GetOrder(GetOrderRequest) returns (Order);
  rpc Watch(GetOrderRequest) returns (stream Order);
}

message GetOrderRequest {
  string order_id = 1;
}
"""


def _codes(root: Path, code: str, **config: object) -> list[tuple[str, int, str]]:
    result = run(root, {"select": [code], **config})
    return sorted((f.location.path, f.location.line, f.message) for f in result.active if f.code == code)


def _services(root: Path, *names: str) -> None:
    for n in names:
        write_tree(root, {f"{n}/requirements.txt": "grpcio\n"})


# -- CL710 ---------------------------------------------------------------------------------------


def test_grammar_and_protoc_read_the_same_shape(tmp_path: Path) -> None:
    (tmp_path / "orders.proto").write_text(ORDERS_PROTO, encoding="utf-8")
    from commlint.core.config import Settings

    compiled = __import__("commlint.artifacts.proto", fromlist=["parse"]).parse(
        "orders.proto", ORDERS_PROTO, Settings(root=tmp_path))
    grammar = parse_grammar(ProtoArtifact("orders.proto", ORDERS_PROTO), ORDERS_PROTO)
    a, b = shape(compiled), shape(grammar)
    assert a is not None and b is not None
    assert first_difference(a, b, "there") is None and first_difference(b, a, "there") is None
    assert a["messages"]["Order"]["fields"]["4"][1] == "map"
    assert a["services"]["OrderService"]["rpcs"]["Watch"][2] == "server-streaming"


def test_drifted_copies_are_reported_at_their_first_difference(tmp_path: Path) -> None:
    _services(tmp_path, "orders", "payments")
    drifted = ORDERS_PROTO.replace("returns (stream Order)", "returns (Order)")
    write_tree(tmp_path, {"orders/proto/orders.proto": ORDERS_PROTO, "payments/proto/orders.proto": drifted})
    found = _codes(tmp_path, "CL710")
    assert [(p, line) for p, line, _ in found] == [("orders/proto/orders.proto", 19), ("payments/proto/orders.proto", 19)]
    assert "rpc `Watch` is server-streaming here and unary there" in found[0][2]
    assert "payments/proto/orders.proto (payments)" in found[0][2]


def test_the_copy_most_others_disagree_with_is_the_one_reported(tmp_path: Path) -> None:
    _services(tmp_path, "orders", "payments", "billing")
    renamed = ORDERS_PROTO.replace("STATUS_PLACED = 1", "STATUS_NEW = 1")
    write_tree(tmp_path, {"orders/orders.proto": ORDERS_PROTO, "payments/orders.proto": ORDERS_PROTO,
                          "billing/orders.proto": renamed})
    found = _codes(tmp_path, "CL710")
    assert [(p, line) for p, line, _ in found] == [("billing/orders.proto", 14)]
    assert "value 1 is STATUS_NEW here and STATUS_PLACED there" in found[0][2]


def test_identical_subset_and_vendored_copies_are_not_drift(tmp_path: Path) -> None:
    _services(tmp_path, "orders", "payments", "carts")
    subset = ORDERS_PROTO.split("service OrderService")[0]  # only the messages it uses
    health = 'syntax = "proto3";\npackage grpc.health.v1;\nmessage HealthCheckRequest { string service = 1; }\n'
    write_tree(tmp_path, {
        "orders/orders.proto": ORDERS_PROTO, "payments/orders.proto": ORDERS_PROTO.replace("\n\n", "\n// copy\n\n"),
        "carts/orders.proto": subset,
        "orders/health.proto": health, "payments/health.proto": health.replace("string service = 1", "bytes service = 1"),
        "carts/third_party/x/x.proto": 'syntax = "proto3";\npackage orders.v1;\nmessage Order { bool order_id = 1; }\n',
    })
    assert _codes(tmp_path, "CL710") == []
    notes = _codes(tmp_path, "CL710", rules={"CL710": {"report-identical": True}})
    assert [p for p, _, _ in notes] == ["carts/orders.proto", "orders/orders.proto", "payments/orders.proto"]


def test_copies_within_one_service_are_not_judged(tmp_path: Path) -> None:
    _services(tmp_path, "orders")
    write_tree(tmp_path, {"orders/a/orders.proto": ORDERS_PROTO,
                          "orders/b/orders.proto": ORDERS_PROTO.replace("int64 amount", "string amount")})
    assert _codes(tmp_path, "CL710") == []


# -- CL711 ---------------------------------------------------------------------------------------

PRODUCER = """
from confluent_kafka import Producer
from fastapi import FastAPI

app = FastAPI()
producer = Producer({"bootstrap.servers": "kafka:9092"})


@app.post("/v1/orders")
def create(order: dict) -> dict:
    producer.produce("orders.order.created", key=order["id"], value=b"{}")
    return order


@app.get("/v1/orders/{order_id}")
def get(order_id: str) -> dict:
    return {}
"""

MODULE_LOOP_CONSUMER = """
import json

import requests
from kafka import KafkaConsumer

consumer = KafkaConsumer("orders.order.created", group_id="billing", bootstrap_servers="kafka:9092")
requests.get("http://orders:8000/v1/orders/warmup", timeout=2)  # before the loop: not while handling

for message in consumer:
    event = json.loads(message.value)
    order = requests.get(f"http://orders:8000/v1/orders/{event['order_id']}", timeout=2).json()
    requests.post("http://ledger:8000/v1/entries", json=order, timeout=2)
"""


def test_a_module_level_consume_loop_calling_the_producer(tmp_path: Path) -> None:
    write_tree(tmp_path, {"orders/app.py": PRODUCER, "orders/requirements.txt": "fastapi\n",
                          "billing/worker.py": MODULE_LOOP_CONSUMER, "billing/requirements.txt": "kafka-python\n",
                          "ledger/app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
                          "ledger/requirements.txt": "fastapi\n"})
    found = _codes(tmp_path, "CL711")
    assert [(p, line) for p, line, _ in found] == [("billing/worker.py", 11)]
    assert "'orders.order.created'" in found[0][2] and "calls back 'orders'" in found[0][2]


def test_a_consumer_calling_its_own_service_or_a_non_producer_is_not_reported(tmp_path: Path) -> None:
    consumer = MODULE_LOOP_CONSUMER.replace("http://orders:8000", "http://billing:8000")
    write_tree(tmp_path, {"orders/app.py": PRODUCER, "orders/requirements.txt": "fastapi\n",
                          "billing/worker.py": consumer, "billing/requirements.txt": "kafka-python\n"})
    assert _codes(tmp_path, "CL711") == []


# -- CL712 ---------------------------------------------------------------------------------------


def _step(consumes: str, publishes: str | None) -> str:
    send = f'        producer.produce("{publishes}", key=b"k", value=b"v")\n' if publishes else ""
    return ("from confluent_kafka import Consumer, Producer\n\nproducer = Producer({})\n\n\n"
            "def run():\n    consumer = Consumer({'group.id': 'g'})\n"
            f"    consumer.subscribe(['{consumes}'])\n    while True:\n        msg = consumer.poll(1.0)\n{send}")


def test_a_flow_of_four_handlers_is_noted_once_and_a_cycle_ends(tmp_path: Path) -> None:
    flow = [("a", "x.one.created", "x.two.done"), ("b", "x.two.done", "x.three.done"),
            ("c", "x.three.done", "x.four.done"), ("d", "x.four.done", "x.two.done")]  # d loops back to b
    files = {"origin/app.py": _step("x.zero.done", "x.one.created"), "origin/requirements.txt": ""}
    for svc, consumes, publishes in flow:
        files[f"{svc}/worker.py"] = _step(consumes, publishes)
        files[f"{svc}/requirements.txt"] = ""
    write_tree(tmp_path, files)
    found = _codes(tmp_path, "CL712")
    assert len(found) == 1 and "of 5 steps" in found[0][2] and found[0][0] == "origin/app.py"
    assert _codes(tmp_path, "CL712", rules={"CL712": {"max-steps": 5}}) == []


# -- CL223, CL224 --------------------------------------------------------------------------------

SAGA = """
class OrderSaga:
    def __init__(self, repository, payments):
        self.repository = repository
        self.payments = payments
        self.steps = [SagaStep(action=self.charge, compensation=self.refund, timeout=5)]

    async def run(self, order):
        done = []
        for step in self.steps:
            await step.action(order)
            done.append(step)
            {persist}

    async def charge(self, order):
        await self.payments.charge(order.id)

    async def refund(self, order):
        {guard}
        await self.payments.refund(order.id)
"""


def test_saga_state_in_memory_is_noted_and_a_repository_save_is_persistence(tmp_path: Path) -> None:
    write_tree(tmp_path, {"saga.py": SAGA.format(persist="pass", guard="pass")})
    assert [line for _, line, _ in _codes(tmp_path, "CL223")] == [1]
    write_tree(tmp_path, {"saga.py": SAGA.format(persist="await self.repository.save(order.id, step)", guard="pass")})
    assert _codes(tmp_path, "CL223") == []


def test_a_compensation_with_no_guard_is_noted(tmp_path: Path) -> None:
    write_tree(tmp_path, {"saga.py": SAGA.format(persist="pass", guard="pass")})
    assert [line for _, line, _ in _codes(tmp_path, "CL224")] == [17]
    guarded = 'if (await self.payments.get(order.id)).status == "refunded":\n            return'
    write_tree(tmp_path, {"saga.py": SAGA.format(persist="pass", guard=guarded)})
    assert _codes(tmp_path, "CL224") == []


def test_a_positional_compensation_is_read_and_an_unknown_one_is_not_judged(tmp_path: Path) -> None:
    code = ("async def undo(order):\n    await client.post('/v1/refunds', json=order)\n\n\n"
            "def build(saga):\n    saga.add_step(charge, undo)\n    saga.add_step(reserve, imported_release)\n")
    write_tree(tmp_path, {"saga.py": code})
    assert [line for _, line, _ in _codes(tmp_path, "CL224")] == [1]


def test_a_faststream_subscriber_calling_the_producer(tmp_path: Path) -> None:
    worker = ('import httpx\nfrom faststream.kafka import KafkaBroker\n\nbroker = KafkaBroker("kafka:9092")\n'
              'orders = httpx.AsyncClient(base_url="http://orders:8000", timeout=2.0)\n\n\n'
              '@broker.subscriber("orders.order.created", group_id="billing")\n'
              'async def on_created(event: dict) -> None:\n'
              '    order = (await orders.get(f"/v1/orders/{event[\'order_id\']}")).json()\n')
    write_tree(tmp_path, {"orders/app.py": PRODUCER, "orders/requirements.txt": "", "billing/worker.py": worker,
                          "billing/requirements.txt": ""})
    assert [(p, line) for p, line, _ in _codes(tmp_path, "CL711")] == [("billing/worker.py", 10)]


def test_a_generic_package_joins_files_of_the_same_name_only(tmp_path: Path) -> None:
    _services(tmp_path, "search", "billing")
    a = 'syntax = "proto3";\npackage api;\nmessage Request { string query = 1; }\n'
    b = 'syntax = "proto3";\npackage api;\nmessage Request { int64 invoice_id = 1; }\n'
    write_tree(tmp_path, {"search/search.proto": a, "billing/billing.proto": b})
    assert _codes(tmp_path, "CL710") == []
    write_tree(tmp_path, {"billing/search.proto": b})
    assert [p for p, _, _ in _codes(tmp_path, "CL710")] == ["billing/search.proto", "search/search.proto"]


def test_a_conflict_is_named_before_a_member_one_copy_lacks() -> None:
    base = {"messages": {"Order": {"line": 3, "fields": {"1": ["id", "string", False, 4], "2": ["amount", "int64", False, 5]}}}}
    other = {"messages": {"Order": {"line": 3, "fields": {"1": ["id", "string", False, 4], "2": ["amount", "string", False, 5],
                                                          "3": ["note", "string", False, 6]}}}}
    assert first_difference(base, other, "there") == (5, "field 2 `amount` is int64 here and string there (in message `Order`)")
    assert first_difference(base, base, "there") is None


def test_a_guard_in_a_helper_the_compensation_calls_counts(tmp_path: Path) -> None:
    helper = ("await self._refund_once(order)\n\n"
              "    async def _refund_once(self, order):\n"
              "        if await self.refunds.exists(order.id):\n            return\n"
              "        await self.payments.refund(order.id)")
    write_tree(tmp_path, {"saga.py": SAGA.format(persist="pass", guard="pass").replace(
        "await self.payments.refund(order.id)", helper)})
    assert _codes(tmp_path, "CL224") == []


def test_a_topic_two_other_services_produce_names_no_producer(tmp_path: Path) -> None:
    write_tree(tmp_path, {"orders/app.py": PRODUCER, "orders/requirements.txt": "",
                          "checkout/app.py": PRODUCER, "checkout/requirements.txt": "",
                          "billing/worker.py": MODULE_LOOP_CONSUMER, "billing/requirements.txt": ""})
    assert _codes(tmp_path, "CL711") == []
