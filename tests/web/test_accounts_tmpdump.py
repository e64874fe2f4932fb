from __future__ import annotations
import pytest
from django.urls import reverse
pytestmark = pytest.mark.django_db

def test_dump(client, organization, owner):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    open("/tmp/signup.html","w").write(client.get(reverse("web:signup")).content.decode())
    open("/tmp/suggest.html","w").write(client.get(reverse("web:size_band_suggest"), {"sector":"C","employees":"350","annual_revenue":"5000"}).content.decode())
    client.force_login(owner)
    open("/tmp/profile.html","w").write(client.get(reverse("web:org_profile", args=[organization.pk])).content.decode())
    open("/tmp/members.html","w").write(client.get(reverse("web:org_members", args=[organization.pk])).content.decode())
    open("/tmp/keys.html","w").write(client.post(reverse("web:org_api_keys", args=[organization.pk]), {"name":"erp","scope":"read"}).content.decode())
