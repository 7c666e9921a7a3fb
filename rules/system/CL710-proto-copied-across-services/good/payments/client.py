"""Payments calls OrderService with stubs generated from the same contract."""
import grpc

from orders.v1 import orders_pb2, orders_pb2_grpc

channel = grpc.insecure_channel("orders:50051")
stub = orders_pb2_grpc.OrderServiceStub(channel)


def order_amount(order_id: str) -> int:
    return stub.GetOrder(orders_pb2.GetOrderRequest(order_id=order_id), timeout=2.0).amount
