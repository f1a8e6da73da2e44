//! Links the addon against Node-API (napi-rs build setup).
fn main() {
    napi_build::setup();
}
