from django.urls import URLPattern, path

from whatworks.checkins import (
    views,
    views_funding,
    views_manage,
    views_peace_of_mind,
    views_practices,
    views_referral,
    views_signposting,
    views_training,
)

urlpatterns: list[URLPattern] = [
    path("checkins/", views.home, name="checkins-home"),
    path("checkins/two-factor/set-up/", views.two_factor_setup, name="checkins-2fa-setup"),
    path("checkins/two-factor/verify/", views.two_factor_verify, name="checkins-2fa-verify"),
    path(
        "checkins/two-factor/recovery-codes/",
        views.two_factor_recovery,
        name="checkins-2fa-recovery",
    ),
    path("checkins/schemes/new/", views.scheme_new, name="checkins-scheme-new"),
    path("checkins/schemes/<int:pk>/", views.scheme_detail, name="checkins-scheme"),
    path("checkins/schemes/<int:pk>/residents/", views.residents, name="checkins-residents"),
    path("checkins/schemes/<int:pk>/rounds/new/", views.round_new, name="checkins-round-new"),
    path(
        "checkins/schemes/<int:pk>/agreements/new/",
        views.agreement_new,
        name="checkins-agreement-new",
    ),
    path("checkins/schemes/<int:pk>/rules/", views.rules_list, name="checkins-rules"),
    path("checkins/schemes/<int:pk>/people/", views_manage.people, name="checkins-people"),
    path(
        "checkins/schemes/<int:pk>/practices/",
        views_practices.practices,
        name="checkins-practices",
    ),
    path(
        "checkins/schemes/<int:pk>/peace-of-mind/",
        views_peace_of_mind.surveys,
        name="checkins-surveys",
    ),
    path(
        "checkins/schemes/<int:pk>/signposts/",
        views_signposting.signposts,
        name="checkins-signposts",
    ),
    path(
        "checkins/schemes/<int:pk>/funding/",
        views_funding.funding_page,
        name="checkins-funding",
    ),
    path(
        "checkins/residents/<int:pk>/payer/",
        views_funding.resident_payer,
        name="checkins-resident-payer",
    ),
    path(
        "checkins/schemes/<int:pk>/training/",
        views_training.training_page,
        name="checkins-training",
    ),
    path(
        "checkins/signposts/<int:pk>/toggle/",
        views_signposting.signpost_toggle,
        name="checkins-signpost-toggle",
    ),
    path(
        "checkins/residents/<int:pk>/signposting/new/",
        views_signposting.signposting_new,
        name="checkins-signposting-new",
    ),
    path(
        "checkins/schemes/<int:pk>/practices/naming/",
        views_practices.practice_naming,
        name="checkins-practice-naming",
    ),
    path(
        "checkins/practices/<int:pk>/remove/",
        views_practices.practice_remove,
        name="checkins-practice-remove",
    ),
    path(
        "checkins/schemes/<int:pk>/questions/new/",
        views_manage.question_new,
        name="checkins-question-new",
    ),
    path("checkins/questions/<int:pk>/", views_manage.question_edit, name="checkins-question-edit"),
    path(
        "checkins/questions/<int:pk>/remove/",
        views_manage.question_remove,
        name="checkins-question-remove",
    ),
    path("checkins/question-sets/<int:pk>/", views_manage.module_edit, name="checkins-module-edit"),
    path(
        "checkins/schemes/<int:pk>/question-sets/<slug:key>/add/",
        views_manage.module_adopt,
        name="checkins-module-adopt",
    ),
    path(
        "checkins/question-sets/<int:pk>/remove/",
        views_manage.module_remove,
        name="checkins-module-remove",
    ),
    path(
        "checkins/schemes/<int:pk>/retention/",
        views_manage.retention_page,
        name="checkins-retention",
    ),
    path("checkins/rounds/<int:pk>/cover/new/", views_manage.cover_new, name="checkins-cover-new"),
    path("checkins/schemes/<int:scheme_pk>/rules/new/", views.rule_edit, name="checkins-rule-new"),
    path("checkins/rules/<int:pk>/", views.rule_edit, name="checkins-rule-edit"),
    path("checkins/referrals/<int:pk>/", views.referral_detail, name="checkins-referral"),
    path("checkins/residents/<int:pk>/", views.resident_detail, name="checkins-resident"),
    path(
        "checkins/residents/<int:pk>/first-contact/",
        views.first_contact,
        name="checkins-first-contact",
    ),
    path(
        "checkins/residents/<int:pk>/export.json",
        views.resident_export,
        name="checkins-resident-export",
    ),
    path(
        "checkins/residents/<int:pk>/print/", views.resident_print, name="checkins-resident-print"
    ),
    path(
        "checkins/residents/<int:pk>/erase/", views.resident_erase, name="checkins-resident-erase"
    ),
    path(
        "checkins/residents/<int:pk>/round/", views.resident_round, name="checkins-resident-round"
    ),
    path(
        "checkins/residents/<int:pk>/appointments/new/",
        views.appointment_new,
        name="checkins-appointment-new",
    ),
    path(
        "checkins/appointments/<int:pk>/attendance/",
        views.appointment_attendance,
        name="checkins-appointment-attendance",
    ),
    path(
        "checkins/residents/<int:pk>/pause/", views.resident_pause, name="checkins-resident-pause"
    ),
    path(
        "checkins/residents/<int:pk>/resume/",
        views.resident_resume,
        name="checkins-resident-resume",
    ),
    path(
        "checkins/residents/<int:pk>/consent/withdraw/",
        views.consent_withdraw,
        name="checkins-consent-withdraw",
    ),
    path("checkins/rounds/<int:pk>/today/", views.round_today, name="checkins-round-today"),
    path("checkins/sw.js", views.service_worker, name="checkins-sw"),
    path("checkins/rounds/<int:pk>/visits/", views.visit_record, name="checkins-visit-record"),
    path(
        "checkins/rounds/<int:pk>/visits/new/<int:resident_id>/",
        views.visit_new,
        name="checkins-visit-new",
    ),
    path(
        "checkins/rounds/<int:pk>/visits/<uuid:key>/emergency/",
        views.visit_emergency,
        name="checkins-visit-emergency",
    ),
    path("checkins/escalations/<int:pk>/", views.escalation_detail, name="checkins-escalation"),
    path("checkins/refer/<str:token>/", views_referral.refer_start, name="checkins-refer-start"),
    path(
        "checkins/refer/<str:token>/check/", views_referral.refer_check, name="checkins-refer-check"
    ),
    path("checkins/refer/<str:token>/done/", views_referral.refer_done, name="checkins-refer-done"),
    path("checkins/peace-of-mind/<str:token>/", views_peace_of_mind.survey, name="checkins-survey"),
    path(
        "checkins/peace-of-mind/<str:token>/stop/",
        views_peace_of_mind.survey_stop,
        name="checkins-survey-stop",
    ),
    path(
        "checkins/refer/<str:token>/<slug:step>/",
        views_referral.refer_step,
        name="checkins-refer-step",
    ),
]
