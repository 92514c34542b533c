"""The kombu guard (metepec7311/broker_guard.py): a channel whose broker connection is already
gone says so as a connection error, which Celery survives, instead of the AttributeError that
stopped workers when Redis restarted (seen by `make load`)."""

import pytest
import redis
from kombu.transport import redis as kombu_redis

import metepec7311.celery  # noqa: F401  (installs the guard, as every worker does)


@pytest.mark.parametrize("gone", ["connection", "client"])
def test_a_channel_without_its_connection_raises_a_connection_error(gone):
    channel = kombu_redis.Channel.__new__(kombu_redis.Channel)
    if gone == "connection":
        channel.connection = None  # kombu: "'NoneType' object has no attribute 'client'"
    else:
        channel.connection = type("Closed", (), {"client": None})()  # "… no attribute 'hostname'"
    with pytest.raises(redis.exceptions.ConnectionError):
        channel._connparams()
    # …which the Redis transport counts among the errors Celery reconnects after.
    assert issubclass(redis.exceptions.ConnectionError, kombu_redis.Transport.connection_errors)
