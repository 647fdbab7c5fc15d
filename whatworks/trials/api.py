"""API writes for trials: a key with `trials:write` uploads the outcome file of one of its
organisation's trials, through the same import as the trial's outcomes page.

The file is checked row by row against the allocation (`trials.imports.check_outcomes`) and
stored all or nothing (`services.outcomes_import`), only once the analysis plan is locked.
Any trial not run by the key's organisation is not found.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Path, Router, Schema
from ninja.files import UploadedFile

from whatworks.core import tabular
from whatworks.core.api import ApiProblem, JobOut, job_out, with_problems
from whatworks.core.models import Job
from whatworks.organisations.api_auth import idempotent, key_organisation, key_with
from whatworks.organisations.models import ApiScope
from whatworks.trials import jobs as trial_jobs
from whatworks.trials import services
from whatworks.trials.imports import UploadRejected
from whatworks.trials.models import Trial, TrialStatus

router = Router(tags=["Trials"])

TrialId = Path(..., ge=1, le=2_147_483_647)


class OutcomesOut(Schema):
    trial: int
    rows: int = Field(description="Units with an outcome, as stored")
    status: TrialStatus


def _own_trial(request: HttpRequest, id: int) -> Trial:
    trial = (
        Trial.objects.select_related("initiative")
        .filter(pk=id, initiative__organisation=key_organisation(request))
        .first()
    )
    if trial is None:
        raise Http404("No trial with that id belongs to this key's organisation.")
    return trial


def _rejected(error: UploadRejected) -> ApiProblem:
    errors = [
        {"row": e.row, "field": e.column or "file", "message": e.message} for e in error.row_errors
    ]
    detail = error.summary
    if error.total > len(error.row_errors):
        detail += f" The first {len(error.row_errors)} of {error.total:,} problems are listed."
    return ApiProblem(
        422, "The outcome file is not valid", f"{detail} Nothing was stored.", errors or None
    )


@router.post(
    "/trials/{id}/outcomes",
    response={**with_problems(OutcomesOut, 401, 403, 404, 409), 202: JobOut},
    summary="Upload a trial's outcomes",
    description="Send the outcome file (CSV or XLSX, as on the trial's outcomes page: a "
    "`unit_id` column and the outcome columns for the trial's kind) as the multipart field "
    "`file`. Only for a trial whose analysis plan is locked and whose units are allocated "
    "(409 otherwise). Every row is checked against the allocation; a file with any problem is "
    "refused whole with a 422 problem naming each row (as the file numbers it) and column. "
    "A later file replaces the outcomes until the verdict is recorded. A file of more than "
    "a few thousand rows is checked and imported on the task consumers: the answer is 202 "
    "with the job, whose `status_url` says how far it has got and, once finished, the "
    "result or the rows at fault.",
    **key_with(ApiScope.TRIALS_WRITE.value),
)
def post_trial_outcomes(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    id: int = TrialId,
):
    trial = _own_trial(request, id)
    raw = file.read(tabular.MAX_BYTES + 1)
    if len(raw) > tabular.MAX_BYTES:
        raise ApiProblem(
            422,
            "The outcome file is too big",
            errors=[
                {
                    "field": "file",
                    "message": f"Send a file up to {tabular.MAX_BYTES // (1024 * 1024)} MB",
                }
            ],
        )

    if trial_jobs.in_background(raw):

        def start() -> dict[str, object]:
            try:
                job = trial_jobs.outcomes_import_for_key(
                    trial=trial,
                    organisation_id=key_organisation(request).pk,
                    raw=raw,
                    filename=file.name or "outcomes.csv",
                )
            except ValidationError as error:
                raise ApiProblem(
                    409, "The trial cannot take outcomes now", error.messages[0]
                ) from None
            return job_out(job, _job_path(trial, job.pk))

        return idempotent(request, response, 202, start)

    def write() -> dict[str, object]:
        try:
            outcomes = services.outcomes_import(
                trial=trial, actor=None, raw=raw, filename=file.name or "outcomes.csv"
            )
        except UploadRejected as error:
            raise _rejected(error) from None
        except ValidationError as error:
            # The trial is not ready for outcomes (plan not locked, no allocation, stopped,
            # verdict recorded): the request is right, the trial's state refuses it.
            raise ApiProblem(409, "The trial cannot take outcomes now", error.messages[0]) from None
        trial.refresh_from_db(fields=["status"])
        return {"trial": trial.pk, "rows": outcomes.rows, "status": trial.status}

    return idempotent(request, response, 200, write)


def _job_path(trial: Trial, job_id: int) -> str:
    return reverse("api:get_outcomes_job", kwargs={"id": trial.pk, "job_id": job_id})


@router.get(
    "/trials/{id}/outcomes/jobs/{job_id}",
    response=with_problems(JobOut, 401, 403, 404),
    summary="Follow a large outcome file's import",
    description="How far the import of a large outcome file has got (202 from the upload "
    "gives this address): rows checked and written, then `done` with the result's page, or "
    "`failed` naming each row at fault (nothing was stored).",
    **key_with(ApiScope.TRIALS_WRITE.value),
)
def get_outcomes_job(request: HttpRequest, id: int = TrialId, job_id: int = TrialId):
    trial = _own_trial(request, id)
    job = Job.objects.filter(
        pk=job_id,
        kind=trial_jobs.IMPORT,
        arguments__trial=trial.pk,
        arguments__organisation=key_organisation(request).pk,
    ).first()
    if job is None:
        raise Http404("This trial has no outcome import with that id sent with your keys.")
    return job_out(job, _job_path(trial, job.pk))
