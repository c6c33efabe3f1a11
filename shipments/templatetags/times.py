"""Times in templates as in the admin's columns (shipments.times): in a zone, with the zone named.

``{{ event.occurred_at|local_time }}`` uses the active zone (the clerk's office's
in the admin); ``{{ package.created_at|local_time:zone }}`` the given one.
"""

from django import template

from .. import times

register = template.Library()


@register.filter
def local_time(moment, zone=None):
    return times.local_time(moment, zone)


@register.filter
def local_time_short(moment, zone=None):
    return times.local_time(moment, zone, "SHORT_DATETIME_FORMAT")
