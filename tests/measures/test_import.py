"""Uploading figures: preview, every per-row error named, then an all-or-nothing commit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.measures.conftest import csv_file, make_metric, xlsx_bytes
from whatworks.core.models import AuditEvent
from whatworks.measures import importing, services
from whatworks.measures.models import Observation, StagedImport
from whatworks.measures.tasks import purge_staged_imports

GOOD_CSV = """period_start,period_end,label,value
2017-01-01,2017-03-31,2016/17 Q4,46
01/04/2017,30/06/2017,2017/18 Q1,39.5
2017-07-01,2017-09-30,2017/18 Q2,21
"""


def _preview(response, client):
    """Follow an upload to its preview page; return (staged upload, page)."""
    assert response.status_code == 302, response.content.decode()[:2000]
    staged = StagedImport.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    return staged, page


def _confirm(client, staged):
    return client.post(f"/measures/upload/{staged.pk}/confirm/")


def test_it_imports_a_csv_after_a_preview(world, metric, upload, client) -> None:
    staged, page = _preview(upload(csv_file(GOOD_CSV), metric), client)
    text = page.content.decode()
    assert "The file has 3 rows" in text
    assert "3 figures will be added" in text
    assert "2017/18 Q1" in text
    assert Observation.objects.count() == 0  # nothing before confirmation

    response = _confirm(client, staged)
    assert response.status_code == 302
    assert response["Location"] == f"/measures/{metric.pk}/"
    rows = list(Observation.objects.order_by("period_start"))
    assert [(o.period_start, o.period_end, o.label, o.value) for o in rows] == [
        (date(2017, 1, 1), date(2017, 3, 31), "2016/17 Q4", 46.0),
        (date(2017, 4, 1), date(2017, 6, 30), "2017/18 Q1", 39.5),
        (date(2017, 7, 1), date(2017, 9, 30), "2017/18 Q2", 21.0),
    ]
    assert all(o.organisation == world.org_a and o.recorded_by == world["analyst"] for o in rows)
    assert not StagedImport.objects.exists()
    event = AuditEvent.objects.get(action="observations.imported")
    assert event.detail["rows"] == 3 and event.actor == world["analyst"]
    assert "3 figures imported" in client.get(response["Location"]).content.decode()


def test_it_imports_an_xlsx_with_real_dates_and_percentages(world, proportion, upload, client):
    content = xlsx_bytes(
        [
            ["Period start", "Value", "Numerator", "Denominator"],
            [date(2017, 1, 1), "42%", None, None],
            [date(2017, 2, 1), None, 30, 120],
            [date(2017, 3, 1), 0.5, 50, 100],
        ]
    )
    file = SimpleUploadedFile("figures.xlsx", content)
    staged, page = _preview(upload(file, proportion), client)
    assert "42.0%" in page.content.decode()
    assert _confirm(client, staged).status_code == 302
    values = list(Observation.objects.order_by("period_start").values_list("value", flat=True))
    assert values == pytest.approx([0.42, 0.25, 0.5])


def _errors_for(text: str, metric, upload, client, name: str = "figures.csv") -> list[str]:
    """Upload, expect a preview with row errors, and check that confirming writes nothing."""
    staged, page = _preview(upload(csv_file(text, name), metric), client)
    check = services.import_check(staged)
    assert not check.ok
    response = _confirm(client, staged)
    assert response.status_code == 302 and response["Location"] == staged.get_absolute_url()
    assert Observation.objects.count() == 0
    html = page.content.decode()
    for error in check.errors:
        assert str(error).replace("'", "&#x27;") in html
    return [str(e) for e in check.errors]


@pytest.mark.parametrize(
    ("bad_date", "message"),
    [
        ("31/02/2017", "31/02/2017 is not a real date"),
        ("2017-13-01", "2017-13-01 is not a real date"),
        ("02/31/2017", "02/31/2017 is not a real date"),  # US order is refused, not guessed
        ("1 Jan 2017", "enter a date in the format 2017-01-31 or 31/01/2017"),
    ],
)
def test_it_names_the_row_and_column_of_a_bad_date(metric, upload, client, bad_date, message):
    text = f"period_start,value\n2017-01-01,40\n2017-02-01,41\n{bad_date},42\n"
    assert _errors_for(text, metric, upload, client) == [f"Row 4, column 'period_start': {message}"]


def test_it_lists_every_error_not_just_the_first(metric, upload, client) -> None:
    text = (
        "period_start,period_end,value\n"
        "2017-01-01,,forty\n"
        "2017-02-01,2017-01-01,41\n"
        ",,42\n"
        "2017-04-01,,1e999\n"
    )
    assert _errors_for(text, metric, upload, client) == [
        "Row 2, column 'value': enter a number",
        "Row 3, column 'period_end': must be the same as or after period_start",
        "Row 4, column 'period_start': enter the date the period starts",
        "Row 5, column 'value': enter a finite number",
    ]


def test_it_checks_the_invariants_of_a_proportion(proportion, upload, client) -> None:
    text = (
        "period_start,value,numerator,denominator\n"
        "2017-01-01,1.2,,\n"
        "2017-02-01,,130,120\n"
        "2017-03-01,0.9,30,120\n"
        "2017-04-01,,30,\n"
        "2017-05-01,,5,0\n"
        "2017-06-01,45,,\n"
    )
    assert _errors_for(text, proportion, upload, client) == [
        "Row 2, column 'value': a proportion must be from 0 to 1, or from 0% to 100%",
        "Row 3, column 'numerator': cannot be more than the denominator "
        "(the successes are a part of it)",
        "Row 4, column 'value': does not match numerator / denominator (0.25); "
        "leave it blank or correct it",
        "Row 5, column 'denominator': give both the numerator and the denominator, or neither",
        "Row 6, column 'denominator': must be more than 0",
        "Row 7, column 'value': a proportion must be from 0 to 1, or from 0% to 100%",
    ]


def test_it_refuses_a_period_twice_in_the_file_by_default(metric, upload, client) -> None:
    text = "period_start,value\n2017-01-01,40\n2017-02-01,41\n01/01/2017,42\n"
    assert _errors_for(text, metric, upload, client) == [
        "Row 4, column 'period_start': 01/01/2017 for this metric is already in row 2"
    ]


def test_it_refuses_periods_already_there_by_default(world, metric, upload, client) -> None:
    _preview(upload(csv_file("period_start,value\n2017-01-01,40\n"), metric), client)
    assert _confirm(client, StagedImport.objects.get()).status_code == 302
    staged, page = _preview(
        upload(csv_file("period_start,value\n2017-02-01,39\n2017-01-01,38\n"), metric), client
    )
    assert (
        "Row 3, column &#x27;period_start&#x27;: Wealden District Council already has a figure "
        "for 01/01/2017" in page.content.decode()
    )
    _confirm(client, staged)
    assert list(Observation.objects.values_list("value", flat=True)) == [40.0]


def test_it_replaces_periods_when_the_person_chooses(world, metric, upload, client) -> None:
    _preview(upload(csv_file("period_start,value\n2017-01-01,40\n"), metric), client)
    _confirm(client, StagedImport.objects.get())
    original = Observation.objects.get()

    text = "period_start,value\n2017-02-01,39\n2017-01-01,38\n2017-02-01,37\n"
    staged, page = _preview(upload(csv_file(text), metric), client)
    assert "already has a figure" in page.content.decode()  # refuse is the default
    # The person switches to "replace" on the preview page, and checks again.
    response = client.post(staged.get_absolute_url(), {"on_duplicate": "replace"})
    assert response.status_code == 302
    page = client.get(staged.get_absolute_url()).content.decode()
    assert "Replaces the figure already there" in page and "Replaces row 2" in page
    assert "1 figure will be added and 1 will replace figures already there" in page

    assert _confirm(client, staged).status_code == 302
    figures = dict(Observation.objects.values_list("period_start", "value"))
    assert figures == {date(2017, 1, 1): 38.0, date(2017, 2, 1): 37.0}
    assert Observation.objects.get(period_start=date(2017, 1, 1)).pk == original.pk  # in place
    event = AuditEvent.objects.get(action="observations.imported", detail__replaced=1)
    assert event.detail["on_duplicate"] == "replace"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The selected file is empty"),
        (b"period_start,value\n", "The file has a header but no rows."),
        (b"\xff\xfe\x00p\x00e\x00r\x00", "The file looks binary"),
        (b"when,value\n2017-01-01,3\n", "The file needs a column named period_start"),
        (b"period_start,label\n2017-01-01,x\n", "The file needs a column named value"),
        (xlsx_bytes([["not", "it"]])[:300], "The file is not a readable XLSX workbook."),
    ],
)
def test_it_refuses_a_file_it_cannot_read_on_the_form(metric, upload, content, message) -> None:
    name = "figures.xlsx" if content.startswith(b"PK") else "figures.csv"
    response = upload(SimpleUploadedFile(name, content), metric)
    assert response.status_code == 200
    text = response.content.decode()
    assert "govuk-error-summary" in text and message in text
    assert text.count('href="#id_file"') == 1  # the summary links to the file field
    assert not StagedImport.objects.exists() and not Observation.objects.exists()


def test_it_reads_windows_1252_from_excel(metric, upload, client) -> None:
    text = "period_start,label,value\n2017-01-01,Caf\xe9 \u2013 Q1,3\n"
    file = SimpleUploadedFile("figures.csv", text.encode("cp1252"))
    staged, page = _preview(upload(file, metric), client)
    _confirm(client, staged)
    assert Observation.objects.get().label == "Caf\xe9 \u2013 Q1"


def test_it_refuses_a_file_over_the_limit_before_reading_it(metric, upload, monkeypatch) -> None:
    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", 1000)
    monkeypatch.setattr("whatworks.measures.forms.MAX_UPLOAD_BYTES", 1000)
    big = "period_start,value\n" + "2017-01-01,1\n" * 200
    response = upload(csv_file(big), metric)
    assert response.status_code == 200
    assert "The file must be smaller than" in response.content.decode()
    assert not StagedImport.objects.exists()


def test_it_refuses_too_many_rows(metric, upload, monkeypatch) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 5)
    rows = "".join(f"2017-01-{d:02d},1\n" for d in range(1, 8))
    response = upload(csv_file("period_start,value\n" + rows), metric)
    assert "The file has more than 5 rows. Split it into smaller files." in (
        response.content.decode()
    )


def test_it_refuses_another_organisations_private_metric_by_row(world, metric, upload, client):
    theirs = make_metric(
        world,
        name="Their private metric",
        organisation=world.org_b,
        actor=world["outsider"],
        visibility="private",
    )
    shared = make_metric(
        world, name="Their shared", organisation=world.org_b, actor=world["outsider"]
    )
    text = (
        "metric,period_start,value\n"
        f",2017-01-01,40\n{theirs.pk},2017-01-01,41\n{shared.pk},2017-01-01,42\n"
        "99999999,2017-01-01,43\nabc,2017-01-01,44\n"
    )
    errors = _errors_for(text, metric, upload, client)
    assert errors == [
        f"Row 3, column 'metric': there is no metric {theirs.pk} that Wealden District "
        "Council can record figures for",
        "Row 5, column 'metric': there is no metric 99999999 that Wealden District Council "
        "can record figures for",
        "Row 6, column 'metric': there is no metric abc that Wealden District Council can "
        "record figures for",
    ]


def test_it_refuses_another_organisations_private_metric_on_the_form(world, upload) -> None:
    theirs = make_metric(
        world,
        name="Private",
        organisation=world.org_b,
        actor=world["outsider"],
        visibility="private",
    )
    response = upload(csv_file(GOOD_CSV), theirs)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not StagedImport.objects.exists()


def test_it_records_our_own_figures_for_a_peers_shared_metric(world, upload, client) -> None:
    shared = make_metric(world, name="Shared", organisation=world.org_b, actor=world["outsider"])
    staged, _ = _preview(upload(csv_file(GOOD_CSV), shared), client)
    _confirm(client, staged)
    assert set(Observation.objects.values_list("organisation", flat=True)) == {world.org_a.pk}


def test_it_keeps_hostile_strings_as_inert_text(metric, upload, client) -> None:
    text = (
        "period_start,label,value\n"
        '2017-01-01,"<script>alert(1)</script>",1\n'
        '2017-02-01,=HYPERLINK("http://evil"),2\n'
        '2017-03-01,"tab\there",3\n'
        "2017-04-01,$\\frac{1}{$,4\n"
        '2017-05-01,"' + "x" * 60 + '",5\n'
        "2017-06-01,Robert'); DROP TABLE measures_observation;--,6\n"
    )
    staged, page = _preview(upload(csv_file(text), metric), client)
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert [str(e) for e in services.import_check(staged).errors] == [
        "Row 3, column 'label': must not start with =, + or @ "
        "(spreadsheet formulas are not allowed)",
        "Row 4, column 'label': remove the control characters (such as tabs or line breaks)",
        "Row 6, column 'label': use 50 characters or fewer",
    ]
    assert Observation.objects.count() == 0


def test_it_refuses_nul_bytes_without_a_server_error(metric, upload, client) -> None:
    file = SimpleUploadedFile("figures.csv", b"period_start,label,value\n2017-01-01,a\x00b,1\n")
    staged, page = _preview(upload(file, metric), client)
    assert [str(e) for e in services.import_check(staged).errors] == [
        "Row 2, column 'label': remove the control characters (such as tabs or line breaks)"
    ]
    assert _confirm(client, staged).status_code == 302
    assert Observation.objects.count() == 0


def test_it_writes_nothing_when_the_commit_fails_part_way(metric, upload, client, monkeypatch):
    rows = "".join(f"2017-01-{d:02d},{d}\n" for d in range(1, 29))
    staged, _ = _preview(upload(csv_file("period_start,value\n" + rows), metric), client)
    monkeypatch.setattr(services, "BATCH_SIZE", 5)
    written = []

    def fail_after_the_rows_are_written(*args, **kwargs):
        written.append(Observation.objects.count())
        raise RuntimeError("the database went away")

    # The audit entry is the last write: by then every batch of rows has been inserted.
    monkeypatch.setattr(services.audit, "record", fail_after_the_rows_are_written)
    with pytest.raises(RuntimeError):
        services.observations_import(staged=staged, actor=staged.uploaded_by)
    assert written == [28]
    assert Observation.objects.count() == 0
    assert StagedImport.objects.filter(pk=staged.pk).exists()  # still there to retry


def test_it_only_shows_an_upload_to_the_person_who_made_it(world, metric, upload, client_for):
    response = upload(csv_file(GOOD_CSV), metric)
    staged = StagedImport.objects.get()
    for persona in ("officer", "outsider", "staff"):
        other = client_for(world[persona])
        assert other.get(response["Location"]).status_code == 404
        assert other.post(f"/measures/upload/{staged.pk}/confirm/").status_code == 404
    assert Observation.objects.count() == 0


def test_it_says_an_expired_upload_has_expired(world, metric, upload, client) -> None:
    upload(csv_file(GOOD_CSV), metric)
    staged = StagedImport.objects.get()
    StagedImport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(staged.get_absolute_url()).status_code == 410
    assert _confirm(client, staged).status_code == 410
    assert Observation.objects.count() == 0


def test_it_purges_staged_uploads_after_a_day(world, metric, upload) -> None:
    upload(csv_file(GOOD_CSV), metric)
    upload(csv_file(GOOD_CSV), metric)
    StagedImport.objects.filter(pk=StagedImport.objects.order_by("created_at").first().pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert purge_staged_imports.call_local() == 1
    assert StagedImport.objects.count() == 1


def test_it_keeps_staged_uploads_in_the_database_not_on_disk(world, metric, upload) -> None:
    upload(csv_file(GOOD_CSV), metric)
    staged = StagedImport.objects.get()
    assert bytes(staged.content) == GOOD_CSV.encode()
    assert staged.expires_at - staged.created_at == timedelta(days=1)


def test_it_needs_a_metric_from_the_form_or_the_file(world, upload, client) -> None:
    staged, page = _preview(upload(csv_file(GOOD_CSV)), client)
    assert "Choose the metric, or add a column named metric to the file." in page.content.decode()


def test_it_imports_several_metrics_from_one_file(world, metric, proportion, upload, client):
    text = f"metric,period_start,value\n{metric.pk},2017-01-01,40\n{proportion.pk},2017-01-01,55%\n"
    staged, _ = _preview(upload(csv_file(text)), client)
    response = _confirm(client, staged)
    assert response["Location"] == "/measures/"
    assert sorted(Observation.objects.values_list("value", flat=True)) == [0.55, 40.0]
