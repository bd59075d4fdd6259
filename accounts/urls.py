from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.account_view, name="account"),
    path("accounts/signup/", views.signup_view, name="signup"),
    path("accounts/signup/done/", views.signup_done_view, name="signup_done"),
    path("accounts/verify/<str:token>/", views.email_verify_view, name="email_verify"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/login/verify/", views.login_verify_view, name="login_verify"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/2fa/", views.totp_setup_view, name="totp_setup"),
    path("accounts/delete/", views.account_delete_view, name="account_delete"),
    path("accounts/goodbye/", views.goodbye_view, name="goodbye"),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/done/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
