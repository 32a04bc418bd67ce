import pytest

from hygie.lib import HygieError, Location, Severity


def test_severity_order_and_labels():
    assert Severity.CRITICAL > Severity.HIGH > Severity.MEDIUM > Severity.LOW
    assert Severity.from_label("High") is Severity.HIGH
    assert Severity.from_label("info") is Severity.INFORMATIONAL
    with pytest.raises(ValueError, match="expected one of"):
        Severity.from_label("urgent")


def test_error_location_formatting():
    assert str(HygieError("bad", Location("rules/x.yml", 3, 7))) == "rules/x.yml:3:7: bad"
    assert str(HygieError("bad", Location(line=2))) == "<input>:2: bad"
    assert str(HygieError("bad")) == "bad"
