"""Browser test: headless Chromium opens a tiny run's report and `pipeline serve`'s live page.

    apt-get install -y chromium
    python3 Scripts/browser_check.py [--pipeline .build/release/pipeline] [--screenshots DIR]

Only the standard library: Chromium is driven through its DevTools protocol over a minimal
WebSocket client below. The script makes a tiny run, then starts a second run with a long flow
training and `pipeline serve`, and opens, each at phone width (390 px) and wide (1400 px):
  * the report from the file system (file://…/report.html),
  * the report through the server (/files/tiny/report.html),
  * the live page of the run that is training (/live/live).
On every page it checks that every image loaded (complete, with a natural size), that every
chart has its series drawn (a polyline or point in each), that nothing was fetched from anywhere
but the page's own origin or data: URIs, that the console shows no error (a failed load or a
blocked resource is one), and that at phone width the page does not scroll sideways. It saves a
full-page screenshot of each, prints what it found, and exits 1 on any failure.
"""
import argparse, base64, json, os, re, shutil, signal, socket, struct, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

TINY = """preset: quick
run: {run}
stages:
  prepare: {{ source: synthetic, count: 60, size: 32, classes: 3 }}
  train-ae: {{ steps: 4, width-scale: 0.125, batch-size: 8, eval-images: 8, codebook-size: 16, levels: 2, warmup-steps: 1 }}
  train-flow: {{ steps: {flow_steps}, base: 16, multipliers: [1, 2], batch-size: 16, checkpoint-every: {flow_steps}, log-every: 5, warmup: 1, eval-every: 10, eval-samples: 8, eval-images: 8 }}
  generate: {{ count: 6, steps: 2 }}
"""

# What the page reports about itself, evaluated in the page.
PROBE = """(() => {
  const images = Array.from(document.images).map(i => ({
    src: i.currentSrc.slice(0, 60), complete: i.complete, width: i.naturalWidth, height: i.naturalHeight }));
  const charts = Array.from(document.querySelectorAll('svg')).map(svg => ({
    title: (svg.querySelector('text') || {}).textContent || '',
    series: Array.from(svg.querySelectorAll('g.series')).map(g => ({
      name: g.getAttribute('data-name'), marks: g.querySelectorAll('polyline, circle').length })) }));
  return JSON.stringify({ title: document.title, images, charts,
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    scripts: document.scripts.length });
})()"""


class WebSocket:
    """A WebSocket client (RFC 6455) for text messages: enough for the DevTools protocol."""

    def __init__(self, url):
        parts = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("the DevTools socket closed during the handshake")
            response += chunk
        if not response.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"WebSocket handshake refused: {response[:200]!r}")
        self.buffer = response.split(b"\r\n\r\n", 1)[1]

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("the DevTools socket closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])  # a final text frame
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", length)
        mask = os.urandom(4)  # clients must mask their frames
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                (length,) = struct.unpack(">H", self._read(2))
            elif length == 127:
                (length,) = struct.unpack(">Q", self._read(8))
            payload = self._read(length)
            if opcode == 0x8:
                raise RuntimeError("the DevTools socket was closed by the browser")
            if opcode == 0x9:  # ping: answer, then go on reading
                continue
            message += payload
            if first & 0x80:
                return message.decode()


class DevTools:
    """Commands and events of one page target."""

    def __init__(self, url):
        self.socket = WebSocket(url)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.receive())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(index)
            self.events.append(json.loads(self.socket.receive()))
        raise RuntimeError(f"no {method} within {seconds} s")


