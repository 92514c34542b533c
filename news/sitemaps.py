from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from news.models import Article


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Article.objects.published()

    def lastmod(self, item):
        return item.updated_at


class MainPagesSitemap(Sitemap):
    """The stable public pages that posters and other systems link to."""

    changefreq = "daily"

    def items(self):
        return ["home", "report", "tracking", "map", "stats", "open_data", "news:list", "surveys:encuesta", "privacy"]

    def location(self, item):
        return reverse(item)
