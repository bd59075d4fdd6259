"""The authorization server's endpoints, mounted at /o/.

Only what the code flow needs: no application-management, device, OpenID
Connect or dynamic-registration views of the toolkit are exposed.
"""

from django.urls import path
from oauth2_provider import views as toolkit

from .oauth_views import IntrospectView
from .views import ConsentAuthorizationView

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize/", ConsentAuthorizationView.as_view(), name="authorize"),
    path("token/", toolkit.TokenView.as_view(), name="token"),
    path("revoke_token/", toolkit.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", IntrospectView.as_view(), name="introspect"),
    path(".well-known/oauth-authorization-server", toolkit.OAuthServerMetadataView.as_view(),
         name="oauth-server-metadata"),
]
