"""A bulk invitation file read into rows, every row checked, every error named by its row number.

The file is what an operator exports from a spreadsheet: UTF-8 with or without a byte-order mark, or GB18030
(a superset of GBK, what Excel in China writes), comma-, semicolon- or tab-separated, with a header row in
English or Chinese. Nothing is invited unless every row is right (programmes.services.programme_invitations_create
checks the rows against the database too: open invitations, enrolled companies, the programme's groups).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_number

from assessment.validators import validate_display_text, validate_uscc

# Header spellings, compared without case, spaces, underscores or hyphens.
COLUMNS: dict[str, tuple[str, ...]] = {
    "company_name": ("companyname", "company", "name", "企业名称", "公司名称", "企业", "名称"),
    "uscc": ("uscc", "creditcode", "unifiedsocialcreditcode", "统一社会信用代码", "信用代码"),
    "email": ("email", "contactemail", "mail", "联系邮箱", "邮箱", "电子邮箱", "电子邮件"),
    "contact_name": ("contactname", "contact", "联系人", "联系人姓名"),
    "group": ("group", "subgroup", "分组", "子组", "组别"),
}
REQUIRED = ("company_name", "email")
MAX_LENGTHS = {"company_name": 200, "uscc": 18, "email": 254, "contact_name": 120, "group": 120}


@dataclass(frozen=True)
class InvitationRow:
    """One company to invite; `line` is its row number in the file (the header is row 1), 0 when typed in a form."""

    line: int
    company_name: str
    email: str
    uscc: str = ""
    contact_name: str = ""
    group: str = ""


@dataclass(frozen=True)
class RowError:
    """What is wrong with a row (line 0: with the file as a whole), and in which column."""

    line: int
    field: str
    message: str


class InvitationRowsError(Exception):
    """Rows refused: nothing was invited. `errors` in row order."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = tuple(sorted(errors, key=lambda e: (e.line, e.field)))
        super().__init__("; ".join(f"{e.line}:{e.field}: {e.message}" for e in self.errors))


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030")


def _normalise_header(name: str) -> str:
    return "".join(ch for ch in name.strip().lower() if ch not in " _-\u3000")


def _columns(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        normal = _normalise_header(name)
        for column, spellings in COLUMNS.items():
            if normal in spellings and column not in found:
                found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    errors = [
        RowError(
            1,
            column,
            _('The header row has no "%(column)s" column. Expected columns: %(expected)s.')
            % {"column": column, "expected": ", ".join(COLUMNS)},
        )
        for column in missing
    ]
    return found, errors


def _field_errors(line: int, values: dict[str, str]) -> list[RowError]:
    errors: list[RowError] = []
    for name in REQUIRED:
        if not values[name]:
            errors.append(RowError(line, name, _("This value is required.")))
    for name, value in values.items():
        if len(value) > MAX_LENGTHS[name]:
            errors.append(
                RowError(
                    line,
                    name,
                    _("At most %(limit)d characters (this has %(count)d).")
                    % {"limit": MAX_LENGTHS[name], "count": len(value)},
                )
            )
            continue
        checks = [validate_display_text]
        if name == "uscc" and value:
            checks.append(validate_uscc)
        if name == "email" and value:
            checks.append(EmailValidator(message=_("Enter a valid e-mail address.")))
        for check in checks:
            try:
                check(value)
            except ValidationError as exc:
                errors.extend(RowError(line, name, message) for message in exc.messages)
                break
    return errors


def invitation_row_clean(
    *, line: int, company_name: str, email: str, uscc: str = "", contact_name: str = "", group: str = ""
) -> InvitationRow:
    """One row's values, trimmed and checked on their own; raise InvitationRowsError naming the row."""
    values = {
        "company_name": company_name.strip(),
        "uscc": uscc_number.compact(uscc) if uscc.strip() else "",
        "email": email.strip(),
        "contact_name": contact_name.strip(),
        "group": group.strip(),
    }
    errors = _field_errors(line, values)
    if errors:
        raise InvitationRowsError(errors)
    return InvitationRow(line=line, **values)


def duplicate_errors(rows: Iterable[InvitationRow]) -> list[RowError]:
    """Rows that name a company twice: the same credit code, or the same address for the same company name."""
    errors: list[RowError] = []
    by_uscc: dict[str, int] = {}
    by_contact: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.uscc:
            first = by_uscc.setdefault(row.uscc, row.line)
            if first != row.line:
                errors.append(RowError(row.line, "uscc", _("The same credit code as row %(row)d.") % {"row": first}))
                continue
        key = (row.email.casefold(), row.company_name.casefold())
        first = by_contact.setdefault(key, row.line)
        if first != row.line:
            errors.append(
                RowError(row.line, "email", _("The same company and e-mail address as row %(row)d.") % {"row": first})
            )
    return errors


def invitation_rows_read(content: bytes, *, max_rows: int) -> list[InvitationRow]:
    """The file's rows, each checked and none twice; raise InvitationRowsError with every error found."""
    try:
        text = _decode(content)
    except UnicodeDecodeError:
        raise InvitationRowsError(
            [RowError(0, "file", _("The file is neither UTF-8 nor GB18030/GBK text. Save it as CSV (UTF-8)."))]
        ) from None
    if "\x00" in text:
        raise InvitationRowsError([RowError(0, "file", _("This is not a CSV text file."))])
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InvitationRowsError([RowError(0, "file", _("The file is empty: a header row and one row per company."))])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader)
    columns, errors = _columns(header)
    if errors:
        raise InvitationRowsError(errors)
    rows: list[InvitationRow] = []
    count = 0
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > max_rows:
            raise InvitationRowsError(
                [
                    RowError(
                        line,
                        "file",
                        _("More than %(limit)d companies in one file: split it into several files.")
                        % {"limit": max_rows},
                    )
                ]
            )
        values = {name: (cells[index] if index < len(cells) else "") for name, index in columns.items()}
        try:
            rows.append(invitation_row_clean(line=line, **values))
        except InvitationRowsError as exc:
            errors.extend(exc.errors)
    if not rows and not errors:
        raise InvitationRowsError([RowError(0, "file", _("The file has a header row but no company."))])
    errors.extend(duplicate_errors(rows))
    if errors:
        raise InvitationRowsError(errors)
    return rows
