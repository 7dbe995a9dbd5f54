//! The web dashboard: its page, scripts, styles, vendored map library and basemap, all
//! embedded in the binary, so that it works offline. The page signs in with an API token
//! and reads everything through the JSON API, under the same policy as any client.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// Every asset: its path under `/assets/`, its media type and its bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../assets/app.js")),
    ("app.css", "text/css; charset=utf-8", include_bytes!("../assets/app.css")),
    ("i18n.js", "text/javascript; charset=utf-8", include_bytes!("../assets/i18n.js")),
    ("basemap/countries.geojson", "application/geo+json", include_bytes!("../../../data/basemap/countries.geojson")),
    ("basemap/seats.geojson", "application/geo+json", include_bytes!("../../../data/basemap/seats.geojson")),
    (
        "vendor/leaflet/leaflet.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/leaflet/leaflet.js"),
    ),
    ("vendor/leaflet/leaflet.css", "text/css; charset=utf-8", include_bytes!("../assets/vendor/leaflet/leaflet.css")),
    ("vendor/leaflet/marker-icon.png", "image/png", include_bytes!("../assets/vendor/leaflet/marker-icon.png")),
    ("vendor/leaflet/marker-icon-2x.png", "image/png", include_bytes!("../assets/vendor/leaflet/marker-icon-2x.png")),
    ("vendor/leaflet/marker-shadow.png", "image/png", include_bytes!("../assets/vendor/leaflet/marker-shadow.png")),
    (
        "vendor/markercluster/leaflet.markercluster.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/markercluster/leaflet.markercluster.js"),
    ),
    (
        "vendor/markercluster/MarkerCluster.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/vendor/markercluster/MarkerCluster.css"),
    ),
    (
        "vendor/markercluster/MarkerCluster.Default.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/vendor/markercluster/MarkerCluster.Default.css"),
    ),
];

const INDEX: &[u8] = include_bytes!("../assets/index.html");

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(index)).route("/assets/{*path}", get(asset))
}

/// Headers that keep the page to its own origin: no scripts, styles or images from
/// anywhere else, and no framing.
fn guarded(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; \
             frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

async fn index() -> Response {
    guarded(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], INDEX).into_response())
}

async fn asset(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == path) {
        Some((_, media_type, bytes)) => guarded(
            ([(header::CONTENT_TYPE, *media_type), (header::CACHE_CONTROL, "no-cache")], *bytes).into_response(),
        ),
        None => {
            crate::Problem::not_found(format!("no asset {path:?}; the dashboard's assets are at /")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_asset_the_page_names_is_embedded() {
        let page = std::str::from_utf8(super::INDEX).expect("UTF-8");
        for reference in page.split("\"/assets/").skip(1) {
            let path = reference.split('"').next().unwrap_or_default();
            assert!(super::ASSETS.iter().any(|(name, _, _)| *name == path), "{path} is not embedded");
        }
    }
}
