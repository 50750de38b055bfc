//! Property and example tests of the service-level rules.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, TimeZone as _, Utc};
use proptest::prelude::*;

use super::*;
use crate::status::Priority;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

fn at(h: u8, m: u8) -> TimeOfDay {
    TimeOfDay::new(h, m).unwrap_or(TimeOfDay::END_OF_DAY)
}

fn interval(start: (u8, u8), end: (u8, u8)) -> WorkingInterval {
    WorkingInterval::new(at(start.0, start.1), at(end.0, end.1))
}

fn calendar(zone: &str, week: Week, holidays: &[NaiveDate]) -> BusinessCalendar {
    let zone: TimeZone = zone.parse().unwrap_or_default();
    BusinessCalendar::new(zone, week, holidays.iter().copied()).unwrap_or_default()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The instant a wall clock in `zone` reads `y-m-d h:mi` (the earlier one when it reads
/// it twice).
fn local(zone: &str, (y, m, d): (i32, u32, u32), (h, mi): (u32, u32)) -> DateTime<Utc> {
    let zone: TimeZone = zone.parse().unwrap_or_default();
    zone.tz()
        .with_ymd_and_hms(y, m, d, h, mi, 0)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn paris(ymd: (i32, u32, u32), hm: (u32, u32)) -> DateTime<Utc> {
    local("Europe/Paris", ymd, hm)
}

fn hours(h: i64) -> TimeDelta {
    TimeDelta::hours(h)
}

/// Every day, all day.
fn round_the_clock(zone: &str) -> BusinessCalendar {
    let all_day = vec![interval((0, 0), (24, 0))];
    let week = Week {
        saturday: all_day.clone(),
        sunday: all_day.clone(),
        ..Week::weekdays(&all_day)
    };
    calendar(zone, week, &[])
}

/// Sundays 01:30-02:30 (across the hour the clocks skip or repeat in Paris), and
/// Mondays 09:00-10:00.
fn night_shift() -> BusinessCalendar {
    let week = Week {
        sunday: vec![interval((1, 30), (2, 30))],
        monday: vec![interval((9, 0), (10, 0))],
        ..Week::default()
    };
    calendar("Europe/Paris", week, &[])
}

// --- Examples with hand-computed answers (Europe/Paris, Monday to Friday 09:00-18:00
// unless said otherwise; 2026-01-16 is a Friday).

#[test]
fn friday_five_pm_plus_two_hours_is_monday_ten_am() -> Result {
    let calendar = BusinessCalendar::default();
    let due = calendar.add_business_time(paris((2026, 1, 16), (17, 0)), hours(2))?;
    assert_eq!(due, paris((2026, 1, 19), (10, 0)));
    Ok(())
}

#[test]
fn time_used_up_at_closing_ends_at_closing_not_at_the_next_opening() -> Result {
    let calendar = BusinessCalendar::default();
    let due = calendar.add_business_time(paris((2026, 1, 16), (17, 0)), hours(1))?;
    assert_eq!(due, paris((2026, 1, 16), (18, 0)));
    Ok(())
}

#[test]
fn counting_starts_at_the_next_opening_when_started_outside_working_hours() -> Result {
    let calendar = BusinessCalendar::default();
    let saturday = paris((2026, 1, 17), (11, 0));
    assert_eq!(
        calendar.add_business_time(saturday, hours(1))?,
        paris((2026, 1, 19), (10, 0))
    );
    let early_monday = paris((2026, 1, 19), (7, 0));
    assert_eq!(
        calendar.add_business_time(early_monday, TimeDelta::minutes(30))?,
        paris((2026, 1, 19), (9, 30))
    );
    assert_eq!(
        calendar.add_business_time(saturday, TimeDelta::zero())?,
        saturday
    );
    Ok(())
}

#[test]
fn a_holiday_is_skipped_whole() -> Result {
    let calendar = calendar(
        "Europe/Paris",
        BusinessCalendar::default().week().clone(),
        &[date(2026, 1, 19)],
    );
    let due = calendar.add_business_time(paris((2026, 1, 16), (17, 0)), hours(2))?;
    assert_eq!(due, paris((2026, 1, 20), (10, 0)));
    let monday = calendar
        .business_time_between(paris((2026, 1, 19), (0, 0)), paris((2026, 1, 20), (0, 0)))?;
    assert_eq!(monday, TimeDelta::zero());
    Ok(())
}

#[test]
fn a_lunch_break_does_not_count() -> Result {
    let week = Week::weekdays(&[interval((8, 30), (12, 0)), interval((13, 30), (17, 30))]);
    let calendar = calendar("Europe/Paris", week, &[]);
    let due = calendar.add_business_time(paris((2026, 1, 19), (11, 0)), hours(2))?;
    assert_eq!(due, paris((2026, 1, 19), (14, 30)));
    assert_eq!(calendar.week().minutes(), 5 * 450);
    Ok(())
}

#[test]
fn weeks_across_the_spring_clock_change_keep_nine_hour_days() -> Result {
    // Two 45-hour weeks from Monday 23 March 2026; the clocks go forward on Sunday 29th.
    let calendar = BusinessCalendar::default();
    let start = paris((2026, 3, 23), (9, 0));
    let due = calendar.add_business_time(start, hours(90))?;
    assert_eq!(due, paris((2026, 4, 3), (18, 0)));
    assert_eq!(
        due,
        Utc.with_ymd_and_hms(2026, 4, 3, 16, 0, 0)
            .single()
            .unwrap_or_default()
    );
    assert_eq!(calendar.business_time_between(start, due)?, hours(90));
    // Years of working time, counted a week at a time.
    let later = calendar.add_business_time(start, hours(45 * 52 * 5))?;
    assert_eq!(
        calendar.business_time_between(start, later)?,
        hours(45 * 52 * 5)
    );
    Ok(())
}

#[test]
fn clock_change_days_last_23_and_25_hours_round_the_clock() -> Result {
    for (zone, spring, autumn) in [
        ("Europe/Paris", (2026, 3, 29), (2026, 10, 25)),
        ("America/New_York", (2026, 3, 8), (2026, 11, 1)),
    ] {
        let calendar = round_the_clock(zone);
        let day = |(y, m, d): (i32, u32, u32)| -> Result<TimeDelta> {
            let next = date(y, m, d) + Days::new(1);
            let end = local(
                zone,
                (next.year_ce().1 as i32, next.month0() + 1, next.day0() + 1),
                (0, 0),
            );
            Ok(calendar.business_time_between(local(zone, (y, m, d), (0, 0)), end)?)
        };
        assert_eq!(day(spring)?, hours(23), "{zone}");
        assert_eq!(day(autumn)?, hours(25), "{zone}");
        assert_eq!(day((2026, 6, 10))?, hours(24), "{zone}");
    }
    Ok(())
}

use chrono::Datelike as _;

#[test]
fn an_interval_in_the_skipped_hour_loses_it_and_one_in_the_repeated_hour_counts_it_twice() -> Result
{
    let calendar = night_shift();
    let sunday = |(y, m, d): (i32, u32, u32)| -> Result<TimeDelta> {
        Ok(calendar.business_time_between(paris((y, m, d), (0, 0)), paris((y, m, d), (12, 0)))?)
    };
    // 01:30-02:30 on an ordinary Sunday: one hour.
    assert_eq!(sunday((2026, 3, 22))?, hours(1));
    // 29 March: 02:00 becomes 03:00, so only 01:30-02:00 is read on the clock.
    assert_eq!(sunday((2026, 3, 29))?, TimeDelta::minutes(30));
    // 25 October: 03:00 becomes 02:00, so 01:30-02:30 is read, then 02:00-02:30 again.
    assert_eq!(sunday((2026, 10, 25))?, TimeDelta::minutes(90));
    // 45 minutes from Saturday 28 March: the 30 minutes of Sunday, then Monday 09:15.
    let due = calendar.add_business_time(paris((2026, 3, 28), (12, 0)), TimeDelta::minutes(45))?;
    assert_eq!(due, paris((2026, 3, 30), (9, 15)));
    Ok(())
}

#[test]
fn an_unreachable_target_is_an_error_not_an_endless_search() {
    let one_minute = Week {
        sunday: vec![interval((10, 0), (10, 1))],
        ..Week::default()
    };
    let calendar = calendar("UTC", one_minute, &[]);
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let years = calendar.add_business_time(start, hours(24 * 365));
    assert_eq!(years, Err(BusinessTimeError::BeyondHorizon));
    assert_eq!(
        calendar.add_business_time(start, TimeDelta::seconds(-1)),
        Err(BusinessTimeError::NegativeDuration)
    );
    let far = start + TimeDelta::days(366 * (i64::from(HORIZON_YEARS) + 1));
    assert_eq!(
        calendar.business_time_between(start, far),
        Err(BusinessTimeError::BeyondHorizon)
    );
    assert_eq!(
        calendar.business_time_between(far, start),
        Ok(TimeDelta::zero())
    );
}

#[test]
fn the_edges_of_time_are_errors_not_panics() {
    let calendar = round_the_clock("Europe/Paris");
    let end = DateTime::<Utc>::MAX_UTC;
    assert_eq!(
        calendar.add_business_time(end, hours(1)),
        Err(BusinessTimeError::OutOfRange)
    );
    let start = DateTime::<Utc>::MIN_UTC;
    assert!(calendar.add_business_time(start, hours(1)).is_err());
    assert!(calendar.business_time_between(start, end).is_err());
    let mut ticket = TicketTimes::opened(end, Priority::Blocking);
    ticket.pauses.push(Pause {
        from: start,
        until: Some(end),
    });
    assert!(policy().state(&ticket, end).is_err());
}

// --- Due dates and states (targets on the default calendar; Monday 19 January 2026).

fn policy() -> ServiceLevelPolicy {
    let mut policy = ServiceLevelPolicy::default();
    policy.targets.normal = PriorityTargets {
        first_response: Some(BusinessDuration::hours(4)),
        resolution: Some(BusinessDuration::hours(16)),
    };
    policy.targets.blocking = PriorityTargets {
        first_response: Some(BusinessDuration::minutes(30)),
        resolution: Some(BusinessDuration::hours(4)),
    };
    policy.targets.high.resolution = Some(BusinessDuration::hours(8));
    policy
}

fn monday(h: u32, m: u32) -> DateTime<Utc> {
    paris((2026, 1, 19), (h, m))
}

fn tuesday(h: u32, m: u32) -> DateTime<Utc> {
    paris((2026, 1, 20), (h, m))
}

#[test]
fn due_dates_at_opening_follow_the_priority_targets() -> Result {
    let due = policy().due_at_opening(monday(9, 0), Priority::Normal)?;
    assert_eq!(due.first_response, Some(monday(13, 0)));
    assert_eq!(due.resolution, Some(tuesday(16, 0)));
    let high = policy().due_at_opening(monday(9, 0), Priority::High)?;
    assert_eq!(
        high,
        DueDates {
            first_response: None,
            resolution: Some(monday(17, 0))
        }
    );
    assert_eq!(
        policy().due_at_opening(monday(9, 0), Priority::Low)?,
        DueDates::default()
    );
    Ok(())
}

#[test]
fn waiting_on_the_requester_moves_the_resolution_due_date_by_the_working_time_waited() -> Result {
    let mut ticket = TicketTimes::opened(monday(9, 0), Priority::High);
    // Waiting from 10:00 to 14:00: four working hours, so 17:00 becomes Tuesday 12:00.
    ticket.pauses.push(Pause {
        from: monday(10, 0),
        until: Some(monday(14, 0)),
    });
    assert_eq!(
        policy().due_dates(&ticket, tuesday(9, 0))?.resolution,
        Some(tuesday(12, 0))
    );
    // Waiting overnight only costs the working hours in it.
    let mut overnight = TicketTimes::opened(monday(9, 0), Priority::High);
    overnight.pauses.push(Pause {
        from: monday(16, 0),
        until: Some(tuesday(10, 0)),
    });
    assert_eq!(
        policy().due_dates(&overnight, tuesday(11, 0))?.resolution,
        Some(tuesday(11, 0))
    );
    // Waiting that starts after the due date does not undo the breach.
    let mut late = TicketTimes::opened(monday(9, 0), Priority::High);
    late.pauses.push(Pause {
        from: monday(17, 30),
        until: Some(tuesday(12, 0)),
    });
    let state = policy().state(&late, tuesday(13, 0))?;
    assert_eq!(
        state.resolution.map(|s| (s.due, s.status)),
        Some((monday(17, 0), SlaStatus::Breached))
    );
    Ok(())
}

#[test]
fn while_waiting_the_resolution_clock_is_stopped_and_shows_paused() -> Result {
    let mut ticket = TicketTimes::opened(monday(9, 0), Priority::High);
    ticket.first_response_at = Some(monday(9, 30));
    ticket.pauses.push(Pause {
        from: monday(11, 0),
        until: None,
    });
    // Six working hours were left at 11:00; at Tuesday 10:00 they run from then.
    let state = policy().state(&ticket, tuesday(10, 0))?;
    assert_eq!(
        state.resolution,
        Some(TargetState {
            due: tuesday(16, 0),
            status: SlaStatus::Paused
        })
    );
    assert_eq!(state.first_response, None);
    Ok(())
}

#[test]
fn a_priority_change_recomputes_from_the_opening_with_the_new_targets() -> Result {
    let mut ticket = TicketTimes::opened(monday(9, 0), Priority::Normal);
    ticket.first_response_at = Some(monday(12, 0));
    ticket
        .priority_changes
        .push((monday(15, 0), Priority::Blocking));
    // Before the change: normal targets.
    let before = policy().state(&ticket, monday(14, 0))?;
    assert_eq!(
        before.resolution,
        Some(TargetState {
            due: tuesday(16, 0),
            status: SlaStatus::OnTime
        })
    );
    // Blocking from the opening: resolution was due at 13:00, so breached at once.
    let after = policy().state(&ticket, monday(15, 0))?;
    assert_eq!(
        after.resolution,
        Some(TargetState {
            due: monday(13, 0),
            status: SlaStatus::Breached
        })
    );
    // The first response came under the normal priority, in time: it stays met.
    assert_eq!(
        after.first_response,
        Some(TargetState {
            due: monday(13, 0),
            status: SlaStatus::Met
        })
    );
    // Lowered again later: the normal targets apply again.
    ticket
        .priority_changes
        .push((tuesday(9, 0), Priority::Normal));
    let lowered = policy().state(&ticket, tuesday(9, 0))?;
    assert_eq!(
        lowered.resolution.map(|s| s.status),
        Some(SlaStatus::OnTime)
    );
    Ok(())
}

#[test]
fn targets_are_on_time_then_due_soon_then_breached_or_met() -> Result {
    let ticket = TicketTimes::opened(monday(9, 0), Priority::Normal);
    let first = |now| -> Result<Option<SlaStatus>> {
        Ok(policy()
            .state(&ticket, now)?
            .first_response
            .map(|s| s.status))
    };
    assert_eq!(first(monday(9, 0))?, Some(SlaStatus::OnTime));
    assert_eq!(first(monday(12, 0))?, Some(SlaStatus::OnTime));
    assert_eq!(first(monday(12, 1))?, Some(SlaStatus::DueSoon));
    assert_eq!(first(monday(13, 0))?, Some(SlaStatus::DueSoon));
    assert_eq!(first(monday(13, 1))?, Some(SlaStatus::Breached));
    let mut answered = ticket.clone();
    answered.first_response_at = Some(monday(13, 0));
    assert_eq!(
        policy()
            .state(&answered, tuesday(9, 0))?
            .first_response
            .map(|s| s.status),
        Some(SlaStatus::Met)
    );
    answered.first_response_at = Some(monday(13, 1));
    assert_eq!(
        policy()
            .state(&answered, tuesday(9, 0))?
            .first_response
            .map(|s| s.status),
        Some(SlaStatus::Breached)
    );
    // A response recorded after `now` has not happened yet.
    assert_eq!(
        policy()
            .state(&answered, monday(10, 0))?
            .first_response
            .map(|s| s.status),
        Some(SlaStatus::OnTime)
    );
    let mut resolved = ticket.clone();
    resolved.resolved_at = Some(tuesday(15, 0));
    assert_eq!(
        policy()
            .state(&resolved, tuesday(17, 0))?
            .resolution
            .map(|s| s.status),
        Some(SlaStatus::Met)
    );
    Ok(())
}

#[test]
fn states_and_due_dates_have_a_stable_json_shape() -> Result {
    let state = SlaState {
        first_response: Some(TargetState {
            due: monday(13, 0),
            status: SlaStatus::DueSoon,
        }),
        resolution: None,
    };
    assert_eq!(
        serde_json::to_value(state)?,
        serde_json::json!({
            "first_response": {"due": "2026-01-19T12:00:00Z", "status": "due_soon"},
            "resolution": null
        })
    );
    let due = DueDates {
        first_response: None,
        resolution: Some(monday(17, 0)),
    };
    assert_eq!(
        serde_json::to_value(due)?,
        serde_json::json!({"first_response": null, "resolution": "2026-01-19T16:00:00Z"})
    );
    Ok(())
}

// --- Properties.

fn calendars() -> Vec<BusinessCalendar> {
    let split = Week::weekdays(&[interval((8, 30), (12, 0)), interval((13, 30), (17, 30))]);
    let holidays = [
        date(2026, 1, 1),
        date(2026, 4, 6),
        date(2026, 5, 1),
        date(2026, 12, 25),
        date(2027, 1, 1),
    ];
    vec![
        BusinessCalendar::default(),
        calendar("Europe/Paris", split, &holidays),
        calendar(
            "America/New_York",
            Week::weekdays(&[interval((9, 0), (17, 0))]),
            &holidays,
        ),
        round_the_clock("Europe/Paris"),
        round_the_clock("America/New_York"),
        night_shift(),
    ]
}

/// Clock changes in 2026: Paris 29 March and 25 October, New York 8 March and
/// 1 November (01:00 UTC, 07:00 UTC and 06:00 UTC).
fn clock_changes() -> Vec<DateTime<Utc>> {
    [(3, 29, 1), (10, 25, 1), (3, 8, 7), (11, 1, 6)]
        .into_iter()
        .filter_map(|(m, d, h)| Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).single())
        .collect()
}

/// Any instant from 2025 to 2028, or one within four days of a clock change.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let base = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    prop_oneof![
        (0i64..4 * 366 * 86_400).prop_map(move |s| base + TimeDelta::seconds(s)),
        (
            prop::sample::select(clock_changes()),
            -4 * 86_400i64..4 * 86_400
        )
            .prop_map(|(change, s)| change + TimeDelta::seconds(s)),
    ]
}

