"""The errors this package raises; commands turn them into one-line ``CommandError``."""


class ViewsError(Exception):
    """Base class of every error raised by django-orm-views."""


class ViewDeclarationError(ViewsError, TypeError):
    """A view class is declared wrongly (bad name, bad attribute, duplicate)."""


class DependencyError(ViewsError):
    """Views depend on each other in a cycle, or on something that is not a managed view."""


class SchemaRefusedError(ViewsError):
    """The target schema is reserved or holds Django tables."""


class UnmanagedObjectError(ViewsError):
    """A change would need to drop or replace an object this package did not create."""


class ViewSQLError(ViewsError):
    """PostgreSQL rejected a view's SQL; the message names the class."""


class LockTimeoutError(ViewsError):
    """Another sync holds the lock longer than ``LOCK_TIMEOUT``."""


class MissingRoleError(ViewsError):
    """A role named in ``grant_to`` or ``OWNER_ROLE`` does not exist."""


class BoundaryError(ViewsError):
    """A grantee could step over the permission boundary (own the views, create
    objects beside them, read the private schema); nothing was changed."""
