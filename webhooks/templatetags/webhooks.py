"""The admin home's notice of partner webhooks the deliveries turned off (HQ only)."""

from django import template

from offices import access

from ..models import Subscription
from ..selectors import turned_off

register = template.Library()


@register.simple_tag(takes_context=True)
def turned_off_webhooks(context) -> list[Subscription]:
    request = context.get("request")
    if request is None or not access.may_manage_webhooks(request.user):
        return []
    return turned_off()
