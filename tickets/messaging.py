"""Text messages (SMS or WhatsApp) to residents who gave a phone and no e-mail.

An interface with two implementations, chosen by settings.SMS_BACKEND: the console (prints,
for development) and Twilio (its REST API; WhatsApp through the same API when SMS_FROM is a
"whatsapp:" sender). The outbox delivers text messages like e-mails: written with the change,
retried with backoff, never twice (tickets/outbox.py). Tests use a recording backend of their
own; no provider is called from the tests.
"""

import logging
from abc import ABC, abstractmethod

import requests
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend(ABC):
    """Sends one text to one number (ten digits, Mexico); raises on failure."""

    @abstractmethod
    def send(self, to, text):
        """Deliver `text` to `to`, or raise (the outbox records the failure and retries)."""


class ConsoleSmsBackend(SmsBackend):
    def send(self, to, text):
        print(f"SMS para {to}:\n{text}\n", flush=True)  # noqa: T201  (this backend's whole job)


class TwilioSmsBackend(SmsBackend):
    API = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"

    def send(self, to, text):
        sender = settings.SMS_FROM
        number = f"+52{to}" if len(to) == 10 else to
        if sender.startswith("whatsapp:"):
            number = f"whatsapp:{number}"
        response = requests.post(
            self.API.format(sid=settings.TWILIO_ACCOUNT_SID),
            data={"From": sender, "To": number, "Body": text},
            auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
            timeout=15,
        )
        if response.status_code >= 300:  # the outbox records it and tries again later
            raise RuntimeError(f"Twilio {response.status_code}: {response.text[:200]}")


def enabled():
    return bool(settings.SMS_BACKEND)


def backend():
    return import_string(settings.SMS_BACKEND)()


class TextMessage:
    """What notifications.build() returns for the SMS channel: sent like an EmailMessage."""

    def __init__(self, to, text):
        self.to, self.text = to, text
        self.extra_headers = {}

    def send(self):
        backend().send(self.to, self.text)
