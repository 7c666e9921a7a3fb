"""The order saga, orchestrated by the order service."""

from .steps import SagaStep, cancel_order, charge_payment, confirm_order, release_stock, reserve_stock


class OrderSaga:
    steps = [
        SagaStep(action=reserve_stock, compensation=release_stock, timeout=5.0),
        SagaStep(action=charge_payment, timeout=5.0),  # expect: CL221
        SagaStep(action=confirm_order, compensation=cancel_order),  # expect: CL222
    ]
