"""The files of deploy/ run a real install: nginx (Debian's) in front of gunicorn, and systemd units that verify.

One installation is built for the module in a temporary folder (SQLite, migrated and set
up, static files collected, one graduate's certificate rendered); gunicorn runs it with
deploy/gunicorn.conf.py and nginx with deploy/nginx/csrc.conf, both on free loopback
ports, the site file's host paths and ports swapped for the test's.
"""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.tests.processes import (
    ROOT,
    Response,
    free_port,
    gunicorn_command,
    manage,
    production_env,
    request,
    require_tool,
    start,
    stop,
    wait_for,
    wait_until_answering,
)
from deploy.nginx_config import SITE_CONFIG, main_config, site_config

DEPLOY = ROOT / "deploy"
SERVER_NAME = "recruit.example.com"
PRIVATE_LOCATION = "/private-media/"
# What gunicorn writes per request: the connection's address, the X-Forwarded-For it
# received, the request line and the status.
ACCESS_LOG_FORMAT = '%(h)s "%({x-forwarded-for}i)s" "%(r)s" %(s)s'

# Run by `manage.py shell` in the installation: a graduate of an ended cohort, her
# certificate rendered into PRIVATE_MEDIA_ROOT; prints the file's name and the signed link's token.
CERTIFICATE = """
from datetime import timedelta

from django.utils import timezone

from curriculum.certificates.services import certificate_download_token, certificate_issue, certificate_render
from curriculum.models import Cohort, Curriculum
from curriculum.services import enrollment_enroll
from curriculum.tests.factories import make_accepted, make_graduate
from recruiting.models import RecruitmentRound

today = timezone.localdate()
round_ = RecruitmentRound.objects.create(
    title="2027년 1월 입과",
    opens_on=today - timedelta(days=3),
    closes_on=today + timedelta(days=20),
    cohort_starts_on=today + timedelta(days=60),
    capacity=30,
)
applicant = make_accepted(round_, 1)
cohort = Cohort.objects.create(
    number=1,
    branch=applicant.preferred_branch,
    curriculum=Curriculum.objects.get(),
    round=round_,
    starts_on=today - timedelta(weeks=15),
    capacity=3,
)
enrollment = make_graduate(enrollment_enroll(cohort=cohort, applicant=applicant, actor=None))
certificate = certificate_issue(enrollment=enrollment, actor=None, render_later=False)
certificate_render(certificate_id=certificate.pk)
certificate.refresh_from_db()
print(certificate.pdf.name, certificate_download_token(certificate))
"""


@dataclass(frozen=True)
class Deployment:
    """The running pair and what the test needs to know of the installation."""

    port: int
    access_log: Path
    var_dir: Path
    certificate_file: str
    download_token: str

    def get(self, path: str, **headers: str) -> Response:
        """GET `path` from nginx as a visitor of the site."""
        return request(self.port, "GET", path, headers={"Host": SERVER_NAME, **headers})

    def gunicorn_saw(self, fragment: str) -> bool:
        """Return whether gunicorn's access log holds a request line containing `fragment`."""
        return fragment in self.access_log.read_text(errors="replace")


