"""Site-wide pages that belong to no single app."""

from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView


def _url_or_none(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            report_url=_url_or_none("report"), tracking_url=_url_or_none("tracking"), **kwargs
        )


class PrivacyView(TemplateView):
    template_name = "privacy.html"
