"""People's accounts in the admin: HQ's, and someone who recorded history is
deactivated, not deleted (the append-only events keep their name)."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from shipments.models import TrackingEvent
from tests.factories import UserFactory
from tests.helpers import login

User = get_user_model()
CHANGELIST = reverse("admin:auth_user_changelist")


def _delete_url(user):
    return reverse("admin:auth_user_delete", args=[user.pk])


def test_deleting_someone_who_recorded_history_offers_deactivation_instead(net):
    assert TrackingEvent.objects.filter(recorded_by=net.clerk_a).exists()  # registered package_a
    client = login(net.hq)
    page = client.get(_delete_url(net.clerk_a))
    assert page.status_code == 200
    text = page.content.decode()
    assert "clerk_a is named in tracking events they recorded" in text
    assert "Deactivate it instead" in text
    assert "Yes, I’m sure" not in text
    # Confirming the delete anyway changes nothing (it was a 500: the trigger refused SET_NULL).
    assert client.post(_delete_url(net.clerk_a), {"post": "yes"}).status_code == 200
    assert User.objects.filter(pk=net.clerk_a.pk).exists()
    # The button on that page deactivates.
    change = reverse("admin:auth_user_change", args=[net.clerk_a.pk])
    response = client.post(change, {"_selected_action": net.clerk_a.pk, "CHANGE_FORM-action": "deactivate"})
    assert response.status_code == 302
    net.clerk_a.refresh_from_db()
    assert not net.clerk_a.is_active
    assert TrackingEvent.objects.filter(recorded_by=net.clerk_a).exists()


def test_bulk_delete_keeps_people_who_recorded_history_and_offers_to_deactivate_them(net):
    newcomer = UserFactory(username="newcomer")
    client = login(net.hq)
    selected = {"_selected_action": [net.clerk_a.pk, newcomer.pk], "action": "delete_selected", "post": "yes"}
    page = client.post(CHANGELIST, selected)
    assert page.status_code == 200
    text = page.content.decode()
    assert "clerk_a is named in tracking events" in text
    assert "Deactivate the selected users instead" in text
    assert User.objects.filter(pk__in=[net.clerk_a.pk, newcomer.pk]).count() == 2
    response = client.post(CHANGELIST, {"_selected_action": [net.clerk_a.pk, newcomer.pk], "action": "deactivate"})
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[net.clerk_a.pk, newcomer.pk], is_active=True).exists()


def test_hq_deletes_an_account_that_no_record_names(net):
    newcomer = UserFactory(username="newcomer")
    client = login(net.hq)
    assert "Yes, I’m sure" in client.get(_delete_url(newcomer)).content.decode()
    assert client.post(_delete_url(newcomer), {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=newcomer.pk).exists()
    another = UserFactory(username="another")
    response = client.post(CHANGELIST, {"_selected_action": [another.pk], "action": "delete_selected", "post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=another.pk).exists()


def test_accounts_are_hqs_and_a_superuser_is_a_superusers(net, hq_member):
    assert login(net.manager_a).get(CHANGELIST).status_code == 403
    client = login(hq_member)
    assert client.get(CHANGELIST).status_code == 200
    superuser_page = reverse("admin:auth_user_change", args=[net.hq.pk])
    assert 'name="_save"' not in client.get(superuser_page).content.decode()
    assert client.post(superuser_page, {"username": "hq", "email": "mine@example.com"}).status_code == 403
    assert client.get(_delete_url(net.hq)).status_code == 403
    form = client.get(reverse("admin:auth_user_change", args=[net.clerk_a.pk])).context["adminform"].form
    assert "is_superuser" not in form.fields  # read-only for anyone but a superuser
    assert login(net.hq).get(_delete_url(net.hq)).status_code == 403  # nobody deletes themselves


def test_a_refused_page_is_an_admin_page_and_logs_one_line_without_a_traceback(net, caplog):
    """A manager at the accounts list: the admin's frame with what happened and
    the way back, not a bare "403 Forbidden"; the console gets one line."""
    with caplog.at_level("WARNING", logger="django.request"):
        response = login(net.manager_a).get(CHANGELIST)
    page = response.content.decode()
    assert response.status_code == 403
    assert "403 Forbidden" not in page
    assert "Parcel network back-office" in page  # the admin's header
    assert "Not open to you" in page
    assert "This page is not open to your account." in page
    assert f'href="{reverse("admin:index")}"' in page
    refusals = [record for record in caplog.records if record.name == "django.request"]
    assert [record.getMessage() for record in refusals] == ["Forbidden (Permission denied): /admin/auth/user/"]
    assert all(record.exc_info is None and not record.exc_text for record in refusals)
    assert "Traceback" not in caplog.text


def test_a_refused_api_request_keeps_the_error_shape():
    import json

    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory

    from api.errors import permission_denied

    response = permission_denied(RequestFactory().get("/api/v1/anything/"), PermissionDenied("Not yours."))
    assert response.status_code == 403
    assert json.loads(response.content) == {
        "error": {"code": "permission_denied", "message": "Not yours.", "details": {}}
    }
