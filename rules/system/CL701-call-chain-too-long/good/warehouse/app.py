from flask import Flask

app = Flask(__name__)


@app.route("/v1/bins/<product_id>")
def bins(product_id):
    return {"bins": []}
