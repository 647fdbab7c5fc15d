"""Who is told what: in-app notifications, immediate emails and digests through the outbox.

A person is only ever told about something they can see: each notification is checked when
it is made, and again when it is shown or put in a digest (they may have left a group since).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from whatworks.core.messaging import message_queue
from whatworks.forum import markup, pseudonyms
from whatworks.forum.models import (
    Champion,
    ForumProfile,
    Frequency,
    GroupMembership,
    Notification,
    Post,
    Thread,
    Watch,
    can_see,
)
from whatworks.initiatives.models import Initiative, ServiceArea
from whatworks.organisations.models import Membership, User, site_url

UNSUBSCRIBE_SALT = "forum-unsubscribe"
DIGEST_CHUNK = 500
DIGEST_ITEMS = 30


def unsubscribe_token(user: Any) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def user_from_token(token: str) -> User | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def unsubscribe_url(user: Any) -> str:
    return site_url(reverse("forum-unsubscribe", kwargs={"token": unsubscribe_token(user)}))


def _frequency(user: User) -> str:
    profile = ForumProfile.objects.filter(user=user).values_list("frequency", flat=True).first()
    return profile or Frequency.DAILY


def notify(
    person: User,
    kind: str,
    text: str,
    url: str,
    *,
    thread: Thread | None = None,
    initiative: Initiative | None = None,
    group: Any = None,
) -> Notification | None:
    """Tell one person, if they may see what it is about; email now if they chose that."""
    if not person.is_active:
        return None
    if thread is not None and not can_see(thread, person):
        return None
    if initiative is not None and not initiative.is_visible_to(person):
        return None
    notification = Notification.objects.create(
        user=person,
        kind=kind,
        text=text[:300],
        url=url[:300],
        thread=thread,
        initiative=initiative,
        group=group,
    )
    if _frequency(person) == Frequency.IMMEDIATE:
        message_queue(
            channel="email",
            recipient=person.email,
            template="forum_notification",
            personalisation={
                "name": person.full_name,
                "text": notification.text,
                "url": site_url(notification.url),
                "unsubscribe": unsubscribe_url(person),
            },
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return notification


def _notify_each(
    people: Iterable[User],
    skip: Any,
    kind: str,
    text: str | Callable[[User], str],
    url: str,
    **about: Any,
) -> set[int]:
    """`text` may depend on the person told (a pseudonymous author is named per reader)."""
    told: set[int] = set()
    for person in people:
        if person.pk in told or (skip is not None and person.pk == skip.pk):
            continue
        if notify(person, kind, text(person) if callable(text) else text, url, **about):
            told.add(person.pk)
    return told


def _by(post: Post, thread: Thread) -> Callable[[User], str]:
    return lambda person: pseudonyms.author_label(post, thread, person)


def _mentioned(post: Post) -> list[User]:
    names = markup.mentioned_names(post.body)
    if not names:
        return []
    condition = Q()
    for name in names:
        condition |= Q(full_name__iexact=name)
    return list(User.objects.filter(condition, is_active=True)[:20])


def _mentions(thread: Thread, post: Post) -> set[int]:
    return _notify_each(
        _mentioned(post),
        post.author,
        Notification.Kind.MENTION,
        lambda person: f"{_by(post, thread)(person)} mentioned you in “{thread.title}”",
        post.get_absolute_url(),
        thread=thread,
    )


def thread_started(thread: Thread, post: Post) -> None:
    told = _mentions(thread, post)
    watchers = User.objects.filter(
        forum_watches__kind=Watch.Kind.BOARD, forum_watches__board=thread.board
    )
    if thread.board and thread.board.service_area:
        watchers = watchers | User.objects.filter(
            forum_watches__kind=Watch.Kind.SERVICE_AREA,
            forum_watches__service_area=thread.board.service_area,
        )
    _notify_each(
        [w for w in watchers.distinct() if w.pk not in told],
        post.author,
        Notification.Kind.THREAD,
        f"New thread on {thread.board}: “{thread.title}”",
        thread.get_absolute_url(),
        thread=thread,
    )


def question_asked(thread: Thread, post: Post) -> None:
    from whatworks.forum.services import owner_editors

    initiative = thread.initiative
    assert initiative is not None
    told = _mentions(thread, post)
    told |= _notify_each(
        owner_editors(initiative),
        post.author,
        Notification.Kind.QUESTION,
        lambda person: (
            f"{_by(post, thread)(person)} asked about "
            f"{thread.anchor_label[:1].lower()}{thread.anchor_label[1:]} "
            f"on “{initiative.title}”: {thread.title}"
        ),
        thread.get_absolute_url(),
        thread=thread,
    )
    watchers = User.objects.filter(
        forum_watches__kind=Watch.Kind.INITIATIVE, forum_watches__initiative=initiative
    ).exclude(pk__in=told)
    _notify_each(
        watchers,
        post.author,
        Notification.Kind.QUESTION,
        f"New question on “{initiative.title}”: {thread.title}",
        thread.get_absolute_url(),
        thread=thread,
    )


def post_added(thread: Thread, post: Post) -> None:
    told = _mentions(thread, post)
    if post.owner_answer and thread.author_id and thread.author_id not in told:
        asker = User.objects.get(pk=thread.author_id)
        owner = pseudonyms.owner_name(thread, asker) or "The owner"
        told |= _notify_each(
            [asker],
            post.author,
            Notification.Kind.ANSWER,
            f"{owner} answered your question “{thread.title}”",
            post.get_absolute_url(),
            thread=thread,
        )
    watchers = User.objects.filter(
        forum_watches__kind=Watch.Kind.THREAD, forum_watches__thread=thread
    ).exclude(pk__in=told)
    _notify_each(
        watchers,
        post.author,
        Notification.Kind.REPLY,
        lambda person: f"{_by(post, thread)(person)} replied in “{thread.title}”",
        post.get_absolute_url(),
        thread=thread,
    )


def result_published(initiative: Initiative) -> None:
    watchers = User.objects.filter(
        Q(forum_watches__kind=Watch.Kind.INITIATIVE, forum_watches__initiative=initiative)
        | Q(
            forum_watches__kind=Watch.Kind.ORGANISATION,
            forum_watches__organisation_id=initiative.organisation_id,
        )
    ).distinct()
    verdict = f": {initiative.get_verdict_display().lower()}" if initiative.verdict else ""
    _notify_each(
        watchers,
        None,
        Notification.Kind.RESULT,
        f"Result published for “{initiative.title}”{verdict}",
        initiative.get_absolute_url(),
        initiative=initiative,
    )


def record_created(initiative: Initiative) -> None:
    watchers = User.objects.filter(
        Q(
            forum_watches__kind=Watch.Kind.ORGANISATION,
            forum_watches__organisation_id=initiative.organisation_id,
        )
        | Q(
            forum_watches__kind=Watch.Kind.SERVICE_AREA,
            forum_watches__service_area=initiative.service_area,
        )
    ).distinct()
    area = ServiceArea(initiative.service_area).label if initiative.service_area else ""
    _notify_each(
        watchers,
        initiative.created_by,
        Notification.Kind.RECORD,
        f"New record in {area.lower() or 'the register'}: “{initiative.title}”",
        initiative.get_absolute_url(),
        initiative=initiative,
    )


# --- Digests -------------------------------------------------------------------------------


def _load_memberships(user_ids: list[int], people: dict[int, User]) -> None:
    """Fill each person's visibility caches in two queries, not two per person."""
    orgs: dict[int, set[int]] = defaultdict(set)
    for user_id, org_id in Membership.objects.filter(
        user_id__in=user_ids, organisation__is_active=True
    ).values_list("user_id", "organisation_id"):
        orgs[user_id].add(org_id)
    groups: dict[int, set[int]] = defaultdict(set)
    for user_id, group_id in GroupMembership.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "group_id"
    ):
        groups[user_id].add(group_id)
    for user_id, person in people.items():
        person._member_organisation_ids = frozenset(orgs[user_id])  # type: ignore[attr-defined]
        person._forum_group_ids = frozenset(groups[user_id])  # type: ignore[attr-defined]


