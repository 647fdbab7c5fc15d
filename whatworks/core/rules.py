"""Site-wide permissions: the whole audit log and the outbox are for site staff."""

import rules

rules.add_perm("core.view_site_audit_log", rules.is_staff)
rules.add_perm("core.view_outbox", rules.is_staff)
rules.add_perm("core.retry_message", rules.is_staff)
