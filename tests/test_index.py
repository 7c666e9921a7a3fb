"""The project index across modules (analyses/index.py): small multi-file trees, each case a rule
that needs a fact from another module of the tree. `# expect:` markers say where findings go."""

from __future__ import annotations

from pathlib import Path

from conftest import expected_markers, found, run, write_tree

from commlint.analyses.index import ProjectIndex, summarize
from commlint.core.model import Severity


def _check(tmp_path: Path, files: dict[str, str], select: list[str], **config) -> set[tuple[str, int, str]]:
    write_tree(tmp_path, files)
    got = found(run(tmp_path, {"select": select, **config}), set(select))
    assert got == expected_markers(files)
    return got


FACTORY = """import httpx


def make_client():
    return httpx.AsyncClient(base_url="http://inventory:8000", timeout=5.0)


def make_traced_client():
    return httpx.AsyncClient(base_url="http://inventory:8000", timeout=5.0,
                             headers={"X-Request-ID": "r", "X-Caller-Service": "orders"})
"""


def test_client_from_a_factory_in_another_module(tmp_path: Path) -> None:
    """(a) `client = make_client()` in another module: its base URL makes the call internal and its
    headers are known, so the header rules judge it; the traced factory's calls pass."""
    _check(tmp_path, {
        "app/http.py": FACTORY,
        "app/inventory.py": """from fastapi import FastAPI
from app.http import make_client, make_traced_client

app = FastAPI()
client = make_client()
traced = make_traced_client()


@app.get("/v1/stock")
async def stock(item: str):
    r = await client.get(f"/items/{item}")  # expect: CL111, CL112
    await traced.get(f"/items/{item}")
    return r.json()
""",
    }, ["CL101", "CL111", "CL112"])


def test_factory_without_timeout_is_reported_once_at_its_construction(tmp_path: Path) -> None:
    _check(tmp_path, {
        "app/http.py": "import httpx\n\n\ndef make_client():\n    return httpx.Client()  # expect: CL101\n",
        "app/jobs.py": "from app.http import make_client\n\nc = make_client()\nc.get('http://inventory:8000/x', timeout=None)\n",
    }, ["CL101"])


def test_session_from_a_factory_without_timeout(tmp_path: Path) -> None:
    """A requests.Session has no timeout of its own: each call on one from a factory needs one."""
    _check(tmp_path, {
        "app/http.py": "import requests\n\n\ndef make_session():\n    return requests.Session()\n",
        "app/jobs.py": """from app.http import make_session

s = make_session()
s.get("http://inventory:8000/x")  # expect: CL101
s.get("http://inventory:8000/x", timeout=3)
""",
    }, ["CL101"])


def test_parameter_annotated_as_a_client(tmp_path: Path) -> None:
    """(b) A parameter annotated httpx.AsyncClient / aiohttp.ClientSession is a client: timeout=None is CL102."""
    _check(tmp_path, {
        "app/calls.py": """from typing import Optional

import aiohttp
import httpx


async def a(session: aiohttp.ClientSession):
    await session.post("http://inventory:8000/x", timeout=None)  # expect: CL102


async def b(client: "httpx.AsyncClient"):
    await client.get("http://inventory:8000/x", timeout=None)  # expect: CL102


async def c(client: Optional[httpx.AsyncClient] = None):
    await client.get("http://inventory:8000/x", timeout=3)
""",
    }, ["CL102"])


HELPERS = """import requests


def fetch(url, timeout=None):
    return requests.get(url, timeout=timeout)


def fetch_required(url, timeout):
    return requests.get(url, timeout=timeout)


def fetch_kw(url, **kwargs):
    return requests.get(url, **kwargs)


class Api:
    def __init__(self):
        self.session = requests.Session()

    def call(self, path, timeout=None):
        return self.session.get("http://inventory:8000" + path, timeout=timeout)
"""


