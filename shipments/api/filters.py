"""Filters of the package lists. Offices are given by code; dates are whole
days in UTC; ``search`` finds a tracking number exactly or a sender/receiver
by part of their name."""

from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django.db.models import Q

from shipments.exceptions import InvalidTrackingNumber
from shipments.models import Package, Service
from shipments.statuses import Status
from shipments.tracking_numbers import normalize_tracking_number


def _start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class PackageFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    service = django_filters.ChoiceFilter(choices=Service.choices)
    origin_office = django_filters.CharFilter(field_name="origin_office__code", label="Origin office code")
    destination_office = django_filters.CharFilter(
        field_name="destination_office__code", label="Destination office code"
    )
    current_office = django_filters.CharFilter(field_name="current_office__code", label="Current office code")
    created_after = django_filters.DateFilter(
        method="filter_created_after", label="Registered on or after (YYYY-MM-DD)"
    )
    created_before = django_filters.DateFilter(
        method="filter_created_before", label="Registered on or before (YYYY-MM-DD)"
    )
    search = django_filters.CharFilter(
        method="filter_search", label="Tracking number, or part of a sender/receiver name"
    )

    class Meta:
        model = Package
        fields = []

    def is_valid(self):
        valid = super().is_valid()
        # "?status=" is a mistake (an empty date or status is not a value), not "no filter".
        for name in ("status", "service", "created_after", "created_before"):
            if name in self.data and not self.data.get(name, "").strip():
                self.form.add_error(name, "Leave this filter out, or give it a value.")
                valid = False
        return valid

    def filter_queryset(self, queryset):
        for name in ("origin_office", "destination_office", "current_office"):
            if self.form.cleaned_data.get(name):
                self.form.cleaned_data[name] = self.form.cleaned_data[name].strip().upper()
        return super().filter_queryset(queryset)

    def filter_created_after(self, queryset, name, value):
        # A range on the column (not created_at__date) so the created_at index serves it.
        return queryset.filter(created_at__gte=_start_of(value))

    def filter_created_before(self, queryset, name, value):
        if value == date.max:  # no day after it to compare with
            return queryset
        return queryset.filter(created_at__lt=_start_of(value + timedelta(days=1)))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        try:
            return queryset.filter(tracking_number=normalize_tracking_number(value))
        except InvalidTrackingNumber:
            pass
        return queryset.filter(Q(sender_name__icontains=value) | Q(receiver_name__icontains=value))
