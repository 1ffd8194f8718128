//! `calendar` (facts §5.51; the types of the arithmetic, calendar-fact and epoch functions are
//! this project's, see `stdlib/calendar.mix`).
//!
//! Values are Mix data, as the facts say ("escape-tagged case values" that records and the
//! database can hold): a case whose argument is canonical ISO-8601 text, so values print
//! readably, survive EscJSON and compare correctly within their type:
//!
//! | type | value |
//! |---|---|
//! | `t_date` | `calendar.date("2024-01-15")` |
//! | `t_dateTime` | `calendar.dateTime("2024-01-15T10:30:00")` (`.mmm` when there are milliseconds) |
//! | `t_timestamp` | `calendar.timestamp(["2024-01-15T08:30:00Z", "UTC+02:00"])`: the instant in UTC, then the timezone |
//! | `t_time` | `calendar.time("10:30:00")` |
//!
//! Years are 0000–9999 (so the text is fixed-width and orders like the value) and precision is
//! the millisecond. No timezone database is available offline: timezones are `"UTC"` and fixed
//! offsets `"UTC+hh:mm"`/`"UTC-hh:mm"` (also accepted: `"Z"`, `"GMT"`, `"+hh:mm"`, `"UTC+hh"`,
//! `"UTC+hhmm"`); a political name such as `"Europe/Paris"` is a runtime error, and `localNow`
//! is UTC. `tzOffset` is in seconds east of UTC; `reprTimestamp`, `reprTime`,
//! `secondsSinceEpoch`, `diffSeconds` and `diffTimes` count seconds (fractional for
//! milliseconds). An undefined argument gives `undefined`.

use std::rc::Rc;

use crate::error::{RtError, RtResult};
use crate::native::{Host, NativeDef};
use crate::stream::Stream;
use crate::value::{Obj, Value};

use super::number::{any_undefined, num_arg, type_error};
use super::string::str_arg;

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
const MINUTE: i64 = 60_000;
const SECOND: i64 = 1000;
/// 0000-01-01 and 9999-12-31 in days since 1970-01-01.
const MIN_DAYS: i64 = -719_528;
const MAX_DAYS: i64 = 2_932_896;
/// Input fields beyond this magnitude are bad even for `normIfBad` (keeps arithmetic exact).
const MAX_FIELD: f64 = 1e9;
/// The same for years (their days in milliseconds must fit an `i64`).
const MAX_YEAR: f64 = 1e6;

pub fn natives() -> Vec<NativeDef> {
    defs![
        "calendar.makeDate" 4 make_date,
        "calendar.importDate" 2 |_, a| import(a, "calendar.importDate", Kind::Date),
        "calendar.makeDateTime" 7 make_date_time,
        "calendar.importDateTime" 2 |_, a| import(a, "calendar.importDateTime", Kind::DateTime),
        "calendar.makeTimestamp" 9 make_timestamp,
        "calendar.importTimestamp" 2 |_, a| import(a, "calendar.importTimestamp", Kind::Timestamp),
        "calendar.reprTimestamp" 2 repr_timestamp,
        "calendar.makeTime" 3 make_time,
        "calendar.importTime" 1 import_time,
        "calendar.year" 1 |_, a| field(a, "calendar.year", Field::Year),
        "calendar.month" 1 |_, a| field(a, "calendar.month", Field::Month),
        "calendar.day" 1 |_, a| field(a, "calendar.day", Field::Day),
        "calendar.hour" 1 |_, a| field(a, "calendar.hour", Field::Hour),
        "calendar.minute" 1 |_, a| field(a, "calendar.minute", Field::Minute),
        "calendar.second" 1 |_, a| field(a, "calendar.second", Field::Second),
        "calendar.tzName" 1 tz_name,
        "calendar.tzOffset" 1 tz_offset,
        "calendar.toDate" 1 to_date,
        "calendar.toDateTime" 1 to_date_time,
        "calendar.toTimestamp" 2 to_timestamp,
        "calendar.toString" 1 to_string,
        "calendar.toDBString" 1 to_db_string,
        "calendar.parse" 1 |_, a| parse(a, "calendar.parse", false),
        "calendar.parseResult" 1 |_, a| parse(a, "calendar.parseResult", true),
        "calendar.export" 1 export,
        "calendar.format" 2 format,
        "calendar.reprTime" 1 repr_time,
        "calendar.toTime" 1 to_time,
        "calendar.setDay" 2 |_, a| set(a, "calendar.setDay", Field::Day),
        "calendar.setMonth" 2 |_, a| set(a, "calendar.setMonth", Field::Month),
        "calendar.setYear" 2 |_, a| set(a, "calendar.setYear", Field::Year),
        "calendar.setHour" 2 |_, a| set(a, "calendar.setHour", Field::Hour),
        "calendar.setMinute" 2 |_, a| set(a, "calendar.setMinute", Field::Minute),
        "calendar.setSecond" 2 |_, a| set(a, "calendar.setSecond", Field::Second),
        "calendar.setTimezone" 2 set_timezone,
        "calendar.addDays" 2 |_, a| add(a, "calendar.addDays", Unit::Days, 1),
        "calendar.addMonths" 2 |_, a| add(a, "calendar.addMonths", Unit::Months, 1),
        "calendar.addYears" 2 |_, a| add(a, "calendar.addYears", Unit::Years, 1),
        "calendar.addHours" 2 |_, a| add(a, "calendar.addHours", Unit::Ms(HOUR), 1),
        "calendar.addMinutes" 2 |_, a| add(a, "calendar.addMinutes", Unit::Ms(MINUTE), 1),
        "calendar.addSeconds" 2 |_, a| add(a, "calendar.addSeconds", Unit::Ms(SECOND), 1),
        "calendar.addTimes" 2 |_, a| add_times(a, "calendar.addTimes", 1),
        "calendar.subDays" 2 |_, a| add(a, "calendar.subDays", Unit::Days, -1),
        "calendar.subMonths" 2 |_, a| add(a, "calendar.subMonths", Unit::Months, -1),
        "calendar.subYears" 2 |_, a| add(a, "calendar.subYears", Unit::Years, -1),
        "calendar.subHours" 2 |_, a| add(a, "calendar.subHours", Unit::Ms(HOUR), -1),
        "calendar.subMinutes" 2 |_, a| add(a, "calendar.subMinutes", Unit::Ms(MINUTE), -1),
        "calendar.subSeconds" 2 |_, a| add(a, "calendar.subSeconds", Unit::Ms(SECOND), -1),
        "calendar.subTimes" 2 |_, a| add_times(a, "calendar.subTimes", -1),
        "calendar.diffDays" 2 |_, a| diff(a, "calendar.diffDays", Unit::Days),
        "calendar.diffMonths" 2 |_, a| diff(a, "calendar.diffMonths", Unit::Months),
        "calendar.diffYears" 2 |_, a| diff(a, "calendar.diffYears", Unit::Years),
        "calendar.diffHours" 2 |_, a| diff(a, "calendar.diffHours", Unit::Ms(HOUR)),
        "calendar.diffMinutes" 2 |_, a| diff(a, "calendar.diffMinutes", Unit::Ms(MINUTE)),
        "calendar.diffSeconds" 2 |_, a| diff(a, "calendar.diffSeconds", Unit::Ms(SECOND)),
        "calendar.diffTimes" 2 diff_times,
        "calendar.isLeapYear" 1 is_leap_year,
        "calendar.numDaysOfYear" 1 num_days_of_year,
        "calendar.numDaysOfMonth" 2 num_days_of_month,
        "calendar.firstDayOfMonth" 1 |_, a| day_of(a, "calendar.firstDayOfMonth", |y, m| (y, m, 1)),
        "calendar.firstDayOfYear" 1 |_, a| day_of(a, "calendar.firstDayOfYear", |y, _| (y, 1, 1)),
        "calendar.lastDayOfMonth" 1 |_, a| day_of(a, "calendar.lastDayOfMonth", |y, m| (y, m, days_in_month(y, m))),
        "calendar.lastDayOfYear" 1 |_, a| day_of(a, "calendar.lastDayOfYear", |y, _| (y, 12, 31)),
        "calendar.dayOfYear" 1 day_of_year,
        "calendar.daysSinceEpoch" 1 days_since_epoch,
        "calendar.secondsSinceEpoch" 1 seconds_since_epoch,
        "calendar.dayRange" 2 day_range,
        "calendar.now" 1 |h, _| Ok(encode(Cal::Timestamp(h.now_millis(), Tz(0)))),
        "calendar.localNow" 1 |h, _| Ok(encode(Cal::DateTime(h.now_millis()))),
        "calendar.epoch" 0 |_, _| Ok(encode(Cal::Timestamp(0, Tz(0)))),
        "calendar.epochDate" 0 |_, _| Ok(encode(Cal::Date(0))),
        "calendar.epochDateTime" 0 |_, _| Ok(encode(Cal::DateTime(0))),
    ]
}

// ----- the civil calendar -----

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day number.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// ----- values -----

/// A fixed offset from UTC, in seconds east.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tz(i32);

impl Tz {
    fn name(self) -> String {
        if self.0 == 0 {
            "UTC".into()
        } else {
            format!("UTC{}", offset_text(self.0, true))
        }
    }
}

/// `+02:00` (or `+0200` without the colon).
fn offset_text(secs: i32, colon: bool) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let sep = if colon { ":" } else { "" };
    format!("{sign}{:02}{sep}{:02}", a / 3600, a / 60 % 60)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cal {
    /// Days since 1970-01-01.
    Date(i64),
    /// Milliseconds since 1970-01-01T00:00:00, a wall-clock time without timezone.
    DateTime(i64),
    /// The instant (milliseconds since the Unix epoch) and the timezone it is seen in.
    Timestamp(i64, Tz),
    /// Milliseconds since midnight.
    Time(i64),
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Date,
    DateTime,
    Timestamp,
}

