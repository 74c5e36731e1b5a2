import Foundation
import LiveView
import Pipeline
import XCTest

/// What `pipeline serve` answers, without sockets: the index, files, the live page of a run
/// whose flow is training, and the refusals.
final class ArtifactRoutesTests: XCTestCase {
    var sandbox: URL!
    var routes: ArtifactRoutes!

    override func setUpWithError() throws {
        sandbox = FileManager.default.temporaryDirectory.appendingPathComponent("routes-\(UUID().uuidString)")
        try ServedFixture.make(sandbox: sandbox)
        routes = ArtifactRoutes(folder: try ServedFolder(sandbox.appendingPathComponent("artifacts")), run: "tiny")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: sandbox)
    }

    func text(_ response: ArtifactRoutes.Response) -> String { String(decoding: response.body, as: UTF8.self) }

    func testTheIndexListsTheRunsWithTheirReportAndLiveView() {
        let response = routes.response(method: "GET", target: "/")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["Content-Type"], "text/html; charset=utf-8")
        XCTAssertTrue(
            text(response).contains(
                "<li class=\"current\"><code>tiny</code> · <a href=\"/files/tiny/report.html\">report</a> · "
                    + "<a href=\"/live/tiny\">live view</a></li>"), text(response))
    }

    func testFilesAreServedWithTheirTypeAndNoScriptPolicy() {
        let page = routes.response(method: "GET", target: "/files/tiny/report.html?reload=1")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(text(page).contains("the report"))
        XCTAssertTrue(page.headers["Content-Security-Policy"]?.hasPrefix("default-src 'none'") == true)
        XCTAssertEqual(page.headers["Cache-Control"], "no-store")
        let grid = routes.response(method: "GET", target: "/files/tiny/flow/grids/step-000020.png")
        XCTAssertEqual(grid.status, 200)
        XCTAssertEqual(grid.headers["Content-Type"], "image/png")
        XCTAssertEqual(routes.response(method: "HEAD", target: "/files/tiny/report.html").status, 200)
        XCTAssertEqual(
            routes.response(method: "GET", target: "/favicon.ico").status, 204, "no 404 in the browser's console")
    }

    func testRefusals() {
        for (target, status) in [
            ("/files/tiny/../../secret.txt", 400), ("/files/%2e%2e/secret.txt", 400), ("/files/tiny/leak.txt", 404),
            ("/files/tiny/flow/model.safetensors", 403), ("/files/tiny/.pipeline.lock", 403),
            ("/live/..", 400), ("/live/tiny/flow", 404), ("/elsewhere", 404),
        ] {
            let response = routes.response(method: "GET", target: target)
            XCTAssertEqual(response.status, status, target)
            XCTAssertFalse(text(response).contains(ServedFixture.secret), target)
        }
        let post = routes.response(method: "POST", target: "/files/tiny/report.html")
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.headers["Allow"], "GET, HEAD")
        XCTAssertEqual(routes.response(method: "DELETE", target: "/").status, 405)
    }

    /// While a process holds the flow folder's lock (here this test), the live page follows it:
    /// step 20 of the 40 the saved configuration plans, the newest numbers and grid.
    func testTheLivePageFollowsTheRunningStage() throws {
        let flow = sandbox.appendingPathComponent("artifacts/tiny/flow")
        let lock = try RunLock.acquire(in: flow.path)
        defer { lock.release() }
        let page = text(routes.response(method: "GET", target: "/live/tiny"))
        XCTAssertTrue(page.contains("<meta http-equiv=\"refresh\" content=\"5\">"), "it reloads itself")
        XCTAssertTrue(
            page.contains("<h2>train-flow <span class=\"state state-running\">running (pid \(getpid()))</span></h2>"),
            page)
        XCTAssertTrue(page.contains("<progress value=\"20\" max=\"40\"></progress><p>step 20 of 40 (50%)"), page)
        XCTAssertTrue(page.contains("<dt>loss</dt><dd>0.7</dd>"), page)
        XCTAssertTrue(page.contains("<dt>SWD ×10³</dt><dd>44.50 at step 10</dd>"), page)
        XCTAssertTrue(page.contains("<img src=\"/files/tiny/flow/grids/step-000020.png\""), page)
        XCTAssertTrue(page.contains("<a href=\"/files/tiny/report.html\">the run's report</a>"))
        XCTAssertFalse(page.contains("<script"))

        lock.release()
        let after = text(routes.response(method: "GET", target: "/live/tiny"))
        XCTAssertTrue(
            after.contains("<h2>train-flow <span class=\"state state-stale\">started, not finished</span></h2>"), after)
    }

    func testTheLivePageOfARunNotStartedSaysSo() {
        let page = text(routes.response(method: "GET", target: "/live/later"))
        XCTAssertTrue(page.contains("No run named later in the artifacts folder yet"), page)
    }
}
