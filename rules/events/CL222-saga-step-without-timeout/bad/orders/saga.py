class OrderSaga:
    steps = [
        SagaStep(action=reserve_stock, compensation=release_stock),  # expect: CL222
        SagaStep(action=charge_payment, compensation=refund_payment),  # expect: CL222
        SagaStep(action=confirm_order, compensation=cancel_order),  # expect: CL222
    ]

    async def execute(self, order):
        for step in self.steps:
            await step.action(order)
