from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from news.models import Article
from news.views import body_html
from tickets.photos import clean_photo


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "kind",
            "title",
            "slug",
            "summary",
            "body",
            "cover",
            "cover_alt",
            "status",
            "publish_at",
            "starts_at",
            "ends_at",
            "place",
        ]
        error_messages = {"cover": {"invalid_image": "El archivo no es una imagen válida (JPEG, PNG o WebP)."}}

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        if cover and hasattr(cover, "content_type"):  # a new upload: checked and re-encoded like ticket photos
            return clean_photo(cover)
        return cover


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ("title", "kind", "status", "publish_at", "is_public_now")
    list_filter = ("kind", "status")
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "publish_at"
    fieldsets = (
        (None, {"fields": ("kind", "title", "slug", "summary", "body")}),
        ("Imagen", {"fields": ("cover", "cover_alt")}),
        ("Evento", {"fields": ("starts_at", "ends_at", "place"), "description": "Solo para eventos."}),
        ("Publicación", {"fields": ("status", "publish_at")}),
    )

    @admin.display(description="visible ahora", boolean=True)
    def is_public_now(self, obj):
        return obj.is_public

    def save_model(self, request, obj, form, change):
        if not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("<int:pk>/vista-previa/", preview, name="news_article_preview"), *super().get_urls()]

    def preview_view(self, request, pk):
        """The public page as it will look, drafts and scheduled articles included (staff only)."""
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_or_change_permission(request, article):
            return redirect("admin:index")
        return TemplateResponse(
            request,
            "news/detail.html",
            {
                "article": article,
                "body_html": body_html(article),
                "preview": True,
                "edit_url": reverse("admin:news_article_change", args=[pk]),
            },
        )

    def response_change(self, request, obj):
        if "_preview" in request.POST:
            return redirect("admin:news_article_preview", pk=obj.pk)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_preview" in request.POST:
            return redirect("admin:news_article_preview", pk=obj.pk)
        return super().response_add(request, obj, post_url_continue)
