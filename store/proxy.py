"""The one database proxy every model is bound to.

`store.models` binds its tables to it and `store.db.open_database` initialises it, so the
models need nothing else from `store.db` (which imports the models at the top, with no
circle). Callers keep importing it as `from store.db import database`.
"""

from peewee import DatabaseProxy

database = DatabaseProxy()
"""The database every model is bound to; `open_database` initialises it."""
