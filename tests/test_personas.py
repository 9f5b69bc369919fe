"""Personas: versioned YAML definitions checked with errors that name the place, applied to
the store's customers (the first matching persona names them, the definition's version kept
with each), listed with the other segments, and usable as KPI dimensions."""

import json
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxlens.analytics.kpis import kpi
from cxlens.cli import app
from cxlens.errors import InputError
from cxlens.predict import personas, segments
from cxlens.predict.stored import segment_models

runner = CliRunner()
UNTIL = "2026-06-30"
DEFINITION = """
name: support personas
version: 2
personas:
  - name: unhappy buyer
    about: buys, but scored us a detractor
    when:
      rfm_segment: [champions, loyal, potential loyalist]
      latest_nps: {max: 6}
  - name: enterprise
    when:
      segment: enterprise
"""


@pytest.fixture
def demo(mapped_store, store_url, monkeypatch):
    from cxlens.demo import generate_demo

    generate_demo(mapped_store, customers=600, responses=4000, seed=3, end=date(2026, 6, 30))
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    return mapped_store


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\npersonas: [{name: a}]", "personas.yaml: version: None is not a version"),
        ("name: x\nversion: 1\npersonas: []", "personas.yaml: personas: give a list"),
        (
            "name: x\nversion: 1\npersonas: [{name: a, when: {colour: red}}]",
            r"personas\[0\]\.when\.colour: 'colour' is not",
        ),
        (
            "name: x\nversion: 1\npersonas: [{name: a, when: {latest_nps: {max: high}}}]",
            r"personas\[0\]\.when\.latest_nps\.max: 'high' is not a number",
        ),
        ("name: x\nversion: 1\npersonas: [{name: a}, {name: a}]", r"personas\[1\]\.name: 'a' is named twice"),
        ("name: x\nversion: 1\npersonas: [{name: a, colour: 1}]", r"personas\[0\]: unknown key 'colour'"),
        ("name: [x\n", "personas.yaml: not valid YAML"),
    ],
)
def test_a_bad_definition_is_explained_with_its_place(tmp_path, text, message):
    path = tmp_path / "personas.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        personas.load_definition(path)


def test_the_first_matching_persona_names_a_customer():
    d = personas.parse_definition(
        {
            "name": "p",
            "version": 1,
            "personas": [
                {"name": "low", "when": {"plan": "pro", "latest_nps": {"max": 6}}},
                {"name": "pro", "when": {"plan": ["pro", "team"]}},
            ],
        }
    )
    table = pd.DataFrame({"plan": ["pro", "pro", "free", None], "latest_nps": [3, 9, 2, 1]}, index=[1, 2, 3, 4])
    assert personas.assign(d, table).tolist() == ["low", "pro", None, None]
    assert d.label == "p v1" and d.features == {"latest_nps"}


def test_a_definition_sets_personas_with_its_version_and_slices_kpis(demo, tmp_path):
    segments.save_rfm(demo, until=UNTIL)
    path = tmp_path / "personas.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    before = kpi(demo).engine.execute(kpi(demo).engine.table("customers").select("id", "persona")).to_pandas()
    counts = personas.apply_definition(demo, personas.load_definition(path))
    assert counts["enterprise"] > 0 and counts["unhappy buyer"] > 0
    c = kpi(demo).engine.table("customers")
    after = kpi(demo).engine.execute(c.select("id", "segment", "persona", "persona_version")).to_pandas()
    after = after.merge(before, on="id", suffixes=("", "_before"))
    set_here = after[after.persona_version.notna()]
    assert (set_here.persona_version == "support personas v2").all()
    assert len(set_here) == sum(counts.values())
    assert (set_here[set_here.segment == "enterprise"].persona.isin(["enterprise", "unhappy buyer"])).all()
    kept = after[after.persona_version.isna()]
    assert (kept.persona.fillna("") == kept.persona_before.fillna("")).all()  # the import's persona stays

    by = kpi(demo).nps(by=["persona"])
    names = {r["persona"] for r in by.rows}
    assert {"enterprise", "unhappy buyer"} <= names and all(r["n"] > 0 for r in by.rows)
    listed = {m["kind"]: m for m in segment_models(demo)}
    assert listed["persona"]["version"] == "support personas v2"
    assert listed["persona"]["segments"] == {k: v for k, v in counts.items() if v}
    assert sum(listed["rfm"]["segments"].values()) == listed["rfm"]["n"]


def test_segments_persona_and_list_on_the_command_line(demo, tmp_path):
    path = tmp_path / "personas.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    assert runner.invoke(app, ["segments", "rfm", "--until", UNTIL]).exit_code == 0
    done = runner.invoke(app, ["segments", "persona", str(path)])
    assert done.exit_code == 0, done.output
    assert "support personas v2" in done.output and "enterprise" in done.output
    listed = runner.invoke(app, ["segments", "list"])
    assert listed.exit_code == 0 and "rfm-quintiles/1" in listed.output and "support personas v2" in listed.output
    data = json.loads(runner.invoke(app, ["segments", "list", "--json"]).output)
    assert {m["kind"] for m in data} == {"rfm", "persona"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nversion: 1\npersonas: [{name: a, when: {colour: red}}]", encoding="utf-8")
    failed = runner.invoke(app, ["segments", "persona", str(bad)])
    # The CLI's root prints an InputError as its message (tests/test_cli.py); here it is raised.
    assert isinstance(failed.exception, InputError) and "bad.yaml: personas[0].when.colour" in str(failed.exception)
