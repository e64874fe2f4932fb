"""A report a bank can check: its number and code are printed in the PDF, and /verify/<code>/ states what the PDF
states (and its SHA-256) to anyone holding the code, nothing more; any other code is a 404."""

from __future__ import annotations

import hashlib
import re
import subprocess
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from assessment.framework_texts import framework_texts
from assessment.models import Assessment, FrameworkVersion, Organization, User
from reports import services
from reports.identity import (
    ALPHABET,
    CODE_LENGTH,
    verification_code_display,
    verification_code_new,
    verification_code_normalised,
)
from reports.models import Report
from reports.services import report_render, report_request
from tests.helpers import valid_uscc
from tests.reports.test_pipeline import answered, pdf_text
from tests.reports.test_verified_report import review

USCC = valid_uscc(4242)
# Exactly what the page may state: the fields, the report number and the file's SHA-256.
LISTED = {
    "en": [
        "Organisation",
        "Framework",
        "Level",
        "Assessment",
        "Assessment date",
        "Date of issue",
        "Report number",
        "SHA-256",
    ],
}


@pytest.fixture
def settings_site(settings: Any) -> Any:
    settings.SITE_URL = "http://testserver.example/"
    return settings


pytestmark = pytest.mark.usefixtures("settings_site")


def rendered(assessment: Assessment, language: str, owner: User) -> Report:
    report, _ = report_request(assessment=assessment, language=language, requested_by=owner)
    done = report_render(report_id=report.pk)
    assert done is not None
    assert done.status == Report.Status.READY, done.error
    return done


