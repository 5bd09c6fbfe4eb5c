//! Statuses, priorities, case types, templates and field definitions (bare arrays).

use crate::common::Tr;

#[tokio::test]
async fn statuses_built_in_and_custom() {
    let tr = Tr::demo().await;
    let s = tr.get("get_statuses").await.ok().clone();
    let s = s.as_array().unwrap();
    assert_eq!(s.len(), 7);
    assert_eq!(s[2]["name"], "untested");
    assert_eq!(s[2]["is_untested"], true);
    assert_eq!(s[4]["color_dark"], 14250867);
    assert_eq!(s[5]["name"], "custom_status1");
    assert_eq!(s[5]["label"], "Flaky");
    assert_eq!(s[5]["is_system"], false);
}

#[tokio::test]
async fn priorities_types_templates() {
    let tr = Tr::demo().await;
    let p = tr.get("get_priorities").await.ok().clone();
    assert_eq!(
        p.as_array()
            .unwrap()
            .iter()
            .filter(|p| p["is_default"] == true)
            .count(),
        1
    );
    assert!(p[0]["short_name"].is_string());
    let t = tr.get("get_case_types").await.ok().clone();
    assert!(
        t.as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "Other" && t["is_default"] == true)
    );
    let tpl = tr.get("get_templates/1").await.ok().clone();
    assert_eq!(tpl[0]["name"], "Test Case (Text)");
}

#[tokio::test]
async fn case_and_result_fields() {
    let tr = Tr::demo().await;
    let f = tr.get("get_case_fields").await.ok().clone();
    let auto = f
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["system_name"] == "custom_automation_id")
        .unwrap()
        .clone();
    assert_eq!(auto["type_id"], 1);
    assert_eq!(auto["configs"][0]["context"]["is_global"], true);
    let r = tr.get("get_result_fields").await.ok().clone();
    assert!(
        r.as_array()
            .unwrap()
            .iter()
            .any(|f| f["system_name"] == "custom_environment")
    );
}
