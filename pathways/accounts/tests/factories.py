from __future__ import annotations

import factory

from pathways.accounts.models import Area, Patch, Service, User
from pathways.core.roles import Role

PASSWORD = "Pathways-test-2026"


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    capacity = 30


class PatchFactory(factory.django.DjangoModelFactory[Patch]):
    class Meta:
        model = Patch

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Patch {n}")


class AreaFactory(factory.django.DjangoModelFactory[Area]):
    class Meta:
        model = Area

    patch = factory.SubFactory(PatchFactory)
    name = factory.Sequence(lambda n: f"Area {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # Staff names that no test person has: a page naming the signed-in user must not look
    # as if it shows a person's name (a random "Jordan" once failed a duplicate test).
    first_name = factory.Sequence(lambda n: f"Staff{n}")
    last_name = "Colleague"
    role = Role.REFERRER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()
