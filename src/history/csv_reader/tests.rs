use super::*;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn ny() -> Tz {
    "America/New_York".parse().unwrap()
}

fn parse(text: &str, tz: Tz) -> Result<(Series, SeriesSummary), HistoryError> {
    parse_csv(
        text.as_bytes(),
        Path::new("calls.csv"),
        tz,
        FillMode::Zero,
        None,
    )
}

#[test]
fn last_days_keeps_the_end_of_the_file_and_counts_only_its_gaps() {
    // Five days hourly; a gap on day 1 (outside the window) and one on day 5 (inside).
    let mut text = String::from("ds,y\n");
    for h in 0..5 * 24 {
        if h == 10 || h == 4 * 24 + 5 {
            continue;
        }
        let t = utc("2024-05-06T00:00:00Z") + chrono::TimeDelta::hours(h);
        text += &format!("{},{}\n", t.to_rfc3339(), h % 7 + 1);
    }
    let (all, all_sum) = parse(&text, Tz::UTC).unwrap();
    assert_eq!((all.points.len(), all_sum.gaps_filled), (120, 2));
    let last_days = |days| {
        parse_csv(
            text.as_bytes(),
            Path::new("calls.csv"),
            Tz::UTC,
            FillMode::Zero,
            Some(days),
        )
        .unwrap()
    };
    let (s, sum) = last_days(2);
    assert_eq!(s.points.len(), 48);
    assert_eq!(sum.start, utc("2024-05-09T00:00:00Z"));
    assert_eq!(sum.end, utc("2024-05-11T00:00:00Z"));
    assert_eq!(sum.buckets, 48);
    assert_eq!(sum.gaps_filled, 1, "only the window's own gap");
    assert_eq!(s.points, all.points[72..]);
    // Asking for more days than the file has keeps the whole file.
    let (s, _) = last_days(30);
    assert_eq!(s.points, all.points);
}

#[test]
fn csv_with_offsets_gaps_and_semicolons() {
    let (s, sum) = parse(
        "ds;y\n2024-05-06T00:00:00Z;3\n2024-05-06T01:00:00+00:00;4.5\n2024-05-06T03:00:00Z;1\n",
        Tz::UTC,
    )
    .unwrap();
    assert_eq!(s.granularity, Granularity::Pt1h);
    assert_eq!(s.values(), vec![3.0, 4.5, 0.0, 1.0]);
    assert_eq!(sum.gaps_filled, 1);
    assert_eq!(sum.end, utc("2024-05-06T04:00:00Z"));
}

#[test]
fn csv_infers_granularity_and_sorts() {
    let (s, _) = parse(
        "DS,Y\n2024-05-06 00:30,2\n2024-05-06 00:00,1\n2024-05-06 00:15,5\n",
        Tz::UTC,
    )
    .unwrap();
    assert_eq!(s.granularity, Granularity::Pt15m);
    assert_eq!(s.values(), vec![1.0, 5.0, 2.0]);
    let err = parse(
        "ds,y\n2024-05-06T00:00:00Z,1\n2024-05-06T00:10:00Z,1\n",
        Tz::UTC,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("10 min") && err.contains("lines 2 and 3"),
        "{err}"
    );
}

#[test]
fn naive_local_times_follow_the_zone_across_dst() {
    let tz = ny();
    let mut text = String::from("ds,y\n");
    // Spring-forward day written on the local clock: 02:00 does not exist.
    for h in [0, 1, 3, 4] {
        text.push_str(&format!("2024-03-10T{h:02}:00:00,{h}\n"));
    }
    let (s, sum) = parse(&text, tz).unwrap();
    assert_eq!(s.values(), vec![0.0, 1.0, 3.0, 4.0]);
    assert_eq!(sum.gaps_filled, 0);
    // Fall-back night: 01:00 twice is two buckets, an hour apart.
    let (s, _) = parse(
        "ds,y\n2024-11-03T00:00:00,1\n2024-11-03T01:00:00,2\n2024-11-03T01:00:00,3\n2024-11-03T02:00:00,4\n",
        tz,
    )
    .unwrap();
    assert_eq!(s.values(), vec![1.0, 2.0, 3.0, 4.0]);
    assert_eq!(s.points[2].ts - s.points[1].ts, chrono::TimeDelta::hours(1));
}

