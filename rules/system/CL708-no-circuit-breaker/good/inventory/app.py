from fastapi import FastAPI

app = FastAPI()


@app.get("/v1/products/{product_id}/stock")
def stock(product_id: str):
    return {"product_id": product_id, "available": 3}
