"""The deployment examples in ``docs/deploy/`` work as written, checked with the real tools.

- the systemd unit passes ``systemd-analyze verify`` (with its paths pointed at this checkout);
- the nginx site passes ``nginx -t`` (with a self-signed certificate and a password file made here
  by ``openssl``), and, run for real in front of the unit's own ``ExecStart``, it asks for the
  password, sends http:// to https://, and passes the WebSocket through: a member's browser shows
  the working dashboard (its widgets come from the kernel over that WebSocket);
- ``jupyterhub_config.py`` loads with traitlets, names only settings that JupyterHub, Voilà and
  Jupyter Server really have, sets Voilà as ``briefing serve`` does, and a Jupyter Server started
  with the members' arguments and environment serves the dashboard at the members' start page.

Only paths, ports and the pool size are changed from the examples (``installed``).
"""

from __future__ import annotations

import importlib.metadata
import os
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import unavailable
from playwright.sync_api import Browser
from servers import (
    ARTIFACTS,
    VOILA_FAILURE,
    ServerOnly,
    free_port,
    launch,
    private_environment,
    running_briefing,
    stop,
    wait_for_page,
    wait_until,
)
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from briefing.config import REPO_ROOT, Settings
from briefing.server import voila_command

DEPLOY = REPO_ROOT / "docs" / "deploy"
UNIT = DEPLOY / "mie-briefing.service"
SITE = DEPLOY / "nginx-mie-briefing.conf"
HUB = DEPLOY / "jupyterhub_config.py"

#: Where the examples expect things on the prefecture's server.
INSTALL_DIR = "/opt/mie-briefing"
DATA_DIR_ON_SERVER = "/srv/mie-briefing/data"
USER, PASSWORD = "iinkai", "test-password-1"

#: Starting Voilà and a kernel on a busy 2-core machine; only a hang exceeds it.
START_TIMEOUT = 120.0
LOAD_TIMEOUT_MS = 90_000


