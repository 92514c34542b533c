"""Fixtures of the API tests: clients, an Open311 client's key, staff tokens."""

import pytest
from rest_framework.test import APIClient

from api.models import ApiClient, StaffToken


@pytest.fixture
def api():
    return APIClient()


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
