//! Whole frames in the venues' real shapes through `Books::on_frame`.

use pyarb_book::{Books, Config, Direction, MarketText, Outcome, Reason, Venue};

const EDGEX: MarketText = MarketText {
    name: "BTCUSD",
    tick: "0.1",
    step: "0.001",
    min_size: "0.001",
    max_size: "50",
    taker_fee: "0.00038",
};
const PARADEX: MarketText = MarketText {
    name: "BTC-USD-PERP",
    tick: "0.1",
    step: "0.00001",
    min_size: "0.0001",
    max_size: "100",
    taker_fee: "0.0002",
};

fn books() -> Books {
    Books::new(&Config {
        edgex: EDGEX,
        paradex: PARADEX,
        min_edge_bps: "1",
        max_size: "0.05",
        max_age_ms: 1000,
    })
    .expect("valid config")
}

fn paradex(update_type: &str, seq: u64, inserts: &str, deletes: &str) -> Vec<u8> {
    format!(
        r#"{{"jsonrpc":"2.0","method":"subscription","params":{{"channel":"order_book.BTC-USD-PERP.deltas","data":{{"seq_no":{seq},"market":"BTC-USD-PERP","last_updated_at":1760000000000,"update_type":"{update_type}","inserts":[{inserts}],"updates":[],"deletes":[{deletes}]}}}}}}"#
    )
    .into_bytes()
}

fn edgex(kind: &str, start: u64, end: u64, asks: &str, bids: &str) -> Vec<u8> {
    format!(
        r#"{{"type":"quote-event","channel":"depth.10000001.15","content":{{"channel":"depth.10000001.15","dataType":"{kind}","data":[{{"startVersion":"{start}","endVersion":"{end}","level":15,"contractId":"10000001","contractName":"BTCUSD","asks":[{asks}],"bids":[{bids}],"depthType":"{kind}"}}]}}}}"#
    )
    .into_bytes()
}