#[test]
fn the_input_clock_decides_what_a_ds_means() {
    let text = "ds,y\n2024-05-06T09:00:00Z,1\n2024-05-06T10:00:00,2\n";
    let read = |clock| {
        parse_csv_limited(
            text.as_bytes(),
            Path::new("calls.csv"),
            ny(),
            FillMode::Zero,
            None,
            &InputLimits::default(),
            clock,
        )
        .map(|(s, _)| s.points.iter().map(|p| p.ts).collect::<Vec<_>>())
    };
    // Auto: `Z` is UTC, the bare time is New York (EDT, UTC-4) = 14:00Z: 5 h apart, which
    // is no bucket grid, so the file is refused rather than misread.
    let err = read(InputClock::Auto).unwrap_err().to_string();
    assert!(err.contains("300 min"), "{err}");
    // Local: both are New York wall clock, an hour apart.
    assert_eq!(
        read(InputClock::Local).unwrap(),
        [utc("2024-05-06T13:00:00Z"), utc("2024-05-06T14:00:00Z")]
    );
    // Utc: both are UTC.
    assert_eq!(
        read(InputClock::Utc).unwrap(),
        [utc("2024-05-06T09:00:00Z"), utc("2024-05-06T10:00:00Z")]
    );
}

#[test]
fn csv_local_clock_days_across_dst_have_23_and_25_buckets() {
    let tz = ny();
    let day = |date: &str, hours: &[u32]| {
        let mut text = String::from("ds,y\n");
        for h in hours {
            text.push_str(&format!("{date} {h:02}:00,1\n"));
        }
        parse(&text, tz).unwrap()
    };
    let spring: Vec<u32> = (0..24).filter(|h| *h != 2).collect();
    let (s, sum) = day("2024-03-10", &spring);
    assert_eq!((s.points.len(), sum.gaps_filled), (23, 0));
    let mut fall: Vec<u32> = (0..24).collect();
    fall.insert(2, 1);
    let (s, sum) = day("2024-11-03", &fall);
    assert_eq!((s.points.len(), sum.gaps_filled), (25, 0));
    assert_eq!(sum.end - sum.start, chrono::TimeDelta::hours(25));
}

#[test]
fn nonexistent_local_time_is_an_error_with_line() {
    let err = parse("ds,y\n2024-03-10T01:00:00,1\n2024-03-10T02:00:00,1\n", ny())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("calls.csv, line 3") && err.contains("does not exist"),
        "{err}"
    );
}

#[test]
fn csv_row_errors_name_file_line_and_reason() {
    let cases = [
        (
            "ds,y\n2024-05-06T00:00:00Z,1\nnot-a-date,2\n",
            "line 3",
            "not an ISO-8601",
        ),
        (
            "ds,y\n2024-05-06T00:00:00Z,1\n2024-05-06T01:00:00Z,-2\n",
            "line 3",
            "negative",
        ),
        (
            "ds,y\n2024-05-06T00:00:00Z,abc\n2024-05-06T01:00:00Z,2\n",
            "line 2",
            "not a number",
        ),
        (
            "ds,y\n2024-05-06T00:00:00Z,1\n2024-05-06T01:00:00Z,2\n2024-05-06T00:00:00Z,3\n",
            "line 4",
            "duplicate timestamp",
        ),
        (
            "time,calls\n2024-05-06T00:00:00Z,1\n",
            "line 1",
            "expected exactly `ds,y`",
        ),
        (
            "ds,y\n2024-05-06T00:00:00Z,1,9\n2024-05-06T01:00:00Z,2\n",
            "line 2",
            "2 fields",
        ),
        (
            "ds,y\n2024-05-06T00:00:00Z,1\n,\n2024-05-06T01:00:00Z,2\n",
            "line 3",
            "empty row",
        ),
    ];
    for (text, line, reason) in cases {
        let err = parse(text, Tz::UTC).unwrap_err().to_string();
        assert!(
            err.contains("calls.csv") && err.contains(line) && err.contains(reason),
            "{text:?} gave {err}"
        );
    }
    let dup = parse(
        "ds,y\n2024-05-06T00:00:00Z,1\n2024-05-06T01:00:00+01:00,1\n",
        Tz::UTC,
    )
    .unwrap_err()
    .to_string();
    assert!(dup.contains("line 3") && dup.contains("line 2"), "{dup}");
}

