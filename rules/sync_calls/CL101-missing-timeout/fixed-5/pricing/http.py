"""Shared request helpers: partials of requests, one binding a timeout and one not."""
from functools import partial

import requests

get_json = partial(requests.get, headers={"Accept": "application/json"})
get_bounded = partial(requests.get, timeout=(2, 5))