impl Cal {
    /// The wall-clock time in milliseconds since 1970-01-01T00:00 (dates at midnight).
    fn local(self) -> Option<i64> {
        match self {
            Cal::Date(d) => Some(d * DAY),
            Cal::DateTime(ms) => Some(ms),
            Cal::Timestamp(ms, tz) => Some(ms + tz.0 as i64 * SECOND),
            Cal::Time(_) => None,
        }
    }

    /// The same kind of value at another wall-clock time (a date keeps only the day).
    fn with_local(self, local: i64) -> Cal {
        match self {
            Cal::Date(_) => Cal::Date(local.div_euclid(DAY)),
            Cal::DateTime(_) => Cal::DateTime(local),
            Cal::Timestamp(_, tz) => Cal::Timestamp(local - tz.0 as i64 * SECOND, tz),
            Cal::Time(_) => Cal::Time(local.rem_euclid(DAY)),
        }
    }

    /// Milliseconds on one time line for differences: instants for timestamps, the wall clock
    /// read as UTC for the others.
    fn line(self) -> i64 {
        match self {
            Cal::Date(d) => d * DAY,
            Cal::DateTime(ms) | Cal::Timestamp(ms, _) | Cal::Time(ms) => ms,
        }
    }

    fn in_range(self) -> bool {
        let ok = |ms: i64| (MIN_DAYS * DAY..(MAX_DAYS + 1) * DAY).contains(&ms);
        match self {
            Cal::Date(d) => (MIN_DAYS..=MAX_DAYS).contains(&d),
            Cal::DateTime(ms) => ok(ms),
            Cal::Timestamp(ms, _) => ok(ms) && self.local().is_some_and(ok),
            Cal::Time(ms) => (0..DAY).contains(&ms),
        }
    }
}

fn checked(name: &str, c: Cal) -> RtResult<Cal> {
    if c.in_range() {
        Ok(c)
    } else {
        Err(RtError::runtime(format!(
            "{name}: the result is outside the years 0000-9999"
        )))
    }
}

fn fmt_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn fmt_time(ms: i64) -> String {
    let (h, mi, s, milli) = (ms / HOUR, ms / MINUTE % 60, ms / SECOND % 60, ms % SECOND);
    if milli == 0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else {
        format!("{h:02}:{mi:02}:{s:02}.{milli:03}")
    }
}

fn fmt_local(ms: i64) -> String {
    format!(
        "{}T{}",
        fmt_date(ms.div_euclid(DAY)),
        fmt_time(ms.rem_euclid(DAY))
    )
}

/// ISO-8601 text: the date, the date-time, the local time with its offset (`Z` in UTC).
fn iso(c: Cal) -> String {
    match c {
        Cal::Date(d) => fmt_date(d),
        Cal::DateTime(ms) => fmt_local(ms),
        Cal::Timestamp(ms, tz) => {
            let zone = if tz.0 == 0 {
                "Z".to_string()
            } else {
                offset_text(tz.0, true)
            };
            format!("{}{zone}", fmt_local(ms + tz.0 as i64 * SECOND))
        }
        Cal::Time(ms) => fmt_time(ms),
    }
}

fn encode(c: Cal) -> Value {
    let (name, arg) = match c {
        Cal::Date(_) => ("calendar.date", Value::str(iso(c))),
        Cal::DateTime(_) => ("calendar.dateTime", Value::str(iso(c))),
        Cal::Timestamp(ms, tz) => (
            "calendar.timestamp",
            Value::array(vec![
                Value::str(format!("{}Z", fmt_local(ms))),
                Value::str(tz.name()),
            ]),
        ),
        Cal::Time(_) => ("calendar.time", Value::str(iso(c))),
    };
    Value::case(name, Some(arg))
}

fn decode(v: &Value) -> Option<Cal> {
    let Value::Case(c) = v else { return None };
    let arg = c.arg.as_ref()?;
    match (&*c.name, arg) {
        ("calendar.date", Value::Str(s)) => match parse_iso(s).ok()? {
            d @ Cal::Date(_) => Some(d),
            _ => None,
        },
        ("calendar.dateTime", Value::Str(s)) => match parse_iso(s).ok()? {
            d @ Cal::DateTime(_) => Some(d),
            _ => None,
        },
        ("calendar.time", Value::Str(s)) => parse_time_of_day(s.as_bytes()).map(Cal::Time),
        ("calendar.timestamp", Value::Array(parts)) if parts.len() == 2 => {
            let instant = match parse_iso(parts[0].as_str()?).ok()? {
                Cal::Timestamp(ms, Tz(0)) => ms,
                _ => return None,
            };
            let tz = parse_tz(parts[1].as_str()?).ok()?;
            Some(Cal::Timestamp(instant, tz))
        }
        _ => None,
    }
    .filter(|c| c.in_range())
}

/// The calendar value argument `i`.
fn cal(args: &[Value], i: usize, name: &str) -> RtResult<Cal> {
    decode(&args[i]).ok_or_else(|| type_error(name, "a calendar value", &args[i]))
}

/// A date, date-time or timestamp (not a time of day).
fn dated(args: &[Value], i: usize, name: &str) -> RtResult<Cal> {
    match cal(args, i, name)? {
        Cal::Time(_) => Err(RtError::runtime(format!(
            "{name}: expected a date, date-time or timestamp, got a time of day"
        ))),
        c => Ok(c),
    }
}

// ----- parsing -----

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = b.get(at..at + n)?;
    if !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(part.iter().fold(0, |acc, d| acc * 10 + (d - b'0') as i64))
}

/// `HH:MM[:SS[.fff…]]` (the whole input) as milliseconds since midnight.
fn parse_time_of_day(b: &[u8]) -> Option<i64> {
    let h = digits(b, 0, 2)?;
    if b.get(2) != Some(&b':') {
        return None;
    }
    let mi = digits(b, 3, 2)?;
    let mut at = 5;
    let mut s = 0;
    let mut ms = 0;
    if b.get(at) == Some(&b':') {
        s = digits(b, at + 1, 2)?;
        at += 3;
        if b.get(at) == Some(&b'.') || b.get(at) == Some(&b',') {
            at += 1;
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == start {
                return None;
            }
            let frac = &b[start..at.min(start + 3)];
            ms = frac.iter().fold(0, |acc, d| acc * 10 + (d - b'0') as i64);
            ms *= 10i64.pow(3 - frac.len() as u32);
        }
    }
    if at != b.len() || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(h * HOUR + mi * MINUTE + s * SECOND + ms)
}

/// `Z`, `±hh:mm`, `±hhmm` or `±hh`, in seconds east of UTC (at most 18 hours).
fn parse_offset(b: &[u8]) -> Option<i32> {
    if b == b"Z" || b == b"z" {
        return Some(0);
    }
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h = digits(b, 1, 2)?;
    let m = match b.len() {
        3 => 0,
        5 => digits(b, 3, 2)?,
        6 if b[3] == b':' => digits(b, 4, 2)?,
        _ => return None,
    };
    if h > 18 || m > 59 || h * 60 + m > 18 * 60 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60) as i32)
}

fn parse_tz(s: &str) -> Result<Tz, String> {
    let t = s.trim();
    if matches!(t, "UTC" | "GMT" | "Z" | "Etc/UTC") {
        return Ok(Tz(0));
    }
    let rest = t
        .strip_prefix("UTC")
        .or_else(|| t.strip_prefix("GMT"))
        .unwrap_or(t);
    match parse_offset(rest.as_bytes()) {
        Some(off) if rest != "Z" => Ok(Tz(off)),
        _ => Err(format!(
            "unknown timezone {s:?}: only \"UTC\" and fixed offsets \"UTC+hh:mm\" are supported (no timezone database)"
        )),
    }
}

/// ISO-8601: `YYYY-MM-DD` (a date), `YYYY-MM-DDTHH:MM[:SS[.fff]]` (a date-time; a space may
/// replace the `T`), followed by `Z` or an offset (a timestamp in that fixed offset).
fn parse_iso(s: &str) -> Result<Cal, String> {
    let bad = || format!("not an ISO-8601 date or time: {s:?}");
    let b = s.trim().as_bytes();
    let (y, m, d) = (digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2));
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(bad());
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(bad());
    }
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(format!("not a valid date: {s:?}"));
    }
    let days = days_from_civil(y, m, d);
    if b.len() == 10 {
        return Ok(Cal::Date(days));
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return Err(bad());
    }
    let rest = &b[11..];
    let zone_at = rest
        .iter()
        .position(|&c| matches!(c, b'Z' | b'z' | b'+' | b'-'))
        .unwrap_or(rest.len());
    let ms = parse_time_of_day(&rest[..zone_at]).ok_or_else(bad)?;
    let local = days * DAY + ms;
    let c = if zone_at == rest.len() {
        Cal::DateTime(local)
    } else {
        let off = parse_offset(&rest[zone_at..]).ok_or_else(bad)?;
        Cal::Timestamp(local - off as i64 * SECOND, Tz(off))
    };
    if c.in_range() {
        Ok(c)
    } else {
        Err(format!("outside the years 0000-9999: {s:?}"))
    }
}

// ----- constructors -----

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Fail,
    Undef,
    Norm,
}

fn mode(args: &[Value], name: &str) -> RtResult<Mode> {
    if let Value::Case(c) = &args[0] {
        if c.arg.is_none() {
            match c.name.strip_prefix("calendar.").unwrap_or(&c.name) {
                "failIfBad" => return Ok(Mode::Fail),
                "undefIfBad" => return Ok(Mode::Undef),
                "normIfBad" => return Ok(Mode::Norm),
                _ => {}
            }
        }
    }
    Err(type_error(
        name,
        "failIfBad, undefIfBad or normIfBad",
        &args[0],
    ))
}

