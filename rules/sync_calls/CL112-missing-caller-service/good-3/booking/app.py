import os

from flask import Flask, request

from invokes import invoke_http

app = Flask(__name__)
booking_url = os.environ.get("bookingURL") or "http://booking:5000/"


@app.route("/book", methods=["POST"])
def book():
    slot = request.get_json()
    ids = {"X-Request-ID": request.headers.get("X-Request-ID", ""), "X-Caller-Service": "booking-ui"}
    result = invoke_http(booking_url + "slots", method="PUT", json=slot, timeout=5, headers=ids)
    weather = invoke_http("https://api.weather.example.com/today", timeout=5)  # a third party
    return {"booking": result, "weather": weather}
