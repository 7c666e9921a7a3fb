import os

import requests
from flask import Flask, request

from invokes import invoke_http

app = Flask(__name__)
booking_url = os.environ.get("bookingURL") or "http://booking:5000/"


@app.route("/book", methods=["POST"])
def book():
    slot = request.get_json()
    try:
        result = invoke_http(booking_url + "slots", method="PUT", json=slot, timeout=5)  # expect: CL111
    except requests.RequestException:
        return {"error": "booking service unavailable"}, 503
    patient_url = os.environ.get("patientURL") or "http://patient:5051/"
    patient = invoke_http(patient_url + str(slot["pid"]), timeout=5)  # expect: CL111
    return {"booking": result, "patient": patient}
