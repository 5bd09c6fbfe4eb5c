//! Sections: suite_id rules, nesting, deletion.

use serde_json::json;

use crate::common::Tr;

#[tokio::test]
async fn suite_id_is_required_in_multi_suite_projects_only() {
    let tr = Tr::demo().await;
    tr.get("get_sections/1")
        .await
        .assert_error(400, "Field :suite_id is a required field.");
    let b = tr.get("get_sections/1&suite_id=1").await.ok().clone();
    let cart = &b["sections"][0];
    assert_eq!(
        (
            cart["name"].as_str(),
            cart["depth"].as_u64(),
            cart["parent_id"].is_null()
        ),
        (Some("Cart"), Some(0), true)
    );
    assert_eq!(b["sections"][1]["parent_id"], cart["id"]);
    assert_eq!(b["sections"][1]["depth"], 1);
    // Single-suite project: no suite_id needed.
    assert!(
        tr.get("get_sections/2").await.ok()["size"]
            .as_u64()
            .unwrap()
            > 0
    );
    tr.get("get_sections/1&suite_id=4")
        .await
        .assert_error(400, "Field :suite_id is not a valid test suite.");
    tr.get("get_section/9999")
        .await
        .assert_error(400, "Field :section_id is not a valid section.");
}

#[tokio::test]
async fn add_nested_sections() {
    let tr = Tr::demo().await;
    tr.post("add_section/1", json!({"name": "Gift cards"}))
        .await
        .assert_error(400, "Field :suite_id is a required field.");
    tr.post("add_section/1", json!({"suite_id": 1}))
        .await
        .assert_error(400, "Field :name is a required field.");
    let top = tr
        .post(
            "add_section/1",
            json!({"suite_id": 1, "name": "Gift cards", "description": "d"}),
        )
        .await;
    let top = top.ok().clone();
    let sub = tr
        .post(
            "add_section/1",
            json!({"suite_id": 1, "name": "Redeem", "parent_id": top["id"]}),
        )
        .await;
    let sub = sub.ok().clone();
    assert_eq!(
        (sub["depth"].as_u64(), &sub["parent_id"]),
        (Some(1), &top["id"])
    );
    // A parent from another suite is refused.
    tr.post(
        "add_section/1",
        json!({"suite_id": 2, "name": "x", "parent_id": top["id"]}),
    )
    .await
    .assert_error(400, "Field :parent_id is not a valid section.");
    // Single-suite mode ignores suite_id.
    let s = tr
        .post("add_section/2", json!({"suite_id": 1, "name": "Suppliers"}))
        .await;
    assert_eq!(s.ok()["suite_id"], 4);
}

#[tokio::test]
async fn delete_section_takes_sub_sections_and_cases() {
    let tr = Tr::demo().await;
    let parent = tr
        .post("add_section/1", json!({"suite_id": 1, "name": "Tmp"}))
        .await
        .ok()["id"]
        .as_u64()
        .unwrap();
    let child = tr
        .post(
            "add_section/1",
            json!({"suite_id": 1, "name": "Tmp2", "parent_id": parent}),
        )
        .await;
    let child = child.ok()["id"].as_u64().unwrap();
    let case = tr
        .post(&format!("add_case/{child}"), json!({"title": "t"}))
        .await
        .ok()["id"]
        .as_u64()
        .unwrap();
    assert!(
        tr.post_empty(&format!("delete_section/{parent}"))
            .await
            .text
            .is_empty()
    );
    tr.get(&format!("get_section/{child}"))
        .await
        .assert_error(400, "Field :section_id is not a valid section.");
    tr.get(&format!("get_case/{case}"))
        .await
        .assert_error(400, "Field :case_id is not a valid test case.");
}