/// Wall-clock fields as given by the user: `[year, month, day, hour, minute, ms]`.
type Parts = [i64; 6];

/// The names of the fields a constructor takes, in order.
const FIELD_NAMES: [&str; 7] = [
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "millisecond",
];

/// Reads the numeric fields (integers, except the seconds which may carry milliseconds).
/// `Err` names the first field no calendar can hold, even normalised.
fn parts_of(values: &[f64], seconds_at: Option<usize>) -> Result<Parts, String> {
    let mut p = [0, 1, 1, 0, 0, 0];
    for (i, x) in values.iter().enumerate() {
        let field = FIELD_NAMES[i];
        if !x.is_finite() || x.abs() > MAX_FIELD || (i == 0 && x.abs() > MAX_YEAR) {
            return Err(format!("{field} {x} is out of range"));
        }
        if Some(i) == seconds_at {
            p[5] += (x * 1000.0).round() as i64;
        } else if x.fract() != 0.0 {
            return Err(format!("{field} {x} is not a whole number"));
        } else if i == 6 {
            p[5] += *x as i64;
        } else {
            p[i] = *x as i64;
        }
    }
    Ok(p)
}

/// Why fields in range of the arithmetic are not a valid calendar value (`None`: they are).
/// `ms_limit` is 1 for a date (no time of day), a minute where there are seconds.
fn invalid_field(p: &Parts, ms_limit: i64) -> Option<String> {
    let outside = |field: &str, value: i64, low: i64, high: i64| {
        (!(low..=high).contains(&value)).then(|| format!("{field} {value} is not in {low}–{high}"))
    };
    outside("year", p[0], 0, 9999)
        .or_else(|| outside("month", p[1], 1, 12))
        .or_else(|| {
            let days = days_in_month(p[0], p[1]);
            (!(1..=days).contains(&p[2]))
                .then(|| format!("day {} is not in 1–{days} ({}-{:02})", p[2], p[0], p[1]))
        })
        .or_else(|| outside("hour", p[3], 0, 23))
        .or_else(|| outside("minute", p[4], 0, 59))
        .or_else(|| {
            (!(0..ms_limit).contains(&p[5]))
                .then(|| format!("second {} is not in 0–59", p[5] as f64 / 1000.0))
        })
}

/// The wall-clock milliseconds of fields, normalising out-of-range ones.
fn normalise(p: &Parts) -> i64 {
    let months = p[1] - 1;
    let y = p[0] + months.div_euclid(12);
    let m = months.rem_euclid(12) + 1;
    let days = days_from_civil(y, m, 1) + p[2] - 1;
    days * DAY + p[3] * HOUR + p[4] * MINUTE + p[5]
}

/// What a constructor gives for fields: the wall-clock milliseconds, or what the mode says
/// about bad ones (`Err` is then the value to return).
fn build(
    mode: Mode,
    name: &str,
    p: Result<Parts, String>,
    ms_limit: i64,
) -> Result<i64, RtResult<Value>> {
    let problem = match &p {
        Ok(p) => match invalid_field(p, ms_limit) {
            None => return Ok(normalise(p)),
            Some(_) if mode == Mode::Norm => return Ok(normalise(p)),
            Some(problem) => problem,
        },
        Err(problem) => problem.clone(),
    };
    if mode == Mode::Undef {
        return Err(Ok(Value::Undefined));
    }
    Err(Err(RtError::runtime(format!(
        "{name}: bad input: {problem}"
    ))))
}

fn nums(args: &[Value], range: std::ops::Range<usize>, name: &str) -> RtResult<Vec<f64>> {
    range.map(|i| num_arg(args, i, name)).collect()
}

fn finish(name: &str, mode: Mode, c: Cal) -> RtResult<Value> {
    if c.in_range() {
        Ok(encode(c))
    } else if mode == Mode::Undef {
        Ok(Value::Undefined)
    } else {
        checked(name, c).map(encode)
    }
}

fn make_date(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.makeDate";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let mode = mode(args, NAME)?;
    let p = parts_of(&nums(args, 1..4, NAME)?, None);
    match build(mode, NAME, p, 1) {
        Ok(ms) => finish(NAME, mode, Cal::Date(ms.div_euclid(DAY))),
        Err(v) => v,
    }
}

fn make_date_time(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.makeDateTime";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let mode = mode(args, NAME)?;
    let p = parts_of(&nums(args, 1..7, NAME)?, Some(5));
    match build(mode, NAME, p, MINUTE) {
        Ok(ms) => finish(NAME, mode, Cal::DateTime(ms)),
        Err(v) => v,
    }
}

/// `makeTimestamp(mode, year, month, day, hour, minute, second, millisecond, tz)`: the fields
/// are the wall clock in `tz`.
fn make_timestamp(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.makeTimestamp";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let mode = mode(args, NAME)?;
    let values = nums(args, 1..8, NAME)?;
    let p = parts_of(&values, Some(5));
    let tz = match parse_tz(str_arg(args, 8, NAME)?) {
        Ok(tz) => tz,
        Err(_) if mode == Mode::Undef => return Ok(Value::Undefined),
        Err(m) => return Err(RtError::runtime(format!("{NAME}: {m}"))),
    };
    let ms = values[6];
    let p = p.and_then(|p| {
        if (0.0..1000.0).contains(&ms) || mode == Mode::Norm {
            Ok(p)
        } else {
            Err(format!("millisecond {ms} is not in 0–999"))
        }
    });
    match build(mode, NAME, p, MINUTE) {
        Ok(local) => finish(NAME, mode, Cal::Timestamp(local - tz.0 as i64 * SECOND, tz)),
        Err(v) => v,
    }
}

/// `reprTimestamp(seconds, tz)`: the instant `seconds` after the Unix epoch, in `tz`.
fn repr_timestamp(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.reprTimestamp";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let secs = num_arg(args, 0, NAME)?;
    let tz =
        parse_tz(str_arg(args, 1, NAME)?).map_err(|m| RtError::runtime(format!("{NAME}: {m}")))?;
    if !secs.is_finite() || secs.abs() > 1e12 {
        return Err(RtError::runtime(format!("{NAME}: bad time {secs}")));
    }
    checked(NAME, Cal::Timestamp((secs * 1000.0).round() as i64, tz)).map(encode)
}

fn make_time(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.makeTime";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let v = nums(args, 0..3, NAME)?;
    time_from(NAME, v[0], v[1], v[2])
}

fn time_from(name: &str, h: f64, mi: f64, s: f64) -> RtResult<Value> {
    let p = parts_of(&[2000.0, 1.0, 1.0, h, mi, s], Some(5));
    match p.and_then(|p| invalid_field(&p, MINUTE).map_or(Ok(p), Err)) {
        Ok(p) => Ok(encode(Cal::Time(p[3] * HOUR + p[4] * MINUTE + p[5]))),
        Err(problem) => Err(RtError::runtime(format!(
            "{name}: bad time of day {h}:{mi}:{s}: {problem}"
        ))),
    }
}

fn get_num(o: &Obj, key: &str, default: Option<f64>, name: &str) -> RtResult<f64> {
    match o.get(key) {
        Some(v) => v
            .as_f64()
            .ok_or_else(|| RtError::runtime(format!("{name}: field {key} must be a number"))),
        None => default.ok_or_else(|| RtError::runtime(format!("{name}: missing field {key}"))),
    }
}

/// `importDate`/`importDateTime`/`importTimestamp(mode, data)`: the record `export` gives
/// (`{year, month, day}`, plus `hour, minute, second` and for timestamps `tz`), ISO text, or a
/// calendar value (converted to the wanted type).
fn import(args: &[Value], name: &str, kind: Kind) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let mode = mode(args, name)?;
    let c = match &args[1] {
        Value::Str(s) => match parse_iso(s) {
            Ok(c) => c,
            Err(_) if mode == Mode::Undef => return Ok(Value::Undefined),
            Err(m) => return Err(RtError::runtime(format!("{name}: {m}"))),
        },
        Value::Obj(o) => {
            let has_time = kind != Kind::Date;
            let mut values = vec![
                get_num(o, "year", None, name)?,
                get_num(o, "month", None, name)?,
                get_num(o, "day", None, name)?,
            ];
            if has_time {
                values.push(get_num(o, "hour", Some(0.0), name)?);
                values.push(get_num(o, "minute", Some(0.0), name)?);
                values.push(get_num(o, "second", Some(0.0), name)?);
                values.push(get_num(o, "millisecond", Some(0.0), name)?);
            }
            let tz = if kind == Kind::Timestamp {
                let tz = match o.get("tz") {
                    Some(Value::Str(s)) => s.as_str(),
                    None => "UTC",
                    Some(_) => {
                        return Err(RtError::runtime(format!(
                            "{name}: field tz must be a string"
                        )))
                    }
                };
                match parse_tz(tz) {
                    Ok(tz) => tz,
                    Err(_) if mode == Mode::Undef => return Ok(Value::Undefined),
                    Err(m) => return Err(RtError::runtime(format!("{name}: {m}"))),
                }
            } else {
                Tz(0)
            };
            let p = parts_of(&values, has_time.then_some(5));
            let local = match build(mode, name, p, if has_time { MINUTE } else { 1 }) {
                Ok(ms) => ms,
                Err(v) => return v,
            };
            match kind {
                Kind::Date => Cal::Date(local.div_euclid(DAY)),
                Kind::DateTime => Cal::DateTime(local),
                Kind::Timestamp => Cal::Timestamp(local - tz.0 as i64 * SECOND, tz),
            }
        }
        other => match decode(other) {
            Some(c) => c,
            None => {
                return Err(type_error(
                    name,
                    "a record, ISO text or a calendar value",
                    other,
                ))
            }
        },
    };
    let converted = match (kind, c) {
        (_, Cal::Time(_)) => return Err(type_error(name, "a date", &args[1])),
        (Kind::Date, c) => c.local().map(|l| Cal::Date(l.div_euclid(DAY))),
        (Kind::DateTime, c) => c.local().map(Cal::DateTime),
        (Kind::Timestamp, Cal::Timestamp(..)) => Some(c),
        (Kind::Timestamp, c) => c.local().map(|l| Cal::Timestamp(l, Tz(0))),
    };
    match converted {
        Some(c) => finish(name, mode, c),
        None => Err(type_error(name, "a date", &args[1])),
    }
}

