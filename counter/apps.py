from typing import Any

from django.apps import AppConfig

# The steps counter.selectors.step_guard looks at: accepting (paid?), delivering
# (COD collected?), and any other step of a parcel that may hold a COD (it is given back first).
GUARDED_STEPS = frozenset({"accepted", "delivered"})
MAY_HOLD_COD = frozenset({"out_for_delivery", "ready_for_pickup", "delayed"})  # counter.rules.COD_COLLECTABLE


def _step_guard(package: Any, status: str, office: Any) -> list[Any]:
    """counter.selectors.step_guard, imported on the first step it concerns (not on every cold start)."""
    if status not in GUARDED_STEPS and (package.status not in MAY_HOLD_COD or status == "delayed"):
        return []
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
