import csv
import io

from django.contrib import admin
from django.db.models import Avg, Count
from django.http import HttpResponse
from django.utils.text import slugify

from surveys.models import Choice, Question, Survey, TicketSatisfaction


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("order", "text", "kind", "required", "other_label")
    show_change_link = True


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "is_open", "show_results", "responses_count")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [QuestionInline]
    actions = ["export_responses"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_responses=Count("responses"))

    @admin.display(description="respuestas", ordering="n_responses")
    def responses_count(self, obj):
        return obj.n_responses

    @admin.action(description="Exportar respuestas (CSV)", permissions=["view"])
    def export_responses(self, request, queryset):
        """One row per response, one column per question (choices joined by «; »)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for survey in queryset:
            questions = list(survey.questions.all())
            writer.writerow(["encuesta", "respuesta", "fecha", *[f"{q.order}. {q.text}" for q in questions]])
            responses = survey.responses.prefetch_related("answers__choices").order_by("submitted_at")
            for response in responses:
                by_question = {answer.question_id: answer for answer in response.answers.all()}
                cells = []
                for question in questions:
                    answer = by_question.get(question.pk)
                    if answer is None:
                        cells.append("")
                        continue
                    parts = [choice.label for choice in answer.choices.all()]
                    if answer.other:
                        parts.append(f"{question.other_label}: {answer.text}")
                    elif answer.text:
                        parts.append(answer.text)
                    cells.append("; ".join(parts))
                writer.writerow([survey.slug, response.pk, response.submitted_at.isoformat(), *cells])
        name = slugify(queryset.first().slug) if queryset.count() == 1 else "encuestas"
        reply = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        reply["Content-Disposition"] = f'attachment; filename="respuestas-{name}.csv"'
        return reply


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    prepopulated_fields = {"value": ("label",)}


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "survey", "kind", "required")
    list_filter = ("survey",)
    inlines = [ChoiceInline]


@admin.register(TicketSatisfaction)
class TicketSatisfactionAdmin(admin.ModelAdmin):
    list_display = ("ticket", "service", "department", "solved", "rating", "created_at")
    list_filter = ("rating", "solved", "department", "service")
    list_select_related = ("ticket", "service", "department")
    readonly_fields = ("ticket", "service", "department", "ticket_month", "solved", "rating", "comment", "created_at")
    search_fields = ("ticket__folio", "comment")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # residents' verdicts are part of the public record (and of the rollups)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if hasattr(response, "context_data") and "cl" in response.context_data:
            ratings = response.context_data["cl"].queryset
            response.context_data["summary"] = ratings.aggregate(n=Count("id"), avg=Avg("rating"))
            response.context_data["by_department"] = (
                ratings.values("department__name").annotate(n=Count("id"), avg=Avg("rating")).order_by("-n")
            )
        return response
