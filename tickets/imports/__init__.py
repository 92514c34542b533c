"""Bringing history in from other systems: the Gerencia's spreadsheets, Zendesk, the portal's
own open data and Open311 documents (docs/import.md).

    formats/   one reader per format: finds the raw values of each row
    matching   subject → catalogue service, by rule
    values     dates, coordinates, statuses as other systems write them
    prepare    the rules that make a ticket of a row, or refuse it with a reason
    writer     batches: folios, bulk inserts, trail and rollups, all or nothing
    report     counts per outcome and service, and every rejected or doubtful row
    run        import_files(): the whole import, for the command and the admin's task
"""
