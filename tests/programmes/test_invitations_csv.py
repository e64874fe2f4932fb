"""The bulk invitation file: encodings, headers, row-numbered errors, duplicates, limits."""

from __future__ import annotations

import pytest

from programmes.invitations_csv import InvitationRowsError, invitation_rows_read
from tests.helpers import valid_uscc

GOOD = valid_uscc(11)
OTHER = valid_uscc(12)


def read(text: str, *, encoding: str = "utf-8", max_rows: int = 100) -> list:
    return invitation_rows_read(text.encode(encoding), max_rows=max_rows)


def errors(text: str, **options: object) -> list[tuple[int, str]]:
    with pytest.raises(InvitationRowsError) as refused:
        read(text, **options)  # type: ignore[arg-type]
    return [(e.line, e.field) for e in refused.value.errors]


def test_an_english_header_file_gives_one_row_per_company() -> None:
    rows = read(f"company_name,uscc,email,contact_name,group\n甲公司,{GOOD},a@x.cn,张三,园区\n乙公司,,b@x.cn,,\n")
    assert [(r.line, r.company_name, r.uscc, r.group) for r in rows] == [
        (2, "甲公司", GOOD, "园区"),
        (3, "乙公司", "", ""),
    ]


def test_a_chinese_header_in_gbk_as_excel_writes_it_is_read() -> None:
    rows = read(f"企业名称,统一社会信用代码,联系邮箱,联系人\n甲公司,{GOOD},a@x.cn,张三\n", encoding="gbk")
    assert (rows[0].company_name, rows[0].contact_name) == ("甲公司", "张三")


def test_utf8_with_a_byte_order_mark_is_read() -> None:
    rows = read(f"\ufeffcompany_name,email,uscc\n甲公司,a@x.cn,{GOOD}\n")
    assert rows[0].uscc == GOOD


def test_semicolon_separated_files_are_read() -> None:
    assert read("company_name;email\n甲公司;a@x.cn\n")[0].email == "a@x.cn"


def test_a_bad_check_digit_and_a_bad_address_are_named_by_row() -> None:
    bad = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")
    assert errors(f"company_name,uscc,email\n甲公司,{GOOD},a@x.cn\n乙公司,{bad},b@x.cn\n丙公司,,not-an-address\n") == [
        (3, "uscc"),
        (4, "email"),
    ]


def test_the_same_credit_code_twice_in_the_file_is_refused_at_its_second_row() -> None:
    with pytest.raises(InvitationRowsError) as refused:
        read(f"company_name,uscc,email\n甲公司,{GOOD},a@x.cn\n甲公司分厂,{GOOD},c@x.cn\n")
    [error] = refused.value.errors
    assert (error.line, error.field) == (3, "uscc")
    assert "row 2" in error.message


def test_the_same_company_and_address_twice_is_refused() -> None:
    assert errors("company_name,email\n甲公司,a@x.cn\n甲公司,A@X.CN\n") == [(3, "email")]


def test_a_missing_required_value_is_named() -> None:
    assert errors(f"company_name,email,uscc\n,a@x.cn,{OTHER}\n") == [(2, "company_name")]


def test_too_many_rows_refuse_the_whole_file() -> None:
    text = "company_name,email\n" + "".join(f"公司{n},a{n}@x.cn\n" for n in range(4))
    assert errors(text, max_rows=3) == [(5, "file")]


def test_a_header_without_the_email_column_is_refused() -> None:
    assert errors("company_name,phone\n甲公司,123\n") == [(1, "email")]


def test_an_empty_file_and_a_header_alone_are_refused() -> None:
    assert errors("") == [(0, "file")]
    assert errors("company_name,email\n\n") == [(0, "file")]


def test_binary_content_is_refused() -> None:
    with pytest.raises(InvitationRowsError):
        invitation_rows_read(b"PK\x03\x04\x00\x00\xff\xfe\x00", max_rows=10)


def test_blank_lines_are_skipped_and_rows_keep_their_file_numbers() -> None:
    rows = read("company_name,email\n\n甲公司,a@x.cn\n")
    assert rows[0].line == 3
