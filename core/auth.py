"""Access rule of the clerks' pages."""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def staff_required(view):
    """Anonymous visitors go to the login page; a signed-in user who is not staff gets 403
    rather than a login loop."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def staff_permission_required(permission: str):
    """staff_required, and the Django permission `permission` ("app.codename") too: a clerk
    without it gets 403, like a citizen (the library desk's records, issue 16)."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (request.user.is_active and request.user.is_staff
                    and request.user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapper
    return decorator
