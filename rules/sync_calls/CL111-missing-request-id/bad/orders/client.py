import grpc
import httpx
import requests

import inventory_pb2_grpc

HEADERS = {"Accept": "application/json", "X-Caller-Service": "order-service"}
client = httpx.Client(base_url="http://inventory.inventory-prod.svc.cluster.local", timeout=5, headers=HEADERS)
stub = inventory_pb2_grpc.InventoryServiceStub(grpc.insecure_channel("inventory.inventory-prod:50051"))


def stock(product_id):
    return client.get(f"/v1/products/{product_id}/stock")  # expect: CL111


def reserve(session: requests.Session, url, request_id):
    session = requests.Session()
    session.headers.update({"X-Caller-Service": "order-service"})
    return session.post("http://inventory.inventory-prod/v1/reservations", timeout=5)  # expect: CL111


def check(request):
    return stub.CheckStock(request, timeout=5, metadata=[("x-caller-service", "order-service")])  # expect: CL111
