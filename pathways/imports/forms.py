from __future__ import annotations

from django import forms

from pathways.core.forms import Form
from pathways.imports.models import Kind

MAX_UPLOAD_BYTES = 500 * 1024 * 1024


class UploadForm(Form):
    kind = forms.ChoiceField(
        label="What does the file hold?",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the file holds"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV file (UTF-8) or an Excel spreadsheet (.xlsx), with a header row.",
        error_messages={
            "required": "Select a CSV or XLSX file",
            "empty": "The selected file is empty",
        },
    )
    dry_run = forms.BooleanField(
        label="Dry run: check the file and count what would change, but change nothing",
        required=False,
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The selected file must be a CSV or XLSX file")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 500 MB")
        return upload