/// `importTime(data)`: `{hour, minute, second}`, `"HH:MM[:SS[.fff]]"` or a time value.
fn import_time(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.importTime";
    match &args[0] {
        Value::Undefined => Ok(Value::Undefined),
        Value::Str(s) => parse_time_of_day(s.trim().as_bytes())
            .map(|ms| encode(Cal::Time(ms)))
            .ok_or_else(|| RtError::runtime(format!("{NAME}: not a time of day: {s:?}"))),
        Value::Obj(o) => time_from(
            NAME,
            get_num(o, "hour", None, NAME)?,
            get_num(o, "minute", Some(0.0), NAME)?,
            get_num(o, "second", Some(0.0), NAME)?,
        ),
        other => match decode(other) {
            Some(c @ Cal::Time(_)) => Ok(encode(c)),
            _ => Err(type_error(NAME, "a record or text of a time of day", other)),
        },
    }
}

// ----- projections and conversions -----

#[derive(Clone, Copy, PartialEq)]
enum Field {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

fn seconds_value(ms: i64) -> Value {
    if ms % SECOND == 0 {
        Value::Int(ms / SECOND)
    } else {
        Value::Float(ms as f64 / 1000.0)
    }
}

fn field_of(c: Cal, f: Field, name: &str) -> RtResult<Value> {
    let needs_time = || {
        RtError::runtime(format!(
            "{name}: a date has no time of day (expected a date-time, timestamp or time)"
        ))
    };
    let needs_date = || RtError::runtime(format!("{name}: a time of day has no date"));
    let (day, ms) = match (c, c.local()) {
        (Cal::Time(ms), _) => (None, ms),
        (_, Some(local)) => (Some(local.div_euclid(DAY)), local.rem_euclid(DAY)),
        (_, None) => return Err(needs_date()),
    };
    let ymd = || day.map(civil_from_days).ok_or_else(needs_date);
    Ok(match f {
        Field::Year => Value::Int(ymd()?.0),
        Field::Month => Value::Int(ymd()?.1),
        Field::Day => Value::Int(ymd()?.2),
        _ if matches!(c, Cal::Date(_)) => return Err(needs_time()),
        Field::Hour => Value::Int(ms / HOUR),
        Field::Minute => Value::Int(ms / MINUTE % 60),
        Field::Second => seconds_value(ms % MINUTE),
    })
}

fn field(args: &[Value], name: &str, f: Field) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    field_of(cal(args, 0, name)?, f, name)
}

fn timestamp(args: &[Value], i: usize, name: &str) -> RtResult<(i64, Tz)> {
    match cal(args, i, name)? {
        Cal::Timestamp(ms, tz) => Ok((ms, tz)),
        _ => Err(RtError::runtime(format!("{name}: expected a timestamp"))),
    }
}

fn tz_name(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    Ok(Value::str(timestamp(args, 0, "calendar.tzName")?.1.name()))
}

fn tz_offset(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    Ok(Value::Int(
        timestamp(args, 0, "calendar.tzOffset")?.1 .0 as i64,
    ))
}

fn to_date(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let c = dated(args, 0, "calendar.toDate")?;
    Ok(encode(Cal::Date(c.local().unwrap_or(0).div_euclid(DAY))))
}

/// `toDateTime(x)`: the wall clock of a timestamp, a date-time itself, a date at midnight.
fn to_date_time(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let c = dated(args, 0, "calendar.toDateTime")?;
    Ok(encode(Cal::DateTime(c.local().unwrap_or(0))))
}

/// `toTimestamp(tz, x)`: a timestamp is moved to `tz` (the same instant); a date or date-time
/// is read as the wall clock in `tz`.
fn to_timestamp(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.toTimestamp";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let tz =
        parse_tz(str_arg(args, 0, NAME)?).map_err(|m| RtError::runtime(format!("{NAME}: {m}")))?;
    let c = match dated(args, 1, NAME)? {
        Cal::Timestamp(ms, _) => Cal::Timestamp(ms, tz),
        other => Cal::Timestamp(other.local().unwrap_or(0) - tz.0 as i64 * SECOND, tz),
    };
    checked(NAME, c).map(encode)
}

fn to_string(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    Ok(Value::str(iso(cal(args, 0, "calendar.toString")?)))
}

/// `toDBString(ts)`: UTC with milliseconds, `2024-01-15T08:30:00.000Z`.
fn to_db_string(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let (ms, _) = timestamp(args, 0, "calendar.toDBString")?;
    let t = ms.rem_euclid(DAY);
    Ok(Value::str(format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        fmt_date(ms.div_euclid(DAY)),
        t / HOUR,
        t / MINUTE % 60,
        t / SECOND % 60,
        t % SECOND
    )))
}

fn parse(args: &[Value], name: &str, as_result: bool) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let s = str_arg(args, 0, name)?;
    match (parse_iso(s), as_result) {
        (Ok(c), false) => Ok(encode(c)),
        (Ok(c), true) => Ok(Value::case("ok", Some(encode(c)))),
        (Err(m), false) => Err(RtError::runtime(format!("{name}: {m}"))),
        (Err(m), true) => Ok(Value::case("error", Some(Value::str(m)))),
    }
}

/// `export(x)`: `{year, month, day}`, with `hour, minute, second` for values with a time,
/// `tz` for timestamps; `{hour, minute, second}` for a time of day. `second` carries the
/// milliseconds as a fraction.
fn export(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.export";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let c = cal(args, 0, NAME)?;
    let mut o = Obj::new();
    let fields: &[(&str, Field)] = match c {
        Cal::Date(_) => &[
            ("year", Field::Year),
            ("month", Field::Month),
            ("day", Field::Day),
        ],
        Cal::Time(_) => &[
            ("hour", Field::Hour),
            ("minute", Field::Minute),
            ("second", Field::Second),
        ],
        _ => &[
            ("year", Field::Year),
            ("month", Field::Month),
            ("day", Field::Day),
            ("hour", Field::Hour),
            ("minute", Field::Minute),
            ("second", Field::Second),
        ],
    };
    for (key, f) in fields {
        o.insert((*key).into(), field_of(c, *f, NAME)?);
    }
    if let Cal::Timestamp(_, tz) = c {
        o.insert("tz".into(), Value::str(tz.name()));
    }
    Ok(Value::obj(o))
}

const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `format(pattern, x)`, strftime style: `%Y %C %y %m %d %e %j %H %I %p %M %S %L %a %A %b %h
/// %B %u %w %F %T %D %R %s %Z %z %:z %n %t %%`. A directive the value has no field for (`%H`
/// of a date, `%Y` of a time, `%Z` of a non-timestamp) is a runtime error.
fn format(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.format";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let pattern = str_arg(args, 0, NAME)?;
    let c = cal(args, 1, NAME)?;
    super::string::charge_bytes(host, pattern.len())?;
    let (day, ms) = match (c, c.local()) {
        (Cal::Time(ms), _) => (None, Some(ms)),
        (Cal::Date(d), _) => (Some(d), None),
        (_, Some(local)) => (Some(local.div_euclid(DAY)), Some(local.rem_euclid(DAY))),
        (_, None) => (None, None),
    };
    let tz = match c {
        Cal::Timestamp(_, tz) => Some(tz),
        _ => None,
    };
    let missing =
        |d: &str, what: &str| RtError::runtime(format!("{NAME}: %{d} needs a value with a {what}"));
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        let Some(d) = chars.next() else {
            return Err(RtError::runtime(format!("{NAME}: the pattern ends with %")));
        };
        let colon = d == ':';
        let d = if colon {
            chars.next().unwrap_or(' ')
        } else {
            d
        };
        let ds = d.to_string();
        let date = || day.ok_or_else(|| missing(&ds, "date"));
        let time = || ms.ok_or_else(|| missing(&ds, "time of day"));
        let zone = || tz.ok_or_else(|| missing(&ds, "timezone (a timestamp)"));
        let ymd = || date().map(civil_from_days);
        let piece = match (colon, d) {
            (false, 'Y') => format!("{:04}", ymd()?.0),
            (false, 'C') => format!("{:02}", ymd()?.0 / 100),
            (false, 'y') => format!("{:02}", ymd()?.0 % 100),
            (false, 'm') => format!("{:02}", ymd()?.1),
            (false, 'd') => format!("{:02}", ymd()?.2),
            (false, 'e') => format!("{:>2}", ymd()?.2),
            (false, 'j') => {
                let (y, _, _) = ymd()?;
                format!("{:03}", date()? - days_from_civil(y, 1, 1) + 1)
            }
            (false, 'a') => DAY_NAMES[(date()? + 4).rem_euclid(7) as usize][..3].to_string(),
            (false, 'A') => DAY_NAMES[(date()? + 4).rem_euclid(7) as usize].to_string(),
            (false, 'b' | 'h') => MONTH_NAMES[(ymd()?.1 - 1) as usize][..3].to_string(),
            (false, 'B') => MONTH_NAMES[(ymd()?.1 - 1) as usize].to_string(),
            (false, 'u') => {
                let w = (date()? + 4).rem_euclid(7);
                (if w == 0 { 7 } else { w }).to_string()
            }
            (false, 'w') => (date()? + 4).rem_euclid(7).to_string(),
            (false, 'F') => fmt_date(date()?),
            (false, 'D') => {
                let (y, m, d) = ymd()?;
                format!("{m:02}/{d:02}/{:02}", y % 100)
            }
            (false, 'H') => format!("{:02}", time()? / HOUR),
            (false, 'I') => format!("{:02}", (time()? / HOUR + 11) % 12 + 1),
            (false, 'p') => (if time()? < 12 * HOUR { "AM" } else { "PM" }).to_string(),
            (false, 'M') => format!("{:02}", time()? / MINUTE % 60),
            (false, 'S') => format!("{:02}", time()? / SECOND % 60),
            (false, 'L') => format!("{:03}", time()? % SECOND),
            (false, 'T') => {
                let t = time()?;
                format!(
                    "{:02}:{:02}:{:02}",
                    t / HOUR,
                    t / MINUTE % 60,
                    t / SECOND % 60
                )
            }
            (false, 'R') => {
                let t = time()?;
                format!("{:02}:{:02}", t / HOUR, t / MINUTE % 60)
            }
            (false, 's') => match c {
                Cal::Time(_) => return Err(missing("s", "date")),
                c => c.line().div_euclid(SECOND).to_string(),
            },
            (false, 'Z') => zone()?.name(),
            (false, 'z') => offset_text(zone()?.0, false),
            (true, 'z') => offset_text(zone()?.0, true),
            (false, 'n') => "\n".into(),
            (false, 't') => "\t".into(),
            (false, '%') => "%".into(),
            _ => {
                let shown = if colon { format!(":{d}") } else { ds.clone() };
                return Err(RtError::runtime(format!(
                    "{NAME}: unknown directive %{shown}"
                )));
            }
        };
        out.push_str(&piece);
    }
    Ok(Value::str(out))
}

