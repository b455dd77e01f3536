from django.test import Client

from anjian.risks import services


def test_given_enterprise_with_a_code_when_staff_open_home_then_code_shown_with_link(world):
    services.safety_code_recompute(enterprise_id=world.chem_a.pk, trigger="test")
    client = Client()
    client.force_login(world.user("employee_a"))
    html = client.get("/").content.decode()
    assert 'id="home-safety-code"' in html
    assert f"/enterprises/{world.chem_a.pk}/risks/" in html


def test_given_no_code_yet_when_staff_open_home_then_says_not_computed(world):
    client = Client()
    client.force_login(world.user("principal_c"))
    assert "尚未计算" in client.get("/").content.decode()
