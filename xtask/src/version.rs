//! Dotted version numbers and the `>=X.Y` requirements of package.json `engines`.

/// `v20.20.2`, `20.19`, `11.19.1-beta` → [20, 20, 2]; missing parts count as 0 when compared.
pub fn parse(raw: &str) -> Option<Vec<u64>> {
    let core = raw.trim().trim_start_matches('v').split(['-', '+', ' ']).next()?;
    core.split('.').map(|p| p.parse().ok()).collect()
}

/// Whether `version` satisfies `requirement`: space-separated comparators, each `>=`, `>`,
/// `<=`, `<`, `=` or a bare version (`^X` and `~X` read as `>=X`, enough for `engines`).
/// `None` when the requirement is in a form this does not understand.
pub fn satisfies(version: &str, requirement: &str) -> Option<bool> {
    let have = parse(version)?;
    let mut ok = true;
    for comparator in requirement.split_whitespace() {
        let (op, want) = match comparator {
            c if c.starts_with(">=") => (">=", &c[2..]),
            c if c.starts_with("<=") => ("<=", &c[2..]),
            c if c.starts_with('>') => (">", &c[1..]),
            c if c.starts_with('<') => ("<", &c[1..]),
            c if c.starts_with('=') => ("=", &c[1..]),
            c if c.starts_with('^') || c.starts_with('~') => (">=", &c[1..]),
            c => (">=", c),
        };
        let want = parse(want)?;
        let order = compare(&have, &want);
        ok &= match op {
            ">=" => order.is_ge(),
            "<=" => order.is_le(),
            ">" => order.is_gt(),
            "<" => order.is_lt(),
            _ => order.is_eq(),
        };
    }
    Some(ok)
}

fn compare(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let len = a.len().max(b.len());
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    (0..len).map(|i| at(a, i).cmp(&at(b, i))).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_requirements() {
        assert_eq!(satisfies("v20.20.2", ">=20.19"), Some(true));
        assert_eq!(satisfies("v20.18.0", ">=20.19"), Some(false));
        assert_eq!(satisfies("v22.1.0", ">=20.19 <23"), Some(true));
        assert_eq!(satisfies("v23.0.0", ">=20.19 <23"), Some(false));
        assert_eq!(satisfies("11.19.1", ">=10"), Some(true));
        assert_eq!(satisfies("9.9.9", "^10"), Some(false));
        assert_eq!(satisfies("20.19.0", "20.19"), Some(true));
        assert_eq!(satisfies("20.19.0", ">=x"), None);
        assert_eq!(satisfies("garbage", ">=1"), None);
    }
}