def _due_user_ids(frequency: str, now: datetime) -> list[int]:
    pending = Notification.objects.filter(emailed_at__isnull=True, created_at__lte=now)
    if frequency == Frequency.DAILY:  # the default for people who never chose
        pending = pending.filter(
            Q(user__forum_profile__frequency=Frequency.DAILY) | Q(user__forum_profile__isnull=True)
        )
    else:
        pending = pending.filter(user__forum_profile__frequency=frequency)
    return sorted(set(pending.filter(user__is_active=True).values_list("user_id", flat=True)))


def _digest_chunk(user_ids: list[int], frequency: str, now: datetime) -> int:
    from whatworks.forum.selectors import notification_is_visible

    with transaction.atomic():
        rows = list(
            Notification.objects.filter(
                user_id__in=user_ids, emailed_at__isnull=True, created_at__lte=now
            )
            .select_related("user", "thread", "initiative")
            .order_by("user_id", "-created_at", "-id")
        )
        people = {n.user_id: n.user for n in rows}
        _load_memberships(list(people), people)
        items: dict[int, list[dict[str, str]]] = defaultdict(list)
        for n in rows:
            n.user = people[n.user_id]
            if notification_is_visible(n, n.user):
                items[n.user_id].append({"text": n.text, "url": site_url(n.url)})
        sent = 0
        for user_id, entries in items.items():
            person = people[user_id]
            message_queue(
                channel="email",
                recipient=person.email,
                template="forum_digest",
                personalisation={
                    "name": person.full_name,
                    "period": "weekly" if frequency == Frequency.WEEKLY else "daily",
                    "count": len(entries),
                    "items": entries[:DIGEST_ITEMS],
                    "more": max(len(entries) - DIGEST_ITEMS, 0),
                    "notifications_url": site_url(reverse("forum-notifications")),
                    "unsubscribe": unsubscribe_url(person),
                },
            )
            sent += 1
        # Notifications that are no longer visible are marked too, so they never resurface.
        Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=now)
        ForumProfile.objects.filter(user_id__in=list(items)).update(last_digest_at=now)
    return sent


