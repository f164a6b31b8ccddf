"""The account in the API: a token for the app, from the e-mail and password (the dashboard
itself is the portal's /api/me/)."""
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView


class TokenThrottle(AnonRateThrottle):
    rate = "10/min"


class TokenView(APIView):
    """A token for the app, from the account's e-mail and password (throttled)."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=inline_serializer("TokenRequest", {"email": serializers.EmailField(),
                                                   "password": serializers.CharField()}),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}))
    def post(self, request):
        email = str(request.data.get("email", "")).strip()
        password = str(request.data.get("password", ""))
        user = authenticate(request._request, email=email, password=password)
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong e-mail or password."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
