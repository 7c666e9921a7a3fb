"""A helper that leaves the timeout to its callers."""
import requests


def fetch(url: str, timeout=None):
    return requests.get(url, timeout=timeout)
