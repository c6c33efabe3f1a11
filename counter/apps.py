from typing import Any

from django.apps import AppConfig


def _step_guard(package: Any, status: str, office: Any) -> list[Any]:
    """counter.selectors.step_guard, imported on the first step (not on every cold start)."""
    from .selectors import step_guard

    return step_guard(package, status, office)


def _with_account(package_ids: list[int]) -> set[int]:
    """The packages registered at a counter (with an account): the only ones the guard and the hook concern."""
    from .models import PackageAccount

    return set(PackageAccount.objects.filter(package_id__in=package_ids).values_list("package_id", flat=True))


def _refund_fee_on_cancel(package: Any, status: str) -> None:
    if status == "cancelled":
        from .cod import refund_cod_fee

        refund_cod_fee(package)


class CounterConfig(AppConfig):
    name = "counter"
    verbose_name = "Counter money"

    def ready(self) -> None:
        from shipments.guards import add_after_step, add_concerned, add_step_guard

        add_step_guard(_step_guard)
        add_after_step(_refund_fee_on_cancel)
        add_concerned(_with_account)
