from django.apps import AppConfig


class CounterConfig(AppConfig):
    name = "counter"
    verbose_name = "Counter money"

    def ready(self) -> None:
        from shipments.guards import add_after_step, add_step_guard
        from shipments.statuses import Status

        from .cod import refund_cod_fee
        from .services import step_guard

        def refund_fee_on_cancel(package, status):
            if status == Status.CANCELLED:
                refund_cod_fee(package)

        add_step_guard(step_guard)
        add_after_step(refund_fee_on_cancel)
