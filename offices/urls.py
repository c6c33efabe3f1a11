"""Sign-in pages outside the admin's own: choosing a password from a one-time
link (``manage.py add_hq_user`` prints one for a new user without a password)."""

from django.urls import path

from .sign_in import PasswordSetDoneView, PasswordSetView

urlpatterns = [
    path("admin/password/set/<uidb64>/<token>/", PasswordSetView.as_view(), name="password_set"),
    path("admin/password/set/done/", PasswordSetDoneView.as_view(), name="password_set_done"),
]
