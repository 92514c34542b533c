"""Staff: the tickets a person may see (all for the Gerencia, their department's otherwise —
exactly the admin's rule), with the reporter's contact data and the internal trail, and the
lifecycle's moves so that a field crew's tablet can work tickets.

A token per person (`Authorization: Token …`, created in the admin) or the admin session.
A ticket of another department does not exist here (404). The moves offered are
tickets/actions.py's, the admin panel's list; a move the lifecycle refuses answers 409 with
its reason.
"""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from api.rest import errors
from api.rest.auth import StaffEndpoint
from api.rest.fields import IdRelatedField
from api.rest.pagination import TicketCursor
from api.rest.reports import PhotoUploads
from api.rest.tickets import PublicTicketSerializer, TicketFilter, conditional, ticket_by_folio
from tickets import actions, lifecycle, permissions
from tickets.admin.forms import assignable_users, find_parent
from tickets.models import Colonia, Department, Priority, Service, Tag, Ticket, TicketPhoto

User = get_user_model()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class StaffTicketSerializer(PublicTicketSerializer):
    """A ticket as staff who may see it: contact data included (never for anyone else)."""

    assignee = PersonSerializer(allow_null=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="Los movimientos que usted puede hacer ahora (los mismos del panel del admin)."
    )

    class Meta(PublicTicketSerializer.Meta):
        fields = [
            *PublicTicketSerializer.Meta.fields,
            "priority",
            "assignee",
            "reporter_name",
            "reporter_phone",
            "reporter_email",
            "attributes",
            "reopened_count",
            "legacy_source",
            "legacy_folio",
            "allowed_actions",
        ]

    def get_allowed_actions(self, ticket) -> list[str]:
        return actions.available(self.context["request"].user, ticket)


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    at = serializers.DateTimeField(source="created_at")
    actor = serializers.CharField(source="actor_name")
    via = serializers.CharField()
    is_public = serializers.BooleanField()
    old_value = serializers.CharField()
    new_value = serializers.CharField()
    note = serializers.CharField()


class StaffPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    is_public = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    def get_url(self, photo) -> str:
        return self.context["request"].build_absolute_uri(photo.image.url)


class StaffTicketDetailSerializer(StaffTicketSerializer):
    events = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    assignable = serializers.SerializerMethodField(help_text="A quién se puede asignar (si puede asignar).")

    class Meta(StaffTicketSerializer.Meta):
        fields = [*StaffTicketSerializer.Meta.fields, "events", "photos", "assignable"]

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, ticket):
        return EventSerializer(ticket.events.order_by("created_at", "id"), many=True).data

    @extend_schema_field(StaffPhotoSerializer(many=True))
    def get_photos(self, ticket):
        return StaffPhotoSerializer(TicketPhoto.objects.filter(ticket=ticket), many=True, context=self.context).data

    @extend_schema_field(PersonSerializer(many=True))
    def get_assignable(self, ticket):
        if "assign" not in actions.available(self.context["request"].user, ticket):
            return []
        return PersonSerializer(assignable_users(ticket.department), many=True).data


class StaffTicketFilter(TicketFilter):
    assignee = django_filters.CharFilter(method="filter_assignee", label="Responsable: «me» o su id")
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label="Prioridad")

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        if not value.isdigit():
            raise serializers.ValidationError({"assignee": ["Use «me» o el id de una persona."]})
        return queryset.filter(assignee_id=int(value))


