"""How dates and durations read in Spanish, for residents, callers and staff."""

from django.utils import dateformat, timezone, translation


def due_in_words(moment):
    """'a más tardar el lunes 14 de diciembre a las 11:00' (local time, year when not this year)."""
    if moment is None:
        return "sin plazo de atención"
    local = timezone.localtime(moment)
    with translation.override("es-mx"):
        text = dateformat.format(local, r"l j \d\e F")
        if local.year != timezone.localtime().year:
            text += dateformat.format(local, r" \d\e Y")
    # Spanish writes day and month names in lower case, whatever the locale files say.
    return f"a más tardar el {text.lower()} a las {local:%H:%M}"


def short_age(start, now=None):
    """Compact age for lists: '45 min', '5 h', '3 d 4 h'."""
    delta = (now or timezone.now()) - start
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