def page_text(html: str) -> str:
    """The visible text of the page's main element, white space collapsed."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", main)
    return " ".join(text.split())


@pytest.fixture
def with_uscc(organization: Organization) -> Organization:
    Organization.objects.filter(pk=organization.pk).update(uscc=USCC)
    organization.refresh_from_db()
    return organization


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_a_rendered_report_prints_its_number_and_code_and_its_page_states_what_the_pdf_states(
    miit: FrameworkVersion, with_uscc: Organization, owner: User, tmp_path: Path, language: str
) -> None:
    texts = framework_texts(miit, language)
    level_name, framework_title = texts.level_name(0), texts.title  # the answers reach no level
    report = rendered(answered(miit, with_uscc, owner), language, owner)
    pdf = report.file.read()
    text = " ".join(pdf_text(pdf, tmp_path).split())
    year = timezone.localdate().year
    assert report.number is not None
    assert report.verification_code is not None
    assert re.fullmatch(rf"DMR-{year}-\d{{6}}", report.number)
    code = verification_code_display(report.verification_code)
    assert report.number in text
    assert code in text
    assert f"http://testserver.example/verify/{code}/" in text
    assert report.sha256 == hashlib.sha256(pdf).hexdigest()
    assert timezone.localtime(report.issued_at).strftime("%Y-%m-%d") in text
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert report.number in info  # the PDF's subject names it too

    response = Client(headers={"accept-language": language}).get(f"/verify/{code}/")
    assert response.status_code == 200
    shown = page_text(response.content.decode())
    assert with_uscc.name in shown
    assert level_name in text
    assert level_name in shown
    assert framework_title in text
    assert framework_title in shown
    with translation.override(language.lower()):
        assert translation.gettext("Self-assessed") in shown
    assert report.number in shown
    assert report.sha256 in shown
    assert timezone.localtime(report.assessed_at).strftime("%Y-%m-%d") in shown
    assert timezone.localtime(report.issued_at).strftime("%Y-%m-%d") in shown
    assert "no-store" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.django_db
def test_the_page_discloses_nothing_beyond_the_listed_fields(
    miit: FrameworkVersion, with_uscc: Organization, owner: User
) -> None:
    assessment = answered(miit, with_uscc, owner, comment="我们的ERP系统由张三负责维护")
    report = rendered(assessment, "en", owner)
    assert report.verification_code is not None
    html = Client(headers={"accept-language": "en"}).get(f"/verify/{report.verification_code}/").content.decode()
    labels = re.findall(r"<dt>([^<]*)</dt>", html)
    assert labels == LISTED["en"]
    for secret in (USCC, owner.email, "张三", "ERP", "Digital foundation", "13 / 50", "devices"):
        assert secret not in html, secret
    assert f"#{assessment.pk}" not in html
    assert "miit-2024-manufacturing" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("assignment")
def test_a_verified_report_shows_the_verified_level_and_says_consultant_verified(
    submitted: Assessment, consultant: User, owner: User, tmp_path: Path
) -> None:
    from review.services import review_finalize

    review(submitted, consultant)  # the adjustments take the self-assessed level 2 down to level 1
    review_finalize(assessment=submitted, consultant=consultant, statement="经现场核查，除所列调整外填报属实。")
    report = rendered(submitted, "en", owner)
    assert (report.verified, report.level_number) == (True, 1)
    assert report.verification_code is not None
    shown = page_text(
        Client(headers={"accept-language": "en"}).get(f"/verify/{report.verification_code}/").content.decode()
    )
    assert "Consultant-verified" in shown
    assert "Level 1" in shown
    assert "(level 1)" not in shown  # the name says the number already
    assert "Level 2" not in shown
    assert "王立" not in shown  # the fields only: no consultant's name
    for score in ("58.13", "53.63"):  # nor any score
        assert score not in shown


@pytest.mark.django_db
def test_wrong_malformed_and_unready_codes_are_404(
    miit: FrameworkVersion, organization: Organization, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready = rendered(answered(miit, organization, owner), "en", owner)
    client = Client()
    assert ready.verification_code is not None
    assert client.get(f"/verify/{ready.verification_code}/").status_code == 200
    guessed = verification_code_new()
    one_off = ready.verification_code[:-1] + ("0" if ready.verification_code[-1] != "0" else "1")
    for code in (
        guessed,
        one_off,
        ready.verification_code[:-1],
        "U" * CODE_LENGTH,
        "<script>",
        "0" * 200,
        ready.number,
    ):
        response = client.get(f"/verify/{code}/")
        assert response.status_code == 404, code
        assert organization.name not in response.content.decode()

    monkeypatch.setattr("reports.services.html_to_pdf", lambda html: (_ for _ in ()).throw(ValueError("broken")))
    failed, _ = report_request(assessment=ready.assessment, language="zh-Hans", requested_by=owner)
    failed = report_render(report_id=failed.pk)  # type: ignore[assignment]
    assert failed.status == Report.Status.FAILED
    assert failed.verification_code is not None  # given at the claim, printed in no stored file
    assert client.get(f"/verify/{failed.verification_code}/").status_code == 404

    rendering = Report.objects.create(
        assessment=ready.assessment, language="en", version=9, inputs_hash="x", status=Report.Status.RENDERING
    )
    services._identity_give(rendering)
    assert client.get(f"/verify/{rendering.verification_code}/").status_code == 404


@pytest.mark.django_db
def test_the_code_is_read_in_any_case_with_or_without_separators_and_the_form_goes_to_its_page(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    report = rendered(answered(miit, organization, owner), "en", owner)
    code = report.verification_code
    assert code is not None
    display = verification_code_display(code)
    client = Client()
    for typed in (
        display,
        display.lower(),
        code.lower(),
        " ".join(display.split("-")),
        f"{display[:9]}_{display[10:]}",
    ):
        assert client.get(f"/verify/{typed}/").status_code == 200, typed
    assert verification_code_normalised(display.replace("0", "o").replace("1", "l")) == code
    response = client.get("/verify/", {"code": f"  {display.lower()} "})
    assert (response.status_code, response["Location"]) == (302, f"/verify/{display}/")
    assert client.get("/verify/", {"code": "not a code"}).status_code == 400
    assert client.get("/verify/").status_code == 200


def test_codes_carry_at_least_100_bits_and_do_not_repeat() -> None:
    assert len(set(ALPHABET)) ** CODE_LENGTH >= 2**100
    codes = [verification_code_new() for _ in range(5000)]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) for code in codes)
    # Every symbol turns up in every position: drawn from the whole alphabet, not a fixed pattern.
    assert all({code[i] for code in codes} == set(ALPHABET) for i in range(CODE_LENGTH))


@pytest.mark.django_db
def test_numbers_follow_each_other_within_the_year_and_a_retry_keeps_its_number_and_code(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    assessment = answered(miit, organization, owner)
    first = rendered(assessment, "en", owner)
    second, _ = report_request(assessment=assessment, language="zh-Hans", requested_by=owner)
    claimed = services._claim(second.pk)
    assert claimed is not None
    assert claimed.number is not None
    assert first.number is not None
    assert int(claimed.number[-6:]) == int(first.number[-6:]) + 1
    # The worker died: a later claim (after the render timeout) renders it with the number it was given.
    Report.objects.filter(pk=second.pk).update(started_at=timezone.now() - timedelta(hours=1))
    again = report_render(report_id=second.pk)
    assert again is not None
    assert (again.number, again.verification_code) == (claimed.number, claimed.verification_code)
    assert again.attempts == 2


def test_concurrent_workers_never_share_a_number(postgresql: None) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def allocate() -> None:
        try:
            start.wait()
            for _ in range(10):
                with transaction.atomic():
                    numbers.append(services._report_number_next(2031))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"DMR-2031-{n:06d}" for n in range(1, 81)]


@pytest.mark.django_db
def test_the_page_answers_429_after_the_limit_per_address(
    miit: FrameworkVersion, organization: Organization, owner: User, settings: Any
) -> None:
    settings.VERIFY_LIMIT_PER_ADDRESS = 3
    report = rendered(answered(miit, organization, owner), "en", owner)
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.get(f"/verify/{verification_code_new()}/").status_code for _ in range(2)]
    statuses.append(client.get(f"/verify/{report.verification_code}/").status_code)
    refused = client.get(f"/verify/{report.verification_code}/")
    assert statuses == [404, 404, 200]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert organization.name not in refused.content.decode()
    assert Client(REMOTE_ADDR="203.0.113.8").get(f"/verify/{report.verification_code}/").status_code == 200


@pytest.mark.django_db
def test_the_api_gives_the_owner_the_number_code_link_and_sha256(
    miit: FrameworkVersion, organization: Organization, owner: User
) -> None:
    report = rendered(answered(miit, organization, owner), "en", owner)
    assert report.verification_code is not None
    client = APIClient()
    client.force_authenticate(owner)
    body = client.get(f"/api/v1/reports/{report.pk}/").json()
    code = verification_code_display(report.verification_code)
    assert body["number"] == report.number
    assert body["verification_code"] == code
    assert body["verify_url"] == f"http://testserver.example/verify/{code}/"
    assert body["sha256"] == hashlib.sha256(report.file.read()).hexdigest()
    queued, _ = report_request(assessment=report.assessment, language="zh-Hans", requested_by=owner)
    body = client.get(f"/api/v1/reports/{queued.pk}/").json()
    assert (body["number"], body["verification_code"], body["verify_url"], body["sha256"]) == (None, None, None, None)
