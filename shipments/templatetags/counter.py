"""The counter links on the admin home page: what a clerk does most, one click away."""

from django import template
from django.urls import reverse

from offices import access

register = template.Library()

# HQ sees every office; beyond this many the links go to the office picker instead.
MAX_OFFICE_LINKS = 4


@register.simple_tag(takes_context=True)
def counter_links(context) -> list[dict]:
    request = context.get("request")
    if request is None or not access.may_use_admin(request.user):
        return []
    user = request.user
    links = [
        {"title": "Register a package", "url": reverse("admin:shipments_package_add"), "css": "addlink"},
        {"title": "Find a package", "url": reverse("admin:shipments_package_changelist"), "css": "viewlink"},
    ]
    offices = list(access.offices_to_act_at(user).order_by("code").values_list("code", flat=True))
    if len(offices) <= MAX_OFFICE_LINKS:
        links += [
            {"title": f"Scan parcels at {code}", "url": reverse("admin:shipments_package_scan", args=[code])}
            for code in offices
        ]
    else:
        links.append({"title": "Scan parcels at…", "url": reverse("admin:shipments_package_scan_pick")})
    if offices:
        # Bags between offices (dispatches/): built and sent at the origin, received at the destination.
        links += [
            {"title": "Open a bag", "url": reverse("admin:dispatches_bag_add"), "css": "addlink"},
            {"title": "Dispatch bags", "url": reverse("admin:dispatches_bag_dispatch")},
            {"title": "Receive a bag", "url": reverse("admin:dispatches_bag_receive")},
        ]
    if access.is_hq(user):
        links.append({"title": "Open discrepancies", "url": reverse("admin:dispatches_discrepancy_changelist")})
    if access.may_view_network_reports(user):
        links.append({"title": "Network cost report", "url": reverse("admin:shipments_package_report_network")})
        links.append({"title": "Network on-time report", "url": reverse("admin:shipments_package_on_time_network")})
    managed = access.office_ids_managed(user)
    if access.is_hq(user) or len(managed) > 1:
        links.append({"title": "Cost reports", "url": reverse("admin:shipments_package_report_pick")})
        links.append({"title": "On-time reports", "url": reverse("admin:shipments_package_on_time_pick")})
    elif managed:
        code = next(code for pk, code in access.offices_to_act_at(user).values_list("pk", "code") if pk in managed)
        links.append({"title": f"Cost report {code}", "url": reverse("admin:shipments_package_report", args=[code])})
        links.append(
            {"title": f"On-time report {code}", "url": reverse("admin:shipments_package_on_time", args=[code])}
        )
    return links
