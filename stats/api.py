"""REST endpoints of the public numbers (DRF)."""

from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from stats import snapshot


class BannerView(APIView):
    """The banner as JSON, exactly as DESIGN.md defines it, from the latest snapshot."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        banner = snapshot.banner()
        if banner is None:
            return Response({"detail": "Cifras en preparación; intente en unos minutos."}, status=503)
        response = Response(banner)
        response["Cache-Control"] = "public, max-age=60"
        return response
