import aiohttp
import grpc
import urllib.request
from http.client import HTTPSConnection

import inventory_pb2
import inventory_pb2_grpc


async def charge(url, body):
    async with aiohttp.ClientSession() as session:  # expect: CL101
        async with session.post(url, json=body) as resp:
            return await resp.json()


def legacy(url):
    return urllib.request.urlopen(url).read()  # expect: CL101


def bank():
    conn = HTTPSConnection("bank.payments-prod.svc.cluster.local")  # expect: CL101
    conn.request("GET", "/v1/health")


def stock(product_id):
    channel = grpc.insecure_channel("inventory.inventory-prod.svc.cluster.local:50051")
    stub = inventory_pb2_grpc.InventoryServiceStub(channel)
    return stub.CheckStock(inventory_pb2.CheckStockRequest(product_id=product_id))  # expect: CL101
