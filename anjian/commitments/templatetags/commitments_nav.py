"""Navigation helper: does the user's enterprise owe the daily commitment notice?"""

from django import template

from anjian.commitments import services
from anjian.commitments.views import is_enterprise_user

register = template.Library()


@register.filter
def owes_commitment(user) -> bool:
    return is_enterprise_user(user) and services.enterprise_owes(user.enterprise_id)