fn lvl(side: &str, price: &str, size: &str) -> String {
    format!(r#"{{"side":"{side}","price":"{price}","size":"{size}"}}"#)
}

fn rejected(outcome: &Outcome) -> Option<Reason> {
    match outcome {
        Outcome::Rejected(p) => Some(p.reason),
        _ => None,
    }
}

#[test]
fn paradex_snapshot_then_deltas_in_sequence() {
    let mut b = books();
    let snap = [lvl("BUY", "122000.0", "1"), lvl("SELL", "122000.5", "2")].join(",");
    let r = b.on_frame(Venue::Paradex, &paradex("s", 10, &snap, ""), 0);
    assert_eq!(r.outcome, Outcome::Applied);
    assert!(!r.stale);
    assert_eq!(r.best_bid.map(|l| l.price), Some(1_220_000));
    let r = b.on_frame(
        Venue::Paradex,
        &paradex("d", 11, &lvl("BUY", "122000.1", "0.5"), ""),
        1,
    );
    assert_eq!(r.outcome, Outcome::Applied);
    assert_eq!(
        r.best_bid.map(|l| (l.price, l.size)),
        Some((1_220_001, 50_000))
    );
    let r = b.on_frame(
        Venue::Paradex,
        &paradex("d", 12, "", &lvl("BUY", "122000.1", "0")),
        2,
    );
    assert_eq!(r.best_bid.map(|l| l.price), Some(1_220_000));
}

#[test]
fn paradex_gap_leaves_the_book_and_waits_for_a_snapshot() {
    let mut b = books();
    let snap = [lvl("BUY", "122000.0", "1"), lvl("SELL", "122000.5", "2")].join(",");
    b.on_frame(Venue::Paradex, &paradex("s", 10, &snap, ""), 0);
    let before = b.feed(Venue::Paradex).book().clone();
    let r = b.on_frame(
        Venue::Paradex,
        &paradex("d", 12, &lvl("BUY", "122000.1", "1"), ""),
        1,
    );
    assert_eq!(rejected(&r.outcome), Some(Reason::Gap));
    assert!(r.stale);
    assert_eq!(b.feed(Venue::Paradex).book(), &before);
    let r = b.on_frame(
        Venue::Paradex,
        &paradex("d", 13, &lvl("BUY", "122000.1", "1"), ""),
        2,
    );
    assert_eq!(r.outcome, Outcome::AwaitingSnapshot);
    assert_eq!(b.feed(Venue::Paradex).book(), &before);
    let r = b.on_frame(Venue::Paradex, &paradex("s", 40, &snap, ""), 3);
    assert_eq!(r.outcome, Outcome::Applied);
    assert!(!r.stale);
}

#[test]
fn crossed_and_malformed_frames_change_nothing() {
    let mut b = books();
    let snap = [lvl("BUY", "122000.0", "1"), lvl("SELL", "122000.5", "2")].join(",");
    b.on_frame(Venue::Paradex, &paradex("s", 1, &snap, ""), 0);
    let before = b.feed(Venue::Paradex).book().clone();
    let cases: [(Vec<u8>, Reason); 9] = [
        (paradex("d", 2, &lvl("BUY", "122000.5", "1"), ""), Reason::Crossed),
        (paradex("d", 2, &lvl("BUY", "122000.05", "1"), ""), Reason::Malformed),
        (paradex("d", 2, &lvl("BUY", "-1", "1"), ""), Reason::Malformed),
        (paradex("d", 2, &lvl("BUY", "NaN", "1"), ""), Reason::Malformed),
        (paradex("d", 2, &lvl("BUY", "1", "0.000001"), ""), Reason::Malformed),
        (paradex("d", 2, &lvl("HOLD", "1", "1"), ""), Reason::Malformed),
        (paradex("x", 2, "", ""), Reason::Malformed),
        (b"{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"order_book.BTC".to_vec(), Reason::Malformed),
        (br#"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"order_book.BTC-USD-PERP.deltas","data":{"market":"BTC-USD-PERP","update_type":"d"}}}"#.to_vec(), Reason::Malformed),
    ];
    for (frame, reason) in cases {
        let r = b.on_frame(Venue::Paradex, &frame, 1);
        assert_eq!(
            rejected(&r.outcome),
            Some(reason),
            "{}",
            String::from_utf8_lossy(&frame)
        );
        assert_eq!(b.feed(Venue::Paradex).book(), &before);
        b.on_frame(Venue::Paradex, &paradex("s", 1, &snap, ""), 0);
    }
    assert_eq!(
        b.on_frame(Venue::Paradex, &[0xff, 0xfe], 1).outcome,
        b.on_frame(Venue::Paradex, &[0xff, 0xfe], 1).outcome
    );
}

#[test]
fn other_frames_are_named_for_routing() {
    let mut b = books();
    let r = b.on_frame(
        Venue::Edgex,
        br#"{"type":"ping","time":"1693208170000"}"#,
        0,
    );
    match r.outcome {
        Outcome::Other(o) => {
            assert_eq!(o.what, "ping");
            assert_eq!(o.time.as_deref(), Some("1693208170000"));
        }
        other => panic!("{other:?}"),
    }
    let r = b.on_frame(Venue::Edgex, br#"{"type":"quote-event","channel":"ticker.10000001","content":{"dataType":"Snapshot","channel":"ticker.10000001","data":[{"contractId":"10000001","lastPrice":"66393.5"}]}}"#, 0);
    assert!(
        matches!(r.outcome, Outcome::Other(ref o) if o.channel.as_deref() == Some("ticker.10000001"))
    );
    let r = b.on_frame(Venue::Paradex, br#"{"jsonrpc":"2.0","result":{"channel":"order_book.BTC-USD-PERP.deltas"},"usIn":1,"usDiff":2,"id":1}"#, 0);
    assert!(matches!(r.outcome, Outcome::Other(ref o) if o.what == "result"));
    let r = b.on_frame(Venue::Paradex, br#"{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-USD-PERP","data":[1,2]}}"#, 0);
    assert!(matches!(r.outcome, Outcome::Other(ref o) if o.what == "subscription"));
    assert!(r.stale, "a feed is stale until its first snapshot");
}

#[test]
fn edgex_versions_duplicates_gaps_and_depth() {
    let mut b = books();
    let asks: Vec<String> = (1..=20)
        .map(|i| format!(r#"{{"price":"{}.0","size":"1"}}"#, 122000 + i))
        .collect();
    let bids: Vec<String> = (0..20)
        .map(|i| format!(r#"["{}.0","1"]"#, 122000 - i))
        .collect();
    let r = b.on_frame(
        Venue::Edgex,
        &edgex("Snapshot", 90, 100, &asks.join(","), &bids.join(",")),
        0,
    );
    assert_eq!(r.outcome, Outcome::Applied);
    assert_eq!(
        b.feed(Venue::Edgex).book().asks().len(),
        15,
        "cut back to the subscribed depth"
    );
    let r = b.on_frame(
        Venue::Edgex,
        &edgex(
            "changed",
            101,
            103,
            r#"{"price":"122001.0","size":"0"}"#,
            "",
        ),
        1,
    );
    assert_eq!(r.outcome, Outcome::Applied);
    assert_eq!(r.best_ask.map(|l| l.price), Some(1_220_020));
    let r = b.on_frame(
        Venue::Edgex,
        &edgex(
            "CHANGED",
            102,
            103,
            r#"{"price":"122002.0","size":"0"}"#,
            "",
        ),
        2,
    );
    assert_eq!(r.outcome, Outcome::Duplicate);
    assert_eq!(r.best_ask.map(|l| l.price), Some(1_220_020));
    let r = b.on_frame(Venue::Edgex, &edgex("Changed", 105, 106, "", ""), 3);
    assert_eq!(rejected(&r.outcome), Some(Reason::Gap));
    let r = b.on_frame(Venue::Edgex, br#"{"type":"quote-event","channel":"depth.10000001.15","content":{"dataType":"Changed","data":[{"startVersion":"1","endVersion":"2","contractName":"ETHUSD","asks":[],"bids":[]}]}}"#, 4);
    assert_eq!(rejected(&r.outcome), Some(Reason::Malformed));
}

#[test]
fn opportunity_needs_fresh_books_and_reports_the_largest_size() {
    let mut b = books();
    // EdgeX asks 122000.0 (0.02) and 122001.0 (1); Paradex bids 122100.0 (0.03) and 122010.0 (1).
    b.on_frame(
        Venue::Edgex,
        &edgex(
            "Snapshot",
            1,
            1,
            r#"["122000.0","0.02"],["122001.0","1"]"#,
            r#"["121990.0","1"]"#,
        ),
        0,
    );
    let snap = [
        lvl("BUY", "122100.0", "0.03"),
        lvl("BUY", "122010.0", "1"),
        lvl("SELL", "122200.0", "1"),
    ]
    .join(",");
    let r = b.on_frame(Venue::Paradex, &paradex("s", 1, &snap, ""), 10);
    let q = r.opportunity.expect("an opportunity");
    assert_eq!(q.direction, Direction::BuyEdgexSellParadex);
    // After 5.8 bps of fees and the 1 bp minimum, the first 0.03 earn 17.02 and 16.02 USD per BTC
    // (0.5006 USD); each unit against the 122010.0 bid then loses 73.96 USD per BTC, which that
    // surplus covers for 0.00677 BTC: 0.036 on the 0.001 lot.
    assert_eq!(q.execution.buy.size, 3_600);
    assert_eq!(
        (q.execution.buy.worst, q.execution.sell.worst),
        (1_220_010, 1_220_100)
    );
    assert!(q.execution.edge_bps() >= 1.0);
    assert!(
        b.best(10 + 1001).is_none(),
        "the EdgeX book is too old by then"
    );
    b.mark_stale(Venue::Edgex);
    assert!(b.best(10).is_none());
    assert!(b.quote(Direction::BuyParadexSellEdgex, 1_000, 10).is_none());
}

#[test]
fn bad_config_is_a_clear_error() {
    let bad = |edit: fn(&mut Config)| {
        let mut c = Config {
            edgex: EDGEX,
            paradex: PARADEX,
            min_edge_bps: "1",
            max_size: "0.05",
            max_age_ms: 1000,
        };
        edit(&mut c);
        Books::new(&c).unwrap_err()
    };
    assert!(bad(|c| c.edgex.tick = "0").contains("tick"));
    assert!(bad(|c| c.paradex.taker_fee = "1.5").contains("taker_fee"));
    assert!(bad(|c| c.min_edge_bps = "-1").contains("min_edge_bps"));
    assert!(bad(|c| c.max_size = "0.0005").contains("max_size"));
    assert!(bad(|c| c.edgex.min_size = "0.0000001").contains("min_size"));
}

/// A small deterministic generator (an LCG), so that the stream below needs no dependency.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn opportunities_found_frame_by_frame_match_a_fresh_search() {
    // On each applied frame, `on_frame` reuses a direction's last execution while the levels it read
    // are unchanged; `best` always searches afresh. Deltas land anywhere in the books, the top
    // included, and remove levels, so both the reuse and the searches happen.
    let mut b = Books::new(&Config {
        edgex: EDGEX,
        paradex: PARADEX,
        min_edge_bps: "1",
        max_size: "2",
        max_age_ms: 1000,
    })
    .expect("valid config");
    let mut rng = Lcg(7);
    let price = |ticks: u64| format!("{}.{}", ticks / 10, ticks % 10);
    let mids = [1_220_000u64, 1_220_850];
    let levels =
        |rng: &mut Lcg, mid: u64, above: bool, n: usize, deletes: bool| -> Vec<(String, String)> {
            (0..n)
                .map(|_| {
                    let away = 1 + rng.below(40);
                    let ticks = if above { mid + away } else { mid - away };
                    let size = if deletes && rng.below(4) == 0 {
                        "0".to_owned()
                    } else {
                        format!("0.{:03}", 1 + rng.below(300))
                    };
                    (price(ticks), size)
                })
                .collect()
        };
    let edgex_rows = |rows: &[(String, String)]| {
        rows.iter()
            .map(|(p, s)| format!(r#"["{p}","{s}"]"#))
            .collect::<Vec<_>>()
            .join(",")
    };
    let paradex_rows = |side: &str, rows: &[(String, String)]| {
        rows.iter()
            .map(|(p, s)| lvl(side, p, s))
            .collect::<Vec<_>>()
    };
    let asks = levels(&mut rng, mids[0], true, 30, false);
    let bids = levels(&mut rng, mids[0], false, 30, false);
    let frame = edgex("Snapshot", 1, 1, &edgex_rows(&asks), &edgex_rows(&bids));
    assert_eq!(
        b.on_frame(Venue::Edgex, &frame, 0).outcome,
        Outcome::Applied
    );
    let mut snap = paradex_rows("SELL", &levels(&mut rng, mids[1], true, 30, false));
    snap.extend(paradex_rows(
        "BUY",
        &levels(&mut rng, mids[1], false, 30, false),
    ));
    let frame = paradex("s", 1, &snap.join(","), "");
    assert_eq!(
        b.on_frame(Venue::Paradex, &frame, 0).outcome,
        Outcome::Applied
    );
    let (mut version, mut seq, mut found) = (1, 1, 0);
    for now in 1..3000 {
        let n = 1 + rng.below(3) as usize;
        let r = if rng.below(2) == 0 {
            version += 1;
            let asks = levels(&mut rng, mids[0], true, n, true);
            let bids = levels(&mut rng, mids[0], false, n, true);
            let frame = edgex(
                "Changed",
                version,
                version,
                &edgex_rows(&asks),
                &edgex_rows(&bids),
            );
            b.on_frame(Venue::Edgex, &frame, now)
        } else {
            seq += 1;
            let mut rows = paradex_rows("SELL", &levels(&mut rng, mids[1], true, n, true));
            rows.extend(paradex_rows(
                "BUY",
                &levels(&mut rng, mids[1], false, n, true),
            ));
            b.on_frame(Venue::Paradex, &paradex("d", seq, &rows.join(","), ""), now)
        };
        assert_eq!(r.outcome, Outcome::Applied);
        assert_eq!(r.opportunity, b.best(now), "frame {now}");
        found += usize::from(r.opportunity.is_some());
    }
    assert!(
        found > 1000,
        "the stream should mostly find opportunities: {found}"
    );
}

#[test]
fn escaped_keys_and_strings_are_read_as_their_text() {
    let mut b = books();
    let frame = br#"{"type":"quote-event","channel":"depth.10000001.15","content":{"dataType":"Snap\u0073hot","data":[{"endVersion":"\u0037","contractName":"BTC\u0055SD","asks":[{"\u0070rice":"122000.\u0035","size":"1"}],"bids":[["12199\u0039.5","\u0031"]]}]}}"#;
    let r = b.on_frame(Venue::Edgex, frame, 0);
    assert_eq!(r.outcome, Outcome::Applied);
    assert_eq!(r.best_ask.map(|l| l.price), Some(1_220_005));
    assert_eq!(r.best_bid.map(|l| l.price), Some(1_219_995));
    let frame = br#"{"method":"subscri\u0070tion","params":{"channel":"order_book.BTC-USD-PERP.deltas","data":{"seq_no":"5","market":"BTC-USD-PERP","update_type":"\u0073","inserts":[{"s\u0069de":"B\u0055Y","price":"122000.0","size":"0.5"}]}}}"#;
    let r = b.on_frame(Venue::Paradex, frame, 0);
    assert_eq!(r.outcome, Outcome::Applied);
    assert_eq!(
        r.best_bid.map(|l| (l.price, l.size)),
        Some((1_220_000, 50_000))
    );
}

#[test]
fn paradex_inserts_updates_and_deletes_apply_in_that_order_whatever_the_key_order() {
    let frame = |keys: [&str; 3]| {
        let [first, second, third] = keys.map(|key| match key {
            "inserts" => format!(r#""inserts":[{}]"#, lvl("BUY", "122000.1", "1")),
            "updates" => format!(r#""updates":[{}]"#, lvl("BUY", "122000.1", "2")),
            _ => format!(r#""deletes":[{}]"#, lvl("BUY", "122000.0", "0")),
        });
        format!(
            r#"{{"method":"subscription","params":{{"channel":"order_book.BTC-USD-PERP.deltas","data":{{"seq_no":2,"market":"BTC-USD-PERP","update_type":"d",{first},{second},{third}}}}}}}"#
        )
        .into_bytes()
    };
    let snap = [lvl("BUY", "122000.0", "1"), lvl("SELL", "122000.5", "2")].join(",");
    for keys in [
        ["inserts", "updates", "deletes"],
        ["deletes", "updates", "inserts"],
        ["updates", "deletes", "inserts"],
    ] {
        let mut b = books();
        b.on_frame(Venue::Paradex, &paradex("s", 1, &snap, ""), 0);
        let r = b.on_frame(Venue::Paradex, &frame(keys), 1);
        assert_eq!(r.outcome, Outcome::Applied, "{keys:?}");
        let bids: Vec<_> = b.feed(Venue::Paradex).book().bids().to_vec();
        assert_eq!(bids.len(), 1, "{keys:?}");
        assert_eq!(
            (bids[0].price, bids[0].size),
            (1_220_001, 200_000),
            "{keys:?}"
        );
    }
}

#[test]
fn a_repeated_key_is_malformed() {
    let mut b = books();
    let snap = [lvl("BUY", "122000.0", "1"), lvl("SELL", "122000.5", "2")].join(",");
    b.on_frame(Venue::Paradex, &paradex("s", 1, &snap, ""), 0);
    let twice = r#"{"side":"BUY","price":"122000.1","price":"122000.2","size":"1"}"#;
    let r = b.on_frame(Venue::Paradex, &paradex("d", 2, twice, ""), 1);
    assert_eq!(rejected(&r.outcome), Some(Reason::Malformed));
    let r = b.on_frame(
        Venue::Edgex,
        br#"{"type":"ping","type":"pong","time":"1"}"#,
        1,
    );
    assert_eq!(rejected(&r.outcome), Some(Reason::Malformed));
}

#[test]
fn a_frame_nested_too_deep_is_malformed_not_a_crash() {
    // The JSON parser skips the values a decoder does not read by recursion, which takes ~200 bytes
    // of stack a level in a release build and some 40 KB in a debug build: the 1024 levels still
    // allowed need a bigger stack than a test thread's 2 MB here.
    let run = std::thread::Builder::new()
        .stack_size(128 << 20)
        .spawn(nesting_is_limited)
        .expect("a thread");
    run.join().expect("no panic");
}

fn nesting_is_limited() {
    let mut b = books();
    let nested = |depth: usize| {
        // The object is one level; the arrays make up the rest.
        let arrays = depth - 1;
        format!(
            r#"{{"type":"ping","x":{}{}}}"#,
            "[".repeat(arrays),
            "]".repeat(arrays)
        )
    };
    let other = |outcome: &Outcome| matches!(outcome, Outcome::Other(_));
    assert!(other(
        &b.on_frame(Venue::Edgex, nested(1024).as_bytes(), 0).outcome
    ));
    for venue in [Venue::Edgex, Venue::Paradex] {
        for depth in [1025, 200_000] {
            let r = b.on_frame(venue, nested(depth).as_bytes(), 0);
            assert_eq!(rejected(&r.outcome), Some(Reason::Malformed), "{depth}");
        }
    }
    // Many brackets side by side, or inside strings, are no depth at all.
    let wide = format!(r#"{{"type":"ping","x":[{}]}}"#, vec!["[]"; 5000].join(","));
    assert!(other(&b.on_frame(Venue::Edgex, wide.as_bytes(), 0).outcome));
    let quoted = format!(r#"{{"type":"ping","x":"\"{}"}}"#, "[".repeat(5000));
    assert!(other(
        &b.on_frame(Venue::Edgex, quoted.as_bytes(), 0).outcome
    ));
}
