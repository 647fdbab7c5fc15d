"""Every permission the project defines, listed: adding or dropping one is a conscious act.

Later apps list theirs as `PERMISSIONS` in their tests/matrix/<app>.py module.
"""

import rules

from tests.matrix import APP_PERMISSIONS

EXPECTED = {
    "core.retry_message",
    "core.view_outbox",
    "core.view_site_audit_log",
    "initiatives.add_initiative",
    "initiatives.change_initiative",
    "initiatives.record_decision",
    "initiatives.replicate_initiative",
    "initiatives.withdraw_initiative",
    "measures.add_metric",
    "measures.change_metric",
    "measures.import_observations",
    "organisations.edit_organisation",
    "organisations.manage_api_keys",
    "organisations.manage_invitations",
    "organisations.manage_members",
    "organisations.view_audit_log",
    "organisations.view_members",
    "trials.change_trial",
    "trials.view_allocation",
}


def test_it_lists_every_permission_the_project_defines() -> None:
    assert set(rules.permissions.permissions) == EXPECTED | APP_PERMISSIONS
