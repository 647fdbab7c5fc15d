"""Full-text search with ranking: SQLite FTS5 or PostgreSQL full-text search.

An app registers a model and the fields to index; the index is kept in step on save
and delete. `search(queryset, query)` returns the queryset's records that match,
best first, so a caller passes an already visibility-filtered queryset and search
can never reveal what the caller could not list.

    search.register(Organisation, title="name", body=["description", "kind_label"])
    results = search.search(Organisation.objects.active(), "recycling")
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, models, transaction
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.signals import post_delete, post_save

from whatworks.core.models import SearchDocument

FTS_TABLE = "core_search_fts"
PG_CONFIG = "english"
MAX_RESULTS = 200


@dataclass(frozen=True)
class Indexed:
    title: Callable[[Any], str]
    body: Callable[[Any], str]
    should_index: Callable[[Any], bool]


_registry: dict[str, Indexed] = {}


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _getter(spec: str | Iterable[str] | Callable[[Any], str]) -> Callable[[Any], str]:
    if callable(spec):
        return spec
    names = [spec] if isinstance(spec, str) else list(spec)

    def get(obj: Any) -> str:
        parts = []
        for name in names:
            value = getattr(obj, name)
            parts.append(str(value() if callable(value) else value or ""))
        return "\n".join(parts)

    return get


def register(
    model: type[models.Model],
    *,
    title: str | Callable[[Any], str],
    body: str | Iterable[str] | Callable[[Any], str] = (),
    should_index: Callable[[Any], bool] = lambda obj: True,
) -> None:
    label = _label(model)
    _registry[label] = Indexed(_getter(title), _getter(body), should_index)
    post_save.connect(_on_save, sender=model, dispatch_uid=f"search-save-{label}")
    post_delete.connect(_on_delete, sender=model, dispatch_uid=f"search-delete-{label}")


def _on_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    index_object(instance)


def _on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    unindex_object(sender, instance.pk)


def index_object(obj: models.Model) -> None:
    spec = _registry[_label(type(obj))]
    if not spec.should_index(obj):
        unindex_object(type(obj), obj.pk)
        return
    title, body = spec.title(obj), spec.body(obj)
    with transaction.atomic():
        doc, _ = SearchDocument.objects.update_or_create(
            model=_label(type(obj)),
            object_id=str(obj.pk),
            defaults={"title": title, "body": body},
        )
        if connection.vendor == "postgresql":
            SearchDocument.objects.filter(pk=doc.pk).update(
                vector=SearchVector("title", weight="A", config=PG_CONFIG)
                + SearchVector("body", weight="B", config=PG_CONFIG)
            )
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [doc.pk])
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
                    [doc.pk, title, body],
                )


def unindex_object(model: type[models.Model], pk: Any) -> None:
    docs = SearchDocument.objects.filter(model=_label(model), object_id=str(pk))
    with transaction.atomic():
        if connection.vendor != "postgresql":
            ids = list(docs.values_list("pk", flat=True))
            if ids:
                with connection.cursor() as cursor:
                    placeholders = ",".join(["%s"] * len(ids))
                    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", ids)
        docs.delete()


def reindex(model: type[models.Model]) -> int:
    """Rebuild the index for every row of a model (after a bulk import, say)."""
    count = 0
    for obj in model._default_manager.iterator():
        index_object(obj)
        count += 1
    return count


_WORD = re.compile(r"\w+", re.UNICODE)


def _fts5_query(words: list[str]) -> str:
    # Quote every word so user input can never be read as FTS5 syntax; the last
    # word matches as a prefix so that "recycl" finds "recycling" as you type.
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _ranked_ids(label: str, text: str) -> list[tuple[str, float]]:
    words = _WORD.findall(text)
    if not words:
        return []
    if connection.vendor == "postgresql":
        # The same words as on SQLite, all required, the last as a prefix: the two
        # backends then agree on what matches. \w+ words cannot carry tsquery syntax.
        raw = " & ".join([*words[:-1], f"{words[-1]}:*"])
        query = SearchQuery(raw, search_type="raw", config=PG_CONFIG)
        rows = (
            SearchDocument.objects.filter(model=label, vector=query)
            .annotate(rank=SearchRank(F("vector"), query))
            .order_by("-rank", "id")
            .values_list("object_id", "rank")[:MAX_RESULTS]
        )
        return [(object_id, float(rank)) for object_id, rank in rows]
    match = _fts5_query(words)
    with connection.cursor() as cursor:
        # bm25 is lower-is-better; the title counts ten times the body.
        cursor.execute(
            f"SELECT d.object_id, -bm25({FTS_TABLE}, 10.0, 1.0) AS score "
            f"FROM {FTS_TABLE} JOIN core_searchdocument d ON d.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND d.model = %s ORDER BY score DESC, d.id LIMIT %s",
            [match, label, MAX_RESULTS],
        )
        return [(object_id, float(score)) for object_id, score in cursor.fetchall()]


def ranked(queryset: models.QuerySet, text: str) -> models.QuerySet:
    """`queryset` narrowed to the records matching `text` (at most MAX_RESULTS), with their
    relevance as `search_rank` (higher is better), still a QuerySet: callers filter, count,
    group and order it in SQL like any other (order by ``-search_rank`` for best first)."""
    text = text.strip()
    label = _label(queryset.model)
    if label not in _registry:
        raise LookupError(f"{label} is not registered for search.")
    found = _ranked_ids(label, text) if text else []
    if not found:
        return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    pk_field = queryset.model._meta.pk
    ranks = {pk_field.to_python(object_id): rank for object_id, rank in found}
    rank = Case(
        *[When(pk=pk, then=Value(score)) for pk, score in ranks.items()],
        default=Value(0.0),
        output_field=FloatField(),
    )
    return queryset.filter(pk__in=list(ranks)).annotate(search_rank=rank)


def search(queryset: models.QuerySet, text: str) -> list[Any]:
    """Records of `queryset` matching `text`, best match first (at most MAX_RESULTS)."""
    if not text.strip():
        return []
    return list(ranked(queryset, text).order_by("-search_rank", "pk"))
