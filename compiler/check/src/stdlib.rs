//! The standard library's interface modules, embedded so `mixc` checks against them anywhere.

/// (path, source) of every `stdlib/*.mix` file.
pub const FILES: &[(&str, &str)] = &[
    (
        "stdlib/array.mix",
        include_str!("../../../stdlib/array.mix"),
    ),
    (
        "stdlib/bitset.mix",
        include_str!("../../../stdlib/bitset.mix"),
    ),
    ("stdlib/bool.mix", include_str!("../../../stdlib/bool.mix")),
    (
        "stdlib/calendar.mix",
        include_str!("../../../stdlib/calendar.mix"),
    ),
    (
        "stdlib/container.mix",
        include_str!("../../../stdlib/container.mix"),
    ),
    ("stdlib/db.mix", include_str!("../../../stdlib/db.mix")),
    ("stdlib/json.mix", include_str!("../../../stdlib/json.mix")),
    (
        "stdlib/logging.mix",
        include_str!("../../../stdlib/logging.mix"),
    ),
    ("stdlib/map.mix", include_str!("../../../stdlib/map.mix")),
    (
        "stdlib/number.mix",
        include_str!("../../../stdlib/number.mix"),
    ),
    (
        "stdlib/option.mix",
        include_str!("../../../stdlib/option.mix"),
    ),
    (
        "stdlib/query.mix",
        include_str!("../../../stdlib/query.mix"),
    ),
    (
        "stdlib/random.mix",
        include_str!("../../../stdlib/random.mix"),
    ),
    (
        "stdlib/regex.mix",
        include_str!("../../../stdlib/regex.mix"),
    ),
    (
        "stdlib/result.mix",
        include_str!("../../../stdlib/result.mix"),
    ),
    ("stdlib/set.mix", include_str!("../../../stdlib/set.mix")),
    (
        "stdlib/stream.mix",
        include_str!("../../../stdlib/stream.mix"),
    ),
    (
        "stdlib/string.mix",
        include_str!("../../../stdlib/string.mix"),
    ),
    (
        "stdlib/testing.mix",
        include_str!("../../../stdlib/testing.mix"),
    ),
    (
        "stdlib/uniqArray.mix",
        include_str!("../../../stdlib/uniqArray.mix"),
    ),
];
