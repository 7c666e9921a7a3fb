from fastapi import FastAPI

from pipeline.registry import registry_up

app = FastAPI()


@app.get("/v1/health")
def health() -> dict:
    return {"registry_ok": registry_up()}
