"""The public layout every page uses, the home page and the privacy notice."""

import pytest


@pytest.mark.django_db
def test_home_explains_how_to_report_by_web_and_by_phone(client):
    response = client.get("/")
    html = response.text
    assert response.status_code == 200
    assert '<html lang="es-MX">' in html
    assert 'name="viewport"' in html
    assert "*7311" in html and 'href="tel:*7311"' in html
    assert "48 horas hábiles" in html
    assert "911" in html
    assert "Cómo reportar" in html
    assert 'href="/reportar/"' in html and 'href="/seguimiento/"' in html


@pytest.mark.django_db
def test_every_page_has_the_identity_navigation_and_privacy_link(client):
    for url in ("/", "/aviso-de-privacidad/"):
        html = client.get(url).text
        assert "Gerencia de la Ciudad" in html and "Ayuntamiento de Metepec" in html
        assert 'aria-label="Principal"' in html
        assert 'href="/aviso-de-privacidad/"' in html
        assert 'class="skip-link"' in html


@pytest.mark.django_db
def test_the_privacy_notice_says_what_is_public_and_what_never_is(client):
    html = client.get("/aviso-de-privacidad/").text
    assert "Qué nunca es público" in html
    assert "nombre, teléfono y correo" in html
