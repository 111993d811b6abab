use serde_json::json;

use super::harness::{ClientOptions, TestClient};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capabilities_are_a_contract() {
    let client = TestClient::start(ClientOptions::default()).await;
    let capabilities = &client.initialize_result["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(
        capabilities["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(capabilities["textDocumentSync"]["openClose"], true);
    assert_eq!(capabilities["hoverProvider"], true);
    let tokens = &capabilities["semanticTokensProvider"];
    assert_eq!(
        tokens["legend"]["tokenTypes"],
        json!([
            "protein", "dna", "rna", "cellType", "cellLine", "chemical", "disease", "species"
        ])
    );
    assert_eq!(tokens["legend"]["tokenModifiers"], json!(["lowConfidence"]));
    assert_eq!(tokens["full"], json!({ "delta": true }));
    assert_eq!(tokens["range"], true);
    assert_eq!(client.initialize_result["serverInfo"]["name"], "scitag");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf8_is_chosen_when_the_client_offers_it() {
    let options = ClientOptions {
        position_encodings: vec!["utf-16", "utf-8"],
        ..ClientOptions::default()
    };
    let mut client = TestClient::start(options).await;
    assert_eq!(client.position_encoding(), "utf-8");
    assert_eq!(client.status().await["positionEncoding"], "utf-8");
    client.shutdown().await;
}
