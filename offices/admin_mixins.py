"""Building blocks shared by the admins of several apps (offices, tariffs).

Who may do what is ``offices.access``'s answer; these mixins only hand it to
the admin's permission hooks.
"""

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
