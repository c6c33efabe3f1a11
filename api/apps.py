import os

from django.apps import AppConfig

# Lambda's init phases that are paid once for many starts: snapshotted (SnapStart)
# or kept ready (provisioned concurrency). "on-demand" is a plain cold start.
# https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
INIT_PAID_ONCE = {"snap-start", "provisioned-concurrency"}


class ApiConfig(AppConfig):
    """The REST API's shared machinery: authentication, errors, pagination,
    throttling, permissions and the /api/v1/ URL root. The endpoints themselves
    live in each app's ``api`` package."""

    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        # The API's URLs load on first use (config/urls.py), so an on-demand cold
        # start that answers /healthz does not import DRF's stack. When Lambda's init
        # phase is paid once (Zappa builds Django in it, INSTANTIATE_LAMBDA_HANDLER_ON_IMPORT),
        # every view loads now instead, and the first API request after a restore is warm.
        if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") in INIT_PAID_ONCE:
            from django.urls import get_resolver

            get_resolver().reverse_dict  # noqa: B018 (building it imports every URL module)
