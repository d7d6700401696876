"""Bad input on the command line: a clear one-line message, non-zero exit, no traceback."""

import asyncio
import struct
import threading

import pytest

from huddle.core.codec import PROTOCOL_VERSION, encode
from huddle.core.messages import Welcome
from huddle.core.questions import Question
from huddle.net import tls
from tests.processes import run
from tests.strangers import Stranger


def _assert_clean_failure(proc, status: int, message: str) -> None:  # type: ignore[no-untyped-def]
    assert proc.returncode == status, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--value", "5000001"], "Enter a value from 0 to 1000000"),
        (["--value", "12k"], "not a number"),
        (["--value", "1.5"], "at most 0 decimal places"),
        (["--min", "2"], "At least 3 people"),
        (["--expect", "2", "--min", "3"], "--expect must be at least --min"),
        (["--range", "10", "1"], "lowest allowed value must be below"),
        (["--range", "0", "1e30", "--decimals", "6"], "too wide"),
        (["--decimals", "9"], "Decimals must be between 0 and 6"),
        (["--value", "1", "--no-value"], "either --value or --no-value"),
    ],
)
def test_bad_host_settings(args: list[str], message: str) -> None:
    base = ["host", "--title", "t", "--expect", "3"]
    if "--value" not in args and "--no-value" not in args:
        base += ["--no-value"]
    proc = run(*base, *args)
    _assert_clean_failure(proc, 2, message)
    assert "12k" not in proc.stderr and "5000001" not in proc.stderr


@pytest.mark.parametrize("address", ["nowhere", "host:port", "1.2.3.4:99999", ":7300"])
def test_bad_join_address(address: str) -> None:
    _assert_clean_failure(run("join", address, "--value", "1"), 2, "is not ADDRESS:PORT")


def test_help_explains_the_value_warning() -> None:
    proc = run("host", "--help")
    assert proc.returncode == 0
    assert "process list" in proc.stdout and "shell history" in proc.stdout
    assert run("--help").returncode == 0


class FakeHost:
    """A TLS server that greets every joiner with fixed bytes."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.port = 0
        self._ready = threading.Event()
        self._stop: asyncio.Future[None] | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)

    async def _serve(self) -> None:
        async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(self.payload)
            await writer.drain()
            await reader.read()  # until the joiner hangs up
            writer.close()

        ctx = tls.server_context(tls.make_certificate())
        server = await asyncio.start_server(greet, "127.0.0.1", 0, ssl=ctx)
        self.port = server.sockets[0].getsockname()[1]
        self._stop = asyncio.get_running_loop().create_future()
        self._loop = asyncio.get_running_loop()
        self._ready.set()
        await self._stop
        server.close()

    def __enter__(self) -> "FakeHost":
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(lambda: self._stop.done() or self._stop.set_result(None))  # type: ignore[union-attr]
        self._thread.join(10)


WELCOME = encode(Welcome(session_id=bytes(16), host_name="Mallory", question=Question(title="t")))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (struct.pack(">IBB", 5, PROTOCOL_VERSION, 1) + b"{{{", "not valid JSON"),
        (struct.pack(">IBB", 4, 7, 1) + b"{}", "protocol 7"),
        (WELCOME.replace(b'"min_participants":3', b'"min_participants":1'), "At least 3 people"),
        (
            WELCOME
            + encode(Welcome(session_id=bytes(16), host_name="x", question=Question(title="t"))),
            "Unexpected|before being admitted",
        ),
    ],
)
def test_a_hostile_host_gets_a_clear_message(payload: bytes, message: str) -> None:
    with FakeHost(payload) as fake:
        proc = run("join", f"127.0.0.1:{fake.port}", "--value", "1", "--name", "Ann")
    assert proc.returncode == 1, proc.stderr
    assert "The host sent something invalid" in proc.stderr
    assert any(part in proc.stderr for part in message.split("|")), proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("payload", "kind"), [(struct.pack(">I", 2**31), ""), (b"", "http"), (b"", "https")]
)
def test_an_address_that_is_not_a_huddle_session_is_said_plainly(payload: bytes, kind: str) -> None:
    """A message length of 2 GiB, a web server, an HTTPS server: no jargon about sizes."""
    with FakeHost(payload) if payload else Stranger(kind) as other:
        proc = run("join", f"127.0.0.1:{other.port}", "--value", "1", "--name", "Ann")
    assert proc.returncode == 1, proc.stderr
    assert f"huddle: That address (127.0.0.1:{other.port}) answered, but not as a Huddle " in (
        proc.stderr
    )
    assert "bytes" not in proc.stderr and "invalid" not in proc.stderr
    assert "Traceback" not in proc.stderr
