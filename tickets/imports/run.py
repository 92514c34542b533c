"""One import of one or more files, from the command line or the admin's Celery task."""

from django.utils import timezone

from tickets.imports.formats import UnknownFormat, reader_for
from tickets.imports.matching import SubjectMatcher
from tickets.imports.prepare import Rejected, Rules
from tickets.imports.records import Unreadable
from tickets.imports.report import REJECTED, Report
from tickets.imports.writer import Writer


def import_files(files, *, fmt=None, source=None, dry_run=False, actor=None, progress=None, batch_size=5000):
    """Import `files`, a list of (name, bytes). Returns the Report.

    `fmt` forces the format (otherwise each file's is recognised); `source` names the legacy
    numbering (otherwise the format's: "gerencia", "portal", "open311"); `progress(done,
    total)` is called after every batch. A dry run reads, checks and reports the same, and
    writes nothing. Files that cannot be read are reported and the others imported.
    """
    now = timezone.now()
    report = Report(dry_run=dry_run)
    readers = []
    for name, data in files:
        try:
            readers.append(reader_for(name, data, fmt))
        except UnknownFormat as error:
            report.unreadable_file(name, fmt or "?", source or "", str(error))
    matcher = SubjectMatcher.from_database()
    rules = Rules(matcher, report, now=now)
    total = sum(reader.total for reader in readers)
    done = 0
    writers = {}
    for reader in readers:
        reader.matcher = matcher
        origin = source or reader.default_source
        report.file(reader.name, reader.format, origin)
        if origin not in writers:
            writers[origin] = Writer(
                source=origin, report=report, dry_run=dry_run, now=now, actor=actor, batch_size=batch_size
            )
        writer = writers[origin]
        for item in reader:
            done += 1
            if isinstance(item, Unreadable):
                report.issue(item, REJECTED, item.reason, category="hoja sin las columnas esperadas")
                continue
            try:
                writer.add(rules.prepare(item))
            except Rejected as rejected:
                report.row(REJECTED)
                report.issue(item, REJECTED, rejected.reason, category=rejected.category)
            if progress and done % batch_size == 0:
                progress(done, max(total, done))
        writer.flush()
        if progress:
            progress(done, max(total, done))
    if not dry_run and report.outcomes:
        from stats import snapshot

        snapshot.recompute()  # the banner and /estadisticas/ show the history at once
    return report
