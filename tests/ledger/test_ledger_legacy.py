"""Importing the old bot's positions.json, modelled on the incident."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from pyarb.ledger import LegacyFormatError
from pyarb.ledger.legacy import parse

INCIDENT = Path(__file__).parent / "data" / "positions_incident.json"
LAST_PAIR = "pos_1759631955273_z4zdnbxxc"


def test_the_incident_file_imports_one_open_pair_with_what_really_filled(ledger):
    result = ledger.import_legacy(INCIDENT.read_text())
    assert len(result.imported) == 3 and not result.uninterpretable
    pairs = {p.legacy_id: p for p in ledger.pairs()}
    assert {k: p.status for k, p in pairs.items()} == {
        "pos_1759625311842_k2m9qq0ab": "closed", "pos_1759628512907_a81hcx4pe": "closed", LAST_PAIR: "open"}
    # EdgeX filled +0.005, Paradex only -0.0038 (its fills), not the 0.005 the record intended
    assert pairs[LAST_PAIR].positions == {"edgex": {"BTCUSD": D("0.005")}, "paradex": {"BTC-USD-PERP": D("-0.0038")}}
    assert ledger.expected_positions() == {"edgex": {"BTCUSD": D("0.005")}, "paradex": {"BTC-USD-PERP": D("-0.0038")}}
    assert [p.legacy_id for p in ledger.open_pairs()] == [LAST_PAIR]


def test_each_record_is_kept_verbatim_with_its_legs_and_fills(ledger):
    text = INCIDENT.read_text()
    ledger.import_legacy(text)
    row = ledger.conn.execute("SELECT id, legacy_raw, opened_at FROM pairs WHERE legacy_id = ?", [LAST_PAIR]).fetchone()
    pair_id, raw, opened_at = row
    assert raw in text and json.loads(raw)["id"] == LAST_PAIR
    assert opened_at.startswith("2025-10-05T02:39:15.273")
    legs = ledger.conn.execute("SELECT venue, side, filled, avg_price, venue_order_id FROM orders WHERE pair_id = ? "
                               "ORDER BY venue", [pair_id]).fetchall()
    vwap = (D("0.002") * D("122384.5") + D("0.0018") * D("122384.4")) / D("0.0038")
    assert legs == [("edgex", "buy", "0.005", "122390.1", "736936291735699983"),
                    ("paradex", "sell", "0.0038", str(vwap), "1759631955290201702")]
    fills = [f for f in ledger.fills() if f.venue == "paradex"]
    assert [(f.fill_id, f.size) for f in fills] == [("1759631955301201709", D("0.002")),
                                                   ("1759631955302201711", D("0.0018"))]


def test_importing_twice_adds_nothing(ledger):
    ledger.import_legacy(INCIDENT.read_text())
    before = ledger.export_tables()
    again = ledger.import_legacy(INCIDENT.read_text())
    assert again.imported == [] and len(again.already_present) == 3
    assert ledger.export_tables() == before


def test_records_it_cannot_interpret_are_listed_not_guessed(ledger):
    good = {"id": "pos_1_good", "edgexSide": "buy", "amount": "0.002", "status": "open"}
    bad = [
        {"edgexSide": "buy", "amount": 0.005, "status": "open"},
        {"id": "pos_2", "edgexSide": "buy", "amount": 0.005, "status": "pending"},
        {"id": "pos_3", "edgexSide": "long", "amount": 0.005, "status": "open"},
        {"id": "pos_4", "paradexSide": "sell", "status": "open", "paradexFills": [{"side": "sell", "size": "abc",
                                                                                   "price": 1}]},
        {"id": "pos_5", "edgexSide": "buy", "status": "open", "edgexFills": [{"side": "sell", "size": 0.001,
                                                                              "price": 1}]},
        {"id": "pos_6", "edgexSide": "buy", "status": "open"},
        {"id": "pos_7", "status": "closed"},
        "pos_8",
    ]
    result = ledger.import_legacy(json.dumps({"positions": [good, *bad], "lastUpdate": 1}))
    assert result.imported == ["pos_1_good"]
    reasons = {u.index: u.reason for u in result.uninterpretable}
    assert sorted(reasons) == list(range(1, 9))
    assert "no id" in reasons[1] and "status" in reasons[2] and "buy or sell" in reasons[3]
    assert "size is not a number" in reasons[4] and "fills net to -0.001" in reasons[5]
    assert "amount is missing" in reasons[6] and "no leg" in reasons[7] and "not an object" in reasons[8]
    assert ledger.expected_positions() == {"edgex": {"BTCUSD": D("0.002")}}  # only the good record counts


def test_a_missing_fills_list_means_the_amount_stands():
    parsed = parse(INCIDENT.read_text())
    first = parsed.records[0]
    assert [(leg.venue, leg.side.value, leg.size, leg.price) for leg in first.legs] == [
        ("edgex", "sell", D("0.005"), D("122611.2")), ("paradex", "buy", D("0.005"), D("122598.0"))]
    assert parsed.last_update_ms == 1759631956012


@pytest.mark.parametrize("text", ["[]", "{}", '{"positions": {}}', "not json"])
def test_a_file_that_is_not_the_old_format_is_refused(ledger, text):
    with pytest.raises(LegacyFormatError):
        ledger.import_legacy(text)
    assert ledger.pairs() == []
