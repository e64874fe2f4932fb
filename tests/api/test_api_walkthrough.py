"""docs/api.md's walk-through, run as written: its shell steps, with curl and jq, against a live server."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from pytest_django.live_server_helper import LiveServer

from api.models import ApiKey
from api.services import api_key_create
from assessment.models import Assessment, FrameworkVersion, User

GUIDE = Path(settings.BASE_DIR) / "docs" / "api.md"
WALKTHROUGH = re.compile(r"<!-- walkthrough:start -->(.*?)<!-- walkthrough:end -->", re.DOTALL)
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.DOTALL | re.MULTILINE)
STEP_MARK = "@@ step "
VARIABLES_MARK = "@@ variables "

# Every response body is copied to stderr: the guide captures ids with ORG=$(curl … | jq -r .id), which
# would swallow the error body of a failing step.
PRELUDE = """\
set -euo pipefail
curl() { command curl "$@" | tee -a /dev/stderr; }
set -x
"""
TRAILER = f"""\
set +x
echo "{VARIABLES_MARK}$(jq -nc --arg org "$ORG" --arg assessment "$ASSESSMENT" '{{$org, $assessment}}')"
"""

# What the guide's answers earn by the MIIT options' points (frameworks/miit-2024-manufacturing.yaml):
# foundation F1 4 + F2 3 + F3 1.5 + F4 4.2 + F5 7.5 (D, after the PATCH) + F6 2.5 + F7 2.5 = 25.2,
# management M1 4.5 + M2 3.75 + M3 3 + M4 0 = 11.25, outcomes R1 7 + R2 3.5 + R3 3 + R4 1.5 = 15.
TOTAL = Decimal("51.45")
# Level 2: 51.45 ≥ 40 and ten scenarios at level 2 or above, seven of them constrained (6 and 3 needed).
LEVEL = 2
# The what-if: F5 D→E +2.5, M2 B,C→B,C,D,E +3.75, M4 A→C +3.75; only two scenarios at level 3, so still level 2.
WHAT_IF_TOTAL = 61.45
OUTCOMES = ("R1", "R2", "R3", "R4")  # left for a second PUT, so the first submission is refused


@dataclass(frozen=True)
class Run:
    steps: list[str]
    outputs: list[str]
    variables: dict[str, str]
    transcript: str

    def output_of(self, fragment: str) -> str:
        """The standard output of the one step whose commands contain `fragment`."""
        matching = [i for i, step in enumerate(self.steps) if fragment in step]
        assert len(matching) == 1, f"one step should contain {fragment!r}, {len(matching)} do\n{self.transcript}"
        return self.outputs[matching[0]]

    def json_of(self, fragment: str) -> Any:
        return json.loads(self.output_of(fragment))


def walkthrough_steps() -> list[str]:
    marked = WALKTHROUGH.findall(GUIDE.read_text(encoding="utf-8"))
    assert len(marked) == 1, "docs/api.md must mark its walk-through once with walkthrough:start/end comments"
    return SH_BLOCK.findall(marked[0])


def run_walkthrough(steps: list[str], *, base: str, key: str, workdir: Path) -> Run:
    body = "".join(f"echo '{STEP_MARK}{i}'\n{step}" for i, step in enumerate(steps))
    script = PRELUDE + body + TRAILER
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=workdir,
        env={**os.environ, "BASE": base, "KEY": key},
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    transcript = (
        f"exit status {done.returncode}\n--- stdout ---\n{done.stdout}\n--- stderr (commands and responses) ---\n"
        f"{done.stderr}"
    )
    assert done.returncode == 0, f"the walk-through in docs/api.md failed\n{transcript}"
    stdout, _, last = done.stdout.rpartition(VARIABLES_MARK)
    outputs = re.split(rf"^{re.escape(STEP_MARK)}\d+\n", stdout, flags=re.MULTILINE)[1:]
    assert len(outputs) == len(steps), transcript
    return Run(steps=steps, outputs=outputs, variables=json.loads(last), transcript=transcript)


@pytest.mark.django_db(transaction=True)
def test_the_walkthrough_in_the_api_guide_submits_a_miit_assessment_and_scores_it(
    live_server: LiveServer, tmp_path: Path, miit: FrameworkVersion
) -> None:
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run scripts/system-packages.sh")
    user = User.objects.create_user("integrator@example.com", "pw-integrator-1234")
    _key, secret = api_key_create(user=user, name="ERP connector", scope=ApiKey.Scope.WRITE, expires_in_days=365)

    run = run_walkthrough(walkthrough_steps(), base=live_server.url, key=secret, workdir=tmp_path)

    frameworks = run.output_of("/api/v1/frameworks/").splitlines()
    assert [line.split()[0] for line in frameworks] == ["eu-dma@2024", "miit-2024-manufacturing@2024"], run.transcript

    saved, partial = run.output_of('"investment_per_year": 180').splitlines()
    assert json.loads(saved)["answers"] == 27, run.transcript
    exact = json.loads(partial, parse_float=Decimal)
    assert exact == {"total": Decimal("33.95"), "level": 1, "completeness": Decimal("0.870967741935")}, run.transcript

    refused = run.output_of("-w '\\n%{http_code}\\n'").strip().splitlines()
    assert refused[-1] == "422", run.transcript
    refusal = json.loads(refused[0])
    assert refusal["code"] == "incomplete", run.transcript
    assert refusal["details"] == {q: ["a required question is unanswered"] for q in OUTCOMES}, run.transcript

    submitted = run.json_of("Idempotency-Key: submit-")
    assert submitted["status"] == "submitted", run.transcript
    assert (submitted["result"]["total"], submitted["result"]["frozen"]) == (float(TOTAL), True), run.transcript
    assessment = Assessment.objects.select_related("result", "organization").get(pk=run.variables["assessment"])
    assert str(assessment.organization_id) == run.variables["org"]
    assert assessment.organization.size_band == "small"  # 180 employees, 8,600 (10k CNY) revenue: 小型
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.pledged_at is not None
    assert (assessment.result.total, assessment.result.level, assessment.result.frozen) == (TOTAL, LEVEL, True)

    results = run.json_of("/results/?peers=sector")
    assert (results["total"], results["level"], results["next_level"]) == (float(TOTAL), LEVEL, 3), run.transcript
    assert results["path"]["level_after"] == 3, run.transcript
    assert results["peers"]["filter"] == {"sector": "C"}, run.transcript

    what_if = run.json_of("/what-if/")
    assert (what_if["total"], what_if["level"]) == (WHAT_IF_TOTAL, LEVEL), run.transcript
    assert what_if["total"] != results["total"], run.transcript
    assessment.result.refresh_from_db()
    assert assessment.result.total == TOTAL, "a what-if question must not change the stored result"
