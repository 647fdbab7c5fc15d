import pytest

from tests.ideas.support import campaign_for


@pytest.fixture
def campaign(world):
    return campaign_for(world)
