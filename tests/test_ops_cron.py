"""The documented cron set-up, run for real: the crontab's command line as an unprivileged user,
with the secrets file and storage folder made as deploy/README.md says."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import one_page_site
from test_ops_deploy import DEPLOY, cron_command

from auditor.history import open_history

from report_support import PASSWORD, USER, smtp_server, tls_ca  # noqa: F401 (fixtures)

CRON_USER = "auditor-ci"
AUDITOR = Path(sys.executable).with_name("auditor")
RUNUSER = shutil.which("runuser")


def unprivileged_user() -> str:
    """The user cron runs the line as: made here when the tests run as root."""
    try:
        pwd.getpwnam(CRON_USER)
        return CRON_USER
    except KeyError:
        pass
    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.skip(f"needs root (to run as another user) and a user {CRON_USER!r} or useradd to make one")
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", CRON_USER],
                   check=True)
    return CRON_USER


def documented(line: str, root: Path, program: Path = AUDITOR) -> str:
    """A line of the documentation with its absolute paths moved under `root`."""
    return (line.replace("/etc/auditor", str(root / "etc/auditor"))
                .replace("/var/lib/auditor", str(root / "var/lib/auditor"))
                .replace("/opt/auditor/.venv/bin/auditor", str(program))
                .replace(" auditor ", f" {CRON_USER} ").replace("-o auditor -g auditor", f"-o {CRON_USER} -g {CRON_USER}"))


def install_lines() -> list[str]:
    """The `sudo install …` lines of deploy/README.md that make the secrets file and storage folder."""
    guide = (DEPLOY / "README.md").read_text()
    lines = [line.split("#")[0].strip().removeprefix("sudo ") for line in guide.splitlines()
             if line.startswith("sudo install")]
    return [line for line in lines if "auditor.env" in line or "/var/lib/auditor" in line or "-d -m 755" in line]


def as_user(user: str, command: str, env: dict[str, str] | None = None, timeout: float = 30):
    return subprocess.run([RUNUSER, "-u", user, "--", "/bin/sh", "-c", command], env=env or {"PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=timeout)


def installed_for(user: str, root: Path) -> Path:
    """An `auditor` command `user` can run, as /opt/auditor/.venv is for the service user. This
    Python may live where only root can read (a home folder): then a venv of the system's Python of
    the same version, reading this one's packages, stands in for the installed copy."""
    if as_user(user, f"{AUDITOR} --version").returncode == 0:
        return AUDITOR
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.is_file():
        pytest.skip(f"{user} cannot run {AUDITOR}, and there is no {system} to install it for them")
    venv = root / "opt/auditor/.venv"
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(venv)], check=True)
    packages = [p for p in sys.path if p.endswith("site-packages")]
    [site] = list((venv / "lib").glob("python*/site-packages"))
    (site / "installed.pth").write_text("".join(f"import site; site.addsitedir({p!r})\n" for p in packages))
    script = venv / "bin/auditor"
    script.write_text(f"#!{venv / 'bin/python'}\nimport sys\nfrom auditor.cli import main\nsys.exit(main())\n")
    script.chmod(0o755)
    if as_user(user, f"{script} --version").returncode != 0:
        pytest.skip(f"{user} cannot run the auditor from this checkout: {as_user(user, f'{script} --version').stderr}")
    return script


@pytest.fixture
def root():
    if os.geteuid() != 0:
        pytest.skip("the cron set-up test runs the line as another user, which needs root")
    if not os.access(AUDITOR, os.X_OK) or not RUNUSER:
        pytest.skip("needs the auditor command beside this Python, and runuser")
    folder = Path(tempfile.mkdtemp(prefix="auditor-cron-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_crontab_line_runs_as_the_unprivileged_user_with_root_only_config_and_private_secrets(
        root, serve, smtp_server, tls_ca, tmp_path):
    user = unprivileged_user()
    program = installed_for(user, root)
    web = serve(root=one_page_site(tmp_path / "site"))
    mail = smtp_server("ssl")
    ca = root / "ca.pem"
    shutil.copy(tls_ca[0], ca)
    ca.chmod(0o644)

    etc = root / "etc/auditor"
    etc.parent.mkdir()
    example_env = root / "auditor.env.example"
    example_env.write_text(f"SSL_CERT_FILE={ca}\nAUDITOR_SMTP_USER={USER}\nAUDITOR_SMTP_PASSWORD='{PASSWORD}'\n")
    for line in install_lines():
        command = documented(line, root).replace("deploy/auditor.env.example", str(example_env))
        subprocess.run(command.split(), check=True)
    (etc / "auditor.toml").write_text(
        f'[scheme]\nname = "Home-Start Testshire"\nwebsite = "{web.url("/")}"\n\n'
        '[crawl]\ndelay_seconds = 0\ntimeout_seconds = 5\n\n'
        '[report]\nrecipients = ["ceo@example.org.uk"]\nsender = "auditor@example.org.uk"\n'
        f'[report.smtp]\nhost = "127.0.0.1"\nport = {mail.port}\nsecurity = "ssl"\ntimeout_seconds = 5\n'
        'username_env = "AUDITOR_SMTP_USER"\npassword_env = "AUDITOR_SMTP_PASSWORD"\n\n'
        f'[storage]\ndirectory = "{root / "var/lib/auditor"}"\n', encoding="utf-8")
    env = etc / "auditor.env"
    assert env.stat().st_mode & 0o777 == 0o600 and pwd.getpwuid(env.stat().st_uid).pw_name == user

    command = documented(cron_command(), root, program)
    cron_env = {"PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "HOME": "/", "LOGNAME": user}
    done = as_user(user, command, cron_env, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")    # cron mails nothing
    assert len(mail.inbox.messages) == 1                                # the secrets were read
    with open_history(root / "var/lib/auditor") as history:
        assert [r.status for r in history.runs()] == ["complete"]
    # and no one else can read the secrets
    assert as_user("nobody", f"cat {env}").returncode != 0
