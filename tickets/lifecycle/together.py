"""A new ticket and the rows that come with it, written by one statement on PostgreSQL.

A report writes five rows: the ticket, its first event, the submission receipt, the promised
confirmation and the change to the public numbers. Through the ORM that was five INSERTs and
a sequence read, each compiled by Django and each a round trip to the database: a third of a
report's time (docs/performance.md). Here they are one INSERT with data-modifying CTEs:

    WITH t AS (INSERT INTO tickets_ticket (…) VALUES (…, tickets_next_folio(2026)) RETURNING id, folio),
         r1 AS (INSERT INTO tickets_ticketevent (ticket_id, …) VALUES ((SELECT id FROM t), …) RETURNING id),
         …
    SELECT (SELECT id FROM t), (SELECT folio FROM t), (SELECT id FROM r1), …

The ticket's INSERT takes its folio itself (tickets/folio.py), so the year's counter row is
locked from this one statement to the commit, and a failure anywhere in it (a receipt's key
already used, say) rolls the number back with everything else: folios stay gapless. When
nothing else is written with it (a report without photos), the statement is sent with no
transaction around it and commits by itself, so that lock never waits on a round trip to
Python (tickets/lifecycle/report.py, `_transaction`).

Every row is still a model instance built by the caller, so defaults and conversions are
Django's (`pre_save`, `get_db_prep_save`), and `pre_save`/`post_save` are sent for each as
`save()` sends them (the page cache listens to them, tickets/signals.py). Elsewhere (SQLite)
the rows are saved one after the other, the ticket first.
"""

import functools

import psycopg
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.models import Field, signals
from django.db.models.sql import InsertQuery

from tickets.models import Ticket


def one_statement():
    """Whether insert_together() writes its rows as one statement (PostgreSQL), which then
    needs no transaction around it: it commits, or fails, as a whole by itself."""
    return connection.vendor == "postgresql"


def insert_together(ticket, rows):
    """INSERT `ticket` (unless already saved) and `rows` (unsaved instances, some of them
    pointing to the ticket), in the caller's transaction. Sets every primary key, and the
    columns each INSERT returns (the folio)."""
    rows = [row for row in rows if row is not None]
    if not one_statement():
        if ticket._state.adding:
            ticket.save(force_insert=True)
        for row in rows:
            row.save(force_insert=True)
        return
    objects = [ticket, *rows] if ticket._state.adding else rows
    if not objects:
        return
    # This thread's connection itself, not django.db.connection: every attribute read through
    # that proxy is a lookup in a thread-local, and a statement reads it for each of its
    # sixty-odd values (about a fifth of the statement's cost, measured).
    db = connections[DEFAULT_DB_ALIAS]
    for obj in objects:
        _send(signals.pre_save, obj, db)
    sql, params, returned = _statement(ticket, objects, db)
    values = iter(_execute(db, sql, params))
    for obj, fields in returned:
        for field in fields:
            value = next(values)
            for converter in field.get_db_converters(db):
                value = converter(value, field, db)
            setattr(obj, field.attname, value)
        obj._state.adding, obj._state.db = False, db.alias
    for row in rows:
        _point_to(row, ticket)
    for obj in objects:
        _send(signals.post_save, obj, db, created=True)


def _statement(ticket, objects, db):
    params, parts, selected, returned = [], [], [], []
    for number, obj in enumerate(objects):
        name = "t" if obj is ticket else f"r{number}"
        columns, into, returning = _shape(type(obj), with_pk=obj.pk is not None)
        placeholders = ", ".join([_placeholder(obj, field, plain, ticket, params, db) for field, plain in columns])
        parts.append(f"{name} AS (INSERT INTO {into} VALUES ({placeholders}) RETURNING {returning})")
        selected.append(", ".join(f"(SELECT {column} FROM {name})" for column in returning.split(", ")))
        returned.append((obj, obj._meta.db_returning_fields))
    return f"WITH {', '.join(parts)} SELECT {', '.join(selected)}", params, returned


@functools.cache
def _shape(model, *, with_pk):
    """The columns a model's INSERT writes, each as (field, plain), its `table (columns)` and
    what it returns. `plain`: the field's pre_save is Field's own, which only reads the
    attribute, so the statement reads it directly."""
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if with_pk or f is not meta.auto_field]
    into = f"{_quote(meta.db_table)} ({', '.join(_quote(f.column) for f in fields)})"
    columns = [(f, type(f).pre_save is Field.pre_save) for f in fields]
    return columns, into, ", ".join(_quote(f.column) for f in meta.db_returning_fields)


