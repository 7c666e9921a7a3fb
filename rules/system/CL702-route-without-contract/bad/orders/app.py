from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter(prefix="/v1/orders")


@router.get("/{order_id}")
def get_order(order_id: str):
    return {}


@router.delete("/{order_id}")  # expect: CL702
def delete_order(order_id: str):
    return {}
