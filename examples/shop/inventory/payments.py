"""A synchronous gRPC call to the payment service to hold funds."""

import grpc

import payments_pb2
import payments_pb2_grpc

channel = grpc.insecure_channel("payments.payments-prod.svc.cluster.local:50051")
payments = payments_pb2_grpc.PaymentServiceStub(channel)


def authorize_hold(product_id, request_id):
    return payments.Authorize(
        payments_pb2.AuthorizeRequest(product_id=product_id),
        timeout=2.0,
        metadata=[("x-request-id", request_id), ("x-caller-service", "inventory-service")],
    )
