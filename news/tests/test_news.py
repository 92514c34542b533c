"""News, programs and events: publication rules, sanitizing, feeds, sitemap, sharing."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from conftest import local, make_staff
from news import markup
from news.models import Article
from tickets.permissions import EDITOR_GROUP
from tickets.tests import images


def article(**fields):
    defaults = {
        "kind": "noticia",
        "title": "Arranca el bacheo",
        "slug": "arranca-bacheo",
        "summary": "Cuadrillas en las calles.",
        "body": "Texto con **negritas**.",
        "status": Article.Status.PUBLISHED,
        "publish_at": local(2026, 12, 1, 9),
    }
    return Article.objects.create(**{**defaults, **fields})


@pytest.fixture
def articles(db, frozen):
    return {
        "published": article(),
        "draft": article(title="Borrador secreto", slug="borrador", status=Article.Status.DRAFT),
        "scheduled": article(title="Anuncio programado", slug="programado", publish_at=local(2026, 12, 24, 9)),
        "event": article(
            kind="evento",
            title="Jornada de limpieza",
            slug="jornada",
            place="Jardín de Coaxustenco",
            starts_at=local(2026, 12, 12, 9),
            ends_at=local(2026, 12, 12, 13),
            publish_at=local(2026, 12, 2, 9),
        ),
        "past_event": article(
            kind="evento",
            title="Feria pasada",
            slug="feria-pasada",
            place="Centro",
            starts_at=local(2026, 11, 1, 9),
            publish_at=local(2026, 10, 1, 9),
        ),
    }


PUBLIC_URLS = ["/", "/noticias/", "/noticias/?tipo=evento", "/noticias/feed/", "/noticias/feed/atom/", "/sitemap.xml"]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_drafts_and_scheduled_items_are_never_public(client, articles, url):
    body = client.get(url).content.decode()
    assert "Borrador secreto" not in body and "borrador" not in body.replace("Borrador", "")
    assert "Anuncio programado" not in body and "/noticias/programado/" not in body


def test_their_pages_do_not_exist_until_published(client, articles, time_machine):
    assert client.get("/noticias/borrador/").status_code == 404
    assert client.get("/noticias/programado/").status_code == 404
    time_machine.move_to(local(2026, 12, 24, 9, 1), tick=False)  # the scheduled time comes
    assert client.get("/noticias/programado/").status_code == 200
    assert "Anuncio programado" in client.get("/noticias/").text
    assert client.get("/noticias/borrador/").status_code == 404


def test_the_list_filters_by_kind_and_paginates(client, articles, frozen):
    html = client.get("/noticias/", {"tipo": "evento"}).text
    assert "Jornada de limpieza" in html and "Arranca el bacheo" not in html
    for n in range(12):
        article(title=f"Nota {n}", slug=f"nota-{n}", publish_at=local(2026, 11, 1, 9) + timedelta(hours=n))
    first, second = client.get("/noticias/").text, client.get("/noticias/", {"pagina": 2}).text
    assert "Página 1 de 2" in first and "Página 2 de 2" in second
    assert "Nota 0" in second and "Nota 0" not in first


def test_the_home_shows_the_latest_three_and_the_next_events(client, articles):
    html = client.get("/").text
    events = html.split("Próximos eventos")[1].split("Noticias y programas")[0]
    assert "Jornada de limpieza" in events and "Feria pasada" not in events
    latest = html.split("Noticias y programas")[1]
    assert "Arranca el bacheo" in latest and "Jornada de limpieza" not in latest, "events are listed apart"


def test_an_article_page_has_opengraph_tags_for_sharing(client, articles):
    html = client.get("/noticias/arranca-bacheo/").text
    assert '<meta property="og:title" content="Arranca el bacheo">' in html
    assert '<meta property="og:description" content="Cuadrillas en las calles.">' in html
    assert '<meta property="og:url" content="http://testserver/noticias/arranca-bacheo/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert "<strong>negritas</strong>" in html


def test_an_event_shows_when_and_where(client, articles):
    html = client.get("/noticias/jornada/").text
    assert "Jardín de Coaxustenco" in html and "12 de diciembre de 2026, 09:00" in html


def test_feeds_are_valid_rss_and_atom_with_published_items_only(client, articles):
    rss = ElementTree.fromstring(client.get("/noticias/feed/").content)
    titles = [item.findtext("title") for item in rss.iter("item")]
    assert set(titles) == {"Arranca el bacheo", "Jornada de limpieza", "Feria pasada"}
    atom = ElementTree.fromstring(client.get("/noticias/feed/atom/").content)
    namespace = "{http://www.w3.org/2005/Atom}"
    assert len(atom.findall(f"{namespace}entry")) == 3


def test_the_sitemap_lists_main_pages_and_published_news(client, articles):
    xml = client.get("/sitemap.xml").content.decode()
    for path in (
        "/reportar/",
        "/seguimiento/",
        "/mapa/",
        "/estadisticas/",
        "/datos/",
        "/encuesta_7311/",
        "/noticias/arranca-bacheo/",
    ):
        assert f"http://testserver{path}</loc>" in xml


# --- sanitizing -------------------------------------------------------------------------------

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[clic](javascript:alert(1))",
    '<a href="javascript:alert(1)">clic</a>',
    '<a href="data:text/html,<script>alert(1)</script>">clic</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<svg onload="alert(1)"><circle/></svg>',
    "<scr<script>ipt>alert(1)</script>",
    '<a href="JaVaScRiPt:alert(1)">clic</a>',
    '<object data="x.swf"></object><embed src="x">',
    '<form action="https://evil.example"><input name="x"></form>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_script_gets_through_markdown(attack):
    html = markup.render(f"Texto normal.\n\n{attack}\n\nMás texto.").lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "data:text",
        "<iframe",
        "style=",
        "<svg",
        "<object",
        "<embed",
        "<form",
        "<input",
    ):
        assert bad not in html, (attack, html)
    assert "texto normal." in html


def test_links_and_images_are_kept_and_made_safe():
    html = markup.render("[Programa](https://metepec.gob.mx/programa) ![Cartel](https://metepec.gob.mx/cartel.png)")
    assert '<a href="https://metepec.gob.mx/programa" rel="noopener noreferrer nofollow">Programa</a>' in html
    assert '<img alt="Cartel" src="https://metepec.gob.mx/cartel.png">' in html


def test_a_saved_attack_renders_escaped_on_the_page(client, db, frozen):
    article(slug="ataque", body="Hola <script>alert('x')</script> [mal](javascript:alert(1))")
    html = client.get("/noticias/ataque/").text
    assert "<script>alert" not in html and "javascript:alert" not in html


# --- staff ----------------------------------------------------------------------------------------


@pytest.fixture
def editor(db):
    return make_staff("elena", EDITOR_GROUP)


def test_an_editor_writes_with_a_preview_before_publishing(client, editor, frozen):
    client.force_login(editor)
    response = client.post(
        reverse("admin:news_article_add"),
        {
            "kind": "programa",
            "title": "Programa de luminarias",
            "slug": "luminarias",
            "summary": "Cambio a LED.",
            "body": "Se cambian **2,000** luminarias.",
            "status": "borrador",
            "publish_at_0": "2026-12-07",
            "publish_at_1": "10:00",
            "_preview": "1",
        },
    )
    item = Article.objects.get(slug="luminarias")
    assert response.status_code == 302 and response.url == reverse("admin:news_article_preview", args=[item.pk])
    preview = client.get(response.url).text
    assert "Vista previa" in preview and "aún no es pública" in preview and "<strong>2,000</strong>" in preview
    assert item.author == editor
    client.logout()
    assert client.get("/noticias/luminarias/").status_code == 404


def test_events_need_date_and_place_and_covers_need_a_description(client, editor, frozen):
    client.force_login(editor)
    base = {
        "kind": "evento",
        "title": "Feria",
        "slug": "feria",
        "summary": "s",
        "body": "b",
        "status": "publicado",
        "publish_at_0": "2026-12-07",
        "publish_at_1": "10:00",
    }
    response = client.post(reverse("admin:news_article_add"), base)
    assert "Un evento necesita fecha y hora de inicio." in response.text
    assert "Un evento necesita lugar." in response.text
    response = client.post(
        reverse("admin:news_article_add"),
        {
            **base,
            "kind": "noticia",
            "cover": images.upload("portada.jpg"),
        },
    )
    assert "Describa la imagen para quien no puede verla." in response.text
    response = client.post(
        reverse("admin:news_article_add"),
        {
            **base,
            "kind": "noticia",
            "cover": images.upload("portada.txt", b"no soy imagen"),
            "cover_alt": "x",
        },
    )
    assert "no es una imagen válida" in response.text
    assert not Article.objects.exists()


def test_a_cover_is_re_encoded_without_metadata(client, editor, frozen):
    client.force_login(editor)
    client.post(
        reverse("admin:news_article_add"),
        {
            "kind": "noticia",
            "title": "Con foto",
            "slug": "con-foto",
            "summary": "s",
            "body": "b",
            "status": "publicado",
            "publish_at_0": "2026-12-07",
            "publish_at_1": "09:00",
            "cover": images.upload("portada.jpg"),
            "cover_alt": "Cuadrilla trabajando",
        },
    )
    item = Article.objects.get(slug="con-foto")
    data = item.cover.read()
    assert b"TelefonoMarca" not in data and b"Exif" not in data
    html = client.get("/noticias/con-foto/").text
    assert f'<meta property="og:image" content="http://testserver{item.cover.url}">' in html
    assert 'alt="Cuadrilla trabajando"' in html


def test_the_editor_group_exists_with_news_rights(db):
    group = Group.objects.get(name=EDITOR_GROUP)
    assert group.permissions.filter(codename="add_article").exists()
