"""The admin home's notice of accounts whose sign-ins are paused (HQ only)."""

from django import template

from offices import access
from offices.lockout import PausedAccount, paused_accounts

register = template.Library()


@register.simple_tag(takes_context=True)
def paused_sign_ins(context) -> list[PausedAccount]:
    request = context.get("request")
    if request is None or not access.is_hq(request.user):
        return []
    return paused_accounts()