def test_timeout_passed_into_a_helper_of_another_module(tmp_path: Path) -> None:
    """(c) A helper forwards its caller's timeout: a call site that passes none is CL101, one that
    passes one (by keyword, position or through **kwargs) is not; a required parameter is never missing."""
    _check(tmp_path, {
        "app/helpers.py": HELPERS,
        "app/jobs.py": """import requests  # a caller parsed for this family names one of its libraries (the prefilter)

from app import helpers
from app.helpers import Api, fetch, fetch_kw, fetch_required


def run():
    fetch("http://inventory:8000/a")  # expect: CL101
    fetch("http://inventory:8000/a", timeout=3)
    fetch("http://inventory:8000/a", 3)
    fetch_required("http://inventory:8000/a", 3)
    fetch_kw("http://inventory:8000/a")  # expect: CL101
    fetch_kw("http://inventory:8000/a", timeout=2)
    helpers.fetch("http://inventory:8000/a")  # expect: CL101
    api = Api()
    api.call("/x")  # expect: CL101
    api.call("/x", 2)
""",
    }, ["CL101"])


def test_timeout_helper_in_the_same_module(tmp_path: Path) -> None:
    _check(tmp_path, {
        "jobs.py": """import requests


def get(url, timeout=None):
    return requests.get(url, timeout=timeout)


def run():
    get("http://inventory:8000/a")  # expect: CL101
    get("http://inventory:8000/a", timeout=1)
""",
    }, ["CL101"])


def test_consume_loop_over_a_consumer_from_a_helper_module(tmp_path: Path) -> None:
    """(f) `consumer = get_consumer(...)` / `for msg in get_consumer(...)`: a consume loop."""
    _check(tmp_path, {
        "shared/kafka_consumer.py": """from kafka import KafkaConsumer


def get_consumer(topic):
    return KafkaConsumer(topic, group_id=f"{topic}-group", enable_auto_commit=True)  # expect: CL201
""",
        "inventory/consumer.py": """import sqlite3

from shared.kafka_consumer import get_consumer

db = sqlite3.connect("inventory.db")
consumer = get_consumer("orders.order.placed")
for msg in consumer:  # expect: CL203, CL204
    db.execute("UPDATE stock SET n = n - 1 WHERE sku = ?", (msg.value,))
""",
        "shipping/consumer.py": """import sqlite3

from shared.kafka_consumer import get_consumer

db = sqlite3.connect("shipping.db")
for msg in get_consumer("orders.order.placed"):  # expect: CL203, CL204
    db.execute("INSERT INTO shipments VALUES (?)", (msg.value,))
""",
    }, ["CL201", "CL203", "CL204"])


def test_consumer_wrapper_class_of_another_package(tmp_path: Path) -> None:
    """A class (in a sibling package root: foundation/src/) holding a KafkaConsumer in an attribute."""
    _check(tmp_path, {
        "foundation/src/corelib/__init__.py": "",
        "foundation/src/corelib/kafka_consumer.py": """from kafka import KafkaConsumer


class MessageConsumer:
    def connect(self):
        self._consumer = KafkaConsumer("orders.order.placed", group_id="g", enable_auto_commit=False)
""",
        "service/src/app/worker.py": """import sqlite3

from corelib.kafka_consumer import MessageConsumer

db = sqlite3.connect("worker.db")


class Worker:
    def start(self):
        self.consumer = MessageConsumer()

    async def run(self):
        async for message in self.consumer:  # expect: CL203, CL204
            db.execute("INSERT INTO seen VALUES (?)", (message,))
""",
    }, ["CL203", "CL204"])


