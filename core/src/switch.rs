//! A switch in an address's query, such as `?compact=1`: read one way by the widget and by the
//! reference server's page, so that a link opens the same form in both.

/// Whether a switch's value in a query turns it on: `1` or `true`, as the snippet and the
/// configurator write it. Anything else (absent, empty, `0`, `false`, a typo) leaves it off.
pub fn is_on(value: Option<&str>) -> bool {
    matches!(value, Some("1" | "true"))
}

#[cfg(test)]
mod tests {
    use super::is_on;

    #[test]
    fn only_1_and_true_turn_a_switch_on() {
        for (value, on) in [
            (Some("1"), true),
            (Some("true"), true),
            (None, false),
            (Some(""), false),
            (Some("0"), false),
            (Some("false"), false),
            (Some("yes"), false),
            (Some("TRUE"), false),
            (Some(" 1"), false),
        ] {
            assert_eq!(is_on(value), on, "{value:?}");
        }
    }
}
