"""List every outbound call, client construction and Kafka consumer/producer site commlint's
models see in a tree (production files only, by commlint's file roles), with a line of
context: the worklist for labelling a corpus by hand (bench/labels/*.csv).

    python bench/list_sites.py /tmp/corpus/<repo>            # nothing in the tree is run
"""

from __future__ import annotations

import sys
from pathlib import Path

from commlint.analyses.http import http_calls
from commlint.artifacts import python
from commlint.artifacts.roles import conventional_role


def main(root: str) -> None:
    top = Path(root)
    for path in sorted(top.rglob("*.py")):
        rel = path.relative_to(top).as_posix()
        if any(p in (".venv", "venv", "node_modules", "site-packages") for p in path.parts):
            continue
        role = conventional_role(rel)
        data = path.read_bytes()
        if not any(w in data for w in (b"requests", b"httpx", b"aiohttp", b"urllib", b"grpc", b"kafka", b"faust")):
            continue
        try:
            module = python.parse(rel, python.decode(data))
        except Exception:  # noqa: BLE001
            continue
        lines = module.text.splitlines()
        for c in http_calls(module):
            line = module.span(c.node)[0]
            print(f"{role}\t{rel}:{line}\t{c.role}\t{c.qualname}\t{lines[line - 1].strip()[:110]}")
        for i, text in enumerate(lines, 1):
            if any(k in text for k in ("KafkaConsumer(", "Consumer(", "KafkaProducer(", "Producer(", ".subscribe(",
                                       "async for ", ".poll(", ".send(", ".produce(", "send_and_wait(")):
                if "kafka" in module.text.lower():
                    print(f"{role}\t{rel}:{i}\tkafka\t-\t{text.strip()[:110]}")


if __name__ == "__main__":
    main(sys.argv[1])