fn repr_time(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.reprTime";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    match cal(args, 0, NAME)? {
        Cal::Time(ms) => Ok(seconds_value(ms)),
        _ => Err(RtError::runtime(format!("{NAME}: expected a time of day"))),
    }
}

fn to_time(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.toTime";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    match cal(args, 0, NAME)? {
        Cal::Date(_) => Err(RtError::runtime(format!(
            "{NAME}: a date has no time of day"
        ))),
        c => Ok(encode(Cal::Time(
            c.local().map_or_else(|| c.line(), |l| l.rem_euclid(DAY)),
        ))),
    }
}

// ----- updaters -----

/// `setDay`, `setMonth`, `setYear`, `setHour`, `setMinute`, `setSecond` (`n, x`). A day that
/// does not exist in the month is an error; `setMonth` and `setYear` move a day past the end
/// of the new month to its last day (as `addMonths` does).
fn set(args: &[Value], name: &str, f: Field) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let n = num_arg(args, 0, name)?;
    let c = cal(args, 1, name)?;
    let (day, ms) = match (c, c.local()) {
        (Cal::Time(ms), _) => (None, ms),
        (_, Some(local)) => (Some(local.div_euclid(DAY)), local.rem_euclid(DAY)),
        (_, None) => (None, 0),
    };
    let bad = || RtError::runtime(format!("{name}: bad value {n}"));
    let int = || {
        if n.fract() == 0.0 && n.abs() <= MAX_FIELD {
            Ok(n as i64)
        } else {
            Err(bad())
        }
    };
    let new_local = match f {
        Field::Year | Field::Month | Field::Day => {
            let Some(day) = day else {
                return Err(RtError::runtime(format!(
                    "{name}: a time of day has no date"
                )));
            };
            let (y, m, d) = civil_from_days(day);
            let v = int()?;
            let (y, m, d) = match f {
                Field::Year if (0..=9999).contains(&v) => (v, m, d.min(days_in_month(v, m))),
                Field::Month if (1..=12).contains(&v) => (y, v, d.min(days_in_month(y, v))),
                Field::Day if v >= 1 && v <= days_in_month(y, m) => (y, m, v),
                _ => return Err(bad()),
            };
            days_from_civil(y, m, d) * DAY + ms
        }
        _ => {
            if matches!(c, Cal::Date(_)) {
                return Err(RtError::runtime(format!(
                    "{name}: a date has no time of day"
                )));
            }
            let (h, mi, s) = (ms / HOUR, ms / MINUTE % 60, ms % MINUTE);
            let t = match f {
                Field::Hour if (0..24).contains(&int()?) => int()? * HOUR + mi * MINUTE + s,
                Field::Minute if (0..60).contains(&int()?) => h * HOUR + int()? * MINUTE + s,
                Field::Second if (0.0..60.0).contains(&n) => {
                    h * HOUR + mi * MINUTE + ((n * 1000.0).round() as i64).min(MINUTE - 1)
                }
                _ => return Err(bad()),
            };
            day.unwrap_or(0) * DAY + t
        }
    };
    checked(name, c.with_local(new_local)).map(encode)
}

fn set_timezone(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.setTimezone";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let tz =
        parse_tz(str_arg(args, 0, NAME)?).map_err(|m| RtError::runtime(format!("{NAME}: {m}")))?;
    let (ms, _) = timestamp(args, 1, NAME)?;
    checked(NAME, Cal::Timestamp(ms, tz)).map(encode)
}

// ----- arithmetic -----

#[derive(Clone, Copy)]
enum Unit {
    Days,
    Months,
    Years,
    /// A fixed number of milliseconds.
    Ms(i64),
}

/// Adds calendar months to a wall-clock time, keeping the day when it exists and moving it to
/// the month's last day otherwise (`2024-01-31 + 1 month = 2024-02-29`).
fn add_months(local: i64, n: i64) -> i64 {
    let (y, m, d) = civil_from_days(local.div_euclid(DAY));
    let months = y * 12 + (m - 1) + n;
    let (y, m) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    let d = d.min(days_in_month(y, m));
    days_from_civil(y, m, d) * DAY + local.rem_euclid(DAY)
}

/// `addDays(n, x)` … `subSeconds(n, x)`: days, months and years count on the wall clock (a
/// timestamp keeps its timezone); hours, minutes and seconds are elapsed time and may be
/// fractional (rounded to the millisecond).
fn add(args: &[Value], name: &str, unit: Unit, sign: i64) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let n = num_arg(args, 0, name)?;
    let c = dated(args, 1, name)?;
    if !n.is_finite() || n.abs() > MAX_FIELD * 10.0 {
        return Err(RtError::runtime(format!("{name}: bad amount {n}")));
    }
    let whole = || {
        if n.fract() == 0.0 {
            Ok(n as i64 * sign)
        } else {
            Err(RtError::runtime(format!(
                "{name}: {n} is not a whole number"
            )))
        }
    };
    let local = c.local().unwrap_or(0);
    let new_local = match unit {
        Unit::Days => local + whole()? * DAY,
        Unit::Months => add_months(local, whole()?),
        Unit::Years => add_months(local, whole()? * 12),
        Unit::Ms(unit) => {
            if matches!(c, Cal::Date(_)) {
                return Err(RtError::runtime(format!(
                    "{name}: a date has no time of day (convert it with toDateTime)"
                )));
            }
            local + (n * unit as f64).round() as i64 * sign
        }
    };
    checked(name, c.with_local(new_local)).map(encode)
}

fn time_arg(args: &[Value], i: usize, name: &str) -> RtResult<i64> {
    match cal(args, i, name)? {
        Cal::Time(ms) => Ok(ms),
        _ => Err(RtError::runtime(format!("{name}: expected a time of day"))),
    }
}

/// `addTimes(a, b)`: `[a + b, whether it passed midnight]`; `subTimes(a, b)`: `[a - b, whether
/// it went back past midnight]`.
fn add_times(args: &[Value], name: &str, sign: i64) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let total = time_arg(args, 0, name)? + sign * time_arg(args, 1, name)?;
    Ok(Value::array(vec![
        encode(Cal::Time(total.rem_euclid(DAY))),
        Value::Bool(!(0..DAY).contains(&total)),
    ]))
}

/// `diffX(a, b)`: how many whole units from b to a (positive when a is later; `diffSeconds`
/// is exact). Two dates differ by calendar days; otherwise instants are compared (a
/// date-time read as UTC, a date at midnight). Months and years compare the wall clocks of
/// date-times and the UTC clocks of timestamps.
fn diff(args: &[Value], name: &str, unit: Unit) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let a = dated(args, 0, name)?;
    let b = dated(args, 1, name)?;
    let delta = a.line() - b.line();
    Ok(match unit {
        Unit::Ms(SECOND) => seconds_value(delta),
        Unit::Ms(u) => Value::Int(delta / u),
        Unit::Days => Value::Int(delta / DAY),
        Unit::Months | Unit::Years => {
            let months = diff_months(a.line(), b.line());
            Value::Int(if matches!(unit, Unit::Years) {
                months / 12
            } else {
                months
            })
        }
    })
}

fn diff_months(a: i64, b: i64) -> i64 {
    let (ya, ma, da) = civil_from_days(a.div_euclid(DAY));
    let (yb, mb, db) = civil_from_days(b.div_euclid(DAY));
    let mut months = (ya * 12 + ma) - (yb * 12 + mb);
    let key_a = (da, a.rem_euclid(DAY));
    let key_b = (db, b.rem_euclid(DAY));
    if months > 0 && key_a < key_b {
        months -= 1;
    } else if months < 0 && key_a > key_b {
        months += 1;
    }
    months
}

fn diff_times(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.diffTimes";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    Ok(seconds_value(
        time_arg(args, 0, NAME)? - time_arg(args, 1, NAME)?,
    ))
}

