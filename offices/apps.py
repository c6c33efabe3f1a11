from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class OfficesConfig(AppConfig):
    name = "offices"
    verbose_name = "Offices"
    default = True

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from offices.sign_in import note_sign_in

        user_logged_in.connect(note_sign_in, dispatch_uid="offices.sign_in.note_sign_in")


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with our admin site as ``admin.site`` (its sign-in).
    Named in INSTALLED_APPS instead of ``django.contrib.admin``."""

    default = False
    default_site = "offices.sign_in.BackOfficeAdminSite"
