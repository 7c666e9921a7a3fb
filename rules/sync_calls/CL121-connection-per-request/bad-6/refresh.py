"""The same script, walking a list it reads at run time: a connection per item."""
import json
import urllib.request


def post_refresh(base_url):
    req = urllib.request.Request(base_url + "/api/refresh", method="POST", data=b"{}")
    with urllib.request.urlopen(req, timeout=60) as resp:  # expect: CL121
        return resp.status


def main():
    with open("targets.json") as f:
        targets = json.load(f)
    for base in targets:
        post_refresh(base)


if __name__ == "__main__":
    main()