def tool(name: str) -> str:
    """The path of a system tool (nginx lives in /usr/sbin, outside a normal user's PATH)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        unavailable(f"{name} がありません（./run.sh test が入れます）")
    return found


def installed(text: str, replacements: dict[str, str]) -> str:
    """``text`` with each example path (or setting) replaced; every one must occur."""
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in the example: update the test"
        text = text.replace(old, new)
    return text


# ---- systemd ----------------------------------------------------------------------------------


def unit_here(tmp_path: Path, *, port: int = 8866, pool: int = 6) -> Path:
    """The unit as it would be installed if this checkout were /opt/mie-briefing."""
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "briefing").exists(), "the console script is installed next to python"
    text = installed(
        UNIT.read_text(encoding="utf-8"),
        {
            f"{INSTALL_DIR}/.venv/bin/": f"{bin_dir}/",
            f"WorkingDirectory={INSTALL_DIR}": f"WorkingDirectory={REPO_ROOT}",
            f"BRIEFING_DATA={DATA_DIR_ON_SERVER}": f"BRIEFING_DATA={REPO_ROOT / 'data'}",
            "--port 8866 --pool 6": f"--port {port} --pool {pool}",
        },
    )
    path = tmp_path / UNIT.name
    path.write_text(text, encoding="utf-8")
    return path


def unit_values(unit: Path, key: str) -> list[str]:
    """Every value of ``key=`` in the unit (systemd allows a key several times)."""
    return [
        line.split("=", 1)[1]
        for line in unit.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"{key}=")
    ]


def systemd_analyze(unit: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("systemd-analyze"), "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_systemd_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    unit = unit_here(tmp_path)
    result = systemd_analyze(unit)
    said = result.stdout + result.stderr
    assert result.returncode == 0, said
    assert unit.name not in said, said  # no warning about the unit (unknown keys, bad values)
    # the check is real: the same unit pointing at a program that is not there fails
    missing = tmp_path / "missing" / UNIT.name
    missing.parent.mkdir()
    missing.write_text(
        unit.read_text(encoding="utf-8").replace(
            str(Path(sys.executable).parent), str(tmp_path / "nowhere")
        ),
        encoding="utf-8",
    )
    assert systemd_analyze(missing).returncode != 0


def test_the_service_stops_on_sigterm_and_keeps_its_state_out_of_home() -> None:
    # briefing serve stops Voilà and its kernels on SIGTERM (test_serve_stop.py): that is the signal
    text = UNIT.read_text(encoding="utf-8")
    assert "KillSignal=SIGTERM" in text
    assert "--host 127.0.0.1" in text  # only nginx reaches it
    for variable in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        assert any(v.startswith(f"{variable}=%") for v in unit_values(UNIT, "Environment")), (
            variable
        )


# ---- nginx ------------------------------------------------------------------------------------


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made by openssl."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        [tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return cert, key


def password_file(folder: Path) -> Path:
    """An htpasswd file as docs/deploy.md makes it (openssl passwd -apr1)."""
    hashed = subprocess.run(
        [tool("openssl"), "passwd", "-apr1", "-stdin"],
        input=PASSWORD,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    path = folder / "mie-briefing.htpasswd"
    path.write_text(f"{USER}:{hashed}\n", encoding="utf-8")
    return path


def nginx_conf(folder: Path, *, upstream: int, http: int, https: int) -> Path:
    """A whole nginx.conf around the example site, with everything under ``folder``."""
    cert, key = certificate(folder)
    site = folder / "site.conf"
    site.write_text(
        installed(
            SITE.read_text(encoding="utf-8"),
            {
                "/etc/ssl/mie-briefing/fullchain.pem": str(cert),
                "/etc/ssl/mie-briefing/privkey.pem": str(key),
                "/etc/nginx/mie-briefing.htpasswd": str(password_file(folder)),
                "server 127.0.0.1:8866;": f"server 127.0.0.1:{upstream};",
                "listen 80;": f"listen 127.0.0.1:{http};",
                "listen 443 ssl;": f"listen 127.0.0.1:{https} ssl;",
            },
        ),
        encoding="utf-8",
    )
    temp = " ".join(
        f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    conf = folder / "nginx.conf"
    # as root, nginx's workers run as nobody, who cannot read the test's private folder (on the
    # server the password file is readable by www-data: docs/deploy.md)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{user}pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        f"events {{}}\nhttp {{\n access_log {folder / 'access.log'};\n {temp}\n"
        f" uwsgi_temp_path {folder / 'uwsgi'}; scgi_temp_path {folder / 'scgi'};\n"
        f" include {site};\n}}\n",
        encoding="utf-8",
    )
    return conf


def nginx(conf: Path, *extra: str) -> list[str]:
    return [tool("nginx"), "-c", str(conf), "-p", str(conf.parent), "-e", str(conf.parent / "error.log"), *extra]  # fmt: skip


def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    conf = nginx_conf(tmp_path, upstream=8866, http=free_port(), https=free_port())
    result = subprocess.run(nginx(conf, "-t"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    assert "warn" not in result.stderr, result.stderr


def test_nginx_site_passes_the_websocket_upgrade_through() -> None:
    text = SITE.read_text(encoding="utf-8")
    assert "proxy_http_version 1.1;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "proxy_set_header Connection $connection_upgrade;" in text


@contextmanager
def running_nginx(conf: Path, *, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """nginx in the foreground in its own session; stopped (by its pid) afterwards."""
    ARTIFACTS.mkdir(exist_ok=True)
    process = launch(nginx(conf, "-g", "daemon off;"), os.environ, ARTIFACTS / "nginx.log")
    try:
        wait_until(
            lambda: process.poll() is not None or accepts(port),
            timeout=START_TIMEOUT,
            what="nginx listens",
        )
        assert process.poll() is None, (conf.parent / "error.log").read_text()
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGQUIT)  # nginx's graceful stop, workers included
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def accepts(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def status_of(url: str, *, auth: bool = False) -> tuple[int, dict[str, str]]:
    """HTTP status and headers of ``url`` (self-signed certificate accepted, redirects not followed)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    request = urllib.request.Request(url)
    if auth:
        import base64

        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with opener.open(request, timeout=START_TIMEOUT) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, dict(error.headers)


