"""The notification service's HTTP API."""

from fastapi import FastAPI

app = FastAPI()


@app.post("/v1/notifications")
def send_notification(notification: dict):
    return {"queued": True}
