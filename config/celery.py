"""Celery application. Tasks are thin wrappers around services;
the embedded default runs them eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("sillage")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
