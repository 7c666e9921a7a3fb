# Order saga orchestrator — coordinates the multi-step transaction.
class OrderSaga:  # expect: CL223
    steps = [
        SagaStep(action=reserve_stock, compensation=release_stock, timeout=5),
        SagaStep(action=charge_payment, compensation=refund_payment, timeout=5),
        SagaStep(action=confirm_order, compensation=cancel_order, timeout=5),
    ]

    async def execute(self, order: Order) -> SagaResult:
        completed = []
        for step in self.steps:
            try:
                await step.action(order)
                completed.append(step)
            except SagaStepError as err:
                # Compensate in reverse order.
                for completed_step in reversed(completed):
                    await completed_step.compensation(order)
                return SagaResult(status="rolled_back", failed_step=step, error=err)
        return SagaResult(status="completed")
