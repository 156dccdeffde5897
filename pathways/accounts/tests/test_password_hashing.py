"""Passwords are stored with argon2id at OWASP's parameters; PBKDF2 hashes made before still
sign in and are re-hashed with argon2id as they do. (The suite itself hashes with MD5 for
speed: these tests put the production list back.)"""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings

from config import settings as production
from pathways.accounts.models import User
from pathways.accounts.tests.factories import UserFactory

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production_hashers() -> object:
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        yield


def test_a_new_password_is_stored_with_argon2id_at_owasps_parameters() -> None:
    stored = make_password(PASSWORD)
    assert stored.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password(PASSWORD, stored)
    assert not check_password(PASSWORD + "!", stored)


def test_a_pbkdf2_password_still_signs_in_and_is_rehashed_with_argon2id() -> None:
    user: User = UserFactory()  # type: ignore[assignment]
    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    User.objects.filter(pk=user.pk).update(password=old)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
