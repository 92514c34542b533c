"""Fixtures of the API tests: clients, an Open311 client's key, staff tokens."""

import pytest

from api.models import ApiClient, StaffToken
from metepec7311.testing.staff import StaffAPIClient


@pytest.fixture
def api():
    return StaffAPIClient()


@pytest.fixture
def app_key(db):
    """The municipal app's Open311 key (shown once; only its hash is stored)."""
    _, key = ApiClient.objects.create_key(name="App Metepec", contact="app@metepec.example")
    return key


@pytest.fixture
def token_for(db):
    def create(user, name="Tableta"):
        _, key = StaffToken.objects.create_key(user=user, name=name)
        return key

    return create
