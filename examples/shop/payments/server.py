"""The payment service: a gRPC server."""

from concurrent import futures

import grpc
import httpx

import payments_pb2
import payments_pb2_grpc

notifications = httpx.Client(
    base_url="http://notifications.notifications-prod.svc.cluster.local",
    timeout=httpx.Timeout(connect=2.0, read=5.0, write=5.0, pool=5.0),
)


def notify(customer_id, request_id):
    notifications.post(
        "/v1/notifications",
        json={"customer_id": customer_id, "template": "payment-held"},
        headers={"X-Request-ID": request_id, "X-Caller-Service": "payment-service"},
    )


class PaymentService(payments_pb2_grpc.PaymentServiceServicer):
    def Authorize(self, request, context):
        request_id = dict(context.invocation_metadata()).get("x-request-id", "")
        notify(request.customer_id, request_id)
        return payments_pb2.AuthorizeResponse(approved=True)

    def Refund(self, request, context):
        return payments_pb2.RefundResponse()


def serve():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))  # expect: CL703
    payments_pb2_grpc.add_PaymentServiceServicer_to_server(PaymentService(), server)
    server.add_insecure_port("[::]:50051")
    server.start()
    server.wait_for_termination()
