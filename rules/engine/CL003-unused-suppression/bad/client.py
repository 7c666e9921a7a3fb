import requests

def fetch(url):
    return requests.get(url, timeout=5)  # commlint: ignore[CL101] -- legacy  # expect: CL003
