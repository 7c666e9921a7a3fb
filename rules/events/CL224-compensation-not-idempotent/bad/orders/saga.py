class OrderSaga:
    def __init__(self, payments: PaymentsClient, inventory: InventoryClient) -> None:
        self.payments = payments
        self.inventory = inventory
        self.steps = [
            SagaStep(action=self.reserve, compensation=self.release, timeout=5),
            SagaStep(action=self.charge, compensation=self.refund, timeout=5),
        ]

    async def reserve(self, order: Order) -> None:
        await self.inventory.reserve(order.order_id, order.items)

    async def release(self, order: Order) -> None:  # expect: CL224
        await self.inventory.release(order.order_id, order.items)

    async def charge(self, order: Order) -> None:
        await self.payments.charge(order.order_id, order.total)

    async def refund(self, order: Order) -> None:  # expect: CL224
        logger.info("refunding", order_id=order.order_id)
        await self.payments.refund(order.order_id, order.total)
