"""A small Discord emulator: REST and gateway on 127.0.0.1, for the unmodified discord.py client.

It keeps to Discord's rules where the bot could break them: acknowledge within 3 seconds
(else 404 code 10062), acknowledge once (else 400 code 40060), every request body valid against
Discord's OpenAPI description plus the 6,000-character embed total (else 400 code 50035, see
openapi.py), files within the interaction's attachment size limit (else 413 code 40005), and rate
limits (429 with `Via` and `retry_after`). Every request is recorded, and every rejected one in
`rejected` too; files sent with a message are kept in its `files`.

It speaks the gateway's sharding: `/gateway/bot` recommends a number of shards, an IDENTIFY may carry
`shard: [id, count]` (one connection per shard, any number of connections; closed with 4010 when the
shard cannot exist, 4011 when its session would hold 2,500 servers), and a server's events go only to
the session of its shard, (server id >> 22) % count, as Discord sends them. `delivered` records where
each went.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.e2e.openapi import invalid_form_body

DISCORD_EPOCH_MS = 1420070400000
APPLICATION_ID = "1100000000000000001"
ATTACHMENT_SIZE_LIMIT = 8 * 1024 * 1024  # what every interaction tells the bot, as Discord does
BOT_USER = {"id": APPLICATION_ID, "username": "articlebot", "discriminator": "0", "global_name": None,
            "avatar": None, "bot": True, "verified": True, "mfa_enabled": False, "flags": 0}
GUILD_ID = "1200000000000000001"
OTHER_GUILD_ID = "1200000000000000002"  # a second server the bot is in
DEFAULT_USER = "1400000000000000001"  # who sends an interaction unless a test names another
CHANNEL_ID = "1300000000000000001"
ACK_DEADLINE_SECONDS = 3.0
EPHEMERAL = 1 << 6
MANAGE_GUILD = str(1 << 5)  # the permission bit, as a member's permissions string carries it
SESSION_STARTS_PER_DAY = 1000  # /gateway/bot's session_start_limit.total, as Discord gives most bots
INVALID_SHARD = 4010  # the close code Discord answers an IDENTIFY with a shard outside its count
SHARDING_REQUIRED = 4011  # ... and one whose session would hold too many servers
MAX_GUILDS_PER_SESSION = 2500  # Discord's limit on the servers of one session (shard)


Shard = tuple[int, int]  # (shard id, shard count), as IDENTIFY's `shard` gives it


def shard_of(guild_id: str | int, count: int) -> int:
    """The shard whose session Discord sends a server's events to."""
    return (int(guild_id) >> 22) % count


def guild_on_shard(shard: int, count: int, after: int = int(GUILD_ID)) -> str:
    """The first server id from `after` on whose events belong to `shard` of `count`."""
    guild = after
    while shard_of(guild, count) != shard:
        guild += 1 << 22
    return str(guild)


@dataclass
class GatewaySession:
    """One IDENTIFY: its shard (None: unsharded, every server) and what it was sent, for a RESUME."""

    id: str
    shard: Shard | None
    socket: web.WebSocketResponse | None
    sequence: int = 0
    events: list[dict] = field(default_factory=list)  # every dispatch but READY, for replay after a RESUME

    def serves(self, guild_id: str) -> bool:
        return self.shard is None or shard_of(guild_id, self.shard[1]) == self.shard[0]


@dataclass
class Delivery:
    """A server's event and the shards of the sessions it went to (none: no session serves it)."""

    event: str
    guild_id: str
    shards: list[Shard | None]


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    at: float
    files: list[dict] = field(default_factory=list)  # {"filename", "content_type", "data"}


@dataclass
class Upload:
    """A file a user attaches to a command option. `size` is what Discord reports (the data's
    length unless given, to stand for a file too large to send in a test)."""

    filename: str
    data: bytes
    content_type: str = "text/plain"
    size: int | None = None


@dataclass
class InteractionState:
    id: str
    token: str
    dispatched_at: float
    acked_at: float | None = None
    ack_type: int | None = None
    ack_data: dict | None = None
    original: dict | None = None
    followups: list[dict] = field(default_factory=list)
    edits: list[dict] = field(default_factory=list)
    shards: list[Shard | None] = field(default_factory=list)  # of the sessions it was dispatched to


