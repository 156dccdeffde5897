"""Control characters: forms refuse them, every document writer cleans them, and an
exception's message (which can quote them, with the name around them) never reaches a log.
"""

from __future__ import annotations

import importlib
import io
import logging
import pkgutil
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
import time_machine
from django import forms
from django.conf import settings

import pathways
from pathways.accounts.models import Patch, Service, User
from pathways.contracts.forms import CoFunderForm
from pathways.core.exports import safe_cell
from pathways.core.forms import Form, PlainTextFields, text_area, text_field
from pathways.core.log_privacy import WITHHELD, WithholdExceptionText
from pathways.core.text import has_control_characters, printable
from pathways.imports.jdl import jdl_export
from pathways.participants.models import Participant
from pathways.referrals.forms import ReferralForm
from pathways.referrals.tests.factories import make_active
from pathways.reports import documents, services
from pathways.reports.models import BoardReport, ReportStatus
from pathways.reports.tests.test_board import LATER, MAY_TO_OCTOBER
from pathways.reports.views import CommentaryForm

SINGLE_LINE = "Last name must not contain special characters such as tabs or control characters"
# Every C0 control but tab and line breaks, and DELETE and a C1 control.
REFUSED_EVERYWHERE = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + ["\x7f", "\x85"]


def _project_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(pathways.__path__, "pathways."):
        if ".tests" in module.name or ".migrations" in module.name:
            continue
        importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    todo: list[type[forms.BaseForm]] = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("pathways.") and ".tests" not in sub.__module__:
                found.append(sub)
    return found


def test_every_form_of_the_project_refuses_control_characters_in_its_text() -> None:
    project_forms = _project_forms()
    assert len(project_forms) > 40  # the walk found the forms of every app
    forgot = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in project_forms
        if not issubclass(cls, PlainTextFields)
    )
    assert forgot == [], "base these forms on pathways.core.forms.Form or ModelForm"


