"""The retention schedule's numbers, each stated once: the purge (``retention.py``) applies
them and the personal-data inventory (``inventory.py``, and so docs/data-protection.md)
words them. Every period is counted in whole years from the fact named beside it."""

from __future__ import annotations

# A person's records: from the end of their last episode of support (or of an accepted
# referral), or from a declined referral if they have no other episode.
SUPPORT_RETENTION_YEARS = 6
DECLINED_RETENTION_YEARS = 2
# Staff accounts are anonymised this long after they are made inactive.
STAFF_RETENTION_YEARS = 1
# Employers' contacts go this long after the employer's last engagement.
EMPLOYER_CONTACT_RETENTION_YEARS = 2
# An import's error report and file name go this long after the import.
IMPORT_REPORT_RETENTION_YEARS = 2
# Feedback given through the phase banner goes this long after it was given (its free
# text may hold what the page asks people not to write).
FEEDBACK_RETENTION_YEARS = 2
# Audit events (the PostgreSQL trigger, core migration 0005, allows DELETE of older events
# only).
AUDIT_RETENTION_YEARS = 7


def years(count: int) -> str:
    """A period in words for the inventory: "1 year", "6 years"."""
    return f"{count} year" if count == 1 else f"{count} years"
