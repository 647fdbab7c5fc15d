from __future__ import annotations

from typing import Any, cast

from django import forms

from whatworks.ideas.models import Campaign, Idea, IdeaStatus, PanelRole
from whatworks.initiatives.models import ServiceArea
from whatworks.measures.importing import MAX_UPLOAD_BYTES, file_too_big_message
from whatworks.measures.models import DuplicatePolicy
from whatworks.organisations.names import clean_display_name
from whatworks.ui.dates import DateInputField

SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title",
            "brief",
            "problem_areas",
            "opens_on",
            "closes_on",
            "vote_mode",
            "dot_budget",
            "hide_results",
            "staff_count",
            "initiative",
        ]
        widgets = {
            "brief": forms.Textarea(attrs={"rows": 5}),
            "problem_areas": forms.Textarea(attrs={"rows": 4}),
            "vote_mode": forms.RadioSelect,
        }
        labels = {
            "title": "Title",
            "brief": "Brief",
            "problem_areas": "Problem areas",
            "opens_on": "Opening date",
            "closes_on": "Closing date",
            "vote_mode": "How do people vote?",
            "dot_budget": "Dots each person may place (dot voting only)",
            "staff_count": "How many staff are invited (optional)",
            "initiative": "Initiative in the register that evaluates the campaign (optional)",
        }
        # The GOV.UK date input (three boxes), not the browser's date picker.
        field_classes = {"opens_on": DateInputField, "closes_on": DateInputField}
        help_texts = {
            "opens_on": "For example, 27 3 2027",
            "initiative": "Its goals are measured from the campaign's own figures: ideas "
            "submitted, the share of staff taking part, ideas piloted and savings.",
            "hide_results": "People see how many votes each idea has only once the review "
            "starts, so early leaders do not sway the rest.",
        }
        error_messages = {
            "title": {"required": "Enter a title for the campaign"},
            "brief": {"required": "Enter the brief: what the campaign is for"},
            "vote_mode": {"required": "Choose how people vote"},
            "dot_budget": {"required": "Enter the number of dots, such as 5"},
        }

    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from whatworks.initiatives.models import Initiative

        owner = organisation.pk if organisation is not None else self.instance.organisation_id
        field = cast(Any, self.fields["initiative"])
        field.queryset = Initiative.objects.filter(organisation_id=owner).order_by("title")
        field.empty_label = "None chosen"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date")
        return data


