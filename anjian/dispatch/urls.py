from django.urls import path, register_converter

from . import views


class MonthConverter:
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MonthConverter, "dispatch_month")

app_name = "dispatch"
urlpatterns = [
    path("dispatch/", views.home, name="home"),
    path("dispatch/mine/", views.mine, name="mine"),
    path("dispatch/forms/<int:pk>/", views.form_page, name="form"),
    path("dispatch/forms/<int:pk>/return/", views.form_return, name="form-return"),
    path("dispatch/<dispatch_month:month>/", views.month_overview, name="month"),
    path("dispatch/<dispatch_month:month>/open/", views.month_open, name="month-open"),
    path("dispatch/<dispatch_month:month>/table/", views.table_page, name="table"),
    path("dispatch/<dispatch_month:month>/table.xlsx", views.table_xlsx, name="table-xlsx"),
    path("dispatch/<dispatch_month:month>/table.docx", views.table_docx, name="table-docx"),
]
