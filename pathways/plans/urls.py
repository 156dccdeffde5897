from __future__ import annotations

from django.urls import path

from pathways.plans import views

app_name = "plans"
urlpatterns = [
    path("referrals/<int:pk>/plan/", views.plan, name="plan"),
    path("referrals/<int:pk>/plan/goals/new/", views.goal_add, name="goal_add"),
    path("referrals/<int:pk>/plan/goals/<int:goal_pk>/close/", views.goal_close, name="goal_close"),
    path("referrals/<int:pk>/plan/goals/<int:goal_pk>/steps/new/", views.step_add, name="step_add"),
    path("referrals/<int:pk>/plan/steps/<int:step_pk>/", views.step_update, name="step_update"),
    path("referrals/<int:pk>/plan/steps/<int:step_pk>/move/", views.step_move, name="step_move"),
    path("referrals/<int:pk>/plan/review/", views.review_add, name="review_add"),
    path("referrals/<int:pk>/progress/", views.progress, name="progress"),
    path("referrals/<int:pk>/progress/new/", views.reading_add, name="reading_add"),
    path("service/distance-travelled/", views.figures, name="figures"),
]
