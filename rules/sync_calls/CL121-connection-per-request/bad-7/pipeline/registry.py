"""The same helpers, one of them also called by a request handler of the service."""
import json
from urllib import request

REGISTRY_URL = "http://schema-registry:8081"


def registry_up() -> bool:
    try:
        with request.urlopen(f"{REGISTRY_URL}/subjects", timeout=3) as resp:  # expect: CL121
            return 200 <= resp.status < 300
    except OSError:
        return False


def register(subject: str, schema: dict) -> dict:
    req = request.Request(f"{REGISTRY_URL}/subjects/{subject}/versions", data=json.dumps(schema).encode(),
                          method="POST")
    with request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def ensure_registered() -> list[str]:
    if not registry_up():
        return ["registry offline"]
    subjects = {"orders-value": {"type": "object"}, "payments-value": {"type": "object"}}
    done = []
    for name, schema in subjects.items():
        done.append(str(register(name, schema)))
    return done
