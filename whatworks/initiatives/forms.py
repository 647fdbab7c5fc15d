from __future__ import annotations

from typing import Any, cast

from django import forms

from whatworks.core.visibility import Visibility
from whatworks.initiatives.models import (
    GOAL_FIELDS,
    GOAL_LABELS,
    INITIATIVE_FIELDS,
    NEXT_STATUSES,
    NOT_STARTED,
    Collaboration,
    Decision,
    EvaluationDesign,
    FailureCause,
    Goal,
    Initiative,
    LedgerLine,
    Mechanism,
    Status,
)
from whatworks.measures.models import Metric
from whatworks.organisations.models import Organisation
from whatworks.ui.dates import DateInputField

MONEY_HINT = "In pounds, for example 12500"


class InitiativeForm(forms.ModelForm):
    collaborations = forms.MultipleChoiceField(
        label="Who does it collaborate with?",
        choices=Collaboration.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one kind of collaboration"},
    )
    mechanisms = forms.MultipleChoiceField(
        label="What does it rely on to change behaviour?",
        help_text="EAST: easy, attractive, social, timely. MINDSPACE: messenger, incentives, "
        "norms, defaults, salience, priming, affect, commitments, ego. Select all that apply.",
        choices=Mechanism.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Initiative
        fields = INITIATIVE_FIELDS
        # The GOV.UK date input (three boxes), not the browser's date picker.
        field_classes = {
            name: DateInputField
            for name in ("planned_start", "planned_end", "actual_start", "actual_end")
        } | {"embargo_until": DateInputField}
        widgets = {
            "visibility": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "who_it_reached": "Who it reached",
            "people_reached": "How many people it reached",
            "visibility": "Who can see this record?",
            "pseudonymous": "Show our organisation to others only as its type and region",
            "embargo_until": "Keep it to our organisation until (optional)",
        }
        help_texts = {
            "summary": "One or two sentences a peer can read in a list.",
            "embargo_until": "Up to 12 months from today. "
            "Until then only your organisation sees it.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None or self.instance.status in NOT_STARTED:
            # Nothing has started yet: there is no actual start or end to ask about.
            del self.fields["actual_start"], self.fields["actual_end"]
        cast(Any, self.fields["visibility"]).choices = Visibility.choices
        cast(Any, self.fields["service_area"]).choices = [("", "Choose a service area")] + list(
            cast(Any, self.fields["service_area"]).choices
        )[1:]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in [("planned_start", "planned_end"), ("actual_start", "actual_end")]:
            if data.get(start) and data.get(end) and data[end] < data[start]:
                self.add_error(end, "The end date must be the same as or after the start date.")
        return data


class GoalForm(forms.ModelForm):
    reason = forms.CharField(
        label="Why is the goal changing?",
        help_text="The goal is locked (its initiative started, or a trial's analysis plan fixed "
        "it). Readers see both versions and this reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    class Meta:
        model = Goal
        fields = [*GOAL_FIELDS, "is_primary"]
        field_classes = {"judge_by": DateInputField}
        widgets = {
            "direction": forms.RadioSelect,
            "baseline_rule": forms.RadioSelect,
            "measured_design": forms.RadioSelect,
            "definition": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {**GOAL_LABELS, "is_primary": "This is the primary goal"}
        help_texts = {
            "metric": "A metric defined in Measures, so its figures and this goal line up.",
            "baseline_period": "For example: April 2016 to March 2017.",
            "success_threshold": "The result must reach this value, in the better direction, "
            "for the goal to be met.",
            "baseline_rule": "With a metric, the baseline can be taken from its figures before "
            "the start; it is read again on the day the initiative starts, then locked.",
            "baseline_periods": "For the mean of the last periods: how many, such as 12.",
            "baseline_value": "The value before the initiative starts. Needed before it starts. "
            "Left as it is when the baseline is taken from the metric.",
            "measured_design": "With a metric and a judge-by date, the result is computed from "
            "its figures on that date, for you to confirm.",
            "comparison_metric": "Figures to compare with, such as the same indicator for rounds "
            "not in the scheme. Leave empty to compare with the same metric.",
            "comparison_organisation": "Whose figures of the comparison metric, such as a "
            "comparable council. Leave empty for your own.",
        }

    def __init__(
        self, *args: Any, locked: bool = False, metrics: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.locked = locked
        cast(Any, self.fields["metric"]).queryset = (
            metrics if metrics is not None else (Metric.objects.none())
        )
        cast(Any, self.fields["comparison_metric"]).queryset = (
            metrics if metrics is not None else (Metric.objects.none())
        )
        cast(Any, self.fields["direction"]).choices = cast(Any, self.fields["direction"]).choices[
            1:
        ]
        for name in ("baseline_rule", "measured_design"):  # their own "" choice says what it means
            field = cast(Any, self.fields[name])
            field.choices = [c for c in field.choices if c[1] != "---------"]
        if locked:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = "Say why the goal is changing"
            del self.fields["is_primary"]
        else:
            del self.fields["reason"]

    def goal_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in {"reason", "is_primary"}}


class ResultForm(forms.Form):
    value = forms.FloatField(label="Result", help_text="In the goal's unit.")
    ci_low = forms.FloatField(label="Lower end of the 95% interval (optional)", required=False)
    ci_high = forms.FloatField(label="Upper end of the 95% interval (optional)", required=False)
    design = forms.ChoiceField(
        label="How was it measured?",
        choices=EvaluationDesign.choices,
        widget=forms.RadioSelect,
        help_text="This sets the evidence level on the Maryland Scientific Methods Scale (1 to 5).",
    )
    sample_size = forms.IntegerField(label="Sample size (optional)", min_value=1, required=False)
    source = forms.CharField(label="Source (optional)", max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high, value = data.get("ci_low"), data.get("ci_high"), data.get("value")
        if (low is None) != (high is None):
            self.add_error(
                "ci_high" if high is None else "ci_low",
                "Give both ends of the interval, or neither.",
            )
        elif (
            low is not None and high is not None and value is not None and not low <= value <= high
        ):
            self.add_error("ci_low", "The interval must contain the result.")
        return data


class PrimaryResultForm(forms.Form):
    reason = forms.CharField(
        label="Why should this result be the primary one?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Readers see this beside the result, and the change stays in the goal's history.",
    )
    confirm = forms.BooleanField(
        label="I understand that this result replaces the current primary result, whose verdict "
        "stays in the history",
        required=False,
    )


class ConfirmDraftForm(forms.Form):
    note = forms.CharField(
        label="Your note on the result",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Explain the result for readers: what happened during the pilot, anything "
        "that affects the figures. The computed figures themselves cannot be changed.",
        error_messages={"required": "Enter a note explaining the result"},
    )
    publish = forms.BooleanField(
        label="Publish the initiative's result now",
        required=False,
        help_text="Only for the primary goal. Results that did not meet their goal, or could "
        "not tell, are published like any other.",
    )


class LedgerLineForm(forms.ModelForm):
    class Meta:
        model = LedgerLine
        fields = [
            "kind",
            "timing",
            "basis",
            "description",
            "amount",
            "beneficiary",
            "cashable",
            "is_net",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "timing": forms.RadioSelect,
            "basis": forms.RadioSelect,
        }
        labels = {
            "kind": "Is this a cost or a saving?",
            "timing": "When?",
            "basis": "Is it estimated or realised?",
            "amount": "Amount (£)",
            "beneficiary": "For a saving: whose budget does it fall in?",
            "cashable": "For a saving: it is cashable (money that can be taken out of a budget)",
            "is_net": "For a saving: it is already net of its costs",
        }
        help_texts = {"amount": MONEY_HINT, "basis": "Realised means booked in the accounts."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("kind", "timing", "basis"):
            field = cast(Any, self.fields[name])
            field.choices = field.choices[1:]  # radios: no blank "---------" choice


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Partner organisation", queryset=Organisation.objects.none()
    )
    part = forms.CharField(label="Their part", max_length=300)

    def __init__(self, *args: Any, owner: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["organisation"]).queryset = Organisation.objects.active().exclude(
            pk=owner.pk
        )


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label="New status", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Kept in the record's history. Needed to withdraw a record.",
    )

    def __init__(self, *args: Any, current: str, can_withdraw: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = list(NEXT_STATUSES[current])
        if can_withdraw and current != Status.WITHDRAWN:
            options.append(Status.WITHDRAWN)
        cast(Any, self.fields["to_status"]).choices = [(s, Status(s).label) for s in options]


class LessonsForm(forms.ModelForm):
    class Meta:
        model = Initiative
        fields = ["failure_cause", "lessons", "do_differently"]
        widgets = {"failure_cause": forms.RadioSelect}
        labels = {
            "failure_cause": "Why didn't it work (or why couldn't you tell)?",
            "lessons": "Lessons",
            "do_differently": "What would you do differently?",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["failure_cause"]).choices = FailureCause.choices
        self.fields["failure_cause"].required = True
        self.fields["lessons"].required = True


YES_NO = [("yes", "Yes"), ("no", "No")]


class SustainabilityForm(forms.Form):
    still_running = forms.ChoiceField(
        label="Is it still running?", choices=YES_NO, widget=forms.RadioSelect
    )
    savings_persist = forms.ChoiceField(
        label="Are the savings still there?", choices=YES_NO, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Anything to add (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DecisionForm(forms.ModelForm):
    informed_by = forms.ModelMultipleChoiceField(
        label="Which records informed it?",
        queryset=Initiative.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Decision
        fields = ["subject", "choice", "reason"]
        widgets = {"choice": forms.RadioSelect, "reason": forms.Textarea(attrs={"rows": 4})}
        labels = {"choice": "What did you decide?", "reason": "Why?"}

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["choice"]).choices = Decision.Choice.choices
        cast(Any, self.fields["informed_by"]).queryset = candidates