def test_topic_names_from_constants_enums_and_settings_of_another_module(tmp_path: Path) -> None:
    """(e) A topic named by a constant, an enum member or a settings default of another module."""
    _check(tmp_path, {
        "app/topics.py": """import enum
import os

from pydantic_settings import BaseSettings

ORDERS = "orders"
PAYMENTS = os.environ.get("PAYMENTS_TOPIC", "payments.payment.captured")


class Topics(str, enum.Enum):
    CREATE_ORDER = "orders.order.create"


class Settings(BaseSettings):
    audit_topic: str = "audit"


settings = Settings()
""",
        "app/producer.py": """from kafka import KafkaProducer

from app import topics
from app.topics import ORDERS, PAYMENTS, Topics, settings

producer = KafkaProducer()


def publish(order_id, event):
    producer.send(ORDERS, key=order_id, value=event)  # expect: CL215
    producer.send(PAYMENTS, key=order_id, value=event)
    producer.send(Topics.CREATE_ORDER.value, key=order_id, value=event)  # expect: CL212
    producer.send(settings.audit_topic, key=order_id, value=event)  # expect: CL215
    producer.send(topics.ORDERS, key=order_id, value=event)  # expect: CL215
""",
    }, ["CL212", "CL215"])


def test_retry_policies(tmp_path: Path) -> None:
    """CL131: retrying's @retry, and hand-written loops with a flat or linear sleep around a call."""
    _check(tmp_path, {
        "svc.py": """import time

import requests
from retrying import retry


@retry(stop_max_attempt_number=3, wait_fixed=2000)  # expect: CL131
def flat():
    return requests.get("http://inventory:8000/a", timeout=2)


@retry(stop_max_attempt_number=3, wait_exponential_multiplier=100, wait_exponential_max=2000)
def exponential():
    return requests.get("http://inventory:8000/a", timeout=2)


def linear():
    for attempt in range(3):  # expect: CL131
        try:
            return requests.get("http://inventory:8000/a", timeout=2)
        except requests.RequestException:
            time.sleep(1 + attempt)


def too_many():
    for attempt in range(10):  # expect: CL131
        try:
            return requests.get("http://inventory:8000/a", timeout=2)
        except requests.RequestException:
            time.sleep(2 ** attempt)


def doubling():
    delay = 0.1
    for _ in range(3):
        try:
            return requests.get("http://inventory:8000/a", timeout=2)
        except requests.RequestException:
            time.sleep(delay)
            delay *= 2


def paced(urls):
    for u in urls:
        requests.get(u, timeout=2)
        time.sleep(1)
""",
    }, ["CL131"])


def test_strict_notes_for_values_that_cannot_be_known(tmp_path: Path) -> None:
    files = {
        "app/calls.py": """import aiohttp

from app.config import settings


async def forward(session: aiohttp.ClientSession, headers):
    await session.get("http://inventory:8000/x", headers=headers, timeout=settings.TIMEOUT)
""",
    }
    write_tree(tmp_path, files)
    notes = [(f.code, f.message) for f in run(tmp_path, {"strict": True, "select": ["CL101", "CL102", "CL111"]}).active
             if f.severity == Severity.NOTE]
    codes = {c for c, _ in notes}
    assert {"CL102", "CL111"} <= codes
    assert any("parameter `headers`" in m for c, m in notes if c == "CL111")
    assert any("settings.TIMEOUT" in m for c, m in notes if c == "CL102")
    assert not [f for f in run(tmp_path, {"select": ["CL101", "CL102", "CL111"]}).active]


def test_index_is_bounded_and_stays_in_the_tree(tmp_path: Path) -> None:
    """A re-export cycle ends; an import resolved outside the root is not read."""
    write_tree(tmp_path / "tree", {"a.py": "from b import f\n", "b.py": "from a import f\n"})
    (tmp_path / "outside.py").write_text("def f():\n    return 1\n")
    index = ProjectIndex((tmp_path / "tree").resolve())
    assert index.find((tmp_path / "tree" / "a.py").resolve(), "b.f") is None
    assert index.find((tmp_path / "tree" / "a.py").resolve(), "..outside.f") is None
    assert summarize("x.py", "def (:\n") is None


