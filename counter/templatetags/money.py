"""The counter's money on pages: a package's payment state, the clerk's open till."""

from django import template

from offices import access

from ..models import Till
from ..selectors import PaymentState, payment_state

register = template.Library()


@register.simple_tag
def payment_state_of(package) -> PaymentState | None:
    return payment_state(package)


@register.simple_tag(takes_context=True)
def open_till(context) -> Till | None:
    """The signed-in clerk's open till (shown in the admin's header)."""
    request = context.get("request")
    if request is None or not access.may_use_admin(request.user):
        return None
    return Till.objects.filter(clerk=request.user, closed_at__isnull=True).select_related("office").first()


@register.simple_tag(takes_context=True)
def money_links(context) -> list[dict[str, str]]:
    """The day close of each office the user manages (today, in its zone), HQ's network day, COD remittances."""
    from django.urls import reverse
    from django.utils import timezone

    from ..services import office_day

    request = context.get("request")
    if request is None or not access.may_use_admin(request.user):
        return []
    links = [
        {
            "title": f"Day close {office.code}",
            "url": reverse("admin:counter_till_day", args=[office.code, office_day(office)]),
        }
        for office in access.offices_to_manage(request.user).order_by("code")[:4]
    ]
    if access.is_hq(request.user):
        links.append(
            {"title": "Network day", "url": reverse("admin:counter_till_network", args=[timezone.now().date()])}
        )
    if links:
        links.append({"title": "COD remittances", "url": reverse("admin:counter_till_remittances")})
    return links
