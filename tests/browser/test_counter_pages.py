"""Small things a clerk meets on every page: where the cursor starts, what the
labels say, the site's icon."""

from playwright.sync_api import expect

from offices.models import Membership
from shipments.models import Service
from tests.factories import OfficeFactory, TariffFactory, clerk_at, register_package
from tests.helpers import log_in


def test_the_register_form_starts_at_the_destination_and_goes_on_by_keyboard(live_server, browser_page):
    origin = OfficeFactory(code="NYC01", name="New York Midtown")
    OfficeFactory(code="BOS01", name="Boston Back Bay")
    clerk_at(origin, username="clerk.nyc01")
    context, page = browser_page
    log_in(page, live_server.url, "clerk.nyc01")
    page.click("text=Register a package")

    # The origin is the clerk's office already: the cursor waits on the destination.
    focused = page.locator(".field-destination_office .select2-selection")
    expect(focused).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.type("BOS")
    expect(page.locator(".select2-results__option--highlighted")).to_contain_text("BOS01")
    page.keyboard.press("Enter")
    expect(page.locator("#id_destination_office")).to_have_value(str(OfficeFactory(code="BOS01").pk))
    expect(page.locator("label[for=id_weight_grams]")).to_have_text("Weight (g):")

    # Sent back with a mistake, the cursor is on the first field to correct.
    page.click("input[name=_quote]")
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#id_weight_grams")).to_be_focused()


def test_the_package_page_labels_say_the_units(live_server, browser_page):
    office = OfficeFactory(code="NYC01")
    package = register_package(origin=office, destination=OfficeFactory(code="BOS01"))
    clerk_at(office, username="clerk.nyc01")
    context, page = browser_page
    log_in(page, live_server.url, "clerk.nyc01")
    page.goto(f"{live_server.url}/admin/shipments/package/{package.tracking_number}/change/")
    labels = page.locator(".form-row label, .form-row .flex-container > label").all_inner_texts()
    assert "Weight (g):" in labels
    assert "Chargeable weight (g):" in labels
    assert not [label for label in labels if "grams" in label.lower()]


def test_the_report_names_each_service_once(live_server, browser_page):
    office = OfficeFactory(code="NYC01", name="New York Midtown")
    destination = OfficeFactory(code="BOS01", name="Boston Back Bay")
    TariffFactory(service=Service.EXPRESS)
    register_package(origin=office, destination=destination, service=Service.EXPRESS)
    clerk_at(office, username="manager.nyc01", role=Membership.Role.MANAGER)
    context, page = browser_page
    log_in(page, live_server.url, "manager.nyc01")
    page.click("text=Cost report NYC01")
    services = page.locator(".module", has_text="By service").locator("tbody td").first
    expect(services).to_have_text("Express")
    destinations = page.locator(".module", has=page.locator("h2", has_text="By destination office")).last
    expect(destinations.locator("tbody td").first).to_have_text("Boston Back Bay (BOS01)")


def test_every_page_has_the_sites_icon(live_server, browser_page):
    office = OfficeFactory(code="NYC01")
    clerk_at(office, username="clerk.nyc01")
    context, page = browser_page
    for path in ("/favicon.ico", "/admin/login/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, path
    log_in(page, live_server.url, "clerk.nyc01")
    for path in ("/admin/", "/admin/shipments/package/", "/admin/shipments/package/add/", "/track/"):
        page.goto(f"{live_server.url}{path}")
        icon = page.locator("link[rel=icon]").first
        href = icon.evaluate("link => link.href")
        response = page.request.get(href)
        assert response.ok, (path, href)
        assert response.headers["content-type"].startswith("image/"), (path, href)
    response = page.request.get(f"{live_server.url}/favicon.ico")
    assert response.ok
    assert response.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
