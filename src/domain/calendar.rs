//! Dates as Dutch law counts them: the date in Europe/Amsterdam, the public holidays of the
//! Algemene termijnenwet and the six-week objection period of the Awb.
//!
//! The Amsterdam offset is the EU's summer-time rule (Directive 2000/84/EC: from 01:00 UTC on
//! the last Sunday of March to 01:00 UTC on the last Sunday of October, CEST = UTC+2, else
//! CET = UTC+1), written here instead of pulling in a whole time-zone database for one zone
//! whose rule has not changed since 1996.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

/// The last Sunday of a month, at 01:00 UTC: when EU summer time starts or ends.
fn last_sunday_0100_utc(year: i32, month: u32) -> DateTime<Utc> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("a valid month");
    let last = first_of_next - Duration::days(1);
    let back = last.weekday().num_days_from_sunday() as i64;
    let sunday = last - Duration::days(back);
    sunday.and_hms_opt(1, 0, 0).expect("01:00 exists").and_utc()
}

/// Hours Amsterdam is ahead of UTC at `at`: 2 in summer time, 1 otherwise.
pub fn amsterdam_offset_hours(at: DateTime<Utc>) -> i64 {
    let y = at.year();
    if at >= last_sunday_0100_utc(y, 3) && at < last_sunday_0100_utc(y, 10) {
        2
    } else {
        1
    }
}

/// The wall-clock time in Amsterdam at `at` (what a form shows).
pub fn amsterdam_local(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    (at + Duration::hours(amsterdam_offset_hours(at))).naive_utc()
}

/// The moment a wall-clock time in Amsterdam names (what a form is filled in with). In the
/// autumn's repeated hour the earlier moment (summer time) is meant; a time in the spring's
/// skipped hour is read as winter time.
pub fn from_amsterdam_local(local: chrono::NaiveDateTime) -> DateTime<Utc> {
    for offset in [2, 1] {
        let at = (local - Duration::hours(offset)).and_utc();
        if amsterdam_offset_hours(at) == offset {
            return at;
        }
    }
    (local - Duration::hours(1)).and_utc()
}

/// The calendar date in Amsterdam at `at` (a letter written at 00:30 local time on 1 April is
/// dated 1 April, though it is still 31 March in UTC).
pub fn amsterdam_date(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(amsterdam_offset_hours(at))).date_naive()
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, "Meeus/Jones/
/// Butcher").
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a date")
}

/// The generally recognised holidays of the Algemene termijnenwet (art. 3): New Year's Day,
/// Easter Monday, Ascension Day, Whit Monday, Christmas Day and Boxing Day, King's Day
/// (27 April, the 26th when the 27th is a Sunday) and 5 May.
pub fn is_public_holiday(d: NaiveDate) -> bool {
    let y = d.year();
    let easter = easter_sunday(y);
    let kings_day = {
        let k = NaiveDate::from_ymd_opt(y, 4, 27).expect("27 April");
        if k.weekday() == Weekday::Sun {
            k - Duration::days(1)
        } else {
            k
        }
    };
    let fixed = [(1, 1), (5, 5), (12, 25), (12, 26)];
    fixed.contains(&(d.month(), d.day()))
        || d == kings_day
        || d == easter + Duration::days(1)
        || d == easter + Duration::days(39)
        || d == easter + Duration::days(50)
}

/// Whether a period ending on `d` is extended (Algemene termijnenwet, art. 1): a Saturday, a
/// Sunday or a public holiday.
pub fn is_non_working_day(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun) || is_public_holiday(d)
}

/// The last day to object ("bezwaartermijn"): six weeks starting the day after the letter is
/// sent (Awb art. 6:7 and 6:8), so six weeks after the day of sending; a last day on a
/// Saturday, Sunday or public holiday moves to the next working day (Algemene termijnenwet).
pub fn objection_deadline(sent_on: NaiveDate) -> NaiveDate {
    let mut last = sent_on + Duration::weeks(6);
    while is_non_working_day(last) {
        last += Duration::days(1);
    }
    last
}