@functools.cache
def _ticket_id():
    return f"(SELECT {_quote(Ticket._meta.pk.column)} FROM t)"


def _placeholder(obj, field, plain, ticket, params, db):
    """The SQL for one column's value; its parameters are appended to `params`."""
    if field.is_relation and field.is_cached(obj) and field.get_cached_value(obj) is ticket:
        if ticket._state.adding and ticket.pk is None:  # the id the ticket's INSERT returns
            return _ticket_id()
        setattr(obj, field.name, ticket)  # as save() does: the id of a ticket saved since
    value = getattr(obj, field.attname) if plain else field.pre_save(obj, add=True)
    if hasattr(value, "resolve_expression"):  # the folio, taken by the INSERT
        sql, expression_params = _compiled(value, db.alias)
        params.extend(expression_params)
        return sql
    prepared = field.get_db_prep_save(value, db)
    if prepared is None:
        # Written into the text: a report leaves a third of its columns empty, and with
        # fewer than 50 parameters psycopg keeps the statement's conversion instead of
        # parsing its text again on every report (psycopg._queries, MAX_CACHED_STATEMENT_PARAMS).
        return "NULL"
    params.append(prepared)
    return "%s"


@functools.lru_cache(maxsize=16)
def _compiled(expression, alias):
    """An expression's SQL and parameters in an INSERT. The same expression (equal by its
    class and arguments: the year's folio) compiles to the same SQL, so it is compiled once
    per process rather than on every report (a twentieth of the report's time, measured)."""
    db = connections[alias]
    compiler = InsertQuery(Ticket).get_compiler(connection=db)
    sql, params = compiler.compile(expression.resolve_expression(compiler.query, allow_joins=False, for_save=True))
    return sql, tuple(params)


@functools.cache
def _relations(model):
    return [field for field in model._meta.concrete_fields if field.is_relation]


def _point_to(row, ticket):
    for field in _relations(type(row)):
        if field.is_cached(row) and field.get_cached_value(row) is ticket:
            setattr(row, field.name, ticket)  # its id, and the ticket kept as the related object


def _execute(db, sql, params):
    """Run the statement; its returned row.

    Django checks a kept connection with a query of its own (SELECT 1, CONN_HEALTH_CHECKS)
    before a request's first query, and opens a new one if the database dropped it since
    (PostgreSQL restarted, a pooler's idle timeout). A report's statement is nearly always its
    request's first query, and that check was one more round trip on every report (0.56 →
    0.48 of the reference, docs/performance.md, run J). Here the statement is the check: when
    it fails on a kept connection that this request has not used yet, and that connection
    turns out to be gone, the statement runs once more on a new one. It never ran on the old
    one: the database had closed it. (Were a reply ever lost after a commit, the receipt's key
    would answer the web form's retry with the first ticket, tickets/reporting.py.)"""
    unchecked = db.connection is not None and db.health_check_enabled and not db.health_check_done
    unchecked = unchecked and not db.in_atomic_block and getattr(db, "pool", None) is None
    db.health_check_done = True  # the statement checks it, or a new one is opened below
    try:
        return _run(db, sql, params)
    except OperationalError:
        if not unchecked or db.is_usable():
            raise
    db.close()
    return _run(db, sql, params)


def _run(db, sql, params):
    with _bound_apart(db) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _bound_apart(db):
    """A cursor that sends the parameters apart from the statement's text (psycopg's server-side
    binding; Django's own cursors quote them into the text), so the text is the same for every
    report of one shape and psycopg prepares it after a few executions on a connection
    (prepare_threshold, metepec7311/settings.py): the database then skips parsing and planning
    five INSERTs, about a quarter of a millisecond of its CPU per report (docs/performance.md,
    run I). Wrapped as Django wraps its cursors (errors as django.db's, queries logged where
    they are), so the caller's `except IntegrityError` and the query-count tests see it as any
    other statement."""
    db.ensure_connection()
    raw = psycopg.Cursor(db.connection)
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


def _quote(name):
    return connection.ops.quote_name(name)


def _send(signal, obj, db, **extra):
    if signal.has_listeners(type(obj)):
        signal.send(sender=type(obj), instance=obj, raw=False, using=db.alias, update_fields=None, **extra)
