import grpc
import httpx

INVENTORY = "http://10.0.12.7:8080"  # expect: CL122
client = httpx.Client(base_url="http://[fd00::12]:8080", timeout=5)  # expect: CL122
channel = grpc.insecure_channel("10.0.12.9:50051")  # expect: CL122


def stock(product_id):
    return httpx.get(f"{INVENTORY}/v1/products/{product_id}", timeout=5)


def pay(port):
    return httpx.post(f"https://payments-1234.elb.us-east-1.amazonaws.com:{port}/v1/charges", timeout=5)  # expect: CL122
