from __future__ import annotations

from django.urls import path

from pathways.placements import opportunity_views, views

app_name = "placements"
urlpatterns = [
    path("", views.placement_list, name="list"),
    path("<int:pk>/decision/", views.placement_decide, name="decide"),
    path("<int:pk>/start/", views.placement_start, name="start"),
    path("<int:pk>/complete/", views.placement_complete, name="complete"),
    path("<int:pk>/end/", views.placement_end_early, name="end"),
    path("checks/<int:pk>/", views.sustainment_check, name="check"),
    path(
        "opportunities/<int:opportunity>/people/<int:person>/put-forward/",
        views.put_forward,
        name="put_forward",
    ),
    path("people/<int:pk>/opportunities/", views.participant_matches, name="participant_matches"),
    path("people/<int:pk>/work-profile/", views.work_profile, name="work_profile"),
]

# Pages of the ``employers`` namespace that show opportunities' status, places taken or
# placements (config/urls.py composes them with employers.urls).
employer_patterns = [
    path("<int:pk>/", opportunity_views.employer_detail, name="detail"),
    path("opportunities/", opportunity_views.opportunity_list, name="opportunities"),
    path("opportunities/<int:pk>/", opportunity_views.opportunity_detail, name="opportunity"),
    path(
        "opportunities/<int:pk>/edit/",
        opportunity_views.opportunity_edit,
        name="opportunity_edit",
    ),
    path(
        "opportunities/<int:pk>/matches/",
        opportunity_views.opportunity_matches,
        name="opportunity_matches",
    ),
]
