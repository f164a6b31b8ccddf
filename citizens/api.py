"""The account in the API: a token for the app, from the e-mail and password (the dashboard
itself is the portal's /api/me/)."""
from allauth.account.models import EmailAddress
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import (
    AuthenticationFailed,
    ParseError,
    PermissionDenied,
    Throttled,
)
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from citizens.adapter import LoginThrottled, authenticate


class TokenThrottle(AnonRateThrottle):
    """Requests per client address (as NUM_PROXIES reads it), whatever their outcome; failed
    passwords are also counted with the web sign-in's (citizens.adapter.authenticate)."""
    rate = "10/min"


class TokenView(APIView):
    """A token for the app, from the account's e-mail and password. Failed attempts count in
    the web sign-in's counters (per address and per account): once they are used up, 429 even
    for the right password, on either path. Only for an account whose e-mail is confirmed."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenThrottle]

    def initial(self, request, *args, **kwargs):
        # The app's user reads these messages (the throttles' and the view's): their language
        # (the django_language cookie, else Accept-Language), French by default, whereas
        # LocaleMiddleware gives French to all of /api/.
        translation.activate(translation.get_language_from_request(request._request)
                             or translation.get_language())
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request=inline_serializer("TokenRequest", {"email": serializers.EmailField(),
                                                   "password": serializers.CharField()}),
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            403: OpenApiResponse(description="Wrong e-mail or password, or the e-mail address "
                                             "is not confirmed yet."),
            429: OpenApiResponse(description="Too many failed sign-ins (web or API) for this "
                                             "address or account, or too many requests: "
                                             "see Retry-After."),
        })
    def post(self, request):
        if not hasattr(request.data, "get"):  # a JSON array or scalar: not the documented object
            raise ParseError(_("The request could not be understood."))
        email = str(request.data.get("email", "")).strip()
        password = str(request.data.get("password", ""))
        if not email or not password or "\x00" in email:  # no account has a NUL in its e-mail
            raise AuthenticationFailed(_("Wrong e-mail or password."))
        try:
            user = authenticate(request._request, email=email, password=password)
        except LoginThrottled as throttled:
            raise Throttled(wait=throttled.wait, detail=throttled.message) from throttled
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong e-mail or password."))
        primary = EmailAddress.objects.get_primary(user)
        if primary is None or not primary.verified:
            raise PermissionDenied(
                _("Confirm your e-mail address first, with the link in the message we sent to "
                  "it; then ask for a token again."), code="email_not_verified")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