// ----- calendar facts -----

fn year_arg(args: &[Value], i: usize, name: &str) -> RtResult<i64> {
    let y = num_arg(args, i, name)?;
    if y.fract() != 0.0 || y.abs() > MAX_FIELD {
        return Err(RtError::runtime(format!("{name}: bad year {y}")));
    }
    Ok(y as i64)
}

fn is_leap_year(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    Ok(Value::Bool(is_leap(year_arg(
        args,
        0,
        "calendar.isLeapYear",
    )?)))
}

fn num_days_of_year(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let y = year_arg(args, 0, "calendar.numDaysOfYear")?;
    Ok(Value::Int(if is_leap(y) { 366 } else { 365 }))
}

fn num_days_of_month(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.numDaysOfMonth";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let y = year_arg(args, 0, NAME)?;
    let m = num_arg(args, 1, NAME)?;
    if m.fract() != 0.0 || !(1.0..=12.0).contains(&m) {
        return Err(RtError::runtime(format!("{NAME}: bad month {m}")));
    }
    Ok(Value::Int(days_in_month(y, m as i64)))
}

fn local_day(args: &[Value], name: &str) -> RtResult<i64> {
    Ok(dated(args, 0, name)?.local().unwrap_or(0).div_euclid(DAY))
}

fn day_of(args: &[Value], name: &str, f: fn(i64, i64) -> (i64, i64, i64)) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let (y, m, _) = civil_from_days(local_day(args, name)?);
    let (y, m, d) = f(y, m);
    Ok(encode(Cal::Date(days_from_civil(y, m, d))))
}

fn day_of_year(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let day = local_day(args, "calendar.dayOfYear")?;
    let (y, _, _) = civil_from_days(day);
    Ok(Value::Int(day - days_from_civil(y, 1, 1) + 1))
}

fn days_since_epoch(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    Ok(Value::Int(local_day(args, "calendar.daysSinceEpoch")?))
}

/// Seconds since 1970-01-01T00:00:00Z: the instant of a timestamp, a date-time read as UTC.
fn seconds_since_epoch(_: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    Ok(seconds_value(
        dated(args, 0, "calendar.secondsSinceEpoch")?.line(),
    ))
}

/// `dayRange(first, last)`: the dates from first to last, both included (empty when last is
/// before first); built eagerly, charged one step per date.
fn day_range(host: &mut dyn Host, args: &[Value]) -> RtResult<Value> {
    const NAME: &str = "calendar.dayRange";
    if any_undefined(args) {
        return Ok(Value::Undefined);
    }
    let first = local_day(args, NAME)?;
    let last = dated(args, 1, NAME)?.local().unwrap_or(0).div_euclid(DAY);
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        if out.len() & 1023 == 0 {
            host.charge(1024)?;
            host.check_memory()?;
        }
        out.push(encode(Cal::Date(d)));
        d += 1;
    }
    Ok(Value::Stream(Rc::new(Stream::of_array(out.into()))))
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)]
mod tests {
    use super::*;
    use crate::natives::test_host::{call, TestHost};

    fn c(name: &str, args: &[Value]) -> Value {
        call(&format!("calendar.{name}"), args).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn err(name: &str, args: &[Value]) -> String {
        call(&format!("calendar.{name}"), args)
            .unwrap_err()
            .message
            .clone()
    }

    fn n(x: i64) -> Value {
        Value::Int(x)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn mode(m: &str) -> Value {
        Value::case(m, None)
    }

    fn date(y: i64, m: i64, d: i64) -> Value {
        c("makeDate", &[mode("failIfBad"), n(y), n(m), n(d)])
    }

    fn dt(y: i64, mo: i64, d: i64, h: i64, mi: i64, sec: f64) -> Value {
        let args = [
            mode("failIfBad"),
            n(y),
            n(mo),
            n(d),
            n(h),
            n(mi),
            Value::Float(sec),
        ];
        c("makeDateTime", &args)
    }

    fn ts(text: &str) -> Value {
        c("parse", &[s(text)])
    }

    fn text(v: &Value) -> String {
        c("toString", std::slice::from_ref(v))
            .as_str()
            .unwrap()
            .to_string()
    }

    fn time(h: i64, m: i64, sec: f64) -> Value {
        c("makeTime", &[n(h), n(m), Value::Float(sec)])
    }

    #[test]
    fn civil_algorithms_agree() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(0, 1, 1), MIN_DAYS);
        assert_eq!(days_from_civil(9999, 12, 31), MAX_DAYS);
        for d in (MIN_DAYS..=MAX_DAYS).step_by(997) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert!(is_leap(2000) && is_leap(2024) && !is_leap(1900) && !is_leap(2023));
    }

    #[test]
    fn a_bad_input_names_its_field() {
        let timestamp = |sec: i64, ms: i64| {
            let mut args = vec![mode("failIfBad")];
            args.extend([2023, 1, 1, 10, 30, sec, ms].map(n));
            args.push(s("UTC"));
            args
        };
        let date = |m: &str, month: Value| vec![mode(m), n(2024), month, n(1)];
        for (name, args, problem) in [
            (
                "makeTimestamp",
                timestamp(5, 5000),
                "millisecond 5000 is not in 0–999",
            ),
            (
                "makeTimestamp",
                timestamp(75, 0),
                "second 75 is not in 0–59",
            ),
            (
                "makeDate",
                date("normIfBad", Value::Float(1e12)),
                "month 1000000000000 is out of range",
            ),
            (
                "makeDate",
                date("failIfBad", Value::Float(1.5)),
                "month 1.5 is not a whole number",
            ),
        ] {
            let e = err(name, &args);
            assert!(e.ends_with(problem), "{e}");
        }
    }

    #[test]
    fn constructors_and_modes() {
        let d = date(2024, 2, 29);
        assert_eq!(d.to_string(), "calendar.date(\"2024-02-29\")");
        assert_eq!(text(&d), "2024-02-29");
        let e = err("makeDate", &[mode("failIfBad"), n(2023), n(2), n(29)]);
        assert!(
            e.ends_with("bad input: day 29 is not in 1–28 (2023-02)"),
            "{e}"
        );
        assert!(c("makeDate", &[mode("undefIfBad"), n(2023), n(2), n(29)]).is_undefined());
        assert_eq!(
            text(&c("makeDate", &[mode("normIfBad"), n(2023), n(2), n(29)])),
            "2023-03-01"
        );
        assert_eq!(
            text(&c("makeDate", &[mode("normIfBad"), n(2023), n(13), n(0)])),
            "2023-12-31"
        );
        assert_eq!(
            text(&c("makeDate", &[mode("normIfBad"), n(2024), n(-1), n(1)])),
            "2023-11-01"
        );
        assert!(c("makeDate", &[mode("undefIfBad"), n(10000), n(1), n(1)]).is_undefined());
        assert!(call(
            "calendar.makeDate",
            &[mode("normIfBad"), n(10000), n(1), n(1)]
        )
        .is_err());
        assert!(call(
            "calendar.makeDate",
            &[mode("failIfBad"), Value::Float(2024.5), n(1), n(1)]
        )
        .is_err());
        assert!(call(
            "calendar.makeDate",
            &[mode("normIfBad"), Value::Float(1e300), n(1), n(1)]
        )
        .is_err());
        assert!(call(
            "calendar.makeDate",
            &[mode("sometimes"), n(2024), n(1), n(1)]
        )
        .is_err());
        assert!(c("makeDate", &[Value::Undefined, n(2024), n(1), n(1)]).is_undefined());
        assert!(c(
            "makeDate",
            &[mode("failIfBad"), n(2024), Value::Undefined, n(1)]
        )
        .is_undefined());
        assert_eq!(
            text(&c(
                "makeDate",
                &[mode("calendar.failIfBad"), n(1), n(1), n(1)]
            )),
            "0001-01-01"
        );

        assert_eq!(
            text(&dt(2024, 1, 15, 10, 30, 5.25)),
            "2024-01-15T10:30:05.250"
        );
        assert_eq!(text(&dt(2024, 1, 15, 0, 0, 0.0)), "2024-01-15T00:00:00");
        let norm = [
            mode("normIfBad"),
            n(2024),
            n(12),
            n(31),
            n(23),
            n(59),
            n(60),
        ];
        assert_eq!(text(&c("makeDateTime", &norm)), "2025-01-01T00:00:00");
        let bad = [mode("failIfBad"), n(2024), n(1), n(1), n(24), n(0), n(0)];
        assert!(call("calendar.makeDateTime", &bad).is_err());

        let args = [
            mode("failIfBad"),
            n(2024),
            n(1),
            n(15),
            n(10),
            n(30),
            n(0),
            n(250),
            s("UTC+02:00"),
        ];
        let t = c("makeTimestamp", &args);
        assert_eq!(text(&t), "2024-01-15T10:30:00.250+02:00");
        assert_eq!(
            t.to_string(),
            "calendar.timestamp([\"2024-01-15T08:30:00.250Z\", \"UTC+02:00\"])"
        );
        let mut bad = args.clone();
        bad[8] = s("Europe/Paris");
        assert!(err("makeTimestamp", &bad).contains("no timezone database"));
        bad[0] = mode("undefIfBad");
        assert!(c("makeTimestamp", &bad).is_undefined());
        let mut bad = args.clone();
        bad[7] = n(1000);
        assert!(call("calendar.makeTimestamp", &bad).is_err());
        bad[0] = mode("normIfBad");
        assert_eq!(text(&c("makeTimestamp", &bad)), "2024-01-15T10:30:01+02:00");

        let r = c("reprTimestamp", &[n(86_400), s("UTC-05:30")]);
        assert_eq!(text(&r), "1970-01-01T18:30:00-05:30");
        assert_eq!(
            text(&c("reprTimestamp", &[Value::Float(1.5), s("UTC")])),
            "1970-01-01T00:00:01.500Z"
        );
        assert!(call(
            "calendar.reprTimestamp",
            &[Value::Float(f64::NAN), s("UTC")]
        )
        .is_err());

        assert_eq!(text(&time(23, 59, 59.999)), "23:59:59.999");
        assert!(call("calendar.makeTime", &[n(24), n(0), n(0)]).is_err());
        assert!(call("calendar.makeTime", &[n(1), n(60), n(0)]).is_err());
    }