@pytest.mark.browser
def test_a_member_opens_the_dashboard_through_nginx_with_tls_and_the_password(
    tmp_path: Path, browser: Browser
) -> None:
    upstream, http, https = free_port(), free_port(), free_port()
    unit = unit_here(tmp_path, port=upstream, pool=1)
    # the service's own command line and environment (%S, %t resolved to folders of this test)
    command = shlex.split(unit_values(unit, "ExecStart")[0])
    env = {}
    for value in unit_values(unit, "Environment"):
        name, _, setting = value.partition("=")
        env[name] = setting.replace("%S", str(tmp_path / "state")).replace(
            "%t", str(tmp_path / "run")
        )
    conf_dir = tmp_path / "nginx"
    conf_dir.mkdir()
    conf = nginx_conf(conf_dir, upstream=upstream, http=http, https=https)
    with (
        running_briefing(
            command[1:], port=upstream, workdir=tmp_path, name="deploy-service",
            command=command[:1], env=env,
        ) as service,
        running_nginx(conf, port=https),
    ):  # fmt: skip
        origin = f"https://127.0.0.1:{https}"
        wait_until(
            lambda: (
                service.process.poll() is not None
                or status_of(origin + "/voila/static/voila.js", auth=True)[0] == 200
            ),
            timeout=START_TIMEOUT,
            what="the dashboard answers through nginx",
        )
        assert service.process.poll() is None, "the service's command ended"

        code, headers = status_of(origin + "/")
        assert code == 401
        assert headers.get("WWW-Authenticate", "").startswith("Basic")
        code, headers = status_of(f"http://127.0.0.1:{http}/?direction=5")
        assert code == 301
        assert headers["Location"] == "https://127.0.0.1/?direction=5"

        context = browser.new_context(
            viewport={"width": 1000, "height": 1400},
            locale="ja-JP",
            ignore_https_errors=True,
            http_credentials={"username": USER, "password": PASSWORD},
        )
        guard = ServerOnly(context)
        guard.allow(origin)
        page = context.new_page()
        page.goto(origin + "/?direction=5&area=東紀州", timeout=LOAD_TIMEOUT_MS)
        wait_for_page(page, timeout_ms=LOAD_TIMEOUT_MS)
        page.screenshot(path=ARTIFACTS / "deploy-behind-nginx.png")
        text = page.inner_text("body")
        context.close()
    assert "社会参加支援" in text  # direction 5, from the link through the proxy
    assert "東紀州" in text
    assert not VOILA_FAILURE.search(text)
    assert guard.foreign == []
    # the widgets came over the WebSocket that nginx upgraded
    assert any(url.startswith(f"wss://127.0.0.1:{https}/api/kernels/") for url in guard.seen)


# ---- JupyterHub -------------------------------------------------------------------------------


def hub_config() -> Config:
    return PyFileConfigLoader(HUB.name, path=str(HUB.parent)).load_config()


def hub_classes() -> dict[str, type]:
    """The classes whose settings the example may use, by the name used in ``c.<Name>``."""
    from jupyter_server.serverapp import ServerApp
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import PAMAuthenticator
    from jupyterhub.spawner import LocalProcessSpawner, Spawner
    from voila.configuration import VoilaConfiguration
    from voila.execute import VoilaExecutor

    return {
        cls.__name__: cls
        for cls in (
            JupyterHub,
            PAMAuthenticator,
            Spawner,
            LocalProcessSpawner,
            ServerApp,
            MappingKernelManager,
            VoilaConfiguration,
            VoilaExecutor,
        )
    }


@pytest.fixture(scope="module")
def hub() -> Config:
    try:
        importlib.metadata.version("jupyterhub")
    except importlib.metadata.PackageNotFoundError:
        unavailable("jupyterhub がありません（pip install -e '.[test]' で入ります）")
    return hub_config()


def server_arguments(config: Config) -> dict[tuple[str, str], str]:
    """``--Class.trait=value`` arguments of the members' servers, as {(class, trait): value}."""
    found = {}
    for argument in config.Spawner.args:
        assert argument.startswith("--") and "=" in argument, argument
        name, value = argument[2:].split("=", 1)
        cls, trait = name.split(".")
        found[(cls, trait)] = value
    return found


def test_jupyterhub_config_names_only_real_settings(hub: Config) -> None:
    classes = hub_classes()
    named = [(section, key) for section in hub for key in hub[section]]
    named += list(server_arguments(hub))
    assert len(named) >= 15
    for section, key in named:
        assert section in classes, f"c.{section}: not a class the example is checked against"
        traits = classes[section].class_traits(config=True)
        assert key in traits, f"c.{section}.{key} is not a setting of {section}"


