"""Plain-HTTP file server for the media tests and the demo (a podcast host, as far as the tool can tell):
- GET /NAME serves DIR/NAME (Content-Length, a content type by extension);
- a path in DIR/redirects.json ({"path": "Location"}) answers 302 to that location;
- /truncated/NAME promises NAME's full length and sends half of it, then closes (a cut download);
- /stall/NAME sends the headers and 1 KiB, then nothing for an hour (a stalled server);
- /slow/NAME sends NAME in 16 KiB pieces, 0.1 s apart (a slow link: progress shows);
Anything else is 404.

  python devnet/media_server.py DIR [--port 0]
"""
import argparse, os, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from redirects import redirect

TYPES = {".mp3": "audio/mpeg", ".xml": "application/rss+xml", ".json": "application/json", ".m4a": "audio/mp4"}


class Handler(BaseHTTPRequestHandler):
    root = "."

    def log_message(self, *a):
        pass

    def file(self, name):
        path = os.path.normpath(os.path.join(self.root, name.lstrip("/")))
        if not path.startswith(self.root) or not os.path.isfile(path):
            return None
        return path

    def headers_for(self, length, name):
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(os.path.splitext(name)[1], "application/octet-stream"))
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_GET(self):
        if redirect(self, self.root):
            return
        if self.path.startswith("/slow/"):
            path = self.file(self.path[len("/slow"):])
            if path:
                body = open(path, "rb").read()
                self.headers_for(len(body), path)
                for at in range(0, len(body), 16384):
                    self.wfile.write(body[at:at + 16384])
                    self.wfile.flush()
                    time.sleep(0.1)
                return
        for prefix in ("/truncated/", "/stall/"):
            if self.path.startswith(prefix):
                path = self.file(self.path[len(prefix) - 1:])
                if not path:
                    break
                body = open(path, "rb").read()
                self.headers_for(len(body), path)
                if prefix == "/truncated/":
                    self.wfile.write(body[: len(body) // 2])
                else:
                    self.wfile.write(body[:1024])
                    self.wfile.flush()
                    time.sleep(3600)
                self.close_connection = True
                return
        path = self.file(self.path.split("?")[0])
        if not path:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = open(path, "rb").read()
        self.headers_for(len(body), path)
        self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    Handler.root = os.path.abspath(a.dir)
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    print(f"media server listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