    #[test]
    fn parse_and_print() {
        assert_eq!(text(&ts("2024-01-15")), "2024-01-15");
        assert_eq!(text(&ts("2024-01-15T10:30")), "2024-01-15T10:30:00");
        assert_eq!(
            text(&ts("2024-01-15 10:30:05.123456")),
            "2024-01-15T10:30:05.123"
        );
        assert_eq!(text(&ts("2024-01-15T10:30:00Z")), "2024-01-15T10:30:00Z");
        assert_eq!(
            text(&ts("2024-01-15T10:30:00+0530")),
            "2024-01-15T10:30:00+05:30"
        );
        assert_eq!(
            text(&ts("2024-01-15T10:30:00-08")),
            "2024-01-15T10:30:00-08:00"
        );
        for bad in [
            "",
            "2024",
            "2024-1-15",
            "2024-02-30",
            "2024-01-15T25:00",
            "2024-01-15T10:30:00+19:00",
            "2024-01-15X10:30",
            "２０２４-01-15",
            "2024-01-15T10:30:00.",
            "é",
        ] {
            assert!(call("calendar.parse", &[s(bad)]).is_err(), "{bad}");
            let r = c("parseResult", &[s(bad)]);
            assert!(matches!(&r, Value::Case(k) if &*k.name == "error"), "{bad}");
        }
        assert_eq!(
            c("parseResult", &[s("2024-01-15")]).to_string(),
            "ok(calendar.date(\"2024-01-15\"))"
        );
        assert!(c("parse", &[Value::Undefined]).is_undefined());
        let t = ts("2024-01-15T10:30:00+02:00");
        assert_eq!(c("toDBString", &[t.clone()]), s("2024-01-15T08:30:00.000Z"));
        assert!(call("calendar.toDBString", &[date(2024, 1, 1)]).is_err());
        assert!(call("calendar.toString", &[s("2024-01-01")]).is_err());
        let forged = Value::case("calendar.date", Some(s("2024-13-01")));
        assert!(call("calendar.toString", &[forged]).is_err());
        assert_eq!(text(&time(7, 5, 0.0)), "07:05:00");
    }

    #[test]
    fn projections_and_conversions() {
        let t = ts("2024-03-10T23:30:15.5-02:00");
        assert_eq!(c("year", &[t.clone()]), n(2024));
        assert_eq!(c("month", &[t.clone()]), n(3));
        assert_eq!(c("day", &[t.clone()]), n(10));
        assert_eq!(c("hour", &[t.clone()]), n(23));
        assert_eq!(c("minute", &[t.clone()]), n(30));
        assert_eq!(c("second", &[t.clone()]), Value::Float(15.5));
        assert_eq!(c("tzName", &[t.clone()]), s("UTC-02:00"));
        assert_eq!(c("tzOffset", &[t.clone()]), n(-7200));
        assert_eq!(text(&c("toDate", &[t.clone()])), "2024-03-10");
        assert_eq!(
            text(&c("toDateTime", &[t.clone()])),
            "2024-03-10T23:30:15.500"
        );
        assert_eq!(text(&c("toTime", &[t.clone()])), "23:30:15.500");
        assert_eq!(
            text(&c("toTimestamp", &[s("UTC"), t.clone()])),
            "2024-03-11T01:30:15.500Z"
        );
        assert_eq!(
            text(&c("toTimestamp", &[s("UTC+01:00"), date(2024, 1, 1)])),
            "2024-01-01T00:00:00+01:00"
        );
        assert_eq!(
            text(&c("toDateTime", &[date(2024, 1, 1)])),
            "2024-01-01T00:00:00"
        );
        assert_eq!(c("hour", &[time(5, 6, 7.0)]), n(5));
        assert!(err("hour", &[date(2024, 1, 1)]).contains("no time of day"));
        assert!(err("year", &[time(1, 2, 3.0)]).contains("no date"));
        assert!(call("calendar.tzName", &[date(2024, 1, 1)]).is_err());
        assert!(call("calendar.toTime", &[date(2024, 1, 1)]).is_err());
        assert_eq!(c("reprTime", &[time(1, 0, 0.5)]), Value::Float(3600.5));
        assert_eq!(c("reprTime", &[time(0, 1, 0.0)]), n(60));
        assert!(c("year", &[Value::Undefined]).is_undefined());
        assert!(call("calendar.year", &[Value::Null]).is_err());
    }

    #[test]
    fn export_and_import_round_trip() {
        let values = [
            date(2024, 2, 29),
            dt(1999, 12, 31, 23, 59, 59.5),
            ts("2024-01-15T10:30:00+05:45"),
            time(12, 0, 1.0),
        ];
        let importers = ["importDate", "importDateTime", "importTimestamp"];
        for (v, importer) in values.iter().zip(importers) {
            let data = c("export", std::slice::from_ref(v));
            assert!(data.is_data());
            assert_eq!(&c(importer, &[mode("failIfBad"), data]), v);
            assert_eq!(&c(importer, &[mode("failIfBad"), s(&text(v))]), v);
        }
        let data = c("export", &[values[3].clone()]);
        assert_eq!(data.to_string(), "{hour: 12, minute: 0, second: 1}");
        assert_eq!(c("importTime", &[data]), values[3]);
        assert_eq!(c("importTime", &[s("12:00:01")]), values[3]);
        assert_eq!(
            c("export", &[values[2].clone()]).to_string(),
            "{day: 15, hour: 10, minute: 30, month: 1, second: 0, tz: \"UTC+05:45\", year: 2024}"
        );
        let mut o = Obj::new();
        o.insert("year".into(), n(2023));
        o.insert("month".into(), n(2));
        o.insert("day".into(), n(29));
        let bad = Value::obj(o);
        assert!(call("calendar.importDate", &[mode("failIfBad"), bad.clone()]).is_err());
        assert!(c("importDate", &[mode("undefIfBad"), bad.clone()]).is_undefined());
        assert_eq!(
            text(&c("importDate", &[mode("normIfBad"), bad])),
            "2023-03-01"
        );
        assert_eq!(
            text(&c("importDate", &[mode("failIfBad"), values[2].clone()])),
            "2024-01-15"
        );
        assert!(call("calendar.importDate", &[mode("failIfBad"), n(3)]).is_err());
        assert!(call("calendar.importTime", &[s("25:00")]).is_err());
        // Calendar values are data: they survive EscJSON.
        for v in &values {
            let json = call("string.formatEscJSON", std::slice::from_ref(v)).unwrap();
            assert_eq!(&call("string.parseEscJSON", &[json]).unwrap(), v);
        }
    }

    #[test]
    fn ordering_follows_time() {
        assert!(date(999, 1, 1) < date(2024, 1, 1));
        assert!(dt(2024, 1, 1, 10, 0, 0.0) < dt(2024, 1, 1, 10, 0, 0.5));
        assert!(ts("2024-01-01T10:00:00+02:00") < ts("2024-01-01T09:00:00Z"));
        assert!(time(9, 0, 0.0) < time(10, 0, 0.0));
    }

    #[test]
    fn format_directives() {
        let t = ts("2024-03-05T14:07:09.042+01:00");
        let f = |p: &str, v: &Value| c("format", &[s(p), v.clone()]);
        assert_eq!(
            f("%Y-%m-%d %H:%M:%S.%L %z %:z %Z", &t),
            s("2024-03-05 14:07:09.042 +0100 +01:00 UTC+01:00")
        );
        assert_eq!(
            f("%a %A %b %B %e %j %u %w", &t),
            s("Tue Tuesday Mar March  5 065 2 2")
        );
        assert_eq!(
            f("%I:%M %p|%y|%C|%F|%T|%D|%R|%%|%s", &t),
            s("02:07 PM|24|20|2024-03-05|14:07:09|03/05/24|14:07|%|1709644029")
        );
        assert_eq!(f("%A %u %w", &date(2024, 3, 10)), s("Sunday 7 0"));
        assert_eq!(f("%I %p", &time(0, 0, 0.0)), s("12 AM"));
        assert_eq!(f("", &time(0, 0, 0.0)), s(""));
        assert_eq!(f("héllo 🔵 %H", &time(9, 0, 0.0)), s("héllo 🔵 09"));
        assert!(err("format", &[s("%H"), date(2024, 1, 1)]).contains("%H needs"));
        assert!(err("format", &[s("%Y"), time(1, 0, 0.0)]).contains("%Y needs"));
        assert!(err("format", &[s("%Z"), date(2024, 1, 1)]).contains("timezone"));
        assert!(err("format", &[s("%Q"), date(2024, 1, 1)]).contains("unknown directive %Q"));
        assert!(err("format", &[s("50%"), date(2024, 1, 1)]).contains("ends with %"));
    }

