"""Plays episodes against a server's /ws the way OpenEnv's Python client does, with the Python `websockets` library.

Written from ../shared/spec/openenv-protocol.md §6 (GenericEnvClient): the base URL becomes ws://…/ws, the handshake
is the library's default one (it offers permessage-deflate and pings), each call sends one text frame and waits for
one, an error frame raises RuntimeError("Server error: <message> (code: <code>)"), and close() sends {"type":"close"}
and then closes the socket. Runs on the websockets library's legacy client (Debian's python3-websockets is 10.x),
which speaks the same wire protocol as the websockets.asyncio client OpenEnv uses.

Usage: python3 openenv_ws_client.py <base_url> < plan.json > results.json
plan: {"episodes": [{"reset": {...}, "steps": ["SQL", ...]}, ...], "ping_interval_s": 0.2, "idle_s": 0.5}
Every episode runs on its own connection, all at once. Prints one JSON object with what each call returned.
"""

import asyncio
import json
import sys

import websockets


def ws_url(base_url):
    url = base_url.rstrip("/")
    if url.startswith("http://"):
        url = "ws://" + url[len("http://"):]
    elif url.startswith("https://"):
        url = "wss://" + url[len("https://"):]
    elif not url.startswith(("ws://", "wss://")):
        url = "ws://" + url
    return url + "/ws"


class EnvClient:
    def __init__(self, base_url, ping_interval_s, message_timeout_s=60):
        self.url = ws_url(base_url)
        self.ping_interval_s = ping_interval_s
        self.message_timeout_s = message_timeout_s
        self.ws = None
        self.text_frames = 0

    async def __aenter__(self):
        self.ws = await websockets.connect(
            self.url, open_timeout=10, max_size=100 * 1024 * 1024, ping_interval=self.ping_interval_s, ping_timeout=10
        )
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def _call(self, message):
        await self.ws.send(json.dumps(message))
        raw = await asyncio.wait_for(self.ws.recv(), self.message_timeout_s)
        if isinstance(raw, str):
            self.text_frames += 1
        frame = json.loads(raw)
        if frame.get("type") == "error":
            data = frame.get("data", {})
            raise RuntimeError(f"Server error: {data.get('message')} (code: {data.get('code')})")
        return frame["data"]

    async def reset(self, **kwargs):
        return await self._call({"type": "reset", "data": kwargs})

    async def step(self, action):
        return await self._call({"type": "step", "data": action})

    async def state(self):
        return await self._call({"type": "state"})

    async def close(self):
        if self.ws is None:
            return None
        ws, self.ws = self.ws, None
        await ws.send(json.dumps({"type": "close"}))
        # The server sends nothing back and closes with 1000; anything else that arrives here is a protocol error.
        try:
            extra = await asyncio.wait_for(ws.recv(), 5)
            return {"unexpected_frame": extra if isinstance(extra, str) else "<binary>"}
        except websockets.ConnectionClosed as closed:
            return {"close_code": closed.rcvd.code if closed.rcvd is not None else None}
        finally:
            await ws.close()


async def play(base_url, episode, ping_interval_s, idle_s):
    client = EnvClient(base_url, ping_interval_s)
    await client.__aenter__()
    out = {"extensions": [e.name for e in client.ws.extensions], "steps": []}
    reset = await client.reset(**episode["reset"])
    out["reset"] = {"reward": reset["reward"], "done": reset["done"], "episode_id": reset["observation"]["episode_id"],
                    "question_id": reset["observation"]["question_id"]}
    # While idle, the library's keepalive pings must be answered or it drops the connection.
    await asyncio.sleep(idle_s)
    for sql in episode["steps"]:
        try:
            r = await client.step({"custom_sql": sql})
            out["steps"].append({"reward": r["reward"], "done": r["done"], "episode_id": r["observation"]["episode_id"],
                                 "current_sql": r["observation"]["current_sql"], "error_class": r["observation"]["error_class"]})
        except RuntimeError as err:
            out["steps"].append({"error": str(err)})
    try:
        await client._call({"type": "bogus"})
    except RuntimeError as err:
        out["bogus"] = str(err)
    out["state"] = await client.state()
    out["close"] = await client.close()
    out["text_frames"] = client.text_frames
    return out


async def main():
    base_url = sys.argv[1]
    plan = json.load(sys.stdin)
    ping_interval_s = plan.get("ping_interval_s", 20)
    idle_s = plan.get("idle_s", 0)
    episodes = await asyncio.gather(*(play(base_url, e, ping_interval_s, idle_s) for e in plan["episodes"]))
    json.dump({"websockets_version": websockets.__version__, "episodes": episodes}, sys.stdout)


if __name__ == "__main__":
    asyncio.run(main())