def digests_send(frequency: str, now: datetime | None = None) -> int:
    """One email per person with anything new since their last digest; returns how many."""
    now = now or timezone.now()
    user_ids = _due_user_ids(frequency, now)
    sent = 0
    for start in range(0, len(user_ids), DIGEST_CHUNK):
        sent += _digest_chunk(user_ids[start : start + DIGEST_CHUNK], frequency, now)
    return sent


def champion_summaries_send(now: datetime | None = None) -> int:
    """Each champion hears of new records in their areas from other organisations."""
    now = now or timezone.now()
    sent = 0
    for champion in Champion.objects.select_related("user", "organisation").filter(
        user__is_active=True, organisation__is_active=True
    ):
        since = champion.last_summary_at or (now - timedelta(days=7))
        records = list(
            Initiative.objects.visible_to(champion.user)
            .filter(
                service_area__in=champion.service_areas, created_at__gt=since, created_at__lte=now
            )
            .exclude(organisation_id=champion.organisation_id)
            .exclude(status="withdrawn")
            .select_related("organisation")
            .order_by("service_area", "-created_at")[:50]
        )
        with transaction.atomic():
            if records:
                message_queue(
                    channel="email",
                    recipient=champion.user.email,
                    template="forum_champion_summary",
                    personalisation={
                        "name": champion.user.full_name,
                        "organisation": champion.organisation.name,
                        "areas": ", ".join(champion.area_labels()),
                        "records": [
                            {
                                "title": r.title,
                                "area": ServiceArea(r.service_area).label,
                                "status": r.get_status_display(),
                                "url": site_url(r.get_absolute_url()),
                            }
                            for r in records
                        ],
                    },
                )
                sent += 1
            Champion.objects.filter(pk=champion.pk).update(last_summary_at=now)
    return sent
