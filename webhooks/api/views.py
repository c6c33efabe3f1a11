"""The webhook API: HQ only (with its second factor where required). Views
validate with a serializer and call webhooks.services; the delivery log is
read through webhooks.selectors."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import NewestFirstCursorPagination
from api.permissions import SECOND_FACTOR_MESSAGE, IsNetworkStaff
from api.schema import error_responses
from offices import access
from webhooks import selectors, services
from webhooks.models import Attempt, Subscription

from . import serializers as api


class MayManageWebhooks(BasePermission):
    message = "Partner webhooks are HQ's."

    def has_permission(self, request, view):
        if access.may_manage_webhooks(request.user):
            return True
        if access.lacks_second_factor(request.user):
            self.message = SECOND_FACTOR_MESSAGE
        return False


class _WebhookView:
    permission_classes = [IsNetworkStaff, MayManageWebhooks]

    def subscription(self) -> Subscription:
        return get_object_or_404(Subscription, pk=self.kwargs["pk"])  # type: ignore[attr-defined]


class NewestAttemptCursorPagination(NewestFirstCursorPagination):
    ordering = ("-id",)


@extend_schema(tags=["webhooks"])
class WebhookListCreateView(_WebhookView, generics.ListAPIView):
    serializer_class = api.SubscriptionSerializer
    pagination_class = NewestAttemptCursorPagination

    def get_queryset(self):
        return selectors.subscription_list()

    @extend_schema(
        summary="Partner webhook subscriptions",
        responses={200: api.SubscriptionSerializer(many=True), **error_responses(400, 401, 403, 429)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Subscribe an endpoint (the answer holds its secret, this once)",
        request=api.SubscriptionSerializer,
        responses={201: api.SubscriptionCreatedSerializer, **error_responses(400, 401, 403, 429)},
    )
    def post(self, request):
        serializer = api.SubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.subscription_create(**serializer.validated_data)
        return Response(api.SubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["webhooks"])
class WebhookDetailView(_WebhookView, APIView):
    @extend_schema(responses={200: api.SubscriptionSerializer, **error_responses(401, 403, 404, 429)})
    def get(self, request, pk):
        return Response(api.SubscriptionSerializer(self.subscription()).data)

    @extend_schema(
        summary="Change a subscription (active: true turns one the deliveries turned off on again)",
        request=api.SubscriptionSerializer,
        responses={200: api.SubscriptionSerializer, **error_responses(400, 401, 403, 404, 429)},
    )
    def patch(self, request, pk):
        subscription = self.subscription()
        serializer = api.SubscriptionSerializer(subscription, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        subscription = services.subscription_update(subscription=subscription, **serializer.validated_data)
        return Response(api.SubscriptionSerializer(subscription).data)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404, 429)})
    def delete(self, request, pk):
        services.subscription_delete(subscription=self.subscription())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["webhooks"],
    summary="The delivery log: every attempt, newest first",
    responses={200: api.DeliverySerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
)
class WebhookDeliveriesView(_WebhookView, generics.ListAPIView):
    serializer_class = api.DeliverySerializer
    pagination_class = NewestAttemptCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generator: no subscription
            return Attempt.objects.none()
        return selectors.delivery_log(self.subscription())


@extend_schema(
    tags=["webhooks"],
    summary="Send again: one message (webhook_id) or every failed one since a time",
    request=api.RedeliverSerializer,
    responses={200: api.RedeliveredSerializer, **error_responses(400, 401, 403, 404, 429)},
)
class WebhookRedeliverView(_WebhookView, APIView):
    def post(self, request, pk):
        subscription = self.subscription()
        serializer = api.RedeliverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.messages_redeliver(subscription=subscription, **serializer.validated_data)
        return Response(api.RedeliveredSerializer({"redelivered": count}).data)


@extend_schema(
    tags=["webhooks"],
    summary="Send a webhook.test event now; the answer shows how it went",
    request=None,
    responses={201: api.TestEventSerializer, **error_responses(401, 403, 404, 429)},
)
class WebhookTestView(_WebhookView, APIView):
    def post(self, request, pk):
        message = services.subscription_send_test(subscription=self.subscription())
        return Response(api.TestEventSerializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["webhooks"],
    summary="A new secret (shown this once); the old one signs too for a day",
    request=None,
    responses={200: api.SecretSerializer, **error_responses(401, 403, 404, 429)},
)
class WebhookRotateSecretView(_WebhookView, APIView):
    def post(self, request, pk):
        subscription = self.subscription()
        secret = services.subscription_rotate_secret(subscription=subscription)
        subscription.refresh_from_db()
        return Response(
            api.SecretSerializer({"secret": secret, "previous_secret_until": subscription.previous_secret_until}).data
        )
