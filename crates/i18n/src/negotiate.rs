//! Parsing `Accept-Language` (RFC 9110 §12.5.4) into language tags, best first.

/// The tags of an `Accept-Language` value, highest quality first (ties keep their order);
/// tags with `q=0` and `*` are left out.
pub fn parse_accept_language(header: &str) -> Vec<String> {
    let mut weighted: Vec<(u16, usize, String)> = header
        .split(',')
        .enumerate()
        .filter_map(|(index, item)| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim();
            if tag.is_empty() || tag == "*" {
                return None;
            }
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1000), parse_quality)?;
            (quality > 0).then(|| (quality, index, tag.to_owned()))
        })
        .collect();
    weighted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    weighted.into_iter().map(|(_, _, tag)| tag).collect()
}

/// A quality value in thousandths, or `None` when malformed.
fn parse_quality(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    (0.0..=1.0).contains(&value).then(|| (value * 1000.0).round() as u16)
}