class IdeaForm(forms.ModelForm):
    anonymous = forms.BooleanField(
        label="Put this forward anonymously",
        required=False,
        help_text="Nobody, including managers and the people who run the service, will be "
        "able to see that it was you.",
    )

    class Meta:
        model = Idea
        fields = [
            "title",
            "process",
            "problem",
            "proposal",
            "benefit_time",
            "benefit_money",
            "benefit_quality",
            "cost",
            "tags",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "proposal": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {
            "title": "Your idea in a few words",
            "process": "Which process or task would it change?",
            "problem": "What is the problem now?",
            "proposal": "What do you propose?",
            "benefit_time": "Time it would save (optional)",
            "benefit_money": "Money it would save (optional)",
            "benefit_quality": "How it would make the service better (optional)",
            "cost": "What it would cost (optional)",
            "tags": "Tags (optional)",
        }
        error_messages = {
            "title": {"required": "Enter your idea in a few words"},
            "process": {"required": "Enter the process or task it would change"},
            "problem": {"required": "Enter the problem it solves"},
            "proposal": {"required": "Enter what you propose"},
        }

    def __init__(self, *args: Any, allow_anonymous: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_anonymous:
            del self.fields["anonymous"]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter your comment"},
    )
    anonymous = forms.BooleanField(label="Comment anonymously", required=False)

    def __init__(self, *args: Any, allow_anonymous: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_anonymous:
            del self.fields["anonymous"]


class VoteForm(forms.Form):
    dots = forms.IntegerField(
        label="Dots to place",
        min_value=1,
        max_value=100,
        initial=1,
        error_messages={"required": "Enter how many dots to place", "invalid": "Enter a number"},
    )


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Join code",
        max_length=20,
        help_text="It is on the poster or card, such as ABCDE-23456.",
        error_messages={"required": "Enter the join code from the poster or card"},
    )
    name = forms.CharField(
        label="Your name (optional)",
        max_length=100,
        required=False,
        help_text="Leave it blank to take part anonymously.",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        # The same rules as an account's name: it must not pass for someone else's.
        return clean_display_name(name) if name.strip() else ""


class JoinCodeForm(forms.Form):
    kind = forms.ChoiceField(
        label="Who is the code for?",
        choices=[
            ("personal", "One person each: personal codes, which can vote"),
            ("poster", "Anyone who reads a poster: ideas and comments only, no votes"),
        ],
        initial="personal",
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the code is for"},
    )
    count = forms.IntegerField(
        label="How many personal codes?",
        min_value=1,
        max_value=200,
        initial=1,
        required=False,
        help_text="For personal codes only: one for each person. Hand them out from a shuffled "
        "pile, never against a list of names, so nobody knows whose code is whose.",
        error_messages={
            "invalid": "Enter how many personal codes as a whole number, like 30",
            "min_value": "Enter a number from 1 to 200",
            "max_value": "Enter a number from 1 to 200",
        },
    )
    label = forms.CharField(
        label="Where will you put it?",
        max_length=100,
        required=False,
        help_text="Such as 'Depot notice board': so you know which code to withdraw.",
    )

    def clean_count(self) -> int:
        return self.cleaned_data.get("count") or 1


class PanelForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="They need an account on this service. They will see this campaign only.",
        error_messages={
            "required": "Enter the email address of the panel member",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=PanelRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose their role on the panel"},
    )


class PackForm(forms.Form):
    metric: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Metric",
        queryset=None,
        empty_label="Choose a metric",
        error_messages={"required": "Choose a metric to add"},
    )
    note = forms.CharField(label="Why it matters here (optional)", max_length=300, required=False)

    def __init__(self, *args: Any, metrics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["metric"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = metrics


class PackUploadForm(forms.Form):
    metric: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Which metric are the figures for?",
        queryset=None,
        empty_label="Choose a metric",
        error_messages={"required": "Choose the metric the figures are for"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="CSV or Excel (.xlsx), with columns period_start, label and value: "
        "such as monthly spending over the year.",
        error_messages={"required": "Choose a CSV or Excel file", "empty": "The file is empty"},
    )

    def __init__(self, *args: Any, metrics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["metric"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = metrics

    on_duplicate = forms.ChoiceField(
        label="If the file has figures for a period already there",
        choices=DuplicatePolicy.choices,
        initial=DuplicatePolicy.REFUSE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to do with periods already there"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(file_too_big_message())
        return upload


class ScoreForm(forms.Form):
    impact = forms.TypedChoiceField(
        label="Impact (5 is the most)", choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    effort = forms.TypedChoiceField(
        label="Effort (5 is the most work)",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    cost = forms.TypedChoiceField(
        label="Cost (5 is the dearest)", choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    risk = forms.TypedChoiceField(
        label="Risk (5 is the riskiest)",
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Private note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only the panel and the organisers see notes.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("impact", "effort", "cost", "risk"):
            self.fields[name].error_messages["required"] = f"Choose a score for {name}"


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[
            (IdeaStatus.ADOPTED, "Adopt it: register it as an initiative to pilot"),
            (IdeaStatus.NOT_ADOPTED, "Do not take it forward"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the idea is taken forward"},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Published to all staff on 'You said, we did'.",
        error_messages={"required": "Give the reason for the decision: everyone will see it"},
    )
    service_area = forms.ChoiceField(
        label="Service area of the initiative (when adopted)",
        choices=[("", "Choose a service area"), *ServiceArea.choices],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == IdeaStatus.ADOPTED and not data.get("service_area"):
            self.add_error("service_area", "Choose the service area for the initiative")
        return data


class MergeForm(forms.Form):
    into: forms.ModelChoiceField = forms.ModelChoiceField(
        label="It is the same idea as",
        queryset=None,
        empty_label="Choose the idea to keep",
        error_messages={"required": "Choose the idea to keep"},
    )
    reason = forms.CharField(
        label="Why they are the same",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why these are the same idea"},
    )

    def __init__(self, *args: Any, ideas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ideas
