"""/seguimiento/<folio>/avisos/<token>/: the reporter stops the updates of one report.

The link in every update carries a signature of the folio (tickets/notifications.py), so it
needs no login. A GET shows a button (mail scanners follow links; they must not unsubscribe
anyone); a POST unsubscribes, including the one-click POST mail programs send on their own
(RFC 8058, `List-Unsubscribe-Post`), which carries no CSRF token: the signature is the
authority, and the only thing it can do is stop e-mails.
"""

from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from tickets import lifecycle
from tickets.models import Ticket
from tickets.notifications import UNSUBSCRIBE_SALT


@csrf_exempt
def unsubscribe(request, folio, token):
    try:
        signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(f"{folio}:{token}")
    except signing.BadSignature:
        raise Http404("Enlace no válido.") from None
    ticket = Ticket.objects.filter(folio=folio).only("pk", "folio", "reporter_unsubscribed_at").first()
    if ticket is None:
        raise Http404("Enlace no válido.")
    if request.method == "POST":
        ticket = lifecycle.ticket_unsubscribe_reporter(ticket=ticket)
    return render(request, "tickets/unsubscribe.html", {"ticket": ticket, "done": ticket.reporter_unsubscribed_at})
