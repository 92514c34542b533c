from django.urls import path

from news import feeds, views

app_name = "news"
urlpatterns = [
    path("noticias/", views.article_list, name="list"),
    path("noticias/feed/", feeds.LatestArticles(), name="feed"),
    path("noticias/feed/atom/", feeds.LatestArticlesAtom(), name="feed_atom"),
    path("noticias/<slug:slug>/", views.article_detail, name="detail"),
]
