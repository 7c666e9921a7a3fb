from fastapi import APIRouter

router = APIRouter(prefix="/v1/orders")


@router.get("/{order_id}")
def get_order(order_id: str):
    return {}


@router.delete("/{id}")
def delete_order(id: str):
    return {}
