"""The demo service: the Staffordshire and Stoke-on-Trent service, its North and South
patches and their areas, and one demo user of each role (all with the published demo
password)."""

from __future__ import annotations

from pathways.accounts.models import Area, Patch, Service, User
from pathways.core.roles import Role

DEMO_PASSWORD = "Pathways-demo-2026"  # noqa: S105 - published demo sign-in
SERVICE_SLUG = "staffordshire"
PATCHES = {
    "North": ["Stoke-on-Trent", "Newcastle-under-Lyme", "Staffordshire Moorlands", "Stafford"],
    "South": [
        "Cannock Chase",
        "East Staffordshire",
        "Lichfield",
        "South Staffordshire",
        "Tamworth",
    ],
}
USERS: list[tuple[str, str, str, Role, str | None, str]] = [
    ("referrer", "Priya", "Shah", Role.REFERRER, None, "Probation Service, Stoke-on-Trent"),
    ("worker-north", "Sam", "Okafor", Role.WORKER, "North", ""),
    ("worker-south", "Jo", "Bennett", Role.WORKER, "South", ""),
    ("manager", "Alex", "Morgan", Role.MANAGER, None, ""),
    ("commissioner", "Chris", "Hall", Role.COMMISSIONER, None, ""),
    ("admin", "Ada", "Admin", Role.ADMIN, None, ""),
]


def loaded() -> bool:
    """Whether the demo service is there already (loading it again changes nothing)."""
    return Service.objects.filter(slug=SERVICE_SLUG).exists()


def load() -> tuple[Service, dict[str, User]]:
    """The service, its patches and areas, and the demo users by username."""
    service = Service.objects.create(
        name="Staffordshire and Stoke-on-Trent Employment Support Service",
        slug=SERVICE_SLUG,
        capacity=30,
    )
    patches = {}
    for patch_name, area_names in PATCHES.items():
        patch = Patch.objects.create(service=service, name=patch_name)
        patches[patch_name] = patch
        for name in area_names:
            Area.objects.create(patch=patch, name=name)
    users = {}
    for username, first, last, role, user_patch, organisation in USERS:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            role=role,
            service=None if role == Role.ADMIN else service,
            patch=patches.get(user_patch or ""),
            organisation=organisation,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[username] = user
    return service, users
