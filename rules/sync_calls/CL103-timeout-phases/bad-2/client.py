import httpx
import requests

client = httpx.Client(timeout=5.0)  # expect: CL103


def fetch(url):
    return requests.get(url, timeout=5)  # expect: CL103
