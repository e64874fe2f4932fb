from __future__ import annotations
import pytest
from django.urls import reverse
from assessment import services
pytestmark = pytest.mark.django_db

def test_smoke(owner_web, organization, owner, miit, mini):
    c = owner_web
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    r = c.get(reverse("web:org_home", args=[organization.pk]))
    open("/tmp/qs/org.html", "w").write(r.content.decode()); assert r.status_code == 200
    r = c.post(reverse("web:assessment_start", args=[organization.pk]), {"framework": miit.pk})
    assert r.status_code == 302, r.content.decode()[:3000]
    a = organization.assessments.get()
    r = c.get(reverse("web:assessment", args=[a.pk])); print(r["Location"])
    for step in range(1, 8):
        r = c.get(reverse("web:wizard", args=[a.pk, step]))
        open(f"/tmp/qs/step{step}.html", "w").write(r.content.decode()); assert r.status_code == 200
    r = c.post(reverse("web:answer_save", args=[a.pk, "F2"]), {"choice": "C", "evidence.devices_total": "120", "evidence.devices_digital": "40"}, HTTP_HX_REQUEST="true")
    open("/tmp/qs/save.html", "w").write(r.content.decode()); print(r.status_code)
    r = c.post(reverse("web:answer_save", args=[a.pk, "F1"]), {"choices": ["A", "B"]}, HTTP_HX_REQUEST="true")
    open("/tmp/qs/save_err.html", "w").write(r.content.decode()); print(r.status_code)
    r = c.get(reverse("web:review", args=[a.pk]))
    open("/tmp/qs/review.html", "w").write(r.content.decode()); assert r.status_code == 200
    r = c.get(reverse("web:results", args=[a.pk]))
    open("/tmp/qs/results.html", "w").write(r.content.decode()); assert r.status_code == 200
    b = services.assessment_create(organization=organization, framework_version=mini, created_by=owner)
    for step in range(1, 3):
        r = c.get(reverse("web:wizard", args=[b.pk, step]))
        open(f"/tmp/qs/mini{step}.html", "w").write(r.content.decode()); assert r.status_code == 200
    r = c.get(reverse("web:results", args=[b.pk]))
    open("/tmp/qs/mini_results.html", "w").write(r.content.decode()); assert r.status_code == 200
