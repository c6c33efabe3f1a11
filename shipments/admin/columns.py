"""What the package list and page show: columns and read-only facts, formatted for a clerk."""

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from ..times import local_time, package_zone


class PackageColumnsMixin:
    @admin.display(description="From", ordering="origin_office__code")
    def origin(self, package):
        return package.origin_office.code

    @admin.display(description="At")
    def current(self, package):
        return package.current_office.code if package.current_office_id else "in transit"

    @admin.display(description="To")
    def destination(self, package):
        return package.destination_office.code

    @admin.display(description="Direction")
    def direction(self, package):
        return "↩ returning to sender" if package.returning else "→ to receiver"

    @admin.display(description="Sender")
    def sender(self, package):
        return package.sender_name

    @admin.display(description="Receiver")
    def receiver(self, package):
        return package.receiver_name

    # Lists: the zone the admin runs in for the clerk (their office's).
    @admin.display(description="Registered", ordering="created_at")
    def registered(self, package):
        return local_time(package.created_at, format="SHORT_DATETIME_FORMAT")

    @admin.display(description="Expected")
    def expected(self, package):
        if package.expected_delivery_at is None:
            return "—"
        day = date_format(timezone.localtime(package.expected_delivery_at), "SHORT_DATE_FORMAT")
        if package.is_overdue(timezone.now()):
            return format_html('<span class="overdue" title="Past its expected delivery">{} overdue</span>', day)
        return day

    # The package page: where the package is (shipments.times.package_zone).
    @admin.display(description="Registered")
    def registered_time(self, package):
        return local_time(package.created_at, package_zone(package))

    @admin.display(description="Accepted")
    def accepted_time(self, package):
        return local_time(package.accepted_at, package_zone(package))

    @admin.display(description="Expected delivery")
    def expected_time(self, package):
        return local_time(package.expected_delivery_at, package_zone(package))

    @admin.display(description="Delivered")
    def delivered_time(self, package):
        return local_time(package.delivered_at, package_zone(package))

    @admin.display(description="Dimensions")
    def dimensions(self, package):
        return f"{package.length_cm} × {package.width_cm} × {package.height_cm} cm"

    @admin.display(description="Declared value")
    def declared_value_display(self, package):
        return f"{package.declared_value} {package.currency}"

    @admin.display(description="Breakdown")
    def cost_breakdown(self, package):
        parts = [
            ("Base", package.cost_base),
            ("Weight", package.cost_weight),
            (f"Distance ({package.distance_km} km)", package.cost_distance),
            ("Insurance", package.cost_insurance),
            ("Surcharges", package.cost_surcharges),
            ("Tax", package.cost_tax),
        ]
        rows = format_html_join("", "<tr><td>{}</td><td class='money'>{}</td></tr>", parts)
        return format_html(
            "<table class='cost-breakdown'>{}<tr class='total'><th>Total</th><th class='money'>{} {}</th></tr></table>",
            rows,
            package.cost_total,
            package.cost_currency,
        )

    @admin.display(description="Notifications")
    def sender_notifications(self, package):
        return _channels(package.sender_notify_sms, package.sender_notify_email)

    @admin.display(description="Notifications")
    def receiver_notifications(self, package):
        return _channels(package.receiver_notify_sms, package.receiver_notify_email)


def _channels(sms: bool, email: bool) -> str:
    chosen = [name for name, wanted in (("SMS", sms), ("email", email)) if wanted]
    return ", ".join(chosen) if chosen else "none"
