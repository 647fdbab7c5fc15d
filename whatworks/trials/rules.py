"""Who may do what with trials. Seeing a trial follows its initiative (selectors.access_trial).

* Changing a trial (design, plan, uploads, allocation, verdict): the editors of the
  initiative's organisation (admin, officer, analyst), as for the initiative itself.
* The allocation list names units (tenants, households): personal data. Only those editors see
  it; every view and export is audited (views.py).
"""

from typing import Any

import rules

from whatworks.initiatives.rules import can_edit_for_owner


@rules.predicate
def can_edit_trial(user: Any, trial: Any) -> bool:
    if trial is None:
        return False
    initiative = getattr(trial, "initiative", trial)  # a Trial, or an Initiative for "add"
    return bool(can_edit_for_owner(user, initiative))


rules.add_perm("trials.change_trial", can_edit_trial)
rules.add_perm("trials.view_allocation", can_edit_trial)
