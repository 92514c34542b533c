"""A guard around a kombu bug that stopped Celery workers when Redis restarted.

Seen by `make load` (6 of about 31 Redis restarts, kombu 5.7.0): when the broker connection
breaks while the worker holds an unacknowledged message (always, with late acknowledgement),
the worker closes the connection, and closing a channel tries to put that message back in the
queue (`QoS.restore_unacked`), or acknowledges it, through a connection pool whose connection
is already gone: an AttributeError ("'NoneType' object has no attribute 'hostname'" or
"'client'") that Celery does not treat as a connection error, so the worker died
("Unrecoverable error") or stopped consuming. Related
upstream reports: celery#10205, celery#10302, kombu#582.

Nothing needs restoring at that moment: the message is still in Redis's unacknowledged set
(if Redis kept its data), and kombu's own `restore_visible` puts it back after the visibility
timeout; the outbox's sweep re-sends every e-mail whose task was lost in any case. So the
missing connection is raised as the connection error it is, where the pool is built
(`Channel._connparams`): kombu's close and acknowledgement paths ignore connection errors, and
the worker reconnects as after any other broker error.
Remove this once kombu handles it (metepec7311/tests/test_broker_guard.py shows the symptom).
"""


def install():
    import redis
    from kombu.transport import redis as kombu_redis

    original = kombu_redis.Channel._connparams
    if getattr(original, "guarded", False):
        return

    def _connparams(self, *args, **kwargs):
        # Closing: the channel's connection is gone. Say so as the connection error it is,
        # which Celery handles (it reconnects) and kombu's close and ack paths ignore.
        if self.connection is None or self.connection.client is None:
            raise redis.exceptions.ConnectionError("broker connection already closed")
        return original(self, *args, **kwargs)

    _connparams.guarded = True
    kombu_redis.Channel._connparams = _connparams
