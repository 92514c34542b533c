from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from news.models import Article


class LatestArticles(Feed):
    title = "Metepec *7311 · Noticias, programas y eventos"
    link = "/noticias/"
    description = "Noticias de los programas, acciones, eventos y proyectos del Ayuntamiento de Metepec."
    language = "es-mx"

    def items(self):
        return Article.objects.published()[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display()]


class LatestArticlesAtom(LatestArticles):
    feed_type = Atom1Feed
    subtitle = LatestArticles.description
