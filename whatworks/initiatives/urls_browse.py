"""Finding and comparing records. Included at the site root, before `initiatives/<int:pk>/`
patterns or after: none of these paths is a number, so the order does not matter.
"""

from django.urls import path

from whatworks.initiatives import views_browse

urlpatterns = [
    path("initiatives/", views_browse.initiative_list, name="initiative-list"),
    path("initiatives/what-worked/", views_browse.what_worked, name="initiative-what-worked"),
    path(
        "initiatives/what-did-not-work/",
        views_browse.what_did_not_work,
        name="initiative-what-did-not-work",
    ),
    path("initiatives/compare/", views_browse.initiative_compare, name="initiative-compare"),
    path("initiatives/export.<str:fmt>", views_browse.initiative_export, name="initiative-export"),
    path(
        "open-data/initiatives.<str:fmt>",
        views_browse.open_data_initiatives,
        name="open-data-initiatives",
    ),
]
