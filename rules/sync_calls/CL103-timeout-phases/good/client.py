import aiohttp
import grpc
import httpx
import requests
import urllib3

import inventory_pb2_grpc

pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=5.0))
session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10, sock_connect=2, sock_read=5))
client = httpx.Client(timeout=httpx.Timeout(connect=2.0, read=5.0, write=5.0, pool=10.0))
stub = inventory_pb2_grpc.InventoryServiceStub(grpc.insecure_channel("inventory.inventory-prod:50051"))


def fetch(url, request):
    stub.CheckStock(request, timeout=5)
    requests.get(url, timeout=5)
    return requests.get(url, timeout=(2, 5))
