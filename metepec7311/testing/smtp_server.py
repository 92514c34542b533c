"""A real SMTP server (aiosmtpd) of a test's own, on a free port, that keeps what it receives.

The outbox's fault tests send to it before it is started (the portal sees a refused
connection, as with a mail server that is down) and after (it accepts)."""

import asyncio

from aiosmtpd.controller import Controller

from metepec7311.testing.redis_server import free_port


class SmtpServer:
    def __init__(self, delay=0.0):
        self.port = free_port()
        self.delay = delay  # seconds per message, so a test can act while one is in flight
        self.messages = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._running = False

    # The settings a portal process needs to send here.
    @property
    def settings(self):
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.port)}  # fmt: skip

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(envelope)
        return "250 OK"

    def start(self):
        self._controller.start()
        self._running = True

    def stop(self):
        if self._running:
            self._controller.stop()
            self._running = False

    def headers(self, name):
        """The value of header `name` in every message received, in order."""
        return [m.content.decode().split(f"{name}: ", 1)[1].split("\n", 1)[0].strip() for m in self.messages]

    def subjects(self):
        return self.headers("Subject")
