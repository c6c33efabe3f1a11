"""The admin home's count of failed notifications (HQ only)."""

from django import template

from offices import access

from ..models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def failed_notifications(context) -> int:
    request = context.get("request")
    if request is None or not access.is_hq(request.user):
        return 0
    return Notification.objects.filter(state=Notification.State.FAILED).count()
