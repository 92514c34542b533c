"""Storing survey responses and adding them up."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Min

from surveys.forms import OTHER, field_name, other_name
from surveys.models import Answer, Question, Response


def results_key(survey):
    return f"surveys:results:{survey.pk}"


@transaction.atomic
def response_create(*, survey, form):
    """Store one validated SurveyForm as a Response with its Answers."""
    response = Response.objects.create(survey=survey)
    # The published results are cached until the next response arrives.
    transaction.on_commit(lambda: cache.delete(results_key(survey)))
    for question in form.questions:
        value = form.cleaned_data.get(field_name(question))
        if value in (None, "", []):
            continue
        values = value if isinstance(value, list) else [value]
        answer = Answer.objects.create(
            response=response,
            question=question,
            other=OTHER in values,
            text=(form.cleaned_data.get(other_name(question)) or "").strip()
            if OTHER in values
            else (value if question.kind == Question.Kind.TEXT else ""),
        )
        chosen = [v for v in values if v != OTHER]
        if chosen and question.kind != Question.Kind.TEXT:
            answer.choices.set(question.choices.filter(value__in=chosen))
    return response


def cached_results(survey):
    """results(), counted once per new response rather than once per page view."""
    return cache.get_or_set(results_key(survey), lambda: results(survey), timeout=3600)


def results(survey):
    """Counts and percentages per question; percentages of those who answered it."""
    summary = survey.responses.aggregate(total=Count("id"), first=Min("submitted_at"), last=Max("submitted_at"))
    questions = []
    for question in survey.questions.prefetch_related("choices"):
        answered = Answer.objects.filter(question=question).count()
        counts = dict(question.choices.annotate(n=Count("answers")).values_list("value", "n"))
        rows = [
            {"label": choice.label, "count": counts[choice.value], "pct": _pct(counts[choice.value], answered)}
            for choice in question.choices.all()
        ]
        if question.other_label:
            others = Answer.objects.filter(question=question, other=True).count()
            rows.append({"label": question.other_label, "count": others, "pct": _pct(others, answered)})
        top = max((row["count"] for row in rows), default=0)
        for row in rows:
            row["bar"] = round(100 * row["count"] / top, 1) if top else 0
        questions.append(
            {
                "question": question,
                "answered": answered,
                "rows": rows,
                "multiple": question.kind == Question.Kind.MULTIPLE,
            }
        )
    return {**summary, "questions": questions}


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else 0.0