def test_a_changed_helper_module_invalidates_the_cached_result(tmp_path: Path) -> None:
    files = {
        "app/helpers.py": HELPERS,
        "app/jobs.py": "import requests\nfrom app.helpers import fetch\n\nfetch('http://inventory:8000/a')\n",
    }
    write_tree(tmp_path, files)
    cache = tmp_path / ".cache"
    first = found(run(tmp_path, {"select": ["CL101"], "cache-dir": str(cache)}))
    assert ("app/jobs.py", 4, "CL101") in first
    (tmp_path / "app" / "helpers.py").write_text(HELPERS.replace("timeout=None", "timeout=5"))
    second = found(run(tmp_path, {"select": ["CL101"], "cache-dir": str(cache)}))
    assert ("app/jobs.py", 4, "CL101") not in second


def test_facts_of_a_consumer_whose_module_names_no_broker(tmp_path: Path) -> None:
    """The module reading messages imports no broker library and names none (so the events rules
    do not read it); its consumer comes from a factory in another module. Its facts still hold
    the consumer, for the cross-file rules; a module calling nothing that names a broker gets none,
    and its messaging model is never built."""
    write_tree(tmp_path, {
        "shared/messaging.py": "from kafka import KafkaConsumer\n\n\ndef get_consumer():\n"
                               "    return KafkaConsumer(group_id='g')\n",
        "worker/main.py": "import requests\n\nfrom shared.messaging import get_consumer\n\n"
                          "consumer = get_consumer()\nconsumer.subscribe(['orders.order.placed'])\n"
                          "for msg in consumer:\n"
                          "    requests.post('http://billing/charge', json=msg.value, timeout=2)\n",
        "web/main.py": "import requests\n\nfrom shared.util import slug\n\n\ndef f(u):\n"
                       "    return requests.get(u + slug(u), timeout=2)\n",
        "shared/util.py": "def slug(u):\n    return u.lower()\n",
    })
    result = run(tmp_path)
    facts = {r.rel: r.facts for r in result.files}
    assert [c["topics"] for c in facts["worker/main.py"]["consumers"]] == [["orders.order.placed"]]
    assert "consumers" not in facts["web/main.py"] and "topics" not in facts["web/main.py"]


def test_fastapi_dependencies_run_on_every_request(tmp_path: Path) -> None:
    """A client built in a function FastAPI calls per request (``Depends``/``Security``, in this module
    or another, a route parameter or a router's ``dependencies=``); not one named in another
    library's ``Depends``, nor a cached one."""
    _check(tmp_path, {
        "svc/app.py": """import httpx
from fastapi import APIRouter, Depends, Security

from svc.deps import audit_client

router = APIRouter(dependencies=[Depends(audit_client)])


def auth_client():
    return httpx.Client(base_url="http://auth:8000", timeout=2)  # expect: CL121


@router.get("/me")
def me(client=Security(auth_client)):
    return client.get("/me", timeout=2).json()
""",
        "svc/deps.py": """import httpx


def audit_client():
    return httpx.Client(base_url="http://audit:8000", timeout=2)  # expect: CL121


def report_client():
    return httpx.Client(base_url="http://reports:8000", timeout=2)
""",
        "other/jobs.py": """from taskrunner import Depends

from svc.deps import report_client

job = Depends(report_client)
""",
    }, ["CL121"])


def test_a_route_naming_the_dependency_invalidates_its_cached_result(tmp_path: Path) -> None:
    write_tree(tmp_path, {"svc/deps.py": "import httpx\n\n\ndef client():\n"
                                         "    return httpx.Client(base_url='http://a:1', timeout=2)\n",
                          "svc/routes.py": "from fastapi import Depends, FastAPI\n\nfrom svc.deps import client\n\n"
                                           "app = FastAPI()\n"})
    cache = tmp_path / ".cache"
    assert found(run(tmp_path, {"select": ["CL121"]}, cache_dir=cache)) == set()
    with open(tmp_path / "svc" / "routes.py", "a", encoding="utf-8") as fh:
        fh.write("\n\n@app.get('/')\ndef root(c=Depends(client)):\n    return c.get('/', timeout=2).json()\n")
    assert found(run(tmp_path, {"select": ["CL121"]}, cache_dir=cache)) == {("svc/deps.py", 5, "CL121")}