/// Up to 2,000 hours, to the second, often whole minutes.
fn duration() -> impl Strategy<Value = TimeDelta> {
    prop_oneof![
        (0i64..2_000 * 60).prop_map(TimeDelta::minutes),
        (0i64..2_000 * 3_600).prop_map(TimeDelta::seconds),
    ]
}

fn calendar_strategy() -> impl Strategy<Value = BusinessCalendar> {
    prop::sample::select(calendars())
}

/// Whether `instant` ends some working time: inside a working span or at its end.
fn ends_working_time(calendar: &BusinessCalendar, instant: DateTime<Utc>) -> bool {
    let date = calendar.time_zone().date_at(instant).unwrap_or_default();
    [date.pred_opt(), Some(date)]
        .into_iter()
        .flatten()
        .filter_map(|d| calendar.spans(d).ok())
        .flatten()
        .any(|(start, end)| start < instant && instant <= end)
}

/// The working time between two instants, day by day (no whole-week steps).
fn day_by_day(calendar: &BusinessCalendar, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
    let zone = calendar.time_zone();
    let mut date = zone.date_at(from).unwrap_or_default();
    let mut total = TimeDelta::zero();
    while Some(date) <= zone.date_at(to) {
        let spans: Vec<_> = calendar
            .spans(date)
            .unwrap_or_default()
            .into_iter()
            .map(|(s, e)| (s.max(from), e.min(to)))
            .filter(|(s, e)| s < e)
            .collect();
        total += super::day::total(&spans);
        date = date + Days::new(1);
    }
    total
}