#[test]
fn too_few_rows_and_missing_file_are_clear() {
    let err = parse("ds,y\n2024-05-06T00:00:00Z,1\n", Tz::UTC)
        .unwrap_err()
        .to_string();
    assert!(err.contains("at least two"), "{err}");
    let err = read_csv(Path::new("/nonexistent/x.csv"), Tz::UTC)
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/x.csv"), "{err}");
}

#[test]
fn summary_display_names_span_and_fill() {
    let (_, sum) = parse(
        "ds,y\n2024-05-06T00:00:00Z,3\n2024-05-06T01:00:00Z,0\n2024-05-06T03:00:00Z,2\n",
        Tz::UTC,
    )
    .unwrap();
    let text = sum.to_string();
    assert!(text.contains("2024-05-06 00:00 UTC"), "{text}");
    assert!(
        text.contains("4 buckets of PT1H")
            && text.contains("2 zero")
            && text.contains("1 gaps zero-filled"),
        "{text}"
    );
}

#[test]
fn blank_lines_are_skipped_anywhere_and_quotes_and_a_bom_are_fine() {
    let text =
        "\u{feff}\n\nds,y\n\n\"2024-05-06T00:00:00Z\",\"3\"\n   \n2024-05-06T01:00:00Z,4\n\n";
    let (s, sum) = parse(text, Tz::UTC).unwrap();
    assert_eq!(s.values(), vec![3.0, 4.0]);
    assert_eq!(sum.gaps_filled, 0);
    let rows = csv_rows(text.as_bytes(), Path::new("calls.csv"), Tz::UTC).unwrap();
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![5, 7]);
    let err = parse("\n  \n", Tz::UTC).unwrap_err().to_string();
    assert!(
        err.contains("calls.csv, line 1") && err.contains("the file is empty"),
        "{err}"
    );
}

#[test]
fn stamps_keep_what_was_written() {
    let at = |s: &str| parse_stamp(s).unwrap();
    let wall = |s: &str| at(s).wall_clock().to_string();
    assert_eq!(wall("2024-05-06T14:00:00+05:30"), "2024-05-06 14:00:00");
    assert!(matches!(at("2024-05-06T14:00:00+05:30"), Stamp::At(_)));
    assert!(matches!(at("2024-05-06 14:00"), Stamp::Local(_)));
    assert_eq!(wall("2024-05-06"), "2024-05-06 00:00:00");
    // `Z` after the short and space-separated forms (what the sandbox always took).
    for z in [
        "2024-05-06T14:00Z",
        "2024-05-06 14:00:00Z",
        "2024-05-06 14:00Z",
    ] {
        let s = at(z);
        assert!(
            matches!(s, Stamp::At(t) if t.offset().local_minus_utc() == 0),
            "{z}"
        );
        assert_eq!(s.wall_clock().to_string(), "2024-05-06 14:00:00", "{z}");
    }
    assert_eq!(parse_stamp("06/05/2024 14:00"), None);
    assert_eq!(parse_stamp("2024-05-06T14:00:00Q"), None);
}

#[test]
fn the_wall_clock_grid_sorts_and_names_lines() {
    let t = |h: i64| utc("2024-05-06T00:00:00Z") + chrono::TimeDelta::minutes(h);
    let path = Path::new("q.csv");
    let g = on_grid(&[(3, t(60), 2.0), (2, t(0), 1.0)], Clock::Wall, path).unwrap();
    assert_eq!(g.granularity, Granularity::Pt1h);
    assert_eq!(
        g.rows.keys().copied().collect::<Vec<_>>(),
        vec![t(0), t(60)]
    );
    let err = on_grid(&[(2, t(0), 1.0), (5, t(0), 1.0)], Clock::Wall, path)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("q.csv, line 5")
            && err.contains("2024-05-06 00:00:00")
            && err.contains("already on line 2"),
        "{err}"
    );
    let err = on_grid(&[(2, t(5), 1.0), (3, t(35), 1.0)], Clock::Wall, path)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 2") && err.contains("PT30M grid of the local clock"),
        "{err}"
    );
}
