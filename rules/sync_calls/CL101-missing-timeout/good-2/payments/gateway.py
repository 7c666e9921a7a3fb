import aiohttp
import grpc
import urllib.request
from http.client import HTTPSConnection

import inventory_pb2
import inventory_pb2_grpc

TIMEOUT = aiohttp.ClientTimeout(total=10, sock_connect=2, sock_read=5)


async def charge(url, body):
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.post(url, json=body) as resp:
            return await resp.json()


def legacy(url):
    return urllib.request.urlopen(url, None, 5).read()


def bank():
    conn = HTTPSConnection("bank.payments-prod.svc.cluster.local", timeout=5)
    conn.request("GET", "/v1/health")


def stock(product_id):
    channel = grpc.insecure_channel("inventory.inventory-prod.svc.cluster.local:50051")
    stub = inventory_pb2_grpc.InventoryServiceStub(channel)
    return stub.CheckStock(inventory_pb2.CheckStockRequest(product_id=product_id), timeout=5)
