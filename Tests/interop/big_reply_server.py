"""A loopback HTTP server whose every reply is a 33 MiB JSON string: for the RPC body cap test.

Prints its URL on the first line, then serves until killed. Only 127.0.0.1 is bound."""
import http.server
import socketserver

BODY = b'{"jsonrpc":"2.0","id":1,"result":"0x' + b"0" * (33 << 20) + b'"}'


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        try:
            self.wfile.write(BODY)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


with socketserver.TCPServer(("127.0.0.1", 0), Handler) as server:
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
