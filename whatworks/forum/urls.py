from django.urls import URLPattern, path

from whatworks.forum import views

urlpatterns: list[URLPattern] = [
    path("forum/", views.home, name="forum-home"),
    path("forum/search/", views.search, name="forum-search"),
    path("forum/boards/new/", views.board_new, name="forum-board-new"),
    path("forum/boards/<slug:slug>/", views.board_detail, name="forum-board"),
    path("forum/boards/<slug:slug>/new/", views.thread_new, name="forum-thread-new"),
    path("forum/threads/<int:pk>/", views.thread_detail, name="forum-thread"),
    path("forum/threads/<int:pk>/reply/", views.reply, name="forum-reply"),
    path("forum/threads/<int:pk>/export.json", views.thread_export, name="forum-thread-export"),
    path("forum/posts/<int:pk>/edit/", views.post_edit, name="forum-post-edit"),
    path("forum/posts/<int:pk>/history/", views.post_history, name="forum-post-history"),
    path("forum/posts/<int:pk>/useful/", views.post_useful, name="forum-post-useful"),
    path("forum/posts/<int:pk>/accept/", views.post_accept, name="forum-post-accept"),
    path("forum/posts/<int:pk>/report/", views.post_report, name="forum-post-report"),
    path("forum/posts/<int:pk>/hide/", views.post_hide, name="forum-post-hide"),
    path("forum/attachments/<int:pk>/", views.attachment_download, name="forum-attachment"),
    path("forum/records/<int:pk>/ask/", views.question_new, name="forum-question-new"),
    path("forum/watch/", views.watch, name="forum-watch"),
    path("forum/watching/", views.watching, name="forum-watching"),
    path("forum/notifications/", views.notification_list, name="forum-notifications"),
    path("forum/unsubscribe/<str:token>/", views.unsubscribe, name="forum-unsubscribe"),
    path("forum/groups/", views.group_list, name="forum-groups"),
    path("forum/groups/new/", views.group_new, name="forum-group-new"),
    path("forum/groups/<slug:slug>/", views.group_detail, name="forum-group"),
    path("forum/groups/<slug:slug>/join/", views.group_join, name="forum-group-join"),
    path("forum/groups/<slug:slug>/members/", views.group_members, name="forum-group-members"),
    path(
        "forum/groups/<slug:slug>/requests/<int:request_id>/",
        views.group_request_answer,
        name="forum-group-request",
    ),
    path(
        "forum/groups/<slug:slug>/members/<int:membership_id>/",
        views.group_member,
        name="forum-group-member",
    ),
    path(
        "forum/groups/<slug:slug>/boards/new/", views.group_board_new, name="forum-group-board-new"
    ),
    path(
        "forum/organisations/<slug:slug>/boards/new/",
        views.organisation_board_new,
        name="forum-organisation-board-new",
    ),
    path("forum/champions/", views.champion_list, name="forum-champions"),
    path("forum/champions/<slug:slug>/name/", views.champion_new, name="forum-champion-new"),
    path("forum/champions/remove/<int:pk>/", views.champion_remove, name="forum-champion-remove"),
    path("forum/moderation/", views.moderation, name="forum-moderation"),
    path(
        "forum/moderation/reports/<int:pk>/dismiss/",
        views.report_dismiss,
        name="forum-report-dismiss",
    ),
    path("forum/people/<int:pk>/suspend/", views.suspend, name="forum-suspend"),
]
