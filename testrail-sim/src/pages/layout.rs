//! The frame every page shares (top bar, breadcrumbs, style sheet) and the small pieces
//! pages are built from: status badges and bars, times, names.

use std::collections::BTreeMap;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::Viewer;
use crate::state::State;

/// The style sheet, inline so a page is one request.
const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2933;background:#f3f4f6}
a{color:#1d5fa8;text-decoration:none}
a:hover{text-decoration:underline}
header.top{background:#23364f;color:#fff;display:flex;align-items:center;gap:20px;padding:0 24px;height:46px}
header.top a{color:#fff}
header.top .brand{font-weight:600;font-size:16px;letter-spacing:.2px}
header.top .who{margin-left:auto;font-size:13px;opacity:.85}
main{max-width:1180px;margin:0 auto;padding:14px 24px 48px}
nav.crumbs{color:#616e7c;font-size:13px;margin:2px 0 4px}
nav.crumbs a{color:#616e7c}
h1{font-size:21px;margin:2px 0 12px;font-weight:600}
h2{font-size:16px;margin:0 0 10px;font-weight:600}
h3{font-size:14px;margin:14px 0 6px;font-weight:600;color:#3e4c59}
.card{background:#fff;border:1px solid #d9dee4;border-radius:6px;padding:14px 16px;margin-bottom:14px}
.meta{color:#52606d;font-size:13px;display:flex;flex-wrap:wrap;gap:4px 18px;margin-bottom:10px}
.muted{color:#7b8794}
.desc{white-space:pre-wrap;margin:6px 0 0}
table{border-collapse:collapse;width:100%}
th{text-align:left;font-weight:600;font-size:11.5px;text-transform:uppercase;letter-spacing:.3px;color:#616e7c;padding:6px 8px;border-bottom:2px solid #d9dee4}
td{padding:6px 8px;border-bottom:1px solid #e4e7eb;vertical-align:top}
td.id{white-space:nowrap;color:#52606d;width:64px}
td.num{white-space:nowrap;width:80px}
tr.section td{background:#f5f7fa;font-weight:600;color:#3e4c59;padding-top:9px}
tr.detail td{padding:0 8px 10px 80px;border-bottom:1px solid #d9dee4}
.status{display:inline-block;min-width:70px;text-align:center;padding:2px 8px;border-radius:3px;font-weight:600;font-size:12px}
.summary{display:flex;align-items:center;gap:18px;flex-wrap:wrap}
.bar{display:flex;height:14px;border-radius:3px;overflow:hidden;background:#e4e7eb;flex:1;min-width:160px}
.bar.small{height:9px;min-width:120px;max-width:220px}
.bar span{display:block;height:100%}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.pct{font-size:20px;font-weight:600}
.result{margin-top:6px}
.result .by{font-size:12.5px;color:#3e4c59}
pre.comment{white-space:pre-wrap;word-break:break-word;font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:4px 0;background:rgba(255,255,255,.65);border:1px solid rgba(0,0,0,.08);padding:6px 8px;border-radius:3px}
table.steps{width:auto;min-width:60%;margin:4px 0;background:rgba(255,255,255,.65)}
table.steps td,table.steps th{padding:3px 8px;font-size:12.5px}
ul.files{margin:4px 0;padding-left:18px;font-size:12.5px}
details summary{cursor:pointer;font-size:12.5px;color:#52606d;margin-top:4px}
details.result>summary{color:#3e4c59;list-style-position:outside}
details.result[open]>summary{margin-bottom:2px}
.tag{display:inline-block;padding:1px 7px;border-radius:10px;background:#e4e7eb;color:#3e4c59;font-size:12px}
form.login{display:grid;gap:8px;max-width:320px}
form.login input{padding:7px 8px;border:1px solid #cbd2d9;border-radius:4px;font:inherit}
form.login button{padding:8px;border:0;border-radius:4px;background:#1d5fa8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
p.error{color:#b42318;font-weight:600}
p.hint{color:#616e7c;font-size:13px;max-width:520px}
dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:0}
dl.fields dt{color:#616e7c}
dl.fields dd{margin:0}
"#;

/// One breadcrumb: the route after `index.php?` and its text.
pub(super) type Crumb = (String, String);

/// A whole page: top bar, breadcrumbs, then `body`, titled `<title> - TestRail`.
pub(super) fn page(
    viewer: Option<&Viewer>,
    title: &str,
    crumbs: &[Crumb],
    h1: &str,
    body: Markup,
) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " - TestRail" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.top {
                    a.brand href="index.php?/dashboard" { "TestRail" span.muted style="color:#9fb3c8" { " simulator" } }
                    a href="index.php?/dashboard" { "Dashboard" }
                    span.who {
                        @match viewer {
                            Some(Viewer::User(u)) => { (u.name) " · " a href="index.php?/auth/logout" { "Log out" } }
                            Some(Viewer::Loopback) => { "local access (loopback, no login), read-only" }
                            None => {}
                        }
                    }
                }
                main {
                    @if !crumbs.is_empty() {
                        nav.crumbs {
                            @for (i, (route, text)) in crumbs.iter().enumerate() {
                                @if i > 0 { " › " }
                                a href=(link(route)) { (text) }
                            }
                        }
                    }
                    h1 { (h1) }
                    (body)
                }
            }
        }
    }
    .into_string()
}

/// A page with a heading and one paragraph (errors, not found).
pub(super) fn message_page(viewer: Option<&Viewer>, heading: &str, text: &str) -> String {
    let crumbs = [("/dashboard".to_string(), "Dashboard".to_string())];
    page(
        viewer,
        heading,
        &crumbs,
        heading,
        html! { div.card { p #message { (text) } } },
    )
}

/// The href of a page route (relative, so it works whatever host name the client used).
pub(super) fn link(route: &str) -> String {
    format!("index.php?{route}")
}

/// `#rrggbb` of a colour packed into an integer, as TestRail stores status colours.
pub(super) fn css_color(rgb: u64) -> String {
    format!("#{:06x}", rgb & 0xff_ff_ff)
}

/// Black or white, whichever reads better on the colour.
fn text_on(rgb: u64) -> &'static str {
    let (r, g, b) = ((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
    // Relative luminance, roughly (ITU-R BT.601 weights).
    if r * 299 + g * 587 + b * 114 > 150_000 {
        "#1f2933"
    } else {
        "#ffffff"
    }
}

/// How a status looks: its label and its dark and bright colours.
pub(super) struct Look {
    /// The status label, e.g. `Failed`.
    pub label: String,
    /// System name, e.g. `failed`.
    pub name: String,
    /// Badge colour.
    pub dark: u64,
    /// Row colour.
    pub bright: u64,
}

/// The look of a status id (grey for an unknown one).
pub(super) fn look(st: &State, status_id: u64) -> Look {
    match st.status(status_id) {
        Some(s) => Look {
            label: s.label.clone(),
            name: s.name.clone(),
            dark: s.color_dark,
            bright: s.color_bright,
        },
        None => Look {
            label: format!("Status {status_id}"),
            name: format!("status_{status_id}"),
            dark: 0x7f7f7f,
            bright: 0xe0e0e0,
        },
    }
}

/// The inline style of a row in a status's bright colour.
pub(super) fn row_style(st: &State, status_id: u64) -> String {
    format!("background-color:{}", css_color(look(st, status_id).bright))
}

/// A status badge in the status's dark colour.
pub(super) fn badge(st: &State, status_id: u64) -> Markup {
    let l = look(st, status_id);
    html! {
        span.status data-status=(l.name)
            style=(format!("background-color:{};color:{}", css_color(l.dark), text_on(l.dark))) { (l.label) }
    }
}

/// A bar of the statuses' shares, with a legend when `legend` is set.
pub(super) fn bar(st: &State, counts: &BTreeMap<u64, u64>, small: bool, legend: bool) -> Markup {
    let total: u64 = counts.values().sum();
    // Statuses in TestRail's display order: the built-ins, then custom ones.
    let order = [1u64, 5, 2, 4, 3];
    let mut ids: Vec<u64> = order
        .iter()
        .copied()
        .filter(|id| counts.contains_key(id))
        .collect();
    ids.extend(counts.keys().copied().filter(|id| !order.contains(id)));
    html! {
        div class=(if small { "bar small" } else { "bar" }) title=(format!("{total} tests")) {
            @for id in &ids {
                @let n = counts.get(id).copied().unwrap_or(0);
                @let pct = if total == 0 { 0.0 } else { n as f64 * 100.0 / total as f64 };
                span style=(format!("width:{pct:.3}%;background-color:{}", css_color(look(st, *id).dark))) {}
            }
        }
        @if legend {
            div.legend {
                @for id in &ids {
                    @let l = look(st, *id);
                    span { i style=(format!("background-color:{}", css_color(l.dark))) {} (counts.get(id).copied().unwrap_or(0)) " " (l.label) }
                }
            }
        }
    }
}

/// A UNIX time as `2025-01-01 12:00 UTC`.
pub(super) fn time(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|ts| ts.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// A user's name, or `user N` for an unknown id.
pub(super) fn user_name(st: &State, id: u64) -> String {
    st.user(id)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| format!("user {id}"))
}

/// A byte count as `12.3 KB`.
pub(super) fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_times() {
        assert_eq!(css_color(14250867), "#d97373");
        assert_eq!(text_on(0xffffff), "#1f2933");
        assert_eq!(text_on(0x23364f), "#ffffff");
        assert_eq!(time(1735689600), "2025-01-01 00:00 UTC");
        assert_eq!(size(2048), "2.0 KB");
    }
}
