import os

import grpc
import httpx

client = httpx.Client(base_url="http://inventory.inventory-prod.svc.cluster.local", timeout=5)
channel = grpc.insecure_channel("dns:///payments.payments-prod.svc.cluster.local:50051")
sidecar = httpx.Client(base_url="http://127.0.0.1:3500", timeout=5)
local = grpc.insecure_channel("[::]:8080")  # the unspecified address: this host
other = httpx.Client(base_url=os.environ["SHIPPING_URL"], timeout=5)


def version(host):
    return httpx.get(f"http://{host}/version", timeout=5)
