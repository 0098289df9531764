"""Django's PostgreSQL backend with a health check that costs no round trip while the
connection is sound.

CONN_HEALTH_CHECKS makes Django ask a kept connection `SELECT 1` before the first query of every
request: a round trip and a statement in the server on each one (a ballot is seven statements).
An idle connection has nothing to read: if its socket is readable, the server has closed it
(restarted, or the backend was terminated: PostgreSQL sends the reason and closes) or sent a
notice, and only then is the server asked, as Django would. A server that vanished without a
word (a cut network) is found by neither check before the request's first query times out.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return super().is_usable() if readable else True