def nginx_test(nginx: str, prefix: Path) -> subprocess.CompletedProcess:
    """Run `nginx -t` on the test's configuration."""
    command = [nginx, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def nginx() -> str:
    return require_tool("nginx", "nginx")


@pytest.fixture(scope="module")
def deployment(nginx, tmp_path_factory):
    if connection.vendor == "postgresql":
        # It builds an installation of its own on SQLite; the suite's SQLite pass runs it.
        pytest.skip("the deployment test runs in the SQLite pass")
    var_dir = tmp_path_factory.mktemp("deploy")
    prefix = var_dir / "nginx"
    prefix.mkdir()
    env = production_env(
        var_dir,
        ALLOWED_HOSTS=SERVER_NAME,
        SITE_URL=f"http://{SERVER_NAME}",
        TRUSTED_PROXY_COUNT="1",
        PRIVATE_MEDIA_ACCEL_REDIRECT=PRIVATE_LOCATION,
    )
    manage(["migrate", "--noinput"], env)
    manage(["setup"], env)
    manage(["collectstatic", "--noinput"], env)
    certificate_file, download_token = manage(["shell", "--no-imports", "-c", CERTIFICATE], env).split()[-2:]

    gunicorn_port, nginx_port = free_port(), free_port()
    (prefix / "csrc.conf").write_text(site_config(port=nginx_port, upstreams=[gunicorn_port], var_dir=var_dir))
    (prefix / "nginx.conf").write_text(main_config(prefix=prefix, nginx=nginx))
    checked = nginx_test(nginx, prefix)
    assert checked.returncode == 0, checked.stderr

    access_log = var_dir / "gunicorn-access.log"
    access_log.touch()
    options = ("--workers=2", f"--access-logfile={access_log}", f"--access-logformat={ACCESS_LOG_FORMAT}")
    web = start(gunicorn_command(gunicorn_port, *options), env, var_dir / "gunicorn.log")
    proxy = None
    try:
        wait_until_answering(web, gunicorn_port, var_dir / "gunicorn.log", {"Host": SERVER_NAME})
        command = [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
        proxy = start(command, env, prefix / "nginx.out")
        wait_until_answering(proxy, nginx_port, prefix / "error.log", {"Host": SERVER_NAME})
        yield Deployment(nginx_port, access_log, var_dir, certificate_file, download_token)
    finally:
        if proxy is not None:
            stop(proxy)
        stop(web)


def test_the_shipped_site_file_passes_nginx_t(deployment, nginx):
    checked = nginx_test(nginx, deployment.var_dir / "nginx")

    assert checked.returncode == 0
    assert "test is successful" in checked.stderr


def test_the_body_limit_and_the_private_location_match_the_settings():
    text = SITE_CONFIG.read_text()

    assert f"client_max_body_size {settings.UPLOAD_MAX_MB + 1}m;" in text
    assert f"{settings.UPLOAD_MAX_MB}MB보다 커서" in text
    assert f"location {PRIVATE_LOCATION} {{\n        internal;" in text


def test_it_serves_a_page_through_gunicorn_with_djangos_headers_once(deployment):
    response = deployment.get("/?probe=page")

    assert response.status == 200
    assert "text/html" in response.headers["Content-Type"]
    # Django's security headers arrive once each: nginx adds none of its own to pages.
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert len(response.headers.get_all(header) or []) == 1, header
    assert response.headers["Server"] == "nginx"
    wait_for(lambda: deployment.gunicorn_saw("GET /?probe=page"), timeout=10, message="gunicorn never saw the page")


def test_nginx_appends_the_visitors_address_once_for_trusted_proxy_count_1(deployment):
    deployment.get("/?probe=forwarded", **{"X-Forwarded-For": "203.0.113.9"})

    # The visitor's own claim stays on the left; the last entry, the one Django takes
    # with TRUSTED_PROXY_COUNT=1, is the address nginx saw.
    wait_for(
        lambda: deployment.gunicorn_saw('"203.0.113.9, 127.0.0.1" "GET /?probe=forwarded'),
        timeout=10,
        message=deployment.access_log.read_text(),
    )


def test_nginx_sends_a_static_file_itself_compressed(deployment):
    manifest = (deployment.var_dir / "static" / "staticfiles.json").read_text()
    hashed = re.search(r'"css/site\.css": "([^"]+)"', manifest).group(1)

    response = deployment.get(f"/static/{hashed}", **{"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.headers["Content-Type"] == "text/css"
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in response.headers["Cache-Control"]
    deployment.get("/?probe=after-static")
    wait_for(lambda: deployment.gunicorn_saw("/?probe=after-static"), timeout=10, message="gunicorn log is stale")
    assert not deployment.gunicorn_saw("/static/")


def test_the_signed_link_sends_the_certificate_through_x_accel_redirect(deployment):
    pdf = (deployment.var_dir / "private" / deployment.certificate_file).read_bytes()

    response = deployment.get(f"/certificates/download/{deployment.download_token}/")

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.body.startswith(b"%PDF-")
    assert response.body == pdf
    wait_for(
        lambda: deployment.gunicorn_saw(f'GET /certificates/download/{deployment.download_token}/ HTTP/1.0" 200'),
        timeout=10,
        message="the download did not go through Django",
    )


def test_the_private_folder_is_not_served_by_address(deployment):
    name = deployment.certificate_file

    for path in (
        f"{PRIVATE_LOCATION}{name}",
        f"/media/{name}",
        f"/media/../private/{name}",
        f"/static/../private/{name}",
    ):
        response = deployment.get(path)
        assert response.status in (400, 404), path
        assert not response.body.startswith(b"%PDF"), path


def test_wagtail_documents_are_not_served_by_address(deployment):
    folder = deployment.var_dir / "media" / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notice.txt").write_text("private")
    (deployment.var_dir / "media" / "seal.txt").write_text("public")

    assert deployment.get("/media/documents/notice.txt").status == 404
    uploaded = deployment.get("/media/seal.txt")
    assert uploaded.status == 200
    assert "sandbox" in uploaded.headers["Content-Security-Policy"]


def test_a_body_over_the_limit_is_refused_by_nginx_with_the_korean_page(deployment):
    limit = (settings.UPLOAD_MAX_MB + 1) * 1024 * 1024
    headers = {"Host": SERVER_NAME, "Content-Type": "application/octet-stream"}

    refused = request(deployment.port, "POST", "/apply/?probe=too-large", body=b"0" * (limit + 1), headers=headers)
    # One byte less reaches Django, whose own ceiling is the same (here CSRF refuses the post).
    passed = request(deployment.port, "POST", "/apply/?probe=at-limit", body=b"0" * limit, headers=headers)

    assert refused.status == 413
    assert "파일이 너무 큽니다" in refused.text()
    assert passed.status == 403
    wait_for(lambda: deployment.gunicorn_saw("POST /apply/?probe=at-limit"), timeout=10, message="no at-limit post")
    assert not deployment.gunicorn_saw("probe=too-large")


def test_a_request_for_another_host_gets_no_answer(deployment):
    with pytest.raises(ConnectionError):
        request(deployment.port, "GET", "/", headers={"Host": "attacker.example"})


def test_the_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text()
        assert unit.suffix != ".service" or "/srv/csrc" in text, unit.name
        # The checkout stands in for /srv/csrc, so that the programs the units start exist.
        (tmp_path / unit.name).write_text(text.replace("/srv/csrc", str(ROOT)))
        units.append(str(tmp_path / unit.name))

    checked = subprocess.run([analyze, "verify", *units], capture_output=True, text=True, check=False)

    # An unknown key is only a warning to systemd; here any remark fails.
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")
