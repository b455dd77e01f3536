from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .api import api


@csrf_exempt  # nothing happens here; a POST gets the same JSON 404, not a CSRF page
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    # Below /api/v1/ every answer is JSON, a path that matches no route included (Django's
    # own 404 would be an HTML page).
    return JsonResponse(
        {"detail": _("Not found.")},
        status=404,
        content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [path("", api.urls), re_path(r"^(?P<rest>.*)$", not_found)]
