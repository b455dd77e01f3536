from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.reports_home, name="home"),
    # The enterprise's hazard statistics tables (16号令 第十四条).
    path(
        "enterprises/<int:pk>/hazard-statements/",
        views.enterprise_statements,
        name="enterprise-statements",
    ),
    path(
        "enterprises/<int:pk>/hazard-statements/prepare/",
        views.statement_prepare,
        name="statement-prepare",
    ),
    path("reports/statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("reports/statements/<int:pk>/sign/", views.statement_sign, name="statement-sign"),
    path("reports/statements/<int:pk>/table.xlsx", views.statement_xlsx, name="statement-xlsx"),
    # Regulators.
    path("reports/statements/due/", views.statements_due, name="statements-due"),
    path("reports/figures/", views.figures_page, name="figures"),
    path("reports/figures.xlsx", views.figures_xlsx, name="figures-xlsx"),
    path("reports/phase-summary/", views.phase_summary_page, name="phase-summary"),
    path("reports/phase-summary.docx", views.phase_summary_docx, name="phase-summary-docx"),
]
