from stats import snapshot


def banner(request):
    """The banner on every public page, from the cached snapshot (no ticket query)."""
    if request.path.startswith("/admin/"):
        return {}
    return {"banner": snapshot.banner()}
