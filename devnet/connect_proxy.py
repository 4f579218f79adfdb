"""A CONNECT proxy for tests, on 127.0.0.1 only: tunnels TLS to the host:port a client asks for and
counts the tunnels, so a test can see that libcurl honoured https_proxy (and no_proxy).

  python devnet/connect_proxy.py [--port 0]
  GET /__stats -> {"connects": n, "targets": ["127.0.0.1:PORT", ...]}
"""
import argparse, json, select, socket, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
stats = {"connects": 0, "targets": []}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path != "/__stats":
            self.send_error(404)
            return
        with lock:
            body = json.dumps(stats).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_CONNECT(self):
        host, _, port = self.path.rpartition(":")
        if host not in ("127.0.0.1", "localhost"):  # loopback only: never a tunnel to anywhere else
            self.send_error(403)
            return
        with lock:
            stats["connects"] += 1
            stats["targets"].append(self.path)
        try:
            upstream = socket.create_connection((host, int(port)), timeout=60)
        except OSError:
            self.send_error(502)
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        sockets = [self.connection, upstream]
        try:
            while True:
                ready, _, _ = select.select(sockets, [], [], 600)  # idle tunnels close; a slow client's stays
                if not ready:
                    break
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (upstream if s is self.connection else self.connection).sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"connect proxy listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
