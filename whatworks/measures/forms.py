from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from whatworks.measures.importing import MAX_UPLOAD_BYTES, file_too_big_message
from whatworks.measures.models import METRIC_FIELDS, DuplicatePolicy, Metric, MetricKind
from whatworks.organisations.models import Organisation


class MetricForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = METRIC_FIELDS
        widgets = {
            "kind": forms.RadioSelect,
            "direction": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "definition": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "name": "Name",
            "kind": "What kind of measure is it?",
            "direction": "Which way is better?",
            "rate_per": "Rate per (counts and rates only)",
            "visibility": "Who can see this metric and its figures?",
        }
        help_texts = {
            "name": "Short and specific, such as 'Days from arrears letter to first contact'.",
            "visibility": "Figures other organisations record for it are shown to the same people.",
        }
        error_messages = {
            "name": {"required": "Enter a name for the metric"},
            "kind": {"required": "Select what kind of measure it is"},
            "unit": {"required": "Enter the unit, such as days or visits"},
            "direction": {"required": "Select which way is better"},
            "definition": {"required": "Enter a definition: exactly what is counted"},
            "rate_per": {
                "required": "Enter the amount of exposure the rate is per, such as 1000",
                "invalid": "Enter a whole number, such as 1000",
                "min_value": "Enter 1 or more",
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rate_per = self.fields["rate_per"]
        assert isinstance(rate_per, forms.IntegerField)
        rate_per.widget.attrs.update({"inputmode": "numeric"})
        rate_per.min_value = 1


class MetricChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # The number is what a file's metric column names.
        return f"{obj.pk}: {obj.name} ({obj.organisation.name})"


class UploadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Whose figures are these?",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": "Select the organisation the figures belong to"},
    )
    metric = MetricChoiceField(
        label="Metric",
        queryset=Metric.objects.none(),
        required=False,
        help_text="Leave this empty if your file has a column named metric with each row's "
        "metric number.",
    )
    file = forms.FileField(
        label="Upload a file",
        help_text=f"CSV or Excel (XLSX), smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        error_messages={
            "required": "Select a CSV or XLSX file",
            "empty": "The selected file is empty",
            "invalid": "Select a CSV or XLSX file",
        },
    )
    on_duplicate = forms.ChoiceField(
        label="If the file has a period that already has a figure",
        choices=DuplicatePolicy.choices,
        initial=DuplicatePolicy.REFUSE,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        metrics: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        metric = self.fields["metric"]
        assert isinstance(organisation, forms.ModelChoiceField)
        assert isinstance(metric, forms.ModelChoiceField)
        organisation.queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        ).order_by("name")
        metric.queryset = metrics
        if len(organisations) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        # Refuse before reading it: the size is known from the request.
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(file_too_big_message())
        return upload


class DuplicatePolicyForm(forms.Form):
    on_duplicate = forms.ChoiceField(
        label="If the file has a period that already has a figure",
        choices=DuplicatePolicy.choices,
        widget=forms.RadioSelect,
    )


class MetricFilterForm(forms.Form):
    q = forms.CharField(label="Name or definition contains", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *[(k.value, k.short) for k in MetricKind]],
    )
