"""The counter's money on pages: a package's payment state, the clerk's open till."""

from django import template

from offices import access

from ..models import Till
from ..services import PaymentState, payment_state

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
