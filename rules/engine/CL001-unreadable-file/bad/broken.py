import requests
def fetch(:  # expect: CL001
