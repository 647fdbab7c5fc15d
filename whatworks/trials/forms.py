from __future__ import annotations

from typing import Any

from django import forms

from whatworks.core import tabular
from whatworks.initiatives.models import Goal, Initiative
from whatworks.trials.models import TRIAL_FIELDS, Design, OutcomeKind, Sided, Trial

DATE = forms.DateInput(attrs={"type": "date"})
MAX_ARMS = 8


def parse_arms(text: str) -> list[tuple[str, int]]:
    """'Old letter' / 'New letter: 2' lines into (name, ratio); raises ValidationError."""
    arms = []
    for number, line in enumerate((t.strip() for t in text.splitlines()), start=1):
        if not line:
            continue
        name, _, share = line.rpartition(":") if ":" in line else (line, "", "1")
        name, share = name.strip(), share.strip() or "1"
        if not share.isdigit() or int(share) < 1:
            raise forms.ValidationError(
                f"Line {number}: after the colon give the arm's share as a whole number, "
                "e.g. 'New letter: 2'."
            )
        if len(name) > 60:
            raise forms.ValidationError(f"Line {number}: an arm's name can be 60 characters.")
        arms.append((name, int(share)))
    if len(arms) < 2:
        raise forms.ValidationError("Enter at least two arms, one a line: the control arm first.")
    if len(arms) > MAX_ARMS:
        raise forms.ValidationError(f"A trial can have at most {MAX_ARMS} arms.")
    if len({n for n, _ in arms}) != len(arms):
        raise forms.ValidationError("Each arm needs a different name.")
    return arms


def arms_text(trial: Trial) -> str:
    return "\n".join(a.name if a.ratio == 1 else f"{a.name}: {a.ratio}" for a in trial.arms.all())


