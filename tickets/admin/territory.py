from django.contrib import admin

from tickets.models import Colonia, Delegacion, Locality


@admin.register(Delegacion)
class DelegacionAdmin(admin.ModelAdmin):
    list_display = ("name", "settlement_type", "locality")
    search_fields = ("name", "key")
    list_select_related = ("locality",)


@admin.register(Colonia)
class ColoniaAdmin(admin.ModelAdmin):
    list_display = ("name", "postal_code", "settlement_type", "delegacion")
    list_filter = ("settlement_type", "zone", ("delegacion", admin.EmptyFieldListFilter))
    # Linking colonias to delegaciones is ongoing staff work: edit it right in the list.
    list_editable = ("delegacion",)
    search_fields = ("name", "postal_code")
    list_select_related = ("delegacion",)
    list_per_page = 100


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ("name", "cvegeo", "ambito", "population")
    search_fields = ("name", "cvegeo")
    exclude = ("geometry",)
    readonly_fields = ("name", "cvegeo", "ambito", "population", "households")

    def has_add_permission(self, request):
        return False
