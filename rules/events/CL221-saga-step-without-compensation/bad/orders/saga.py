class OrderSaga:
    steps = [
        SagaStep(action=reserve_stock, compensation=release_stock),
        SagaStep(action=charge_payment),  # expect: CL221
        SagaStep(action=confirm_order, compensation=None),  # expect: CL221
    ]


class ShippingSaga:
    steps = [
        {"action": book_courier, "compensation": cancel_courier},
        {"action": notify_customer},  # expect: CL221
    ]
