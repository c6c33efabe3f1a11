"""The package list's bulk moves: a status recorded for each selected package, each on its own."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from ..batches import package_move_batch
from ..statuses import Reason, Status

# The most packages one changelist action moves; bigger moves go through the scan page.
MAX_ACTION_PACKAGES = 500


class ReturnActionForm(ActionForm):
    """The actions' bar with the reason a return to sender needs."""

    reason = forms.ChoiceField(label="Reason (for a return)", choices=[("", "—"), *Reason.choices], required=False)


class BulkMovesMixin:
    def _bulk_move(self, request, queryset, status, reason=""):
        """Record ``status`` for each selected package, each on its own, and say what happened."""
        selected = list(queryset.order_by("pk")[: MAX_ACTION_PACKAGES + 1])
        if len(selected) > MAX_ACTION_PACKAGES:
            self.message_user(
                request,
                f"Select at most {MAX_ACTION_PACKAGES} packages at once; use the scan page for bigger batches.",
                messages.ERROR,
            )
            return
        results = package_move_batch(actor=request.user, packages=selected, status=status, reason=reason)
        done = [f"{r.tracking_number}{f' at {r.office.code}' if r.office else ''}" for r in results if r.done]
        refused = [f"{r.tracking_number}: {r.message}" for r in results if not r.done]
        label = Status(status).label.lower()
        if done:
            self.message_user(request, f"{len(done)} marked {label}: {', '.join(done)}.", messages.SUCCESS)
        if refused:
            shown = refused[:20]
            more = f" (and {len(refused) - 20} more)" if len(refused) > 20 else ""
            self.message_user(request, f"{len(refused)} refused{more}: " + " · ".join(shown), messages.WARNING)

    @admin.action(description="Accept at my office (sent)")
    def mark_accepted(self, request, queryset):
        self._bulk_move(request, queryset, Status.ACCEPTED)

    @admin.action(description="Mark in transit (leaving my office)")
    def mark_in_transit(self, request, queryset):
        self._bulk_move(request, queryset, Status.IN_TRANSIT)

    @admin.action(description="Mark arrived at my office (received)")
    def mark_arrived(self, request, queryset):
        self._bulk_move(request, queryset, Status.ARRIVED)

    @admin.action(description="Mark out for delivery from my office")
    def mark_out_for_delivery(self, request, queryset):
        self._bulk_move(request, queryset, Status.OUT_FOR_DELIVERY)

    @admin.action(description="Mark ready for pickup at my office")
    def mark_ready_for_pickup(self, request, queryset):
        self._bulk_move(request, queryset, Status.READY_FOR_PICKUP)

    @admin.action(description="Return to sender (with the reason chosen)")
    def return_to_sender(self, request, queryset):
        reason = request.POST.get("reason", "")
        if reason not in Reason.values:
            self.message_user(request, "Pick the reason for the return, then run the action again.", messages.ERROR)
            return
        self._bulk_move(request, queryset, Status.RETURN_STARTED, reason)
