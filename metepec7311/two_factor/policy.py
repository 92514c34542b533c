"""Who must use a second factor, and whether a signed-in staff member has given it."""

from django.conf import settings
from django_otp import user_has_device

from tickets.permissions import SUPERVISOR_GROUP


def second_factor_required(user):
    if user.is_superuser or settings.TWO_FACTOR_REQUIRED_FOR_ALL:
        return True
    return user.groups.filter(name=SUPERVISOR_GROUP).exists()


def has_second_factor(user):
    return user_has_device(user, confirmed=True)


def is_verified(user):
    """The session was verified with a code (OTPMiddleware wraps request.user)."""
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def pending_step(user):
    """What a signed-in staff member must still do before working: "verify" (enter a code),
    "enroll" (set up an authenticator app) or None (nothing)."""
    if is_verified(user):
        return None
    # The admin asks several times per request (each view, each page's context): the two
    # lookups are read once per request, on its user object.
    if not hasattr(user, "_second_factor"):
        user._second_factor = (has_second_factor(user), second_factor_required(user))
    has_one, required = user._second_factor
    if has_one:
        return "verify"  # whoever turned it on, their sessions need it, required or not
    return "enroll" if required else None


def session_may_work(user):
    """The admin and the staff API accept a session only when nothing is pending."""
    return pending_step(user) is None
