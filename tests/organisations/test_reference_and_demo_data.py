from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from whatworks.core.demo import DemoDataRefused
from whatworks.organisations.demo import load_demo_data
from whatworks.organisations.models import LocalAuthority, Organisation, User

HEADER = (
    "local-authority-code,official-name,nice-name,gss-code,start-date,end-date,nation,region,"
    "local-authority-type,local-authority-type-name,current-authority,pop-2020,lat,long\n"
)
ROW = (
    "WEA,Wealden District Council,Wealden,E07000065,,,England,South East,NMD,"
    "Non-metropolitan district,True,162733.0,50.9,0.25\n"
)


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "las.csv"
    path.write_text(text, encoding=encoding)
    return path


def test_it_loads_every_local_authority_from_the_register(db) -> None:
    call_command("load_local_authorities", verbosity=0)
    assert LocalAuthority.objects.count() == 470
    wealden = LocalAuthority.objects.get(gss_code="E07000065")
    assert wealden.official_name == "Wealden District Council"
    assert wealden.is_current and wealden.region == "South East"
    assert wealden.area_km2 == 833.0
    assert LocalAuthority.objects.get(code="SUF").is_current is False
    call_command("load_local_authorities", verbosity=0)  # again: nothing duplicated
    assert LocalAuthority.objects.count() == 470


def test_it_names_the_line_of_a_bad_row_and_writes_nothing(db, tmp_path) -> None:
    path = _csv(tmp_path, HEADER + ROW + ",No Code Council,,,,,,,,,,,,\n")
    with pytest.raises(
        CommandError, match="line 3: missing local-authority-code, nice-name, nation"
    ):
        call_command("load_local_authorities", path=path, verbosity=0)
    assert not LocalAuthority.objects.exists()


@pytest.mark.parametrize(
    ("text", "encoding", "message"),
    [
        ("", "utf-8", "no rows"),
        (HEADER + ROW.replace("Wealden", "Wéalden"), "latin-1", "Cannot read"),
    ],
)
def test_it_refuses_empty_or_wrongly_encoded_files(db, tmp_path, text, encoding, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("load_local_authorities", path=_csv(tmp_path, text, encoding), verbosity=0)


def test_it_creates_the_demo_data_once_and_only_in_development(db, settings) -> None:
    call_command("load_local_authorities", verbosity=0)
    settings.DEBUG = False
    with pytest.raises(DemoDataRefused):
        load_demo_data()
    assert not User.objects.exists()
    settings.DEBUG = True
    assert load_demo_data() == (16, 10)
    assert load_demo_data() == (0, 0)
    wealden = Organisation.objects.get(name="Wealden District Council")
    assert wealden.local_authority.gss_code == "E07000065"
    roles = set(wealden.memberships.values_list("role", flat=True))
    assert roles == {"admin", "officer", "analyst", "frontline", "volunteer"}
