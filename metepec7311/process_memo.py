"""A bounded memo kept in each process, for what is built from its key alone (the admin's
menus): no invalidation, since a different input is a different key."""

import threading


class ProcessMemo:
    def __init__(self, limit):
        self.limit = limit  # past it every entry is forgotten at once: old keys are rarely read
        self._values = {}
        self._lock = threading.Lock()  # gunicorn's threads share the process

    def get(self, key, build):
        """The value kept under `key`, or `build()`'s, kept (two threads may both build it)."""
        with self._lock:
            value = self._values.get(key)
        if value is None:
            value = build()
            with self._lock:
                if len(self._values) >= self.limit:
                    self._values.clear()
                self._values[key] = value
        return value