fn ticket() -> impl Strategy<Value = (TicketTimes, DateTime<Utc>)> {
    let priority = prop::sample::select(Priority::ALL.to_vec());
    let pause = (0i64..30 * 86_400, prop::option::of(0i64..5 * 86_400));
    (
        instant(),
        priority.clone(),
        prop::collection::vec(pause, 0..4),
        prop::collection::vec((0i64..30 * 86_400, priority), 0..3),
        0i64..40 * 86_400,
    )
        .prop_map(|(opened, priority, pauses, changes, now)| {
            let secs = TimeDelta::seconds;
            let ticket = TicketTimes {
                pauses: pauses
                    .into_iter()
                    .map(|(from, len)| Pause {
                        from: opened + secs(from),
                        until: len.map(|l| opened + secs(from + l)),
                    })
                    .collect(),
                priority_changes: changes
                    .into_iter()
                    .map(|(at, p)| (opened + secs(at), p))
                    .collect(),
                ..TicketTimes::opened(opened, priority)
            };
            (ticket, opened + secs(now))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn adding_more_time_never_ends_earlier(
        calendar in calendar_strategy(), start in instant(), a in duration(), b in duration()
    ) {
        let (short, long) = (a.min(b), a.max(b));
        let (short, long) = (calendar.add_business_time(start, short), calendar.add_business_time(start, long));
        prop_assert!(short.is_ok() && long.is_ok());
        prop_assert!(short.ok() <= long.ok());
    }

    #[test]
    fn the_time_between_a_start_and_start_plus_d_is_d(
        calendar in calendar_strategy(), start in instant(), d in duration()
    ) {
        let end = calendar.add_business_time(start, d);
        prop_assert!(end.is_ok());
        let end = end.unwrap_or(start);
        prop_assert!(end >= start);
        prop_assert_eq!(calendar.business_time_between(start, end), Ok(d));
        if d > TimeDelta::zero() {
            prop_assert!(ends_working_time(&calendar, end), "{} lands outside working time", end);
        }
    }

    #[test]
    fn whole_weeks_count_exactly_what_their_days_count(
        calendar in calendar_strategy(), from in instant(), days in 0i64..120, extra in 0i64..86_400
    ) {
        let to = from + TimeDelta::days(days) + TimeDelta::seconds(extra);
        prop_assert_eq!(calendar.business_time_between(from, to), Ok(day_by_day(&calendar, from, to)));
    }

    #[test]
    fn working_time_adds_up_over_consecutive_stretches(
        calendar in calendar_strategy(), a in instant(), b in instant(), c in instant()
    ) {
        let mut sorted = [a, b, c];
        sorted.sort();
        let [a, b, c] = sorted;
        let between = |x, y| calendar.business_time_between(x, y).unwrap_or(TimeDelta::MIN);
        prop_assert_eq!(between(a, c), between(a, b) + between(b, c));
    }

    #[test]
    fn holidays_and_weekends_give_no_working_time(
        calendar in calendar_strategy(), day in 0u64..4 * 366
    ) {
        let date = date(2025, 1, 1) + Days::new(day);
        let spans = calendar.spans(date).unwrap_or_default();
        if calendar.is_holiday(date) || calendar.week().day(chrono::Datelike::weekday(&date)).is_empty() {
            prop_assert!(spans.is_empty());
        }
        let with_holiday = BusinessCalendar::new(
            calendar.time_zone(),
            calendar.week().clone(),
            calendar.holidays().iter().copied().chain([date]),
        );
        prop_assert!(with_holiday.is_ok());
        let with_holiday = with_holiday.unwrap_or_default();
        prop_assert!(with_holiday.spans(date).unwrap_or_default().is_empty());
        // A day off more never makes anything due earlier.
        let start = date.and_hms_opt(0, 0, 0).map(|n| n.and_utc() - TimeDelta::days(3));
        let start = start.unwrap_or_default();
        let d = TimeDelta::hours(40);
        let (without, with) = (calendar.add_business_time(start, d), with_holiday.add_business_time(start, d));
        prop_assert!(without.is_ok() && with.is_ok());
        prop_assert!(without.ok() <= with.ok());
    }

    #[test]
    fn a_clock_change_day_round_the_clock_lasts_what_elapses(
        zone in prop::sample::select(vec!["Europe/Paris", "America/New_York"]), day in 0u64..4 * 366
    ) {
        let calendar = round_the_clock(zone);
        let tz = calendar.time_zone().tz();
        let date = date(2025, 1, 1) + Days::new(day);
        let midnight = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|n| n.and_local_timezone(tz).earliest())
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        let (start, end) = (midnight(date), midnight(date + Days::new(1)));
        prop_assert_eq!(calendar.business_time_between(start, end), Ok(end - start));
    }

    #[test]
    fn waiting_never_makes_a_due_date_earlier(
        (ticket, now) in ticket(), from in 0i64..30 * 86_400, len in 1i64..5 * 86_400
    ) {
        let policy = {
            let mut p = policy();
            p.targets.low.resolution = Some(BusinessDuration::hours(40));
            p
        };
        let before = policy.due_dates(&ticket, now);
        let mut waited = ticket.clone();
        let from = ticket.opened_at + TimeDelta::seconds(from);
        waited.pauses.push(Pause { from, until: Some(from + TimeDelta::seconds(len)) });
        let after = policy.due_dates(&waited, now);
        prop_assert!(before.is_ok() && after.is_ok());
        let (before, after) = (before.unwrap_or_default(), after.unwrap_or_default());
        prop_assert!(before.resolution <= after.resolution);
        prop_assert_eq!(before.first_response, after.first_response);
        // The state never panics and a met target stays met later on.
        prop_assert!(policy.state(&waited, now).is_ok());
    }
}

/// A valid week of random intervals: per day up to three, from sorted distinct minutes.
fn random_week() -> impl Strategy<Value = Week> {
    let day = prop::collection::btree_set(0u16..=1440, 0..=6).prop_map(|minutes| {
        let minutes: Vec<u16> = minutes.into_iter().collect();
        minutes
            .chunks_exact(2)
            .filter_map(|pair| {
                let time = |m: u16| TimeOfDay::new((m / 60) as u8, (m % 60) as u8);
                Some(WorkingInterval::new(time(pair[0])?, time(pair[1])?))
            })
            .collect::<Vec<_>>()
    });
    prop::collection::vec(day, 7).prop_map(|mut days| {
        let mut next = || days.pop().unwrap_or_default();
        Week {
            monday: next(),
            tuesday: next(),
            wednesday: next(),
            thursday: next(),
            friday: next(),
            saturday: next(),
            sunday: next(),
        }
    })
}

/// Zones with odd rules: half-hour clock changes (Lord Howe), offsets of 12:45 and
/// 13:45 (Chatham), clock changes at midnight (Santiago, São Paulo until 2019), none
/// (Kolkata).
fn odd_zone() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "America/Santiago",
        "America/Sao_Paulo",
        "Asia/Kolkata",
        "Europe/London",
        "UTC",
    ])
}

