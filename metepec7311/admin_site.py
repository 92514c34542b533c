"""The staff's admin site: Django's, with a second step after the password for those who
need it (metepec7311/two_factor)."""

from urllib.parse import quote

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path, reverse

from metepec7311.process_memo import ProcessMemo
from metepec7311.two_factor import policy, views


class PortalAdminSite(admin.AdminSite):
    site_header = "Metepec *7311 · Gerencia de la Ciudad"
    site_title = "Metepec *7311"
    index_title = "Atención de reportes"

    def has_permission(self, request):
        return super().has_permission(request) and policy.session_may_work(request.user)

    # The menu of models (every admin page's sidebar and the home page) depends only on the
    # user's permissions: built once per permission set in each process instead of checking
    # ~80 permissions on every page (a twentieth of the ticket list's time).
    _app_lists = ProcessMemo(limit=500)

    def get_app_list(self, request, app_label=None):
        user = request.user
        if app_label is not None or not user.is_active:
            return super().get_app_list(request, app_label)
        key = (user.pk, user.is_staff, user.is_superuser, frozenset(user.get_all_permissions()))
        kept = self._app_lists.get(key, lambda: super(PortalAdminSite, self).get_app_list(request))
        # A page may add to its list or a model's entry; the kept one stays as built. (A
        # deepcopy of it cost more than the rest of this method.)
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in kept]

    def each_context(self, request):
        context = super().each_context(request)
        if not self.has_permission(request):  # the second step is pending: no menu to nowhere
            context.update(available_apps=[], is_nav_sidebar_enabled=False)
        return context

    def index(self, request, extra_context=None):
        # Staff land on their work: the queues with their counts (tickets/queues.py).
        from tickets.admin.workspace import department_table_context, workspace_context

        context = {**workspace_context(request), **department_table_context(request), **(extra_context or {})}
        return super().index(request, context)

    def login(self, request, extra_context=None):
        # Password accepted but a step is pending: the code (or the app's set-up) comes next,
        # not the password form again.
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff:
            step = policy.pending_step(user)
            if step is not None:
                target = "admin:two_factor_verify" if step == "verify" else "admin:two_factor"
                return redirect(f"{reverse(target)}?next={quote(views.next_url(request))}")
        return super().login(request, extra_context)

    def get_urls(self):
        verify = views.staff_session(lambda request: views.verify(request, self))
        manage = views.staff_session(lambda request: views.manage(request, self))
        return [
            path("verificar/", verify, name="two_factor_verify"),
            path("dos-pasos/", manage, name="two_factor"),
            *super().get_urls(),
        ]
