"""The staff ticket list's rows and filter sidebar, written directly.

Django's `result_list` builds each of the 50 × 9 cells through its generic machinery (field
lookups, permission checks and a URL reversed per row): at a million tickets that was half
of the list's time, more than the database's part. Here the same markup (the cells' classes,
the first column's link with the list's filters preserved, the action checkbox) comes from
one pass over the rows; headers and sorting stay Django's own. The filter sidebar (seven
filters, the services' 37 choices among them) likewise: Django's admin/filter.html rendered
per filter through the template engine was a fifth of the list's time.
"""

from django import template
from django.contrib.admin.templatetags.admin_list import admin_list_filter, result_headers
from django.contrib.admin.views.main import IS_POPUP_VAR
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.inclusion_tag("admin/tickets/ticket/change_list_results.html")
def ticket_result_list(cl):
    assert not cl.formset and IS_POPUP_VAR not in cl.params, "the fast rows do not edit in the list"
    headers = list(result_headers(cl))
    admin = cl.model_admin
    opts = cl.opts
    empty = admin.get_empty_value_display()
    suffix = f"?{cl.preserved_filters}" if cl.preserved_filters else ""
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[0]).replace("/0/", "/{}/")
    cells = [_cell_function(admin, opts, name, empty) for name in cl.list_display]
    # Each cell is escaped once and the row joined as text (format_html per cell was a
    # third of this function's time), and the template writes whole rows: its loop over
    # 50 × 9 cells, with a failed lookup of `result.form` per row, was another half.
    link_at = next(i for i, name in enumerate(cl.list_display) if name in cl.list_display_links)
    rows = []
    for obj in cl.result_list:
        row = []
        for i, (name, value_of) in enumerate(zip(cl.list_display, cells, strict=True)):
            value = conditional_escape(value_of(obj))
            if name == "action_checkbox":
                row.append(f'<td class="action-checkbox">{value}</td>')
            elif i == link_at:
                url = escape(change.format(obj.pk) + suffix)
                row.append(f'<th class="field-{name}"><a href="{url}">{value}</a></th>')
            else:
                row.append(f'<td class="field-{name}">{value}</td>')
        rows.append(mark_safe("".join(row)))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows,
    }


def _cell_function(admin, opts, name, empty):
    """obj → the cell's content, for one column of list_display."""
    method = getattr(admin, name, None)
    if callable(method):
        return lambda obj: _or_empty(method(obj), empty)
    field = opts.get_field(name)
    if field.choices:
        return lambda obj: getattr(obj, f"get_{name}_display")() or empty
    return lambda obj: _or_empty(getattr(obj, name), empty)


def _or_empty(value, empty):
    return empty if value is None or value == "" else value


@register.simple_tag
def ticket_list_filters(cl):
    """The sidebar's filters: the markup of Django's admin/filter.html, in one pass."""
    parts = []
    for spec in cl.filter_specs:
        if spec.template != "admin/filter.html":  # a filter with its own template keeps it
            parts.append(admin_list_filter(cl, spec))
            continue
        title = escape(spec.title)
        items = "".join(
            _choice(choice["selected"], choice["query_string"], choice["display"]) for choice in spec.choices(cl)
        )
        summary = escape(gettext(" By %(filter_title)s ") % {"filter_title": spec.title})
        parts.append(
            f'<details data-filter-title="{title}" open><summary>{summary}</summary><ul>{items}</ul></details>'
        )
    return mark_safe("".join(parts))


def _choice(selected, query_string, display):
    selected = ' class="selected"' if selected else ""
    return f'<li{selected}><a href="{escape(iri_to_uri(query_string))}">{conditional_escape(display)}</a></li>'
