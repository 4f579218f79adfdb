"""HTTPS stub for tests, with the certificate it is given (self-signed, or from a test CA):
- POST answers eth_chainId (the client's certificate verification can be seen to refuse it);
- GET serves the files of --serve DIR (a domain's /.well-known/provenance.json), and a path listed in
  DIR/redirects.json ({"path": "Location"}) answers 302 to that location.

  python devnet/tls_server.py CERT.pem KEY.pem [--port 0] [--serve DIR]
"""
import argparse, json, ssl
from redirects import redirect
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    serve = None

    def log_message(self, *a):
        pass

    def do_GET(self):
        import os
        root = self.serve
        if redirect(self, root):
            return
        path = os.path.normpath(os.path.join(root or "/nonexistent", self.path.lstrip("/")))
        if not root or not path.startswith(os.path.abspath(root)) or not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        out = json.dumps({"jsonrpc": "2.0", "id": 1, "result": "0x1"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cert")
    ap.add_argument("key")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--serve")
    a = ap.parse_args()
    if a.serve:
        import os
        Handler.serve = os.path.abspath(a.serve)
    server = HTTPServer(("127.0.0.1", a.port), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(f"tls stub listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
