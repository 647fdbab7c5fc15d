from __future__ import annotations

from typing import Any

from django import forms

from whatworks.forum import attachments
from whatworks.forum.models import Board, ForumGroup, Frequency, GroupMembership, Visibility
from whatworks.forum.services import Upload
from whatworks.initiatives.models import Collaboration, ServiceArea

BODY_HELP = (
    "You can use Markdown: **bold**, *italic*, [a link](https://example.org), lists and "
    "> quotes. Mention someone with @ and their name, hyphens for spaces: @Jo-Bloggs."
)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(AttachmentField, self).clean(f, initial) for f in files]


class PostForm(forms.Form):
    body = forms.CharField(
        label="Your message", widget=forms.Textarea(attrs={"rows": 8}), help_text=BODY_HELP
    )
    attachment = AttachmentField(
        label="Attach files",
        required=False,
        help_text=f"Up to {attachments.MAX_FILES} files: {attachments.ALLOWED_LABEL}, "
        "each up to 5 MB.",
    )

    def uploads(self) -> list[Upload]:
        files = self.cleaned_data.get("attachment") or []
        return [Upload(f.name, f.read()) for f in files]


class ThreadForm(PostForm):
    title = forms.CharField(label="Title", max_length=200)
    links = forms.CharField(
        label="Link records to the thread",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One address a line: an initiative, a trial or an organisation on this "
        "service, for example /initiatives/12/ or /organisations/wealden/.",
    )
    field_order = ["title", "body", "links", "attachment"]


class QuestionForm(forms.Form):
    anchor = forms.ChoiceField(label="Which part of the record is your question about?")
    title = forms.CharField(
        label="Your question in one line",
        max_length=200,
        help_text="For example: How was the baseline measured?",
    )
    body = forms.CharField(
        label="More detail", widget=forms.Textarea(attrs={"rows": 6}), help_text=BODY_HELP
    )

    def __init__(self, *args: Any, anchors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["anchor"].choices = [("", "Choose a part"), *anchors]  # type: ignore[attr-defined]


class EditForm(forms.Form):
    body = forms.CharField(
        label="Your message", widget=forms.Textarea(attrs={"rows": 8}), help_text=BODY_HELP
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class SuspendForm(ReasonForm):
    days = forms.IntegerField(label="Number of days", min_value=1, max_value=365)


class BoardForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150)
    description = forms.CharField(
        label="What the board is for", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label="Kind of board", choices=Board.Kind.choices)
    service_area = forms.ChoiceField(
        label="Service area", required=False, choices=[("", "None"), *ServiceArea.choices]
    )
    collaboration = forms.ChoiceField(
        label="Collaboration type", required=False, choices=[("", "None"), *Collaboration.choices]
    )
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=[(Visibility.PUBLIC, "Everyone"), (Visibility.PEERS, "Peers (signed-in members)")],
        widget=forms.RadioSelect,
    )


class GroupBoardForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150)
    description = forms.CharField(
        label="What the board is for", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GroupForm(forms.Form):
    name = forms.CharField(label="Name of the group", max_length=150)
    description = forms.CharField(
        label="What the group is for", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    joining = forms.ChoiceField(
        label="How people join", choices=ForumGroup.Joining.choices, widget=forms.RadioSelect
    )
    listed = forms.BooleanField(
        label="List the group's name so that people can ask to join", required=False
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address of the person to invite")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=GroupMembership.Role.choices)


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label="How often should we email you?", choices=Frequency.choices, widget=forms.RadioSelect
    )


class ChampionForm(forms.Form):
    person: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Person",
        queryset=None,
        empty_label="Choose a person",
    )
    service_areas = forms.MultipleChoiceField(
        label="Service areas they cover",
        choices=ServiceArea.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="What they can help with", required=False, max_length=300)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class ChampionFilterForm(forms.Form):
    service_area = forms.ChoiceField(
        label="Service area", required=False, choices=[("", "Any"), *ServiceArea.choices]
    )
    council_type = forms.ChoiceField(label="Council type", required=False)
    region = forms.ChoiceField(label="Region", required=False)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[str, str]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["council_type"].choices = [("", "Any"), *choices["council_types"]]  # type: ignore[attr-defined]
        self.fields["region"].choices = [("", "Any"), *choices["regions"]]  # type: ignore[attr-defined]


class SearchForm(forms.Form):
    q = forms.CharField(label="Search the forum", max_length=200, required=False)

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "").strip()
