import requests


def invoke_http(url, method="GET", json=None, **kwargs):
    """The caller's keyword arguments (timeout=, headers=) go to the request."""
    r = requests.request(method, url, json=json, **kwargs)
    return r.json()
