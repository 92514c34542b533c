"""Who may do what: the staff groups and the checks every door shares.

Groups are created (and given any missing permission) by `manage.py load_reference_data`;
permissions an administrator adds by hand are kept.
"""

OPERATOR_GROUP = "Operador *7311"
DEPARTMENT_GROUP = "Personal de dependencia"
SUPERVISOR_GROUP = "Supervisor de la Gerencia"
EDITOR_GROUP = "Comunicación social"

_CATALOGUE = ["department", "service", "serviceattribute"]
_CALENDAR = ["workinghours", "nonworkingday"]
_TERRITORY = ["colonia", "delegacion"]


def _crud(models, actions=("view", "add", "change", "delete")):
    return [f"tickets.{action}_{model}" for model in models for action in actions]


GROUP_PERMISSIONS = {
    # Takes calls: creates tickets for any service, sees every ticket, adds notes; cannot
    # resolve or close.
    OPERATOR_GROUP: [
        "tickets.view_ticket",
        "tickets.intake_ticket",
        "tickets.view_all_tickets",
        "tickets.view_savedview",
        *_crud(["service", "colonia", "delegacion", "department"], actions=("view",)),
    ],
    # Works the tickets of their own department only (StaffProfile.department).
    DEPARTMENT_GROUP: [
        "tickets.view_ticket",
        "tickets.change_ticket",
        "tickets.work_ticket",
        "tickets.view_savedview",
        "tickets.view_tag",
        *_crud(["service", "colonia", "delegacion"], actions=("view",)),
    ],
    # Answers for the 48-hour promise: sees and works everything, routes between departments,
    # edits the catalogue, the territory and the business calendar.
    SUPERVISOR_GROUP: [
        "tickets.view_ticket",
        "tickets.change_ticket",
        "tickets.work_ticket",
        "tickets.intake_ticket",
        "tickets.view_all_tickets",
        "tickets.route_ticket",
        # Hide or redact what carries personal data or abuse (tickets/lifecycle/moderation.py).
        "tickets.moderate_ticket",
        "tickets.view_moderation",
        "tickets.view_locality",
        "tickets.view_ticketevent",
        "tickets.view_staffprofile",
        # The outbox (Avisos por correo): what was sent, what failed; "change" sends again.
        "tickets.view_notification",
        "tickets.change_notification",
        # Imports of history (tickets/imports/): upload, follow and read the reports; the
        # subject synonyms the matcher uses.
        "tickets.import_tickets",
        "tickets.add_importrun",
        "tickets.view_importrun",
        *_crud(["subjectsynonym"]),
        "stats.view_driftreport",
        "surveys.view_ticketsatisfaction",
        "surveys.view_survey",
        "surveys.view_response",
        # Residents' alert subscriptions (alerts/admin.py): listed, addresses masked.
        "alerts.view_subscription",
        # Saved views of the ticket list, shared with a team or everyone (tickets/queues.py).
        *_crud(["savedview"]),
        # Respuestas predefinidas (macros) for every team (tickets/macros.py).
        *_crud(["macro"]),
        # Tags and the routing rules that assign, prioritise and tag new reports (tickets/routing.py).
        *_crud(["tag", "routingrule"]),
        "tickets.add_staffprofile",
        "tickets.change_staffprofile",
        *_crud(_CATALOGUE + _CALENDAR + _TERRITORY),
        *_crud(["departmentalerts"]),
        # API keys of Open311 clients and staff tokens (api/admin.py); revoked, never deleted.
        "api.manage_api_keys",
        *[f"api.{action}_{model}" for model in ("apiclient", "stafftoken") for action in ("view", "add", "change")],
    ],
    # Writes news, programs and events; runs surveys and exports their responses.
    EDITOR_GROUP: [
        "news.view_article",
        "news.add_article",
        "news.change_article",
        "news.delete_article",
        "surveys.view_survey",
        "surveys.add_survey",
        "surveys.change_survey",
        "surveys.view_question",
        "surveys.add_question",
        "surveys.change_question",
        "surveys.delete_question",
        "surveys.view_choice",
        "surveys.add_choice",
        "surveys.change_choice",
        "surveys.delete_choice",
        "surveys.view_response",
    ],
}


def visible_department_id(user):
    profile = getattr(user, "staff_profile", None)
    return profile.department_id if profile else None


def sees_department(user, department):
    """Whether `user` sees the tickets of `department` (their own, or all)."""
    return user.has_perm("tickets.view_all_tickets") or visible_department_id(user) == department.pk


def can_view(user, ticket):
    if not (user and user.is_active and user.has_perm("tickets.view_ticket")):
        return False
    return user.has_perm("tickets.view_all_tickets") or visible_department_id(user) == ticket.department_id


def can_work(user, ticket):
    """Assign, start, wait, resolve, close: the department's staff or a supervisor."""
    return can_view(user, ticket) and user.has_perm("tickets.work_ticket")


def may_be_assigned(user, department):
    """Whether `user` may be the assignee of a ticket of `department`."""
    if not user.is_active or not user.is_staff:
        return False
    return user.has_perm("tickets.view_all_tickets") or visible_department_id(user) == department.pk


def can_route(user):
    return bool(user and user.is_active and user.has_perm("tickets.route_ticket"))


def can_moderate(user):
    return bool(user and user.is_active and user.has_perm("tickets.moderate_ticket"))


def can_take_calls(user):
    return bool(user and user.is_active and user.has_perm("tickets.intake_ticket"))


def ensure_groups():
    """Create the staff groups and give them any permission they lack."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = {tuple(code.split(".", 1)) for code in codenames}
        match = Q()
        for app_label, codename in wanted:
            match |= Q(content_type__app_label=app_label, codename=codename)
        perms = Permission.objects.filter(match)
        missing = wanted - set(perms.values_list("content_type__app_label", "codename"))
        if missing:
            raise RuntimeError(f"Unknown permissions {sorted(missing)}: run migrate first.")
        group.permissions.add(*perms)
