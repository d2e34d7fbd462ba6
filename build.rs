//! Build steps: migrations are embedded (rebuild when they change), and the OpenAPI document is
//! turned from YAML into JSON here, so the service serves it without a YAML parser of its own.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=api-spec/openapi.yaml");
    println!("cargo:rerun-if-changed=templates");
    let yaml = std::fs::read_to_string("api-spec/openapi.yaml").expect("api-spec/openapi.yaml");
    let value: serde_json::Value =
        serde_yaml_ng::from_str(&yaml).expect("api-spec/openapi.yaml is valid YAML");
    let out =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("openapi.json");
    std::fs::write(out, serde_json::to_string(&value).expect("JSON")).expect("write openapi.json");
}
