//! Readiness (issue 34): `/health/ready` answers 200 only when the database answers and its
//! migrations are current; `/health` (alive) stays as it was.

use crate::helpers::*;

#[test]
fn the_service_is_ready_only_with_its_database_migrated() {
    let app = spawn_app();
    let r = app.get("/health/ready", None).expect(200);
    assert_eq!(r.body["status"], "ready");
    assert_eq!(r.body["migrations"], "current");
    assert_eq!(
        r.body["backend"],
        if app.db.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    );
    // A migration of this build not run (its record gone, as after a restore of an older
    // backup): not ready, saying why; still alive.
    app.execute_sql(
        "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)",
    );
    let r = app.get("/health/ready", None).expect(503);
    assert_eq!(r.body["type"], "urn:planloket:problem:not-ready");
    assert!(
        r.body["detail"].as_str().unwrap().contains("migration"),
        "{}",
        r.text
    );
    app.get("/health", None).expect(200);
}
