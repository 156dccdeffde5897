from __future__ import annotations

from django.urls import path

from pathways.contacts import views

app_name = "contacts"
urlpatterns = [
    path("referrals/<int:pk>/contacts/", views.contact_list, name="list"),
    path("referrals/<int:pk>/contacts/book/", views.contact_book, name="book"),
    path("referrals/<int:pk>/contacts/record/", views.contact_record, name="record"),
    path(
        "referrals/<int:pk>/contacts/<int:contact_pk>/feedback/",
        views.contact_feedback,
        name="feedback",
    ),
    path(
        "referrals/<int:pk>/contacts/<int:contact_pk>/reschedule/",
        views.contact_reschedule,
        name="reschedule",
    ),
    path("referrals/<int:pk>/onward/new/", views.onward_add, name="onward_add"),
    path("service/contact-tapering/", views.tapering, name="tapering"),
    path(
        "referrals/<int:pk>/onward/<int:onward_pk>/outcome/",
        views.onward_outcome,
        name="onward_outcome",
    ),
]