def test_a_new_module_naming_the_dependency_invalidates_its_cached_result(tmp_path: Path) -> None:
    """The search for the routes using a dependency read every Python file of the tree: a file added
    since (not one of the result's dependencies then) changes the answer too."""
    write_tree(tmp_path, {"svc/deps.py": "import httpx\n\n\ndef client():\n"
                                         "    return httpx.Client(base_url='http://a:1', timeout=2)\n",
                          "svc/routes.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"})
    cache = tmp_path / ".cache"
    assert found(run(tmp_path, {"select": ["CL121"]}, cache_dir=cache)) == set()
    (tmp_path / "svc" / "users.py").write_text(
        "from fastapi import APIRouter, Depends\n\nfrom svc.deps import client\n\nrouter = APIRouter()\n\n\n"
        "@router.get('/')\ndef root(c=Depends(client)):\n    return c.get('/', timeout=2).json()\n", encoding="utf-8")
    assert found(run(tmp_path, {"select": ["CL121"]}, cache_dir=cache)) == {("svc/deps.py", 5, "CL121")}


def test_identical_modules_in_two_trees_are_each_read_as_their_own(tmp_path: Path) -> None:
    """A module's summary names its file: a copy elsewhere (a second tree checked in the same process,
    a service copied into another folder) is summarised as itself, so its callers are found."""
    files = {
        "orders/http.py": """import httpx

CLIENT = httpx.Client(base_url="http://billing:8000", timeout=2)


def post(path, headers=None):
    return CLIENT.post(path, headers=headers)
""",
        "orders/routes.py": """from fastapi import FastAPI

from orders.http import post

app = FastAPI()


@app.post("/orders")
def create():
    return post("/charge", headers={"X-Caller-Service": "orders"})
""",
    }
    first, second = tmp_path / "a", tmp_path / "b"
    write_tree(first, files)
    write_tree(second, files)
    a = found(run(first, {"select": ["CL111"]}), {"CL111"})
    b = found(run(second, {"select": ["CL111"]}), {"CL111"})
    assert a == b and ("orders/http.py", 7, "CL111") in a


def test_the_incoming_request_s_headers_passed_on_carry_its_correlation_id(tmp_path: Path) -> None:
    """``headers=request.headers`` (Flask's request, a handler's ``request`` or ``Request`` parameter),
    ``dict(...)`` of it, a comprehension copying it or ``{**request.headers, ...}`` propagate X-Request-ID;
    their X-Caller-Service is the upstream caller's, so a call that sets none of its own is reported
    (CL112); another object's headers are not the request's (a note under --strict)."""
    write_tree(tmp_path, {"svc/app.py": """import httpx
import requests
from fastapi import FastAPI, Request
from flask import Flask, request

app = Flask(__name__)
api = FastAPI()


@app.get("/a")
def a():
    requests.get("http://billing:8000/a", headers=request.headers, timeout=2)
    return requests.get("http://billing:8000/b", headers={**request.headers, "X-Caller-Service": "svc"}, timeout=2)


@api.get("/c")
async def c(req: Request, other: dict):
    async with httpx.AsyncClient(timeout=2) as client:
        await client.get("http://billing:8000/c", headers=dict(req.headers))
        await client.get("http://billing:8000/d", headers=other)
        await client.get("http://billing:8000/e", headers={k: v for k, v in req.headers.items() if k != "host"})
"""})
    strict = run(tmp_path, {"select": ["CL111", "CL112"], "strict": True})
    got = sorted((f.location.line, f.code, f.severity.name.lower()) for f in strict.active)
    assert got == [(12, "CL112", "warning"), (19, "CL112", "warning"), (20, "CL111", "note"), (20, "CL112", "note"),
                   (21, "CL112", "warning")]
    assert "service that called this one" in next(f.message for f in strict.active if f.location.line == 12)


