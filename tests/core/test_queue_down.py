"""Requests do not fail because the queue is down: the work is in the database first, and the
periodic sweep hands it on once the queue is back."""

import pytest
import redis
from huey.contrib.djhuey import HUEY

from whatworks.core.models import Message, MessageStatus
from whatworks.core.tasks import dispatch_due_messages


@pytest.fixture
def queue_down(monkeypatch):
    calls = []

    def refuse(task):
        calls.append(task.name)
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr(HUEY, "enqueue", refuse)
    return calls


def test_a_password_reset_succeeds_with_the_queue_down_and_is_sent_once_it_is_back(
    world, client, queue_down, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/password-reset/", {"email": world["officer"].email})
    assert response.status_code == 302  # not a 500
    assert queue_down == ["dispatch_message"]  # it did try the queue
    message = Message.objects.get(template="password_reset")
    assert message.status == MessageStatus.QUEUED and message.attempts == 0
    monkeypatch.undo()  # the queue is back: the minute's sweep finds the message
    assert dispatch_due_messages.call_local() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert dispatch_due_messages.call_local() == 0  # sent once, never again
