"""A gateway passing the incoming request's headers on whole: the X-Request-ID it received goes with them."""

import httpx
import requests
from fastapi import FastAPI, Request
from flask import Flask, request

app = Flask(__name__)
api = FastAPI()
client = httpx.AsyncClient(base_url="http://orders:8000", timeout=2.0)


@app.get("/orders/<order_id>")
def order(order_id: str):
    return requests.get(f"http://orders:8000/orders/{order_id}", headers=request.headers, timeout=2).json()


@api.get("/stock/{sku}")
async def stock(sku: str, incoming: Request):
    response = await client.get(f"/stock/{sku}", headers={**incoming.headers, "X-Caller-Service": "gateway"})
    return response.json()
