"""Importaciones: supervisors upload history (a Gerencia spreadsheet, a Zendesk export, open
data, Open311), follow the run's progress and read its report; and the subject synonyms the
importer uses (tickets/imports/)."""

from pathlib import PurePath

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html

from tickets.imports import runs
from tickets.imports.formats import FORMATS, UnknownFormat, reader_for
from tickets.imports.report import OUTCOME_LABELS, issues_csv
from tickets.models import ImportRun, SubjectSynonym

MAX_UPLOAD = 50 * 1024 * 1024
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".json", ".xml")
FORMAT_CHOICES = [
    ("", "Reconocer por el archivo"),
    ("gerencia", "Hoja de la Gerencia (.xlsx o .csv)"),
    ("zendesk", "Exportación de Zendesk (.json o .csv)"),
    ("datos_abiertos", "Datos abiertos de este portal (tickets.csv)"),
    ("open311", "Open311 (requests.json o requests.xml)"),
]
assert [code for code, _ in FORMAT_CHOICES[1:]] == list(FORMATS)


class ImportUploadForm(forms.ModelForm):
    upload = forms.FileField(
        label="Archivo",
        help_text="Hasta 50 MB: .xlsx, .csv, .json o .xml. Se puede subir de nuevo: lo ya importado no se duplica.",
    )
    format = forms.ChoiceField(label="Formato", choices=FORMAT_CHOICES, required=False)

    class Meta:
        model = ImportRun
        fields = ["upload", "format", "source", "dry_run"]
        help_texts = {
            "source": "Vacío: gerencia (hojas y Zendesk), portal (datos abiertos) u open311.",
            "dry_run": "Da el mismo informe sin guardar nada; después puede importarlo desde el informe.",
        }

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if PurePath(upload.name).suffix.lower() not in SUFFIXES:
            raise forms.ValidationError("Suba un archivo .xlsx, .csv, .json o .xml.")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(f"El archivo pesa {upload.size / 1048576:.0f} MB; el límite es 50 MB.")
        return upload

    def clean_source(self):
        return (self.cleaned_data.get("source") or "").strip().lower()

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            data = upload.read()
            try:  # say now, not after a worker tried, that the file cannot be read
                reader_for(PurePath(upload.name).name, data, cleaned.get("format") or None)
            except UnknownFormat as error:
                self.add_error("upload", str(error))
            cleaned["content"] = data
        return cleaned


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "filename", "kind", "state", "progress", "outcomes", "created_by"]
    list_filter = ["state", "dry_run"]
    search_fields = ["filename"]
    list_select_related = ["created_by"]
    change_form_template = "admin/tickets/importrun/change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImportUploadForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["upload", "format", "source", "dry_run"]
        return ["filename", "format", "source", "dry_run", "state", "created_by", "created_at", "finished_at", "error"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def save_model(self, request, obj, form, change):
        obj.filename = PurePath(form.cleaned_data["upload"].name).name[:200]
        obj.content = form.cleaned_data["content"]
        obj.format = form.cleaned_data.get("format") or ""
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        runs.queue(obj)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, "Archivo recibido: la importación empieza en unos segundos.", messages.SUCCESS)
        return redirect("admin:tickets_importrun_change", obj.pk)

    def has_add_permission(self, request):
        return request.user.has_perm("tickets.import_tickets") and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return False  # a run is a record: what was imported is corrected on the tickets

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="tipo")
    def kind(self, run):
        return "Revisión" if run.dry_run else "Importación"

    @admin.display(description="avance")
    def progress(self, run):
        return f"{run.percent} %"

    @admin.display(description="resultado")
    def outcomes(self, run):
        counts = (run.report or {}).get("outcomes") or {}
        return ", ".join(f"{OUTCOME_LABELS[key]}: {n:,}" for key, n in counts.items() if n) or "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if run is not None:
            extra_context.update(
                run=run,
                report=run.report or None,
                outcome_labels=OUTCOME_LABELS,
                refresh=run.state in (ImportRun.State.PENDING, ImportRun.State.RUNNING),
                can_import=run.dry_run
                and run.state == ImportRun.State.DONE
                and bool(run.content)
                and request.user.has_perm("tickets.import_tickets"),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/observaciones.csv",
                self.admin_site.admin_view(self.issues_view),
                name="tickets_importrun_issues",
            ),
            path("<int:pk>/importar/", self.admin_site.admin_view(self.import_view), name="tickets_importrun_import"),
            *super().get_urls(),
        ]

    def issues_view(self, request, pk):
        run = get_object_or_404(ImportRun, pk=pk)
        if not self.has_view_permission(request, run):
            return redirect("admin:index")
        response = HttpResponse(issues_csv(run.report or {}), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="observaciones-importacion-{run.pk}.csv"'
        return response

    def import_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        run = get_object_or_404(ImportRun, pk=pk)
        if not request.user.has_perm("tickets.import_tickets") or not run.dry_run or not run.content:
            self.message_user(
                request, "Esta revisión ya no se puede importar; suba el archivo de nuevo.", messages.ERROR
            )
            return redirect("admin:tickets_importrun_change", run.pk)
        new = runs.import_for_real(run, request.user)
        self.message_user(request, f"Importando «{new.filename}».", messages.SUCCESS)
        return redirect("admin:tickets_importrun_change", new.pk)


@admin.register(SubjectSynonym)
class SubjectSynonymAdmin(admin.ModelAdmin):
    list_display = ["text", "service_link"]
    search_fields = ["text", "normalized", "service__name", "service__code"]
    autocomplete_fields = ["service"]
    fields = ["text", "service"]

    @admin.display(description="servicio", ordering="service__name")
    def service_link(self, synonym):
        url = reverse("admin:tickets_service_change", args=[synonym.service_id])
        return format_html('<a href="{}">{}</a>', url, synonym.service)
