"""``cxlens predict clv|churn``: the model, its quality and the customers it ranks first, as a
table or as JSON."""

import json

import pytest
from typer.testing import CliRunner

from cxlens.cli import app

runner = CliRunner()
UNTIL = "2026-06-30"


@pytest.fixture
def env(mapped_store, store_url, monkeypatch):
    from datetime import date

    from cxlens.demo import generate_demo

    generate_demo(mapped_store, customers=1500, responses=9000, seed=3, end=date(2026, 6, 30))
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    return store_url


def test_predict_clv_and_churn_print_models_and_customers(env):
    table = runner.invoke(app, ["predict", "clv", "--until", UNTIL, "--bootstrap", "5", "--top", "3"])
    assert table.exit_code == 0, table.output
    assert "bgnbd" in table.output and "gamma_gamma" in table.output and "P(alive)" in table.output
    data = json.loads(runner.invoke(app, ["predict", "clv", "--until", UNTIL, "--bootstrap", "5", "--json"]).output)
    assert data["bootstrap"] == 5 and data["currency"] == "EUR" and set(data["fit"]) == {"bgnbd", "gamma_gamma"}
    assert all(c["clv_low"] <= c["clv"] <= c["clv_high"] for c in data["customers"])
    churn = runner.invoke(app, ["predict", "churn", "--until", UNTIL, "--top", "3"])
    assert churn.exit_code == 0, churn.output
    assert "C-index" in churn.output and "Brier" in churn.output and "CLV at stake" in churn.output
    data = json.loads(runner.invoke(app, ["predict", "churn", "--until", UNTIL, "--json", "--segment", "smb"]).output)
    assert data["model"]["backtest"]["risk_model"]["c_index"] > 0.5
    assert data["customers"] and {c["segment"] for c in data["customers"]} == {"smb"}
    at_stake = [c["clv_at_stake"] for c in data["customers"]]
    assert at_stake == sorted(at_stake, reverse=True)


def test_stored_predictions_are_served_by_the_api_with_their_scope(env, mapped_store):
    from fastapi.testclient import TestClient

    from cxlens.access import create_api_key
    from cxlens.web import create_app

    assert runner.invoke(app, ["predict", "clv", "--until", UNTIL, "--bootstrap", "5", "--top", "1"]).exit_code == 0
    assert runner.invoke(app, ["predict", "churn", "--until", UNTIL, "--top", "1"]).exit_code == 0
    client = TestClient(create_app(mapped_store))
    reader = create_api_key(mapped_store, "crm", ["predictions:read"])
    other = create_api_key(mapped_store, "kpis", ["kpi:read"])
    with mapped_store.engine.connect() as conn:
        import sqlalchemy as sa

        cid = conn.execute(
            sa.text("SELECT customer_id FROM customer_predictions WHERE kind = 'churn' LIMIT 1")
        ).scalar()
    assert client.get(f"/api/customers/{cid}/prediction").status_code == 401
    denied = client.get(f"/api/customers/{cid}/prediction", headers={"Authorization": f"Bearer {other.secret}"})
    assert denied.status_code == 403
    body = client.get(f"/api/customers/{cid}/prediction", headers={"Authorization": f"Bearer {reader.secret}"}).json()
    churn = body["predictions"]["churn"]
    assert churn["model"].startswith("cox-landmark/1") and 0 <= churn["values"]["churn_90d"] <= 1
    assert churn["values"]["factors"] and "clv_at_stake" in churn["values"]
    if "clv" in body["predictions"]:
        clv = body["predictions"]["clv"]["values"]
        assert clv["clv_low"] <= clv["clv"] <= clv["clv_high"]
    missing = client.get("/api/customers/999999/prediction", headers={"Authorization": f"Bearer {reader.secret}"})
    assert missing.status_code == 404


def test_segments_rfm_and_cluster_print_and_store_their_segments(env, mapped_store):
    rfm = runner.invoke(app, ["segments", "rfm", "--until", UNTIL])
    assert rfm.exit_code == 0, rfm.output
    assert "champions" in rfm.output and "%" in rfm.output
    rows = json.loads(runner.invoke(app, ["segments", "rfm", "--until", UNTIL, "--json", "--no-save"]).output)
    assert rows and all(len(r["code"]) == 3 for r in rows)
    found = runner.invoke(app, ["segments", "cluster", "--until", UNTIL, "--max-k", "4"])
    assert found.exit_code == 0, found.output
    assert "by silhouette" in found.output and "cluster 0:" in found.output
    with mapped_store.engine.connect() as conn:
        import sqlalchemy as sa

        kinds = dict(conn.execute(sa.text("SELECT kind, count(*) FROM customer_predictions GROUP BY kind")).all())
    assert kinds["rfm"] == len(rows) and kinds["cluster"] > 0
