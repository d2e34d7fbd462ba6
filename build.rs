// embed_migrations! reads the migrations folders at compile time; without this, a change to a
// migration alone would not rebuild the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=api-spec/openapi.yaml");
}