    #[test]
    fn updaters() {
        let d = date(2024, 1, 31);
        assert_eq!(text(&c("setDay", &[n(15), d.clone()])), "2024-01-15");
        assert!(call("calendar.setDay", &[n(32), d.clone()]).is_err());
        assert_eq!(text(&c("setMonth", &[n(2), d.clone()])), "2024-02-29");
        assert!(call("calendar.setMonth", &[n(13), d.clone()]).is_err());
        assert_eq!(
            text(&c("setYear", &[n(2023), date(2024, 2, 29)])),
            "2023-02-28"
        );
        assert!(call("calendar.setYear", &[n(10_000), d.clone()]).is_err());
        let t = ts("2024-01-15T10:30:00+02:00");
        assert_eq!(
            text(&c("setHour", &[n(23), t.clone()])),
            "2024-01-15T23:30:00+02:00"
        );
        assert_eq!(
            text(&c("setMinute", &[n(0), t.clone()])),
            "2024-01-15T10:00:00+02:00"
        );
        assert_eq!(
            text(&c("setSecond", &[Value::Float(7.5), t.clone()])),
            "2024-01-15T10:30:07.500+02:00"
        );
        assert_eq!(
            text(&c("setDay", &[n(1), t.clone()])),
            "2024-01-01T10:30:00+02:00"
        );
        assert_eq!(text(&c("setHour", &[n(1), time(5, 6, 7.0)])), "01:06:07");
        assert!(call("calendar.setHour", &[n(24), t.clone()]).is_err());
        assert!(call("calendar.setHour", &[n(1), d.clone()]).is_err());
        assert!(call("calendar.setDay", &[n(1), time(1, 0, 0.0)]).is_err());
        assert_eq!(
            text(&c("setTimezone", &[s("UTC"), t.clone()])),
            "2024-01-15T08:30:00Z"
        );
        assert_eq!(
            text(&c("setTimezone", &[s("+05:30"), t.clone()])),
            "2024-01-15T14:00:00+05:30"
        );
        assert!(call("calendar.setTimezone", &[s("Mars/Olympus"), t.clone()]).is_err());
        assert!(c("setDay", &[Value::Undefined, d]).is_undefined());
    }

    #[test]
    fn arithmetic() {
        let d = date(2024, 1, 31);
        assert_eq!(text(&c("addDays", &[n(1), d.clone()])), "2024-02-01");
        assert_eq!(text(&c("subDays", &[n(31), d.clone()])), "2023-12-31");
        assert_eq!(text(&c("addMonths", &[n(1), d.clone()])), "2024-02-29");
        assert_eq!(text(&c("subMonths", &[n(2), d.clone()])), "2023-11-30");
        assert_eq!(
            text(&c("addYears", &[n(1), date(2024, 2, 29)])),
            "2025-02-28"
        );
        assert_eq!(
            text(&c("subYears", &[n(4), date(2024, 2, 29)])),
            "2020-02-29"
        );
        assert!(call("calendar.addDays", &[Value::Float(1.5), d.clone()]).is_err());
        assert!(call("calendar.addHours", &[n(1), d.clone()]).is_err());
        assert!(call("calendar.addYears", &[n(8000), d.clone()]).is_err());
        let t = ts("2024-12-31T23:00:00-01:00");
        assert_eq!(
            text(&c("addHours", &[n(2), t.clone()])),
            "2025-01-01T01:00:00-01:00"
        );
        assert_eq!(
            text(&c("addMinutes", &[Value::Float(1.5), t.clone()])),
            "2024-12-31T23:01:30-01:00"
        );
        assert_eq!(
            text(&c("subSeconds", &[Value::Float(0.25), t.clone()])),
            "2024-12-31T22:59:59.750-01:00"
        );
        assert_eq!(
            text(&c("subHours", &[n(24), t.clone()])),
            "2024-12-30T23:00:00-01:00"
        );
        assert_eq!(
            text(&c("subMinutes", &[n(60), dt(2024, 1, 1, 0, 30, 0.0)])),
            "2023-12-31T23:30:00"
        );
        assert_eq!(
            text(&c("addDays", &[n(1), t.clone()])),
            "2025-01-01T23:00:00-01:00"
        );

        let sum = c("addTimes", &[time(22, 0, 0.0), time(3, 30, 0.0)]);
        assert_eq!(sum.to_string(), "[calendar.time(\"01:30:00\"), true]");
        let sum = c("addTimes", &[time(1, 0, 0.0), time(2, 0, 0.0)]);
        assert_eq!(sum.to_string(), "[calendar.time(\"03:00:00\"), false]");
        let d = c("subTimes", &[time(1, 0, 0.0), time(2, 0, 0.0)]);
        assert_eq!(d.to_string(), "[calendar.time(\"23:00:00\"), true]");
        assert!(call("calendar.addTimes", &[time(1, 0, 0.0), date(2024, 1, 1)]).is_err());
    }

    #[test]
    fn differences() {
        let a = date(2024, 3, 1);
        let b = date(2024, 2, 1);
        assert_eq!(c("diffDays", &[a.clone(), b.clone()]), n(29));
        assert_eq!(c("diffDays", &[b.clone(), a.clone()]), n(-29));
        assert_eq!(c("diffMonths", &[a.clone(), b.clone()]), n(1));
        assert_eq!(
            c("diffMonths", &[date(2024, 3, 1), date(2024, 1, 31)]),
            n(1)
        );
        assert_eq!(
            c("diffMonths", &[date(2024, 2, 29), date(2024, 1, 31)]),
            n(0)
        );
        assert_eq!(
            c("diffMonths", &[date(2024, 1, 31), date(2024, 3, 1)]),
            n(-1)
        );
        assert_eq!(
            c("diffYears", &[date(2024, 2, 28), date(2023, 2, 28)]),
            n(1)
        );
        assert_eq!(
            c("diffYears", &[date(2024, 2, 27), date(2023, 2, 28)]),
            n(0)
        );
        let x = ts("2024-01-02T01:00:00Z");
        let y = ts("2024-01-01T23:00:00-01:00");
        assert_eq!(c("diffDays", &[x.clone(), y.clone()]), n(0));
        assert_eq!(c("diffHours", &[x.clone(), y.clone()]), n(1));
        assert_eq!(c("diffMinutes", &[x.clone(), y.clone()]), n(60));
        assert_eq!(c("diffSeconds", &[x.clone(), y.clone()]), n(3600));
        assert_eq!(
            c(
                "diffSeconds",
                &[dt(2024, 1, 1, 0, 0, 0.5), dt(2024, 1, 1, 0, 0, 0.0)]
            ),
            Value::Float(0.5)
        );
        assert_eq!(c("diffHours", &[y.clone(), x.clone()]), n(-1));
        assert_eq!(
            c("diffTimes", &[time(10, 0, 0.0), time(9, 30, 0.0)]),
            n(1800)
        );
        assert!(c("diffDays", &[Value::Undefined, a]).is_undefined());
    }

    #[test]
    fn calendar_facts() {
        assert_eq!(c("isLeapYear", &[n(2024)]), Value::Bool(true));
        assert_eq!(c("isLeapYear", &[n(1900)]), Value::Bool(false));
        assert_eq!(c("numDaysOfYear", &[n(2000)]), n(366));
        assert_eq!(c("numDaysOfYear", &[n(2023)]), n(365));
        assert_eq!(c("numDaysOfMonth", &[n(2024), n(2)]), n(29));
        assert_eq!(c("numDaysOfMonth", &[n(2023), n(2)]), n(28));
        assert_eq!(c("numDaysOfMonth", &[n(2023), n(4)]), n(30));
        assert!(call("calendar.numDaysOfMonth", &[n(2023), n(13)]).is_err());
        assert!(call("calendar.isLeapYear", &[Value::Float(f64::NAN)]).is_err());
        let t = ts("2024-05-17T12:00:00+03:00");
        assert_eq!(text(&c("firstDayOfMonth", &[t.clone()])), "2024-05-01");
        assert_eq!(
            text(&c("lastDayOfMonth", &[date(2023, 2, 3)])),
            "2023-02-28"
        );
        assert_eq!(text(&c("firstDayOfYear", &[t.clone()])), "2024-01-01");
        assert_eq!(text(&c("lastDayOfYear", &[t.clone()])), "2024-12-31");
        assert_eq!(c("dayOfYear", &[date(2024, 12, 31)]), n(366));
        assert_eq!(c("dayOfYear", &[date(2023, 1, 1)]), n(1));
        assert_eq!(c("daysSinceEpoch", &[date(1970, 1, 2)]), n(1));
        assert_eq!(c("daysSinceEpoch", &[date(1969, 12, 31)]), n(-1));
        assert_eq!(
            c("secondsSinceEpoch", &[ts("1970-01-01T01:00:00+01:00")]),
            n(0)
        );
        assert_eq!(
            c("secondsSinceEpoch", &[dt(1970, 1, 1, 0, 0, 1.5)]),
            Value::Float(1.5)
        );
    }

    #[test]
    fn ranges_now_and_epochs() {
        let Value::Stream(st) = c("dayRange", &[date(2024, 2, 27), date(2024, 3, 1)]) else {
            panic!("not a stream")
        };
        let mut host = TestHost::default();
        let mut cursor = st.cursor();
        let mut days = Vec::new();
        while let Some(v) = cursor.next(&mut host).unwrap() {
            days.push(text(&v));
        }
        assert_eq!(
            days,
            ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]
        );
        let Value::Stream(empty) = c("dayRange", &[date(2024, 3, 1), date(2024, 2, 1)]) else {
            panic!("not a stream")
        };
        assert!(empty.cursor().next(&mut host).unwrap().is_none());
        let now = c("now", &[Value::Null]);
        assert_eq!(text(&now), "2023-11-14T22:13:20Z");
        assert_eq!(text(&c("localNow", &[Value::Null])), "2023-11-14T22:13:20");
        assert_eq!(text(&c("epoch", &[])), "1970-01-01T00:00:00Z");
        assert_eq!(text(&c("epochDate", &[])), "1970-01-01");
        assert_eq!(text(&c("epochDateTime", &[])), "1970-01-01T00:00:00");
    }
}