def start_chromium(binary, profile):
    process = subprocess.Popen([binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--no-default-browser-check", "--hide-scrollbars", "--remote-debugging-port=0",
                                f"--user-data-dir={profile}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(300):
        if os.path.exists(port_file) and open(port_file).read().strip():
            port = int(open(port_file).read().split()[0])
            break
        time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("Chromium did not open its DevTools port")
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as response:
                pages = [t for t in json.load(response) if t.get("type") == "page"]
            if pages:
                return process, DevTools(pages[0]["webSocketDebuggerUrl"])
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("Chromium lists no page to drive")


def visit(tools, url, name, width, screenshots, allowed_origins, expect_images, failures):
    """Opens `url` at `width` px, checks it, saves a full-page screenshot; returns what it saw."""
    mobile = width < 600
    tools.call("Emulation.setDeviceMetricsOverride", width=width, height=900 if not mobile else 844,
               deviceScaleFactor=1, mobile=mobile)
    tools.events.clear()
    tools.call("Page.navigate", url=url)
    tools.wait_for("Page.loadEventFired")
    time.sleep(0.3)  # late console messages
    report = json.loads(tools.call("Runtime.evaluate", expression=PROBE, returnByValue=True)["result"]["value"])
    metrics = tools.call("Page.getLayoutMetrics")["cssContentSize"]
    shot = tools.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                      clip={"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1})
    path = os.path.join(screenshots, f"{name}-{width}.png")
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))

    errors = []
    requests = []
    for event in tools.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            errors.append(params["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            requests.append(params["request"]["url"])
    label = f"{name} at {width} px"
    broken = [i for i in report["images"] if not i["complete"] or i["width"] == 0]
    if len(report["images"]) < expect_images:
        failures.append(f"{label}: {len(report['images'])} images, expected at least {expect_images}")
    if broken:
        failures.append(f"{label}: images not loaded: {broken}")
    for chart in report["charts"]:
        empty = [s["name"] for s in chart["series"] if s["marks"] == 0]
        if not chart["series"] or empty:
            failures.append(f"{label}: chart '{chart['title']}' has no series drawn: {empty or 'none at all'}")
    if errors:
        failures.append(f"{label}: console errors: {errors}")
    foreign = [r for r in requests if not r.startswith("data:") and not any(r.startswith(o) for o in allowed_origins)]
    if foreign:
        failures.append(f"{label}: fetched from elsewhere: {foreign}")
    if report["scripts"]:
        failures.append(f"{label}: {report['scripts']} script element(s)")
    if mobile and report["scrollWidth"] > report["innerWidth"]:
        failures.append(f"{label}: scrolls sideways ({report['scrollWidth']} px wide in a {report['innerWidth']} px window)")
    charts = ", ".join(f"{c['title']} ({len(c['series'])} series)" for c in report["charts"]) or "none"
    print(f"  {label}: {len(report['images'])} images, all loaded: {not broken}; charts: {charts}; "
          f"console errors: {len(errors)}; requests: {len(requests)}; page width {report['scrollWidth']} px; {path}")
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipeline", default=".build/release/pipeline")
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "chromium")
    parser.add_argument("--screenshots", help="folder for the screenshots (default: a temporary folder, printed)")
    args = parser.parse_args()
    started = time.time()
    pipeline = os.path.abspath(args.pipeline)
    work = tempfile.mkdtemp(prefix="browser-check-")
    screenshots = os.path.abspath(args.screenshots or os.path.join(work, "screenshots"))
    os.makedirs(screenshots, exist_ok=True)
    failures, background = [], []
    chromium = None
    try:
        for run, steps in (("tiny", 20), ("live", 100000)):
            with open(os.path.join(work, f"{run}.yaml"), "w") as f:
                f.write(TINY.format(run=run, flow_steps=steps))
        made = subprocess.run([pipeline, "run", "--config", "tiny.yaml", "--threads", "1"], cwd=work,
                              capture_output=True, text=True, timeout=300)
        if made.returncode != 0:
            print(made.stdout, made.stderr)
            return 1
        print(f"tiny run made in {time.time() - started:.1f} s")
        # A run that trains for as long as the test needs: the live page follows it.
        live = subprocess.Popen([pipeline, "run", "--config", "live.yaml", "--threads", "1"], cwd=work,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        background.append(live)
        server = subprocess.Popen([pipeline, "serve", "--port", "0", "--artifacts", "artifacts", "--run", "tiny"], cwd=work,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        background.append(server)
        line = server.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
        if not match:
            print(f"pipeline serve did not say where it listens: {line!r} {server.stderr.read() if server.poll() is not None else ''}")
            return 1
        base = match.group(1)
        grid_folder = os.path.join(work, "artifacts/live/flow/grids")
        for _ in range(600):
            if os.path.isdir(grid_folder) and os.listdir(grid_folder):
                break
            time.sleep(0.1)
        else:
            failures.append("the live run made no evaluation grid within a minute")

        chromium, tools = start_chromium(args.chromium, os.path.join(work, "profile"))
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.call(f"{domain}.enable")
        report_file = "file://" + os.path.join(work, "artifacts/tiny/report.html")
        pages = [("report-file", report_file, ["file://"], 3),
                 ("report-served", f"{base}/files/tiny/report.html", [base + "/"], 3),
                 ("live", f"{base}/live/live", [base + "/"], 1)]
        for name, url, origins, images in pages:
            print(f"{name}: {url}")
            for width in (390, 1400):
                visit(tools, url, name, width, screenshots, origins, images, failures)
        live_page = urllib.request.urlopen(f"{base}/live/live", timeout=10).read().decode()
        if "state-running" not in live_page:
            failures.append("the live page does not show the training stage as running")
    finally:
        if chromium:
            chromium.terminate()
            chromium.wait(timeout=30)
        for process in background:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
    for failure in failures:
        print("FAIL", failure)
    # A failure keeps everything for a look; a pass keeps the screenshots only when asked to.
    if not failures and not args.screenshots:
        shutil.rmtree(work, ignore_errors=True)
        print("screenshots removed (--screenshots DIR keeps them)")
    else:
        print(f"screenshots in {screenshots}")
    print(f"{'OK' if not failures else str(len(failures)) + ' failure(s)'} in {time.time() - started:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
