"""/encuesta_7311/ (and any other survey at /encuestas/<slug>/), its results, thanks."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django_ratelimit.core import is_ratelimited

from metepec7311.security import client_address
from surveys import responses
from surveys.forms import SurveyForm
from surveys.models import Survey

ENCUESTA = "encuesta_7311"


def survey_form(request, slug=ENCUESTA):
    survey = get_object_or_404(Survey, slug=slug)
    if not survey.is_open:
        return render(request, "surveys/closed.html", {"survey": survey}, status=410)
    form = SurveyForm(request.POST or None, survey=survey)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            limited = is_ratelimited(
                request, group=f"survey-{slug}", key=client_address, rate=settings.SURVEY_RATE_LIMIT, increment=True
            )
            if not limited:
                responses.response_create(survey=survey, form=form)
                return redirect(survey.get_thanks_url())
            status = 429
        else:
            status = 400
    return render(
        request, "surveys/form.html", {"survey": survey, "form": form, "limited": status == 429}, status=status
    )


def thanks(request, slug=ENCUESTA):
    survey = get_object_or_404(Survey, slug=slug)
    return render(request, "surveys/thanks.html", {"survey": survey})


def survey_results(request, slug=ENCUESTA):
    survey = get_object_or_404(Survey, slug=slug, show_results=True)
    return render(request, "surveys/results.html", {"survey": survey, "results": responses.cached_results(survey)})
