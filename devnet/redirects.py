"""What the test HTTP servers share: redirects listed in DIR/redirects.json ({"path": "Location"})."""
import json, os


def redirect(handler, root):
    """Answers 302 when handler.path is listed in ROOT/redirects.json; returns whether it did."""
    listed = os.path.join(root, "redirects.json") if root else None
    redirects = json.load(open(listed)) if listed and os.path.exists(listed) else {}
    if handler.path not in redirects:
        return False
    handler.send_response(302)
    handler.send_header("Location", redirects[handler.path])
    handler.send_header("Content-Length", "0")
    handler.end_headers()
    return True
