"""A command-line script trying a few fallback URLs written in the code, once each
(Tech-hub-bytes/healthcare-event-pipeline-kafka-python's refresh_chatbot.py)."""
import os
import urllib.request

CANDIDATES = [
    os.getenv("CHATBOT_APP_URL", ""),
    "http://chatbot:8080",
    "http://chatbot-fallback:8080",
]


def post_refresh(base_url):
    req = urllib.request.Request(base_url + "/api/refresh", method="POST", data=b"{}")
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.status


def main():
    for base in CANDIDATES:
        if base and post_refresh(base) == 200:
            return


if __name__ == "__main__":
    main()