PRODUCT_CLIENT = """import httpx


class ProductClient:
    def __init__(self, base_url: str, timeout: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(timeout=timeout)

    async def get_product(self, product_id: int) -> dict:
        url = f"{self.base_url}/products/{product_id}"
        resp = await self._client.get(url)  # expect: CL111, CL112
        return resp.json()
"""


def test_a_base_url_passed_to_a_client_class_in_another_module_names_its_target(tmp_path: Path) -> None:
    """``self.base_url`` from ``__init__``'s parameter: what the constructions pass (a ``*_service_url``
    setting, in another module) tells an internal call, so the header rules judge it
    (x-lsx/fastapi-microservices-shop's cart and orders services)."""
    _check(tmp_path, {
        "orders/app/core/client.py": PRODUCT_CLIENT,
        "orders/app/routes.py": """from fastapi import APIRouter
from app.core.client import ProductClient
from app.core.config import settings

router = APIRouter()
product_client = ProductClient(base_url=settings.product_service_url)


@router.post("/orders")
async def create(product_id: int):
    return await product_client.get_product(product_id)
""",
        "orders/app/core/config.py": """from pydantic import Field
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    product_service_url: str = Field(..., alias="PRODUCT_SERVICE_URL")


settings = Settings()
""",
    }, ["CL111", "CL112"])


def test_a_client_class_built_only_for_a_third_party_is_not_judged_for_headers(tmp_path: Path) -> None:
    _check(tmp_path, {
        "app/client.py": PRODUCT_CLIENT.replace("  # expect: CL111, CL112", ""),
        "app/main.py": """from app.client import ProductClient

stripe = ProductClient("https://api.stripe.com/v1")
""",
    }, ["CL111", "CL112"])


def test_a_base_url_a_method_returns_and_a_url_bound_twice_name_internal_targets(tmp_path: Path) -> None:
    """aliammari1/pulmocare (held-out labels): ``self.api_base_url = self._get_service_url()``, a method
    returning the service's URL, and ``auth_url`` assigned twice in one handler from the same setting."""
    _check(tmp_path, {
        "app/services/radiology.py": """import aiohttp


class RadiologyService:
    def __init__(self):
        self.api_base_url = self._get_service_url()

    def _get_service_url(self) -> str:
        return "http://radiologues-service:8084"

    async def reports(self, doctor_id):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            url = f"{self.api_base_url}/api/reports"
            async with session.get(url, params={"doctor_id": doctor_id}) as response:  # expect: CL111, CL112
                return await response.json()
""",
        "app/routes.py": """import httpx
from fastapi import APIRouter
from app.config import AUTH_SERVICE_URL

router = APIRouter()


@router.post("/verify")
async def verify(doctor_id: str, token: str):
    auth_url = f"{AUTH_SERVICE_URL}/api/users/{doctor_id}/attributes"
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=10.0) as client:
        await client.patch(auth_url, json={}, headers=headers)  # expect: CL111, CL112
    auth_url = f"{AUTH_SERVICE_URL}/api/users/{doctor_id}"
    async with httpx.AsyncClient(timeout=10.0) as client:
        return (await client.get(auth_url, headers=headers)).json()  # expect: CL111, CL112
""",
        "app/config.py": 'import os\n\nAUTH_SERVICE_URL = os.getenv("AUTH_SERVICE_URL")\n',
    }, ["CL111", "CL112"])


