"""Top-level URL map: each app owns its own `urls.py` under a prefix."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from omov.contests import views as contest_views
from omov.core import forms as core_forms

admin.site.login_form = core_forms.AdminLoginForm

urlpatterns = [
    path("", contest_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=core_forms.LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("contests/", include("omov.contests.urls")),
    path("electorate/", include("omov.electorate.urls")),
    path("nominations/", include("omov.nominations.urls")),
    path("vote/", include("omov.ballots.urls")),
    path("results/", include("omov.results.urls")),
    path("campaigns/", include("omov.campaigns.urls")),
    path("jobs/", include("omov.jobs.urls")),
    path("record/", include("omov.trustees.urls")),
]
