"""People's accounts and their sign-ins in the admin: HQ's, as ``offices.access`` says.

Django's user admin with HQ's rights instead of model permissions, and with
deletion through ``offices.services``: someone who recorded history (tracking
events name them) is deactivated instead, and the admin says so. HQ also sees
django-axes' failed sign-ins (with who is locked out; deleting a row lifts its
lock) and successful ones, and who has two-factor sign-in (a lost device is
removed here; ``manage.py add_totp_device`` enrols, and only it shows a key).
"""

from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessLog
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from offices import access
from offices.admin_mixins import OfferedFiltersOnlyMixin
from offices.services import (
    history_kept_message,
    totp_device_remove,
    user_deactivate,
    user_delete,
    users_kept_for_history,
)
from shipments.times import local_time

User = get_user_model()


@admin.action(
    description="Deactivate this %(verbose_name)s",
    description_plural="Deactivate selected %(verbose_name_plural)s",
    location=[admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM],
)
def deactivate(model_admin, request, queryset):
    done = 0
    for user in queryset:
        try:
            done += user_deactivate(actor=request.user, user=user)
        except PermissionDenied as refusal:
            model_admin.message_user(request, f"{user}: {refusal}", messages.ERROR)
    if done:
        model_admin.message_user(request, f"Deactivated {done}: they can no longer sign in.", messages.SUCCESS)


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(OfferedFiltersOnlyMixin, UserAdmin):
    actions = [deactivate]
    delete_selected_confirmation_template = "admin/auth/user/delete_selected_confirmation.html"

    def has_module_permission(self, request):
        return access.may_use_admin(request.user) and access.is_hq(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request) and (obj is None or access.may_edit_account(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and (obj is None or obj.pk != request.user.pk)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        # Only a superuser makes a superuser or hands out model permissions.
        return [*super().get_readonly_fields(request, obj), "is_superuser", "user_permissions"]

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, object_id)
        if user is not None and self.has_delete_permission(request, user):
            kept = users_kept_for_history([user])
            if kept:
                # Said instead of the delete confirmation, with the way out.
                context = {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "title": f"{user} cannot be deleted",
                    "account": user,
                    "message": history_kept_message(user, kept[user.pk]),
                    "change_url": reverse("admin:auth_user_change", args=[user.pk]),
                }
                return TemplateResponse(request, "admin/auth/user/kept_for_history.html", context)
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        # The bulk delete lists the people who must be kept as "protected",
        # which stops it (without the collector fetching every event they recorded).
        users = list(objs)
        kept = users_kept_for_history(users)
        if kept:
            protected = [history_kept_message(user, kept[user.pk]) for user in users if user.pk in kept]
            return [], {}, set(), protected
        return super().get_deleted_objects(users, request)

    def delete_model(self, request, obj):
        user_delete(actor=request.user, user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            user_delete(actor=request.user, user=user)


class HQOnlyMixin:
    """Pages for HQ alone (whatever Django's model permissions say)."""

    def has_module_permission(self, request):
        return access.may_use_admin(request.user) and access.is_hq(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


# Sign-in times as every back-office time: in the zone the admin runs in for
# the user, with the zone named (shipments.times); axes shows them bare.


@admin.register(AccessAttempt)
class FailedSignInAdmin(OfferedFiltersOnlyMixin, HQOnlyMixin, AccessAttemptAdmin):
    """Failed sign-ins by user name and address; "Locked out" once there are too many."""

    list_display = ["username", "ip_address", "failures_since_start", "status", "attempted", "path_info"]
    fieldsets = (
        (None, {"fields": ("username", "path_info", "failures_since_start", "attempted", "expires")}),
        ("Form data", {"fields": ("get_data", "post_data")}),
        ("Meta data", {"fields": ("user_agent", "ip_address", "http_accept")}),
    )
    readonly_fields = [*AccessAttemptAdmin.readonly_fields, "attempted", "expires"]

    @admin.display(description="Last attempt", ordering="attempt_time")
    def attempted(self, attempt):
        return local_time(attempt.attempt_time)

    @admin.display(description="Expires")
    def expires(self, attempt):
        expiration = getattr(attempt, "expiration", None)
        return local_time(expiration.expires_at) if expiration is not None else "—"


@admin.register(AccessLog)
class SignInAdmin(OfferedFiltersOnlyMixin, HQOnlyMixin, AccessLogAdmin):
    list_display = ("signed_in", "signed_out", "ip_address", "username", "user_agent", "path_info")
    fieldsets = (
        (None, {"fields": ("username", "path_info", "signed_in", "signed_out")}),
        ("Meta data", {"fields": ("user_agent", "ip_address", "http_accept")}),
    )
    readonly_fields = [*AccessLogAdmin.readonly_fields, "signed_in", "signed_out"]

    @admin.display(description="Signed in", ordering="attempt_time")
    def signed_in(self, entry):
        return local_time(entry.attempt_time)

    @admin.display(description="Signed out", ordering="logout_time")
    def signed_out(self, entry):
        return local_time(entry.logout_time)

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who signed in when stays


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TwoFactorDeviceAdmin(HQOnlyMixin, TOTPDeviceAdmin):
    """Who signs in with an authenticator app. Never the key (OTP_ADMIN_HIDE_SENSITIVE_DATA)."""

    def has_add_permission(self, request):
        return False  # manage.py add_totp_device: the key is shown once, to whoever enrols

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or access.may_edit_account(request.user, obj.user)
        )

    def delete_model(self, request, obj):
        totp_device_remove(actor=request.user, device=obj)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            totp_device_remove(actor=request.user, device=device)
