"""/noticias/: the list (with a filter by kind), each article, and the feeds."""

from csp.decorators import csp_update
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from news import markup
from news.models import Article

PER_PAGE = 10


def body_html(article):
    """Rendered Markdown, cached until the article changes."""
    key = f"news:html:{article.pk}:{article.updated_at.timestamp()}"
    html = cache.get(key)
    if html is None:
        html = markup.render(article.body)
        cache.set(key, html, 86400)
    return html


def article_list(request):
    kind = request.GET.get("tipo", "")
    articles = Article.objects.published()
    if kind in Article.Kind.values:
        articles = articles.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(articles, PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "news/list.html", {"page": page, "kind": kind, "kinds": Article.Kind.choices})


# Bodies may show images hosted elsewhere (program posters); only images, only on articles.
@csp_update({"img-src": ["https:"]})
def article_detail(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    # build_absolute_uri keeps URLs that are already absolute (media on a storage bucket).
    cover_url = request.build_absolute_uri(article.cover.url) if article.cover else ""
    context = {"article": article, "body_html": body_html(article), "cover_url": cover_url}
    return render(request, "news/detail.html", context)
