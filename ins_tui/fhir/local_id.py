"""The installation's own identifier system, kept in the database it names.

Why in the database (table `settings`) rather than a file beside the configuration: the
local identifier (value = the patient's row id) means something only together with the
file whose ids they are. A backup restored elsewhere keeps its system; the training file
has another one, so a training identity can never update a real one at a receiver.
The system is `urn:uuid:<uuid4>` (an OID would need an arc the practice owns; one it has
can be configured instead as `[fhir] local_system`).
"""

from __future__ import annotations

import uuid
from typing import Any

SETTING = "installation_id"


def installation_id(store: Any) -> str:
    """This database's UUID, created once; read and written under the write lock, so two
    processes opening a new file agree on one."""
    current = store.get_setting(SETTING)
    if current:
        return str(current)
    with store.action("ins-tui", "Identifiant de l'installation"):
        current = store.get_setting(SETTING)  # re-read under BEGIN IMMEDIATE
        if not current:
            current = str(uuid.uuid4())
            store.set_setting(SETTING, current)
    return str(current)


def local_system(store: Any, configured: str = "") -> str:
    """The `identifier.system` of the local patient id: configured, else this file's."""
    return configured.strip() or f"urn:uuid:{installation_id(store)}"
