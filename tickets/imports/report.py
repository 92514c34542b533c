"""The import's report: counts per outcome and per service, subjects and how they were
matched, and every rejected or doubtful row with file, sheet, row and reason."""

import csv
import io
from collections import Counter

from tickets.imports.values import legacy_number

IMPORTED = "importado"
DOUBTFUL = "importado_con_dudas"
EXISTING = "ya_existia"
REJECTED = "rechazado"
OUTCOME_LABELS = {
    IMPORTED: "Importados",
    DOUBTFUL: "Importados con dudas",
    EXISTING: "Ya existían (mismo número anterior)",
    REJECTED: "Rechazados",
}
# The issues kept in full; counts are always complete. A file with more bad rows than this
# has a problem staff fix at its source, not row by row.
ISSUE_LIMIT = 5000


class Report:
    def __init__(self, *, dry_run=False):
        self.dry_run = dry_run
        self.files = []
        self.outcomes = Counter()
        self.services = {}  # code → {"name", outcome: n}
        self.subjects = {}  # (subject, code, how) → rows
        self.reasons = Counter()
        self.issues = []
        self.issues_left_off = 0

    def file(self, name, fmt, source):
        self.files.append({"name": name, "format": fmt, "source": source, "rows": 0})

    def row(self, outcome, *, service=None):
        self.outcomes[outcome] += 1
        if self.files:
            self.files[-1]["rows"] += 1
        if service is not None:
            counts = self.services.setdefault(service.code, {"name": service.name})
            counts[outcome] = counts.get(outcome, 0) + 1

    def subject(self, text, service, how):
        key = (" ".join(str(text).split())[:120], service.code if service else "", how or "")
        self.subjects[key] = self.subjects.get(key, 0) + 1

    def unreadable_file(self, name, fmt, source, reason):
        """A whole file that could not be read: listed, counted under its reason."""
        self.file(name, fmt, source)
        self.reasons[reason] += 1
        self.issues.append({"file": name, "sheet": "", "row": 0, "number": "", "outcome": REJECTED, "reason": reason})

    def issue(self, row, outcome, reason, *, category=None):
        """A rejected or doubtful row; `category` groups reasons in the summary."""
        self.reasons[category or reason] += 1
        if len(self.issues) >= ISSUE_LIMIT:
            self.issues_left_off += 1
            return
        number = legacy_number(row.number)
        self.issues.append(
            {
                "file": row.file,
                "sheet": row.sheet,
                "row": row.row,
                "number": number,
                "outcome": outcome,
                "reason": reason,
            }
        )

    # --- outputs ----------------------------------------------------------------------------

    def as_dict(self):
        return {
            "dry_run": self.dry_run,
            "files": self.files,
            "outcomes": {key: self.outcomes.get(key, 0) for key in OUTCOME_LABELS},
            "services": dict(sorted(self.services.items())),
            "subjects": [
                {"subject": subject, "service": code, "how": how, "rows": rows}
                for (subject, code, how), rows in sorted(self.subjects.items(), key=lambda item: -item[1])
            ],
            "reasons": dict(self.reasons.most_common()),
            "issues": self.issues,
            "issues_left_off": self.issues_left_off,
        }

    def lines(self):
        """The report as text, for the command line."""
        return report_lines(self.as_dict())


def report_lines(data):
    yield ("Revisión (no se guardó nada)" if data["dry_run"] else "Importación") + ":"
    for f in data["files"]:
        yield f"  {f['name']}: formato {f['format']}, origen «{f['source']}», {f['rows']:,} filas"
    for key, label in OUTCOME_LABELS.items():
        yield f"  {label}: {data['outcomes'].get(key, 0):,}"
    if data["services"]:
        yield "Por servicio (importados / ya existían):"
        for code, counts in data["services"].items():
            imported = counts.get(IMPORTED, 0) + counts.get(DOUBTFUL, 0)
            yield f"  {code}: {imported:,} / {counts.get(EXISTING, 0):,}  ({counts['name']})"
    loose = [s for s in data["subjects"] if s["how"] != "nombre"]
    if loose:
        yield "Asuntos que no coinciden con el nombre de un servicio:"
        for s in loose:
            where = f"→ {s['service']} ({s['how']})" if s["service"] else "→ sin servicio"
            yield f"  «{s['subject']}» {where}: {s['rows']:,} filas"
    if data["reasons"]:
        yield "Motivos:"
        for reason, count in data["reasons"].items():
            yield f"  {reason}: {count:,}"
    for issue in data["issues"]:
        sheet = f", hoja «{issue['sheet']}»" if issue["sheet"] else ""
        number = f" (número {issue['number']})" if issue["number"] else ""
        yield f"  {issue['file']}{sheet}, fila {issue['row']}{number}: {issue['outcome']}: {issue['reason']}"
    if data["issues_left_off"]:
        yield f"  … y {data['issues_left_off']:,} filas más con observaciones."


def issues_csv(data):
    """The rejected and doubtful rows as CSV text (the admin's download)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["archivo", "hoja", "fila", "numero", "resultado", "motivo"])
    for issue in data.get("issues", []):
        writer.writerow([issue[key] for key in ("file", "sheet", "row", "number", "outcome", "reason")])
    return out.getvalue()
