"""Pure query functions ``(session, scope, as_of, …) -> DataFrame | dataclass`` computed in SQL."""

from dashboard.queries.scope import Scope

__all__ = ["Scope"]
