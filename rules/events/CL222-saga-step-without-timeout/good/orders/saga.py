import asyncio


class OrderSaga:
    steps = [
        SagaStep(action=reserve_stock, compensation=release_stock, timeout=5.0),
        SagaStep(action=charge_payment, compensation=refund_payment, timeout=10.0),
    ]


class ShippingSaga:
    steps = [
        SagaStep(action=book_courier, compensation=cancel_courier),
    ]

    async def execute(self, order):
        for step in self.steps:
            await asyncio.wait_for(step.action(order), timeout=30)
