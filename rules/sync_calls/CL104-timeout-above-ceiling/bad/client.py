import httpx
import requests

READ = 60

client = httpx.Client(timeout=httpx.Timeout(connect=2.0, read=READ, write=5.0, pool=10.0))  # expect: CL104


def fetch(url):
    return requests.get(url, timeout=(2, 30))  # expect: CL104


def report(url):
    return requests.get(url, timeout=2 * 60)  # expect: CL104