class TrialForm(forms.ModelForm):
    arms = forms.CharField(
        label="Arms, one a line, the control arm first",
        help_text="For example 'Old letter' then 'New letter'. To give an arm a bigger share, "
        "add a colon and a number: 'New letter: 2' gets twice as many units.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # The goal and arms are asked with the design; the rest follow in TRIAL_FIELDS's order.
    field_order = ["title", "goal", "design", "outcome_kind", "arms"]

    class Meta:
        model = Trial
        fields = ["goal", *TRIAL_FIELDS]
        widgets = {
            "design": forms.RadioSelect,
            "outcome_kind": forms.RadioSelect,
            "sided": forms.RadioSelect,
            "analysis_date": DATE,
        }
        labels = {
            "title": "Name of the trial",
            "goal": "Which goal does the trial measure?",
            "design": "Design",
            "outcome_kind": "What kind of outcome is measured for each unit?",
            "stratified": "Allocate within strata (a stratum column in the unit list)",
            "cluster_column": "Cluster column (cluster designs only)",
            "alpha": "Significance level",
            "sided": "Test",
        }

    def __init__(
        self, *args: Any, initiative: Initiative, locked: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        goal = self.fields["goal"]
        assert isinstance(goal, forms.ModelChoiceField)
        goal.queryset = Goal.objects.filter(initiative=initiative)
        goal.empty_label = None
        # Radios without the blank "---------" option.
        choices = {
            "design": Design.choices,
            "outcome_kind": OutcomeKind.choices,
            "sided": Sided.choices,
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options
        if self.instance.pk:
            self.fields["arms"].initial = arms_text(self.instance)
        for name in locked:
            if name in self.fields:
                self.fields[name].disabled = True

    def clean_arms(self) -> list[tuple[str, int]]:
        return parse_arms(self.cleaned_data["arms"])

    def clean_alpha(self) -> float:
        alpha = self.cleaned_data["alpha"]
        if alpha is None or not 0 < alpha < 0.5:
            raise forms.ValidationError("Enter a significance level between 0 and 0.5, e.g. 0.05.")
        return float(alpha)

    def trial_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("arms", None)
        data.pop("goal", None)
        return {k: v for k, v in data.items() if k not in self.disabled_names()}

    def disabled_names(self) -> set[str]:
        return {name for name, field in self.fields.items() if field.disabled}


class PowerForm(forms.Form):
    n_total = forms.IntegerField(
        label="How many units in all?",
        min_value=4,
        max_value=100_000_000,
        help_text="For a cluster design, the number of clusters (for example streets).",
    )
    cluster_size = forms.FloatField(
        label="Average units in a cluster",
        required=False,
        min_value=1,
        help_text="Cluster designs only.",
    )
    icc = forms.FloatField(
        label="Intra-cluster correlation (ICC)",
        required=False,
        min_value=0,
        max_value=1,
        help_text="How alike units in one cluster are: 0.01 to 0.1 is common. "
        "Cluster designs only.",
    )
    cluster_cv = forms.FloatField(
        label="How much cluster sizes vary (coefficient of variation, optional)",
        required=False,
        min_value=0,
        max_value=5,
        help_text="The standard deviation of the cluster sizes divided by their average: 0 when "
        "every cluster is the same size, 0.5 to 1 for streets or wards. Unequal clusters give "
        "less precision. Cluster designs only.",
    )
    control_rate = forms.FloatField(
        label="Expected rate in the control arm (%)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Yes/no outcomes: for example 30 if 3 in 10 usually do it.",
    )
    sd = forms.FloatField(
        label="Standard deviation of the outcome",
        required=False,
        min_value=0,
        help_text="Number outcomes: how much it varies between units, from past data.",
    )
    rate_control = forms.FloatField(
        label="Expected rate in the control arm",
        required=False,
        min_value=0,
        help_text="Counts: events per unit of exposure, for example 0.5 missed payments a month.",
    )
    exposure = forms.FloatField(
        label="Average exposure of one unit",
        required=False,
        min_value=0,
        help_text="Counts: in the same unit as the rate, for example 6 (months). "
        "Leave empty if the rate is per unit over the whole trial.",
    )
    event_share = forms.FloatField(
        label="Share expected to have the event by the analysis date (%)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="Time to an event: for example 70 if 7 in 10 usually do it by then.",
    )
    expected = forms.FloatField(
        label="The change you hope for (optional)",
        required=False,
        help_text="Yes/no outcomes: the hoped-for rate in %. Numbers: the hoped-for difference. "
        "Counts: the hoped-for rate. Time to an event: the hoped-for hazard ratio.",
    )
    power = forms.IntegerField(
        label="How often should the trial detect it (%)",
        initial=80,
        min_value=50,
        max_value=99,
    )

    def __init__(self, *args: Any, trial: Trial, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trial = trial
        if trial.design != Design.CLUSTER:
            del self.fields["cluster_size"], self.fields["icc"], self.fields["cluster_cv"]
        kind = trial.outcome_kind
        keep = {
            "proportion": {"control_rate"},
            "mean": {"sd"},
            "rate": {"rate_control", "exposure"},
            "time_to_event": {"event_share"},
        }.get(kind, set())
        for name in ("control_rate", "sd", "rate_control", "exposure", "event_share"):
            if name not in keep:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.trial.design == Design.CLUSTER:
            for name in ("cluster_size", "icc"):
                if name in self.fields and data.get(name) is None and name not in self.errors:
                    self.add_error(name, f"Enter the {str(self.fields[name].label).lower()}.")
        rate = data.get("control_rate")
        if (
            "control_rate" in self.fields
            and rate in (None, 0, 100)
            and "control_rate" not in self.errors
        ):
            self.add_error("control_rate", "Enter a rate between 0% and 100%.")
        if "sd" in self.fields and not data.get("sd") and "sd" not in self.errors:
            self.add_error("sd", "Enter the standard deviation (above zero).")
        if (
            "rate_control" in self.fields
            and not data.get("rate_control")
            and "rate_control" not in self.errors
        ):
            self.add_error("rate_control", "Enter the rate in the control arm (above zero).")
        if (
            "event_share" in self.fields
            and not data.get("event_share")
            and "event_share" not in self.errors
        ):
            self.add_error("event_share", "Enter a share above 0% and at most 100%.")
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text=f"CSV or XLSX, up to {tabular.MAX_BYTES // (1024 * 1024)} MB.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Refused before it is read: the size is known from the request.
        if upload.size > tabular.MAX_BYTES:
            raise forms.ValidationError(
                f"The file must be smaller than {tabular.MAX_BYTES // (1024 * 1024)} MB."
            )
        return upload


class SeriesForm(UploadForm):
    start = forms.DateField(
        label="First period with the initiative in place",
        help_text="Periods on or after this date count as after. For example, 2017-04-01.",
    )


class AllocateForm(forms.Form):
    seed = forms.IntegerField(
        label="Seed (optional)",
        required=False,
        min_value=0,
        max_value=2**62,
        help_text="Leave empty for a fresh random seed. It is stored, so the allocation can "
        "be reproduced.",
    )


class StopForm(forms.Form):
    reason = forms.CharField(
        label="Why is the trial stopping?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Readers will see this.",
    )
