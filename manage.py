#!/usr/bin/env python
"""Django's command-line utility for Pathways."""

from __future__ import annotations

import os
import secrets
import sys

# Commands that compute from their input alone (no database, no session, nothing signed):
# they run on any machine as they are, so a throwaway key stands in when none is set.
PURE_COMMANDS = {"spent_dates"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in PURE_COMMANDS:
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
