"""zh-hans first: pages speak Chinese unless the user chose another language (the
footer switch sets the language cookie). The browser's Accept-Language is ignored for
pages, so an English-language browser in a Chinese bureau still gets Chinese; the API
honours Accept-Language, as HTTP clients expect."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None