class Sample(Form):
    """A field built by hand, a helper's, a text area, and one added in ``__init__``."""

    last_name = forms.CharField(label="Last name")
    first_name = text_field("First name", required=False)
    email = forms.EmailField(required=False)
    note = text_area("Note", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"] = forms.CharField(required=False, widget=forms.Textarea)


def _errors(**data: str) -> dict[str, list[str]]:
    form = Sample({"last_name": "Smith", **data})
    form.is_valid()
    return {name: [str(m) for m in messages] for name, messages in form.errors.items()}


@pytest.mark.parametrize("char", [*REFUSED_EVERYWHERE, "\t", "\n", "\r"])
def test_single_line_text_refuses_every_control_character(char: str) -> None:
    assert _errors(last_name=f"Smi{char}th") == {"last_name": [SINGLE_LINE]}
    assert _errors(first_name=f"J{char}o")["first_name"] == [
        "First name must not contain special characters such as tabs or control characters"
    ]


@pytest.mark.parametrize("char", REFUSED_EVERYWHERE)
def test_multi_line_text_refuses_control_characters_but_tabs_and_line_breaks(char: str) -> None:
    message = "Note must not contain special characters such as control characters"
    assert _errors(note=f"Seen{char}today")["note"] == [message]
    # A field the form adds in __init__ is checked too, its label from its name.
    assert _errors(reason=f"Moved{char}away")["reason"] == [
        "Reason must not contain special characters such as control characters"
    ]


def test_multi_line_text_keeps_tabs_and_line_breaks() -> None:
    assert _errors(note="Seen today\r\nIn the office\tat 10", reason="One\nTwo") == {}


def test_the_forms_people_type_names_into_refuse_a_vertical_tab(service: Service) -> None:
    referral = ReferralForm({"first_name": "Jo", "last_name": "Smi\x0bth"}, service=service)
    assert not referral.is_valid()
    assert referral.errors["last_name"] == [SINGLE_LINE]
    co_funder = CoFunderForm({"name": "Tru\x0bst", "share_percent": "10"})
    assert not co_funder.is_valid()
    assert "must not contain special characters" in co_funder.errors["name"][0]
    commentary = CommentaryForm({"text": "Thanks to all\x07"})
    assert not commentary.is_valid()
    assert commentary.errors["text"] == [
        "Commentary must not contain special characters such as control characters"
    ]
    assert CommentaryForm({"text": "Good half-year.\r\n\r\nMore next time."}).is_valid()


def test_printable_makes_a_space_of_what_a_document_cannot_hold() -> None:
    assert printable("Smi\x0bth\x00\x1f\ufffe\ud800") == "Smi th    "
    assert printable("Line one\r\nLine two\tend") == "Line one\r\nLine two\tend"
    assert printable("Zoë Ó Dónaill") == "Zoë Ó Dónaill"
    assert has_control_characters("a\tb") and not has_control_characters("a\tb", multiline=True)


def test_a_workbook_holds_every_cleaned_cell() -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("People")
    sheet.append([safe_cell(f"Smi{char}th") for char in REFUSED_EVERYWHERE])
    out = io.BytesIO()
    book.save(out)  # openpyxl refuses a control character: IllegalCharacterError
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    row = next(sheet.iter_rows(values_only=True))
    assert all(value == "Smi th" for value in row)


# Writers, with a name saved before the forms refused control characters.

NAME = "Zorbald\x0bQuenby"


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured log handlers write (the root logger's, as in production)."""
    stream = io.StringIO()
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert handlers, "the root logger has its console handler"
    old = [h.setStream(stream) for h in handlers]
    try:
        yield stream
    finally:
        for handler, previous in zip(handlers, old, strict=True):
            handler.setStream(previous)


def test_every_log_handler_withholds_exception_messages() -> None:
    config: dict[str, Any] = settings.LOGGING
    handlers = config["handlers"]
    assert handlers and all(
        "withhold_exception_text" in handler.get("filters", []) for handler in handlers.values()
    )
    assert config["filters"]["withhold_exception_text"]["()"].endswith("WithholdExceptionText")
    # And as configured: no logger keeps a handler that writes without it (Django's defaults
    # included), pytest's capturing handlers aside.
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    unfiltered = {
        f"{logger.name}: {type(handler).__name__}"
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
        and not isinstance(handler, logging.NullHandler)  # writes nothing
        and not any(isinstance(f, WithholdExceptionText) for f in handler.filters)
    }
    assert unfiltered == set()


def test_a_logged_exception_keeps_its_type_and_frames_but_not_its_message(
    console: io.StringIO,
) -> None:
    def fail() -> None:
        try:
            raise KeyError(NAME)
        except KeyError as error:
            raise ValueError(f"{NAME} cannot be used in worksheets.") from error

    logger = logging.getLogger("pathways.reports.tasks")
    try:
        fail()
    except ValueError as error:
        logger.exception("RR Board report %s failed", 7)
        logger.error("Also %s", error)
        logger.error(error)
    text = console.getvalue()
    assert "Zorbald" not in text
    assert "RR Board report 7 failed" in text and "ValueError" in text and "KeyError" in text
    assert WITHHELD in text and "in fail" in text  # the type, the message withheld, the frame
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "%s", (KeyError(NAME),), None)
    WithholdExceptionText().filter(record)
    assert record.getMessage() == "KeyError"


@pytest.mark.django_db
def test_a_name_with_a_vertical_tab_still_gives_the_jdl_workbook(
    manager: User, referrer: User, north: Patch, console: io.StringIO
) -> None:
    referral = make_active(referrer, manager, last_name="Smith", crn="A000001")
    Participant.objects.filter(pk=referral.participant_id).update(last_name=NAME)
    content, count = jdl_export(actor=manager, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None and count == 1
    assert list(sheet.iter_rows(values_only=True))[1][0] == "Zorbald Quenby"
    csv_content, _count = jdl_export(actor=manager, fmt="csv")
    assert "Zorbald Quenby" in csv_content.decode("utf-8-sig")
    assert "Zorbald" not in console.getvalue()


@pytest.mark.django_db
def test_a_vertical_tab_in_the_commentary_still_gives_the_board_report(
    manager: User,
    service: Service,
    django_capture_on_commit_callbacks: Any,
    console: io.StringIO,
) -> None:
    Service.objects.filter(pk=service.pk).update(name="North\x1fWest")
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(LATER, tick=False):
        services.commentary_save(
            actor=manager,
            service=service,
            period=MAY_TO_OCTOBER,
            text=f"Thanks to {NAME}\x07 for the work.",
        )
        report = services.board_report_request(
            actor=manager, service=service, period=MAY_TO_OCTOBER
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.pdf and report.xlsx
    book = openpyxl.load_workbook(io.BytesIO(report.xlsx))
    cells = [str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r]
    # The commentary's vertical tab parts its paragraphs; the bell became a space.
    assert "Thanks to Zorbald" in cells and "Quenby  for the work." in cells
    assert any(cell.startswith("North West: ") for cell in cells)
    assert "Zorbald" not in console.getvalue()


@pytest.mark.django_db
def test_a_failed_board_report_keeps_and_logs_no_message(
    manager: User,
    service: Service,
    django_capture_on_commit_callbacks: Any,
    console: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    def refuse(figures: dict[str, Any]) -> bytes:
        raise IllegalCharacterError(f"{NAME} cannot be used in worksheets.")

    monkeypatch.setattr(documents, "render_xlsx", refuse)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(LATER, tick=False):
        services.board_report_request(actor=manager, service=service, period=MAY_TO_OCTOBER)
    report = BoardReport.objects.get()
    assert report.status == ReportStatus.FAILED and report.error == "IllegalCharacterError"
    text = console.getvalue()
    assert "IllegalCharacterError" in text and "Zorbald" not in text
