"""The package list's "Print labels (page per label)": the same labels as the
HTML label page, one per 100 × 150 mm page, for an ordinary printer (or the
browser's "Save as PDF")."""

from django.urls import reverse

from tests.factories import party, register_package
from tests.helpers import login


def test_selected_packages_print_a_label_a_page(net):
    packages = [register_package(origin=net.a, destination=net.c, receiver=party(f"Zoë Müller {n}")) for n in range(3)]
    response = login(net.clerk_a).post(
        reverse("admin:shipments_package_changelist"),
        {"action": "print_labels_pages", "_selected_action": [package.pk for package in packages]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<div class="label">') == 3
    assert page.count("<svg") == 3  # each its Code 128
    for package in packages:
        assert f'<div class="number">{package.tracking_number}</div>' in page
        assert f"{package.receiver_name}<br>" in page
    assert "break-after: page" in page
    assert "@page { size: 100mm 150mm" in page


def test_another_offices_packages_are_not_printed(net):
    response = login(net.clerk_b).post(
        reverse("admin:shipments_package_changelist"),
        {"action": "print_labels_pages", "_selected_action": [net.a_to_c.pk]},
    )
    assert net.a_to_c.tracking_number not in response.content.decode()
