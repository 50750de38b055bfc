//! Generates the client from the committed OpenAPI document, `helpdesk-axum/openapi.json`,
//! with progenitor. progenitor reads OpenAPI 3.0 and the document is 3.1: a copy of it is
//! first down-converted and fitted to progenitor's limits (`build/adapt.rs`).

use std::error::Error;
use std::path::PathBuf;

#[path = "build/adapt.rs"]
mod adapt;

/// The operations progenitor cannot generate (a `multipart/form-data` body), as the crate
/// documentation lists them; the build fails when the document makes this list wrong.
const LEFT_OUT: [&str; 1] = ["upload"];

fn main() -> Result<(), Box<dyn Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let source = manifest.join("../../helpdesk-axum/openapi.json");
    println!("cargo::rerun-if-changed={}", source.display());
    println!("cargo::rerun-if-changed=build/adapt.rs");

    let text = std::fs::read_to_string(&source)
        .map_err(|e| format!("cannot read {}: {e}", source.display()))?;
    let mut document: serde_json::Value = serde_json::from_str(&text)?;
    adapt::downgrade(&mut document)
        .map_err(|e| format!("{} cannot be read as OpenAPI 3.0: {e}", source.display()))?;
    let left_out = adapt::fit_progenitor(&mut document);
    if left_out != LEFT_OUT {
        return Err(format!(
            "operations left out of the client: {left_out:?}, where the crate documents {LEFT_OUT:?}"
        )
        .into());
    }
    let spec: openapiv3::OpenAPI = serde_json::from_value(document)?;

    // The builder interface (`client.open().body(...).send()`), which keeps callers
    // compiling when an operation gains an optional parameter; `PartialEq` on the types
    // so what is read back compares with what was sent.
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_derive("PartialEq");
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let file: syn::File = syn::parse2(tokens)?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("client.rs");
    // progenitor's usage sketches are marked `ignore`, which rustdoc reports as ignored
    // tests; they are illustrations, so they become plain text blocks.
    let source = prettyplease::unparse(&file).replace("```ignore", "```text");
    std::fs::write(out, source)?;
    Ok(())
}
