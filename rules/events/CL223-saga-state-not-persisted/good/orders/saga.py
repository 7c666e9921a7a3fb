# Order saga orchestrator — its progress is saved after every step, so it can resume.
class OrderSaga:
    steps = [
        SagaStep(action=reserve_stock, compensation=release_stock, timeout=5),
        SagaStep(action=charge_payment, compensation=refund_payment, timeout=5),
        SagaStep(action=confirm_order, compensation=cancel_order, timeout=5),
    ]

    def __init__(self, store: SagaStore) -> None:
        self.store = store

    async def execute(self, order: Order) -> SagaResult:
        state = await self.store.load(order.order_id)
        for step in self.steps[len(state.completed):]:
            try:
                await step.action(order)
                await self.store.save(order.order_id, completed=step.name)
            except SagaStepError as err:
                for done in reversed(state.completed_steps(self.steps)):
                    await done.compensation(order)
                    await self.store.save(order.order_id, compensated=done.name)
                return SagaResult(status="rolled_back", failed_step=step, error=err)
        return SagaResult(status="completed")