def test_a_client_built_in_init_of_a_class_a_handler_builds_per_request(tmp_path: Path) -> None:
    """aliammari1/pulmocare (held-out labels): ``AppointmentService()`` in each handler of another
    module, its ``__init__`` building an ``httpx.AsyncClient``: a new pool per request (CL121);
    built once at module level, or in a CLI, it is kept."""
    service = """import httpx


class AppointmentService:
    def __init__(self):
        self.client = httpx.AsyncClient(base_url="http://appointments:8000", timeout=30.0)  # expect: CL121

    async def upcoming(self, doctor_id):
        return (await self.client.get(f"/doctors/{doctor_id}/upcoming")).json()


class ReportService:
    def __init__(self):
        self.client = httpx.AsyncClient(base_url="http://reports:8000", timeout=30.0)

    async def latest(self):
        return (await self.client.get("/reports/latest")).json()


class IdleService:
    def __init__(self):
        self.client = httpx.AsyncClient(timeout=30.0)  # never used: a pool that opens nothing
"""
    _check(tmp_path, {
        "app/services/appointment_service.py": service,
        "app/routes/integration.py": """from fastapi import APIRouter
from app.services.appointment_service import AppointmentService, IdleService, ReportService

router = APIRouter()
reports = ReportService()


@router.get("/doctors/{doctor_id}/upcoming")
async def upcoming(doctor_id: str):
    service = AppointmentService()
    IdleService()
    return await service.upcoming(doctor_id)
""",
    }, ["CL121"])


def test_names_a_module_takes_from_star_imports(tmp_path: Path) -> None:
    """shreyash53/MLOPS-Distributed-Platform (held-out labels): ``requests`` reaches a Flask gateway
    through two ``from x import *``; a topic constant through one. Names the module binds itself
    are its own."""
    _check(tmp_path, {
        "gateway/uploads/validate.py": "import requests\n\n\ndef validate(x):\n    return bool(x)\n",
        "gateway/uploads/upload.py": "from uploads.validate import *\n\nMAX = 10\n",
        "gateway/constants.py": 'TOPIC_SCHEDULE = "topic_schedule"\n',
        "gateway/app.py": """from flask import Flask
from uploads.upload import *
from constants import *
from kafka import KafkaProducer

app = Flask(__name__)
producer = KafkaProducer(bootstrap_servers="kafka:9092")


@app.route("/deploy", methods=["POST"])
def deploy():
    r = requests.post("http://scheduler:5000/schedule", json={"max": MAX}, timeout=5)
    producer.send(TOPIC_SCHEDULE, key=b"k", value=b"{}")  # expect: CL215
    return r.json()


@app.route("/status")
def status():
    return requests.get("http://nodes:5000/status").json()  # expect: CL101
""",
        "gateway/local.py": """from uploads.upload import *


class requests:  # its own name: not the library's
    @staticmethod
    def get(url):
        return url


def f():
    return requests.get("http://nodes:5000/status")
""",
    }, ["CL101", "CL215"])


def test_a_factory_of_the_module_each_caller_uses_once(tmp_path: Path) -> None:
    """MicroServices-Project-Org/Python-Microservices (held-out labels): ``async with get_client() as
    client`` in each call, ``get_client()`` returning a new ``httpx.AsyncClient``: the calls are
    followed into the factory (its base URL, timeout and headers) and the pool is per call (CL121).
    A factory whose client a class keeps is built once per instance."""
    _check(tmp_path, {
        "app/clients/inventory.py": """import httpx
from app.config import settings


def get_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=settings.INVENTORY_SERVICE_URL, timeout=5.0)  # expect: CL121


async def check_stock(product_id: str) -> bool:
    async with get_client() as client:
        r = await client.get(f"/api/inventory/{product_id}/check")  # expect: CL111, CL112
        return r.json()["in_stock"]
""",
        "app/clients/kept.py": """import httpx


def make_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url="http://catalog:8000", timeout=5.0,
                             headers={"X-Request-ID": "r", "X-Caller-Service": "orders"})


class Catalog:
    def __init__(self):
        self.client = make_client()

    async def item(self, item_id):
        return (await self.client.get(f"/items/{item_id}")).json()
""",
        "app/config.py": "import os\n\n\nclass Settings:\n    INVENTORY_SERVICE_URL = os.getenv('INVENTORY_SERVICE_URL')\n\n\nsettings = Settings()\n",
    }, ["CL101", "CL111", "CL112", "CL121"])