def test_jupyterhub_config_values_are_accepted_by_the_real_classes(hub: Config) -> None:
    from jupyterhub.app import JupyterHub
    from jupyterhub.auth import PAMAuthenticator
    from jupyterhub.spawner import LocalProcessSpawner

    app = JupyterHub(config=hub)
    assert app.bind_url == "http://127.0.0.1:8000"  # behind nginx
    assert app.authenticator_class is PAMAuthenticator  # "pam", resolved by JupyterHub itself
    assert app.spawner_class is LocalProcessSpawner
    assert PAMAuthenticator(config=hub).allowed_groups == {"mie-committee"}
    spawner = LocalProcessSpawner(config=hub)
    assert spawner.default_url == "/voila/render/dashboard.ipynb"
    assert spawner.notebook_dir == f"{INSTALL_DIR}/notebooks"
    assert (REPO_ROOT / "notebooks" / "dashboard.ipynb").exists()
    assert spawner.environment["JUPYTER_PATH"] == f"{INSTALL_DIR}/widgets"
    assert (REPO_ROOT / "widgets" / "voila" / "templates" / "briefing").is_dir()


def test_jupyterhub_members_get_the_voila_settings_of_briefing_serve(hub: Config) -> None:
    ours = server_arguments(hub)
    serve = voila_command(Settings())
    shared = 0
    for argument in serve:
        if argument.startswith(("--VoilaExecutor.", "--MappingKernelManager.")):
            name, value = argument[2:].split("=", 1)
            cls, trait = name.split(".")
            assert ours.get((cls, trait)) == value, argument
            shared += 1
    assert shared == 7
    for option in ("template", "strip_sources", "show_tracebacks"):
        given = next(a for a in serve if a.startswith(f"--{option}="))
        assert ours[("VoilaConfiguration", option)] == given.split("=", 1)[1]


@pytest.mark.browser
def test_a_members_server_started_as_jupyterhub_would_shows_the_dashboard(
    hub: Config, tmp_path: Path, browser: Browser
) -> None:
    """The single-user side: a Jupyter Server with the spawner's arguments, environment and
    folder (JupyterHub adds its login in front) shows the dashboard at ``default_url``."""
    places = {INSTALL_DIR: str(REPO_ROOT), DATA_DIR_ON_SERVER: str(REPO_ROOT / "data")}

    def here(value: str) -> str:
        for old, new in places.items():
            value = value.replace(old, new)
        return value

    port, token = free_port(), "members-test-token"
    env = private_environment(dict(os.environ), tmp_path)
    env.update({name: here(value) for name, value in hub.Spawner.environment.items()})
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "no-config")  # disable_user_config: nothing of ours
    command = [sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}"]
    command += [f"--ServerApp.root_dir={here(hub.Spawner.notebook_dir)}"]
    command += [f"--IdentityProvider.token={token}", *hub.Spawner.args]
    if os.geteuid() == 0:
        command.append("--allow-root")  # JupyterHub runs each member as their own user
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "deploy-jupyterhub-member.log"
    process = launch(command, env, log_path, cwd=tmp_path)
    try:
        wait_until(
            lambda: process.poll() is not None or accepts(port),
            timeout=START_TIMEOUT,
            what="the member's server listens",
        )
        origin = f"http://127.0.0.1:{port}"
        context = browser.new_context(viewport={"width": 1000, "height": 1400}, locale="ja-JP")
        guard = ServerOnly(context)
        guard.allow(origin)
        page = context.new_page()
        page.goto(f"{origin}{hub.Spawner.default_url}?token={token}", timeout=LOAD_TIMEOUT_MS)
        wait_for_page(page, timeout_ms=LOAD_TIMEOUT_MS)
        text = page.inner_text("body")
        styles = page.evaluate("[...document.styleSheets].map(s => s.href || '')")
        page.screenshot(path=ARTIFACTS / "deploy-jupyterhub-member.png")
        context.close()
    finally:
        stop(process, tmp_path)  # SIGTERM: Jupyter Server shuts its kernels down; leftovers killed
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "架空のサンプル" in text  # the dashboard's sample notice: the data was read
    assert not VOILA_FAILURE.search(text)
    assert guard.foreign == []
    assert any("/voila/templates/briefing/static/" in href for href in styles)  # offline template
    assert "Culling kernels with idle durations > 60 seconds" in log
