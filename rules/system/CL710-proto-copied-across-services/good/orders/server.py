"""Orders serves OrderService, with stubs generated from contracts/orders/v1/orders.proto."""
from orders.v1 import orders_pb2_grpc


class OrderService(orders_pb2_grpc.OrderServiceServicer):
    def GetOrder(self, request, context):
        return context.abort(5, "not found")
