"""The peer network: boards, threads and posts, questions on records, groups across
organisations, watch lists, notifications, champions and moderation.

Visibility follows whatworks.core.visibility (public, peers, private to an organisation) and
adds "private to a group". A thread carries its own visibility, copied from its board when
it is started (or from the initiative a question is asked on), so that every read filters
one table. Lists need reply counts and last-post times: they are kept on the thread and the
board by the services, so a board's page is one indexed query.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from whatworks.core.visibility import member_organisation_ids
from whatworks.initiatives.models import Collaboration, ServiceArea


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    PEERS = "peers", "Shared with peers"
    PRIVATE = "private", "Private to an organisation"
    GROUP = "group", "Private to a group"


def group_ids_of(user: Any) -> frozenset[int]:
    """Ids of the forum groups the person belongs to (cached on the user for the request)."""
    if (
        user is None
        or not getattr(user, "is_authenticated", False)
        or not getattr(user, "pk", None)
    ):
        return frozenset()
    cached = getattr(user, "_forum_group_ids", None)
    if cached is None:
        cached = frozenset(
            GroupMembership.objects.filter(user_id=user.pk).values_list("group_id", flat=True)
        )
        user._forum_group_ids = cached
    return cached


def visible_condition(user: Any, prefix: str = "") -> Q:
    """Q for records (with visibility, organisation and group fields) the person may see."""
    org_ids = member_organisation_ids(user)
    group_ids = group_ids_of(user)
    condition = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    if org_ids:
        condition |= Q(**{f"{prefix}visibility": Visibility.PEERS}) | Q(
            **{f"{prefix}visibility": Visibility.PRIVATE, f"{prefix}organisation_id__in": org_ids}
        )
    if group_ids:
        condition |= Q(
            **{f"{prefix}visibility": Visibility.GROUP, f"{prefix}group_id__in": group_ids}
        )
    return condition


def can_see(record: Any, user: Any) -> bool:
    """The same rule as visible_condition, for one record in memory."""
    if record.visibility == Visibility.PUBLIC:
        return True
    if record.visibility == Visibility.GROUP:
        return record.group_id in group_ids_of(user)
    org_ids = member_organisation_ids(user)
    if record.visibility == Visibility.PEERS:
        return bool(org_ids)
    return record.organisation_id in org_ids


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Any:
        return self.filter(visible_condition(user))


class ForumGroup(models.Model):
    """People from several organisations (a joint venture, an integrated care partnership,
    the champions' network) with their own private boards."""

    class Joining(models.TextChoices):
        INVITATION = "invitation", "By invitation only"
        REQUEST = "request", "By invitation or on request"

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    joining = models.CharField(max_length=12, choices=Joining.choices, default=Joining.REQUEST)
    # A listed group's name and description appear in the groups list, so people can ask to
    # join; an unlisted group is known only to its members and the people it invites.
    listed = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum-group", kwargs={"slug": self.slug})


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Group admin"
        MEMBER = "member", "Member"

    group = models.ForeignKey(ForumGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_groups"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="forum_one_group_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class JoinRequest(models.Model):
    """An invitation from a group admin, or a person's request to join: one row, one answer."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        REQUEST = "request", "Request to join"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    group = models.ForeignKey(ForumGroup, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(state="pending"),
                name="forum_one_pending_join_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} to {self.group}"


class Board(models.Model):
    class Kind(models.TextChoices):
        SERVICE_AREA = "service_area", "Service area"
        COLLABORATION = "collaboration", "Collaboration type"
        OTHER = "other", "Other"

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.OTHER)
    service_area = models.CharField(max_length=30, choices=ServiceArea.choices, blank=True)
    collaboration = models.CharField(max_length=20, choices=Collaboration.choices, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="forum_boards",
    )
    group = models.ForeignKey(
        ForumGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="boards"
    )
    # Denormalised for the lists (kept by services.thread_start / post_add).
    thread_count = models.PositiveIntegerField(default=0)
    post_count = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="group") | Q(group__isnull=False),
                name="forum_group_board_has_group",
            ),
            models.CheckConstraint(
                condition=~Q(visibility="private") | Q(organisation__isnull=False),
                name="forum_private_board_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum-board", kwargs={"slug": self.slug})


class Thread(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", "Discussion"
        QUESTION = "question", "Question on a record"

    board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.CASCADE, related_name="threads"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    group = models.ForeignKey(
        ForumGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A question on a record: the initiative and the part of it the question points at.
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="forum_threads",
    )
    anchor = models.CharField(max_length=40, blank=True)
    anchor_label = models.CharField(max_length=200, blank=True)
    accepted_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Links to records: the register, trials and organisations.
    linked_initiatives = models.ManyToManyField(
        "initiatives.Initiative", blank=True, related_name="+"
    )
    linked_trials = models.ManyToManyField("trials.Trial", blank=True, related_name="+")
    linked_organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="+"
    )
    # Denormalised: the number of posts (the opening post included) and the newest one's time.
    post_count = models.PositiveIntegerField(default=0)
    last_post_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-last_post_at", "-id"]
        indexes = [
            models.Index(
                fields=["board", "-last_post_at", "-id"], name="forum_thread_board_recent"
            ),
            models.Index(fields=["initiative", "kind"], name="forum_thread_initiative"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="group") | Q(group__isnull=False),
                name="forum_group_thread_has_group",
            ),
            models.CheckConstraint(
                condition=~Q(visibility="private") | Q(organisation__isnull=False),
                name="forum_private_thread_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forum-thread", kwargs={"pk": self.pk})

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)

    @property
    def is_answered(self) -> bool:
        return self.accepted_post_id is not None


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # 1, 2, 3... within the thread: pages are ranges of positions on an index, not OFFSETs.
    position = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()  # Markdown, as written
    body_html = models.TextField()  # rendered and sanitised once, at write time
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An answer given for the record's owner (on a question on a record).
    owner_answer = models.BooleanField(default=False)
    # Written by a member of the record's owner organisation: on a pseudonymous record the
    # post is shown under the pseudonym to everyone outside it (forum/pseudonyms.py).
    by_owner = models.BooleanField(default=False)
    useful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["thread", "position"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "position"], name="forum_post_position")
        ]
        indexes = [models.Index(fields=["author", "-created_at"], name="forum_post_author_recent")]

    def __str__(self) -> str:
        return f"Post {self.position} in {self.thread_id}"

    def get_absolute_url(self) -> str:
        from whatworks.forum.selectors import POSTS_PER_PAGE

        page = (self.position - 1) // POSTS_PER_PAGE + 1
        return reverse("forum-thread", kwargs={"pk": self.thread_id}) + (
            f"?page={page}#post-{self.position}" if page > 1 else f"#post-{self.position}"
        )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class PostRevision(models.Model):
    """The text a post had before an edit: the history stays readable."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    body_html = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-replaced_at", "-id"]

    def __str__(self) -> str:
        return f"Revision of {self.post_id}"


class Reaction(models.Model):
    """A "useful" from one person on one post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="forum_one_useful")]

    def __str__(self) -> str:
        return f"{self.user_id} found {self.post_id} useful"


class Attachment(models.Model):
    """A file on a post, stored outside the web root under a random name."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)  # detected from the bytes
    size = models.PositiveIntegerField()
    stored_name = models.CharField(max_length=80, unique=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("forum-attachment", kwargs={"pk": self.pk})


class Watch(models.Model):
    """One thing a person watches: an initiative, a thread, a board, an organisation or a
    service area. Exactly one target is set."""

    class Kind(models.TextChoices):
        INITIATIVE = "initiative", "Initiative"
        THREAD = "thread", "Thread"
        BOARD = "board", "Board"
        ORGANISATION = "organisation", "Organisation"
        SERVICE_AREA = "service_area", "Service area"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_watches"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    initiative = models.ForeignKey(
        "initiatives.Initiative", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    service_area = models.CharField(max_length=30, choices=ServiceArea.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "id"]
        # One row per target is kept by services.watch_set (a unique constraint over nullable
        # columns would not hold on SQLite).
        indexes = [
            models.Index(fields=["thread"], name="forum_watch_thread"),
            models.Index(fields=["initiative"], name="forum_watch_initiative"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.kind}"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "Straight away, one email each"
    DAILY = "daily", "A daily digest"
    WEEKLY = "weekly", "A weekly digest"
    NEVER = "never", "No emails (notifications on the site only)"


class ForumProfile(models.Model):
    """A person's forum settings: how often to email, and when the last digest went."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_profile"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Forum settings of {self.user_id}"


class Notification(models.Model):
    """Something a person should know, shown on the site and carried by email."""

    class Kind(models.TextChoices):
        QUESTION = "question", "A question on your record"
        ANSWER = "answer", "An answer to your question"
        REPLY = "reply", "A reply in a thread you watch"
        THREAD = "thread", "A new thread on a board you watch"
        MENTION = "mention", "You were mentioned"
        RESULT = "result", "A result was published"
        RECORD = "record", "A new record you watch for"
        GROUP = "group", "Group membership"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_notifications"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    # What it is about, so that it can be checked again before it is shown or emailed.
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    initiative = models.ForeignKey(
        "initiatives.Initiative", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        ForumGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="forum_notification_user"),
            models.Index(
                fields=["user"],
                condition=Q(emailed_at__isnull=True),
                name="forum_notification_unsent",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class Champion(models.Model):
    """A collaboration champion an organisation has named, and the areas they cover."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="forum_champions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service_areas = models.JSONField(default=list)
    note = models.CharField("what they can help with", max_length=300, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    named_at = models.DateTimeField(default=timezone.now)
    last_summary_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="forum_one_champion")
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.organisation}"

    def area_labels(self) -> list[str]:
        return [ServiceArea(a).label for a in self.service_areas if a in ServiceArea.values]


class Report(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        HIDDEN = "hidden", "Post hidden"
        DISMISSED = "dismissed", "Dismissed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Report on {self.post_id}"


class Suspension(models.Model):
    """A person may not post until `until`; the reason is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_suspensions"
    )
    reason = models.TextField()
    until = models.DateTimeField()
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} suspended until {self.until:%Y-%m-%d}"


def active_suspension(user: Any) -> Suspension | None:
    return Suspension.objects.filter(user_id=user.pk, until__gt=timezone.now()).first()
