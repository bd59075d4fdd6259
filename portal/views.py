"""Placeholder views; the portal UI is being built."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return HttpResponse("dashboard")


def login_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("login")


def signup_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("signup")


def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:login")
