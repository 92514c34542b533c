"""Routing rules on new reports (tickets/models/workspace.py, RoutingRule).

`apply(ticket)` runs inside ticket_create's transaction, before the ticket's row is written:
it sets the assignee and the priority on the ticket in memory, and returns what to write in
the trail once the ticket has its id. The active rules are kept with the reference data
(tickets/catalogue.py), so a report that no rule matches costs no query.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from tickets import catalogue, permissions
from tickets.models import RoutingRule


def plain(text):
    """Lower case without accents: «Escuela» and «ESCUELA» and «escuéla» are one word."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass
class KeptRule:
    pk: int
    name: str
    service_id: int | None
    delegacion_id: int | None
    pattern: re.Pattern | None
    assignee: object
    priority: str
    tags: list = field(default_factory=list)  # [(id, name)]

    def matches(self, ticket, delegacion_id, text):
        if self.service_id and self.service_id != ticket.service_id:
            return False
        if self.delegacion_id and self.delegacion_id != delegacion_id:
            return False
        return not (self.pattern and not self.pattern.search(text))


def _load():
    rules = RoutingRule.objects.filter(is_active=True).select_related("assignee").prefetch_related("tags")
    return [
        KeptRule(
            pk=rule.pk,
            name=rule.name,
            service_id=rule.service_id,
            delegacion_id=rule.delegacion_id,
            pattern=re.compile(rf"\b{re.escape(plain(rule.word.strip()))}\b") if rule.word.strip() else None,
            assignee=rule.assignee,
            priority=rule.priority,
            tags=[(tag.pk, tag.name) for tag in rule.tags.all()],
        )
        for rule in rules
    ]


def rules():
    return catalogue.kept("routing-rules", _load)


@dataclass
class Routed:
    """What the rules did to one new ticket, for its trail."""

    assigned_by: str = ""  # the rule's name
    priority_by: str = ""
    old_priority: str = ""
    tags: dict = field(default_factory=dict)  # tag id -> (tag name, the rule's name)
    skipped: list = field(default_factory=list)  # notes: an assignee who may not take it


def apply(ticket):
    """Apply the matching rules to the unsaved ticket; the first rule to assign wins, a later
    rule's priority overrides an earlier one's, tags add up."""
    kept = rules()
    if not kept:
        return None
    colonia = catalogue.colonia(ticket.colonia_id) if ticket.colonia_id else None
    delegacion_id = colonia.delegacion_id if colonia else None
    text = plain(f"{ticket.description} {ticket.address}")
    routed = Routed(old_priority=ticket.priority)
    matched = False
    for rule in kept:
        if not rule.matches(ticket, delegacion_id, text):
            continue
        matched = True
        if rule.assignee is not None and not routed.assigned_by:
            if permissions.may_be_assigned(rule.assignee, ticket.department):
                ticket.assignee = rule.assignee
                routed.assigned_by = rule.name
            else:
                routed.skipped.append(
                    f"La regla «{rule.name}» no asignó a {rule.assignee.get_username()}: "
                    f"no atiende tickets de {ticket.department}."
                )
        if rule.priority and rule.priority != ticket.priority:
            ticket.priority = rule.priority
            routed.priority_by = rule.name
        for tag_id, tag_name in rule.tags:
            routed.tags.setdefault(tag_id, (tag_name, rule.name))
    return routed if matched else None


def record(ticket, routed, *, at):
    """Write what the rules did in the new ticket's trail (and its tags), in ticket_create's
    transaction: each line names its rule."""
    from tickets import alerts
    from tickets.lifecycle.common import Kind, Via, event
    from tickets.models import Status, Ticket

    def by_rule(kind, name, **values):
        event(ticket, kind, actor=None, via=Via.SISTEMA, at=at, actor_label=f"Regla «{name}»", **values)

    if routed.assigned_by:
        note = f"Asignado por la regla «{routed.assigned_by}»."
        by_rule(Kind.ASSIGNED, routed.assigned_by, public=False, new=ticket.assignee, note=note)
        by_rule(Kind.STATUS, routed.assigned_by, public=True, old=Status.NUEVO.label, new=Status.ASIGNADO.label)
        alerts.assigned(ticket, ticket.assignee, None)
    if routed.priority_by:
        by_rule(
            Kind.UPDATED,
            routed.priority_by,
            public=False,
            old=f"prioridad: {routed.old_priority}",
            new=f"prioridad: {ticket.priority}",
            note=f"Prioridad puesta por la regla «{routed.priority_by}».",
        )
    if routed.tags:
        through = Ticket.tags.through
        through.objects.bulk_create([through(ticket_id=ticket.pk, tag_id=tag_id) for tag_id in routed.tags])
        for rule_name in dict.fromkeys(rule for _, rule in routed.tags.values()):
            names = ", ".join(name for name, rule in routed.tags.values() if rule == rule_name)
            by_rule(Kind.TAGGED, rule_name, public=False, new=names, note=f"Etiquetas de la regla «{rule_name}».")
    for note in routed.skipped:
        event(ticket, Kind.NOTE, actor=None, via=Via.SISTEMA, at=at, public=False, note=note)
