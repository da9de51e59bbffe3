"""The ledger: write-ahead, one commit per transition, opening and refusing, one writer, readers beside it,
positions, pairs and PnL, fills, control, backup, truthful logs."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal as D

import pytest
from ledger_scenarios import A, B, FEE, ORPHAN, PARTIAL, PRICE_A, PRICE_B, SIZE, final, last, to_state
from sqlite_utils import Database

from pyarb.ledger import (
    SCHEMA_VERSION,
    Ledger,
    LedgerCorrupt,
    LedgerError,
    LedgerLocked,
    LedgerNewerSchema,
    LedgerReader,
    LedgerUnwritable,
    NewOrder,
    write_control,
)
from pyarb.ledger import store
from pyarb.ledger.schema import MIGRATIONS
from pyarb.model import OrderFinal, Side
from pyarb.trade import IllegalTransition, Leg, OrderAnswer, OrderStatus


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def other_connection(path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


# --- write ahead ---------------------------------------------------------------------------------------


def test_the_order_is_committed_with_its_client_id_before_create_trade_returns(ledger, db_path):
    trade = ledger.create_trade("open", A, B, SIZE, PRICE_A)
    seen = other_connection(db_path).execute(
        "SELECT client_id, status, size FROM orders WHERE trade_id = ?", [trade.id]).fetchall()
    assert seen == [(trade.orders[0].client_id, "recorded", "0.005")]
    state = other_connection(db_path).execute("SELECT state FROM trades WHERE id = ?", [trade.id]).fetchone()
    assert state == ("pending",)


def test_the_hedge_order_is_committed_before_transition_returns(ledger, db_path):
    trade = to_state(ledger, "leg_a_filled")
    trade = ledger.transition(trade.id, "hedge", "hedge", new_order=NewOrder(SIZE, PRICE_B))
    cid = last(trade).client_id
    assert other_connection(db_path).execute(
        "SELECT role, venue, side FROM orders WHERE client_id = ?", [cid]).fetchall() == [("hedge", "paradex", "sell")]


def test_a_transition_and_its_rows_are_one_transaction(ledger, db_path, monkeypatch):
    trade = to_state(ledger, "leg_a_filled")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Ledger, "_journal", crash)  # fails after the new order row is written
    with pytest.raises(RuntimeError):
        ledger.transition(trade.id, "hedge", "hedge", new_order=NewOrder(SIZE, PRICE_B))
    monkeypatch.undo()
    after = ledger.trade(trade.id)
    assert after.state == "leg_a_filled" and len(after.orders) == 1
    assert len(ledger.transitions(trade.id)) == 2


def test_after_a_failed_commit_the_writer_goes_on_from_what_was_committed(ledger, monkeypatch):
    trade = to_state(ledger, "leg_a_filled")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Ledger, "_journal", crash)
    with pytest.raises(RuntimeError):
        ledger.transition(trade.id, "hedge", "hedge", new_order=NewOrder(SIZE, PRICE_B))
    monkeypatch.undo()
    after = ledger.transition(trade.id, "hedge", "hedge", new_order=NewOrder(SIZE, PRICE_B))
    assert after == ledger.trade(trade.id)
    assert [o.client_id.rsplit("-", 1)[1] for o in after.orders] == ["a1", "b1"]  # the lost attempt left no trace
    assert [t.seq for t in ledger.transitions(trade.id)] == [1, 2, 3]
    assert ledger.verify_open_state() == []


def test_one_commit_per_transition_in_wal_with_synchronous_full(ledger):
    statements: list[str] = []
    assert ledger.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ledger.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    ledger.conn.set_trace_callback(statements.append)
    trade = ledger.create_trade("open", A, B, SIZE, PRICE_A)
    ledger.transition(trade.id, ("fill_leg_a", "hedge"), "filled", order_updates=[final(trade.orders[0], SIZE)],
                      new_order=NewOrder(SIZE, PRICE_B))
    ledger.conn.set_trace_callback(None)
    assert [s for s in statements if s.split()[0] in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT")] == [
        "BEGIN IMMEDIATE", "COMMIT", "BEGIN IMMEDIATE", "COMMIT"]


def test_an_illegal_transition_changes_nothing(ledger):
    trade = to_state(ledger, "hedging")
    before = ledger.export_tables()
    with pytest.raises(IllegalTransition):
        ledger.transition(trade.id, "complete", "claims success", order_updates=[final(last(trade), PARTIAL)])
    assert ledger.export_tables() == before


def test_order_answers_are_durable_and_kept_as_history(ledger, db_path):
    trade = to_state(ledger, "pending")
    cid = trade.orders[0].client_id
    ledger.record_order_answer(OrderAnswer(cid, OrderStatus.UNKNOWN, detail="timeout after 2s"))
    ledger.record_order_answer(OrderFinal(cid, SIZE, PRICE_A, FEE, "FILLED", "v123"))
    ledger.record_order_answer(OrderAnswer(cid, OrderStatus.UNKNOWN, detail="late duplicate"))  # stale
    with LedgerReader.open_readonly(db_path) as reader:
        o = reader.order(cid)
        assert (o.status, o.filled, o.avg_price, o.fee, o.venue_order_id) == ("final", SIZE, PRICE_A, FEE, "v123")
        assert [e["status"] for e in reader.order_events(o.id)] == ["recorded", "unknown", "final", "unknown"]


def test_the_journal_is_append_only(ledger):
    to_state(ledger, "complete")
    for sql in ("UPDATE transitions SET reason = 'rewritten'", "DELETE FROM transitions", "DELETE FROM orders",
                "UPDATE order_events SET status = 'final'"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only|never deleted"):
            ledger.conn.execute(sql)


# --- opening, refusing, one writer ---------------------------------------------------------------------


def test_an_existing_ledger_is_opened_never_recreated(db_path):
    ledger = Ledger.open(db_path)
    ledger_id = ledger.ledger_id
    to_state(ledger, "complete")
    ledger.close()
    ledger = Ledger.open(db_path)
    assert ledger.ledger_id == ledger_id and [t.state for t in ledger.trades()] == ["complete"]
    ledger.close()


def test_a_second_writer_is_refused_naming_the_first(ledger, db_path):
    with pytest.raises(LedgerLocked, match=f"process {os.getpid()}") as err:
        Ledger.open(db_path)
    assert err.value.pid == os.getpid()
    assert ledger.trade(to_state(ledger, "pending").id)  # the first writer goes on


def test_readers_and_control_work_while_the_writer_holds_the_lock(ledger, db_path):
    to_state(ledger, "hedging")
    with LedgerReader.open_readonly(db_path) as reader:
        assert [t.state for t in reader.in_flight()] == ["hedging"]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.conn.execute("DELETE FROM control")
    write_control(db_path, "halted", {"halted": True, "reason": "operator"})
    assert ledger.control("halted") == {"halted": True, "reason": "operator"}
    ledger.set_control("halted", {"halted": False})
    with LedgerReader.open_readonly(db_path) as reader:
        assert reader.controls() == {"halted": {"halted": False}}


def _v1_ledger(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    db = Database(conn)
    conn.execute("BEGIN")
    MIGRATIONS[0](db)
    db.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('ledger_id', 'abcdef012345'), "
               "('created_at', '2025-10-04T14:28:32+00:00')")
    db.execute("INSERT INTO pairs (id, opened_at) VALUES (1, '2025-10-04T14:28:32+00:00')")
    db.execute("INSERT INTO trades (id, kind, pair_id, policy, state, a_venue, a_market, a_side, b_venue, b_market, "
               "b_side, intended, adopted, quantities, created_at, updated_at) VALUES (1, 'open', 1, 'sequential', "
               "'pending', 'edgex', 'BTCUSD', 'buy', 'paradex', 'BTC-USD-PERP', 'sell', '0.005', '0', '{}', 't', 't')")
    db.execute("INSERT INTO orders (trade_id, pair_id, role, attempt, venue, market, side, size, limit_price, "
               "reduce_only, client_id, status, filled, fee, created_at, updated_at) VALUES (1, 1, 'leg_a', 1, "
               "'edgex', 'BTCUSD', 'buy', '0.005', '122400', 0, 'paabcdef-1-a1', 'recorded', '0', '0', 't', 't')")
    conn.execute("COMMIT")
    conn.close()


def test_an_older_schema_migrates_forward_keeping_everything(db_path):
    _v1_ledger(db_path)
    ledger = Ledger.open(db_path)
    assert ledger.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
        SCHEMA_VERSION)
    assert ledger.ledger_id == "abcdef012345"
    assert [(t.id, t.state, t.orders[0].client_id) for t in ledger.in_flight()] == [(1, "pending", "paabcdef-1-a1")]
    ledger.add_adjustment("paradex", "BTC-USD-PERP", D("-0.0062"), "adopted")  # a v2 table
    assert ledger.expected_positions() == {"paradex": {"BTC-USD-PERP": D("-0.0062")}}
    # the new trade numbering continues; client ids stay deterministic from the same ledger id
    t = ledger.create_trade("open", A, B, SIZE, PRICE_A)
    assert t.id == 2 and t.orders[0].client_id == "paabcdef-2-a1"
    ledger.close()


def test_a_reader_migrates_an_older_schema_when_no_engine_holds_it(db_path):
    _v1_ledger(db_path)
    with LedgerReader.open_readonly(db_path) as reader:
        assert reader.controls() == {}


def test_a_newer_schema_is_refused_unchanged(db_path):
    ledger = Ledger.open(db_path)
    ledger.conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    ledger.close()
    before = digest(db_path)
    with pytest.raises(LedgerNewerSchema, match="schema version 99"):
        Ledger.open(db_path)
    with pytest.raises(LedgerNewerSchema):
        LedgerReader.open_readonly(db_path)
    assert digest(db_path) == before


@pytest.mark.parametrize("content", [b"not a database at all\n" * 100, b"", b"SQLite format 2\x00" + b"\x00" * 4000])
def test_a_corrupt_file_is_refused_unchanged(db_path, content):
    db_path.write_bytes(content)
    with pytest.raises(LedgerCorrupt):
        Ledger.open(db_path)
    with pytest.raises(LedgerCorrupt):
        LedgerReader.open_readonly(db_path)
    assert db_path.read_bytes() == content


def test_a_damaged_ledger_is_refused_unchanged(db_path):
    ledger = Ledger.open(db_path)
    for _ in range(30):
        to_state(ledger, "complete")
    ledger.close()
    data = bytearray(db_path.read_bytes())
    page = 4096
    data[3 * page:6 * page] = os.urandom(3 * page)  # b-tree pages of the tables
    db_path.write_bytes(bytes(data))
    before = digest(db_path)
    with pytest.raises(LedgerCorrupt):
        Ledger.open(db_path)
    assert digest(db_path) == before


@pytest.mark.parametrize("sql", ["CREATE TABLE notes (x)", "CREATE TABLE meta (key, value)"])
def test_a_foreign_sqlite_file_is_refused_unchanged(db_path, sql):
    conn = sqlite3.connect(db_path)
    conn.execute(sql)
    conn.commit()
    conn.close()
    before = digest(db_path)
    with pytest.raises(LedgerError, match="not a pyarb ledger"):
        Ledger.open(db_path)
    assert digest(db_path) == before


def test_an_unwritable_path_is_refused(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    with pytest.raises(LedgerUnwritable):
        Ledger.open(blocker / "pyarb.db")
    with pytest.raises(LedgerUnwritable):
        Ledger.open(tmp_path / "missing-dir" / "pyarb.db")
    assert blocker.read_text() == "keep me"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_directory_is_refused(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(LedgerUnwritable):
            Ledger.open(tmp_path / "pyarb.db")
    finally:
        tmp_path.chmod(0o700)


# --- positions, pairs, PnL -----------------------------------------------------------------------------


def test_expected_positions_come_from_fills_residuals_and_adjustments(ledger):
    to_state(ledger, "complete")  # +0.005 / -0.005
    to_state(ledger, "orphaned")  # +0.005 / -0.0038: the orphan 0.0012 is open on edgex
    to_state(ledger, "residual")  # +0.005 / -0.0038, unwound 0.0005: residual 0.0007 on edgex
    to_state(ledger, "unfilled")  # nothing
    ledger.add_adjustment("paradex", "BTC-USD-PERP", D("-0.0062"), "reconcile --adopt")
    assert ledger.expected_positions() == {
        "edgex": {"BTCUSD": D("0.005") + D("0.005") + D("0.0045")},
        "paradex": {"BTC-USD-PERP": D("-0.005") - D("0.0038") - D("0.0038") - D("0.0062")},
    }
    sources = {c.source for c in ledger.position_contributions()}
    assert sources == {"order", "adjustment"}
    assert [t.quantities.residual for t in ledger.residuals()] == [D("0.0007")]


def test_pair_status_follows_its_trades(ledger):
    opening = to_state(ledger, "pending")
    assert ledger.pair(opening.pair_id).status == "opening"
    void = to_state(ledger, "unfilled")
    assert ledger.pair(void.pair_id).status == "void"
    opened = to_state(ledger, "complete")
    pair = ledger.pair(opened.pair_id)
    assert pair.status == "open"
    assert pair.positions == {"edgex": {"BTCUSD": SIZE}, "paradex": {"BTC-USD-PERP": -SIZE}}
    close = ledger.create_trade("close", Leg("edgex", "BTCUSD", Side.SELL), Leg("paradex", "BTC-USD-PERP", Side.BUY),
                                SIZE, D("122500"), pair_id=opened.pair_id)
    assert close.orders[0].reduce_only
    assert ledger.pair(opened.pair_id).status == "closing"
    close = ledger.transition(close.id, ("fill_leg_a", "hedge"), "closed A",
                              order_updates=[final(close.orders[0], SIZE, D("122500"))],
                              new_order=NewOrder(SIZE, D("122450")))
    assert last(close).reduce_only
    ledger.transition(close.id, "complete", "closed B", order_updates=[final(last(close), SIZE, D("122450"))])
    pair = ledger.pair(opened.pair_id)
    assert pair.status == "closed" and pair.positions == {}
    # bought A at 122400, sold at 122500; sold B at 122380, bought back at 122450
    assert pair.realised == SIZE * 100 - SIZE * 70
    assert pair.fees == 4 * FEE
    assert [p.id for p in ledger.open_pairs()] == [opening.pair_id]


def test_an_orphan_unwound_at_a_loss_is_realised_that_day(ledger):
    t = to_state(ledger, "unwinding")
    u = last(t)
    ledger.transition(t.id, "flatten", "flat", order_updates=[OrderFinal(u.client_id, ORPHAN, D("122300"), FEE)])
    pair = ledger.pair(t.pair_id)
    assert pair.status == "open"  # the hedged 0.0038 is still held
    assert pair.realised == ORPHAN * (D("122300") - PRICE_A)
    today = ledger.daily_pnl()
    assert today.realised == pair.realised and today.fees == 3 * FEE
    assert today.net == pair.realised - 3 * FEE


def test_fills_link_to_their_orders_or_are_external(ledger):
    t = to_state(ledger, "complete")
    cid = t.orders[0].client_id
    assert ledger.record_fill("edgex", "BTCUSD", Side.BUY, SIZE, PRICE_A, FEE, 1759631955273, "f1", cid, "v1")
    assert not ledger.record_fill("edgex", "BTCUSD", Side.BUY, SIZE, PRICE_A, FEE, 1759631955273, "f1", cid, "v1")
    assert ledger.record_fill("paradex", "BTC-USD-PERP", Side.SELL, D("0.005"), D("122384.5"), FEE, 1, "x9", None)
    assert [f.fill_id for f in ledger.fills(trade_id=t.id)] == ["f1"]
    assert [f.fill_id for f in ledger.fills(external=True)] == ["x9"]
    assert ledger.expected_positions()["edgex"]["BTCUSD"] == SIZE  # from the order's answer, not doubled


def test_backup_while_the_writer_runs(ledger, tmp_path):
    to_state(ledger, "hedging")
    dest = tmp_path / "copy.db"
    ledger.backup(dest)
    with LedgerReader.open_readonly(dest) as copy:
        assert [t.state for t in copy.trades()] == ["hedging"] and copy.ledger_id == ledger.ledger_id
    with pytest.raises(LedgerError, match="refusing to overwrite"):
        ledger.backup(dest)


# --- truthful logs --------------------------------------------------------------------------------------


def test_logs_say_what_each_leg_did_and_call_only_complete_a_success(ledger, caplog):
    caplog.set_level(logging.INFO, logger="pyarb.trade")
    failed = ledger.create_trade("open", A, B, SIZE, PRICE_A)
    ledger.transition(failed.id, "miss_leg_a", "edgex rejected", order_updates=[OrderAnswer(
        failed.orders[0].client_id, OrderStatus.REJECTED, detail="GATEWAY_INTERNAL_ERROR unknown error")])
    orphan = to_state(ledger, "flattened")
    done = to_state(ledger, "complete")
    records = [r for r in caplog.records if r.name == "pyarb.trade"]
    assert all(hasattr(r, "trade_id") and hasattr(r, "leg") for r in records)
    by_trade = {}
    for r in records:
        by_trade.setdefault(r.trade_id, []).append(r.getMessage())
    assert "UNFILLED" in by_trade[failed.id][-1] and "GATEWAY_INTERNAL_ERROR" in by_trade[failed.id][-1]
    assert "hedge not sent" in by_trade[failed.id][-1]
    assert "FLATTENED (not a success)" in by_trade[orphan.id][-1]
    assert "filled 0.0038 of 0.005" in by_trade[orphan.id][-1]
    assert "COMPLETE" in by_trade[done.id][-1]
    for tid in (failed.id, orphan.id):
        for m in by_trade[tid]:
            assert "COMPLETE" not in m and "success" not in m.replace("(not a success)", "")


def test_checkpoints_run_after_a_trade_ends_never_inside_a_commit(ledger, monkeypatch):
    monkeypatch.setattr(store, "CHECKPOINT_AFTER_COMMITS", 2)
    assert ledger.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == store.WAL_AUTOCHECKPOINT_PAGES
    statements: list[str] = []
    ledger.conn.set_trace_callback(statements.append)
    trade = to_state(ledger, "hedging")
    assert not any("wal_checkpoint" in s for s in statements)
    ledger.transition(trade.id, "complete", "filled", order_updates=[final(last(trade), SIZE, PRICE_B)])
    ledger.conn.set_trace_callback(None)
    assert statements[-2:] == ["COMMIT", "PRAGMA wal_checkpoint(PASSIVE)"]


def test_the_pure_parts_and_the_ledger_import_no_venue():
    code = ("import sys, pyarb.trade, pyarb.resume, pyarb.ledger, pyarb.cli.ledger; "
            "print(sorted(m for m in sys.modules if m.startswith('pyarb.venues') or m.startswith('pyarb.sim')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_daily_pnl_counts_realised_pnl_on_the_day_it_was_realised(ledger, monkeypatch):
    clock = iter(["2025-10-04T23:59:58.000000+00:00"] * 4 + ["2025-10-05T00:00:01.000000+00:00"] * 50)
    monkeypatch.setattr(store, "_now", lambda: next(clock))
    opened = to_state(ledger, "complete")  # 4 commits on the 4th: bought A at 122400, sold B at 122380
    close = ledger.create_trade("close", Leg("edgex", "BTCUSD", Side.SELL), Leg("paradex", "BTC-USD-PERP", Side.BUY),
                                SIZE, D("122500"), pair_id=opened.pair_id)
    close = ledger.transition(close.id, ("fill_leg_a", "hedge"), "closed A",
                              order_updates=[final(close.orders[0], SIZE, D("122500"))],
                              new_order=NewOrder(SIZE, D("122450")))
    ledger.transition(close.id, "complete", "closed B", order_updates=[final(last(close), SIZE, D("122450"))])
    flat = ledger.create_flatten("paradex", "BTC-USD-PERP", D("-0.001"), "unexplained")
    flat = ledger.transition(flat.id, "unwind", "flatten", new_order=NewOrder(D("0.001"), D("123000")))
    ledger.transition(flat.id, "flatten", "flat", order_updates=[final(last(flat), D("0.001"), D("122990"))])
    assert ledger.daily_pnl("2025-10-04") == store.pnl.PnL(D(0), 2 * FEE)
    # realised on the 5th: +100 per BTC on edgex, -70 on paradex; the flatten trade's fee, not its price
    assert ledger.daily_pnl("2025-10-05") == store.pnl.PnL(SIZE * 30, 3 * FEE)
    assert ledger.pnl_by_day() == {"2025-10-04": ledger.daily_pnl("2025-10-04"),
                                   "2025-10-05": ledger.daily_pnl("2025-10-05")}


def test_the_trade_row_quantities_follow_every_answer(ledger, db_path):
    trade = to_state(ledger, "hedging")
    ledger.record_order_answer(final(last(trade), PARTIAL, PRICE_B))
    stored = ledger.conn.execute("SELECT quantities FROM trades WHERE id = ?", [trade.id]).fetchone()[0]
    assert '"unhedged": "0.0012"' in stored
    # answers alone, several in one commit, with no transition
    t2 = to_state(ledger, "pending", "concurrent")
    after = ledger.transition(t2.id, (), "answers", order_updates=[final(o, SIZE) for o in t2.orders])
    assert after.state == "pending" and not after.unresolved
    assert len(ledger.transitions(t2.id)) == 1


def test_each_commit_is_reported_to_the_commit_observer(ledger):
    seen: list[float] = []
    ledger.commit_observer = seen.append
    to_state(ledger, "complete")
    assert len(seen) == 4 and all(s > 0 for s in seen)
