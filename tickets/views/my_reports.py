"""/mis-reportes/: the folios this phone filed or follows, and reports waiting to be sent.

The list lives on the device (IndexedDB, static/app/store.js), not on the server: a resident
needs no account, and the server never learns which reports one person follows. The page
is the same for everyone, so the service worker can keep it for offline use.
"""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET


@require_GET
def my_reports(request):
    api_prefix = reverse("api-ticket-list")  # statuses come from the public API, one folio each
    return render(request, "tickets/my_reports.html", {"api_prefix": api_prefix})
