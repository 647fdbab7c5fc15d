from django.contrib import admin

from whatworks.measures.models import Metric, Observation


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "unit", "visibility"]
    list_filter = ["kind", "visibility"]
    search_fields = ["name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation", "created_by"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["metric", "organisation", "period_start", "value"]
    list_select_related = ["metric", "organisation"]
    raw_id_fields = ["metric", "organisation", "recorded_by"]