class DetailsInput(serializers.Serializer):
    """The fields staff may correct (lifecycle.EDITABLE_DETAILS); each change is an event."""

    service = serializers.SlugRelatedField(slug_field="code", queryset=Service.objects.active(), required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    colonia = IdRelatedField(queryset=Colonia.objects.all(), required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ActionInput(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=list(actions.ACTIONS),
        help_text="Uno de `allowed_actions` del ticket.",
        error_messages={
            "invalid_choice": "Acción desconocida: «{input}».",
        },
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    public = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Nota, fotos o motivo de la espera visibles al público. Obligatorio con `wait`; "
        "con `note` y `photo`, falso si no se envía.",
    )
    assignee = IdRelatedField(
        queryset=User.objects.filter(is_active=True, is_staff=True), required=False, allow_null=True, default=None
    )
    department = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Department.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    parent = serializers.CharField(required=False, allow_blank=True, default="", help_text="Folio principal.")
    photos = PhotoUploads(required=False, default=list)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        help_text="Con `tags`: los nombres de las etiquetas que el ticket debe tener (las demás se quitan).",
    )

    def validate_tags(self, names):
        found = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise serializers.ValidationError(f"No existe la etiqueta «{unknown[0]}».")
        return [found[name] for name in dict.fromkeys(names)]


@extend_schema_view(
    list=extend_schema(summary="Tickets que usted puede ver", tags=["personal"]),
    retrieve=extend_schema(summary="Un ticket, con datos de contacto y el historial interno", tags=["personal"]),
    partial_update=extend_schema(summary="Corregir servicio, prioridad, colonia o dirección", tags=["personal"]),
)
class StaffTicketViewSet(StaffEndpoint, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = StaffTicketFilter
    pagination_class = TicketCursor
    lookup_field = "folio"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        return Ticket.objects.visible_to(self.request.user).select_related(
            "service", "department", "colonia", "locality", "parent", "assignee"
        )

    def get_serializer_class(self):
        return StaffTicketSerializer if self.action == "list" else StaffTicketDetailSerializer

    def get_object(self):
        ticket = ticket_by_folio(self.get_queryset(), self.kwargs["folio"])
        if ticket is None:  # another department's ticket does not exist for this person
            raise errors.exceptions.NotFound("No existe ese folio entre los tickets que usted puede ver.")
        return ticket

    def _answer(self, ticket, message=None):
        data = StaffTicketDetailSerializer(self.get_object(), context=self.get_serializer_context()).data
        response = Response({"message": message, "ticket": data} if message else data)
        response["Cache-Control"] = "private, no-store"
        return response

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    def retrieve(self, request, *args, **kwargs):
        ticket = self.get_object()
        response = self._answer(ticket)
        newest = lifecycle.newest_event_id(ticket)
        return conditional(request, response, ticket, version=f"{newest}.{request.user.pk}")

    def partial_update(self, request, *args, **kwargs):
        ticket = self.get_object()
        data = DetailsInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            raise errors.exceptions.ValidationError({"__all__": ["Envíe al menos un campo que corregir."]})
        if not permissions.can_work(request.user, ticket):
            raise errors.exceptions.PermissionDenied("No tiene permiso para atender tickets de esta dependencia.")
        lifecycle.ticket_update_details(ticket=ticket, actor=request.user, via=lifecycle.Via.API, **data.validated_data)
        return self._answer(ticket, message="Datos corregidos.")

    @extend_schema(
        summary="Hacer un movimiento del ticket",
        description="assign_me, assign (assignee y/o department), start, wait (note, public), resolve (note "
        "pública), no_procede (note), duplicate (parent), reopen (note), note (note, public), photo (photos, "
        "public), tags (tags). "
        "Un movimiento que el estado del ticket no permite responde 409 con el motivo.",
        tags=["personal"],
        request={"application/json": ActionInput, "multipart/form-data": ActionInput},
        examples=[OpenApiExample("Resolver", request_only=True, value={"action": "resolve", "note": "Se bacheó."})],
    )
    @action(detail=True, methods=["post"], url_path="actions")
    def perform(self, request, folio=None):
        ticket = self.get_object()
        data = ActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        parent = None
        if values["action"] == "duplicate":
            try:
                parent = find_parent(values["parent"], request.user)
            except forms.ValidationError as error:  # not a folio this person may see
                raise errors.exceptions.ValidationError({"parent": error.messages}) from None
        message = actions.perform(
            values["action"],
            ticket=ticket,
            actor=request.user,
            via=lifecycle.Via.API,
            note=values["note"],
            public=values["public"],
            assignee=values["assignee"],
            department=values["department"],
            parent=parent,
            photos=values["photos"],
            tags=values["tags"],
        )
        return self._answer(ticket, message=message)


class MeView(StaffEndpoint, APIView):
    @extend_schema(
        summary="Quién soy: dependencia y permisos",
        tags=["personal"],
        responses={200: {"type": "object"}},
    )
    def get(self, request):
        user = request.user
        department = permissions.visible_department_id(user)
        department = Department.objects.filter(pk=department).values("slug", "name").first() if department else None
        return Response(
            {
                "id": user.pk,
                "username": user.get_username(),
                "name": user.get_full_name() or user.get_username(),
                "department": department,
                "sees_all_departments": user.has_perm("tickets.view_all_tickets"),
                "works_tickets": user.has_perm("tickets.work_ticket"),
                "routes_tickets": permissions.can_route(user),
            }
        )
