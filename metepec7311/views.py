"""Site-wide pages that belong to no single app."""

from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView


def _url_or_none(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _home_news():
    """The latest three articles and the next events, cached for a minute: the home page is
    the busiest page, and a scheduled article may appear up to a minute late."""
    from news.models import Article

    def load():
        return {
            # Events have their own list; the latest three are news and programs.
            "latest_news": list(Article.objects.published().exclude(kind=Article.Kind.EVENTO)[:3]),
            "upcoming_events": list(Article.objects.upcoming_events()[:3]),
        }

    return cache.get_or_set("home:news", load, 60)


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            report_url=_url_or_none("report"), tracking_url=_url_or_none("tracking"), **_home_news(), **kwargs
        )


class PrivacyView(TemplateView):
    template_name = "privacy.html"
