"""A few demo articles for `make run` (only into an empty news table)."""

from datetime import timedelta

from django.utils import timezone

from news.models import Article

ARTICLES = [
    (
        "programa",
        "Programa de bacheo 2026",
        "programa-bacheo-2026",
        "Cuadrillas de Obras Públicas recorren las delegaciones para atender los baches reportados al *7311.",
        "El programa atiende primero los baches **reportados por los vecinos**.\n\n"
        "- Reporte en [la página](/reportar/bacheo/) o llame al *7311.\n- Siga su folio en línea.",
        -20,
    ),
    (
        "noticia",
        "El *7311 ya recibe reportes con foto",
        "reportes-con-foto",
        "Ahora puede agregar hasta tres fotos a su reporte; les quitamos la ubicación y los datos de la cámara.",
        "Las fotos ayudan a las cuadrillas a encontrar el problema.\n\nSu privacidad importa: "
        "nunca publicamos su nombre, teléfono ni correo.",
        -5,
    ),
    (
        "noticia",
        "Cifras abiertas del *7311",
        "cifras-abiertas",
        "Consulte cuántos reportes se reciben y resuelven, por servicio y por zona.",
        "Las [estadísticas](/estadisticas/) y los [datos abiertos](/datos/) se actualizan cada cinco minutos.",
        -2,
    ),
]


def seed_articles(now=None):
    if Article.objects.exists():
        return 0
    now = now or timezone.now()
    for kind, title, slug, summary, body, days in ARTICLES:
        Article.objects.create(
            kind=kind,
            title=title,
            slug=slug,
            summary=summary,
            body=body,
            status=Article.Status.PUBLISHED,
            publish_at=now + timedelta(days=days),
        )
    Article.objects.create(
        kind="evento",
        title="Jornada de limpieza en Coaxustenco",
        slug="jornada-limpieza-coaxustenco",
        summary="Vecinos y Servicios Públicos limpian calles y camellones del barrio.",
        body="Traiga guantes y agua; las herramientas las pone el Ayuntamiento.",
        status=Article.Status.PUBLISHED,
        publish_at=now - timedelta(days=1),
        starts_at=timezone.localtime(now + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0),
        ends_at=timezone.localtime(now + timedelta(days=7)).replace(hour=13, minute=0, second=0, microsecond=0),
        place="Jardín de Coaxustenco",
    )
    return len(ARTICLES) + 1