class DiscordEmulator:
    """`guilds`: the servers the bot is in, each listed in READY and sent as GUILD_CREATE to the
    session of its shard (none by default: interactions still come from any server id).
    `recommended_shards`: what /gateway/bot recommends."""

    def __init__(self, guilds: Sequence[str] = (), recommended_shards: int = 1) -> None:
        self.requests: list[Recorded] = []
        self.rejected: list[Recorded] = []  # each with Discord's error answer as its body
        self.interactions: dict[str, InteractionState] = {}
        self.by_token: dict[str, InteractionState] = {}
        self.commands: dict[str, list[dict]] = {}
        self.gateway_ops: list[int] = []
        self.guilds = list(guilds)
        self.recommended_shards = recommended_shards
        self.session_starts_left = SESSION_STARTS_PER_DAY
        self._session_numbers = itertools.count(1)
        # The live session of each shard (None: the unsharded one); a new IDENTIFY replaces its shard's.
        self.sessions: dict[Shard | None, GatewaySession] = {}
        self.identified: list[Shard | None] = []  # every IDENTIFY's shard, in order
        self.delivered: list[Delivery] = []
        self.connected = asyncio.Event()
        self.rate_limit_next_followups = 0
        self.uploads: dict[str, Upload] = {}  # attachment id → the file a user attached
        self.downloads: list[str] = []  # attachment ids the bot fetched
        self.rate_limited: list[str] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{id}/{name}", self._download)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for session in list(self.sessions.values()):
            if session.socket is not None and not session.socket.closed:
                await session.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def rest_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def snowflake(self) -> str:
        return str(((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(self._ids) % 4096))

    # ---- gateway -----------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        session: GatewaySession | None = None
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            op = payload["op"]
            self.gateway_ops.append(op)
            if op == 1:
                await socket.send_str(json.dumps({"op": 11}))
            elif op == 2:
                session = await self._identify(socket, payload["d"].get("shard"))
                if session is None:
                    break
            elif op == 6:
                session = await self._resume(socket, payload["d"])
        if session is not None and session.socket is socket:
            session.socket = None
        return socket

    async def _identify(self, socket: web.WebSocketResponse, asked: Any) -> GatewaySession | None:
        """A new session for the shard asked for; None after closing the socket as Discord does when
        that shard cannot exist, or would hold 2,500 servers or more."""
        shard: Shard | None = None
        if asked is not None:
            valid = (isinstance(asked, list) and len(asked) == 2 and all(type(n) is int for n in asked)
                     and asked[1] >= 1 and 0 <= asked[0] < asked[1])
            if not valid:
                await socket.close(code=INVALID_SHARD, message=b"Invalid shard.")
                return None
            shard = (asked[0], asked[1])
        served = sum(GatewaySession("", shard, None).serves(guild) for guild in self.guilds)
        if served >= MAX_GUILDS_PER_SESSION:
            await socket.close(code=SHARDING_REQUIRED, message=b"Sharding required.")
            return None
        self.identified.append(shard)
        self.session_starts_left -= 1
        session = GatewaySession(f"session-{next(self._session_numbers)}", shard, socket)
        self.sessions[shard] = session
        guilds = [guild for guild in self.guilds if session.serves(guild)]
        await self._send(session, "READY", {
            "v": 10, "user": BOT_USER, "guilds": [{"id": guild, "unavailable": True} for guild in guilds],
            "session_id": session.id, "resume_gateway_url": self.gateway_url,
            "application": {"id": APPLICATION_ID, "flags": 0}, **({"shard": list(shard)} if shard else {}),
        })
        for guild in guilds:
            self.delivered.append(Delivery("GUILD_CREATE", guild, [shard]))
            await self._send(session, "GUILD_CREATE", self._guild(guild))
        self.connected.set()
        return session

    async def _resume(self, socket: web.WebSocketResponse, resume: dict) -> GatewaySession | None:
        session = next((s for s in self.sessions.values() if s.id == resume.get("session_id")), None)
        if session is None:  # replaced by a later IDENTIFY of its shard: the client must identify anew
            await socket.send_str(json.dumps({"op": 9, "d": False}))
            return None
        session.socket = socket
        seen = resume.get("seq") or 0
        for event in [e for e in session.events if e["s"] > seen]:
            await socket.send_str(json.dumps(event))
        session.sequence += 1
        await socket.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": session.sequence, "d": {}}))
        self.connected.set()
        return session

    async def _send(self, session: GatewaySession, event: str, data: dict) -> None:
        session.sequence += 1
        frame = {"op": 0, "t": event, "s": session.sequence, "d": data}
        if event != "READY":
            session.events.append(frame)
        if session.socket is not None and not session.socket.closed:
            await session.socket.send_str(json.dumps(frame))

    async def _send_to_guild(self, event: str, guild_id: str, data: dict) -> list[Shard | None]:
        """Dispatch a server's event to the session of its shard (every session serving it); the
        shards it went to."""
        sessions = [session for session in self.sessions.values() if session.serves(guild_id)]
        for session in sessions:
            await self._send(session, event, data)
        shards = [session.shard for session in sessions]
        self.delivered.append(Delivery(event, guild_id, shards))
        return shards

    def _guild(self, guild_id: str) -> dict:
        """GUILD_CREATE's server: no channels or members, the bot needs neither."""
        return {
            "id": guild_id, "name": f"server {guild_id[-4:]}", "icon": None, "splash": None,
            "discovery_splash": None, "banner": None, "description": None, "owner_id": "1500000000000000001",
            "afk_channel_id": None, "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0, "features": [],
            "roles": [{"id": guild_id, "name": "@everyone", "permissions": "0", "position": 0, "color": 0,
                       "hoist": False, "managed": False, "mentionable": False, "flags": 0}],
            "emojis": [], "stickers": [], "application_id": None, "system_channel_id": None,
            "system_channel_flags": 0, "rules_channel_id": None, "public_updates_channel_id": None,
            "vanity_url_code": None, "preferred_locale": "en-GB", "premium_progress_bar_enabled": False,
            "joined_at": "2024-01-01T00:00:00+00:00", "large": False, "unavailable": False, "member_count": 2,
            "voice_states": [], "members": [], "channels": [], "threads": [], "presences": [],
            "stage_instances": [], "guild_scheduled_events": [],
        }

    async def drop_connection(self) -> None:
        """Close every websocket as a network fault would; the client must RESUME."""
        self.connected.clear()
        for session in list(self.sessions.values()):
            if session.socket is not None:
                await session.socket.close(code=4000, message=b"emulated fault")

    # ---- interactions ------------------------------------------------------------------------
    def _user(self, user_id: str) -> dict:
        return {"id": user_id, "username": f"user{user_id[-4:]}", "discriminator": "0", "global_name": None,
                "avatar": None, "bot": False}

    async def interact(self, kind: int, data: dict, user_id: str = DEFAULT_USER,
                       permissions: str = "0", message: dict | None = None,
                       guild_id: str = GUILD_ID) -> InteractionState:
        """Dispatch INTERACTION_CREATE as a member of the server `guild_id` would cause it."""
        interaction_id = self.snowflake()
        token = f"token-{interaction_id}"
        state = InteractionState(interaction_id, token, time.monotonic())
        self.interactions[interaction_id] = state
        self.by_token[token] = state
        payload = {
            "id": interaction_id, "application_id": APPLICATION_ID, "type": kind, "token": token, "version": 1,
            "data": data, "guild_id": guild_id, "channel_id": CHANNEL_ID,
            "channel": {"id": CHANNEL_ID, "type": 0, "guild_id": guild_id, "name": "news", "position": 0,
                        "permission_overwrites": [], "nsfw": False, "parent_id": None},
            "member": {"user": self._user(user_id), "roles": [], "joined_at": "2024-01-01T00:00:00+00:00",
                       "deaf": False, "mute": False, "flags": 0, "permissions": permissions},
            "locale": "en-GB", "guild_locale": "en-GB", "app_permissions": "2147483647", "entitlements": [],
            "authorizing_integration_owners": {"0": guild_id}, "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = message
        state.shards = await self._send_to_guild("INTERACTION_CREATE", guild_id, payload)
        return state

    async def slash(self, name: str, options: dict[str, Any] | None = None, subcommand: str | None = None,
                    **kwargs) -> InteractionState:
        """`/name [subcommand] options`; an option whose value is an `Upload` is an attachment."""
        option_type = {str: 3, bool: 5, int: 4, Upload: 11}
        values = [{"name": k, "type": option_type[type(v)], "value": self._attach(v) if isinstance(v, Upload) else v}
                  for k, v in (options or {}).items()]
        data: dict[str, Any] = {"id": self.snowflake(), "name": name, "type": 1,
                                "options": [{"name": subcommand, "type": 1, "options": values}] if subcommand
                                else values}
        uploads = {k: v for k, v in self.uploads.items() if k in {o["value"] for o in values}}
        if uploads:
            data["resolved"] = {"attachments": {k: self._attachment(k, v) for k, v in uploads.items()}}
        return await self.interact(2, data, **kwargs)

    def _attach(self, upload: Upload) -> str:
        """A file the user attached: kept until the bot downloads it from the emulator's CDN."""
        attachment_id = self.snowflake()
        self.uploads[attachment_id] = upload
        return attachment_id

    def _attachment(self, attachment_id: str, upload: Upload) -> dict:
        url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{upload.filename}"
        return {"id": attachment_id, "filename": upload.filename, "size": upload.size or len(upload.data),
                "url": url, "proxy_url": url, "content_type": upload.content_type}

    async def _download(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(request.match_info["id"])
        if upload is None:
            return _error(404, 0, "no such attachment")
        self.downloads.append(request.match_info["id"])
        return web.Response(body=upload.data, content_type="application/octet-stream")

    async def submit_modal(self, modal: dict, values: dict[str, str], **kwargs) -> InteractionState:
        """The form `modal` (a MODAL callback's data) sent back filled in, as Discord sends it:
        `values` by each text input's label."""
        labels = {component["label"]: component["custom_id"]
                  for row in modal["components"] for component in row["components"]}
        data = {"custom_id": modal["custom_id"], "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": labels[label], "value": value}]}
            for label, value in values.items()]}
        return await self.interact(5, data, **kwargs)

    async def wait_for(self, condition, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the emulator did not see the expected requests in time")
            await asyncio.sleep(0.01)

    async def answered(self, state: InteractionState, timeout: float = 10.0) -> dict:
        """The visible reply: the immediate message, or the followup / edit after a defer."""
        def done() -> bool:
            if state.ack_type in (4, 7, 8, 9):
                return True
            return state.ack_type == 5 and bool(state.followups or state.edits)
        await self.wait_for(done, timeout)
        if state.ack_type in (4, 7, 8, 9):  # 9: the form a MODAL response opens
            return state.ack_data or {}
        return (state.followups or state.edits)[-1]

    # ---- REST --------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        tail = request.match_info["tail"]
        try:
            body, files = await self._body(request)
        except ValueError:
            return self._reject(request.method, tail, {"code": 50109,
                                                       "message": "The request body contains invalid JSON."})
        self.requests.append(Recorded(request.method, "/" + tail, body, time.monotonic(), files))
        invalid = invalid_form_body(request.method, "/" + tail, body)
        if invalid is not None:
            return self._reject(request.method, tail, invalid)
        if any(len(file["data"]) > ATTACHMENT_SIZE_LIMIT for file in files):
            return self._reject(request.method, tail, {"code": 40005, "message": "Request entity too large"},
                                status=413)
        parts = tail.split("/")
        if request.method == "GET" and tail == "gateway/bot":
            return _json({"url": self.gateway_url, "shards": self.recommended_shards, "session_start_limit": {
                "total": SESSION_STARTS_PER_DAY, "remaining": max(0, self.session_starts_left),
                "reset_after": 86_400_000, "max_concurrency": 1}})
        if request.method == "GET" and tail == "gateway":
            return _json({"url": self.gateway_url})
        if request.method == "GET" and tail == "users/@me":
            return _json(BOT_USER)
        if request.method == "GET" and tail == "oauth2/applications/@me":
            return _json({"id": APPLICATION_ID, "name": "articlebot", "icon": None, "description": "",
                          "bot_public": True, "bot_require_code_grant": False, "verify_key": "0" * 64,
                          "flags": 0, "owner": {**BOT_USER, "bot": False, "id": "1500000000000000001"},
                          "team": None, "summary": ""})
        if request.method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            scope = parts[3] if len(parts) > 3 else "global"
            # Discord fills the fields a command leaves out (a context menu has no description).
            defaults = {"description": "", "options": [], "default_member_permissions": None, "nsfw": False}
            echoed = [{**defaults, **command, "id": self.snowflake(), "application_id": APPLICATION_ID,
                       "version": "1", **({"guild_id": scope} if scope != "global" else {})}
                      for command in body or []]
            self.commands[scope] = echoed
            return _json(echoed)
        if parts[0] == "interactions" and parts[-1] == "callback":
            return self._callback(parts[1], parts[2], body)
        if parts[0] == "webhooks":
            return await self._webhook(request.method, parts, body, files)
        return _error(404, 0, f"the emulator does not serve {request.method} /{tail}")

    def _reject(self, method: str, tail: str, answer: dict, status: int = 400) -> web.Response:
        self.rejected.append(Recorded(method, "/" + tail, answer, time.monotonic()))
        return _json(answer, status)

    async def _body(self, request: web.Request) -> tuple[Any, list[dict]]:
        """The JSON body (`payload_json` of a multipart one) and the files sent with it."""
        if request.content_type == "application/json":
            return await request.json(), []
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            files = [{"filename": part.filename, "content_type": part.content_type, "data": part.file.read()}
                     for name, part in form.items() if isinstance(part, web.FileField)]
            return (json.loads(form["payload_json"]) if "payload_json" in form else {}), files
        return None, []

    def _callback(self, interaction_id: str, token: str, body: dict) -> web.Response:
        state = self.interactions.get(interaction_id)
        if state is None or state.token != token:
            return _error(404, 10062, "Unknown interaction")
        if time.monotonic() - state.dispatched_at > ACK_DEADLINE_SECONDS:
            return _error(404, 10062, "Unknown interaction")
        if state.acked_at is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        data = body.get("data") or {}
        flags = data.get("flags") or 0
        state.acked_at, state.ack_type, state.ack_data = time.monotonic(), body["type"], {**data, "request": body}
        message = None
        if body["type"] in (4, 5, 7):
            message = self._message(data, flags=flags)
            state.original = message
        return _json({
            "interaction": {"id": interaction_id, "type": 2, "response_message_id": message and message["id"],
                            "response_message_loading": body["type"] == 5,
                            "response_message_ephemeral": bool(flags & EPHEMERAL)},
            "resource": {"type": body["type"], **({"message": message} if message else {})},
        })

    async def _webhook(self, method: str, parts: list[str], body: Any, files: list[dict]) -> web.Response:
        state = self.by_token.get(parts[2])
        if state is None:
            return _error(404, 10015, "Unknown Webhook")
        if method == "POST" and len(parts) == 3:
            if self.rate_limit_next_followups > 0:
                self.rate_limit_next_followups -= 1
                self.rate_limited.append(state.id)
                return web.Response(
                    status=429, body=json.dumps({"message": "You are being rate limited.", "retry_after": 0.25,
                                                 "global": False}).encode(),
                    headers={"Content-Type": "application/json", "Via": "1.1 google", "Retry-After": "1",
                             "X-RateLimit-Scope": "user"})
            message = self._message(body, flags=body.get("flags") or 0, files=files)
            state.followups.append({**message, "request": body, "files": files})
            return _json(message)
        if parts[3:5] == ["messages", "@original"] or (len(parts) == 5 and parts[3] == "messages"):
            if method == "DELETE":
                return web.Response(status=204)
            if method == "PATCH":
                message = self._message(body, flags=0)
                state.edits.append({**message, "request": body})
                return _json(message)
            return _json(state.original or self._message({}, flags=0))
        return _error(404, 0, "unknown webhook route")

    def _message(self, data: dict, flags: int, files: list[dict] = ()) -> dict:
        attachments = [{"id": self.snowflake(), "filename": file["filename"], "size": len(file["data"]),
                        "content_type": file["content_type"],
                        "url": f"https://cdn.discordapp.com/attachments/{CHANNEL_ID}/0/{file['filename']}",
                        "proxy_url": f"https://media.discordapp.net/attachments/{CHANNEL_ID}/0/{file['filename']}"}
                       for file in files]
        return {
            "id": self.snowflake(), "channel_id": CHANNEL_ID, "type": 0, "content": data.get("content") or "",
            "embeds": data.get("embeds") or [], "components": data.get("components") or [],
            "author": BOT_USER, "attachments": attachments, "mentions": [], "mention_roles": [],
            "mention_everyone": False, "pinned": False, "tts": False, "timestamp": "2025-01-01T00:00:00+00:00",
            "edited_timestamp": None, "flags": flags, "webhook_id": APPLICATION_ID,
            "application_id": APPLICATION_ID,
        }


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py reads JSON only when the content type is exactly application/json.
    return web.Response(status=status, body=json.dumps(data).encode(),
                        headers={"Content-Type": "application/json"})


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"code": code, "message": message}, status)