/// A moment as a Dutch page writes it, in Amsterdam time: "1 maart 2025 om 01:00".
pub fn dutch_date_time(at: DateTime<Utc>) -> String {
    let local = at + Duration::hours(amsterdam_offset_hours(at));
    format!(
        "{} om {}",
        dutch_date(local.date_naive()),
        local.format("%H:%M")
    )
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A date as a Dutch letter writes it: "8 april 2025".
pub fn dutch_date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

#[cfg(test)]
mod tests {
    #[test]
    fn wall_clock_times_in_amsterdam_go_both_ways() {
        let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        // Winter: one hour ahead; summer: two.
        let winter = from_amsterdam_local(t("2026-01-15T17:00"));
        assert_eq!(winter.to_rfc3339(), "2026-01-15T16:00:00+00:00");
        let summer = from_amsterdam_local(t("2026-07-01T17:00"));
        assert_eq!(summer.to_rfc3339(), "2026-07-01T15:00:00+00:00");
        assert_eq!(amsterdam_local(summer), t("2026-07-01T17:00"));
        assert_eq!(amsterdam_local(winter), t("2026-01-15T17:00"));
        // 25 October 2026, 02:30 happens twice: the first (summer time) is meant.
        let twice = from_amsterdam_local(t("2026-10-25T02:30"));
        assert_eq!(twice.to_rfc3339(), "2026-10-25T00:30:00+00:00");
        // 29 March 2026, 02:30 does not exist: read as winter time.
        let skipped = from_amsterdam_local(t("2026-03-29T02:30"));
        assert_eq!(skipped.to_rfc3339(), "2026-03-29T01:30:00+00:00");
    }

    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
    }

    #[test]
    fn easter_falls_on_the_published_dates() {
        for (y, m, day) in [
            (2019, 4, 21),
            (2020, 4, 12),
            (2021, 4, 4),
            (2022, 4, 17),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), d(y, m, day), "{y}");
        }
    }

    #[test]
    fn the_holidays_of_the_algemene_termijnenwet() {
        // 2025: Easter 20 April.
        for h in [
            d(2025, 1, 1),
            d(2025, 4, 21),
            d(2025, 4, 26), // King's Day: the 27th is a Sunday
            d(2025, 5, 5),
            d(2025, 5, 29),
            d(2025, 6, 9),
            d(2025, 12, 25),
            d(2025, 12, 26),
        ] {
            assert!(is_public_holiday(h), "{h}");
        }
        for not in [
            d(2025, 4, 18), // Good Friday is no holiday under the Atw
            d(2025, 4, 20), // Easter Sunday is a Sunday, not a listed holiday
            d(2025, 4, 27),
            d(2025, 12, 31),
        ] {
            assert!(!is_public_holiday(not), "{not}");
        }
        // 2026: Easter 5 April; King's Day on Monday 27 April.
        for h in [
            d(2026, 4, 6),
            d(2026, 4, 27),
            d(2026, 5, 14),
            d(2026, 5, 25),
        ] {
            assert!(is_public_holiday(h), "{h}");
        }
        assert!(!is_public_holiday(d(2026, 4, 26)));
    }

    #[test]
    fn the_objection_period_ends_six_weeks_after_sending() {
        // Sent Tuesday 8 April 2025: six weeks later is Tuesday 20 May.
        assert_eq!(objection_deadline(d(2025, 4, 8)), d(2025, 5, 20));
        // Across a year's end: Wednesday 31 December 2025 → Wednesday 11 February 2026.
        assert_eq!(objection_deadline(d(2025, 12, 31)), d(2026, 2, 11));
    }

    #[test]
    fn a_last_day_on_a_weekend_moves_to_monday() {
        // Sent Saturday 12 April 2025 → Saturday 24 May → Monday 26 May.
        assert_eq!(objection_deadline(d(2025, 4, 12)), d(2025, 5, 26));
        // Sent Sunday → Sunday → Monday.
        assert_eq!(objection_deadline(d(2025, 9, 7)), d(2025, 10, 20));
    }

    #[test]
    fn a_last_day_on_a_holiday_moves_past_it() {
        // Easter-dependent, 2025: sent Monday 10 March → Monday 21 April, Easter Monday →
        // Tuesday 22 April.
        assert_eq!(objection_deadline(d(2025, 3, 10)), d(2025, 4, 22));
        // Ascension Day 2025 (Thursday 29 May): sent 17 April → 29 May → Friday 30 May.
        assert_eq!(objection_deadline(d(2025, 4, 17)), d(2025, 5, 30));
        // Whit Monday 2026 (25 May): sent 13 April → Tuesday 26 May.
        assert_eq!(objection_deadline(d(2026, 4, 13)), d(2026, 5, 26));
        // Ascension Day 2027 (6 May) after 5 May (Wednesday): sent 24 March → 5 May → 6 May
        // is a holiday too → Friday 7 May.
        assert_eq!(objection_deadline(d(2027, 3, 24)), d(2027, 5, 7));
        // Christmas 2026: sent Friday 13 November → Friday 25 December → Saturday, Sunday →
        // Monday 28 December.
        assert_eq!(objection_deadline(d(2026, 11, 13)), d(2026, 12, 28));
        // New Year's Day 2027 (Friday): sent 20 November 2026 → Monday 4 January.
        assert_eq!(objection_deadline(d(2026, 11, 20)), d(2027, 1, 4));
        // King's Day 2025 on Saturday 26 April: sent 15 March → Saturday 26 April → Monday
        // 28 April (27 April is no holiday that year).
        assert_eq!(objection_deadline(d(2025, 3, 15)), d(2025, 4, 28));
        // 5 May 2026 (Tuesday): sent 24 March → Wednesday 6 May.
        assert_eq!(objection_deadline(d(2026, 3, 24)), d(2026, 5, 6));
    }

    #[test]
    fn every_deadline_is_a_working_day_at_least_six_weeks_out() {
        let mut sent = d(2024, 1, 1);
        while sent < d(2031, 1, 1) {
            let last = objection_deadline(sent);
            assert!(!is_non_working_day(last), "{sent} → {last}");
            assert!(last >= sent + Duration::weeks(6));
            // Never further than the weekend plus two holidays in a row (Christmas).
            assert!(
                last <= sent + Duration::weeks(6) + Duration::days(4),
                "{sent}"
            );
            sent += Duration::days(1);
        }
    }

    #[test]
    fn dates_are_amsterdam_dates_in_winter_and_in_summer() {
        // 00:30 in Amsterdam on 1 April 2025 (summer time) is 22:30 UTC on 31 March.
        assert_eq!(amsterdam_date(utc(2025, 3, 31, 22, 30)), d(2025, 4, 1));
        assert_eq!(amsterdam_date(utc(2025, 3, 31, 21, 59)), d(2025, 3, 31));
        // 00:30 on 15 January (winter time) is 23:30 UTC on the 14th.
        assert_eq!(amsterdam_date(utc(2025, 1, 14, 23, 30)), d(2025, 1, 15));
        assert_eq!(amsterdam_date(utc(2025, 1, 14, 22, 59)), d(2025, 1, 14));
        // New Year's night in Amsterdam.
        assert_eq!(amsterdam_date(utc(2025, 12, 31, 23, 0)), d(2026, 1, 1));
    }

    #[test]
    fn summer_time_starts_and_ends_at_one_o_clock_utc_on_the_last_sundays() {
        // 2025: 30 March and 26 October.
        assert_eq!(amsterdam_offset_hours(utc(2025, 3, 30, 0, 59)), 1);
        assert_eq!(amsterdam_offset_hours(utc(2025, 3, 30, 1, 0)), 2);
        assert_eq!(amsterdam_offset_hours(utc(2025, 10, 26, 0, 59)), 2);
        assert_eq!(amsterdam_offset_hours(utc(2025, 10, 26, 1, 0)), 1);
        // 2026: 29 March and 25 October.
        assert_eq!(amsterdam_offset_hours(utc(2026, 3, 29, 1, 0)), 2);
        assert_eq!(amsterdam_offset_hours(utc(2026, 3, 28, 23, 0)), 1);
        assert_eq!(amsterdam_offset_hours(utc(2026, 10, 25, 1, 0)), 1);
        // A summer evening: 22:30 UTC on 1 July is 00:30 on 2 July.
        assert_eq!(amsterdam_date(utc(2026, 7, 1, 22, 30)), d(2026, 7, 2));
    }

    #[test]
    fn moments_are_written_in_amsterdam_time() {
        assert_eq!(
            dutch_date_time(utc(2025, 3, 1, 0, 0)),
            "1 maart 2025 om 01:00"
        );
        assert_eq!(
            dutch_date_time(utc(2025, 7, 1, 22, 30)),
            "2 juli 2025 om 00:30"
        );
    }

    #[test]
    fn dates_are_written_in_dutch() {
        assert_eq!(dutch_date(d(2025, 4, 8)), "8 april 2025");
        assert_eq!(dutch_date(d(2026, 12, 1)), "1 december 2026");
    }
}
