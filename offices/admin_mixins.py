"""Building blocks shared by the admins of several apps (offices, tariffs, packages).

Who may do what is ``offices.access``'s answer; these mixins only hand it to
the admin's permission hooks.
"""

from typing import cast

from django.contrib import admin, messages
from django.contrib.admin.views.main import IGNORED_PARAMS, ChangeList
from django.http import Http404

from offices import access

ADDRESS_FIELDS = ("line1", "line2", "city", "region", "postal_code", "country", "latitude", "longitude")


class RaiseNotFoundMixin:
    """Objects outside the user's scope are 404, not the admin's "doesn't exist" redirect."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} {object_id} among the ones you can see.")
        return obj


class StaffReadsHQEditsMixin:
    """Reference data (offices, tariffs): everyone in the network looks it up,
    only HQ adds or changes it."""

    def has_module_permission(self, request):
        return access.may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.may_use_admin(request.user)

    def has_add_permission(self, request):
        return access.may_edit_network(request.user)

    def has_change_permission(self, request, obj=None):
        return access.may_edit_network(request.user)


# The lookups Django's field list filters put after a field's path in the query
# string (``status__exact``, ``office__id__exact``, ``is_active__isnull``, ...).
FIELD_FILTER_SUFFIXES = ("", "__exact", "__isnull", "__id__exact", "__gte", "__lt", "__isempty")


class OfferedFiltersChangeList(ChangeList):
    """A changelist that takes only the query-string parameters its list filters
    offer. Anything else (``?sender_name__regex=[``, ``?phone__startswith=555``)
    is dropped with a message instead of reaching the database as a lookup, so
    it can neither fail there (a 500) nor probe fields the list does not show."""

    def get_queryset(self, request, exclude_parameters=None):
        offered = self.model_admin.offered_filter_parameters(request)
        for key in [key for key in self.filter_params if key not in offered and key not in IGNORED_PARAMS]:
            shown = key if len(key) <= 60 else key[:60] + "…"
            messages.warning(request, f"“{shown}” is not a filter of this list; it was ignored.")
            del self.filter_params[key]
            self.params.pop(key, None)
        return super().get_queryset(request, exclude_parameters)


class OfferedFiltersOnlyMixin:
    """For a ModelAdmin: its changelist takes only its list filters' parameters
    (OfferedFiltersChangeList)."""

    def get_changelist(self, request, **kwargs):
        return OfferedFiltersChangeList

    def offered_filter_parameters(self, request) -> set[str]:
        offered: set[str] = set()
        for list_filter in cast(admin.ModelAdmin, self).get_list_filter(request):
            if isinstance(list_filter, type) and issubclass(list_filter, admin.SimpleListFilter):
                offered.add(str(list_filter.parameter_name))
                continue
            field_path, filter_class = list_filter if isinstance(list_filter, tuple | list) else (list_filter, None)
            suffixes = getattr(filter_class, "parameter_suffixes", FIELD_FILTER_SUFFIXES)
            offered.update(f"{field_path}{suffix}" for suffix in suffixes)
        return offered


class ReadOnlyInlineMixin:
    """A list on a package page of what is append-only (the timeline, the charges,
    the notifications): shown to the back-office, never edited there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return access.may_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
