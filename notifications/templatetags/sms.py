"""``gsm7``: a value an SMS template prints, in GSM-7 (see ``messages.gsm7``),
cut to at most ``length`` characters if given: ``{{ name|gsm7:20 }}``."""

from django import template

from .. import messages

register = template.Library()


@register.filter
def gsm7(value, length: int | None = None) -> str:
    text = messages.gsm7(str(value))
    return text[:length].rstrip() if length else text
