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

    async def release(self, order: Order) -> None:
        reservation = await self.inventory.reservation(order.order_id)
        if reservation.status == "released":
            return  # already compensated
        await self.inventory.release(order.order_id, order.items)

    async def charge(self, order: Order) -> None:
        await self.payments.charge(order.order_id, order.total)

    async def refund(self, order: Order) -> None:
        # the payments service deduplicates refunds by this key
        await self.payments.refund(order.order_id, order.total, idempotency_key=f"refund-{order.order_id}")
