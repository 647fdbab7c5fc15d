"""Points in the register's services where higher apps act (registered in their
AppConfig.ready()). Each hook runs inside the service's transaction, with the saved record,
so what it writes (notifications in the outbox, copies of the visibility) commits or rolls
back with the change itself.
"""

from whatworks.core.registry import HookRegistry

#: A record was registered (`initiative_create`).
record_created = HookRegistry("initiative created")
#: A record's fields changed (`initiative_update`): its visibility or embargo may have.
record_updated = HookRegistry("initiative updated")
#: A record's result was published (`initiative_change_status` to published).
result_published = HookRegistry("result published")
