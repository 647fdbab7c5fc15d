"""Full-text search with ranking: SQLite FTS5 or PostgreSQL full-text search.

An app registers a model and the fields to index; the index is kept in step on save
and delete. `search(queryset, query)` returns the queryset's records that match,
best first, so a caller passes an already visibility-filtered queryset and search
can never reveal what the caller could not list.

    search.register(Organisation, title="name", body=["description", "kind_label"])
    results = search.search(Organisation.objects.active(), "recycling")

Words are stemmed on both databases (SQLite FTS5's porter tokenizer, PostgreSQL's english
configuration), and a word or phrase in the synonym list (`synonyms.txt` beside this module,
or the file named by the SEARCH_SYNONYMS_FILE setting) matches any word of its group:
"lonely" also finds "isolation". Apps add a *kind* to `kinds` so that the site's one search
page (`/search/`) lists their records too, grouped by kind, each kind applying its own
visibility.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, models, transaction
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.signals import post_delete, post_save

from whatworks.core.models import SearchDocument
from whatworks.core.registry import Registry

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
    # On SQLite a trigger removes the full-text rows with their documents (core 0006).
    SearchDocument.objects.filter(model=_label(model), object_id=str(pk)).delete()


def reindex(model: type[models.Model]) -> int:
    """Rebuild the index for every row of a model (after a bulk import, say)."""
    count = 0
    for obj in model._default_manager.iterator():
        index_object(obj)
        count += 1
    return count


_WORD = re.compile(r"\w+", re.UNICODE)
SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")

# A search term: a group of alternatives, each a phrase (a tuple of words); `prefix` marks
# the alternative the reader typed last, matched as a prefix as they type.
Alternative = tuple[str, ...]


@dataclass(frozen=True)
class Term:
    alternatives: tuple[Alternative, ...]
    prefix: Alternative | None = None


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


@cache
def _synonyms_from(path: str) -> dict[Alternative, tuple[Alternative, ...]]:
    """{phrase: its group} from a file of comma-separated groups, one a line ('#' comments)."""
    groups: dict[Alternative, tuple[Alternative, ...]] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return groups
    for line in lines:
        line = line.split("#", 1)[0]
        group = tuple(
            dict.fromkeys(phrase for part in line.split(",") if (phrase := tuple(_words(part))))
        )
        if len(group) < 2:
            continue
        for phrase in group:
            # A phrase in two groups matches the words of both.
            groups[phrase] = tuple(dict.fromkeys([*groups.get(phrase, ()), *group]))
    return groups


def synonyms() -> dict[Alternative, tuple[Alternative, ...]]:
    return _synonyms_from(str(getattr(settings, "SEARCH_SYNONYMS_FILE", SYNONYMS_FILE)))


def terms(text: str) -> list[Term]:
    """The search terms in `text`: each word, or each phrase of the synonym list, with the
    words and phrases it stands for. Every term must match (AND); any of its alternatives
    may (OR). The last word typed is also matched as a prefix."""
    words = _words(text)
    table = synonyms()
    longest = max((len(phrase) for phrase in table), default=1)
    found: list[Term] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            phrase = tuple(words[i : i + size])
            if phrase in table:
                found.append(Term(table[phrase]))
                i += size
                break
        else:
            found.append(Term(((words[i],),)))
            i += 1
    if found:
        last, typed = found[-1], (words[-1],)
        found[-1] = Term(last.alternatives, prefix=typed if typed in last.alternatives else None)
    return found


def _fts5_query(found: list[Term]) -> str:
    # Quote every word so user input can never be read as FTS5 syntax; a quoted run of words
    # is a phrase. The last word typed matches as a prefix so that "recycl" finds "recycling".
    parts = []
    for term in found:
        options = [
            '"' + " ".join(alt) + '"' + ("*" if alt == term.prefix else "")
            for alt in term.alternatives
        ]
        parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
    return " ".join(parts)


def _tsquery(found: list[Term]) -> str:
    # The same terms as on SQLite: \w+ words cannot carry tsquery syntax; <-> is a phrase.
    parts = []
    for term in found:
        options = [
            " <-> ".join(alt) + (":*" if alt == term.prefix else "") for alt in term.alternatives
        ]
        parts.append(options[0] if len(options) == 1 else "(" + " | ".join(options) + ")")
    return " & ".join(parts)


def _ranked_ids(label: str, text: str) -> list[tuple[str, float]]:
    found = terms(text)
    if not found:
        return []
    if connection.vendor == "postgresql":
        query = SearchQuery(_tsquery(found), search_type="raw", config=PG_CONFIG)
        rows = (
            SearchDocument.objects.filter(model=label, vector=query)
            .annotate(rank=SearchRank(F("vector"), query))
            .order_by("-rank", "id")
            .values_list("object_id", "rank")[:MAX_RESULTS]
        )
        return [(object_id, float(rank)) for object_id, rank in rows]
    match = _fts5_query(found)
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


def registered_models() -> list[str]:
    """Labels ("app.model") of every registered model, for a full reindex."""
    return sorted(_registry)


# --- One search across the site --------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One result on the site's search page."""

    title: str
    url: str
    summary: str = ""
    meta: str = ""


@dataclass(frozen=True)
class Kind:
    """A kind of thing the site's search page lists (records, trials, threads...).

    `find(user, text)` returns the matching things `user` may see, best first, as a
    queryset (the page counts it and shows the first few); `hit(obj, user)` says how one
    shows. Registered by the app that owns the things, in its AppConfig.ready()."""

    slug: str
    label: str  # plural, as a heading: "Records"
    find: Callable[[Any, str], models.QuerySet]
    hit: Callable[[Any, Any], Hit]
    order: int = 50


kinds: Registry[Kind] = Registry("search kinds")


def ordered_kinds() -> list[Kind]:
    return sorted(kinds, key=lambda kind: kind.order)


@dataclass(frozen=True)
class KindResults:
    kind: Kind
    count: int  # at most MAX_RESULTS: the search stops there
    hits: list[Hit]

    @property
    def more(self) -> bool:
        return self.count > len(self.hits)


def everything(user: Any, text: str, *, only: str = "", per_kind: int = 5) -> list[KindResults]:
    """Every kind's matches for `text` that `user` may see, in the kinds' order: a count and
    the first `per_kind` of each (all of them, up to 50, for the kind named by `only`)."""
    results = []
    for kind in ordered_kinds():
        if only and kind.slug != only:
            continue
        found = kind.find(user, text)
        limit = 50 if only else per_kind
        rows = list(found[: limit + 1])
        count = len(rows) if len(rows) <= limit else found.count()
        results.append(KindResults(kind, count, [kind.hit(obj, user) for obj in rows[:limit]]))
    return results
