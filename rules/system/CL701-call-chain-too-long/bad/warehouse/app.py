import requests
from flask import Flask

app = Flask(__name__)


def supplier_quote(product_id):
    return requests.get(f"http://supplier.partners.svc.cluster.local/v1/quotes/{product_id}", timeout=5).json()


@app.route("/v1/bins/<product_id>")
def bins(product_id):
    return {"bins": [], "quote": supplier_quote(product_id)}
