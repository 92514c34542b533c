"""Two-factor authentication for staff (TOTP with django-otp, plus one-time recovery codes).

Required for supervisors and superusers (they answer for every ticket and manage API keys),
offered to everyone else; `TWO_FACTOR_REQUIRED_FOR_ALL` makes it required for all staff.
"""
