from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.api import api
from whatworks.core import views as core_views
from whatworks.organisations import views as org_views
from whatworks.organisations.forms import SignInForm

auth_patterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="organisations/sign_in.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="sign-in",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign-out"),
    path("password-reset/", org_views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="organisations/password_reset_sent.html"
        ),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="organisations/password_reset_confirm.html",
            success_url="/password-reset/complete/",
        ),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="organisations/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
]

organisation_patterns = [
    path("organisations/", org_views.organisation_list, name="organisation-list"),
    path("organisations/<slug:slug>/", org_views.organisation_detail, name="organisation-detail"),
    path(
        "organisations/<slug:slug>/manage/",
        org_views.organisation_manage,
        name="organisation-manage",
    ),
    path(
        "organisations/<slug:slug>/manage/details/",
        org_views.organisation_edit,
        name="organisation-edit",
    ),
    path(
        "organisations/<slug:slug>/manage/members/<int:membership_id>/role/",
        org_views.membership_role,
        name="membership-role",
    ),
    path(
        "organisations/<slug:slug>/manage/members/<int:membership_id>/remove/",
        org_views.membership_remove,
        name="membership-remove",
    ),
    path(
        "organisations/<slug:slug>/manage/invitations/new/",
        org_views.invitation_new,
        name="invitation-new",
    ),
    path(
        "organisations/<slug:slug>/manage/invitations/<int:invitation_id>/revoke/",
        org_views.invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "organisations/<slug:slug>/manage/api-keys/new/",
        org_views.api_key_new,
        name="api-key-new",
    ),
    path(
        "organisations/<slug:slug>/manage/api-keys/<int:key_id>/revoke/",
        org_views.api_key_revoke,
        name="api-key-revoke",
    ),
    path(
        "organisations/<slug:slug>/manage/audit/",
        org_views.organisation_audit_log,
        name="organisation-audit-log",
    ),
    path("your-organisation/", org_views.my_organisation, name="my-organisation"),
    path("invitations/<str:token>/", org_views.invitation_accept, name="invitation-accept"),
    path("people/<int:pk>/", org_views.person_detail, name="person-detail"),
    path("people/<int:pk>/contact/", org_views.contact_person, name="contact-person"),
    path("people/messages/<int:pk>/report/", org_views.contact_report, name="contact-report"),
    path("account/profile/", org_views.profile_edit, name="profile-edit"),
    path("search/", org_views.search, name="search"),
]

core_patterns = [
    path("audit/", core_views.site_audit_log, name="site-audit-log"),
    path("outbox/", core_views.outbox, name="outbox"),
    path("outbox/<int:pk>/", core_views.outbox_message, name="outbox-message"),
    path("outbox/<int:pk>/retry/", core_views.outbox_retry, name="outbox-retry"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/status.json", core_views.job_status, name="job-status"),
    path("healthz", core_views.healthz, name="healthz"),
]

urlpatterns = [
    *auth_patterns,
    *organisation_patterns,
    *core_patterns,
    path("", include("whatworks.initiatives.urls")),
    path("", include("whatworks.measures.urls")),
    path("", include("whatworks.trials.urls")),
    path("", include("whatworks.forum.urls")),
    path("", include("whatworks.ideas.urls")),
    path("", include("whatworks.checkins.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("whatworks.ui.urls")),
]
