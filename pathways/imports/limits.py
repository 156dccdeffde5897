"""The limits every import file is held to, in one place. docs/imports.md ("Limits") gives
the reason for each; a file past one is refused as "too large" before it can exhaust memory
or time, and nothing changes.

The largest file the service expects is an extract of about a million rows (decision
0004). Each limit leaves room above that and stops a small file that claims or inflates to
far more: an XLSX is a ZIP archive, and a megabyte of it can inflate to a gigabyte.
"""

from __future__ import annotations

MB = 1 << 20

# Rows and columns (both kinds of file). A million data rows is the largest extract
# expected; the header is row 1, so the last row allowed is MAX_ROWS + 1.
MAX_ROWS = 1_000_000
# Extracts carry many columns Pathways ignores, but not hundreds.
MAX_COLUMNS = 200
# Excel's own limit for one cell: a longer cell did not come from a spreadsheet.
MAX_CELL_CHARS = 32_767

# CSV: a line (one row, unless a quoted cell breaks it) longer than this is refused before
# it is held in memory.
MAX_CSV_LINE_BYTES = 1 * MB

# XLSX, checked in the archive before openpyxl opens it (reading.check_archive).
# A real workbook has about ten members; a hundred leaves room for many sheets and parts.
MAX_MEMBERS = 100
# A sheet of a million rows of 30 columns is about 900 MB of XML.
MAX_MEMBER_BYTES = 1024 * MB
MAX_TOTAL_BYTES = 1280 * MB
# Real sheets compress about 5 to 20 times (repetitive extracts a little more); a zip bomb
# compresses a thousand times. Members under a megabyte inflated are not held to it.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1 * MB
# openpyxl holds the whole shared strings table in memory: a million-row extract with a
# different CRN and text on every row needs about 2 million strings and 60 MB.
MAX_SHARED_STRINGS = 2_000_000
MAX_SHARED_STRINGS_BYTES = 100 * MB
# No stretch of a sheet's XML without a tag may be longer than the longest cell could be
# written (32,767 characters at up to 8 bytes each, with its tag): this bounds what any one
# cell costs before openpyxl reads it.
MAX_XML_TEXT_BYTES = 8 * MAX_CELL_CHARS
# The sheet's declared size (<dimension ref="A1:F1000"/>) is read from its first bytes.
DIMENSION_PEEK_BYTES = 64 * 1024

# Time: a million-row extract takes a few minutes to check and apply; an import still
# running after this is stopped, rolled back whole and reported as too large.
IMPORT_SECONDS = 20 * 60
