from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import path


def healthz(request):
    """The same work as the project's /healthz (api/health.py): one SELECT 1."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz),
]
