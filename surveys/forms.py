"""A survey's form, built from its questions; the satisfaction form of a resolved ticket."""

from django import forms

from surveys.models import Question

OTHER = "__otro__"


def field_name(question):
    return f"pregunta_{question.pk}"


def other_name(question):
    return f"pregunta_{question.pk}_otro"


class SurveyForm(forms.Form):
    # Bots fill every field; people never see this one.
    website = forms.CharField(required=False, label="Deje este campo vacío", max_length=200)

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = list(survey.questions.prefetch_related("choices"))
        for question in self.questions:
            self.fields[field_name(question)] = self._field(question)
            if question.other_label:
                self.fields[other_name(question)] = forms.CharField(
                    label=f"¿Cuál? ({question.other_label.lower()})", required=False, max_length=200
                )

    def _field(self, question):
        choices = [(choice.value, choice.label) for choice in question.choices.all()]
        if question.other_label:
            choices.append((OTHER, question.other_label))
        required_message = {"required": "Responda esta pregunta."}
        common = {"label": question.text, "required": question.required, "error_messages": required_message}
        if question.kind == Question.Kind.MULTIPLE:
            common["error_messages"] = {"required": "Elija al menos una opción."}
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        if question.kind in (Question.Kind.YES_NO, Question.Kind.SINGLE):
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, **common)

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError("No pudimos recibir la encuesta. Intente de nuevo.")
        return ""

    def clean(self):
        data = super().clean()
        for question in self.questions:
            if not question.other_label:
                continue
            value = data.get(field_name(question)) or []
            chosen = OTHER in (value if isinstance(value, list) else [value])
            if chosen and not (data.get(other_name(question)) or "").strip():
                self.add_error(other_name(question), "Escriba cuál es la otra opción.")
        return data

    def rows(self):
        """(question, field, other field or None), in order, for the template."""
        for question in self.questions:
            other = self[other_name(question)] if question.other_label else None
            yield question, self[field_name(question)], other


class SatisfactionForm(forms.Form):
    RATINGS = [(5, "5 · Excelente"), (4, "4 · Buena"), (3, "3 · Regular"), (2, "2 · Mala"), (1, "1 · Muy mala")]

    rating = forms.TypedChoiceField(
        label="¿Cómo califica la atención a su reporte?",
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Elija una calificación del 1 al 5."},
    )
    comment = forms.CharField(
        label="Comentario (opcional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Solo lo lee el personal del Ayuntamiento.",
    )