def test_a_client_a_function_assigns_to_a_global_is_the_modules_client(tmp_path: Path) -> None:
    """MicroServices-Project-Org/Python-Microservices (held-out labels): ``global http_client;
    http_client = httpx.AsyncClient(...)`` in the app's lifespan, used by the proxy helper: its calls
    are the client's (the gateway forwards the incoming headers, without an X-Caller-Service of its
    own: CL112), and the client is built once (no CL121)."""
    _check(tmp_path, {"api-gateway/app/main.py": """from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request

http_client: httpx.AsyncClient | None = None


@asynccontextmanager
async def lifespan(app):
    global http_client
    http_client = httpx.AsyncClient(timeout=10.0)
    yield
    await http_client.aclose()


app = FastAPI(lifespan=lifespan)


async def proxy(request: Request, service_url: str, path: str):
    headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
    return await http_client.request(method=request.method, url=f"{service_url}/api/{path}", headers=headers)  # expect: CL112


@app.api_route("/orders/{path:path}", methods=["GET", "POST"])
async def orders(request: Request, path: str):
    return await proxy(request, "http://order-service:8000", path)
"""}, ["CL101", "CL111", "CL112", "CL121"])


def test_a_table_of_names_keeps_its_text_entries() -> None:
    s = summarize("config.py", 'TOPICS = {"audit": "healthcare.audit", "Dlq": "x.dlq", "n": 3, **EXTRA}\n')
    assert s is not None
    table = s.consts["TOPICS"]
    assert table.kind == "dict" and table.value == ("audit", "dlq", "n") and not table.complete
    assert dict(table.items) == {"audit": "healthcare.audit", "Dlq": "x.dlq"}  # the keys as written


def test_a_helper_only_scripts_call_once_is_judged_again_when_a_handler_calls_it(tmp_path: Path) -> None:
    """CL121 leaves out a library helper whose only callers are scripts' `main`; the search of its
    callers is a dependency of the result, so a request handler added later brings the finding back
    (with the cache), and a script outside the folder the package is imported from is not read."""
    root = tmp_path / "tree"
    helper = "import requests\n\n\ndef registry_up():\n    return requests.get('http://registry:8081/', timeout=3).ok\n"
    write_tree(root, {
        "svc/pipeline/__init__.py": "",
        "svc/pipeline/guard.py": helper,
        "svc/register.py": "from pipeline.guard import registry_up\n\n\ndef main():\n    print(registry_up())\n\n\n"
                           "if __name__ == '__main__':\n    main()\n",
        "elsewhere/poll.py": "from pipeline.guard import registry_up\n\nwhile True:\n    registry_up()\n",
    })
    cache = tmp_path / "cache"
    assert found(run(root, {"select": ["CL121"]}, cache_dir=cache)) == set()
    (root / "svc" / "api.py").write_text("from fastapi import FastAPI\nfrom pipeline.guard import registry_up\n\n"
                                         "app = FastAPI()\n\n\n@app.get('/v1/health')\ndef health():\n"
                                         "    return {'ok': registry_up()}\n")
    assert found(run(root, {"select": ["CL121"]}, cache_dir=cache)) == {("svc/pipeline/guard.py", 5, "CL121")}


def test_the_folder_a_module_is_imported_from_stays_in_the_tree(tmp_path: Path) -> None:
    from commlint.analyses.script_callers import _import_root

    write_tree(tmp_path, {"__init__.py": "", "tree/__init__.py": "", "tree/a/__init__.py": "", "tree/a/b/__init__.py": "",
                          "tree/a/b/m.py": "", "tree/c/m.py": ""})
    root = tmp_path / "tree"
    assert _import_root(root / "a" / "b" / "m.py", root) == root  # packages up to the tree's root, not above
    assert _import_root(root / "c" / "m.py", root) == root / "c"  # not a package: its own folder
