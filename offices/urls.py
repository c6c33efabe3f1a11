"""Sign-in pages outside the admin's own: choosing a password from a one-time
link (``manage.py add_hq_user`` prints one for a new user without a password)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

urlpatterns = [
    path(
        "admin/password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_set_done")),
        name="password_set",
    ),
    path("admin/password/set/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_set_done"),
]