/// Any instant from 2017 to 2028.
fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    let base = Utc
        .with_ymd_and_hms(2017, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    (0i64..12 * 366 * 86_400).prop_map(move |s| base + TimeDelta::seconds(s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_valid_calendar_in_any_zone_keeps_add_and_between_consistent(
        week in random_week(), zone in odd_zone(), start in any_instant(), d in duration(),
        days in 0i64..60
    ) {
        prop_assume!(week.check().is_ok());
        let zone: TimeZone = zone.parse().unwrap_or_default();
        let calendar = BusinessCalendar::new(zone, week, []);
        prop_assert!(calendar.is_ok());
        let calendar = calendar.unwrap_or_default();
        let end = calendar.add_business_time(start, d);
        prop_assert!(end.is_ok());
        let end = end.unwrap_or(start);
        prop_assert!(end >= start);
        prop_assert_eq!(calendar.business_time_between(start, end), Ok(d));
        if d > TimeDelta::zero() {
            prop_assert!(ends_working_time(&calendar, end), "{} lands outside working time", end);
        }
        let to = start + TimeDelta::days(days);
        prop_assert_eq!(calendar.business_time_between(start, to), Ok(day_by_day(&calendar, start, to)));
    }
}

/// The OpenAPI schemas say what the JSON carries: names of zones, `HH:MM` times, dates.
#[cfg(feature = "openapi")]
#[test]
fn the_openapi_schemas_describe_the_json_shape() -> Result {
    use utoipa::PartialSchema as _;
    let calendar = serde_json::to_value(BusinessCalendar::schema())?;
    let properties = &calendar["properties"];
    assert_eq!(
        properties["time_zone"]["$ref"], "#/components/schemas/TimeZone",
        "{calendar}"
    );
    let zone = serde_json::to_value(TimeZone::schema())?;
    assert_eq!(zone["type"], "string", "{zone}");
    assert_eq!(
        properties["holidays"]["items"]["format"], "date",
        "{calendar}"
    );
    let interval = serde_json::to_value(WorkingInterval::schema())?;
    assert_eq!(
        interval["properties"]["start"]["$ref"], "#/components/schemas/TimeOfDay",
        "{interval}"
    );
    let time = serde_json::to_value(TimeOfDay::schema())?;
    assert_eq!(
        (&time["type"], &time["example"]),
        (&"string".into(), &"08:30".into()),
        "{time}"
    );
    let duration = serde_json::to_value(BusinessDuration::schema())?;
    assert_eq!(duration["type"], "integer", "{duration}");
    Ok(())
}
