//! Projects, suites, milestones, configurations and users.

use serde_json::json;

use crate::common::Tr;

#[tokio::test]
async fn projects_and_suite_modes() {
    let tr = Tr::demo().await;
    let b = tr.get("get_projects").await.ok().clone();
    let projects = b["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 2);
    assert_eq!(
        (
            projects[0]["name"].as_str(),
            projects[0]["suite_mode"].as_u64()
        ),
        (Some("Shop"), Some(3))
    );
    assert_eq!(
        (
            projects[1]["name"].as_str(),
            projects[1]["suite_mode"].as_u64()
        ),
        (Some("Back Office"), Some(1))
    );
    assert!(
        projects[0]["url"]
            .as_str()
            .unwrap()
            .ends_with("index.php?/projects/overview/1")
    );
    assert_eq!(tr.get("get_projects&is_completed=1").await.ok()["size"], 0);
    tr.get("get_project/2").await.ok();
    tr.get("get_project/99").await.assert_error(
        400,
        "Field :project_id is not a valid or accessible project.",
    );
}

#[tokio::test]
async fn suites() {
    let tr = Tr::demo().await;
    let b = tr.get("get_suites/1").await.ok().clone();
    let names: Vec<_> = b["suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Web Shop", "Payments", "Mobile App"]);
    assert_eq!(tr.get("get_suite/2").await.ok()["project_id"], 1);
    tr.get("get_suite/99")
        .await
        .assert_error(400, "Field :suite_id is not a valid test suite.");
    let s = tr
        .post(
            "add_suite/1",
            json!({"name": "API", "description": "REST API"}),
        )
        .await;
    let id = s.ok()["id"].as_u64().unwrap();
    assert_eq!(tr.get(&format!("get_suite/{id}")).await.ok()["name"], "API");
    tr.post("add_suite/1", json!({}))
        .await
        .assert_error(400, "Field :name is a required field.");
    // A single-suite project keeps its one suite.
    assert_eq!(
        tr.post("add_suite/2", json!({"name": "second"}))
            .await
            .status
            .as_u16(),
        400
    );
    assert!(
        tr.post_empty(&format!("delete_suite/{id}"))
            .await
            .text
            .is_empty()
    );
    tr.get(&format!("get_suite/{id}"))
        .await
        .assert_error(400, "Field :suite_id is not a valid test suite.");
}

#[tokio::test]
async fn milestones_and_configs() {
    let tr = Tr::demo().await;
    let m = tr.get("get_milestones/1").await.ok().clone();
    assert_eq!(m["milestones"].as_array().unwrap().len(), 2);
    assert_eq!(
        tr.get("get_milestones/1&is_completed=0").await.ok()["size"],
        1
    );
    tr.get("get_milestone/1").await.ok();
    tr.get("get_milestone/77")
        .await
        .assert_error(400, "Field :milestone_id is not a valid milestone.");
    let c = tr.get("get_configs/1").await.ok().clone();
    assert_eq!(c[0]["name"], "Browsers");
    assert_eq!(
        c[0]["configs"][0],
        json!({"id": 1, "name": "Chrome", "group_id": 1})
    );
    assert_eq!(c[1]["configs"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn users() {
    let tr = Tr::demo().await;
    let b = tr.get("get_users").await.ok().clone();
    assert_eq!(b["users"].as_array().unwrap().len(), 5);
    let u = tr
        .get("get_user_by_email&email=tester%40shop.test")
        .await
        .ok()
        .clone();
    assert_eq!(
        (u["id"].as_u64(), u["role"].as_str()),
        (Some(3), Some("Tester"))
    );
    tr.get("get_user_by_email&email=ghost@shop.test")
        .await
        .assert_error(400, "Field :email is not a valid email address.");
    tr.get("get_user_by_email")
        .await
        .assert_error(400, "Field :email is a required field.");
    assert_eq!(
        tr.get("get_current_user").await.ok()["email"],
        "admin@shop.test"
    );
    assert_eq!(tr.get("get_user/4").await.ok()["role"], "Read-only");
}
