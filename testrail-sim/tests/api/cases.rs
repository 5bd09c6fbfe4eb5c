//! Cases: filters, adding, editing (`updated_on`), soft deletion.

use serde_json::json;

use crate::common::Tr;

#[tokio::test]
async fn get_cases_filters() {
    let tr = Tr::demo().await;
    tr.get("get_cases/1")
        .await
        .assert_error(400, "Field :suite_id is a required field.");
    let all = tr.get("get_cases/1&suite_id=1").await.ok().clone();
    let all = all["cases"].as_array().unwrap().clone();
    assert_eq!(all.len(), 110);
    assert!(all.iter().all(|c| c["suite_id"] == 1));
    let c1 = &all[0];
    assert_eq!(c1["id"], 1);
    assert_eq!(
        c1["custom_automation_id"],
        "shop.cart.add_one_item_to_an_empty_cart"
    );
    assert_eq!(c1["is_deleted"], 0);
    let section = c1["section_id"].as_u64().unwrap();
    let b = tr
        .get(&format!("get_cases/1&suite_id=1&section_id={section}"))
        .await
        .ok()
        .clone();
    assert_eq!(b["size"], 10);
    let b = tr
        .get("get_cases/1&suite_id=1&filter=COUPON")
        .await
        .ok()
        .clone();
    let titles: Vec<_> = b["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert!(
        !titles.is_empty() && titles.iter().all(|t| t.to_lowercase().contains("coupon")),
        "{titles:?}"
    );
    let b = tr
        .get("get_cases/1&suite_id=1&priority_id=4")
        .await
        .ok()
        .clone();
    assert!(
        b["cases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["priority_id"] == 4)
    );
    // Single-suite project without suite_id.
    assert_eq!(tr.get("get_cases/2").await.ok()["cases"][0]["suite_id"], 4);
}

#[tokio::test]
async fn updated_on_moves_when_a_case_is_edited() {
    let tr = Tr::demo().await;
    tr.sim.freeze_clock(true);
    let t0 = tr.sim.now();
    let c = tr
        .post(
            "update_case/5",
            json!({"title": "Out-of-stock item is refused"}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(c["updated_on"], t0);
    assert_eq!(c["updated_by"], 1);
    assert_eq!(
        tr.get(&format!("get_cases/1&suite_id=1&updated_after={t0}"))
            .await
            .ok()["size"],
        1
    );
    // Move the clock instead of sleeping.
    tr.sim.advance_clock(10);
    tr.post("update_case/6", json!({"priority_id": 3}))
        .await
        .ok();
    let b = tr
        .get(&format!("get_cases/1&suite_id=1&updated_after={}", t0 + 1))
        .await
        .ok()
        .clone();
    assert_eq!(b["cases"][0]["id"], 6);
    assert_eq!(b["size"], 1);
    // Or bump one case past "now".
    let bumped = tr.sim.touch_case(7, None).unwrap();
    assert_eq!(bumped, t0 + 11);
    assert_eq!(tr.get("get_case/7").await.ok()["updated_on"], bumped);
    let r = tr
        .control(
            reqwest::Method::POST,
            "cases/8/touch",
            Some(json!({"updated_on": t0 + 100})),
        )
        .await;
    assert_eq!(r.ok()["updated_on"], t0 + 100);
}

#[tokio::test]
async fn add_case_validates_and_fills_defaults() {
    let tr = Tr::demo().await;
    let c = tr
        .post(
            "add_case/1",
            json!({"title": "Gift wrap option", "estimate": "1m 30s", "refs": "SHOP-1",
                   "custom_automation_id": "shop.cart.gift_wrap", "custom_unknown": 1}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(
        (c["suite_id"].as_u64(), c["section_id"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (
            c["type_id"].as_u64(),
            c["priority_id"].as_u64(),
            c["template_id"].as_u64()
        ),
        (Some(7), Some(2), Some(1))
    );
    assert_eq!(c["custom_automation_id"], "shop.cart.gift_wrap");
    assert!(c.get("custom_unknown").is_none());
    assert_eq!(c["id"], 261);
    tr.post("add_case/1", json!({}))
        .await
        .assert_error(400, "Field :title is a required field.");
    tr.post("add_case/1", json!({"title": "x".repeat(251)}))
        .await
        .assert_error(400, "Field :title is too long (250 characters at most).");
    tr.post("add_case/1", json!({"title": "t", "type_id": 99}))
        .await
        .assert_error(400, "Field :type_id is not a valid case type.");
    tr.post("add_case/1", json!({"title": "t", "priority_id": 99}))
        .await
        .assert_error(400, "Field :priority_id is not a valid priority.");
    tr.post("add_case/1", json!({"title": "t", "estimate": "soon"}))
        .await
        .assert_error(400, "Field :estimate is not in a valid time span format.");
    tr.post("add_case/1", json!({"title": "t", "milestone_id": 3}))
        .await
        .assert_error(400, "Field :milestone_id is not a valid milestone.");
    tr.post("add_case/9999", json!({"title": "t"}))
        .await
        .assert_error(400, "Field :section_id is not a valid section.");
}

#[tokio::test]
async fn update_case_moves_within_its_suite() {
    let tr = Tr::demo().await;
    tr.get("get_case/9999")
        .await
        .assert_error(400, "Field :case_id is not a valid test case.");
    tr.post("update_case/9999", json!({"title": "t"}))
        .await
        .assert_error(400, "Field :case_id is not a valid test case.");
    let c = tr
        .post("update_case/1", json!({"section_id": 3}))
        .await
        .ok()
        .clone();
    assert_eq!(c["section_id"], 3);
    // Section of suite 2.
    let other = tr.get("get_sections/1&suite_id=2").await.ok()["sections"][0]["id"]
        .as_u64()
        .unwrap();
    tr.post("update_case/1", json!({"section_id": other}))
        .await
        .assert_error(400, "Field :section_id is not a valid section.");
}

#[tokio::test]
async fn delete_case_is_soft() {
    let tr = Tr::demo().await;
    let run = tr.run_with(&[3, 4]).await;
    let dry = tr.post_empty("delete_case/3&soft=1").await;
    assert_eq!(dry.ok()["tests"], 1);
    tr.get("get_case/3").await.ok();
    assert!(tr.post_empty("delete_case/3").await.text.is_empty());
    tr.get("get_case/3")
        .await
        .assert_error(400, "Field :case_id is not a valid test case.");
    assert_eq!(tr.get("get_cases/1&suite_id=1").await.ok()["size"], 109);
    // The state still holds it, flagged; and it left the active run.
    assert!(tr.sim.with_state(|s| s.cases[&3].is_deleted));
    let tests = tr.get(&format!("get_tests/{run}")).await.ok().clone();
    assert_eq!(tests["size"], 1);
    // delete_cases (trcli's rollback) takes a list.
    tr.post("delete_cases/1", json!({"case_ids": [4, 5]}))
        .await
        .ok();
    tr.get("get_case/5")
        .await
        .assert_error(400, "Field :case_id is not a valid test case.");
}

#[tokio::test]
async fn update_case_keeps_template_fields_to_their_template_and_required_fields_filled() {
    let fixture = testrail_sim::Fixture::from_json(
        &json!({
            "users": [
                {"id": 1, "name": "Ada", "email": "admin@shop.test", "password": "a", "api_keys": ["admin-api-key"], "role": "admin"},
                {"id": 2, "name": "Lee", "email": "lead@shop.test", "password": "l", "api_keys": ["lead-api-key"], "role": "lead"}
            ],
            "case_fields": [
                {"id": 1, "name": "steps_separated", "type_id": 10, "template_ids": [2]},
                {"id": 2, "name": "owner", "type_id": 1, "is_required": true},
                {"id": 3, "name": "effort", "type_id": 2}
            ],
            "projects": [{"id": 1, "name": "P", "sections": [{"name": "S", "cases": [
                {"id": 1, "title": "text case", "custom_owner": "qa"},
                {"id": 2, "title": "steps case", "template_id": 2, "custom_owner": "qa"}
            ]}]}]
        })
        .to_string(),
    )
    .unwrap();
    let tr = Tr::with(fixture).await;
    let steps =
        json!([{"content": "log in", "expected": ""}, {"content": "pay", "expected": "paid"}]);

    // A "Test Case (Text)" case has no Steps field: TestRail answers 200 and keeps nothing.
    let c = tr
        .post(
            "update_case/1",
            json!({"title": "renamed", "custom_steps_separated": steps}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(c["title"], "renamed");
    assert!(
        c.get("custom_steps_separated").is_none_or(|v| v.is_null()),
        "{c}"
    );
    assert!(
        tr.sim
            .with_state(|s| !s.cases[&1].custom.contains_key("custom_steps_separated"))
    );

    // A "Test Case (Steps)" case stores them; updated_on and updated_by move.
    tr.sim.freeze_clock(true);
    tr.sim.advance_clock(60);
    let now = tr.sim.now();
    let c = tr
        .as_user("lead@shop.test", "lead-api-key")
        .post("update_case/2", json!({"custom_steps_separated": steps}))
        .await;
    let c = c.ok().clone();
    assert_eq!(c["custom_steps_separated"], steps);
    assert_eq!(
        (c["updated_on"].as_i64(), c["updated_by"].as_u64()),
        (Some(now), Some(2))
    );
    // Changing the template in the same request makes the field the case's.
    let c = tr
        .post(
            "update_case/1",
            json!({"template_id": 2, "custom_steps_separated": steps}),
        )
        .await
        .ok()
        .clone();
    assert_eq!(c["custom_steps_separated"], steps);

    // Values are checked by the field's type.
    tr.post(
        "update_case/2",
        json!({"custom_steps_separated": "log in, pay"}),
    )
    .await
    .assert_error(
        400,
        "Field :custom_steps_separated is not a valid list of steps.",
    );
    tr.post("update_case/2", json!({"custom_effort": "a lot"}))
        .await
        .assert_error(400, "Field :custom_effort is not a valid integer.");
    tr.post("update_case/2", json!({"custom_owner": "x".repeat(251)}))
        .await
        .assert_error(
            400,
            "Field :custom_owner is too long (250 characters at most).",
        );

    // A required field cannot be emptied, nor left out of a new case.
    tr.post("update_case/2", json!({"custom_owner": ""}))
        .await
        .assert_error(400, "Field :custom_owner is a required field.");
    tr.post("add_case/1", json!({"title": "new"}))
        .await
        .assert_error(400, "Field :custom_owner is a required field.");
    tr.post("add_case/1", json!({"title": "new", "custom_owner": "qa"}))
        .await
        .ok();
    // Unknown fields are ignored.
    let c = tr
        .post("update_case/2", json!({"custom_nonsense": 1}))
        .await
        .ok()
        .clone();
    assert!(c.get("custom_nonsense").is_none());
}
