"""Deliver a request's notifications once, after all its commits (a scan of
500 parcels commits 500 times; one batched delivery fits in API Gateway's 30 s)."""

from .services import batched_delivery


class DeliverNotificationsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with batched_delivery():
            return self.get_response(request)
